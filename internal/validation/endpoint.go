package validation

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckEndpoint reports why s is not a usable provider endpoint: it must be
// an absolute http(s) URL with a host and no fragment; plain http is
// accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1), which
// tests and local mocks use.
func CheckEndpoint(s string) error {
	if s == "" {
		return errors.New("must be an absolute https URL, got an empty value")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("must be an absolute https URL: cannot be parsed")
	}
	if !u.IsAbs() || u.Hostname() == "" {
		return errors.New("must be an absolute https URL with a host")
	}
	if u.Fragment != "" {
		return errors.New("must not have a #fragment")
	}
	if u.User != nil {
		return errors.New("must not carry user credentials")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return errors.New("must use https (plain http is allowed only for loopback hosts)")
	}
	return fmt.Errorf("must use https, not %q", u.Scheme)
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
