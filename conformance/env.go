package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// hangLimit bounds a mock hang whose request context never ends.
const hangLimit = 20 * time.Second

// errPanicked stands for a call that panicked (already reported).
var errPanicked = errors.New("conformance: the call panicked")

// markerKey marks the contexts the suites pass to connectors: a request
// without it was not sent with the caller's context.
type markerKey struct{}

// guard is the transport of the injected client: it counts requests,
// refuses any host but the mock's, fails requests whose context has ended
// (as a real transport does before dialing) and notes requests sent without
// the caller's context.
type guard struct {
	next http.RoundTripper
	base string

	mu         sync.Mutex
	requests   int
	violations []string
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	where := req.Method + " " + req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	closeBody := func() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
	}
	g.mu.Lock()
	g.requests++
	if req.Context().Value(markerKey{}) == nil {
		g.violations = append(g.violations, where+" was sent without the caller's context (context.Background, or a context kept from another call?)")
	}
	g.mu.Unlock()
	if req.URL.Scheme+"://"+req.URL.Host != g.base {
		g.mu.Lock()
		g.violations = append(g.violations, where+" went to a host that is not the mock provider's ("+g.base+")")
		g.mu.Unlock()
		closeBody()
		return nil, fmt.Errorf("conformance: request to %s://%s refused: only the mock provider may be called", req.URL.Scheme, req.URL.Host)
	}
	if err := req.Context().Err(); err != nil {
		closeBody()
		return nil, err
	}
	return g.next.RoundTrip(req)
}

func (g *guard) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

// logCapture collects the connector's log lines.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is one subtest's world: a fresh mock, the injected client, a
// capturing logger and what to scan for leaks at the end.
type env struct {
	t      tb
	ctx    context.Context
	p      mockprovider.Provider
	guard  *guard
	client *http.Client
	logs   *logCapture
	logger *slog.Logger
	// strict envs report guard violations and leaks at cleanup.
	strict bool

	mu      sync.Mutex
	secrets []secret
	idents  []string
	texts   []text
}

func newEnv(t tb, template mockprovider.Provider, strict bool) *env {
	p := template.Clone()
	p.SetHangLimit(hangLimit)
	mt := httpmock.NewMockTransport()
	p.Register(mt)
	g := &guard{next: mt, base: p.BaseURL()}
	logs := &logCapture{}
	e := &env{
		t: t, p: p, guard: g, strict: strict, logs: logs,
		ctx:    context.WithValue(t.Context(), markerKey{}, t.Name()),
		client: &http.Client{Transport: g},
		logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.Level(-100)})),
	}
	t.Cleanup(func() {
		p.Close()
		if e.strict {
			e.reportGuard()
			e.scanLeaks()
		}
	})
	return e
}

// options are the options every connector is opened with.
func (e *env) options(extra []connector.Option) []connector.Option {
	return append([]connector.Option{connector.WithHTTPClient(e.client), connector.WithLogger(e.logger)}, extra...)
}

// reportGuard reports the requests that bypassed the caller's context or
// went to another host than the mock's.
func (e *env) reportGuard() {
	e.guard.mu.Lock()
	violations := slices.Clone(e.guard.violations)
	e.guard.mu.Unlock()
	seen := map[string]bool{}
	for _, v := range violations {
		if !seen[v] {
			seen[v] = true
			e.t.Errorf("injected client: %s", v)
		}
	}
}

// recoverPanic turns a connector panic into a test failure.
func (e *env) recoverPanic(what string, err *error) {
	if v := recover(); v != nil {
		e.t.Errorf("%s panicked (a connector must never panic, whatever the provider sends): %v", what, v)
		*err = errPanicked
	}
}

// call runs f, a call of the connector's method name: a panic is reported,
// an error noted for the redaction scan, and a nil result without an error
// (result says what it should have been) is an error too.
func call[R any](e *env, name, result string, f func() (*R, error)) (r *R, err error) {
	defer e.recoverPanic(name, &err)
	r, err = f()
	if err != nil {
		e.noteErr(name, err)
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("conformance: %s returned neither %s nor an error", name, result)
	}
	return r, nil
}

// problems renders what the mock refused, for failure messages.
func (e *env) problems() string {
	ps := e.p.Problems()
	if len(ps) == 0 {
		return ""
	}
	return "; the mock provider refused: " + e.mask(strings.Join(ps, "; "))
}

// waitCanceledHang waits (briefly) for the mock to see the hang at ep end
// with the request's context.
func (e *env) waitCanceledHang(ep mockprovider.Endpoint) bool {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if e.p.CanceledHangs(ep) > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
