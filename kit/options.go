package kit

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/connectorkit/connector"
)

// ResolveOptions applies opts over the defaults: the shared default HTTP
// client, a silent logger, time.Now. Failures are returned as one
// invalid_config [*connector.Error].
func ResolveOptions(opts ...connector.Option) (connector.Options, error) {
	o := connector.Options{}
	var errs []error
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return o, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig, Message: "invalid option", Err: errors.Join(errs...)}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = DefaultHTTPClient()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

var (
	defaultClientOnce sync.Once
	defaultClient     *http.Client
)

// DefaultHTTPClient is the client connectors use when none is given: one
// shared client (so connections are pooled across connectors) with a 30 s
// overall timeout and bounded dial, TLS and header timeouts. It is never
// http.DefaultClient.
//
// It keeps up to 16 idle connections per host (http.Transport's
// MaxIdleConnsPerHost; net/http's default is 2): a host that calls one
// provider from more goroutines at once (SMS bursts, sign-in peaks) gives
// the connectors a client whose transport keeps at least as many idle
// connections as its concurrency, or every call beyond them opens a new
// TCP and TLS connection and closes it after.
func DefaultHTTPClient() *http.Client {
	defaultClientOnce.Do(func() {
		tr := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		defaultClient = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	})
	return defaultClient
}
