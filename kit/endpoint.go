package kit

import "github.com/connectorkit/connector/internal/validation"

// CheckEndpoint reports why s is not a usable provider endpoint: it must be
// an absolute http(s) URL with a host, no user credentials and no
// fragment; plain http is accepted only for loopback hosts (localhost,
// *.localhost, 127.0.0.0/8, ::1), which tests and local mocks use. The
// `endpoint` validation tag applies the same rule.
func CheckEndpoint(s string) error { return validation.CheckEndpoint(s) }

// IsLoopbackHost reports whether host is localhost, a *.localhost name
// or a loopback IP address.
func IsLoopbackHost(host string) bool { return validation.IsLoopbackHost(host) }
