package mockprovider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// signedIn returns a mock, a client and a bearer header for its userinfo.
func signedIn(t *testing.T) (*OAuth2, *http.Client, map[string]string) {
	t.Helper()
	p := NewOAuth2(OAuth2Options{})
	c := p.Client()
	code := codeFor(t, p, authURL(p, nil), "")
	at := call(t, c, http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil).json(t)["access_token"].(string)
	return p, c, map[string]string{"Authorization": "Bearer " + at}
}

func TestFailureModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f      Failure
		status int
		ctype  string
		check  func(t *testing.T, a answer)
	}{
		{Failure{Mode: Unauthorized}, 401, "application/json", func(t *testing.T, a answer) {
			if a.json(t)["error"] != "invalid_token" {
				t.Errorf("body %s", a.body)
			}
		}},
		{Failure{Mode: RateLimited}, 429, "application/json", func(t *testing.T, a answer) {
			if a.header.Get("Retry-After") != "7" {
				t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
			}
		}},
		{Failure{Mode: RateLimited, RetryAfter: 1500 * time.Millisecond}, 429, "", func(t *testing.T, a answer) {
			if a.header.Get("Retry-After") != "2" {
				t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
			}
		}},
		{Failure{Mode: RateLimited, RetryAfter: -1}, 429, "", func(t *testing.T, a answer) {
			if a.header.Get("Retry-After") != "" {
				t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
			}
		}},
		{Failure{Mode: ServerError}, 500, "application/json", nil},
		{Failure{Mode: Unavailable}, 503, "application/json", nil},
		{Failure{Mode: HTMLPage}, 200, "text/html", func(t *testing.T, a answer) {
			if !strings.Contains(a.body, "<html>") {
				t.Errorf("body %s", a.body)
			}
		}},
		{Failure{Mode: EmptyBody}, 200, "application/json", func(t *testing.T, a answer) {
			if a.body != "" {
				t.Errorf("body %q", a.body)
			}
		}},
		{Failure{Mode: TruncatedJSON}, 200, "application/json", func(t *testing.T, a answer) {
			if !strings.HasPrefix(a.body, `{"`) || strings.HasSuffix(a.body, "}") {
				t.Errorf("body %q", a.body)
			}
		}},
		{Failure{Mode: ProviderError, Code: "insufficient_scope", Status: 403}, 403, "application/json", func(t *testing.T, a answer) {
			if a.json(t)["error"] != "insufficient_scope" {
				t.Errorf("body %s", a.body)
			}
		}},
		{Failure{Mode: ProviderError}, 400, "application/json", nil},
		{Failure{Mode: Custom, Status: 418, Header: http.Header{"X-Teapot": {"yes"}}, Body: "short and stout"}, 418, "", func(t *testing.T, a answer) {
			if a.body != "short and stout" || a.header.Get("X-Teapot") != "yes" {
				t.Errorf("custom %q %v", a.body, a.header)
			}
		}},
		{Failure{Mode: Custom, Body: "{}"}, 200, "", nil},
		{Failure{Mode: InvalidRecipient}, 400, "application/json", nil},
	} {
		t.Run(string(tc.f.Mode), func(t *testing.T) {
			t.Parallel()
			p, c, bearer := signedIn(t)
			p.SetFailure(EndpointUserInfo, tc.f)
			a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer)
			if a.status != tc.status || !strings.HasPrefix(a.header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("got %d %q %q", a.status, a.header.Get("Content-Type"), a.body)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
			if p.Requests(EndpointUserInfo) != 1 {
				t.Errorf("requests %d", p.Requests(EndpointUserInfo))
			}
		})
	}
}

func TestFailureTimes(t *testing.T) {
	t.Parallel()
	p, c, bearer := signedIn(t)
	p.SetFailure(EndpointUserInfo, Failure{Mode: ServerError, Times: 2})
	var got []int
	for range 3 {
		got = append(got, call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer).status)
	}
	if got[0] != 500 || got[1] != 500 || got[2] != 200 {
		t.Errorf("statuses %v, want 500 500 200", got)
	}
	p.Fail(EndpointUserInfo, ServerError)
	p.SetFailure(EndpointUserInfo, Failure{})
	if a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer); a.status != 200 {
		t.Errorf("a zero Failure did not clear: %d", a.status)
	}
}

func TestOversizedIsStreamedAndCounted(t *testing.T) {
	t.Parallel()
	p, c, bearer := signedIn(t)
	p.Fail(EndpointUserInfo, Oversized)
	// A client that reads it all gets valid JSON with the profile.
	a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer)
	if len(a.body) != OversizedBytes || a.json(t)["id"] != "u-1001" {
		t.Fatalf("oversized body: %d bytes", len(a.body))
	}
	if n := p.BytesSent(EndpointUserInfo); n != OversizedBytes {
		t.Errorf("BytesSent %d, want %d", n, OversizedBytes)
	}
	// A client that stops after 64 KiB is counted as such.
	p2, c2, bearer2 := signedIn(t)
	p2.Fail(EndpointUserInfo, Oversized)
	req, _ := http.NewRequest(http.MethodGet, p2.URL(EndpointUserInfo), nil)
	req.Header.Set("Authorization", bearer2["Authorization"])
	resp, err := c2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(2 * time.Second)
	for p2.BytesSent(EndpointUserInfo) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := p2.BytesSent(EndpointUserInfo); n == 0 || n > 200<<10 {
		t.Errorf("BytesSent %d after reading 64 KiB", n)
	}
}

func TestOversizedForm(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{FormTokenResponse: true})
	code := codeFor(t, p, authURL(p, nil), "")
	p.Fail(EndpointToken, Oversized)
	a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil)
	v, err := url.ParseQuery(a.body)
	if err != nil || v.Get("access_token") == "" || len(a.body) != OversizedBytes {
		t.Errorf("oversized form: %d bytes, %v", len(a.body), err)
	}
}

func TestHang(t *testing.T) {
	t.Parallel()
	t.Run("context", func(t *testing.T) {
		t.Parallel()
		p, c, bearer := signedIn(t)
		p.Fail(EndpointUserInfo, Hang)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL(EndpointUserInfo), nil)
		req.Header.Set("Authorization", bearer["Authorization"])
		_, err := c.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want a deadline error", err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for p.CanceledHangs(EndpointUserInfo) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if p.CanceledHangs(EndpointUserInfo) != 1 {
			t.Errorf("CanceledHangs %d", p.CanceledHangs(EndpointUserInfo))
		}
	})
	t.Run("limit", func(t *testing.T) {
		t.Parallel()
		p, c, bearer := signedIn(t)
		p.SetHangLimit(20 * time.Millisecond)
		p.Fail(EndpointUserInfo, Hang)
		if a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer); a.status != 504 {
			t.Errorf("status %d after the hang limit", a.status)
		}
		p.SetHangLimit(0)
	})
	t.Run("close", func(t *testing.T) {
		t.Parallel()
		p, c, bearer := signedIn(t)
		p.Fail(EndpointUserInfo, Hang)
		go func() {
			time.Sleep(20 * time.Millisecond)
			p.Close()
		}()
		if a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer); a.status != 504 {
			t.Errorf("status %d after Close", a.status)
		}
	})
	t.Run("server", func(t *testing.T) {
		t.Parallel()
		p := NewOAuth2(OAuth2Options{})
		if _, err := p.Start(); err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.Fail(EndpointToken, Hang)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.URL(EndpointToken), strings.NewReader("x=1"))
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Fatal("a hung request succeeded")
		}
		deadline := time.Now().Add(2 * time.Second)
		for p.CanceledHangs(EndpointToken) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if p.CanceledHangs(EndpointToken) != 1 {
			t.Errorf("the server did not see the client give up")
		}
	})
}

func TestResponder(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, "https://h.test/panic", Responder(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	mt.RegisterResponder(http.MethodGet, "https://h.test/silent", Responder(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	mt.RegisterResponder(http.MethodHead, "https://h.test/head", Responder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		_, _ = w.Write([]byte("hello"))
	})))
	mt.RegisterResponder(http.MethodPost, "https://h.test/echo", Responder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.RequestURI != "/echo?q=1" || r.Host != "h.test" {
			w.WriteHeader(400)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Length", "3")
		_, _ = w.Write(b)
	})))
	c := &http.Client{Transport: mt}
	resp, err := c.Get("https://h.test/panic")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panic: %v", err)
	}
	if a := call(t, c, http.MethodGet, "https://h.test/silent", nil, nil); a.status != 200 || a.body != "" {
		t.Errorf("silent handler: %d %q", a.status, a.body)
	}
	if a := call(t, c, http.MethodHead, "https://h.test/head", nil, nil); a.status != 200 || a.body != "" {
		t.Errorf("HEAD: %d %q", a.status, a.body)
	}
	req, _ := http.NewRequest(http.MethodPost, "https://h.test/echo?q=1", strings.NewReader("abc"))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "abc" || resp.ContentLength != 3 {
		t.Errorf("echo: %d %q %d", resp.StatusCode, b, resp.ContentLength)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Responder(http.NotFoundHandler())(httptestRequest(ctx)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled request: %v", err)
	}
}

func httptestRequest(ctx context.Context) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h.test/", nil)
	return req
}

func TestClientRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{})
	if _, err := p.Client().Get("https://oauth2.mock.test.evil.example/token"); err == nil {
		t.Errorf("the mock's client reached another host")
	}
	if _, err := p.Client().Get("https://example.com/"); err == nil {
		t.Errorf("the mock's client reached another host")
	}
}

func TestProblemsAreBounded(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{})
	for range 1100 {
		p.problem(EndpointToken, "x")
	}
	if n := len(p.Problems()); n != 1000 {
		t.Errorf("%d problems kept", n)
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	k, tw := NewKakao(KakaoOptions{}), NewTwilio(TwilioOptions{})
	c := &http.Client{}
	Bind(c, k, tw)
	if a := call(t, c, http.MethodGet, k.URL(EndpointUserInfo), nil, nil); a.status != 401 {
		t.Errorf("kakao through the bound client: %d", a.status)
	}
	if a := call(t, c, http.MethodPost, tw.URL(EndpointMessages), url.Values{}, nil); a.status != 401 {
		t.Errorf("twilio through the bound client: %d", a.status)
	}
	if _, err := c.Get("https://example.com/"); err == nil {
		t.Errorf("the bound client reached another host")
	}
}

// BenchmarkSignIn measures a whole code flow (authorization, token,
// userinfo) through httpmock and the streaming responder.
func BenchmarkSignIn(b *testing.B) {
	p := NewOAuth2(OAuth2Options{})
	c := p.Client()
	u := p.URL(EndpointAuthorize) + "?" + url.Values{"client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"},
		"response_type": {"code"}, "state": {"s"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		cb, err := p.Approve(u, "")
		if err != nil {
			b.Fatal(err)
		}
		resp, err := c.PostForm(p.URL(EndpointToken), url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
			"redirect_uri": {"https://app.example.com/cb"}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}})
		if err != nil {
			b.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		req, _ := http.NewRequest(http.MethodGet, p.URL(EndpointUserInfo), nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("userinfo: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
