package netguard

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// The timeouts and pool sizes of the guarded client: the same as
// kit.DefaultHTTPClient, so a host that adds the guard changes nothing
// else.
const (
	dialTimeout           = 10 * time.Second
	keepAlive             = 30 * time.Second
	maxIdleConns          = 100
	maxIdleConnsPerHost   = 16
	idleConnTimeout       = 90 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 20 * time.Second
	expectContinueTimeout = time.Second
	clientTimeout         = 30 * time.Second
)

// NewClient returns an HTTP client guarded by the zero [Policy]: see
// [Policy.Client].
func NewClient() *http.Client { return Policy{}.Client() }

// Client returns a new HTTP client that connects only to addresses p allows.
// A refused connection fails with an error that matches
// [ErrForbiddenAddress] (inside the *url.Error the client returns, and
// inside a connector's error).
//
// It has the timeouts of kit.DefaultHTTPClient (30 s in all; 10 s to
// dial and for the TLS handshake, 20 s for the response header) and its own
// connection pool, so build it once and share it. It differs from that
// client in three ways, each on purpose:
//   - it dials directly (no Proxy): a proxy would connect on its behalf and
//     the guard would check only the proxy's address;
//   - it follows no redirect: a 3xx response is returned as it is (the
//     connector reports it as a failed request). Provider endpoints answer
//     directly; a host that wants redirects may set CheckRedirect on its
//     copy, and every hop is still checked when it is dialled;
//   - its transport is a new [http.Transport], not a clone of
//     [http.DefaultTransport]: a process-wide transport may have been given
//     a DialTLSContext or a registered protocol by some other code, either
//     of which would bypass the dialer.
func (p Policy) Client() *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           p.Wrap(&net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: expectContinueTimeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       clientTimeout,
		CheckRedirect: refuseRedirects,
	}
}

func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Wrap returns a copy of d (a zero Dialer when d is nil) that refuses, before
// each connection attempt, any address p does not allow. A Control or
// ControlContext hook already set on d still runs, after the check. Use it
// when building your own transport:
//
//	tr.DialContext = netguard.Policy{}.Wrap(&net.Dialer{Timeout: 10 * time.Second}).DialContext
//	tr.Proxy = nil // see the package documentation
//
// Every dial of the transport must go through this dialer: leave DialTLS,
// DialTLSContext and Dial unset.
func (p Policy) Wrap(d *net.Dialer) *net.Dialer {
	var w net.Dialer
	if d != nil {
		w = *d
	}
	p = p.clone()
	next := w.ControlContext
	if next == nil && w.Control != nil {
		control := w.Control
		next = func(_ context.Context, network, address string, c syscall.RawConn) error {
			return control(network, address, c)
		}
	}
	w.Control = nil
	w.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if err := p.Control(network, address, c); err != nil {
			return err
		}
		if next != nil {
			return next(ctx, network, address, c)
		}
		return nil
	}
	return &w
}

// Control has the signature of [net.Dialer.Control]: it refuses a
// connection to an address p does not allow. The net package calls it with
// the resolved "IP:port" of every attempt, so it holds for any name. An
// address that is not an IP address and port (a Unix socket path, say) is
// refused as well. Prefer [Policy.Wrap], which keeps a hook already set on
// the dialer.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &unreadableError{network: network, address: address}
	}
	return p.Check(ap.Addr())
}

// unreadableError refuses a dial to an address that is not an IP address
// and port.
type unreadableError struct{ network, address string }

func (e *unreadableError) Error() string {
	return "netguard: refusing to connect to " + strconv.Quote(e.address) + " on network " + e.network + ": not an IP address and port"
}

func (e *unreadableError) Is(target error) bool { return target == ErrForbiddenAddress }
