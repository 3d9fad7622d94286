package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

const (
	// defaultDeadline is the context deadline of the hang checks.
	defaultDeadline = time.Second
	// hangLimit bounds a mock hang whose request context never ends.
	hangLimit = 20 * time.Second
	// maxBodyRead is the most a connector may read of a 10 MiB body.
	maxBodyRead = 4 << 20
	// minSecretLen is the shortest value looked for in leak scans (shorter
	// values match by chance).
	minSecretLen = 8
	// parallelFlows is the number of concurrent flows of the concurrency
	// checks.
	parallelFlows = 12
)

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

// secret is a value that must never show in an error, a log line or fmt
// output; label says what it is (never the value).
type secret struct{ label, value string }

// text is something the connector produced, scanned for secrets.
type text struct{ where, s string }

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
			e.finish()
		}
	})
	return e
}

// options are the options every connector is opened with.
func (e *env) options(extra []connector.Option) []connector.Option {
	return append([]connector.Option{connector.WithHTTPClient(e.client), connector.WithLogger(e.logger)}, extra...)
}

func (e *env) addSecret(label, v string) {
	if len(v) < minSecretLen {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.secrets {
		if s.value == v {
			return
		}
	}
	e.secrets = append(e.secrets, secret{label, v})
}

func (e *env) addIdent(v string) {
	if len(v) < 3 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Contains(e.idents, v) {
		e.idents = append(e.idents, v)
	}
}

func (e *env) addText(where, s string) {
	if s == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.texts = append(e.texts, text{where, s})
}

// noteErr records every rendering of err for the leak scan.
func (e *env) noteErr(where string, err error) {
	if err == nil || err == errPanicked {
		return
	}
	e.addText(where+" error (Error())", err.Error())
	e.addText(where+" error (%v %+v %#v)", fmt.Sprintf("%v\n%+v\n%#v", err, err, err))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Error("connector failed", "err", err)
	e.addText(where+" error (slog)", buf.String())
}

// notePrint records the fmt renderings of a connector value.
func (e *env) notePrint(where string, v any) {
	e.addText(where+" (%v %+v %#v %s)", fmt.Sprintf("%v\n%+v\n%#v\n%s", v, v, v, v))
}

// configSecrets adds the secrets found in a JSON config: string values
// under keys ending in secret, password, token or key (at any depth), and
// remembers the other strings as identifiers (for Basic credentials).
func (e *env) configSecrets(raw json.RawMessage) {
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			k := strings.ToLower(key)
			if strings.HasSuffix(k, "secret") || strings.HasSuffix(k, "password") ||
				strings.HasSuffix(k, "token") || strings.HasSuffix(k, "key") {
				e.addSecret("config field "+key, v)
			} else if !strings.Contains(v, "://") && len(v) < 100 {
				e.addIdent(v)
			}
		}
	}
	walk("", doc)
}

// variants returns the forms a secret may leak in.
func (e *env) variants(s secret, idents []string) []secret {
	v := s.value
	out := []secret{s}
	add := func(label, x string) {
		if len(x) >= minSecretLen && x != v {
			out = append(out, secret{s.label + " (" + label + ")", x})
		}
	}
	add("form-encoded", url.QueryEscape(v))
	add("path-encoded", url.PathEscape(v))
	add("base64", base64.StdEncoding.EncodeToString([]byte(v)))
	add("base64url", base64.RawURLEncoding.EncodeToString([]byte(v)))
	if strings.Contains(v, "\n") {
		for _, line := range strings.Split(v, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				add("a line of it", line)
			}
		}
	}
	for _, id := range idents {
		add("in Basic credentials", base64.StdEncoding.EncodeToString([]byte(id+":"+v)))
		add("in Basic credentials", base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(v))))
	}
	return out
}

// allSecrets returns every secret known now, with its variants, longest
// first (so that masking replaces the longest match).
func (e *env) allSecrets() []secret {
	for _, s := range e.p.Secrets() {
		e.addSecret("mock provider secret or issued code/token", s)
	}
	e.mu.Lock()
	base := slices.Clone(e.secrets)
	idents := slices.Clone(e.idents)
	e.mu.Unlock()
	var out []secret
	for _, s := range base {
		out = append(out, e.variants(s, idents)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].value) > len(out[j].value) })
	return out
}

// mask replaces every known secret in s, so the suite's own messages never
// print one.
func (e *env) mask(s string) string { return maskWith(s, e.allSecrets()) }

// finish reports requests that bypassed the caller's context or went
// elsewhere, and every secret found in what the connector produced.
func (e *env) finish() {
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
	e.addText("log output", e.logs.String())
	secrets := e.allSecrets()
	e.mu.Lock()
	texts := slices.Clone(e.texts)
	e.mu.Unlock()
	reported := map[string]bool{}
	for _, tx := range texts {
		var masked string
		for _, s := range secrets {
			if !strings.Contains(tx.s, s.value) {
				continue
			}
			key := tx.where + "\x00" + s.label
			if reported[key] {
				continue
			}
			reported[key] = true
			if masked == "" {
				masked = maskWith(tx.s, secrets)
			}
			marker := "[secret: " + s.label + "]"
			i := max(0, strings.Index(masked, marker))
			lo, hi := max(0, i-80), min(len(masked), i+len(marker)+80)
			e.t.Errorf("redaction: %s holds a secret, the %s: ...%s...", tx.where, s.label, masked[lo:hi])
		}
	}
}

// maskWith replaces every secret in s (secrets longest first).
func maskWith(s string, secrets []secret) string {
	for _, x := range secrets {
		s = strings.ReplaceAll(s, x.value, "[secret: "+x.label+"]")
	}
	return s
}

// recoverPanic turns a connector panic into a test failure.
func (e *env) recoverPanic(what string, err *error) {
	if v := recover(); v != nil {
		e.t.Errorf("%s panicked (a connector must never panic, whatever the provider sends): %v", what, v)
		*err = errPanicked
	}
}

// want is what an error must be.
type want struct {
	codes        []connector.Code
	step         connector.Step
	status       int
	retryable    bool
	retryAfter   time.Duration
	providerCode string
}

func (w want) String() string {
	parts := []string{}
	for _, c := range w.codes {
		parts = append(parts, string(c))
	}
	s := "an error"
	if len(parts) > 0 {
		s = strings.Join(parts, " or ")
	}
	if w.retryable {
		s += " (retryable)"
	}
	return s
}

// check reports how err differs from w, and returns the *connector.Error.
func (e *env) check(what string, err error, w want) *connector.Error {
	e.t.Helper()
	if err == errPanicked {
		return nil
	}
	if err == nil {
		e.t.Errorf("%s: succeeded, want %s", what, w)
		return nil
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		e.t.Errorf("%s: returned %T %q, want a *connector.Error", what, err, e.mask(err.Error()))
		return nil
	}
	msg := e.mask(err.Error())
	if len(w.codes) > 0 && !slices.Contains(w.codes, ce.Code) {
		e.t.Errorf("%s: code %q, want %s (error: %s)", what, ce.Code, w, msg)
	}
	if ce.Connector == "" {
		e.t.Errorf("%s: Error.Connector is empty (error: %s)", what, msg)
	}
	if ce.Step == "" {
		e.t.Errorf("%s: Error.Step is empty (error: %s)", what, msg)
	} else if w.step != "" && ce.Step != w.step {
		e.t.Errorf("%s: step %q, want %q (error: %s)", what, ce.Step, w.step, msg)
	}
	if w.status != 0 && ce.Status != w.status {
		e.t.Errorf("%s: Error.Status %d, want the provider's %d (error: %s)", what, ce.Status, w.status, msg)
	}
	if w.retryable && !ce.Retryable {
		e.t.Errorf("%s: not retryable, want Retryable (error: %s)", what, msg)
	}
	if w.retryAfter != 0 && ce.RetryAfter != w.retryAfter {
		e.t.Errorf("%s: RetryAfter %v, want the provider's %v (error: %s)", what, ce.RetryAfter, w.retryAfter, msg)
	}
	if w.providerCode != "" && ce.ProviderCode != w.providerCode {
		e.t.Errorf("%s: ProviderCode %q, want the provider's %q (error: %s)", what, ce.ProviderCode, w.providerCode, msg)
	}
	return ce
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

// hangGrace is how long after a deadline d a call may take to return: a
// second plus four times d, generous for loaded machines, short next to a
// hang.
func hangGrace(d time.Duration) time.Duration { return time.Second + 4*d }

// runWithDeadline runs f with a context that ends after d, and reports
// whether it returned within d + hangGrace(d). f keeps running after a
// timeout; the mock's Close releases it.
func runWithDeadline(ctx context.Context, d time.Duration, f func(ctx context.Context) error) (error, bool) {
	ctx, cancel := context.WithTimeout(ctx, d)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- f(ctx)
	}()
	t := time.NewTimer(d + hangGrace(d))
	defer t.Stop()
	select {
	case err := <-done:
		return err, true
	case <-t.C:
		return nil, false
	}
}

// editConfig applies edit to a copy of raw.
func editConfig(raw json.RawMessage, edit func(map[string]any)) (json.RawMessage, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the valid config is not a JSON object: %w", err)
	}
	edit(doc)
	return json.Marshal(doc)
}
