package mockprovider

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestOAuth2HappyPathEveryAuthMethod(t *testing.T) {
	t.Parallel()
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	for _, tc := range []struct {
		name   string
		method string
		pkce   bool
		auth   func(p *OAuth2, f url.Values) map[string]string
	}{
		{"post", AuthClientSecretPost, false, func(*OAuth2, url.Values) map[string]string { return nil }},
		{"basic", AuthClientSecretBasic, true, func(p *OAuth2, f url.Values) map[string]string {
			f.Del("client_id")
			f.Del("client_secret")
			return map[string]string{"Authorization": basic(p.ClientID(), p.ClientSecret())}
		}},
		{"jwt", AuthClientSecretJWT, false, func(p *OAuth2, f url.Values) map[string]string {
			f.Del("client_secret")
			tok := jwt.NewWithClaims(jwt.SigningMethodHS384, jwt.MapClaims{
				"iss": p.ClientID(), "sub": p.ClientID(), "aud": p.URL(EndpointToken), "jti": randHex(8),
				"iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
			})
			s, err := tok.SignedString([]byte(p.ClientSecret()))
			if err != nil {
				panic(err)
			}
			f.Set("client_assertion_type", jwtBearerType)
			f.Set("client_assertion", s)
			return nil
		}},
		{"none", AuthNone, true, func(_ *OAuth2, f url.Values) map[string]string { f.Del("client_secret"); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := NewOAuth2(OAuth2Options{AuthMethod: tc.method})
			c := p.Client()
			extra := url.Values{"scope": {"openid email"}}
			if tc.pkce {
				extra.Set("code_challenge", challenge(testVerifier))
				extra.Set("code_challenge_method", "S256")
			}
			code := codeFor(t, p, authURL(p, extra), "u-1002")
			f := tokenForm(p, code)
			if tc.pkce {
				f.Set("code_verifier", testVerifier)
			}
			h := tc.auth(p, f)
			a := call(t, c, http.MethodPost, p.URL(EndpointToken), f, h)
			if a.status != 200 {
				t.Fatalf("token: %d %s; problems %v", a.status, a.body, p.Problems())
			}
			tok := a.json(t)
			if tok["token_type"] != "Bearer" || tok["scope"] != "openid email" || tok["refresh_token"] == "" {
				t.Errorf("token response %v", tok)
			}
			at, _ := tok["access_token"].(string)
			u := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
			prof := u.json(t)
			if u.status != 200 || prof["id"] != "u-1002" || prof["email_verified"] != false || prof["email"] != "charles@example.com" {
				t.Errorf("userinfo %d %v", u.status, prof)
			}
			// The code is single use, and a replay revokes what it gave.
			f2 := tokenForm(p, code)
			if tc.pkce {
				f2.Set("code_verifier", testVerifier)
			}
			again := call(t, c, http.MethodPost, p.URL(EndpointToken), f2, tc.auth(p, f2))
			if again.status != 400 || again.json(t)["error"] != "invalid_grant" {
				t.Errorf("replayed code: %d %s", again.status, again.body)
			}
			u = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
			if u.status != 401 {
				t.Errorf("access token still valid after a code replay: %d", u.status)
			}
			// Refresh.
			rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
				"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}
			if tc.method == AuthClientSecretPost {
				if r := call(t, c, http.MethodPost, p.URL(EndpointToken), rf, nil); r.status != 400 {
					t.Errorf("refresh with a revoked refresh token: %d %s", r.status, r.body)
				}
			}
			is := p.Issued()
			if len(is.Codes) != 1 || len(is.AccessTokens) != 1 || len(is.RefreshTokens) != 1 {
				t.Errorf("issued %+v", is)
			}
			if !slices.Contains(p.Secrets(), code) || !slices.Contains(p.Secrets(), at) {
				t.Errorf("Secrets does not list the code and the token")
			}
		})
	}
}

func TestOAuth2Refresh(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{})
	c := p.Client()
	code := codeFor(t, p, authURL(p, nil), "")
	tok := call(t, c, http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil).json(t)
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), rf, nil)
	if a.status != 200 || a.json(t)["access_token"] == tok["access_token"] {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if _, ok := a.json(t)["refresh_token"]; ok {
		t.Errorf("a refresh answered a new refresh token")
	}
}

func TestOAuth2Revocation(t *testing.T) {
	t.Parallel()
	if p := NewOAuth2(OAuth2Options{}); p.URL(EndpointRevoke) != "" {
		t.Fatalf("a revoke endpoint without Revocation: %s", p.URL(EndpointRevoke))
	}
	p := NewOAuth2(OAuth2Options{Revocation: true})
	if !strings.HasSuffix(p.URL(EndpointRevoke), "/revoke") {
		t.Fatalf("revoke endpoint %q", p.URL(EndpointRevoke))
	}
	c := p.Client()
	code := codeFor(t, p, authURL(p, nil), "")
	rt := call(t, c, http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil).json(t)["refresh_token"].(string)
	creds := func(v url.Values) url.Values {
		v.Set("client_id", p.ClientID())
		v.Set("client_secret", p.ClientSecret())
		return v
	}
	if a := call(t, c, http.MethodPost, p.URL(EndpointRevoke), url.Values{"token": {rt}}, nil); a.status != http.StatusUnauthorized {
		t.Errorf("revoke without client authentication: %d %s", a.status, a.body)
	}
	if a := call(t, c, http.MethodPost, p.URL(EndpointRevoke), creds(url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}), nil); a.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", a.status, a.body)
	}
	if got := p.Revoked(); !slices.Equal(got, []string{rt}) {
		t.Errorf("Revoked = %q", got)
	}
	rf := creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), rf, nil); a.status != http.StatusBadRequest || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("refresh with a revoked token: %d %s", a.status, a.body)
	}
	if n := p.Clone().(*OAuth2).Revoked(); len(n) != 0 {
		t.Errorf("a clone keeps the revocations: %q", n)
	}
}

func TestOAuth2TokenRequestValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   OAuth2Options
		pkce   bool
		alter  func(p *OAuth2, f url.Values, h map[string]string)
		status int
		err    string
		prob   string
	}{
		{"wrong secret", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("client_secret", "nope") }, 401, "invalid_client", "client_secret is wrong"},
		{"no client authentication", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Del("client_secret") }, 401, "invalid_client", "missing"},
		{"two methods", OAuth2Options{}, false, func(p *OAuth2, _ url.Values, h map[string]string) {
			h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(p.ClientID()+":"+p.ClientSecret()))
		}, 400, "invalid_request", "more than one"},
		{"basic not form-encoded", OAuth2Options{AuthMethod: AuthClientSecretBasic}, false, func(p *OAuth2, f url.Values, h map[string]string) {
			f.Del("client_secret")
			h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(p.ClientID()+":"+p.ClientSecret()))
		}, 401, "invalid_client", "RFC 6749"},
		{"basic not base64", OAuth2Options{AuthMethod: AuthClientSecretBasic}, false, func(_ *OAuth2, f url.Values, h map[string]string) {
			f.Del("client_secret")
			h["Authorization"] = "Basic !!!"
		}, 401, "invalid_client", "base64"},
		{"bearer header", OAuth2Options{}, false, func(_ *OAuth2, _ url.Values, h map[string]string) { h["Authorization"] = "Bearer x" }, 401, "invalid_client", "Basic scheme"},
		{"wrong method", OAuth2Options{AuthMethod: AuthClientSecretBasic}, false, func(*OAuth2, url.Values, map[string]string) {}, 401, "invalid_client", "must use client_secret_basic"},
		{"other client_id", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("client_id", "x") }, 401, "invalid_client", "registered client"},
		{"unknown code", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("code", "nope") }, 400, "invalid_grant", "unknown"},
		{"no code", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Del("code") }, 400, "invalid_request", "code is missing"},
		{"redirect mismatch", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("redirect_uri", "https://other.example/cb") }, 400, "invalid_grant", "does not match"},
		{"redirect missing", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Del("redirect_uri") }, 400, "invalid_grant", "redirect_uri is missing"},
		{"verifier missing", OAuth2Options{}, true, func(*OAuth2, url.Values, map[string]string) {}, 400, "invalid_grant", "code_verifier is missing"},
		{"verifier wrong", OAuth2Options{}, true, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("code_verifier", strings.Repeat("a", 43)) }, 400, "invalid_grant", "does not match"},
		{"verifier short", OAuth2Options{}, true, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("code_verifier", "short") }, 400, "invalid_grant", "43 to 128"},
		{"verifier without challenge", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("code_verifier", testVerifier) }, 400, "invalid_grant", "no code_challenge"},
		{"no grant type", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Del("grant_type") }, 400, "invalid_request", "grant_type is missing"},
		{"password grant", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Set("grant_type", "password") }, 400, "unsupported_grant_type", "not supported"},
		{"repeated parameter", OAuth2Options{}, false, func(_ *OAuth2, f url.Values, _ map[string]string) { f.Add("code", "x") }, 400, "invalid_request", "repeated"},
		{"jwt wrong audience", OAuth2Options{AuthMethod: AuthClientSecretJWT}, false, func(p *OAuth2, f url.Values, _ map[string]string) {
			f.Del("client_secret")
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": p.ClientID(), "sub": p.ClientID(),
				"aud": "https://elsewhere.example/token", "jti": "j", "exp": time.Now().Add(time.Minute).Unix()}).SignedString([]byte(p.ClientSecret()))
			f.Set("client_assertion_type", jwtBearerType)
			f.Set("client_assertion", s)
		}, 401, "invalid_client", "client_assertion is invalid"},
		{"jwt wrong type", OAuth2Options{AuthMethod: AuthClientSecretJWT}, false, func(_ *OAuth2, f url.Values, _ map[string]string) {
			f.Del("client_secret")
			f.Set("client_assertion", "x")
		}, 401, "invalid_client", "client_assertion_type"},
		{"jwt without jti", OAuth2Options{AuthMethod: AuthClientSecretJWT}, false, func(p *OAuth2, f url.Values, _ map[string]string) {
			f.Del("client_secret")
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": p.ClientID(), "sub": p.ClientID(),
				"aud": p.URL(EndpointToken), "exp": time.Now().Add(time.Minute).Unix()}).SignedString([]byte(p.ClientSecret()))
			f.Set("client_assertion_type", jwtBearerType)
			f.Set("client_assertion", s)
		}, 401, "invalid_client", "no jti"},
		{"jwt far expiry", OAuth2Options{AuthMethod: AuthClientSecretJWT}, false, func(p *OAuth2, f url.Values, _ map[string]string) {
			f.Del("client_secret")
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": p.ClientID(), "sub": p.ClientID(), "jti": "j",
				"aud": p.URL(EndpointToken), "exp": time.Now().Add(24 * time.Hour).Unix()}).SignedString([]byte(p.ClientSecret()))
			f.Set("client_assertion_type", jwtBearerType)
			f.Set("client_assertion", s)
		}, 401, "invalid_client", "more than an hour"},
		{"public client without PKCE", OAuth2Options{AuthMethod: AuthNone}, false, nil, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := NewOAuth2(tc.opts)
			extra := url.Values{}
			if tc.pkce {
				extra.Set("code_challenge", challenge(testVerifier))
				extra.Set("code_challenge_method", "S256")
			}
			if tc.alter == nil {
				// A public client must use PKCE: the authorization is refused.
				if _, err := p.Approve(authURL(p, extra), ""); err == nil || !strings.Contains(err.Error(), "PKCE") {
					t.Fatalf("Approve without PKCE for a public client: %v", err)
				}
				return
			}
			code := codeFor(t, p, authURL(p, extra), "")
			f, h := tokenForm(p, code), map[string]string{}
			tc.alter(p, f, h)
			a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), f, h)
			if a.status != tc.status || a.json(t)["error"] != tc.err {
				t.Fatalf("got %d %s, want %d %s", a.status, a.body, tc.status, tc.err)
			}
			if ps := strings.Join(p.Problems(), "; "); !strings.Contains(ps, tc.prob) {
				t.Errorf("problems %q do not mention %q", ps, tc.prob)
			}
			if strings.Contains(strings.Join(p.Problems(), ""), p.ClientSecret()) {
				t.Errorf("a problem holds the client secret")
			}
		})
	}
}

func TestOAuth2TokenRequestShape(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{})
	c := p.Client()
	if a := call(t, c, http.MethodGet, p.URL(EndpointToken), nil, nil); a.status != 405 {
		t.Errorf("GET token: %d", a.status)
	}
	a := call(t, c, http.MethodPost, p.URL(EndpointToken)+"?code=x", url.Values{}, nil)
	if a.status != 400 || !strings.Contains(a.body, "body, not the URL query") {
		t.Errorf("query parameters: %d %s", a.status, a.body)
	}
	req, _ := http.NewRequest(http.MethodPost, p.URL(EndpointToken), strings.NewReader(`{"grant_type":"authorization_code"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("JSON token request: %d", resp.StatusCode)
	}
}

func TestOAuth2UserInfo(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{
		Profile: func(id Identity) map[string]any {
			return map[string]any{"data": map[string]any{"user": map[string]any{"id": id.ID, "mail": id.Email}}}
		},
		IDPath: "data.user.id",
	})
	c := p.Client()
	code := codeFor(t, p, authURL(p, nil), "")
	at := call(t, c, http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil).json(t)["access_token"].(string)
	bearer := map[string]string{"Authorization": "Bearer " + at}
	doc := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer).json(t)
	if doc["data"].(map[string]any)["user"].(map[string]any)["id"] != "u-1001" {
		t.Errorf("custom profile %v", doc)
	}
	p.Fail(EndpointUserInfo, MissingID)
	doc = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer).json(t)
	if _, ok := doc["data"].(map[string]any)["user"].(map[string]any)["id"]; ok {
		t.Errorf("MissingID kept the ID: %v", doc)
	}
	p.Fail(EndpointUserInfo, WrongTypes)
	doc = call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer).json(t)
	if _, ok := doc["data"].(map[string]any)["user"].(map[string]any)["id"].(map[string]any); !ok {
		t.Errorf("WrongTypes did not make the ID an object: %v", doc)
	}
	p.ClearFailures()
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}} {
		a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, h)
		if a.status != 401 || a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("userinfo with %v: %d", h, a.status)
		}
	}
	if a := call(t, c, http.MethodDelete, p.URL(EndpointUserInfo), nil, bearer); a.status != 405 {
		t.Errorf("DELETE userinfo: %d", a.status)
	}
	if a := call(t, c, http.MethodGet, p.BaseURL()+"/nowhere", nil, nil); a.status != 404 {
		t.Errorf("unknown path: %d", a.status)
	}
}

func TestOAuth2FormTokensAndFields(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{FormTokenResponse: true, TokenFields: map[string]any{"token_type": nil, "expires_in": "3600", "scope": []string{"a", "b"}}})
	code := codeFor(t, p, authURL(p, nil), "")
	a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil)
	if !strings.HasPrefix(a.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Fatalf("content type %q", a.header.Get("Content-Type"))
	}
	v, err := url.ParseQuery(a.body)
	if err != nil || v.Get("access_token") == "" || v.Has("token_type") || v.Get("expires_in") != "3600" || v.Get("scope") != `["a","b"]` {
		t.Errorf("form token response %q (%v)", a.body, err)
	}
	if p.Supports(EndpointToken, TruncatedJSON) {
		t.Errorf("a form token response claims to support TruncatedJSON")
	}
}

func TestOAuth2AuthorizationChecks(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{RedirectURIs: []string{"https://app.example.com/cb"}})
	for _, tc := range []struct {
		name  string
		extra url.Values
		want  string
	}{
		{"no client_id", url.Values{"client_id": nil}, "client_id is missing"},
		{"other client", url.Values{"client_id": {"x"}}, "not the registered client"},
		{"repeated state", url.Values{"state": {"a", "b"}}, "state is repeated"},
		{"no redirect_uri", url.Values{"redirect_uri": nil}, "redirect_uri is missing"},
		{"relative redirect_uri", url.Values{"redirect_uri": {"/cb"}}, "absolute"},
		{"unregistered redirect_uri", url.Values{"redirect_uri": {"https://evil.example/cb"}}, "not registered"},
		{"token response type", url.Values{"response_type": {"token"}}, "response_type must be code"},
		{"no state", url.Values{"state": nil}, "state is missing"},
		{"plain PKCE", url.Values{"code_challenge": {challenge(testVerifier)}, "code_challenge_method": {"plain"}}, "S256"},
		{"method without challenge", url.Values{"code_challenge_method": {"S256"}}, "without code_challenge"},
		{"short challenge", url.Values{"code_challenge": {"abc"}, "code_challenge_method": {"S256"}}, "43 base64url"},
		{"bad response mode", url.Values{"response_mode": {"web_message"}}, "response_mode"},
	} {
		if _, err := p.Approve(authURL(p, tc.extra), ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Approve error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := p.Approve("https://elsewhere.example/authorize?client_id=x", ""); err == nil {
		t.Errorf("Approve accepted another host")
	}
	if _, err := p.Approve("::", ""); err == nil {
		t.Errorf("Approve accepted garbage")
	}
	if _, err := p.Approve(authURL(p, nil)+"#frag", ""); err == nil {
		t.Errorf("Approve accepted a fragment")
	}
	if _, err := p.Approve(authURL(p, nil), "nobody"); err == nil {
		t.Errorf("Approve accepted an unknown identity")
	}
	if _, err := p.Deny(authURL(p, url.Values{"client_id": {"x"}})); err == nil {
		t.Errorf("Deny accepted another client")
	}
	cb, err := p.Deny(authURL(p, nil))
	if err != nil || cb.Get("error") != "access_denied" || cb.Get("state") != "state-123" || cb.Has("code") {
		t.Errorf("Deny: %v %v", cb, err)
	}
	if _, err := p.Deny("https://elsewhere.example/"); err == nil {
		t.Errorf("Deny accepted another host")
	}
}

func TestOAuth2AuthorizationPage(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{})
	base, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Start(); err == nil {
		t.Errorf("a second Start succeeded")
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || p.URL(EndpointToken) != base+"/token" {
		t.Fatalf("base %q, token %q", base, p.URL(EndpointToken))
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u := authURL(p, url.Values{"scope": {"openid"}})
	page := call(t, c, http.MethodGet, u, nil, nil)
	if page.status != 200 || !strings.Contains(page.body, "Continue as Ada Lovelace") || !strings.Contains(page.body, "Cancel") {
		t.Fatalf("page %d %s", page.status, page.body)
	}
	req, _ := url.Parse(u)
	post := func(form url.Values) answer {
		form.Set("request", req.RawQuery)
		return call(t, c, http.MethodPost, p.URL(EndpointAuthorize), form, nil)
	}
	a := post(url.Values{"identity": {"u-1003"}})
	loc, _ := url.Parse(a.header.Get("Location"))
	if a.status != 302 || loc.Host != "app.example.com" || loc.Query().Get("code") == "" || loc.Query().Get("state") != "state-123" {
		t.Fatalf("approve: %d %q", a.status, a.header.Get("Location"))
	}
	a = post(url.Values{"cancel": {"1"}})
	loc, _ = url.Parse(a.header.Get("Location"))
	if a.status != 302 || loc.Query().Get("error") != "access_denied" {
		t.Errorf("cancel: %d %q", a.status, a.header.Get("Location"))
	}
	if a := post(url.Values{"identity": {"nobody"}}); a.status != 400 {
		t.Errorf("unknown identity: %d", a.status)
	}
	if a := call(t, c, http.MethodPost, p.URL(EndpointAuthorize), url.Values{"request": {"%zz"}}, nil); a.status != 400 {
		t.Errorf("bad request field: %d", a.status)
	}
	if a := call(t, c, http.MethodPut, u, nil, nil); a.status != 405 {
		t.Errorf("PUT authorize: %d", a.status)
	}
	// Errors the client may see come back to the redirect URI; the others
	// are shown on an error page.
	a = call(t, c, http.MethodGet, authURL(p, url.Values{"response_type": {"token"}}), nil, nil)
	loc, _ = url.Parse(a.header.Get("Location"))
	if a.status != 302 || loc.Query().Get("error") != "unsupported_response_type" {
		t.Errorf("bad response_type: %d %q", a.status, a.header.Get("Location"))
	}
	if a := call(t, c, http.MethodGet, authURL(p, url.Values{"client_id": {"x"}}), nil, nil); a.status != 400 || !strings.Contains(a.body, "refused") {
		t.Errorf("unknown client: %d %s", a.status, a.body)
	}
	// Response modes.
	p.AutoApprove("u-1002")
	a = call(t, c, http.MethodGet, authURL(p, url.Values{"response_mode": {"fragment"}}), nil, nil)
	if a.status != 302 || !strings.Contains(a.header.Get("Location"), "#code=") {
		t.Errorf("fragment: %d %q", a.status, a.header.Get("Location"))
	}
	a = call(t, c, http.MethodGet, authURL(p, url.Values{"response_mode": {"form_post"}}), nil, nil)
	if a.status != 200 || !strings.Contains(a.body, `action="https://app.example.com/cb"`) || !strings.Contains(a.body, `name="code"`) {
		t.Errorf("form_post: %d %s", a.status, a.body)
	}
	p.AutoApprove("nobody")
	if a := call(t, c, http.MethodGet, u, nil, nil); a.status != 400 {
		t.Errorf("auto-approve as nobody: %d", a.status)
	}
	p.AutoApprove("")
	if a := call(t, c, http.MethodGet, u, nil, nil); a.status != 200 {
		t.Errorf("page after auto-approve off: %d", a.status)
	}
	if n := p.Requests(EndpointAuthorize); n < 10 {
		t.Errorf("authorize requests counted: %d", n)
	}
}

func TestOAuth2CloneAndEndpoints(t *testing.T) {
	t.Parallel()
	p := NewOAuth2(OAuth2Options{Name: "acme", Paths: map[Endpoint]string{EndpointToken: "/oauth/token"}})
	p.Fail(EndpointToken, ServerError)
	codeFor(t, p, authURL(p, nil), "")
	c := p.Clone().(*OAuth2)
	if c.ClientID() != p.ClientID() || c.ClientSecret() != p.ClientSecret() || c.URL(EndpointToken) != "https://acme.mock.test/oauth/token" {
		t.Errorf("clone settings differ: %s %s", c.ClientID(), c.URL(EndpointToken))
	}
	if len(c.Issued().Codes) != 0 {
		t.Errorf("clone kept codes")
	}
	if c.Name() != "acme" || !slices.Equal(c.Endpoints(), []Endpoint{EndpointAuthorize, EndpointToken, EndpointUserInfo}) {
		t.Errorf("name %q endpoints %v", c.Name(), c.Endpoints())
	}
	if c.URL(EndpointJWKS) != "" || c.Supports(EndpointJWKS, OK) {
		t.Errorf("the generic mock claims a JWKS endpoint")
	}
	if !c.Supports(EndpointToken, InvalidGrant) || c.Supports(EndpointAuthorize, Hang) || c.Supports(EndpointToken, InvalidRecipient) {
		t.Errorf("Supports is wrong")
	}
	if len(c.Identities()) != 3 || len(c.ErrorCases()) == 0 {
		t.Errorf("identities %d, error cases %d", len(c.Identities()), len(c.ErrorCases()))
	}
	if !DefaultOAuth2Identities[0].HasVerifiedEmail() || DefaultOAuth2Identities[1].HasVerifiedEmail() {
		t.Errorf("HasVerifiedEmail is wrong")
	}
}
