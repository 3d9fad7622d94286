package mockprovider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	appleOnce      sync.Once
	appleTmpl      *Apple
	appleClientKey *ecdsa.PrivateKey
)

// appleMock returns a fresh clone of one Apple mock (RSA key generation is
// slow) that accepts client secrets signed by appleClientKey.
func appleMock(t *testing.T) *Apple {
	t.Helper()
	appleOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		appleClientKey = k
		appleTmpl = NewApple(AppleOptions{ClientID: "com.example.web", TeamID: "TEAM123456", KeyID: "KEY1234567", ClientKey: &k.PublicKey})
	})
	return appleTmpl.Clone().(*Apple)
}

func clientSecret(t *testing.T, claims jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(appleClientKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func goodSecretClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": "TEAM123456", "sub": "com.example.web", "aud": "https://appleid.apple.com",
		"iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix()}
}

// jwksKeys fetches the mock's JWKS.
func jwksKeys(t *testing.T, p *Apple, c *http.Client) map[string]*rsa.PublicKey {
	t.Helper()
	var set struct {
		Keys []struct{ Kid, N, E, Alg, Kty string }
	}
	a := call(t, c, http.MethodGet, p.URL(EndpointJWKS), nil, nil)
	if err := json.Unmarshal([]byte(a.body), &set); err != nil {
		t.Fatalf("JWKS %s: %v", a.body, err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		if k.Alg != "RS256" || k.Kty != "RSA" {
			t.Errorf("key %+v", k)
		}
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out
}

// verify checks an id_token as an Apple connector must.
func verify(keys map[string]*rsa.PublicKey, raw, nonce string) (jwt.MapClaims, error) {
	tok, err := jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := keys[kid]
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return k, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(AppleIssuer), jwt.WithAudience("com.example.web"),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return nil, err
	}
	c := tok.Claims.(jwt.MapClaims)
	if c["nonce"] != nonce {
		return nil, errors.New("nonce mismatch")
	}
	if s, _ := c["sub"].(string); s == "" {
		return nil, errors.New("no sub")
	}
	return c, nil
}

func appleAuthURL(p *Apple, scope string) string {
	q := url.Values{"client_id": {"com.example.web"}, "redirect_uri": {"https://app.example.com/apple"},
		"response_type": {"code id_token"}, "state": {"st-1"}, "nonce": {"n-0123456789"}}
	if scope != "" {
		q.Set("scope", scope)
		q.Set("response_mode", "form_post")
	} else {
		q.Set("response_mode", "fragment")
	}
	return p.URL(EndpointAuthorize) + "?" + q.Encode()
}

func TestAppleCallbackAndIDToken(t *testing.T) {
	t.Parallel()
	p := appleMock(t)
	c := p.Client()
	keys := jwksKeys(t, p, c)
	cb, err := p.Approve(appleAuthURL(p, "name email"), "")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := verify(keys, cb.Get("id_token"), "n-0123456789")
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	if claims["email"] != "ada@example.com" || claims["email_verified"] != true || claims["c_hash"] == nil {
		t.Errorf("claims %v", claims)
	}
	var user struct {
		Name  struct{ FirstName, LastName string }
		Email string
	}
	if err := json.Unmarshal([]byte(cb.Get("user")), &user); err != nil || user.Name.FirstName != "Ada" || user.Name.LastName != "Lovelace" || user.Email != "ada@example.com" {
		t.Errorf("user %q", cb.Get("user"))
	}
	// The user field comes on the first sign-in only.
	cb, _ = p.Approve(appleAuthURL(p, "name email"), "")
	if cb.Has("user") {
		t.Errorf("user sent on a second sign-in")
	}
	// String claims and private relay.
	cb, _ = p.Approve(appleAuthURL(p, "email"), DefaultAppleIdentities[2].ID)
	claims, _ = verify(keys, cb.Get("id_token"), "n-0123456789")
	if claims["is_private_email"] != true {
		t.Errorf("private relay claims %v", claims)
	}
	cb, _ = p.Approve(appleAuthURL(p, "email"), DefaultAppleIdentities[1].ID)
	claims, _ = verify(keys, cb.Get("id_token"), "n-0123456789")
	if claims["email_verified"] != "true" {
		t.Errorf("string claims %v", claims)
	}
	cb, _ = p.Approve(appleAuthURL(p, "email"), DefaultAppleIdentities[3].ID)
	claims, _ = verify(keys, cb.Get("id_token"), "n-0123456789")
	if claims["email"] != "charles@example.com" || claims["email_verified"] != false {
		t.Errorf("unverified: %v", claims)
	}
	// Without the email scope the id_token carries no email.
	cb, _ = p.Approve(appleAuthURL(p, ""), "")
	claims, _ = verify(keys, cb.Get("id_token"), "n-0123456789")
	if _, ok := claims["email"]; ok || claims["sub"] == nil || cb.Has("user") {
		t.Errorf("no email scope: %v %v", claims, cb)
	}
	// Cancel.
	cb, err = p.Deny(appleAuthURL(p, "name"))
	if err != nil || cb.Get("error") != "user_cancelled_authorize" || cb.Get("state") != "st-1" {
		t.Errorf("Deny %v %v", cb, err)
	}
}

func TestAppleAuthorizationRules(t *testing.T) {
	t.Parallel()
	p := appleMock(t)
	for _, tc := range []struct {
		q    url.Values
		want string
	}{
		{url.Values{"scope": {"name"}, "response_type": {"code"}}, "form_post"},
		{url.Values{"response_type": {"code id_token"}}, "form_post or fragment"},
		{url.Values{"scope": {"profile"}, "response_mode": {"form_post"}}, "scope profile"},
	} {
		q := url.Values{"client_id": {"com.example.web"}, "redirect_uri": {"https://app.example.com/apple"}, "state": {"s"}, "response_type": {"code"}}
		for k, v := range tc.q {
			q[k] = v
		}
		if _, err := p.Approve(p.URL(EndpointAuthorize)+"?"+q.Encode(), ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.q, err, tc.want)
		}
	}
	// response_type code in a query: no id_token.
	cb, err := p.Approve(p.URL(EndpointAuthorize)+"?"+url.Values{"client_id": {"com.example.web"},
		"redirect_uri": {"https://app.example.com/apple"}, "state": {"s"}, "response_type": {"code"}}.Encode(), "")
	if err != nil || cb.Has("id_token") || cb.Get("code") == "" {
		t.Errorf("code only: %v %v", cb, err)
	}
}

func TestAppleIDTokenFaults(t *testing.T) {
	t.Parallel()
	p := appleMock(t)
	keys := jwksKeys(t, p, p.Client())
	for _, c := range p.ErrorCases() {
		p.SetFailure(c.Endpoint, c.Failure)
		cb, err := p.Approve(appleAuthURL(p, "email"), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verify(keys, cb.Get("id_token"), "n-0123456789"); err == nil {
			t.Errorf("%s: the damaged id_token verifies", c.Name)
		}
		if c.Code != "social_invalid_id_token" {
			t.Errorf("%s: code %s", c.Name, c.Code)
		}
	}
	p.ClearFailures()
	cb, _ := p.Approve(appleAuthURL(p, "email"), "")
	if _, err := verify(keys, cb.Get("id_token"), "n-0123456789"); err != nil {
		t.Errorf("after ClearFailures: %v", err)
	}
}

func TestAppleKeyRotation(t *testing.T) {
	t.Parallel()
	p := appleMock(t)
	old := p.KeyIDs()
	cb, _ := p.Approve(appleAuthURL(p, ""), "")
	p.RotateKey(true)
	ids := p.KeyIDs()
	if len(ids) != 2 || ids[1] != old[0] || p.PublicKey(ids[0]) == nil || p.PublicKey("nope") != nil {
		t.Fatalf("after rotation %v (was %v)", ids, old)
	}
	keys := jwksKeys(t, p, p.Client())
	if _, err := verify(keys, cb.Get("id_token"), "n-0123456789"); err != nil {
		t.Errorf("an old token no longer verifies with the old key kept: %v", err)
	}
	cb2, _ := p.Approve(appleAuthURL(p, ""), "")
	if tok, _, _ := jwt.NewParser().ParseUnverified(cb2.Get("id_token"), jwt.MapClaims{}); tok.Header["kid"] != ids[0] {
		t.Errorf("new tokens are not signed with the new key")
	}
	p.RotateKey(false)
	keys = jwksKeys(t, p, p.Client())
	if len(keys) != 1 {
		t.Fatalf("old keys kept: %d", len(keys))
	}
	if _, err := verify(keys, cb.Get("id_token"), "n-0123456789"); err == nil {
		t.Errorf("a token signed with a dropped key still verifies")
	}
	if a := call(t, p.Client(), http.MethodPost, p.URL(EndpointJWKS), url.Values{}, nil); a.status != 405 {
		t.Errorf("POST JWKS: %d", a.status)
	}
}

func TestAppleTokenAndRevoke(t *testing.T) {
	t.Parallel()
	p := appleMock(t)
	c := p.Client()
	keys := jwksKeys(t, p, c)
	redeem := func(secret string) answer {
		cb, err := p.Approve(appleAuthURL(p, "email"), "")
		if err != nil {
			t.Fatal(err)
		}
		return call(t, c, http.MethodPost, p.URL(EndpointToken), url.Values{
			"client_id": {"com.example.web"}, "client_secret": {secret}, "code": {cb.Get("code")},
			"grant_type": {"authorization_code"}, "redirect_uri": {"https://app.example.com/apple"},
		}, nil)
	}
	a := redeem(clientSecret(t, goodSecretClaims(), "KEY1234567"))
	if a.status != 200 {
		t.Fatalf("token %d %s %v", a.status, a.body, p.Problems())
	}
	tok := a.json(t)
	claims, err := verify(keys, tok["id_token"].(string), "n-0123456789")
	if err != nil || claims["at_hash"] == nil {
		t.Errorf("token id_token: %v %v", claims, err)
	}
	long := goodSecretClaims()
	long["exp"] = time.Now().Add(200 * 24 * time.Hour).Unix()
	wrongAud := goodSecretClaims()
	wrongAud["aud"] = "https://example.com"
	for name, secret := range map[string]string{
		"wrong kid":      clientSecret(t, goodSecretClaims(), "OTHER"),
		"too long":       clientSecret(t, long, "KEY1234567"),
		"wrong audience": clientSecret(t, wrongAud, "KEY1234567"),
		"missing":        "",
		"garbage":        "x.y.z",
	} {
		if a := redeem(secret); a.status != 400 || a.json(t)["error"] != "invalid_client" {
			t.Errorf("%s client secret: %d %s", name, a.status, a.body)
		}
	}
	// Revoke.
	rv := url.Values{"client_id": {"com.example.web"}, "client_secret": {clientSecret(t, goodSecretClaims(), "KEY1234567")},
		"token": {tok["refresh_token"].(string)}, "token_type_hint": {"refresh_token"}}
	if a := call(t, c, http.MethodPost, p.URL(EndpointRevoke), rv, nil); a.status != 200 {
		t.Fatalf("revoke %d %s", a.status, a.body)
	}
	if r := p.Revoked(); len(r) != 1 || r[0] != tok["refresh_token"] {
		t.Errorf("Revoked %v", r)
	}
	rf := url.Values{"client_id": {"com.example.web"}, "client_secret": {clientSecret(t, goodSecretClaims(), "KEY1234567")},
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), rf, nil); a.status != 400 || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("refresh after revoke: %d %s", a.status, a.body)
	}
	for name, form := range map[string]url.Values{
		"no token":  {"client_id": {"com.example.web"}, "client_secret": {rv.Get("client_secret")}},
		"bad hint":  {"client_id": {"com.example.web"}, "client_secret": {rv.Get("client_secret")}, "token": {"x"}, "token_type_hint": {"id_token"}},
		"no secret": {"client_id": {"com.example.web"}, "token": {"x"}},
	} {
		if a := call(t, c, http.MethodPost, p.URL(EndpointRevoke), form, nil); a.status != 400 {
			t.Errorf("revoke %s: %d", name, a.status)
		}
	}
	if a := call(t, c, http.MethodGet, p.URL(EndpointRevoke), nil, nil); a.status != 400 {
		t.Errorf("GET revoke: %d", a.status)
	}
	// Without a client key every token request fails.
	bare := NewApple(AppleOptions{})
	defer bare.Close()
	cb, _ := bare.Approve(appleAuthURL(bare, ""), "")
	a = call(t, bare.Client(), http.MethodPost, bare.URL(EndpointToken), url.Values{"client_id": {"com.example.web"},
		"client_secret": {"x"}, "code": {cb.Get("code")}, "grant_type": {"authorization_code"}, "redirect_uri": {"https://app.example.com/apple"}}, nil)
	if a.status != 400 || !strings.Contains(strings.Join(bare.Problems(), ""), "ClientKey") {
		t.Errorf("token without a client key: %d %v", a.status, bare.Problems())
	}
	if bare.ClientSecret() != "" {
		t.Errorf("Apple has a static client secret")
	}
}

func TestAppleShapes(t *testing.T) {
	t.Parallel()
	p := NewApple(AppleOptions{})
	for _, tc := range []struct {
		m      Mode
		status int
		code   string
	}{
		{InvalidGrant, 400, "invalid_grant"}, {Unauthorized, 400, "invalid_client"}, {RateLimited, 429, "rate_limited"},
		{ServerError, 500, "server_error"}, {Unavailable, 503, "temporarily_unavailable"}, {ProviderError, 400, "invalid_request"},
	} {
		st, _, b := p.failureAnswer(EndpointToken, Failure{Mode: tc.m})
		if st != tc.status || !strings.Contains(string(b), tc.code) {
			t.Errorf("%s: %d %s", tc.m, st, b)
		}
	}
	if st, _, _ := p.failureAnswer(EndpointToken, Failure{Mode: Hang}); st != 0 {
		t.Errorf("the Apple mock rendered Hang itself")
	}
}
