package idtoken

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

func verifyOK(t testing.TB, v *Verifier, tok string) {
	t.Helper()
	if _, err := v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err != nil {
		t.Fatal(err)
	}
}

// (a) One key fetch across 1,000 verifications.
func TestKeySetOneFetchFor1000Verifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	tok := token(t, claimsAt(t0, nil))
	for range 1000 {
		verifyOK(t, e.v, tok)
	}
	if n := e.srv.hits.Load(); n != 1 {
		t.Errorf("%d fetches for 1000 verifications, want 1", n)
	}
	if st := e.keys.Stats(); st.Fetches != 1 || st.Keys != 3 || !st.FetchedAt.Equal(t0) || !st.Expires.Equal(t0.Add(DefaultCacheAge)) {
		t.Errorf("stats %+v", st)
	}
}

// (b) Exactly one more fetch after a key rotation; both keys then serve
// without further fetches.
func TestKeySetRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jwks(rsaJWK("rsa1", &rsaKey().PublicKey, nil)))
	old := token(t, claimsAt(t0, map[string]any{"exp": t0.Add(time.Hour).Unix()}))
	for range 100 {
		verifyOK(t, e.v, old)
	}
	e.srv.set(200, jwks(rsaJWK("rsa2", &rsaKey2().PublicKey, nil), rsaJWK("rsa1", &rsaKey().PublicKey, nil)))
	e.clock.Add(2 * time.Minute)
	rotated := tokenWith(t, "RS256", "rsa2", rsaKey2(), claimsAt(e.clock.Now(), nil))
	for range 100 {
		verifyOK(t, e.v, rotated)
		verifyOK(t, e.v, old)
	}
	if n := e.srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (load and rotation)", n)
	}
}

// (c) One fetch for many verifiers (one connector per tenant) sharing a
// KeySet, used concurrently.
func TestKeySetSharedAcrossVerifiers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	var wg sync.WaitGroup
	for i := range 20 {
		tenant := fmt.Sprintf("com.tenant%d.web", i)
		v := e.verifier(t, func(c *Config) { c.ConnectorID = "apple-" + tenant; c.Audiences = []string{tenant} })
		tok := token(t, claimsAt(t0, map[string]any{"aud": tenant}))
		wg.Go(func() {
			for range 50 {
				verifyOK(t, v, tok)
			}
		})
	}
	wg.Wait()
	if n := e.srv.hits.Load(); n != 1 {
		t.Errorf("%d fetches for 20 verifiers sharing a key set, want 1", n)
	}
}

// (d) A flood of 1,000 unknown kids within the floor costs at most one
// fetch.
func TestKeySetUnknownKidFlood(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	verifyOK(t, e.v, token(t, claimsAt(t0, nil)))
	e.clock.Add(DefaultMinRefetchInterval)
	for i := range 1000 {
		tok := tokenWith(t, "RS256", fmt.Sprintf("forged-%d", i), rsaRogue(), claimsAt(t0, nil))
		_, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
		wantRule(t, err, "kid", tok)
		e.clock.Add(50 * time.Millisecond) // 50 s in all: within the floor
	}
	if n := e.srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (load and one refetch)", n)
	}
	if st := e.keys.Stats(); st.Refusals != 999 {
		t.Errorf("%d refusals, want 999", st.Refusals)
	}
	// After the floor, one more.
	e.clock.Add(DefaultMinRefetchInterval)
	_, err := e.keys.Key(bg, "forged-x", "")
	wantRule(t, err, "kid", "")
	if n := e.srv.hits.Load(); n != 3 {
		t.Errorf("%d fetches after the floor, want 3", n)
	}
}

// (e) Concurrent unknown-kid lookups collapse into one fetch that the
// others wait for.
func TestKeySetConcurrentRefetchCollapses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	verifyOK(t, e.v, token(t, claimsAt(t0, nil)))
	e.clock.Add(DefaultMinRefetchInterval)
	release := make(chan struct{})
	e.srv.setHook(func(int64, *http.Request) { <-release })
	e.srv.set(200, jwks(rsaJWK("new", &rsaKey2().PublicKey, nil), rsaJWK("rsa1", &rsaKey().PublicKey, nil)))
	tok := tokenWith(t, "RS256", "new", rsaKey2(), claimsAt(t0, nil))
	const n = 100
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
			errs <- err
		}()
	}
	waitFor(t, func() bool { return e.keys.waiting.Load() == n-1 })
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := e.srv.hits.Load(); got != 2 {
		t.Errorf("%d fetches, want 2 (load and one collapsed refetch)", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// (f) A failing refetch keeps the old keys serving; its error is returned
// only for a kid no key serves.
func TestKeySetFailingRefetchKeepsOldKeys(t *testing.T) {
	t.Parallel()
	failures := []struct {
		name                string
		status              int
		body                string
		code                connector.Code
		retryable           bool
		contentType, header string
	}{
		{"500", 500, "oops", connector.CodeGeneral, true, "text/plain", ""},
		{"503 with Retry-After", 503, "", connector.CodeGeneral, true, "text/plain", "120"},
		{"HTML", 200, "<html><body>maintenance</body></html>", connector.CodeInvalidResponse, false, "text/html", ""},
		{"garbage", 200, "\x00\x01garbage", connector.CodeInvalidResponse, false, "application/json", ""},
		{"empty set", 200, `{"keys":[]}`, connector.CodeInvalidResponse, false, "application/json", ""},
		{"truncated", 200, defaultJWKS()[:40], connector.CodeInvalidResponse, false, "application/json", ""},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, defaultJWKS())
			tok := token(t, claimsAt(t0, map[string]any{"exp": t0.Add(48 * time.Hour).Unix()}))
			verifyOK(t, e.v, tok)
			e.srv.set(f.status, f.body, "Content-Type", f.contentType, "Retry-After", f.header)
			e.clock.Add(DefaultCacheAge + time.Second) // stale: the next lookup refetches
			verifyOK(t, e.v, tok)
			if n := e.srv.hits.Load(); n != 2 {
				t.Fatalf("%d fetches, want 2", n)
			}
			verifyOK(t, e.v, tok) // within the floor: stale keys, no fetch
			if n := e.srv.hits.Load(); n != 2 {
				t.Fatalf("%d fetches within the floor, want 2", n)
			}
			e.clock.Add(DefaultMinRefetchInterval)
			unknown := tokenWith(t, "RS256", "unknown", rsaRogue(), claimsAt(e.clock.Now(), nil))
			_, err := e.v.Verify(bg, unknown, VerifyOptions{Nonce: testNonce})
			ce := asError(t, err)
			if ce.Code != f.code || ce.Retryable != f.retryable || ce.Step != connector.StepIDToken || !strings.HasPrefix(ce.Message, "jwks: ") {
				t.Fatalf("unknown kid after a failed refetch: %v (retryable %t)", err, ce.Retryable)
			}
			if f.header != "" && ce.RetryAfter != 2*time.Minute {
				t.Errorf("RetryAfter %v", ce.RetryAfter)
			}
			verifyOK(t, e.v, tok)
			if st := e.keys.Stats(); st.Fetches != 3 || st.FetchFailures != 2 || st.Keys != 3 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// (g) max-age is honoured on the injected clock: refetch after expiry,
// not before; no-store waits for the floor; the cap applies.
func TestKeySetMaxAge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		cacheControl string
		fresh        time.Duration // no fetch up to this age
		opts         KeySetOptions
	}{
		{"max-age", "public, max-age=300", 300 * time.Second, KeySetOptions{}},
		{"quoted max-age", `max-age="600", must-revalidate`, 600 * time.Second, KeySetOptions{}},
		{"no header", "", DefaultCacheAge, KeySetOptions{}},
		{"custom default", "", time.Hour, KeySetOptions{DefaultMaxAge: time.Hour}},
		{"capped", "max-age=99999999", DefaultCacheAgeCap, KeySetOptions{}},
		{"custom cap", "max-age=7200", time.Hour, KeySetOptions{MaxAge: time.Hour}},
		{"no-store waits for the floor", "no-store", DefaultMinRefetchInterval, KeySetOptions{}},
		{"no-cache with a shorter floor", "no-cache, max-age=600", 10 * time.Second, KeySetOptions{MinRefetchInterval: 10 * time.Second}},
		{"max-age shorter than the floor", "max-age=5", DefaultMinRefetchInterval, KeySetOptions{}},
		{"bad max-age ignored", "max-age=soon", DefaultCacheAge, KeySetOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newJWKSServer(t, defaultJWKS())
			srv.set(200, defaultJWKS(), "Cache-Control", tt.cacheControl)
			clock := newClock()
			opts := tt.opts
			opts.HTTPClient, opts.Now = srv.Client(), clock.Now
			ks := NewKeySet(srv.url(), opts)
			lookup := func() {
				t.Helper()
				if _, err := ks.Key(bg, "rsa1", "RS256"); err != nil {
					t.Fatal(err)
				}
			}
			lookup()
			clock.Add(tt.fresh - time.Nanosecond)
			lookup()
			lookup()
			if n := srv.hits.Load(); n != 1 {
				t.Fatalf("%d fetches before expiry, want 1", n)
			}
			clock.Add(time.Nanosecond)
			lookup()
			lookup()
			if n := srv.hits.Load(); n != 2 {
				t.Fatalf("%d fetches after expiry, want 2", n)
			}
		})
	}
}

// TestKeySetEndpointFailures: a first fetch that fails gives the error;
// another attempt waits for the floor.
func TestKeySetEndpointFailures(t *testing.T) {
	t.Parallel()
	weak := jwks(rsaJWK("weak", &rsaWeak().PublicKey, nil))
	dupKid := jwks(rsaJWK("k", &rsaKey().PublicKey, nil), rsaJWK("k", &rsaKey2().PublicKey, nil))
	tests := []struct {
		name, body   string
		status       int
		hdr          []string
		code         connector.Code
		retryable    bool
		msg          string
		wantStatus   int
		keySetOption func(*KeySetOptions)
	}{
		{"500", "oops", 500, nil, connector.CodeGeneral, true, "endpoint failed", 500, nil},
		{"429", "", 429, []string{"Retry-After", "30"}, connector.CodeRateLimitExceeded, true, "rate limiting", 429, nil},
		{"404", "not found", 404, nil, connector.CodeGeneral, false, "refused the request", 404, nil},
		{"HTML", "<!doctype html><p>hi", 200, []string{"Content-Type", "text/html"}, connector.CodeInvalidResponse, false, "not a JSON object", 200, nil},
		{"garbage", "garbage", 200, nil, connector.CodeInvalidResponse, false, "not a JSON object", 200, nil},
		{"empty body", "", 200, nil, connector.CodeInvalidResponse, false, "not a JSON object", 200, nil},
		{"empty set", `{"keys":[]}`, 200, nil, connector.CodeInvalidResponse, false, "no usable signature key", 200, nil},
		{"no keys member", `{"kees":[]}`, 200, nil, connector.CodeInvalidResponse, false, "no keys member", 200, nil},
		{"keys not an array", `{"keys":{}}`, 200, nil, connector.CodeInvalidResponse, false, "keys", 200, nil},
		{"duplicate keys member", `{"keys":[],"keys":` + defaultJWKS()[8:], 200, nil, connector.CodeInvalidResponse, false, "more than once", 200, nil},
		{"duplicate kid", dupKid, 200, nil, connector.CodeInvalidResponse, false, `two different keys with the kid "k"`, 200, nil},
		{"1024-bit RSA key", weak, 200, nil, connector.CodeInvalidResponse, false, "1024 bits", 200, nil},
		{"too large", defaultJWKS(), 200, nil, connector.CodeInvalidResponse, false, "larger than 100 bytes", 200,
			func(o *KeySetOptions) { o.MaxBodyBytes = 100 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newJWKSServer(t, "")
			srv.set(tt.status, tt.body, tt.hdr...)
			clock := newClock()
			opts := KeySetOptions{HTTPClient: srv.Client(), Now: clock.Now}
			if tt.keySetOption != nil {
				tt.keySetOption(&opts)
			}
			ks := NewKeySet(srv.url(), opts)
			for i := range 3 {
				_, err := ks.Key(bg, "rsa1", "RS256")
				ce := asError(t, err)
				if ce.Code != tt.code || ce.Retryable != tt.retryable || ce.Status != tt.wantStatus || !strings.Contains(ce.Message, tt.msg) {
					t.Fatalf("try %d: %v (retryable %t)", i, err, ce.Retryable)
				}
				if tt.status == 429 && ce.RetryAfter != 30*time.Second {
					t.Errorf("RetryAfter %v", ce.RetryAfter)
				}
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("%d fetches within the floor, want 1", n)
			}
			clock.Add(DefaultMinRefetchInterval)
			_, _ = ks.Key(bg, "rsa1", "RS256")
			if n := srv.hits.Load(); n != 2 {
				t.Errorf("%d fetches after the floor, want 2", n)
			}
		})
	}
}

// TestKeySetRedirectNotFollowed: a 3xx is an error naming the status; its
// target is never asked.
func TestKeySetRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	target := newJWKSServer(t, defaultJWKS())
	srv := newJWKSServer(t, "")
	srv.set(http.StatusFound, "", "Location", target.url())
	client := srv.Client()
	client.CheckRedirect = nil // a client that follows redirects
	ks := NewKeySet(srv.url(), KeySetOptions{HTTPClient: client})
	_, err := ks.Key(bg, "rsa1", "")
	ce := asError(t, err)
	if ce.Code != connector.CodeInvalidResponse || ce.Status != 302 || !strings.Contains(ce.Message, "redirect (302)") {
		t.Fatalf("%v", err)
	}
	if n := target.hits.Load(); n != 0 {
		t.Errorf("the redirect target was asked %d times", n)
	}
	if client.CheckRedirect != nil {
		t.Error("the caller's client was modified")
	}
}

// TestKeySetTransportFailures: unreachable, slow and cancelled endpoints,
// and URLs that cannot be used.
func TestKeySetTransportFailures(t *testing.T) {
	t.Parallel()
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		_, err := NewKeySet(url+"/keys", KeySetOptions{HTTPClient: &http.Client{}}).Key(bg, "k", "")
		if ce := asError(t, err); ce.Code != connector.CodeGeneral || !ce.Retryable || !strings.Contains(ce.Message, "unreachable") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		srv := newJWKSServer(t, defaultJWKS())
		srv.setHook(func(_ int64, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
		defer cancel()
		_, err := NewKeySet(srv.url(), KeySetOptions{HTTPClient: srv.Client()}).Key(ctx, "k", "")
		if ce := asError(t, err); ce.Code != connector.CodeGeneral || !ce.Retryable || !errors.Is(err, context.DeadlineExceeded) ||
			!strings.Contains(ce.Message, "in time") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		t.Parallel()
		srv := newJWKSServer(t, defaultJWKS())
		srv.setHook(func(_ int64, r *http.Request) { <-r.Context().Done() })
		client := srv.Client()
		client.Timeout = 50 * time.Millisecond
		_, err := NewKeySet(srv.url(), KeySetOptions{HTTPClient: client}).Key(bg, "k", "")
		if ce := asError(t, err); ce.Code != connector.CodeGeneral || !ce.Retryable || !strings.Contains(ce.Message, "in time") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("bad URLs", func(t *testing.T) {
		t.Parallel()
		for _, u := range []string{"", "http://keys.example/jwks", "https://exa mple.com/\x7f"} {
			_, err := NewKeySet(u, KeySetOptions{}).Key(bg, "k", "")
			if ce := asError(t, err); ce.Code != connector.CodeInvalidConfig {
				t.Errorf("%q: %v", u, err)
			}
		}
	})
	t.Run("body read failure", func(t *testing.T) {
		t.Parallel()
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder(http.MethodGet, "https://keys.example/jwks",
			httpmock.NewStringResponder(200, defaultJWKS()).Then(httpmock.NewErrorResponder(errors.New("boom"))))
		mt.RegisterResponder(http.MethodGet, "https://keys.example/cut", func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: errBody{}, Header: http.Header{}}, nil
		})
		_, err := NewKeySet("https://keys.example/cut", KeySetOptions{HTTPClient: &http.Client{Transport: mt}}).Key(bg, "k", "")
		if ce := asError(t, err); ce.Code != connector.CodeGeneral || ce.Status != 200 || !ce.Retryable {
			t.Fatalf("%v", err)
		}
		// Mocks bound to the injected client serve the set too.
		if _, err := NewKeySet("https://keys.example/jwks", KeySetOptions{HTTPClient: &http.Client{Transport: mt}}).Key(bg, "rsa1", "RS256"); err != nil {
			t.Fatal(err)
		}
	})
}

type errBody struct{}

func (errBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (errBody) Close() error             { return nil }

// TestKeySetWaiterContext: a caller waiting for another's fetch gives up
// when its own context ends; the fetch goes on for the others.
func TestKeySetWaiterContext(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, defaultJWKS())
	release := make(chan struct{})
	srv.setHook(func(int64, *http.Request) { <-release })
	ks := NewKeySet(srv.url(), KeySetOptions{HTTPClient: srv.Client()})
	leader := make(chan error, 1)
	go func() {
		_, err := ks.Key(bg, "rsa1", "RS256")
		leader <- err
	}()
	waitFor(t, func() bool { return srv.hits.Load() == 1 })
	ctx, cancel := context.WithCancel(bg)
	waiter := make(chan error, 1)
	go func() {
		_, err := ks.Key(ctx, "rsa1", "RS256")
		waiter <- err
	}()
	waitFor(t, func() bool { return ks.waiting.Load() == 1 })
	cancel()
	err := <-waiter
	if ce := asError(t, err); ce.Code != connector.CodeGeneral || ce.Retryable || !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter: %v", err)
	}
	close(release)
	if err := <-leader; err != nil {
		t.Fatalf("leader: %v", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestKeySetAbandonedFirstFetch: when the caller that fetches the first
// set gives up, a caller waiting for it fetches at once (the floor does not
// start), so one impatient request cannot block sign-ins for a minute.
func TestKeySetAbandonedFirstFetch(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, defaultJWKS())
	srv.setHook(func(n int64, r *http.Request) {
		if n == 1 {
			<-r.Context().Done()
		}
	})
	ks := NewKeySet(srv.url(), KeySetOptions{HTTPClient: srv.Client()})
	ctx, cancel := context.WithCancel(bg)
	leader := make(chan error, 1)
	go func() {
		_, err := ks.Key(ctx, "rsa1", "RS256")
		leader <- err
	}()
	waitFor(t, func() bool { return srv.hits.Load() == 1 })
	waiter := make(chan error, 1)
	go func() {
		_, err := ks.Key(bg, "rsa1", "RS256")
		waiter <- err
	}()
	waitFor(t, func() bool { return ks.waiting.Load() == 1 })
	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
}

// TestKeySetStaleWhileFetching: while one caller refreshes a stale set,
// the others keep using the old keys without waiting.
func TestKeySetStaleWhileFetching(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, defaultJWKS())
	clock := newClock()
	ks := NewKeySet(srv.url(), KeySetOptions{HTTPClient: srv.Client(), Now: clock.Now})
	if _, err := ks.Key(bg, "rsa1", "RS256"); err != nil {
		t.Fatal(err)
	}
	clock.Add(DefaultCacheAge)
	release := make(chan struct{})
	srv.setHook(func(int64, *http.Request) { <-release })
	done := make(chan error, 1)
	go func() {
		_, err := ks.Key(bg, "rsa1", "RS256")
		done <- err
	}()
	waitFor(t, func() bool { return srv.hits.Load() == 2 })
	for range 10 {
		if _, err := ks.Key(bg, "ec1", "ES256"); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := ks.Stats(); st.Fetches != 2 || !st.Expires.Equal(clock.Now().Add(DefaultCacheAge)) {
		t.Errorf("stats %+v", st)
	}
}

func TestKeySetLookup(t *testing.T) {
	t.Parallel()
	weak := rsaJWK("weak", &rsaWeak().PublicKey, nil)
	e := newEnv(t, jwks(rsaJWK("rsa1", &rsaKey().PublicKey, map[string]any{"alg": "RS256"}), ecJWK("ec1", &ecKey().PublicKey, nil),
		ecJWK("ec384", &ecKey384().PublicKey, nil), weak, rsaJWK("enc", &rsaKey2().PublicKey, map[string]any{"use": "enc"})))
	tests := []struct {
		kid, alg, rule string
	}{
		{"rsa1", "RS256", ""},
		{"rsa1", "", ""},
		{"rsa1", "PS256", "alg"},
		{"ec1", "ES256", ""},
		{"ec1", "ES384", "alg"},
		{"ec384", "ES384", ""},
		{"ec384", "ES512", "alg"},
		{"ec384", "RS256", "alg"},
		{"weak", "RS256", "kid"},
		{"enc", "RS256", "kid"},
		{"", "RS256", "kid"},
	}
	for _, tt := range tests {
		k, err := e.keys.Key(bg, tt.kid, tt.alg)
		if tt.rule == "" {
			if err != nil || k.ID != tt.kid {
				t.Errorf("Key(%q, %q) = %+v, %v", tt.kid, tt.alg, k, err)
			}
			continue
		}
		wantRule(t, err, tt.rule, "")
	}
	_, err := e.keys.Key(bg, "weak", "RS256")
	if !strings.Contains(err.Error(), "unusable: RSA modulus of 1024 bits") {
		t.Errorf("%v", err)
	}
	if s := e.keys.String(); !strings.Contains(s, "Keys:3") || !strings.Contains(s, e.srv.url()) {
		t.Errorf("String = %q", s)
	}
	if e.keys.URL() != e.srv.url() {
		t.Error("URL")
	}
}

// TestNewKeySetIsLazy: constructing makes no request.
func TestNewKeySetIsLazy(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, defaultJWKS())
	ks := NewKeySet(srv.url(), KeySetOptions{HTTPClient: srv.Client()})
	if _, err := New(Config{Issuer: testIssuer, Audiences: []string{clientID}, Algorithms: []string{"RS256"}, Keys: ks}); err != nil {
		t.Fatal(err)
	}
	if n := srv.hits.Load(); n != 0 || ks.String() != fmt.Sprintf("idtoken.KeySet{URL:%q Keys:0}", srv.url()) {
		t.Errorf("%d fetches at construction", n)
	}
	if st := ks.Stats(); st != (KeySetStats{}) {
		t.Errorf("stats %+v", st)
	}
}

func TestCacheAge(t *testing.T) {
	t.Parallel()
	const def, max = time.Hour, 24 * time.Hour
	tests := []struct {
		values []string
		want   time.Duration
	}{
		{nil, def},
		{[]string{"max-age=60"}, time.Minute},
		{[]string{"public", "max-age=60"}, time.Minute},
		{[]string{"max-age=120, max-age=60"}, time.Minute},
		{[]string{"Max-Age=30"}, 30 * time.Second},
		{[]string{"max-age=0"}, 0},
		{[]string{"max-age=-1"}, def},
		{[]string{"max-age=99999999999999999999"}, def},
		{[]string{"max-age=999999"}, max},
		{[]string{"private, no-cache"}, 0},
		{[]string{"max-age=600", "no-store"}, 0},
		{[]string{"s-maxage=600"}, def},
	}
	for _, tt := range tests {
		h := http.Header{"Cache-Control": tt.values}
		if got := cacheAge(h, def, max); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.values, got, tt.want)
		}
	}
}
