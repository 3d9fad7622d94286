package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/web"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testDemo is the demo server on mock providers, served by httptest.
type testDemo struct {
	t     *testing.T
	url   string
	b     *backend
	clock *fakeClock
	logs  *syncBuffer
	// pages collects every page body served, for the leak check.
	mu    sync.Mutex
	pages []string
}

func newTestDemo(t *testing.T) *testDemo {
	t.Helper()
	return newTestDemoWith(t, demoProviders)
}

func newTestDemoWith(t *testing.T, providers []demoProvider) *testDemo {
	t.Helper()
	d := &testDemo{t: t, clock: &fakeClock{t: time.Now()}, logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg, err := builtin.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	d.b, err = mockBackend(reg, providers, []connector.Option{connector.WithLogger(logger)}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.b.Close)
	key := testCookieKey()
	sealer, err := newSealer(key, d.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + ts.Listener.Addr().String())
	srv, err := newServer(serverConfig{Backend: d.b, Logger: logger, Sealer: sealer, FlowKeys: [][]byte{key}, BaseURL: base,
		Canonical: true, Now: d.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.handler()
	ts.Start()
	t.Cleanup(ts.Close)
	d.url = ts.URL
	t.Cleanup(d.checkLeaks)
	return d
}

// testCookieKey returns a random cookie key, as the demo makes one.
func testCookieKey() []byte {
	key := make([]byte, keySize)
	_, _ = rand.Read(key)
	return key
}

// checkLeaks fails the test when a secret a mock holds or issued (client
// secrets, auth tokens, codes, access tokens) shows in a log line or a page.
func (d *testDemo) checkLeaks() {
	logs := d.logs.String()
	d.mu.Lock()
	pages := strings.Join(d.pages, "\n")
	d.mu.Unlock()
	for id, p := range d.b.mocks {
		for _, s := range p.Secrets() {
			if len(s) < 6 {
				continue
			}
			if strings.Contains(logs, s) {
				d.t.Errorf("a secret of the %s mock is in the logs: %q", id, s)
			}
			if strings.Contains(pages, s) {
				d.t.Errorf("a secret of the %s mock is in a page: %q", id, s)
			}
		}
	}
}

// browser returns a client with its own cookie jar, like a fresh browser.
func (d *testDemo) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// do runs a request and returns the final response and its body.
func (d *testDemo) do(c *http.Client, req *http.Request) (*http.Response, string) {
	d.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		d.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// No page may hold a secret.
	d.mu.Lock()
	d.pages = append(d.pages, string(body))
	d.mu.Unlock()
	return resp, string(body)
}

func (d *testDemo) get(c *http.Client, path string) (*http.Response, string) {
	d.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = d.url + path
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return d.do(c, req)
}

func (d *testDemo) post(c *http.Client, u string, form url.Values) (*http.Response, string) {
	d.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = d.url + u
	}
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return d.do(c, req)
}

var (
	formAction   = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	requestField = regexp.MustCompile(`name="request" value="([^"]*)"`)
)

// authorizePage opens the sign-in of connector id and returns the mock's
// authorization page form: its absolute action and hidden request.
func (d *testDemo) authorizePage(c *http.Client, id string) (action, request string) {
	d.t.Helper()
	resp, body := d.get(c, "/signin/"+id)
	if resp.StatusCode != http.StatusOK {
		d.t.Fatalf("authorization page: status %d\n%s", resp.StatusCode, body)
	}
	m, r := formAction.FindStringSubmatch(body), requestField.FindStringSubmatch(body)
	if m == nil || r == nil {
		d.t.Fatalf("no authorization form on the mock's page:\n%s", body)
	}
	a, err := resp.Request.URL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		d.t.Fatal(err)
	}
	return a.String(), html.UnescapeString(r[1])
}

// signIn plays the person on the mock's page: pick identity, or cancel
// when identity is "".
func (d *testDemo) signIn(c *http.Client, id, identity string) (*http.Response, string) {
	d.t.Helper()
	action, request := d.authorizePage(c, id)
	form := url.Values{"request": {request}}
	if identity == "" {
		form.Set("cancel", "1")
	} else {
		form.Set("identity", identity)
	}
	return d.post(c, action, form)
}

// mustContain checks the page, its HTML entities decoded, for each want.
func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}

// mustNotContain checks the page, its HTML entities decoded, for none of
// unwanted.
func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page contains %q", u)
		}
	}
}

// mustBeNoFlowPage checks that body is the page of a callback for which
// this browser has no sign-in in progress, for connector name: what
// happened and what to do in words, a way to start again, and no Go error
// text.
func mustBeNoFlowPage(t *testing.T, body, id, name string) {
	t.Helper()
	mustContain(t, body, `id="noflow"`, "<h1 id=\"noflow-heading\">No sign-in in progress</h1>",
		"You came back from "+name+", but this browser has no sign-in with "+name+" waiting",
		"The browser blocks cookies for", "Start the sign-in again in this browser", "allow cookies for",
		`href="/signin/`+id+`" id="noflow-retry">Sign in with `+name+` again<`, `id="error-code">state_mismatch<`)
	mustNotContain(t, body, web.ErrNoFlow.Error(), http.ErrNoCookie.Error(), "<dt>cause</dt>", "web: ", "http: ")
}

func TestDemoSignIn(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	kakao := mockprovider.DefaultKakaoIdentities
	hf := mockprovider.DefaultHuggingFaceIdentities
	oa := mockprovider.DefaultOAuth2Identities
	tests := []struct {
		name, connector, identity string
		want                      []string
		not                       []string
	}{
		{"kakao verified email", "kakao", kakao[0].ID,
			[]string{`id="user-id">3141592653<`, `id="user-email">minjun@example.kr<`, `id="email-verified"`, "김민준", `"is_email_verified": true`, "Signed in with Kakao"},
			[]string{`id="email-unverified"`}},
		{"kakao unverified email", "kakao", kakao[1].ID,
			[]string{`id="user-email">seoyeon@example.kr<`, `id="email-unverified"`},
			[]string{`id="email-verified"`}},
		{"kakao no email consent", "kakao", kakao[2].ID,
			[]string{`id="user-email-none"`, "박지호"}, nil},
		{"kakao invalid email", "kakao", kakao[3].ID,
			[]string{`id="user-email-none"`, `"is_email_valid": false`}, nil},
		{"kakao 64-bit id", "kakao", kakao[4].ID,
			[]string{`id="user-id">9223372036854775807<`, `id="user-phone">+821012345678<`, `"id": 9223372036854775807`},
			[]string{`id="user-avatar"`}},
		{"hugging face verified email", "huggingface", hf[0].ID,
			[]string{`id="user-id">64f1a2b3c4d5e6f708192a3b<`, `id="user-email">ada@example.com<`, `id="email-verified"`, `"isPro": true`, "Signed in with Hugging Face"}, nil},
		{"hugging face no name", "huggingface", hf[2].ID,
			[]string{`id="user-name">grace<`, `id="user-email-none"`}, nil},
		{"oauth2 verified email", "oauth2", oa[0].ID,
			[]string{`id="user-id">u-1001<`, `id="email-verified"`, `id="user-phone">+14155550100<`, `id="user-avatar"`, "https://avatars.example.com/ada.png"}, nil},
		{"oauth2 unverified email", "oauth2", oa[1].ID,
			[]string{`id="user-email">charles@example.com<`, `id="email-unverified"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := d.browser()
			resp, body := d.signIn(c, tt.connector, tt.identity)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", resp.StatusCode, body)
			}
			if got := resp.Request.URL.Path; got != "/callback/"+tt.connector {
				t.Fatalf("ended on %s", got)
			}
			mustContain(t, body, tt.want...)
			mustContain(t, body, `id="user-private">no<`, `id="raw-profile"`)
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("page contains %q", n)
				}
			}
			// The flow cookie is single use: replaying the callback fails.
			resp, body = d.get(c, resp.Request.URL.String())
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "state_mismatch") {
				t.Fatalf("replayed callback: status %d\n%s", resp.StatusCode, body)
			}
		})
	}
}

func TestDemoFailures(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{"kakao", "huggingface", "oauth2"} {
			resp, body := d.signIn(d.browser(), id, "")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: status %d", id, resp.StatusCode)
			}
			mustContain(t, body, `id="error-code">authorization_failed<`, "access_denied", "HTTP 401", "<dt>step</dt><dd><code>callback</code>")
		}
	})
	t.Run("armed provider errors", func(t *testing.T) {
		// Not parallel with other kakao sign-ins: an armed failure hits
		// the mock's next request, whoever makes it.
		tests := []struct {
			failure string
			status  int
			want    []string
		}{
			{"kakao|token-invalid-grant", http.StatusUnauthorized, []string{`id="error-code">social_auth_code_invalid<`, "<dt>provider status</dt><dd><code>400</code>", "invalid_grant", "token_exchange"}},
			{"kakao|case-KOE320", http.StatusUnauthorized, []string{"social_auth_code_invalid", "KOE320"}},
			{"huggingface|userinfo-429", http.StatusTooManyRequests, []string{`id="error-code">rate_limit_exceeded<`, "<dt>retry after</dt><dd><code>7s</code>", "userinfo"}},
			{"oauth2|userinfo-html", http.StatusBadGateway, []string{`id="error-code">invalid_response<`}},
			{"oauth2|userinfo-401", http.StatusUnauthorized, []string{`id="error-code">social_invalid_access_token<`, "<dt>provider status</dt><dd><code>401</code>"}},
		}
		for _, tt := range tests {
			c := d.browser()
			resp, body := d.post(c, "/mock/fail", url.Values{"failure": {tt.failure}})
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="armed"`) {
				t.Fatalf("%s: arming: status %d\n%s", tt.failure, resp.StatusCode, body)
			}
			id, _, _ := strings.Cut(tt.failure, "|")
			resp, body = d.signIn(c, id, d.b.mocks[id].(mockprovider.SocialProvider).Identities()[0].ID)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: status %d, want %d", tt.failure, resp.StatusCode, tt.status)
			}
			mustContain(t, body, tt.want...)
			// Armed once: the next sign-in works.
			resp, _ = d.signIn(c, id, d.b.mocks[id].(mockprovider.SocialProvider).Identities()[0].ID)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: the failure outlived its one request: %d", tt.failure, resp.StatusCode)
			}
		}
		resp, body := d.post(d.browser(), "/mock/fail", url.Values{"failure": {"kakao|nope"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown failure: %d\n%s", resp.StatusCode, body)
		}
	})
}

func TestDemoFlowCookie(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	noRedirect := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	// callbackURL approves at the mock and returns the callback URL without
	// following it.
	callbackURL := func(d *testDemo, c *http.Client, id string) string {
		t.Helper()
		action, request := d.authorizePage(c, id)
		nc := noRedirect(&http.Client{Jar: c.Jar})
		resp, _ := d.post(nc, action, url.Values{"request": {request}, "identity": {d.b.mocks[id].(mockprovider.SocialProvider).Identities()[0].ID}})
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("mock approval: status %d", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	// flowCookieOf returns the browser's one flow cookie, sent to the
	// callback of connector id.
	flowCookieOf := func(c *http.Client, id string) *http.Cookie {
		t.Helper()
		u, _ := url.Parse(d.url + "/callback/" + id)
		var found []*http.Cookie
		for _, ck := range c.Jar.Cookies(u) {
			if strings.HasPrefix(ck.Name, web.DefaultCookieName+"_") {
				found = append(found, ck)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d flow cookies for %s, want 1", len(found), id)
		}
		return found[0]
	}
	// cause is the failure page's line for the error's cause.
	cause := func(err error) string { return "<dt>cause</dt><dd><code>" + err.Error() + "</code>" }

	t.Run("cookie attributes", func(t *testing.T) {
		t.Parallel()
		for id, sameSite := range map[string]http.SameSite{"kakao": http.SameSiteLaxMode, "apple": http.SameSiteNoneMode} {
			c := noRedirect(d.browser())
			resp, _ := d.get(c, "/signin/"+id)
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("%s: status %d", id, resp.StatusCode)
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			// One cookie per flow, named after a hash of its state; at
			// path / on loopback http (no __Host- prefix there).
			sum := sha256.Sum256([]byte(loc.Query().Get("state")))
			name := web.DefaultCookieName + "_" + base64.RawURLEncoding.EncodeToString(sum[:12])
			var ck *http.Cookie
			for _, x := range resp.Cookies() {
				if x.Name == name {
					ck = x
				}
			}
			// Lax for a redirect back; SameSite=None, which needs Secure,
			// for Apple's cross-site form POST.
			if ck == nil || !ck.HttpOnly || ck.SameSite != sameSite || ck.Secure != (sameSite == http.SameSiteNoneMode) ||
				ck.Path != "/" || ck.MaxAge != int(web.DefaultTTL/time.Second) {
				t.Fatalf("%s: flow cookie = %+v", id, ck)
			}
			for _, secret := range []string{"codeVerifier", "state", loc.Query().Get("state")} {
				if strings.Contains(ck.Value, secret) {
					t.Fatalf("%s: the cookie shows %q", id, secret)
				}
			}
			if loc.Query().Get("code_challenge_method") != "" && loc.Query().Get("code_challenge") == "" {
				t.Fatalf("%s: challenge method without a challenge", id)
			}
		}
	})
	t.Run("no cookie", func(t *testing.T) {
		t.Parallel()
		cb := callbackURL(d, d.browser(), "kakao")
		resp, body := d.get(d.browser(), cb)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustBeNoFlowPage(t, body, "kakao", "Kakao")
	})
	t.Run("tampered cookie", func(t *testing.T) {
		t.Parallel()
		c := d.browser()
		cb := callbackURL(d, c, "kakao")
		ck := flowCookieOf(c, "kakao")
		v := []byte(ck.Value)
		v[len(v)-3] ^= 0x01
		if v[len(v)-3] == '-' || v[len(v)-3] == '_' {
			v[len(v)-3] = 'A'
		}
		u, _ := url.Parse(d.url + "/callback/kakao")
		c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: string(v), Path: "/"}})
		if got := flowCookieOf(c, "kakao"); got.Value != string(v) {
			t.Fatal("the tampered cookie did not replace the flow cookie")
		}
		resp, body := d.get(c, cb)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "state_mismatch", "not issued by this server or was changed", cause(web.ErrFlowInvalid))
	})
	t.Run("cookie of another connector", func(t *testing.T) {
		t.Parallel()
		// A Hugging Face flow's cookie and callback parameters, sent to
		// Kakao's callback in a browser with a Kakao flow of its own.
		c := d.browser()
		_ = callbackURL(d, c, "kakao")
		other := d.browser()
		cbHF, _ := url.Parse(callbackURL(d, other, "huggingface"))
		hf := flowCookieOf(other, "huggingface")
		u, _ := url.Parse(d.url + "/callback/kakao")
		c.Jar.SetCookies(u, []*http.Cookie{{Name: hf.Name, Value: hf.Value, Path: "/"}})
		u.RawQuery = cbHF.RawQuery
		tokens := d.b.mocks["kakao"].Requests(mockprovider.EndpointToken)
		resp, body := d.get(c, u.String())
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "state_mismatch", "issued for another connector", cause(web.ErrFlowForeign))
		if n := d.b.mocks["kakao"].Requests(mockprovider.EndpointToken); n != tokens {
			t.Errorf("the foreign cookie's callback reached Kakao's token endpoint")
		}
	})
	t.Run("state of another flow", func(t *testing.T) {
		t.Parallel()
		// Two flows in two browsers; the first browser gets the second's
		// callback (login CSRF): it holds no flow cookie for that state.
		a, b := d.browser(), d.browser()
		_ = callbackURL(d, a, "huggingface")
		cbB := callbackURL(d, b, "huggingface")
		resp, body := d.get(a, cbB)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustBeNoFlowPage(t, body, "huggingface", "Hugging Face")
	})
	t.Run("expired", func(t *testing.T) {
		d := newTestDemo(t)
		c := d.browser()
		cb := callbackURL(d, c, "kakao")
		d.clock.t = d.clock.t.Add(web.DefaultTTL)
		resp, body := d.get(c, cb)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "state_mismatch", "The sign-in took longer than 10 minutes", cause(web.ErrFlowExpired))
	})
	t.Run("form post callback", func(t *testing.T) {
		t.Parallel()
		c := d.browser()
		cb := callbackURL(d, c, "oauth2")
		u, _ := url.Parse(cb)
		params := u.Query()
		u.RawQuery = ""
		// A form POST without the flow cookie: refused, with no relay.
		resp, body := d.post(d.browser(), u.String(), params)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no cookie: status %d", resp.StatusCode)
		}
		mustBeNoFlowPage(t, body, "oauth2", "OAuth 2.0")
		if strings.Contains(body, "<script") {
			t.Error("the failure page has a script")
		}
		if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP = %q", csp)
		}
		// With the cookie, the POST signs in.
		resp, body = d.post(c, u.String(), params)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("form post: status %d\n%s", resp.StatusCode, body)
		}
		mustContain(t, body, `id="user-id">u-1001<`)
		// The cookie was cleared: the same POST again is refused.
		resp, body = d.post(c, u.String(), params)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("replayed form post: status %d", resp.StatusCode)
		}
		mustBeNoFlowPage(t, body, "oauth2", "OAuth 2.0")
	})
	t.Run("unknown connector", func(t *testing.T) {
		t.Parallel()
		for _, p := range []string{"/signin/nope", "/callback/nope", "/nope"} {
			resp, _ := d.get(d.browser(), p)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d", p, resp.StatusCode)
			}
		}
	})
}

var codePattern = regexp.MustCompile(`your sign-in code is (\d{6})`)

func TestDemoSMS(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	sendCode := func(d *testDemo, c *http.Client, phone, usage string) (*http.Response, string) {
		return d.post(c, "/sms/send", url.Values{"phone": {phone}, "usage": {usage}})
	}
	latestCode := func(t *testing.T, d *testDemo, c *http.Client, to string) string {
		t.Helper()
		_, body := d.get(c, "/outbox")
		body = html.UnescapeString(body)
		// Newest first: the first message to this number.
		i := strings.Index(body, `<strong class="sms-to">`+to+`</strong>`)
		if i < 0 {
			t.Fatalf("no message to %s in the outbox:\n%s", to, body)
		}
		m := codePattern.FindStringSubmatch(body[i:])
		if m == nil {
			t.Fatalf("no code in the outbox:\n%s", body)
		}
		return m[1]
	}

	t.Run("sign in", func(t *testing.T) {
		t.Parallel()
		c := d.browser()
		resp, body := sendCode(d, c, "+14155550101", "SignIn")
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/sms/verify" {
			t.Fatalf("send: status %d at %s\n%s", resp.StatusCode, resp.Request.URL.Path, body)
		}
		mustContain(t, body, `id="verify-phone">+14155550101<`, `id="outbox-link"`)
		code := latestCode(t, d, c, "+14155550101")
		resp, body = d.post(c, "/sms/verify", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verify: status %d\n%s", resp.StatusCode, body)
		}
		mustContain(t, body, `id="user-id">+14155550101<`, `id="user-phone">+14155550101<`, `id="phone-verified"`,
			"Signed in with a code sent by Twilio", `"usageType": "SignIn"`, `"messageId": "SM`)
		// Used once.
		resp, _ = d.post(c, "/sms/verify", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("reuse: status %d", resp.StatusCode)
		}
	})
	t.Run("digits-only number and Register template", func(t *testing.T) {
		t.Parallel()
		c := d.browser()
		resp, body := sendCode(d, c, "14155550102", "Register")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("send: %d\n%s", resp.StatusCode, body)
		}
		mustContain(t, body, `id="verify-phone">+14155550102<`)
		_, outbox := d.get(c, "/outbox")
		mustContain(t, outbox, "Welcome to connectorkit demo! Your verification code is")
	})
	t.Run("wrong code then lockout", func(t *testing.T) {
		t.Parallel()
		c := d.browser()
		sendCode(d, c, "+14155550103", "SignIn")
		code := latestCode(t, d, c, "+14155550103")
		wrong := "000000"
		if code == wrong {
			wrong = "999999"
		}
		resp, body := d.post(c, "/sms/verify", url.Values{"code": {wrong}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code: status %d", resp.StatusCode)
		}
		mustContain(t, body, "That code is not correct. 4 attempts left.", `id="verify-form"`)
		for i := 0; i < codeMaxAttempts-1; i++ {
			resp, body = d.post(c, "/sms/verify", url.Values{"code": {wrong}})
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("last wrong code: status %d", resp.StatusCode)
		}
		mustContain(t, body, "Too many wrong codes")
		if strings.Contains(body, `id="verify-form"`) {
			t.Error("the form is still offered after the lockout")
		}
		resp, _ = d.post(c, "/sms/verify", url.Values{"code": {code}})
		if resp.StatusCode == http.StatusOK {
			t.Fatal("the right code works after the lockout")
		}
	})
	t.Run("invalid number", func(t *testing.T) {
		// Not parallel: it counts the requests the Twilio mock receives.
		// A number that cannot be sent to is the form again, as typed,
		// with the problem beside the field: no code issued, no request
		// to the provider, no error page.
		sends := d.b.mocks["twilio"].Requests(mockprovider.EndpointMessages)
		for _, tc := range []struct{ typed, usage, want string }{
			{"12", "SignIn", "That number is not a phone number."},
			{"+1 800 FLOWERS", "Register", "That number may hold only digits"},
			{"+999 1234 5678", "SignIn", "That number does not start with a known country code."},
			{"1415555010", "ForgotPassword", "That number is too short for country code +1."},
			{"+82 10-1234-5678-9999", "SignIn", "That number is not a valid number for country code +82."},
		} {
			resp, body := sendCode(d, d.browser(), tc.typed, tc.usage)
			if resp.StatusCode != http.StatusBadRequest || resp.Request.URL.Path != "/sms/send" {
				t.Errorf("%q: status %d at %s", tc.typed, resp.StatusCode, resp.Request.URL.Path)
			}
			mustContain(t, body, `id="signin"`, `id="sms-form"`, `id="sms-error">`+tc.want,
				"Enter it with its country code, such as +14155550100.",
				`id="phone" placeholder="+14155550100" autocomplete="tel" required value="`+tc.typed+`" aria-invalid="true"`,
				`<option value="`+tc.usage+`" selected>`)
			mustNotContain(t, body, `id="error-code"`, `id="result"`, "invalid phone number", "Sending a code with")
		}
		if n := d.b.mocks["twilio"].Requests(mockprovider.EndpointMessages); n != sends {
			t.Errorf("bad numbers made %d requests to the provider", n-sends)
		}
	})
	t.Run("bad form", func(t *testing.T) {
		t.Parallel()
		resp, body := sendCode(d, d.browser(), "", "SignIn")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "Enter a phone number")
		resp, body = sendCode(d, d.browser(), "+14155550100", "Login")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "Choose one of the listed usage types")
	})
	t.Run("no pending code", func(t *testing.T) {
		t.Parallel()
		resp, body := d.get(d.browser(), "/sms/verify")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, "No code is waiting")
	})
	t.Run("provider refuses", func(t *testing.T) {
		d := newTestDemo(t)
		c := d.browser()
		// The mock's error quotes the number the connector sent (in
		// E.164), whatever the visitor typed.
		for _, tc := range []struct{ failure, typed, want string }{
			{"twilio|case-21614", "+14155550104", "'To' number +14155550104 is not a valid mobile number"},
			{"twilio|messages-invalid-recipient", "+82 10-9876-5432", "The 'To' number +821098765432 is not a valid phone number."},
			{"twilio|case-21211", "1 (212) 555-0175", "The 'To' number +12125550175 is not a valid phone number."},
			{"twilio|case-21608", "+442079460018", "The number +442079460018 is unverified."},
		} {
			d.post(c, "/mock/fail", url.Values{"failure": {tc.failure}})
			resp, body := sendCode(d, c, tc.typed, "SignIn")
			if resp.StatusCode < 400 || !strings.Contains(body, `id="result"`) {
				t.Fatalf("%s: status %d\n%s", tc.failure, resp.StatusCode, body)
			}
			_, code, _ := strings.Cut(tc.failure, "-")
			if tc.failure == "twilio|messages-invalid-recipient" {
				code = "21211"
			}
			mustContain(t, body, "<dt>step</dt><dd><code>send</code>", "<dt>provider error</dt><dd><code>"+code+"</code>",
				"<dt>provider message</dt><dd><code>"+tc.want)
			mustNotContain(t, body, "+15555550100", "+1555 ")
		}
	})
}

func TestDemoPages(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	resp, body := d.get(d.browser(), "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, sc := range d.b.Social {
		mustContain(t, body, `id="signin-`+sc.ID+`" href="/signin/`+sc.ID+`"`, "Continue with "+sc.Meta.DisplayName())
	}
	mustContain(t, body, `<img class="logo" src="data:image/svg+xml;base64,`, `id="sms-form"`, `<option value="MfaVerification">`, "Offline · mock providers",
		`<a href="/outbox" id="signin-outbox-link">SMS outbox</a>`)
	h := resp.Header
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	resp, body = d.get(d.browser(), "/static/style.css")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, ".btn") {
		t.Errorf("style.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = d.get(d.browser(), "/outbox")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("outbox: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="outbox-empty"`)
	resp, _ = d.get(d.browser(), "/healthz")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	// With a real SMS provider there is no outbox to link.
	outbox := d.b.Outbox
	d.b.Outbox = nil
	_, body = d.get(d.browser(), "/")
	d.b.Outbox = outbox
	mustContain(t, body, `id="sms-form"`)
	mustNotContain(t, body, "signin-outbox-link", `href="/outbox"`)
	// Another host name for the same server is sent to the base URL.
	c := d.browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodGet, d.url+"/?x=1", nil)
	req.Host = "localhost"
	resp, _ = d.do(c, req)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != d.url+"/?x=1" {
		t.Errorf("canonical redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A connector joins the demo with one table entry: its button, its
// callback, its result page and its failure simulations follow.
func TestDemoTableEntry(t *testing.T) {
	t.Parallel()
	acme := demoProvider{ID: "acme-sso", Factory: "oauth2",
		Mock: func() mockprovider.Provider {
			return mockprovider.NewOAuth2(mockprovider.OAuth2Options{Name: "acme", Identities: []mockprovider.Identity{
				{ID: "acme-7", Label: "employee", Name: "Wile E. Coyote", Email: "wile@acme.example", EmailVerified: true}}})
		},
		Config: oauth2Config}
	d := newTestDemoWith(t, append(slices.Clone(demoProviders), acme))
	_, body := d.get(d.browser(), "/")
	mustContain(t, body, `id="signin-acme-sso" href="/signin/acme-sso"`, `value="acme-sso|userinfo-429"`)
	resp, body := d.signIn(d.browser(), "acme-sso", "acme-7")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/callback/acme-sso" {
		t.Fatalf("status %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	mustContain(t, body, `id="user-id">acme-7<`, `id="user-email">wile@acme.example<`, `id="email-verified"`)

	reg, _ := builtin.NewRegistry()
	for name, bad := range map[string][]demoProvider{
		"bad ID":          {{ID: "no spaces", Factory: "oauth2", Mock: acme.Mock, Config: oauth2Config}},
		"repeated ID":     {acme, acme},
		"unknown factory": {{ID: "x", Factory: "nope", Mock: acme.Mock, Config: oauth2Config}},
	} {
		if b, err := mockBackend(reg, bad, nil, discardLogger()); err == nil {
			b.Close()
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSafeImage(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"data:image/svg+xml;base64,PHN2Zz4=", "data:image/svg+xml;base64,PHN2Zz4="},
		{"data:image/png;base64,AAAA", "data:image/png;base64,AAAA"},
		{"data:text/html;base64,PHNjcmlwdD4=", ""},
		{"javascript:alert(1)", ""},
		{"https://cdn.example.com/a.png", "https://cdn.example.com/a.png"},
		{"http://127.0.0.1:9/a.png", "http://127.0.0.1:9/a.png"},
		{"/relative.png", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(safeImage(tt.in)); got != tt.want {
			t.Errorf("safeImage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Another site (or a rebound DNS name) must not make the visitor's browser
// send an SMS or arm a failure; a provider's form_post callback, cross-site
// by design, still reaches the connector.
func TestDemoRefusesCrossSiteForms(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	post := func(path string, form url.Values, header map[string]string, host string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, d.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if host != "" {
			req.Host = host
		}
		return d.do(d.browser(), req)
	}
	sms := url.Values{"phone": {"+14155550100"}, "usage": {"SignIn"}}
	for name, tc := range map[string]struct {
		path   string
		form   url.Values
		header map[string]string
		host   string
		status int
	}{
		"sms from another site":             {"/sms/send", sms, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusForbidden},
		"sms from an old browser elsewhere": {"/sms/send", sms, map[string]string{"Origin": "https://evil.example"}, "", http.StatusForbidden},
		"sms through a rebound host name":   {"/sms/send", sms, map[string]string{"Sec-Fetch-Site": "same-origin"}, "evil.example:8080", http.StatusMisdirectedRequest},
		"arm from another site":             {"/mock/fail", url.Values{"failure": {"kakao|token-500"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusForbidden},
	} {
		resp, body := post(tc.path, tc.form, tc.header, tc.host)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d\n%s", name, resp.StatusCode, tc.status, body)
		}
	}
	if box := d.b.mocks["twilio"].(mockprovider.MessageProvider).Outbox(); len(box) != 0 {
		t.Errorf("a cross-site form sent %d messages", len(box))
	}
	// The failure was not armed: a sign-in succeeds.
	if resp, body := d.signIn(d.browser(), "kakao", mockprovider.DefaultKakaoIdentities[0].ID); resp.StatusCode != http.StatusOK {
		t.Errorf("sign-in after a refused arm: status %d\n%s", resp.StatusCode, body)
	}
	// Same-origin forms work.
	resp, _ := post("/sms/send", sms, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": d.url}, "")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/sms/verify" {
		t.Errorf("same-origin send: status %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	// A cross-site POST to a callback is the provider's form_post: it gets
	// through to the flow check (no flow cookie here: state_mismatch).
	resp, body := post("/callback/kakao", url.Values{"code": {"x"}, "state": {"y"}},
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://appleid.apple.com"}, "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "state_mismatch") {
		t.Errorf("cross-site callback: status %d\n%s", resp.StatusCode, body)
	}
}

// rootProperties returns the custom properties of the first :root rule of
// a stylesheet, each value with its white space collapsed.
func rootProperties(t *testing.T, css string) map[string]string {
	t.Helper()
	css = cssComment.ReplaceAllString(css, "")
	m := rootRule.FindStringSubmatch(css)
	if m == nil {
		t.Fatalf("no :root rule in\n%s", css)
	}
	props := map[string]string{}
	for _, decl := range strings.Split(m[1], ";") {
		name, value, ok := strings.Cut(decl, ":")
		if name = strings.TrimSpace(name); ok && strings.HasPrefix(name, "--") {
			props[name] = strings.Join(strings.Fields(value), " ")
		}
	}
	return props
}

var (
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	rootRule   = regexp.MustCompile(`(?s):root\s*\{(.*?)\}`)
	fontDecl   = regexp.MustCompile(`font(?:-family)?\s*:\s*([^;}]*)`)
)

// The demo's font stack falls back to CJK fonts before the generic family:
// Kakao's test identities have Korean names. Every font declaration uses
// the stack (or the monospace one), so no page misses the fallbacks.
func TestDemoFontStack(t *testing.T) {
	t.Parallel()
	b, err := assets.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	sans := rootProperties(t, css)["--sans"]
	families := strings.Split(sans, ", ")
	at := func(f string) int { return slices.Index(families, f) }
	if at(`"Noto Sans CJK KR"`) < 0 || at(`"Noto Sans KR"`) < 0 || at("sans-serif") != len(families)-1 ||
		at(`"Noto Sans CJK KR"`) > at(`"Noto Sans KR"`) || at("system-ui") != 0 {
		t.Errorf("--sans = %s: want system-ui first, then Latin fonts, CJK fallbacks, and sans-serif last", sans)
	}
	for _, m := range fontDecl.FindAllStringSubmatch(cssComment.ReplaceAllString(css, ""), -1) {
		v := m[1]
		if !strings.Contains(v, "var(--sans)") && !strings.Contains(v, "var(--mono)") && strings.TrimSpace(v) != "inherit" {
			t.Errorf("a font declaration bypasses the font stacks: %s", m[0])
		}
	}
	if !strings.Contains(css, "font: 15px/1.5 var(--sans);") {
		t.Error("the body's font is not the --sans stack")
	}
}

// The mocks' authorization pages look like the demo (its font stack and
// colours) and name their provider as the provider writes it.
func TestDemoMockPages(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	b, err := assets.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	demo := rootProperties(t, string(b))
	for id, name := range map[string]string{"apple": "Sign in with Apple", "kakao": "Kakao", "huggingface": "Hugging Face", "oauth2": "OAuth 2.0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			resp, body := d.get(d.browser(), "/signin/"+id)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), d.b.mocks[id].BaseURL()) {
				t.Fatalf("status %d at %s", resp.StatusCode, resp.Request.URL)
			}
			mustContain(t, body, "<title>"+name+" · mock provider</title>", "<h1>"+name+"</h1>", "Choose a test identity")
			mustNotContain(t, body, "<h1>"+id, "<title>"+id, "Sign in with Sign in with")
			mock := rootProperties(t, body)
			for _, p := range []string{"--sans", "--mono", "--bg", "--card", "--text", "--muted", "--line", "--accent"} {
				if mock[p] == "" || mock[p] != demo[p] {
					t.Errorf("%s: the mock's is %q, the demo's %q", p, mock[p], demo[p])
				}
			}
			for p, v := range mock {
				if demo[p] != v {
					t.Errorf("%s: the mock's is %q, the demo's %q", p, v, demo[p])
				}
			}
			mustContain(t, body, "font: 15px/1.5 var(--sans);", "background: var(--bg);")
			// The mock's error page too.
			resp, body = d.get(d.browser(), d.b.mocks[id].URL(mockprovider.EndpointAuthorize))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("authorization without parameters: status %d", resp.StatusCode)
			}
			mustContain(t, body, "<title>"+name+" · mock provider: error</title>", name+" refused the request", "var(--sans)")
		})
	}
}
