package idtoken

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
)

// Keys are generated once per test binary.
var (
	rsaKey     = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsaKey2    = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsaRogue   = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsaWeak    = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(1024) })
	ecKey      = sync.OnceValue(func() *ecdsa.PrivateKey { return mustEC(elliptic.P256()) })
	ecKey384   = sync.OnceValue(func() *ecdsa.PrivateKey { return mustEC(elliptic.P384()) })
	testIssuer = "https://appleid.apple.com"
)

const (
	clientID  = "com.example.web"
	bundleID  = "com.example.ios"
	testNonce = "n-0S6_WzA2Mj"
	testSub   = "001234.0123456789abcdef.1234"
)

// t0 is the injected clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK is the public JWK of k; extra members are added (a nil value
// deletes one).
func rsaJWK(kid string, k *rsa.PublicKey, extra map[string]any) map[string]any {
	m := map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	return merge(m, extra)
}

func ecJWK(kid string, k *ecdsa.PublicKey, extra map[string]any) map[string]any {
	p, err := k.Bytes()
	if err != nil {
		panic(err)
	}
	size := (len(p) - 1) / 2
	m := map[string]any{"kty": "EC", "kid": kid, "use": "sig", "crv": k.Curve.Params().Name, "x": b64(p[1 : 1+size]), "y": b64(p[1+size:])}
	return merge(m, extra)
}

func merge(m, extra map[string]any) map[string]any {
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func jwks(keys ...map[string]any) string {
	if keys == nil {
		keys = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// defaultJWKS: rsa1 (alg RS256), rsa-any (no alg), ec1 (P-256, no alg).
func defaultJWKS() string {
	return jwks(rsaJWK("rsa1", &rsaKey().PublicKey, map[string]any{"alg": "RS256"}),
		rsaJWK("rsa-any", &rsaKey2().PublicKey, nil),
		ecJWK("ec1", &ecKey().PublicKey, nil))
}

// testClock is an injectable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: t0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// jwksServer serves a key set on 127.0.0.1 and counts requests.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu     sync.Mutex
	status int
	body   string
	header http.Header
	// hook, when set, runs before each answer with the request's number
	// (from 1); it may block.
	hook func(n int64, r *http.Request)
}

func newJWKSServer(t testing.TB, body string) *jwksServer {
	s := &jwksServer{status: http.StatusOK, body: body, header: http.Header{"Content-Type": {"application/json"}}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.hits.Add(1)
		s.mu.Lock()
		status, body, hdr, hook := s.status, s.body, s.header.Clone(), s.hook
		s.mu.Unlock()
		if hook != nil {
			hook(n, r)
		}
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// set changes the answer.
func (s *jwksServer) set(status int, body string, hdr ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
	s.header = http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(hdr); i += 2 {
		s.header.Set(hdr[i], hdr[i+1])
	}
}

func (s *jwksServer) setHook(h func(int64, *http.Request)) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

func (s *jwksServer) url() string { return s.URL + "/auth/keys" }

// env is a verifier on a key set served locally, on an injected clock.
type env struct {
	srv   *jwksServer
	clock *testClock
	keys  *KeySet
	v     *Verifier
}

func newEnv(t testing.TB, body string, mods ...func(*Config)) *env {
	t.Helper()
	e := &env{srv: newJWKSServer(t, body), clock: newClock()}
	e.keys = NewKeySet(e.srv.url(), KeySetOptions{HTTPClient: e.srv.Client(), Now: e.clock.Now})
	e.v = e.verifier(t, mods...)
	return e
}

func (e *env) verifier(t testing.TB, mods ...func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{ConnectorID: "apple-universal", Issuer: testIssuer, Audiences: []string{clientID, bundleID},
		Algorithms: []string{"RS256"}, Keys: e.keys, Now: e.clock.Now}
	for _, m := range mods {
		m(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func withAlgs(algs ...string) func(*Config) { return func(c *Config) { c.Algorithms = algs } }

// claimsAt are valid claims at now; mod may change them (a nil value
// deletes a claim).
func claimsAt(now time.Time, mod map[string]any) map[string]any {
	m := map[string]any{
		"iss": testIssuer, "aud": clientID, "sub": testSub, "nonce": testNonce,
		"iat": now.Add(-10 * time.Second).Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"email": "u@privaterelay.appleid.com", "email_verified": "true",
	}
	return merge(m, mod)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sign signs header and payload JSON (given as text, so duplicates and
// odd forms can be written) with alg and key.
func sign(t testing.TB, alg string, key any, header, payload string) string {
	t.Helper()
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	m := jwt.GetSigningMethod(alg)
	if m == nil {
		t.Fatalf("no method %s", alg)
	}
	sig, err := m.Sign(input, key)
	if err != nil {
		t.Fatalf("sign %s: %v", alg, err)
	}
	return input + "." + b64(sig)
}

// token is an RS256 token of rsa1 with claims.
func token(t testing.TB, claims map[string]any) string {
	return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":"rsa1","typ":"JWT"}`, mustJSON(claims))
}

// tokenWith signs claims with alg, kid and key.
func tokenWith(t testing.TB, alg, kid string, key any, claims map[string]any) string {
	h := map[string]any{"alg": alg}
	if kid != "" {
		h["kid"] = kid
	}
	return sign(t, alg, key, mustJSON(h), mustJSON(claims))
}

// asError returns err as a *connector.Error, failing the test otherwise.
func asError(t testing.TB, err error) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce
}

// wantRule checks that err is social_invalid_id_token at the id_token step
// naming rule first, and that it does not quote the token.
func wantRule(t testing.TB, err error, rule, tok string) {
	t.Helper()
	if err == nil {
		t.Fatalf("verified, want a failure of %s", rule)
	}
	ce := asError(t, err)
	if ce.Code != connector.CodeSocialInvalidIDToken || ce.Step != connector.StepIDToken {
		t.Fatalf("code %s step %s (%v), want social_invalid_id_token at id_token", ce.Code, ce.Step, err)
	}
	if got, _, _ := strings.Cut(ce.Message, ":"); got != rule {
		t.Fatalf("message %q names %q, want %q", ce.Message, got, rule)
	}
	if !errors.Is(err, connector.ErrSocialInvalidIDToken) {
		t.Fatal("errors.Is(err, ErrSocialInvalidIDToken) is false")
	}
	for _, seg := range strings.Split(tok, ".") {
		if len(seg) >= 8 && strings.Contains(err.Error(), seg) {
			t.Fatalf("error %q quotes the token", err)
		}
	}
}

var bg = context.Background()
