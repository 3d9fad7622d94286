package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/web"
)

// fakeSocial is a connector whose provider is the test itself: it
// remembers every flow it started, and its UserInfo succeeds only for the
// exact flow state it returned and the code approve gave for it (so a test
// passes only if the cookie carried the whole flow state).
type fakeSocial struct {
	meta     connector.Metadata
	formPost bool
	// err and authErr, when set, are UserInfo's and AuthorizationURL's
	// answers.
	err, authErr error

	mu    sync.Mutex
	flows map[string]connector.FlowState
	reqs  []connector.AuthRequest
	calls atomic.Int64 // UserInfo calls
}

var _ connector.Social = (*fakeSocial)(nil)

func newFake(id, target string) *fakeSocial {
	return &fakeSocial{meta: connector.Metadata{ID: id, Target: target, Type: connector.TypeSocial,
		Platform: connector.PlatformUniversal, Name: map[string]string{"en": target}, Logo: "data:,"},
		flows: map[string]connector.FlowState{}}
}

func randText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *fakeSocial) Metadata() connector.Metadata { return f.meta }

func (f *fakeSocial) AuthorizationURL(_ context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if f.authErr != nil {
		return nil, f.authErr
	}
	flow := connector.FlowState{State: req.State, RedirectURI: req.RedirectURI,
		CodeVerifier: "verifier-" + randText(24), Nonce: "nonce-" + randText(12)}
	if flow.State == "" {
		flow.State = randText(24)
	}
	f.mu.Lock()
	f.flows[flow.State] = flow
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	q := url.Values{"state": {flow.State}, "redirect_uri": {req.RedirectURI}, "client_id": {"c"}}
	for k, v := range map[string]string{"scope": req.Scope, "prompt": req.Prompt, "login_hint": req.LoginHint} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.formPost {
		q.Set("response_mode", "form_post")
	}
	return &connector.Authorization{URL: "https://idp.example/authorize?" + q.Encode(), Flow: flow}, nil
}

// approve plays the provider: the callback parameters for authURL.
func (f *fakeSocial) approve(t testing.TB, authURL string) url.Values {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	state := u.Query().Get("state")
	return url.Values{"state": {state}, "code": {"code-for-" + state}}
}

func (f *fakeSocial) UserInfo(_ context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	fail := func(code connector.Code, msg string) error {
		return &connector.Error{Code: code, Connector: f.meta.ID, Step: connector.StepCallback, Message: msg}
	}
	f.mu.Lock()
	want, ok := f.flows[cb.Flow.State]
	f.mu.Unlock()
	if !ok || cb.Flow != want {
		return nil, fail(connector.CodeStateMismatch, "unknown flow state")
	}
	if subtle.ConstantTimeCompare([]byte(cb.Params.Get("state")), []byte(cb.Flow.State)) != 1 {
		return nil, fail(connector.CodeStateMismatch, "the callback state does not match the flow")
	}
	if cb.Params.Get("code") != "code-for-"+cb.Flow.State {
		return nil, fail(connector.CodeSocialAuthCodeInvalid, "unknown code")
	}
	f.mu.Lock()
	delete(f.flows, cb.Flow.State) // the code is single use
	f.mu.Unlock()
	info := &connector.UserInfo{ID: "user-of-" + f.meta.Target, Email: "ada@example.com", EmailVerified: true}
	if cb.WantTokens {
		info.Tokens = &connector.Tokens{AccessToken: "access-token-secret", TokenType: "Bearer"}
	}
	return info, nil
}

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// outcomes records what the flows handed to the host.
type outcomes struct {
	mu      sync.Mutex
	results []*web.Result
	errs    []error
}

func (o *outcomes) onSignIn(w http.ResponseWriter, _ *http.Request, res *web.Result) {
	o.mu.Lock()
	o.results = append(o.results, res)
	o.mu.Unlock()
	fmt.Fprintf(w, "signed in %s %s data=%q\n", res.Connector.Metadata().Target, res.User.ID, res.Data)
}

func (o *outcomes) onError(w http.ResponseWriter, r *http.Request, err error) {
	o.mu.Lock()
	o.errs = append(o.errs, err)
	o.mu.Unlock()
	web.DefaultOnError(w, r, err)
}

func (o *outcomes) lastErr() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.errs) == 0 {
		return nil
	}
	return o.errs[len(o.errs)-1]
}

func (o *outcomes) signIns() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.results)
}

var (
	key1 = bytes.Repeat([]byte{1}, 32)
	key2 = bytes.Repeat([]byte{2}, 32)
)

// setup is a Flows over a test clock, recording its outcomes.
type setup struct {
	flows *web.Flows
	clock *clock
	out   *outcomes
	logs  *bytes.Buffer
}

// newSetup returns flows with key1, the clock and a debug log in a buffer;
// edit changes the config first.
func newSetup(t testing.TB, edit func(*web.Config)) *setup {
	t.Helper()
	s := &setup{clock: newClock(), out: &outcomes{}, logs: &bytes.Buffer{}}
	cfg := web.Config{Keys: [][]byte{key1}, OnSignIn: s.out.onSignIn, OnError: s.out.onError, Now: s.clock.now,
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: s.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	if s.flows, err = web.New(cfg); err != nil {
		t.Fatal(err)
	}
	return s
}

// lockedWriter serialises writes from parallel requests.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (s *setup) handlers(t testing.TB, c connector.Social, redirectURI string, opts ...web.Option) *web.Handlers {
	t.Helper()
	h, err := s.flows.Handlers(c, redirectURI, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// serve runs h on req, with cookies.
func serve(h http.HandlerFunc, req *http.Request, cookies ...*http.Cookie) *http.Response {
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	return rec.Result()
}

// startFlow runs the sign-in handler and returns its redirect and the flow
// cookie it set.
func startFlow(t testing.TB, h *web.Handlers, cookies ...*http.Cookie) (location string, flow *http.Cookie, resp *http.Response) {
	t.Helper()
	resp = serve(h.SignIn, httptest.NewRequest(http.MethodGet, "https://id.example.com/signin", nil), cookies...)
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("sign-in: status %d: %s", resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge > 0 {
			if flow != nil {
				t.Fatal("two flow cookies set")
			}
			flow = c
		}
	}
	if flow == nil {
		t.Fatal("no flow cookie")
	}
	return resp.Header.Get("Location"), flow, resp
}

// callbackGET and callbackPOST run the callback handler.
func callbackGET(h *web.Handlers, params url.Values, cookies ...*http.Cookie) *http.Response {
	return serve(h.Callback, httptest.NewRequest(http.MethodGet, "https://id.example.com/callback?"+params.Encode(), nil), cookies...)
}

func callbackPOST(h *web.Handlers, params url.Values, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodPost, "https://id.example.com/callback", strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(h.Callback, req, cookies...)
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cleared reports whether resp deletes the cookie called name.
func cleared(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.MaxAge < 0 && c.Value == "" {
			return true
		}
	}
	return false
}

// wantFlowError checks that err is a state_mismatch at the callback step
// caused by cause.
func wantFlowError(t testing.TB, err, cause error) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	if !errors.Is(err, connector.ErrStateMismatch) || ce.Step != connector.StepCallback || !errors.Is(err, cause) {
		t.Fatalf("error = %v; want state_mismatch at callback caused by %v", err, cause)
	}
}
