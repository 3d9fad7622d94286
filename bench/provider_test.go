package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// answer is one canned provider response.
type answer struct {
	status      int
	contentType string
	body        []byte
}

func jsonAnswer(status int, body string) answer {
	return answer{status: status, contentType: "application/json; charset=utf-8", body: []byte(body)}
}

// provider is a fake identity provider: canned answers keyed by host and
// path ("kauth.kakao.com/oauth/token"), whatever the scheme, and a count
// of the requests each one received. It serves them in memory (a
// RoundTripper, no sockets) and over loopback HTTPS (a handler), with the
// same bytes both ways. Every implementation under test is given the same
// client, so they all see the same answers at the same cost.
type provider struct {
	answers map[string]answer
	hits    map[string]*atomic.Int64
}

func newProvider(answers map[string]answer) *provider {
	p := &provider{answers: answers, hits: make(map[string]*atomic.Int64, len(answers))}
	for k := range answers {
		p.hits[k] = new(atomic.Int64)
	}
	return p
}

// requests returns how many requests reached hostPath so far.
func (p *provider) requests(hostPath string) int64 { return p.hits[hostPath].Load() }

func (p *provider) lookup(host, path string) (answer, bool) {
	key := host + path
	a, ok := p.answers[key]
	if ok {
		p.hits[key].Add(1)
	}
	return a, ok
}

// RoundTrip answers in memory. It drains and closes the request body as a
// real transport does, and builds a fresh response each time (a real
// transport allocates one too).
func (p *provider) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	a, ok := p.lookup(req.URL.Host, req.URL.Path)
	if !ok {
		a = jsonAnswer(http.StatusNotFound, `{"error":"not_found"}`)
	}
	return &http.Response{
		Status:        http.StatusText(a.status),
		StatusCode:    a.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {a.contentType}},
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)),
		Request:       req,
	}, nil
}

// memClient is a client whose every request is answered by p in memory.
func (p *provider) memClient() *http.Client { return &http.Client{Transport: p} }

// ServeHTTP answers over a socket, by the request's Host.
func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	a, ok := p.lookup(host, r.URL.Path)
	if !ok {
		a = jsonAnswer(http.StatusNotFound, `{"error":"not_found"}`)
	}
	h := w.Header()
	h["Content-Type"] = []string{a.contentType}
	h["Content-Length"] = []string{strconv.Itoa(len(a.body))}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// tlsClient starts p on a loopback HTTPS server and returns a client that
// sends every request, whatever its host (goth's Kakao URLs are constants),
// to that server over keep-alive connections, trusting the server's
// certificate. The provider's own URLs stay in the requests, so every
// implementation is configured exactly as in memory.
func (p *provider) tlsClient(tb testing.TB) *http.Client {
	srv := httptest.NewTLSServer(p)
	tb.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		// httptest's certificate names example.com; the Host header and
		// the URL keep the provider's name.
		TLSClientConfig:     &tls.Config{RootCAs: roots, ServerName: "example.com"},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     time.Minute,
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// connCounter counts the TCP connections a server accepts.
type connCounter struct{ n atomic.Int64 }

func (c *connCounter) track(_ net.Conn, s http.ConnState) {
	if s == http.StateNew {
		c.n.Add(1)
	}
}

// startCounted starts h on a plain-HTTP loopback server that counts its
// connections.
func startCounted(tb testing.TB, h http.Handler) (*httptest.Server, *connCounter) {
	var cc connCounter
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = cc.track
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, &cc
}

// swapDefaultClient points http.DefaultClient at rt until the benchmark
// or test ends. Only goth's Apple provider needs it: its code exchange
// uses context.Background() and so http.DefaultClient, whatever client it
// was given. Nothing here runs it in parallel.
var defaultClientMu sync.Mutex

func swapDefaultClient(tb testing.TB, rt http.RoundTripper) {
	defaultClientMu.Lock()
	old := http.DefaultClient.Transport
	http.DefaultClient.Transport = rt
	tb.Cleanup(func() {
		http.DefaultClient.Transport = old
		defaultClientMu.Unlock()
	})
}

// processCPU is the CPU time the whole process has used (user and system,
// every thread: the benchmark, the GC, the loopback servers).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports cpu-ns/op: the process's CPU time per operation. Other
// processes on the machine stretch ns/op (wall time) but not this, so the
// README's ratios use it beside ns/op.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{start: processCPU()} }

func (m cpuMeter) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-m.start)/float64(b.N), "cpu-ns/op")
}
