package netguard_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/netguard"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// newServer starts an httptest server on 127.0.0.1 that counts its requests.
func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestClientRefusesLoopback sends a real request through the guarded client
// to a server on 127.0.0.1: refused before any byte is sent, with an error
// that matches ErrForbiddenAddress; allowed when 127.0.0.0/8 is in Allow.
func TestClientRefusesLoopback(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, nil)

	_, err := netguard.NewClient().Get(srv.URL + "/admin")
	if !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Fatalf("Get = %v, want ErrForbiddenAddress", err)
	}
	var fe *netguard.ForbiddenAddressError
	if !errors.As(err, &fe) || fe.Addr != netip.MustParseAddr("127.0.0.1") || fe.Category != "loopback" {
		t.Fatalf("error = %#v", fe)
	}
	if !strings.Contains(err.Error(), "netguard: refusing to connect to 127.0.0.1 (loopback address)") {
		t.Errorf("message = %q", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server got %d requests", n)
	}

	resp, err := netguard.Policy{Allow: loopback}.Client().Get(srv.URL + "/admin")
	if err != nil {
		t.Fatalf("with 127.0.0.0/8 allowed: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" || hits.Load() != 1 {
		t.Fatalf("with 127.0.0.0/8 allowed: %d %q, %d hits", resp.StatusCode, body, hits.Load())
	}
}

// TestClientRefusesLocalhostName shows the check is on the resolved
// address: the name "localhost" resolves to a loopback address and is
// refused like the literal.
func TestClientRefusesLocalhostName(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, nil)
	u, _ := url.Parse(srv.URL)
	u.Host = net.JoinHostPort("localhost", u.Port())
	_, err := netguard.NewClient().Get(u.String())
	var fe *netguard.ForbiddenAddressError
	if !errors.As(err, &fe) || fe.Category != "loopback" {
		t.Fatalf("Get(%s) = %v, want a loopback refusal", u, err)
	}
	if hits.Load() != 0 {
		t.Fatal("the server was reached")
	}
}

// fakeDNS answers A queries over an in-memory connection (the stream form
// of DNS, as over TCP) with the next address of its script, repeating the
// last one; it answers AAAA queries with no address.
type fakeDNS struct {
	mu      sync.Mutex
	script  []netip.Addr
	queries int
}

func (f *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		go f.serve(server)
		return client, nil
	}}
}

func (f *fakeDNS) serve(c net.Conn) {
	defer c.Close()
	for {
		var n uint16
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		q := make([]byte, n)
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		resp := f.answer(q)
		if resp == nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// answer builds the response to query q: its ID and question, and one A
// record when asked for one.
func (f *fakeDNS) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	var rdata []byte
	if qtype == 1 { // A
		f.mu.Lock()
		ip := f.script[min(f.queries, len(f.script)-1)]
		f.queries++
		f.mu.Unlock()
		a4 := ip.As4()
		rdata = a4[:]
	}
	resp := append([]byte{}, q[0:2]...)         // ID
	resp = append(resp, 0x81, 0x80)             // response, recursion desired and available, no error
	resp = append(resp, 0, 1, 0, 0, 0, 0, 0, 0) // 1 question, answers set below, 0 authority, 0 additional
	if rdata != nil {
		resp[7] = 1
	}
	resp = append(resp, q[12:end]...)
	if rdata != nil {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4) // name at offset 12, A, IN, TTL 0, 4 bytes
		resp = append(resp, rdata...)
	}
	return resp
}

// TestDNSRebinding plays DNS rebinding with a fake resolver: the name
// resolves to a public address when a host checks it (as it would when
// validating a tenant's config), then to 127.0.0.1 when the connection is
// made. The dialer's own lookup gets 127.0.0.1 and the guard refuses it;
// nothing connects to the public address, nor to the server.
func TestDNSRebinding(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	ctx := context.Background()

	t.Run("dialer", func(t *testing.T) {
		t.Parallel()
		dns := &fakeDNS{script: []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("127.0.0.1")}}
		r := dns.resolver()
		ips, err := r.LookupNetIP(ctx, "ip4", "rebind.test.")
		if err != nil || len(ips) != 1 || netguard.Allowed(ips[0]) != nil {
			t.Fatalf("validation-time lookup = %v, %v; want one public address", ips, err)
		}
		d := netguard.Policy{}.Wrap(&net.Dialer{Resolver: r, Timeout: 5 * time.Second})
		conn, err := d.DialContext(ctx, "tcp4", net.JoinHostPort("rebind.test.", port))
		if err == nil {
			conn.Close()
			t.Fatal("the dial to the rebound name succeeded")
		}
		var fe *netguard.ForbiddenAddressError
		if !errors.As(err, &fe) || fe.Addr != netip.MustParseAddr("127.0.0.1") {
			t.Fatalf("dial = %v, want a refusal of 127.0.0.1", err)
		}
		dns.mu.Lock()
		defer dns.mu.Unlock()
		if dns.queries != 2 {
			t.Fatalf("%d A queries, want 2 (the dialer resolves again)", dns.queries)
		}
	})

	t.Run("http", func(t *testing.T) {
		t.Parallel()
		dns := &fakeDNS{script: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}
		tr := &http.Transport{DialContext: netguard.Policy{}.Wrap(&net.Dialer{Resolver: dns.resolver()}).DialContext}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		_, err := c.Get("http://rebind.test.:" + port + "/")
		if !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Fatalf("Get = %v, want ErrForbiddenAddress", err)
		}
	})

	t.Cleanup(func() {
		if n := hits.Load(); n != 0 {
			t.Errorf("the server got %d requests", n)
		}
	})
}

// TestClientRefusesRedirects checks that the guarded client hands back a
// redirect instead of following it.
func TestClientRefusesRedirects(t *testing.T) {
	t.Parallel()
	var targetHits atomic.Int32
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/target" {
			targetHits.Add(1)
			io.WriteString(w, "followed")
			return
		}
		http.Redirect(w, r, "/target", http.StatusFound)
	})
	resp, err := netguard.Policy{Allow: loopback}.Client().Get(srv.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/target" || targetHits.Load() != 0 {
		t.Fatalf("got %d, Location %q, %d hits on the target", resp.StatusCode, resp.Header.Get("Location"), targetHits.Load())
	}
}

// TestClientSettings checks the client: no proxy, redirects refused, its
// own transport (not http.DefaultTransport), and the timeouts and pool of
// kit.DefaultHTTPClient.
func TestClientSettings(t *testing.T) {
	t.Parallel()
	c := netguard.NewClient()
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport is %T", c.Transport)
	}
	if tr == http.DefaultTransport {
		t.Fatal("the client shares http.DefaultTransport")
	}
	//lint:ignore SA1019 the deprecated DialTLS must be unset too: it would dial around the guard
	if tr.Proxy != nil || tr.DialTLSContext != nil || tr.DialTLS != nil || tr.DialContext == nil {
		t.Fatal("the transport may dial around the guard (proxy or TLS dialer set, or no DialContext)")
	}
	if c.CheckRedirect == nil || !errors.Is(c.CheckRedirect(nil, nil), http.ErrUseLastResponse) {
		t.Fatal("CheckRedirect does not refuse redirects")
	}
	def := kit.DefaultHTTPClient()
	dt := def.Transport.(*http.Transport)
	if c.Timeout != def.Timeout ||
		tr.TLSHandshakeTimeout != dt.TLSHandshakeTimeout ||
		tr.ResponseHeaderTimeout != dt.ResponseHeaderTimeout ||
		tr.IdleConnTimeout != dt.IdleConnTimeout ||
		tr.ExpectContinueTimeout != dt.ExpectContinueTimeout ||
		tr.MaxIdleConns != dt.MaxIdleConns ||
		tr.MaxIdleConnsPerHost != dt.MaxIdleConnsPerHost ||
		tr.ForceAttemptHTTP2 != dt.ForceAttemptHTTP2 {
		t.Fatalf("settings differ from kit.DefaultHTTPClient:\n%+v\n%+v", tr, dt)
	}
	if netguard.NewClient() == c || netguard.NewClient().Transport == c.Transport {
		t.Fatal("NewClient returns a shared client")
	}
}

// TestPolicyIsCopied checks that changing Allow after building a client
// changes nothing for that client.
func TestPolicyIsCopied(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, nil)
	p := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	c := p.Client()
	p.Allow[0] = netip.MustParsePrefix("10.0.0.0/8")
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("the client lost its Allow: %v", err)
	}
	resp.Body.Close()
}

// TestWrap checks that Wrap leaves the dialer it is given alone, keeps the
// dialer's settings and its own Control or ControlContext hook (run after
// the check, never for a refused address), and accepts nil.
func TestWrap(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	ctx := context.Background()

	dial := func(t *testing.T, d *net.Dialer) error {
		t.Helper()
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}

	t.Run("Control", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		orig := &net.Dialer{Timeout: 3 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
			calls.Add(1)
			return nil
		}}
		w := netguard.Policy{}.Wrap(orig)
		if orig.ControlContext != nil || orig.Control == nil || w.Timeout != 3*time.Second {
			t.Fatal("Wrap changed the dialer it was given, or lost its settings")
		}
		if err := dial(t, w); !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Fatalf("dial = %v, want a refusal", err)
		}
		if calls.Load() != 0 {
			t.Fatal("the dialer's own hook ran for a refused address")
		}
		if err := dial(t, netguard.Policy{Allow: loopback}.Wrap(orig)); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 1 {
			t.Fatalf("the dialer's own hook ran %d times, want 1", calls.Load())
		}
	})
	t.Run("ControlContext", func(t *testing.T) {
		t.Parallel()
		hookErr := errors.New("the dialer's own hook refuses")
		orig := &net.Dialer{ControlContext: func(context.Context, string, string, syscall.RawConn) error { return hookErr }}
		if err := dial(t, netguard.Policy{Allow: loopback}.Wrap(orig)); !errors.Is(err, hookErr) {
			t.Fatalf("dial = %v, want the hook's error", err)
		}
	})
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		if err := dial(t, netguard.Policy{}.Wrap(nil)); !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Fatalf("dial = %v, want a refusal", err)
		}
		if err := dial(t, netguard.Policy{Allow: loopback}.Wrap(nil)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestControl checks the hook on its own: addresses as the net package
// passes them, and a refusal of anything that is not an IP address and port.
func TestControl(t *testing.T) {
	t.Parallel()
	var p netguard.Policy
	for addr, refused := range map[string]bool{
		"127.0.0.1:443":          true,
		"[::1]:443":              true,
		"[fe80::1%eth0]:443":     true,
		"[::ffff:10.0.0.1]:443":  true,
		"169.254.169.254:80":     true,
		"8.8.8.8:443":            false,
		"[2606:4700::1111]:443":  false,
		"/run/provider.sock":     true,
		"metadata.internal:80":   true,
		"":                       true,
		"[2606:4700::1111]:http": true,
	} {
		err := p.Control("tcp", addr, nil)
		if got := errors.Is(err, netguard.ErrForbiddenAddress); got != refused {
			t.Errorf("Control(%q) = %v, refused %v, want %v", addr, err, got, refused)
		}
	}
	want := `netguard: refusing to connect to "/run/provider.sock" on network unix: not an IP address and port`
	if err := p.Control("unix", "/run/provider.sock", nil); err == nil || err.Error() != want {
		t.Errorf("Control(unix) = %v, want %s", err, want)
	}
}
