package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/web"
)

const (
	githubCallback = "https://id.example.com/callback/github"
	gitlabCallback = "https://id.example.com/callback/gitlab"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := web.New(web.Config{Keys: [][]byte{key1, []byte("short")}, TTL: 30 * time.Second,
		CookieName: "bad name", MaxPending: 21, MaxFormBytes: -1})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
		t.Fatalf("err = %v", err)
	}
	var paths []string
	for _, f := range ce.Fields {
		paths = append(paths, f.Path)
	}
	want := []string{"Keys[1]", "OnSignIn", "TTL", "CookieName", "MaxPending", "MaxFormBytes"}
	if !slices.Equal(paths, want) {
		t.Fatalf("fields = %q, want %q (every failure at once)", paths, want)
	}
	if _, err := web.New(web.Config{OnSignIn: (&outcomes{}).onSignIn}); !errors.Is(err, connector.ErrInvalidConfig) ||
		!strings.Contains(err.Error(), "Keys: needs at least one key") {
		t.Fatalf("no keys: %v", err)
	}
	if _, err := web.New(web.Config{Keys: [][]byte{key1}, OnSignIn: (&outcomes{}).onSignIn}); err != nil {
		t.Fatalf("minimal config: %v", err)
	}
}

func TestHandlersValidates(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	fake := newFake("oauth2", "github")
	for _, uri := range []string{
		"http://id.example.com/callback", // plain http off loopback
		"/callback",
		"https:///callback",
		"https://id.example.com/callback#frag",
		"https://user:pw@id.example.com/callback",
		"ftp://id.example.com/callback",
		"com.example.app:/callback",
		"",
	} {
		_, err := s.flows.Handlers(fake, uri)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) != 1 || ce.Fields[0].Path != "redirectURI" {
			t.Errorf("%q: err = %v", uri, err)
		}
	}
	if _, err := s.flows.Handlers(nil, githubCallback); !errors.Is(err, connector.ErrInvalidConfig) || !strings.Contains(err.Error(), "connector: is required") {
		t.Errorf("nil connector: %v", err)
	}
}

func TestSignInAndCallbackGET(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	fake := newFake("oauth2", "github")
	h := s.handlers(t, fake, githubCallback)

	loc, ck, resp := startFlow(t, h)
	u, _ := url.Parse(loc)
	if u.Host != "idp.example" || u.Query().Get("redirect_uri") != githubCallback {
		t.Fatalf("redirect to %s", loc)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("sign-in Cache-Control = %q", got)
	}
	if !strings.HasPrefix(ck.Name, "__Host-ck_flow_") || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly || !ck.Secure ||
		ck.SameSite != http.SameSiteLaxMode || ck.MaxAge != 600 {
		t.Fatalf("flow cookie = %+v", ck)
	}

	cb := callbackGET(h, fake.approve(t, loc), ck)
	if got := body(t, cb); cb.StatusCode != http.StatusOK || got != "signed in github user-of-github data=\"\"\n" {
		t.Fatalf("callback: %d %q (error %v)", cb.StatusCode, got, s.out.lastErr())
	}
	if !cleared(cb, ck.Name) {
		t.Error("the callback did not clear the flow cookie")
	}
	if cb.Header.Get("Cache-Control") != "no-store" || cb.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("callback headers = %v", cb.Header)
	}
	res := s.out.results[0]
	if res.Connector != connector.Social(fake) || res.User.ID != "user-of-github" || res.User.Tokens != nil {
		t.Fatalf("result = %+v", res)
	}
}

func TestCallbackPOST(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	apple := newFake("apple-universal", "apple")
	apple.formPost = true
	h := s.handlers(t, apple, "https://id.example.com/callback/apple")
	loc, ck, _ := startFlow(t, h)
	if ck.SameSite != http.SameSiteNoneMode || !ck.Secure {
		t.Fatalf("form_post flow cookie = %+v", ck)
	}
	params := apple.approve(t, loc)

	// The parameters are read from the body only: the same ones in the
	// query of a POST do not count.
	req := httptest.NewRequest(http.MethodPost, "https://id.example.com/callback/apple?"+params.Encode(), nil)
	if resp := serve(h.Callback, req, ck); resp.StatusCode != http.StatusBadRequest ||
		!errors.Is(s.out.lastErr(), connector.ErrInvalidRequestParameters) {
		t.Fatalf("POST with a query only: %d, %v", resp.StatusCode, s.out.lastErr())
	}

	loc, ck, _ = startFlow(t, h)
	params = apple.approve(t, loc)
	resp := callbackPOST(h, params, ck)
	if got := body(t, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(got, "signed in apple") {
		t.Fatalf("POST callback: %d %q (%v)", resp.StatusCode, got, s.out.lastErr())
	}
	if !cleared(resp, ck.Name) {
		t.Error("not cleared")
	}
}

func TestCookieAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		redirect   string
		formPost   bool
		opts       []web.Option
		secure     bool
		sameSite   http.SameSite
		hostPrefix bool
	}{
		{"https", "https://id.example.com/cb", false, nil, true, http.SameSiteLaxMode, true},
		{"https form_post detected", "https://id.example.com/cb", true, nil, true, http.SameSiteNoneMode, true},
		{"https WithFormPost", "https://id.example.com/cb", false, []web.Option{web.WithFormPost()}, true, http.SameSiteNoneMode, true},
		{"http localhost", "http://localhost:8080/cb", false, nil, false, http.SameSiteLaxMode, false},
		{"http 127.0.0.1", "http://127.0.0.1:5556/cb", false, nil, false, http.SameSiteLaxMode, false},
		{"http [::1]", "http://[::1]:5556/cb", false, nil, false, http.SameSiteLaxMode, false},
		{"http app.localhost", "http://app.localhost/cb", false, nil, false, http.SameSiteLaxMode, false},
		{"http localhost form_post", "http://localhost:8080/cb", true, nil, true, http.SameSiteNoneMode, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, nil)
			fake := newFake("f", "f")
			fake.formPost = tt.formPost
			h := s.handlers(t, fake, tt.redirect, tt.opts...)
			loc, ck, _ := startFlow(t, h)
			if ck.Secure != tt.secure || ck.SameSite != tt.sameSite || strings.HasPrefix(ck.Name, "__Host-") != tt.hostPrefix ||
				!ck.HttpOnly || ck.Path != "/" {
				t.Fatalf("cookie = %+v", ck)
			}
			// The callback finds the cookie under the same name.
			if resp := callbackGET(h, fake.approve(t, loc), ck); resp.StatusCode != http.StatusOK || !cleared(resp, ck.Name) {
				t.Fatalf("callback: %d (%v)", resp.StatusCode, s.out.lastErr())
			}
		})
	}
}

func TestCallbackBadInput(t *testing.T) {
	t.Parallel()
	type env struct {
		s              *setup
		fake, other    *fakeSocial
		github, gitlab *web.Handlers
	}
	newEnv := func(t *testing.T) *env {
		e := &env{s: newSetup(t, nil), fake: newFake("oauth2", "github"), other: newFake("oauth2", "gitlab")}
		e.github = e.s.handlers(t, e.fake, githubCallback)
		e.gitlab = e.s.handlers(t, e.other, gitlabCallback)
		return e
	}
	tamper := func(c *http.Cookie) *http.Cookie {
		b := []byte(c.Value)
		if b[20] == 'A' {
			b[20] = 'B'
		} else {
			b[20] = 'A'
		}
		return &http.Cookie{Name: c.Name, Value: string(b)}
	}
	tests := []struct {
		name string
		// run returns the callback's response and the name of the cookie
		// it must clear ("" when it cannot know one).
		run    func(t *testing.T, e *env) (*http.Response, string)
		status int
		code   connector.Code
		cause  error
	}{
		{"missing cookie", func(t *testing.T, e *env) (*http.Response, string) {
			loc, _, _ := startFlow(t, e.github)
			return callbackGET(e.github, e.fake.approve(t, loc)), ""
		}, 401, connector.CodeStateMismatch, web.ErrNoFlow},
		{"tampered cookie", func(t *testing.T, e *env) (*http.Response, string) {
			loc, ck, _ := startFlow(t, e.github)
			return callbackGET(e.github, e.fake.approve(t, loc), tamper(ck)), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowInvalid},
		{"cookie not base64", func(t *testing.T, e *env) (*http.Response, string) {
			loc, ck, _ := startFlow(t, e.github)
			return callbackGET(e.github, e.fake.approve(t, loc), &http.Cookie{Name: ck.Name, Value: "not.sealed!"}), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowInvalid},
		{"cookie sealed under another key", func(t *testing.T, e *env) (*http.Response, string) {
			foreign := newSetup(t, func(c *web.Config) { c.Keys = [][]byte{key2} })
			loc, ck, _ := startFlow(t, foreign.handlers(t, e.fake, githubCallback))
			return callbackGET(e.github, e.fake.approve(t, loc), ck), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowInvalid},
		{"expired cookie", func(t *testing.T, e *env) (*http.Response, string) {
			loc, ck, _ := startFlow(t, e.github)
			e.s.clock.advance(web.DefaultTTL)
			return callbackGET(e.github, e.fake.approve(t, loc), ck), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowExpired},
		{"another connector's cookie", func(t *testing.T, e *env) (*http.Response, string) {
			loc, ck, _ := startFlow(t, e.gitlab)
			return callbackGET(e.github, e.other.approve(t, loc), ck), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowForeign},
		{"same connector, another redirect URI", func(t *testing.T, e *env) (*http.Response, string) {
			h := e.s.handlers(t, e.fake, "https://id.example.com/other-callback")
			loc, ck, _ := startFlow(t, h)
			return callbackGET(e.github, e.fake.approve(t, loc), ck), ck.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowForeign},
		{"replayed after the callback cleared the cookie", func(t *testing.T, e *env) (*http.Response, string) {
			loc, ck, _ := startFlow(t, e.github)
			params := e.fake.approve(t, loc)
			if first := callbackGET(e.github, params, ck); first.StatusCode != 200 || !cleared(first, ck.Name) {
				t.Fatalf("first callback: %d", first.StatusCode)
			}
			e.s.out.results = nil
			e.fake.calls.Store(0)
			return callbackGET(e.github, params), "" // the browser dropped the cookie
		}, 401, connector.CodeStateMismatch, web.ErrNoFlow},
		{"one flow's sealed value under another flow's name", func(t *testing.T, e *env) (*http.Response, string) {
			locA, ckA, _ := startFlow(t, e.github)
			_, ckB, _ := startFlow(t, e.github)
			return callbackGET(e.github, e.fake.approve(t, locA), &http.Cookie{Name: ckA.Name, Value: ckB.Value}), ckA.Name
		}, 401, connector.CodeStateMismatch, web.ErrFlowInvalid},
		{"state of no flow", func(t *testing.T, e *env) (*http.Response, string) {
			_, ck, _ := startFlow(t, e.github)
			return callbackGET(e.github, url.Values{"state": {"forged"}, "code": {"c"}}, ck), ""
		}, 401, connector.CodeStateMismatch, web.ErrNoFlow},
		{"no state", func(t *testing.T, e *env) (*http.Response, string) {
			_, ck, _ := startFlow(t, e.github)
			return callbackGET(e.github, url.Values{"code": {"c"}}, ck), ""
		}, 400, connector.CodeInvalidRequestParameters, nil},
		{"empty state", func(t *testing.T, e *env) (*http.Response, string) {
			_, ck, _ := startFlow(t, e.github)
			return callbackGET(e.github, url.Values{"state": {""}, "code": {"c"}}, ck), ""
		}, 400, connector.CodeInvalidRequestParameters, nil},
		{"two states", func(t *testing.T, e *env) (*http.Response, string) {
			locA, ckA, _ := startFlow(t, e.github)
			locB, ckB, _ := startFlow(t, e.github)
			params := e.fake.approve(t, locA)
			params.Add("state", e.fake.approve(t, locB).Get("state"))
			resp := callbackGET(e.github, params, ckA, ckB)
			if !cleared(resp, ckB.Name) {
				t.Error("the second state's cookie is not cleared")
			}
			return resp, ckA.Name
		}, 400, connector.CodeInvalidRequestParameters, nil},
		{"POST with no form", func(t *testing.T, e *env) (*http.Response, string) {
			_, ck, _ := startFlow(t, e.github)
			req := httptest.NewRequest(http.MethodPost, githubCallback, strings.NewReader(`{"state":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			return serve(e.github.Callback, req, ck), ""
		}, 400, connector.CodeInvalidRequestParameters, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			resp, clearedName := tt.run(t, e)
			text := body(t, resp)
			err := e.s.out.lastErr()
			if resp.StatusCode != tt.status || connector.CodeOf(err) != tt.code {
				t.Fatalf("status %d, error %v; want %d %s", resp.StatusCode, err, tt.status, tt.code)
			}
			if tt.cause != nil {
				wantFlowError(t, err, tt.cause)
			}
			if e.s.out.signIns() != 0 || e.fake.calls.Load() != 0 || e.other.calls.Load() != 0 {
				t.Fatalf("signed in (%d) or reached the connector (%d)", e.s.out.signIns(), e.fake.calls.Load())
			}
			if clearedName != "" && !cleared(resp, clearedName) {
				t.Errorf("cookie %s not cleared", clearedName)
			}
			if !strings.HasPrefix(text, "sign-in failed: "+string(tt.code)) || strings.Contains(text, "code-for-") {
				t.Errorf("page = %q", text)
			}
		})
	}
}

// realOAuth2 opens the generic OAuth 2.0 connector against a mock, behind
// a spy that records each flow state (to look for the PKCE verifier in
// outputs).
func realOAuth2(t testing.TB) (*spy, *mockprovider.OAuth2) {
	t.Helper()
	p := mockprovider.NewOAuth2(mockprovider.OAuth2Options{ClientID: "demo", ClientSecret: "client-secret-s3cret", RequirePKCE: true})
	raw, _ := json.Marshal(map[string]any{"clientId": "demo", "clientSecret": "client-secret-s3cret", "scope": "profile email",
		"authorizationEndpoint": p.URL(mockprovider.EndpointAuthorize), "tokenEndpoint": p.URL(mockprovider.EndpointToken),
		"userInfoEndpoint": p.URL(mockprovider.EndpointUserInfo), "profileMap": map[string]string{"emailVerified": "email_verified"}})
	c, err := oauth2generic.Open(raw, connector.WithHTTPClient(p.Client()), connector.WithTarget("github"))
	if err != nil {
		t.Fatal(err)
	}
	return &spy{Social: c}, p
}

// spy records the flow states of a connector.
type spy struct {
	connector.Social
	mu    sync.Mutex
	flows []connector.FlowState
}

func (s *spy) AuthorizationURL(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	a, err := s.Social.AuthorizationURL(ctx, req)
	if err == nil {
		s.mu.Lock()
		s.flows = append(s.flows, a.Flow)
		s.mu.Unlock()
	}
	return a, err
}

// mapGuard is a ReplayGuard for one process.
type mapGuard struct {
	mu   sync.Mutex
	seen map[string]time.Time
	err  error
}

func (g *mapGuard) Consume(_ context.Context, id string, expires time.Time) (bool, error) {
	if g.err != nil {
		return false, g.err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.seen[id]; ok {
		return false, nil
	}
	g.seen[id] = expires
	return true, nil
}

// A request captured with its cookie and replayed before the expiry: the
// provider refuses the used code; with a ReplayGuard the handler refuses it
// before the provider is asked.
func TestReplayCapturedRequest(t *testing.T) {
	t.Parallel()
	t.Run("stateless: the provider refuses the code", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, nil)
		c, p := realOAuth2(t)
		h := s.handlers(t, c, githubCallback)
		loc, ck, _ := startFlow(t, h)
		params, err := p.Approve(loc, "")
		if err != nil {
			t.Fatal(err)
		}
		if resp := callbackGET(h, params, ck); resp.StatusCode != http.StatusOK {
			t.Fatalf("first: %d %v %v", resp.StatusCode, s.out.lastErr(), p.Problems())
		}
		resp := callbackGET(h, params, ck)
		if resp.StatusCode == http.StatusOK || s.out.signIns() != 1 || !errors.Is(s.out.lastErr(), connector.ErrSocialAuthCodeInvalid) {
			t.Fatalf("replay: %d, %d sign-ins, %v", resp.StatusCode, s.out.signIns(), s.out.lastErr())
		}
		if !cleared(resp, ck.Name) {
			t.Error("not cleared")
		}
	})
	t.Run("ReplayGuard", func(t *testing.T) {
		t.Parallel()
		guard := &mapGuard{seen: map[string]time.Time{}}
		s := newSetup(t, func(c *web.Config) { c.ReplayGuard = guard })
		c, p := realOAuth2(t)
		h := s.handlers(t, c, githubCallback)
		loc, ck, _ := startFlow(t, h)
		params, _ := p.Approve(loc, "")
		if resp := callbackGET(h, params, ck); resp.StatusCode != http.StatusOK {
			t.Fatalf("first: %d %v", resp.StatusCode, s.out.lastErr())
		}
		tokenRequests := p.Requests(mockprovider.EndpointToken)
		resp := callbackGET(h, params, ck)
		if resp.StatusCode != http.StatusUnauthorized || s.out.signIns() != 1 {
			t.Fatalf("replay: %d, %d sign-ins", resp.StatusCode, s.out.signIns())
		}
		wantFlowError(t, s.out.lastErr(), web.ErrFlowReplayed)
		if p.Requests(mockprovider.EndpointToken) != tokenRequests {
			t.Error("the replay reached the provider")
		}
		for _, exp := range guard.seen {
			if want := s.clock.now().Add(web.DefaultTTL); !exp.Equal(want) {
				t.Errorf("guard record until %v, want %v", exp, want)
			}
		}
	})
	t.Run("ReplayGuard failing", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, func(c *web.Config) { c.ReplayGuard = &mapGuard{err: errors.New("redis: connection refused")} })
		fake := newFake("oauth2", "github")
		h := s.handlers(t, fake, githubCallback)
		loc, ck, _ := startFlow(t, h)
		resp := callbackGET(h, fake.approve(t, loc), ck)
		err := s.out.lastErr()
		if resp.StatusCode == http.StatusOK || !errors.Is(err, connector.ErrGeneral) || !connector.IsRetryable(err) || fake.calls.Load() != 0 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		if strings.Contains(body(t, resp), "redis") {
			t.Error("the page shows the guard's error")
		}
	})
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	fake := newFake("oauth2", "github")
	keys := func(k ...[]byte) func(*web.Config) { return func(c *web.Config) { c.Keys = k } }
	before := newSetup(t, keys(key1))
	during := newSetup(t, keys(key2, key1))
	after := newSetup(t, keys(key2))
	flow := func(start, finish *setup) (*http.Response, error) {
		loc, ck, _ := startFlow(t, start.handlers(t, fake, githubCallback))
		resp := callbackGET(finish.handlers(t, fake, githubCallback), fake.approve(t, loc), ck)
		return resp, finish.out.lastErr()
	}
	if resp, err := flow(before, during); resp.StatusCode != http.StatusOK {
		t.Fatalf("sealed with the old key, opened during rotation: %d %v", resp.StatusCode, err)
	}
	if resp, err := flow(during, after); resp.StatusCode != http.StatusOK {
		t.Fatalf("sealed during rotation (with the new key), opened after: %d %v", resp.StatusCode, err)
	}
	resp, err := flow(before, after)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("sealed with a removed key: %d", resp.StatusCode)
	}
	wantFlowError(t, err, web.ErrFlowInvalid)
	if resp, err := flow(during, before); resp.StatusCode != http.StatusUnauthorized || !errors.Is(err, web.ErrFlowInvalid) {
		t.Fatalf("the first key does not seal: %d %v", resp.StatusCode, err)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	for ttl, said := range map[time.Duration]string{0: "10 minutes", 2 * time.Minute: "2 minutes",
		time.Hour: "1 hour", 90 * time.Second: "90 seconds", time.Minute + 500*time.Millisecond: "1m0.5s"} {
		t.Run(fmt.Sprint(ttl), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, func(c *web.Config) { c.TTL = ttl })
			fake := newFake("oauth2", "github")
			h := s.handlers(t, fake, githubCallback)
			want := cmpOr(ttl, web.DefaultTTL)

			loc, ck, _ := startFlow(t, h)
			if ck.MaxAge != int(want/time.Second) {
				t.Errorf("Max-Age = %d", ck.MaxAge)
			}
			s.clock.advance(want - time.Second)
			if resp := callbackGET(h, fake.approve(t, loc), ck); resp.StatusCode != http.StatusOK {
				t.Fatalf("a second before the expiry: %d %v", resp.StatusCode, s.out.lastErr())
			}
			loc, ck, _ = startFlow(t, h)
			s.clock.advance(want)
			resp := callbackGET(h, fake.approve(t, loc), ck)
			wantFlowError(t, s.out.lastErr(), web.ErrFlowExpired)
			if !strings.Contains(body(t, resp), "took longer than "+said+": start again") {
				t.Error("the page does not say why")
			}
		})
	}
}

func cmpOr(a, b time.Duration) time.Duration {
	if a != 0 {
		return a
	}
	return b
}

// browser keeps cookies as a browser does (Max-Age, deletion), on the
// host's https origin.
type browser struct {
	t   testing.TB
	jar *cookiejar.Jar
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, jar: jar}
}

func (b *browser) do(h http.HandlerFunc, req *http.Request) *http.Response {
	for _, c := range b.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	resp := rec.Result()
	b.jar.SetCookies(req.URL, resp.Cookies())
	return resp
}

func (b *browser) signIn(h *web.Handlers) string {
	resp := b.do(h.SignIn, httptest.NewRequest(http.MethodGet, "https://id.example.com/signin", nil))
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func (b *browser) callback(h *web.Handlers, params url.Values) *http.Response {
	return b.do(h.Callback, httptest.NewRequest(http.MethodGet, "https://id.example.com/callback?"+params.Encode(), nil))
}

func (b *browser) flowCookies() int {
	n := 0
	for _, c := range b.jar.Cookies(&url.URL{Scheme: "https", Host: "id.example.com", Path: "/"}) {
		if strings.Contains(c.Name, "ck_flow_") {
			n++
		}
	}
	return n
}

// Two tabs sign in with the same connector, and a third with another; they
// finish in any order.
func TestParallelFlows(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	gh, gl := newFake("oauth2", "github"), newFake("oauth2", "gitlab")
	github, gitlab := s.handlers(t, gh, githubCallback), s.handlers(t, gl, gitlabCallback)
	b := newBrowser(t)
	tab1, tab2, tab3 := b.signIn(github), b.signIn(github), b.signIn(gitlab)
	if n := b.flowCookies(); n != 3 {
		t.Fatalf("%d flow cookies, want 3", n)
	}
	for _, step := range []struct {
		h   *web.Handlers
		c   *fakeSocial
		loc string
	}{{github, gh, tab2}, {gitlab, gl, tab3}, {github, gh, tab1}} {
		if resp := b.callback(step.h, step.c.approve(t, step.loc)); resp.StatusCode != http.StatusOK {
			t.Fatalf("callback: %d %v", resp.StatusCode, s.out.lastErr())
		}
	}
	if s.out.signIns() != 3 || b.flowCookies() != 0 {
		t.Fatalf("%d sign-ins, %d cookies left", s.out.signIns(), b.flowCookies())
	}
}

// Unfinished flows are bounded: a new one drops the oldest beyond
// MaxPending, and any expired or unreadable flow cookie.
func TestPendingFlowsBounded(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *web.Config) { c.MaxPending = 3 })
	fake := newFake("oauth2", "github")
	h := s.handlers(t, fake, githubCallback)
	var names []string
	var cookies []*http.Cookie
	for range 3 {
		_, ck, _ := startFlow(t, h, cookies...)
		names = append(names, ck.Name)
		cookies = append(cookies, ck)
		s.clock.advance(time.Second)
	}
	junk := &http.Cookie{Name: "__Host-ck_flow_AAAAAAAAAAAAAAAA", Value: "junk"}
	session := &http.Cookie{Name: "session", Value: "host's own"}
	_, _, resp := startFlow(t, h, append(cookies, junk, session)...)
	if !cleared(resp, names[0]) || cleared(resp, names[1]) || cleared(resp, names[2]) {
		t.Errorf("the oldest flow is not the one dropped: %v", resp.Header["Set-Cookie"])
	}
	if !cleared(resp, junk.Name) || cleared(resp, session.Name) {
		t.Errorf("junk kept or host cookie touched: %v", resp.Header["Set-Cookie"])
	}
	// An expired flow is dropped too.
	s.clock.advance(web.DefaultTTL)
	_, _, resp = startFlow(t, h, cookies[2])
	if !cleared(resp, names[2]) {
		t.Error("an expired flow is kept")
	}
}

func TestCallbackMethods(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	h := s.handlers(t, newFake("oauth2", "github"), githubCallback)
	for _, m := range []string{http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		resp := serve(h.Callback, httptest.NewRequest(m, githubCallback+"?state=x&code=y", nil))
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
			t.Errorf("%s: %d Allow=%q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	if s.out.lastErr() != nil || s.out.signIns() != 0 {
		t.Error("a refused method reached the host")
	}
}

func TestCallbackBodyLimit(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *web.Config) { c.MaxFormBytes = 1024 })
	fake := newFake("apple-universal", "apple")
	h := s.handlers(t, fake, githubCallback)

	loc, ck, _ := startFlow(t, h)
	params := fake.approve(t, loc)
	params.Set("user", strings.Repeat("x", 2048))
	resp := callbackPOST(h, params, ck)
	if resp.StatusCode != http.StatusBadRequest || !errors.Is(s.out.lastErr(), connector.ErrInvalidRequestParameters) ||
		fake.calls.Load() != 0 || s.out.signIns() != 0 {
		t.Fatalf("oversized form: %d %v", resp.StatusCode, s.out.lastErr())
	}
	if !strings.Contains(body(t, resp), "larger than 1024 bytes") {
		t.Error("the page does not say why")
	}

	params.Set("user", strings.Repeat("x", 700))
	if resp := callbackPOST(h, params, ck); resp.StatusCode != http.StatusOK {
		t.Fatalf("form under the limit: %d %v", resp.StatusCode, s.out.lastErr())
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	prepare := func(r *http.Request, req *connector.AuthRequest) (string, error) {
		q := r.URL.Query()
		switch q.Get("prompt") {
		case "", "login", "consent":
			req.Prompt = q.Get("prompt")
		default:
			return "", &connector.Error{Code: connector.CodeInvalidRequestParameters, Message: "unknown prompt"}
		}
		req.LoginHint = q.Get("login_hint")
		req.State = q.Get("host_state")
		req.RedirectURI = "https://evil.example/steal" // ignored: the handler's own applies
		// The host validates the data before it redirects there.
		return q.Get("return_to"), nil
	}
	s := newSetup(t, nil)
	fake := newFake("oauth2", "github")
	h := s.handlers(t, fake, githubCallback, web.WithPrepare(prepare))

	resp := serve(h.SignIn, httptest.NewRequest(http.MethodGet,
		"/signin?prompt=login&login_hint=ada@example.com&host_state=host-state-123&return_to=/x", nil))
	ck := resp.Cookies()[0]
	req := fake.reqs[0]
	if req.Prompt != "login" || req.LoginHint != "ada@example.com" || req.State != "host-state-123" || req.RedirectURI != githubCallback {
		t.Fatalf("auth request = %+v", req)
	}
	cb := callbackGET(h, url.Values{"state": {"host-state-123"}, "code": {"code-for-host-state-123"}}, ck)
	if cb.StatusCode != http.StatusOK || s.out.results[0].Data != "/x" {
		t.Fatalf("callback: %d %v %+v", cb.StatusCode, s.out.lastErr(), s.out.results)
	}

	// An error of the host's reaches OnError as given; no flow starts.
	resp = serve(h.SignIn, httptest.NewRequest(http.MethodGet, "/signin?prompt=none&return_to=/", nil))
	if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 || s.out.lastErr().Error() != "invalid_request_parameters: unknown prompt" {
		t.Fatalf("prepare error: %d %v", resp.StatusCode, s.out.lastErr())
	}
	// Too much data.
	resp = serve(h.SignIn, httptest.NewRequest(http.MethodGet, "/signin?return_to="+strings.Repeat("a", web.MaxDataBytes+1), nil))
	if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 || !errors.Is(s.out.lastErr(), connector.ErrInvalidRequestParameters) {
		t.Fatalf("data too large: %d %v", resp.StatusCode, s.out.lastErr())
	}
}

func TestWithTokens(t *testing.T) {
	t.Parallel()
	for _, want := range []bool{false, true} {
		s := newSetup(t, nil)
		fake := newFake("oauth2", "github")
		var opts []web.Option
		if want {
			opts = append(opts, web.WithTokens())
		}
		h := s.handlers(t, fake, githubCallback, opts...)
		loc, ck, _ := startFlow(t, h)
		if resp := callbackGET(h, fake.approve(t, loc), ck); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.StatusCode)
		}
		if got := s.out.results[0].User.Tokens != nil; got != want {
			t.Errorf("WithTokens %t: tokens handed over %t", want, got)
		}
	}
}

func TestConnectorErrors(t *testing.T) {
	t.Parallel()
	t.Run("at the callback, the cookie is cleared", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, nil)
		fake := newFake("oauth2", "github")
		fake.err = &connector.Error{Code: connector.CodeAuthorizationFailed, Connector: "oauth2", Step: connector.StepCallback,
			Message: "the user did not authorize", ProviderCode: "access_denied"}
		h := s.handlers(t, fake, githubCallback)
		loc, ck, _ := startFlow(t, h)
		resp := callbackGET(h, fake.approve(t, loc), ck)
		if resp.StatusCode != http.StatusUnauthorized || s.out.lastErr() != fake.err || !cleared(resp, ck.Name) {
			t.Fatalf("%d %v", resp.StatusCode, s.out.lastErr())
		}
		if got := body(t, resp); got != "sign-in failed: authorization_failed: the user did not authorize\n" {
			t.Errorf("page = %q", got)
		}
	})
	t.Run("at the sign-in, no cookie is set", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, nil)
		fake := newFake("oauth2", "github")
		fake.authErr = &connector.Error{Code: connector.CodeInvalidRequestParameters, Step: connector.StepAuthorize, Message: "bad scope"}
		resp := serve(s.handlers(t, fake, githubCallback).SignIn, httptest.NewRequest(http.MethodGet, "/signin", nil))
		if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 || s.out.lastErr() != fake.authErr {
			t.Fatalf("%d %v", resp.StatusCode, s.out.lastErr())
		}
	})
}

func TestDefaultOnError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		page   string
	}{
		{"connector error", &connector.Error{Code: connector.CodeStateMismatch, Message: "start again", Err: errors.New("cause")},
			401, "sign-in failed: state_mismatch: start again\n"},
		{"wrapped", fmt.Errorf("host: %w", &connector.Error{Code: connector.CodeRateLimitExceeded, ProviderMessage: "slow down"}),
			429, "sign-in failed: rate_limit_exceeded\n"},
		{"any other error", errors.New("db: password=hunter2 refused"), 500, "sign-in failed: internal error\n"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		web.DefaultOnError(rec, httptest.NewRequest(http.MethodGet, "/", nil), tt.err)
		if rec.Code != tt.status || rec.Body.String() != tt.page {
			t.Errorf("%s: %d %q", tt.name, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", tt.name, rec.Header())
		}
	}
}

// No response (header or body) and no log line holds a secret: the client
// secret, a code, a token, the PKCE verifier.
func TestNoSecretInResponsesOrLogs(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	c, p := realOAuth2(t)
	h := s.handlers(t, c, githubCallback, web.WithTokens())
	var outputs []string
	record := func(resp *http.Response) {
		var b strings.Builder
		_ = resp.Header.Write(&b)
		b.WriteString(body(t, resp))
		outputs = append(outputs, b.String())
	}
	run := func(mutate func(url.Values, *http.Cookie) *http.Cookie) {
		loc, ck, resp := startFlow(t, h)
		record(resp)
		params, err := p.Approve(loc, "")
		if err != nil {
			t.Fatal(err)
		}
		if mutate != nil {
			ck = mutate(params, ck)
		}
		record(callbackGET(h, params, ck))
	}
	run(nil) // success
	run(nil)
	run(func(v url.Values, ck *http.Cookie) *http.Cookie {
		return &http.Cookie{Name: ck.Name, Value: ck.Value[:40]}
	})
	run(func(v url.Values, ck *http.Cookie) *http.Cookie { v.Set("state", "other"); return ck })
	run(func(v url.Values, ck *http.Cookie) *http.Cookie { v.Add("state", "again"); return ck })
	p.Fail(mockprovider.EndpointToken, mockprovider.InvalidGrant)
	run(nil)
	p.Fail(mockprovider.EndpointUserInfo, mockprovider.Unauthorized)
	run(nil)
	if s.out.signIns() != 2 || len(s.out.errs) != 5 {
		t.Fatalf("%d sign-ins, %d errors: %v", s.out.signIns(), len(s.out.errs), s.out.errs)
	}
	secrets := p.Secrets()
	for _, f := range c.flows {
		secrets = append(secrets, f.CodeVerifier)
	}
	for _, r := range s.out.results {
		secrets = append(secrets, r.User.Tokens.AccessToken)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"signed in"`) || !strings.Contains(logs, `"code":"state_mismatch"`) {
		t.Fatalf("the log misses lines:\n%s", logs)
	}
	for _, secret := range secrets {
		if len(secret) < 8 {
			continue
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret %.6s...", secret)
		}
		for _, o := range outputs {
			if strings.Contains(o, secret) {
				t.Errorf("a response holds a secret %.6s...:\n%s", secret, o)
			}
		}
	}
}

// Many browsers sign in at once through shared handlers (run with -race).
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func(c *web.Config) { c.Keys = [][]byte{key2, key1} })
	fake := newFake("oauth2", "github")
	github := s.handlers(t, fake, githubCallback)
	real, p := realOAuth2(t)
	oauth := s.handlers(t, real, gitlabCallback)
	const browsers, flows = 16, 4
	var wg sync.WaitGroup
	errs := make(chan error, browsers*flows*2)
	for range browsers {
		wg.Go(func() {
			b := newBrowser(t)
			for range flows {
				if resp := b.callback(github, fake.approve(t, b.signIn(github))); resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("fake: %d", resp.StatusCode)
				}
				params, err := p.Approve(b.signIn(oauth), "")
				if err != nil {
					errs <- err
					continue
				}
				if resp := b.callback(oauth, params); resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("oauth2: %d", resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.out.signIns(); got != browsers*flows*2 {
		t.Fatalf("%d sign-ins (%v)", got, s.out.lastErr())
	}
}

// A connector that signs in with the posted id_token alone (no code
// exchange) has nothing at the provider that refuses a replay: a captured
// POST replayed with its cookie before the expiry signs in again, as the
// package documentation says. A ReplayGuard refuses it.
func TestReplayWithoutCodeExchange(t *testing.T) {
	t.Parallel()
	for _, guarded := range []bool{false, true} {
		t.Run(fmt.Sprintf("guard=%t", guarded), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, func(c *web.Config) {
				if guarded {
					c.ReplayGuard = &mapGuard{seen: map[string]time.Time{}}
				}
			})
			p := mockprovider.NewApple(mockprovider.AppleOptions{})
			h := s.handlers(t, appleOn(p), "https://id.example.com/callback/apple")
			loc, ck, _ := startFlow(t, h)
			if ck.SameSite != http.SameSiteNoneMode {
				t.Fatalf("cookie = %+v", ck)
			}
			params, err := p.Approve(loc, "")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				resp := callbackPOST(h, params, ck)
				if want := i == 0 || !guarded; (resp.StatusCode == http.StatusOK) != want {
					t.Fatalf("callback %d: %d %v", i+1, resp.StatusCode, s.out.lastErr())
				}
			}
			if guarded {
				wantFlowError(t, s.out.lastErr(), web.ErrFlowReplayed)
			}
		})
	}
}

// BenchmarkFlow: one sign-in and its callback through the handlers, with a
// connector that does no I/O: the package's own cost per sign-in.
func BenchmarkFlow(b *testing.B) {
	s := newSetup(b, func(c *web.Config) {
		c.Logger = nil
		c.OnSignIn = func(http.ResponseWriter, *http.Request, *web.Result) {}
	})
	fake := newFake("oauth2", "github")
	h := s.handlers(b, fake, githubCallback)
	b.ReportAllocs()
	for b.Loop() {
		loc, ck, _ := startFlow(b, h)
		if resp := callbackGET(h, fake.approve(b, loc), ck); resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode)
		}
	}
}

// A Config holds the cookie keys: no fmt verb nor slog prints them.
func TestConfigNeverPrintsKeys(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	cfg := web.Config{Keys: [][]byte{key}, TTL: time.Minute}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "cfg", cfg)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "cfg", &cfg)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%o", "%b"} {
		fmt.Fprintf(&buf, verb+"\n", cfg)
		fmt.Fprintf(&buf, verb+"\n", &cfg)
	}
	for _, leak := range []string{string(key), fmt.Sprintf("%x", key), fmt.Sprint(key[:4]), "48 49 50 51"} {
		if strings.Contains(buf.String(), leak) {
			t.Fatalf("a key shows: %s", buf.String())
		}
	}
	if !strings.Contains(buf.String(), "Keys:1 [REDACTED]") {
		t.Errorf("output: %s", buf.String())
	}
}
