package apple_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

const (
	testTeamID   = "TEAM123456"
	testKeyID    = "KEY1234567"
	testClientID = "com.example.web"
	testBundleID = "com.example.ios"
	testRedirect = "https://id.example.com/callback/apple"
	testSub      = "001234.5f1e2d3c4b5a69788796a5b4c3d2e1f0.1201"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testKey is the Sign in with Apple private key of the tests' team.
var testKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// testKeyPEM is testKey as Apple's .p8 file.
func testKeyPEM() string { return pemOf(testKey()) }

func pemOf(key any) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// rsaKeys are the tests' RSA keys: Apple's signing keys in the fake, and
// an RSA .p8 that is not a Sign in with Apple key.
var rsaKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	out := make([]*rsa.PrivateKey, 3)
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out[i] = k
	}
	return out
})

func rsaKeyPEM() string { return pemOf(rsaKeys()[2]) }

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signingKey is one of the fake Apple's RS256 keys.
type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// fake plays Sign in with Apple at Apple's own URLs, offline: an httpmock
// transport bound to its own client serves the keys, token and revoke
// endpoints, and the tests sign id_tokens with the claims they need.
type fake struct {
	t      testing.TB
	Client *http.Client
	clock  *clock

	mu     sync.Mutex
	keys   []signingKey
	jwks   func() (status int, contentType, body string) // nil: the keys
	token  func(form url.Values) (status int, body string)
	forms  map[string][]url.Values // by endpoint URL
	counts map[string]int
}

func newFake(t testing.TB) *fake {
	keys := rsaKeys()
	f := &fake{t: t, clock: newClock(), keys: []signingKey{{"apple-k1", keys[0]}, {"apple-k2", keys[1]}},
		forms: map[string][]url.Values{}, counts: map[string]int{}}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	})
	mt.RegisterResponder(http.MethodGet, apple.KeysURL, func(req *http.Request) (*http.Response, error) {
		f.record(req)
		f.mu.Lock()
		jwks := f.jwks
		f.mu.Unlock()
		if jwks != nil {
			status, ct, body := jwks()
			resp := httpmock.NewStringResponse(status, body)
			resp.Header.Set("Content-Type", ct)
			return resp, nil
		}
		return httpmock.NewStringResponse(200, f.keySet()), nil
	})
	mt.RegisterResponder(http.MethodPost, apple.TokenURL, func(req *http.Request) (*http.Response, error) {
		form := f.record(req)
		f.mu.Lock()
		token := f.token
		f.mu.Unlock()
		if token == nil {
			t.Errorf("unexpected token request")
			return httpmock.NewStringResponse(500, `{"error":"server_error"}`), nil
		}
		status, body := token(form)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	mt.RegisterResponder(http.MethodPost, apple.RevocationURL, func(req *http.Request) (*http.Response, error) {
		f.record(req)
		return httpmock.NewStringResponse(200, ""), nil
	})
	f.Client = &http.Client{Transport: mt}
	return f
}

// record notes a request and returns its form.
func (f *fake) record(req *http.Request) url.Values {
	var form url.Values
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		form, _ = url.ParseQuery(string(b))
	}
	u := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[u]++
	f.forms[u] = append(f.forms[u], form)
	return form
}

// requests returns how many requests reached endpoint u.
func (f *fake) requests(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[u]
}

// lastForm returns the last form posted to u.
func (f *fake) lastForm(u string) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	forms := f.forms[u]
	if len(forms) == 0 {
		f.t.Fatalf("no request reached %s", u)
	}
	return forms[len(forms)-1]
}

func (f *fake) formsOf(u string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms[u]...)
}

func (f *fake) setJWKS(fn func() (int, string, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwks = fn
}

func (f *fake) setToken(fn func(url.Values) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = fn
}

// keySet is the JWKS of the fake's keys.
func (f *fake) keySet() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []map[string]string
	for _, k := range f.keys {
		keys = append(keys, map[string]string{"kty": "RSA", "kid": k.kid, "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes())})
	}
	b, _ := json.Marshal(map[string]any{"keys": keys})
	return string(b)
}

// claims are the claims of a genuine id_token for testSub and the web
// client, with nonce (omitted when empty).
func (f *fake) claims(nonce string) jwt.MapClaims {
	now := f.clock.Now()
	c := jwt.MapClaims{
		"iss": apple.Issuer, "aud": testClientID, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"sub": testSub, "email": "ada@example.com", "email_verified": true, "auth_time": now.Unix(),
		"nonce_supported": true, "real_user_status": 2,
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

// sign signs claims RS256 with the fake's first key, its kid in the header.
func (f *fake) sign(claims jwt.MapClaims) string {
	f.mu.Lock()
	k := f.keys[0]
	f.mu.Unlock()
	return signWith(jwt.SigningMethodRS256, k.key, k.kid, claims)
}

func signWith(m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

// open opens a connector on the fake, with its clock.
func (f *fake) open(t testing.TB, cfg apple.Config, opts ...connector.Option) *apple.Connector {
	t.Helper()
	c, err := apple.New(cfg, append([]connector.Option{connector.WithHTTPClient(f.Client), connector.WithClock(f.clock.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// webConfig is a config without the client secret's key; keyConfig with.
func webConfig() apple.Config { return apple.Config{ClientID: testClientID, Scope: "name email"} }

func keyConfig() apple.Config {
	c := webConfig()
	c.TeamID, c.KeyID, c.PrivateKey = testTeamID, testKeyID, connector.Secret(testKeyPEM())
	c.Audiences = []string{testBundleID}
	return c
}

// begin starts a flow and returns it.
func begin(t testing.TB, c *apple.Connector) connector.FlowState {
	t.Helper()
	a, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if err != nil {
		t.Fatal(err)
	}
	return a.Flow
}

// post is Apple's form POST for flow, with idToken.
func post(flow connector.FlowState, idToken string) url.Values {
	v := url.Values{"state": {flow.State}, "code": {"c0de-from-apple-0123456789"}}
	if idToken != "" {
		v.Set("id_token", idToken)
	}
	return v
}

// tokenAnswer is a token endpoint answer with idToken.
func tokenAnswer(idToken string) func(url.Values) (int, string) {
	return func(url.Values) (int, string) {
		b, _ := json.Marshal(map[string]any{"access_token": "at-apple-0123456789", "token_type": "Bearer", "expires_in": 3600,
			"refresh_token": "rt-apple-0123456789", "id_token": idToken})
		return 200, string(b)
	}
}

// wantCode fails unless err is a *connector.Error with code, whose
// message holds each of msgs; it returns the error.
func wantCode(t testing.TB, err error, code connector.Code, msgs ...string) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a %s *connector.Error", err, code)
	}
	if ce.Code != code {
		t.Fatalf("code = %s, want %s (%v)", ce.Code, code, err)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not say %q", err, m)
		}
	}
	if ce.Connector == "" {
		t.Errorf("the error names no connector: %v", err)
	}
	return ce
}

// noSecret fails when any rendering of v holds one of secrets.
func noSecret(t testing.TB, v any, secrets ...string) {
	t.Helper()
	renders := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v), fmt.Sprintf("%q", v)}
	if err, ok := v.(error); ok && err != nil {
		renders = append(renders, err.Error())
	}
	for _, r := range renders {
		for _, s := range secrets {
			if s != "" && strings.Contains(r, s) {
				t.Errorf("output reveals a secret (%d bytes): %s", len(s), r)
			}
		}
	}
}

// sha256Hex is the lower-case hex SHA-256 of s, as an app sends its nonce.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// jwtFromJSON signs payload, a JSON text as is (which jwt.MapClaims could
// not hold: a member twice), with the fake's first key.
func jwtFromJSON(f *fake, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	f.mu.Lock()
	k := f.keys[0]
	f.mu.Unlock()
	signing := enc([]byte(`{"alg":"RS256","kid":"`+k.kid+`","typ":"JWT"}`)) + "." + enc([]byte(payload))
	sig, err := jwt.SigningMethodRS256.Sign(signing, k.key)
	if err != nil {
		panic(err)
	}
	return signing + "." + enc(sig)
}
