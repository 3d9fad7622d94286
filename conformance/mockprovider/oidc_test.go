package mockprovider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	oidcKeysMu sync.Mutex
	oidcKeys   = map[string]*keyring{}
)

// oidcMock returns an OpenID Connect mock for opts whose keys are a clone
// of one keyring per algorithm (RSA key generation is slow).
func oidcMock(opts OIDCOptions) *OIDC {
	opts = oidcDefaults(opts)
	oidcKeysMu.Lock()
	k, ok := oidcKeys[opts.Algorithm]
	if !ok {
		k = newKeyring(opts.Algorithm)
		oidcKeys[opts.Algorithm] = k
	}
	oidcKeysMu.Unlock()
	return newOIDC(opts, k.clone())
}

// noRedirects returns c that hands back 3xx answers instead of following
// them.
func noRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

const oidcNonce = "n-oidc-0123456789"

// oidcAuthURL is an authorization request with openid, a nonce and PKCE;
// extra overrides (a nil value removes).
func oidcAuthURL(p *OIDC, extra url.Values) string {
	q := url.Values{"scope": {"openid profile email phone"}, "nonce": {oidcNonce},
		"code_challenge": {challenge(testVerifier)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return authURL(p, q)
}

// oidcRedeem exchanges the code of cb (client_secret_post).
func oidcRedeem(t *testing.T, p *OIDC, c *http.Client, cb url.Values) answer {
	t.Helper()
	form := tokenForm(p, cb.Get("code"))
	form.Set("code_verifier", testVerifier)
	return call(t, c, http.MethodPost, p.URL(EndpointToken), form, nil)
}

// oidcSignIn approves as identity and redeems the code; it returns the
// token response.
func oidcSignIn(t *testing.T, p *OIDC, c *http.Client, identity string) map[string]any {
	t.Helper()
	cb, err := p.Approve(oidcAuthURL(p, nil), identity)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	a := oidcRedeem(t, p, c, cb)
	if a.status != http.StatusOK {
		t.Fatalf("token: %d %s %v", a.status, a.body, p.Problems())
	}
	return a.json(t)
}

// testJWK is one key of a fetched JWKS.
type testJWK struct {
	alg string
	key crypto.PublicKey
}

// fetchJWKS reads the mock's JWKS as a client would.
func fetchJWKS(t *testing.T, p *OIDC, c *http.Client) map[string]testJWK {
	t.Helper()
	a := call(t, c, http.MethodGet, p.URL(EndpointJWKS), nil, nil)
	var set struct {
		Keys []struct{ Kty, Kid, Use, Alg, N, E, Crv, X, Y string }
	}
	if err := json.Unmarshal([]byte(a.body), &set); err != nil {
		t.Fatalf("JWKS %d %q: %v", a.status, a.body, err)
	}
	b64 := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWK member %q: %v", s, err)
		}
		return b
	}
	out := map[string]testJWK{}
	for _, k := range set.Keys {
		if k.Use != "sig" || k.Kid == "" {
			t.Errorf("JWK %+v", k)
		}
		switch k.Kty {
		case "RSA":
			out[k.Kid] = testJWK{k.Alg, &rsa.PublicKey{N: new(big.Int).SetBytes(b64(k.N)), E: int(new(big.Int).SetBytes(b64(k.E)).Int64())}}
		case "EC":
			if k.Crv != "P-256" {
				t.Fatalf("JWK curve %q", k.Crv)
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), slices.Concat([]byte{4}, b64(k.X), b64(k.Y)))
			if err != nil {
				t.Fatalf("EC JWK: %v", err)
			}
			out[k.Kid] = testJWK{k.Alg, pub}
		default:
			t.Fatalf("JWK kty %q", k.Kty)
		}
	}
	return out
}

var errUnknownKid = errors.New("unknown kid")

// verifyOIDC checks an id_token as an OpenID Connect client must (Core
// 3.1.3.7), with the algorithm each JWK declares; nonce is checked when
// not empty.
func verifyOIDC(keys map[string]testJWK, raw, issuer, audience, nonce string) (jwt.MapClaims, error) {
	var algs []string
	for _, k := range keys {
		algs = append(algs, k.alg)
	}
	tok, err := jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := keys[kid]
		if !ok {
			return nil, errUnknownKid
		}
		if t.Method.Alg() != k.alg {
			return nil, fmt.Errorf("alg %s, the JWK says %s", t.Method.Alg(), k.alg)
		}
		return k.key, nil
	}, jwt.WithValidMethods(algs), jwt.WithIssuer(issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return nil, err
	}
	c := tok.Claims.(jwt.MapClaims)
	if nonce != "" && c["nonce"] != nonce {
		return nil, errors.New("nonce mismatch")
	}
	if s, ok := c["sub"].(string); !ok || s == "" {
		return nil, errors.New("sub is missing or not a string")
	}
	return c, nil
}

// atHash computes at_hash independently of the mock: SHA-256, left half.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func unverified(t *testing.T, raw string) (*jwt.Token, jwt.MapClaims) {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(raw, claims)
	if err != nil {
		t.Fatalf("id_token %q: %v", raw, err)
	}
	return tok, claims
}

func TestOIDCDiscovery(t *testing.T) {
	t.Parallel()
	base := "https://oidc.mock.test"
	for _, tc := range []struct {
		name    string
		opts    OIDCOptions
		methods []any
	}{
		{"defaults", OIDCOptions{}, []any{"client_secret_basic", "client_secret_post", "client_secret_jwt"}},
		{"all options", OIDCOptions{Algorithm: "ES256", IssParameter: true, NoUserInfo: true, Revocation: true,
			AuthMethod: AuthClientSecretBasic}, []any{"client_secret_basic"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := oidcMock(tc.opts)
			if p.URL(EndpointDiscovery) != base+"/.well-known/openid-configuration" || p.Issuer() != base {
				t.Fatalf("discovery URL %s, issuer %s", p.URL(EndpointDiscovery), p.Issuer())
			}
			a := call(t, p.Client(), http.MethodGet, p.URL(EndpointDiscovery), nil, nil)
			if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") ||
				!strings.Contains(a.header.Get("Cache-Control"), "max-age") {
				t.Fatalf("discovery: %d %v", a.status, a.header)
			}
			doc := a.json(t)
			want := map[string]any{
				"issuer":                                base,
				"authorization_endpoint":                base + "/authorize",
				"token_endpoint":                        base + "/token",
				"jwks_uri":                              base + "/jwks",
				"id_token_signing_alg_values_supported": []any{cmpOr(tc.opts.Algorithm, "RS256")},
				"response_types_supported":              []any{"code"},
				"subject_types_supported":               []any{"public"},
				"code_challenge_methods_supported":      []any{"S256"},
				"token_endpoint_auth_methods_supported": tc.methods,
			}
			if tc.opts.NoUserInfo {
				want["userinfo_endpoint"] = nil
			} else {
				want["userinfo_endpoint"] = base + "/userinfo"
			}
			if tc.opts.Revocation {
				want["revocation_endpoint"] = base + "/revoke"
			} else {
				want["revocation_endpoint"] = nil
			}
			if tc.opts.IssParameter {
				want["authorization_response_iss_parameter_supported"] = true
			} else {
				want["authorization_response_iss_parameter_supported"] = nil
			}
			for k, v := range want {
				if got, _ := json.Marshal(doc[k]); string(got) != string(mustJSON(v)) {
					t.Errorf("%s = %s, want %s", k, got, mustJSON(v))
				}
			}
			for k, v := range map[string]string{"scopes_supported": "openid", "claims_supported": "email_verified"} {
				if l, _ := doc[k].([]any); !slices.Contains(l, any(v)) {
					t.Errorf("%s %v lacks %s", k, doc[k], v)
				}
			}
			// Every endpoint the document names is one the mock serves.
			for _, e := range p.Endpoints() {
				if e != EndpointDiscovery && !strings.Contains(a.body, `"`+p.URL(e)+`"`) {
					t.Errorf("the document does not name %s (%s)", e, p.URL(e))
				}
			}
			if a := call(t, p.Client(), http.MethodPost, p.URL(EndpointDiscovery), url.Values{}, nil); a.status != http.StatusMethodNotAllowed {
				t.Errorf("POST discovery: %d", a.status)
			}
			if n := p.Requests(EndpointDiscovery); n != 2 {
				t.Errorf("Requests(discovery) = %d after 2 requests", n)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// eachAlgorithm runs f in a parallel subtest per signing algorithm, on a
// mock for it.
func eachAlgorithm(t *testing.T, f func(t *testing.T, p *OIDC, alg string)) {
	for _, alg := range []string{"RS256", "PS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			f(t, oidcMock(OIDCOptions{Algorithm: alg}), alg)
		})
	}
}

func TestOIDCCodeFlow(t *testing.T) {
	t.Parallel()
	eachAlgorithm(t, func(t *testing.T, p *OIDC, alg string) {
		c := p.Client()
		keys := fetchJWKS(t, p, c)
		if len(keys) != 1 || keys[p.KeyIDs()[0]].alg != alg {
			t.Fatalf("JWKS %v, kids %v", keys, p.KeyIDs())
		}
		tok := oidcSignIn(t, p, c, "")
		if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || tok["refresh_token"] == nil || tok["access_token"] == nil {
			t.Errorf("token response %v", tok)
		}
		raw, _ := tok["id_token"].(string)
		claims, err := verifyOIDC(keys, raw, p.Issuer(), p.ClientID(), oidcNonce)
		if err != nil {
			t.Fatalf("id_token: %v", err)
		}
		head, _ := unverified(t, raw)
		if head.Header["alg"] != alg || head.Header["kid"] != p.KeyIDs()[0] {
			t.Errorf("header %v", head.Header)
		}
		if claims["at_hash"] != atHash(tok["access_token"].(string)) {
			t.Errorf("at_hash %v, want %s", claims["at_hash"], atHash(tok["access_token"].(string)))
		}
		ada := DefaultOIDCIdentities[0]
		if claims["sub"] != ada.ID || claims["email"] != ada.Email || claims["email_verified"] != true ||
			claims["name"] != ada.Name || claims["picture"] != ada.Avatar {
			t.Errorf("claims %v", claims)
		}
		iat, _ := claims["iat"].(float64)
		if at, ok := claims["auth_time"].(float64); !ok || at > iat || at < iat-60 {
			t.Errorf("auth_time %v, iat %v", claims["auth_time"], iat)
		}
		if pub := p.PublicKey(p.KeyIDs()[0]); pub == nil || p.PublicKey("nope") != nil {
			t.Errorf("PublicKey: %v", pub)
		}
		if n := p.Requests(EndpointToken); n != 1 {
			t.Errorf("Requests(token) = %d after one token request", n)
		}
	})
}

func TestOIDCClaims(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{})
	c := p.Client()
	keys := fetchJWKS(t, p, c)
	absent := any(nil)
	for _, tc := range []struct {
		id   Identity
		want map[string]any
	}{
		{DefaultOIDCIdentities[0], map[string]any{"email_verified": true, "phone_number": absent, "picture": DefaultOIDCIdentities[0].Avatar}},
		{DefaultOIDCIdentities[1], map[string]any{"email_verified": "true", "phone_number_verified": "true", "phone_number": "+14155550102"}},
		{DefaultOIDCIdentities[2], map[string]any{"email": absent, "email_verified": absent, "phone_number": "+14155550103", "phone_number_verified": true}},
		{DefaultOIDCIdentities[3], map[string]any{"email": "charles@example.com", "email_verified": false, "phone_number_verified": absent}},
		{DefaultOIDCIdentities[4], map[string]any{"email_verified": "false"}},
		{DefaultOIDCIdentities[5], map[string]any{"email": absent, "email_verified": absent, "name": "Katherine Johnson"}},
	} {
		t.Run(tc.id.Label, func(t *testing.T) {
			tok := oidcSignIn(t, p, c, tc.id.ID)
			claims, err := verifyOIDC(keys, tok["id_token"].(string), p.Issuer(), p.ClientID(), oidcNonce)
			if err != nil {
				t.Fatal(err)
			}
			info := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil,
				map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)})
			if info.status != http.StatusOK {
				t.Fatalf("userinfo %d %s", info.status, info.body)
			}
			doc := info.json(t)
			if claims["sub"] != tc.id.ID || doc["sub"] != tc.id.ID {
				t.Errorf("sub: id_token %v, userinfo %v", claims["sub"], doc["sub"])
			}
			for k, v := range tc.want {
				if claims[k] != v || doc[k] != v {
					t.Errorf("%s: id_token %#v, userinfo %#v, want %#v", k, claims[k], doc[k], v)
				}
			}
			for _, k := range []string{"name", "picture", "email", "email_verified", "phone_number", "phone_number_verified"} {
				if claims[k] != doc[k] {
					t.Errorf("%s: id_token %#v, userinfo %#v", k, claims[k], doc[k])
				}
			}
		})
	}
}

func TestOIDCAuthorizationRules(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{RequirePKCE: true})
	for name, tc := range map[string]struct {
		q    url.Values
		want string
	}{
		"no openid":  {url.Values{"scope": {"email profile"}}, "openid"},
		"no scope":   {url.Values{"scope": nil}, "openid"},
		"no PKCE":    {url.Values{"code_challenge": nil, "code_challenge_method": nil}, "code_challenge is required"},
		"token flow": {url.Values{"response_type": {"id_token"}}, "response_type"},
		"plain PKCE": {url.Values{"code_challenge_method": {"plain"}}, "S256"},
		"no state":   {url.Values{"state": {""}}, "state"},
	} {
		if _, err := p.Approve(oidcAuthURL(p, tc.q), ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	// The nonce is recorded with the grant; without one the id_token has
	// none.
	c := p.Client()
	cb, err := p.Approve(oidcAuthURL(p, url.Values{"nonce": nil}), "")
	if err != nil {
		t.Fatal(err)
	}
	a := oidcRedeem(t, p, c, cb)
	if _, claims := unverified(t, a.json(t)["id_token"].(string)); claims["nonce"] != nil {
		t.Errorf("nonce %v without one requested", claims["nonce"])
	}
	// A wrong PKCE verifier is refused.
	cb, _ = p.Approve(oidcAuthURL(p, nil), "")
	form := tokenForm(p, cb.Get("code"))
	form.Set("code_verifier", testVerifier+"x")
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), form, nil); a.status != http.StatusBadRequest || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %s", a.status, a.body)
	}
	// Public client: PKCE is required, no secret.
	pub := oidcMock(OIDCOptions{AuthMethod: AuthNone})
	if pub.ClientSecret() != "" {
		t.Errorf("public client secret %q", pub.ClientSecret())
	}
	if _, err := pub.Approve(oidcAuthURL(pub, url.Values{"code_challenge": nil, "code_challenge_method": nil}), ""); err == nil {
		t.Errorf("a public client signs in without PKCE")
	}
}

// authorizeGET sends the browser's GET to the authorization endpoint and
// returns the answer without following it.
func authorizeGET(t *testing.T, p *OIDC, u string) answer {
	t.Helper()
	return call(t, noRedirects(p.Client()), http.MethodGet, u, nil, nil)
}

// callbackParams returns the parameters of a redirect to the client.
func callbackParams(t *testing.T, a answer) url.Values {
	t.Helper()
	if a.status != http.StatusFound {
		t.Fatalf("authorization answer %d %s", a.status, a.body)
	}
	u, err := url.Parse(a.header.Get("Location"))
	if err != nil || u.Host != "app.example.com" {
		t.Fatalf("Location %q", a.header.Get("Location"))
	}
	raw := u.RawQuery
	if u.Fragment != "" {
		raw = u.EscapedFragment()
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOIDCIssParameter(t *testing.T) {
	t.Parallel()
	for _, advertised := range []bool{true, false} {
		t.Run(fmt.Sprintf("advertised=%v", advertised), func(t *testing.T) {
			t.Parallel()
			p := oidcMock(OIDCOptions{IssParameter: advertised})
			want := ""
			if advertised {
				want = p.Issuer()
			}
			checkIss := func(what string, v url.Values, want string) {
				t.Helper()
				if got := v.Get("iss"); got != want || v.Has("iss") != (want != "") {
					t.Errorf("%s: iss %q (present %v), want %q", what, got, v.Has("iss"), want)
				}
			}
			cb, err := p.Approve(oidcAuthURL(p, nil), "")
			if err != nil {
				t.Fatal(err)
			}
			checkIss("Approve", cb, want)
			if cb.Get("code") == "" || cb.Get("state") != "state-123" {
				t.Errorf("Approve %v", cb)
			}
			cb, err = p.Deny(oidcAuthURL(p, nil))
			if err != nil || cb.Get("error") != "access_denied" {
				t.Fatalf("Deny %v %v", cb, err)
			}
			checkIss("Deny", cb, want)

			// Through the authorization page: success, error in the query,
			// the fragment and a form_post page, and Cancel.
			p.AutoApprove(DefaultOIDCIdentities[1].ID)
			v := callbackParams(t, authorizeGET(t, p, oidcAuthURL(p, nil)))
			checkIss("page success", v, want)
			p.AutoApprove("")
			v = callbackParams(t, authorizeGET(t, p, oidcAuthURL(p, url.Values{"scope": {"email"}})))
			if v.Get("error") != "invalid_scope" || v.Get("state") != "state-123" {
				t.Errorf("no openid: %v", v)
			}
			checkIss("page error", v, want)
			v = callbackParams(t, authorizeGET(t, p, oidcAuthURL(p, url.Values{"scope": {"email"}, "response_mode": {"fragment"}})))
			if v.Get("error") != "invalid_scope" {
				t.Errorf("fragment error: %v", v)
			}
			checkIss("fragment error", v, want)
			page := authorizeGET(t, p, oidcAuthURL(p, url.Values{"scope": {"email"}, "response_mode": {"form_post"}}))
			if page.status != http.StatusOK || !strings.Contains(page.body, `name="error" value="invalid_scope"`) {
				t.Fatalf("form_post error: %d %s", page.status, page.body)
			}
			if has := strings.Contains(page.body, `<input type="hidden" name="iss" value="`+want+`">`); has != advertised {
				t.Errorf("form_post error page has iss: %v, want %v:\n%s", has, advertised, page.body)
			}
			q, _ := url.Parse(oidcAuthURL(p, nil))
			cancel := call(t, noRedirects(p.Client()), http.MethodPost, p.URL(EndpointAuthorize),
				url.Values{"request": {q.RawQuery}, "cancel": {"1"}}, nil)
			v = callbackParams(t, cancel)
			if v.Get("error") != "access_denied" {
				t.Errorf("cancel: %v", v)
			}
			checkIss("page cancel", v, want)

			// The faults.
			other := p.Issuer() + "/other"
			p.SetFailure(EndpointAuthorize, Failure{Mode: WrongIssParameter, Times: 3})
			cb, _ = p.Approve(oidcAuthURL(p, nil), "")
			checkIss("WrongIssParameter Approve", cb, other)
			cb, _ = p.Deny(oidcAuthURL(p, nil))
			checkIss("WrongIssParameter Deny", cb, other)
			v = callbackParams(t, authorizeGET(t, p, oidcAuthURL(p, url.Values{"scope": {"email"}})))
			checkIss("WrongIssParameter page error", v, other)
			cb, _ = p.Approve(oidcAuthURL(p, nil), "")
			checkIss("after Times", cb, want)
			if !p.Supports(EndpointAuthorize, WrongIssParameter) || p.Supports(EndpointAuthorize, MissingIssParameter) != advertised {
				t.Errorf("Supports: WrongIssParameter %v, MissingIssParameter %v",
					p.Supports(EndpointAuthorize, WrongIssParameter), p.Supports(EndpointAuthorize, MissingIssParameter))
			}
			p.Fail(EndpointAuthorize, MissingIssParameter)
			cb, _ = p.Approve(oidcAuthURL(p, nil), "")
			checkIss("MissingIssParameter", cb, "")
			v = callbackParams(t, authorizeGET(t, p, oidcAuthURL(p, url.Values{"scope": {"email"}})))
			checkIss("MissingIssParameter page error", v, "")
		})
	}
}

func TestOIDCRefresh(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{Algorithm: "ES256"})
	c := p.Client()
	keys := fetchJWKS(t, p, c)
	tok := oidcSignIn(t, p, c, DefaultOIDCIdentities[2].ID)
	first, err := verifyOIDC(keys, tok["id_token"].(string), p.Issuer(), p.ClientID(), oidcNonce)
	if err != nil {
		t.Fatal(err)
	}
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}, nil)
	if a.status != http.StatusOK {
		t.Fatalf("refresh %d %s", a.status, a.body)
	}
	re := a.json(t)
	if re["access_token"] == tok["access_token"] || re["access_token"] == nil {
		t.Errorf("refresh gave access token %v", re["access_token"])
	}
	claims, err := verifyOIDC(keys, re["id_token"].(string), p.Issuer(), p.ClientID(), "")
	if err != nil {
		t.Fatalf("refreshed id_token: %v", err)
	}
	if claims["sub"] != first["sub"] || claims["auth_time"] != first["auth_time"] {
		t.Errorf("refreshed sub %v auth_time %v, first %v %v", claims["sub"], claims["auth_time"], first["sub"], first["auth_time"])
	}
	if _, ok := claims["nonce"]; ok {
		t.Errorf("refreshed id_token has a nonce: %v", claims)
	}
	if claims["at_hash"] != atHash(re["access_token"].(string)) {
		t.Errorf("refreshed at_hash %v", claims["at_hash"])
	}
	if re["id_token"] == tok["id_token"] {
		t.Errorf("the refresh gave the same id_token")
	}
}

func TestOIDCUserInfo(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{})
	c := p.Client()
	tok := oidcSignIn(t, p, c, "")
	bearer := map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		var form url.Values
		if m == http.MethodPost {
			form = url.Values{}
		}
		if a := call(t, c, m, p.URL(EndpointUserInfo), form, bearer); a.status != http.StatusOK || a.json(t)["sub"] != DefaultOIDCIdentities[0].ID {
			t.Errorf("%s userinfo %d %s", m, a.status, a.body)
		}
	}
	a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, nil)
	if a.status != http.StatusUnauthorized || !strings.Contains(a.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("no token: %d %v", a.status, a.header)
	}
	p.Fail(EndpointUserInfo, SubjectMismatch)
	a = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer)
	if sub := a.json(t)["sub"]; a.status != http.StatusOK || sub != DefaultOIDCIdentities[1].ID {
		t.Errorf("SubjectMismatch: %d sub %v", a.status, sub)
	}
	p.Fail(EndpointUserInfo, DuplicateNames)
	a = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer)
	if strings.Count(a.body, `"sub":`) != 2 {
		t.Errorf("DuplicateNames: %s", a.body)
	}
	p.Fail(EndpointUserInfo, MissingID)
	if a = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer); strings.Contains(a.body, `"sub"`) || a.status != http.StatusOK {
		t.Errorf("MissingID: %d %s", a.status, a.body)
	}

	none := oidcMock(OIDCOptions{NoUserInfo: true})
	if none.URL(EndpointUserInfo) != "" || slices.Contains(none.Endpoints(), EndpointUserInfo) || none.Supports(EndpointUserInfo, OK) {
		t.Errorf("NoUserInfo: URL %q, endpoints %v", none.URL(EndpointUserInfo), none.Endpoints())
	}
	if a := call(t, none.Client(), http.MethodGet, none.BaseURL()+"/userinfo", nil, nil); a.status != http.StatusNotFound {
		t.Errorf("NoUserInfo GET /userinfo: %d", a.status)
	}
	if none.Supports(EndpointToken, MissingToken) || !p.Supports(EndpointToken, MissingToken) {
		t.Errorf("MissingToken is listed only with a userinfo endpoint")
	}
}

func TestOIDCTokenFaults(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{})
	c := p.Client()
	keys := fetchJWKS(t, p, c)
	for _, tc := range []struct {
		mode  Mode
		check func(claims jwt.MapClaims, err error) bool
	}{
		{MissingID, func(c jwt.MapClaims, err error) bool { return err != nil && c["sub"] == nil }},
		{WrongTypes, func(c jwt.MapClaims, err error) bool { return err != nil && c["sub"] == float64(12345) }},
		{BadSignature, func(_ jwt.MapClaims, err error) bool { return errors.Is(err, jwt.ErrTokenSignatureInvalid) }},
		{WrongIssuer, func(c jwt.MapClaims, err error) bool {
			return errors.Is(err, jwt.ErrTokenInvalidIssuer) && c["iss"] == p.Issuer()+"/other"
		}},
		{WrongAudience, func(c jwt.MapClaims, err error) bool {
			return errors.Is(err, jwt.ErrTokenInvalidAudience) && c["aud"] == p.ClientID()+"-other"
		}},
		{Expired, func(_ jwt.MapClaims, err error) bool { return errors.Is(err, jwt.ErrTokenExpired) }},
		{WrongNonce, func(c jwt.MapClaims, err error) bool { return err != nil && c["nonce"] != oidcNonce }},
		{UnknownKey, func(_ jwt.MapClaims, err error) bool { return errors.Is(err, errUnknownKid) }},
		{AlgNone, func(_ jwt.MapClaims, err error) bool { return errors.Is(err, jwt.ErrTokenSignatureInvalid) }},
	} {
		if !p.Supports(EndpointToken, tc.mode) {
			t.Errorf("%s is not supported at the token endpoint", tc.mode)
		}
		p.Fail(EndpointToken, tc.mode)
		raw := oidcSignIn(t, p, c, "")["id_token"].(string)
		_, claims := unverified(t, raw)
		if _, err := verifyOIDC(keys, raw, p.Issuer(), p.ClientID(), oidcNonce); !tc.check(claims, err) {
			t.Errorf("%s: claims %v, verification error %v", tc.mode, claims, err)
		}
	}
	p.Fail(EndpointToken, MissingIDToken)
	if tok := oidcSignIn(t, p, c, ""); tok["id_token"] != nil || tok["access_token"] == nil {
		t.Errorf("MissingIDToken: %v", tok)
	}
	p.Fail(EndpointToken, MissingToken)
	if tok := oidcSignIn(t, p, c, ""); tok["id_token"] == nil || tok["access_token"] != nil {
		t.Errorf("MissingToken: %v", tok)
	}
	p.ClearFailures()
	if _, err := verifyOIDC(keys, oidcSignIn(t, p, c, "")["id_token"].(string), p.Issuer(), p.ClientID(), oidcNonce); err != nil {
		t.Errorf("after ClearFailures: %v", err)
	}
	cases := p.ErrorCases()
	var names []string
	for _, ec := range cases {
		names = append(names, ec.Name)
		if strings.HasPrefix(ec.Name, "id_token_") && (ec.Endpoint != EndpointToken || ec.Code != "social_invalid_id_token") {
			t.Errorf("error case %+v", ec)
		}
		if !p.Supports(ec.Endpoint, ec.Failure.Mode) {
			t.Errorf("error case %s: mode %s is not supported at %s", ec.Name, ec.Failure.Mode, ec.Endpoint)
		}
	}
	if !slices.Contains(names, "invalid_client_400") || !slices.Contains(names, "id_token_AlgNone") {
		t.Errorf("ErrorCases %v", names)
	}
}

// TestOIDCGenericFailures renders the generic modes at the discovery, JWKS
// and token endpoints.
func TestOIDCGenericFailures(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{})
	p.SetHangLimit(20 * time.Millisecond)
	c := noRedirects(p.Client())
	isJSON := func(a answer) bool { return json.Valid([]byte(a.body)) }
	for _, tc := range []struct {
		e      Endpoint
		f      Failure
		status int
		check  func(a answer) bool
	}{
		{EndpointDiscovery, Failure{Mode: WrongIssuer}, 200, func(a answer) bool {
			var d map[string]any
			return json.Unmarshal([]byte(a.body), &d) == nil && d["issuer"] == p.Issuer()+"/other"
		}},
		{EndpointDiscovery, Failure{Mode: DuplicateNames}, 200, func(a answer) bool {
			return strings.Count(a.body, `"issuer":`) == 2 && strings.Contains(a.body, `"issuer":"twin-`+p.Issuer()+`"`)
		}},
		{EndpointDiscovery, Failure{Mode: ServerError}, 500, isJSON},
		{EndpointDiscovery, Failure{Mode: Unavailable}, 503, isJSON},
		{EndpointDiscovery, Failure{Mode: HTMLPage}, 200, func(a answer) bool { return strings.HasPrefix(a.header.Get("Content-Type"), "text/html") }},
		{EndpointDiscovery, Failure{Mode: TruncatedJSON}, 200, func(a answer) bool { return !isJSON(a) && strings.HasPrefix(a.body, `{"authorization_endpoint"`) }},
		{EndpointDiscovery, Failure{Mode: Redirect}, 302, func(a answer) bool { return a.header.Get("Location") == p.URL(EndpointRedirectTarget) }},
		{EndpointDiscovery, Failure{Mode: Hang}, 504, isJSON},
		{EndpointDiscovery, Failure{Mode: Custom, Status: 404, Body: "not here"}, 404, func(a answer) bool { return a.body == "not here" }},
		{EndpointJWKS, Failure{Mode: ServerError}, 500, isJSON},
		{EndpointJWKS, Failure{Mode: HTMLPage}, 200, func(a answer) bool { return strings.HasPrefix(a.header.Get("Content-Type"), "text/html") }},
		{EndpointJWKS, Failure{Mode: TruncatedJSON}, 200, func(a answer) bool { return !isJSON(a) && strings.HasPrefix(a.body, `{"keys":[`) }},
		{EndpointJWKS, Failure{Mode: Redirect}, 302, func(a answer) bool { return a.header.Get("Location") == p.URL(EndpointRedirectTarget) }},
		{EndpointJWKS, Failure{Mode: Hang}, 504, isJSON},
		{EndpointJWKS, Failure{Mode: Custom, Status: 404}, 404, func(a answer) bool { return a.body == "" }},
		{EndpointToken, Failure{Mode: InvalidGrant}, 400, func(a answer) bool { return strings.Contains(a.body, `"error":"invalid_grant"`) }},
		{EndpointToken, Failure{Mode: RateLimited}, 429, func(a answer) bool { return a.header.Get("Retry-After") == "7" }},
		{EndpointToken, Failure{Mode: ServerError}, 500, isJSON},
		{EndpointToken, Failure{Mode: HTMLPage}, 200, func(a answer) bool { return !isJSON(a) }},
		{EndpointToken, Failure{Mode: Redirect}, 302, func(a answer) bool { return strings.Contains(a.body, RedirectBodyMarker) }},
		{EndpointToken, Failure{Mode: Hang}, 504, isJSON},
	} {
		name := string(tc.e) + "/" + string(tc.f.Mode)
		if !p.Supports(tc.e, tc.f.Mode) {
			t.Errorf("%s is not supported", name)
		}
		p.SetFailure(tc.e, tc.f)
		var a answer
		if tc.e == EndpointToken {
			cb, err := p.Approve(oidcAuthURL(p, nil), "")
			if err != nil {
				t.Fatal(err)
			}
			a = oidcRedeem(t, p, c, cb)
		} else {
			a = call(t, c, http.MethodGet, p.URL(tc.e), nil, nil)
		}
		if a.status != tc.status || !tc.check(a) {
			t.Errorf("%s: %d %v %.200s", name, a.status, a.header, a.body)
		}
		p.ClearFailures()
	}
	if tok := oidcSignIn(t, p, c, ""); tok["id_token"] == nil {
		t.Errorf("after the failures: %v", tok)
	}
	p.Fail(EndpointToken, DuplicateNames)
	cb, _ := p.Approve(oidcAuthURL(p, nil), "")
	if a := oidcRedeem(t, p, c, cb); strings.Count(a.body, `"access_token":`) != 2 || !strings.Contains(a.body, `"id_token":`) {
		t.Errorf("DuplicateNames: %s", a.body)
	}
}

func TestOIDCSupports(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{IssParameter: true})
	for e, modes := range map[Endpoint][]Mode{
		EndpointDiscovery: {OK, WrongIssuer, ServerError, Unavailable, HTMLPage, TruncatedJSON, Redirect, Hang, Custom, DuplicateNames},
		EndpointJWKS:      {OK, ServerError, HTMLPage, TruncatedJSON, Redirect, Hang, Custom},
		EndpointAuthorize: {OK, WrongIssParameter, MissingIssParameter},
		EndpointToken: {MissingID, WrongTypes, BadSignature, WrongIssuer, WrongAudience, Expired, WrongNonce, UnknownKey,
			AlgNone, InvalidGrant, DuplicateNames, ServerError, RateLimited, HTMLPage, TruncatedJSON, Redirect, Hang,
			MissingIDToken, MissingToken},
		EndpointUserInfo: {SubjectMismatch, MissingID, WrongTypes, CaseTwins, DuplicateNames, CustomID, Unauthorized, RateLimited},
	} {
		for _, m := range modes {
			if !p.Supports(e, m) {
				t.Errorf("Supports(%s, %s) = false", e, m)
			}
		}
	}
	for e, modes := range map[Endpoint][]Mode{
		EndpointDiscovery: {MissingIDToken, SubjectMismatch, BadSignature},
		EndpointJWKS:      {WrongIssuer, DuplicateNames},
		EndpointAuthorize: {ServerError, Redirect, BadSignature},
		EndpointToken:     {SubjectMismatch, WrongIssParameter},
		EndpointUserInfo:  {MissingIDToken, BadSignature},
		EndpointRevoke:    {OK},
	} {
		for _, m := range modes {
			if p.Supports(e, m) {
				t.Errorf("Supports(%s, %s) = true", e, m)
			}
		}
	}
	if got := p.Endpoints(); !slices.Equal(got, []Endpoint{EndpointDiscovery, EndpointAuthorize, EndpointToken, EndpointUserInfo, EndpointJWKS}) {
		t.Errorf("Endpoints %v", got)
	}
}

func TestOIDCKeyRotation(t *testing.T) {
	t.Parallel()
	eachAlgorithm(t, func(t *testing.T, p *OIDC, _ string) {
		c := p.Client()
		old := p.KeyIDs()
		before := oidcSignIn(t, p, c, "")["id_token"].(string)
		p.RotateKey(true)
		ids := p.KeyIDs()
		if len(ids) != 2 || ids[1] != old[0] || p.PublicKey(ids[0]) == nil {
			t.Fatalf("after rotation %v (was %v)", ids, old)
		}
		keys := fetchJWKS(t, p, c)
		if _, err := verifyOIDC(keys, before, p.Issuer(), p.ClientID(), oidcNonce); err != nil {
			t.Errorf("an old token no longer verifies with the old key kept: %v", err)
		}
		after := oidcSignIn(t, p, c, "")["id_token"].(string)
		if tok, _ := unverified(t, after); tok.Header["kid"] != ids[0] {
			t.Errorf("new tokens are signed with %v, not the new key %s", tok.Header["kid"], ids[0])
		}
		if _, err := verifyOIDC(keys, after, p.Issuer(), p.ClientID(), oidcNonce); err != nil {
			t.Errorf("a new token does not verify: %v", err)
		}
		p.RotateKey(false)
		keys = fetchJWKS(t, p, c)
		if len(keys) != 1 || len(p.KeyIDs()) != 1 {
			t.Fatalf("old keys kept: %d", len(keys))
		}
		if _, err := verifyOIDC(keys, before, p.Issuer(), p.ClientID(), oidcNonce); !errors.Is(err, errUnknownKid) {
			t.Errorf("a token signed with a dropped key: %v", err)
		}
		if n := p.Requests(EndpointJWKS); n != 2 {
			t.Errorf("Requests(jwks) = %d after 2 fetches", n)
		}
	})
}

// TestOIDCRequestCounts signs in many times as a client that caches the
// discovery document and the JWKS does: each is counted once.
func TestOIDCRequestCounts(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{Algorithm: "ES256"})
	c := p.Client()
	doc := call(t, c, http.MethodGet, p.URL(EndpointDiscovery), nil, nil).json(t)
	keys := fetchJWKS(t, p, c)
	const n = 50
	for range n {
		tok := oidcSignIn(t, p, c, "")
		if _, err := verifyOIDC(keys, tok["id_token"].(string), doc["issuer"].(string), p.ClientID(), oidcNonce); err != nil {
			t.Fatal(err)
		}
	}
	got := map[Endpoint]int{}
	for _, e := range append(p.Endpoints(), EndpointRedirectTarget) {
		got[e] = p.Requests(e)
	}
	want := map[Endpoint]int{EndpointDiscovery: 1, EndpointJWKS: 1, EndpointToken: n, EndpointAuthorize: 0,
		EndpointUserInfo: 0, EndpointRedirectTarget: 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Requests %v, want %v", got, want)
	}
}

func TestOIDCRevocation(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{Revocation: true, AuthMethod: AuthClientSecretBasic})
	c := p.Client()
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString(
		[]byte(url.QueryEscape(p.ClientID())+":"+url.QueryEscape(p.ClientSecret())))}
	cb, _ := p.Approve(oidcAuthURL(p, nil), "")
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), url.Values{"grant_type": {"authorization_code"},
		"code": {cb.Get("code")}, "redirect_uri": {"https://app.example.com/cb"}, "code_verifier": {testVerifier}}, basic)
	if a.status != http.StatusOK {
		t.Fatalf("token %d %s %v", a.status, a.body, p.Problems())
	}
	rt := a.json(t)["refresh_token"].(string)
	if a := call(t, c, http.MethodPost, p.URL(EndpointRevoke), url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}, basic); a.status != http.StatusOK {
		t.Fatalf("revoke %d %s %v", a.status, a.body, p.Problems())
	}
	if r := p.Revoked(); len(r) != 1 || r[0] != rt {
		t.Errorf("Revoked %v", r)
	}
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basic); a.status != http.StatusBadRequest || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("refresh after revoke: %d %s", a.status, a.body)
	}
	for name, tc := range map[string]struct {
		method string
		form   url.Values
		header map[string]string
		status int
		code   string
	}{
		"GET":             {http.MethodGet, nil, basic, 405, "invalid_request"},
		"no token":        {http.MethodPost, url.Values{}, basic, 400, "invalid_request"},
		"bad hint":        {http.MethodPost, url.Values{"token": {"x"}, "token_type_hint": {"id_token"}}, basic, 400, "unsupported_token_type"},
		"secret in form":  {http.MethodPost, url.Values{"token": {"x"}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}, nil, 401, "invalid_client"},
		"no credentials":  {http.MethodPost, url.Values{"token": {"x"}}, nil, 401, "invalid_client"},
		"unknown is fine": {http.MethodPost, url.Values{"token": {"never-issued"}}, basic, 200, ""},
	} {
		a := call(t, c, tc.method, p.URL(EndpointRevoke), tc.form, tc.header)
		if a.status != tc.status || (tc.code != "" && a.json(t)["error"] != tc.code) {
			t.Errorf("revoke %s: %d %s", name, a.status, a.body)
		}
	}
	plain := oidcMock(OIDCOptions{})
	if plain.URL(EndpointRevoke) != "" {
		t.Errorf("revoke endpoint without Revocation: %s", plain.URL(EndpointRevoke))
	}
	if a := call(t, plain.Client(), http.MethodPost, plain.BaseURL()+"/revoke", url.Values{"token": {"x"}}, nil); a.status != http.StatusNotFound {
		t.Errorf("POST /revoke without Revocation: %d", a.status)
	}
}

func TestOIDCClientAuthentication(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{})
	c := p.Client()
	if !strings.HasPrefix(p.ClientSecret(), "cs-") || p.ClientID() != "oidc-client" {
		t.Errorf("credentials %q %q", p.ClientID(), p.ClientSecret())
	}
	assertion := func() string {
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": p.ClientID(), "sub": p.ClientID(),
			"aud": p.URL(EndpointToken), "jti": randHex(8), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
		s, err := tok.SignedString([]byte(p.ClientSecret()))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for name, tc := range map[string]struct {
		mutate func(url.Values, map[string]string)
		status int
	}{
		"post": {func(url.Values, map[string]string) {}, 200},
		"basic": {func(f url.Values, h map[string]string) {
			f.Del("client_secret")
			h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(p.ClientID())+":"+url.QueryEscape(p.ClientSecret())))
		}, 200},
		"jwt": {func(f url.Values, _ map[string]string) {
			f.Del("client_secret")
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			f.Set("client_assertion", assertion())
		}, 200},
		"wrong secret": {func(f url.Values, _ map[string]string) { f.Set("client_secret", "nope") }, 401},
		"none":         {func(f url.Values, _ map[string]string) { f.Del("client_secret") }, 401},
	} {
		cb, _ := p.Approve(oidcAuthURL(p, nil), "")
		form := tokenForm(p, cb.Get("code"))
		form.Set("code_verifier", testVerifier)
		header := map[string]string{}
		tc.mutate(form, header)
		if a := call(t, c, http.MethodPost, p.URL(EndpointToken), form, header); a.status != tc.status {
			t.Errorf("%s: %d %s", name, a.status, a.body)
		}
	}
	basicOnly := oidcMock(OIDCOptions{AuthMethod: AuthClientSecretBasic, ClientID: "app", ClientSecret: "s3cret"})
	cb, _ := basicOnly.Approve(oidcAuthURL(basicOnly, nil), "")
	if a := oidcRedeem(t, basicOnly, basicOnly.Client(), cb); a.status != http.StatusUnauthorized {
		t.Errorf("client_secret_post to a basic-only client: %d %s", a.status, a.body)
	}
}

func TestOIDCCloneAndSecrets(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{Algorithm: "ES256", IssParameter: true})
	c := p.Client()
	tok := oidcSignIn(t, p, c, "")
	secrets := p.Secrets()
	is := p.Issued()
	for _, s := range []string{p.ClientSecret(), is.Codes[0], tok["access_token"].(string), tok["refresh_token"].(string), tok["id_token"].(string)} {
		if !slices.Contains(secrets, s) {
			t.Errorf("Secrets lacks %.20s…", s)
		}
	}
	n := p.Clone().(*OIDC)
	if n.ClientID() != p.ClientID() || n.ClientSecret() != p.ClientSecret() || !slices.Equal(n.KeyIDs(), p.KeyIDs()) {
		t.Errorf("clone: %s %s %v, original %s %s %v", n.ClientID(), n.ClientSecret(), n.KeyIDs(), p.ClientID(), p.ClientSecret(), p.KeyIDs())
	}
	if len(n.Issued().Codes) != 0 || n.Requests(EndpointToken) != 0 || len(n.Secrets()) != 1 {
		t.Errorf("the clone has state: %v %d", n.Issued(), n.Requests(EndpointToken))
	}
	// The clone's id_tokens verify with the original's keys, and carry
	// the settings (iss parameter) over.
	cb, _ := n.Approve(oidcAuthURL(n, nil), "")
	if cb.Get("iss") != n.Issuer() {
		t.Errorf("clone lost IssParameter: %v", cb)
	}
	a := oidcRedeem(t, n, n.Client(), cb)
	if _, err := verifyOIDC(fetchJWKS(t, p, c), a.json(t)["id_token"].(string), p.Issuer(), p.ClientID(), oidcNonce); err != nil {
		t.Errorf("a clone's id_token does not verify with the original's JWKS: %v", err)
	}
	n.RotateKey(false)
	if slices.Equal(n.KeyIDs(), p.KeyIDs()) || len(p.KeyIDs()) != 1 {
		t.Errorf("rotating the clone changed the original: %v %v", n.KeyIDs(), p.KeyIDs())
	}
}

func TestOIDCClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	p := oidcMock(OIDCOptions{Now: func() time.Time { return now }})
	_, claims := unverified(t, oidcSignIn(t, p, p.Client(), "")["id_token"].(string))
	if claims["iat"] != float64(now.Unix()) || claims["auth_time"] != float64(now.Unix()) ||
		claims["exp"] != float64(now.Add(idTokenTTL).Unix()) {
		t.Errorf("claims %v", claims)
	}
}

func TestOIDCStart(t *testing.T) {
	t.Parallel()
	p := oidcMock(OIDCOptions{IssParameter: true})
	base, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := &http.Client{Timeout: 10 * time.Second}
	doc := call(t, c, http.MethodGet, p.URL(EndpointDiscovery), nil, nil).json(t)
	if doc["issuer"] != base || p.Issuer() != base || doc["jwks_uri"] != base+"/jwks" {
		t.Errorf("discovery after Start: %v (base %s)", doc, base)
	}
	cb, err := p.Approve(oidcAuthURL(p, nil), "")
	if err != nil || cb.Get("iss") != base {
		t.Fatalf("Approve after Start: %v %v", cb, err)
	}
	a := oidcRedeem(t, p, c, cb)
	if _, err := verifyOIDC(fetchJWKS(t, p, c), a.json(t)["id_token"].(string), base, p.ClientID(), oidcNonce); err != nil {
		t.Errorf("id_token after Start: %v", err)
	}
}

func TestOIDCBadAlgorithm(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "HS256") {
			t.Errorf("NewOIDC with HS256: recovered %v", r)
		}
	}()
	NewOIDC(OIDCOptions{Algorithm: "HS256"})
}

// FuzzOIDCAuthorize sends hostile authorization requests: the mock answers
// each with a page, a callback or an error, and never panics.
func FuzzOIDCAuthorize(f *testing.F) {
	p := oidcMock(OIDCOptions{IssParameter: true})
	p.AutoApprove(DefaultOIDCIdentities[0].ID)
	for _, s := range []string{
		"", "client_id=oidc-client", oidcAuthURLQuery(p, nil), oidcAuthURLQuery(p, url.Values{"scope": {"email"}}),
		oidcAuthURLQuery(p, url.Values{"scope": {"x"}, "response_mode": {"fragment"}}),
		oidcAuthURLQuery(p, url.Values{"redirect_uri": {"https://app.example.com/cb?error=x#frag"}}),
		"client_id=oidc-client&redirect_uri=https%3A%2F%2Fa%2F%25zz&state=%zz", "%%%&&&===",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "https://oidc.mock.test/authorize", nil)
		req.URL.RawQuery = query
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusFound, http.StatusBadRequest:
		default:
			t.Errorf("status %d for %q", w.Code, query)
		}
		if loc := w.Header().Get("Location"); w.Code == http.StatusFound {
			if _, err := url.Parse(loc); err != nil {
				t.Errorf("Location %q: %v", loc, err)
			}
		}
	})
}

func oidcAuthURLQuery(p *OIDC, extra url.Values) string {
	u, _ := url.Parse(oidcAuthURL(p, extra))
	return u.RawQuery
}
