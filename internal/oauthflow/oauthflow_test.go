package oauthflow

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	tests := []struct {
		name   string
		mutate func(*Config)
		fields []string // every path that must be reported
	}{
		{"missing client ID", func(c *Config) { c.ClientID = "" }, []string{"clientId"}},
		{"missing auth URL", func(c *Config) { c.AuthURL = "" }, []string{"authorizationEndpoint"}},
		{"relative token URL", func(c *Config) { c.TokenURL = "/oauth/token" }, []string{"tokenEndpoint"}},
		{"plain http to a remote host", func(c *Config) { c.TokenURL = "http://id.example.com/token" }, []string{"tokenEndpoint"}},
		{"ftp userinfo URL", func(c *Config) { c.UserInfoURL = "ftp://id.example.com/me" }, []string{"userInfoEndpoint"}},
		{"unknown auth method", func(c *Config) { c.AuthMethod = "private_key_jwt" }, []string{"tokenEndpointAuthMethod"}},
		{"basic without secret", func(c *Config) { c.AuthMethod = AuthClientSecretBasic; c.ClientSecret = "" }, []string{"clientSecret"}},
		{"jwt without secret", func(c *Config) { c.AuthMethod = AuthClientSecretJWT; c.ClientSecret = "" }, []string{"clientSecret"}},
		{"bad jwt algorithm", func(c *Config) { c.JWTAlgorithm = "RS256" }, []string{"clientSecretJwtSigningAlgorithm"}},
		{"bad response format", func(c *Config) { c.TokenResponseFormat = "xml" }, []string{"tokenEndpointResponseType"}},
		{"bad userinfo method", func(c *Config) { c.UserInfoMethod = "PUT" }, []string{"userInfoMethod"}},
		{"response type without code", func(c *Config) { c.ResponseType = "token" }, []string{"responseType"}},
		{"auth params override state", func(c *Config) { c.AuthParams = url.Values{"state": {"x"}} }, []string{`customConfig["state"]`}},
		{"auth params override client_id", func(c *Config) { c.AuthParams = url.Values{"client_id": {"x"}} }, []string{`customConfig["client_id"]`}},
		{"token params override code", func(c *Config) { c.TokenParams = url.Values{"code": {"x"}} }, []string{`customConfig["code"]`}},
		{"token params with secret", func(c *Config) { c.TokenParams = url.Values{"client_secret": {"x"}} }, []string{`customConfig["client_secret"]`}},
		{"empty param name", func(c *Config) { c.AuthParams = url.Values{"": {"x"}} }, []string{"customConfig"}},
		{"repeated param", func(c *Config) { c.TokenParams = url.Values{"audience": {"a", "b"}} }, []string{`customConfig["audience"]`}},
		{"auth URL query sets state", func(c *Config) { c.AuthURL = testAuthURL + "?state=fixed" }, []string{`authorizationEndpoint["state"]`}},
		{"every failure at once", func(c *Config) {
			c.ClientID, c.TokenURL, c.AuthMethod, c.AuthParams = "", "http://remote.example/token", "bogus", url.Values{"nonce": {"1"}}
		}, []string{"clientId", "tokenEndpoint", "tokenEndpointAuthMethod", `customConfig["nonce"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(p)
			tt.mutate(&cfg)
			_, err := New(cfg)
			ce := asError(t, err, connector.CodeInvalidConfig)
			got := map[string]bool{}
			for _, f := range ce.Fields {
				got[f.Path] = true
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("field %q not reported; got %v", f, ce.Fields)
				}
			}
			if len(ce.Fields) != len(tt.fields) {
				t.Errorf("fields = %v, want exactly %v", ce.Fields, tt.fields)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	e, err := New(Config{ClientID: "id", AuthURL: testAuthURL, TokenURL: testTokenURL})
	if err != nil {
		t.Fatal(err)
	}
	if e.AuthMethod() != AuthClientSecretPost || e.client.Transport != kit.DefaultHTTPClient().Transport || e.client.Timeout != kit.DefaultHTTPClient().Timeout || e.maxBody <= 0 || e.now == nil || e.log == nil {
		t.Errorf("defaults not applied: %+v", e)
	}
	for _, m := range AuthMethods() {
		if !m.Valid() {
			t.Errorf("%s not valid", m)
		}
	}
	if AuthClientSecretBasic.OAuth2Style() != oauth2.AuthStyleInHeader || AuthClientSecretPost.OAuth2Style() != oauth2.AuthStyleInParams {
		t.Error("OAuth2Style mapping is wrong")
	}
	if !IsReserved("state") || IsReserved("prompt") {
		t.Error("IsReserved is wrong")
	}
}

func TestAuthorizationURL(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	tests := []struct {
		name   string
		mutate func(*Config)
		req    connector.AuthRequest
		want   url.Values // exact query
		check  func(t *testing.T, raw string, q url.Values, flow connector.FlowState)
	}{
		{
			name: "defaults with PKCE and a scope with spaces",
			mutate: func(c *Config) {
				c.Scope = "openid profile email"
			},
			req: connector.AuthRequest{RedirectURI: testRedirect, State: "host-state"},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if !strings.Contains(raw, "scope=openid%20profile%20email") || strings.Contains(raw, "+") {
					t.Errorf("scope not encoded with %%20: %s", raw)
				}
				if flow.CodeVerifier == "" || q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(flow.CodeVerifier) {
					t.Errorf("PKCE challenge does not match the verifier")
				}
				want := url.Values{"response_type": {"code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect},
					"state": {"host-state"}, "scope": {"openid profile email"}, "code_challenge_method": {"S256"},
					"code_challenge": {q.Get("code_challenge")}}
				assertQuery(t, q, want)
			},
		},
		{
			name:   "PKCE off, no scope, generated state",
			mutate: func(c *Config) { c.PKCE = false },
			req:    connector.AuthRequest{RedirectURI: testRedirect},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if flow.State == "" || len(flow.State) < 40 || q.Get("state") != flow.State {
					t.Errorf("generated state %q, sent %q", flow.State, q.Get("state"))
				}
				if flow.CodeVerifier != "" || q.Has("code_challenge") || q.Has("scope") {
					t.Errorf("unexpected PKCE or scope: %s", raw)
				}
				assertQuery(t, q, url.Values{"response_type": {"code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect}, "state": {flow.State}})
			},
		},
		{
			name: "endpoint query merged, extra params, request scope, prompt and hint",
			mutate: func(c *Config) {
				c.AuthURL = testAuthURL + "?tenant=acme&scope=endpoint-default"
				c.Scope = "config-scope"
				c.PKCE = false
				c.AuthParams = url.Values{"access_type": {"offline"}, "prompt": {"consent"}}
			},
			req: connector.AuthRequest{RedirectURI: testRedirect, State: "s", Scope: "per-request", Prompt: "login", LoginHint: "a@b.example"},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if strings.Count(raw, "?") != 1 {
					t.Errorf("URL has more than one '?': %s", raw)
				}
				if !strings.HasPrefix(raw, testAuthURL+"?") {
					t.Errorf("URL base changed: %s", raw)
				}
				assertQuery(t, q, url.Values{"response_type": {"code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect},
					"state": {"s"}, "scope": {"per-request"}, "tenant": {"acme"}, "access_type": {"offline"},
					"prompt": {"login"}, "login_hint": {"a@b.example"}})
			},
		},
		{
			name: "scope from the endpoint or extra params when none is configured",
			mutate: func(c *Config) {
				c.AuthURL = testAuthURL + "?scope=from-endpoint"
				c.AuthParams = url.Values{"scope": {"from-params"}}
				c.PKCE = false
			},
			req: connector.AuthRequest{RedirectURI: testRedirect, State: "s"},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if q["scope"][0] != "from-params" || len(q["scope"]) != 1 {
					t.Errorf("scope = %v", q["scope"])
				}
			},
		},
		{
			name: "nonce and hybrid response type (Apple)",
			mutate: func(c *Config) {
				c.Nonce, c.ResponseType, c.PKCE = true, "code id_token", false
				c.AuthParams = url.Values{"response_mode": {"form_post"}}
				c.Scope = "name email"
			},
			req: connector.AuthRequest{RedirectURI: testRedirect, State: "s"},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if flow.Nonce == "" || q.Get("nonce") != flow.Nonce {
					t.Errorf("nonce %q not sent (%q)", flow.Nonce, q.Get("nonce"))
				}
				if q.Get("response_type") != "code id_token" || !strings.Contains(raw, "response_type=code%20id_token") {
					t.Errorf("response_type: %s", raw)
				}
				if q.Get("response_mode") != "form_post" || !strings.Contains(raw, "scope=name%20email") {
					t.Errorf("bad URL %s", raw)
				}
			},
		},
		{
			name:   "trailing question mark on the endpoint",
			mutate: func(c *Config) { c.AuthURL = testAuthURL + "?"; c.PKCE = false },
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "s"},
			check: func(t *testing.T, raw string, q url.Values, flow connector.FlowState) {
				if strings.Contains(raw, "?&") || strings.Count(raw, "?") != 1 {
					t.Errorf("bad join: %s", raw)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(p)
			tt.mutate(&cfg)
			e := mustNew(t, cfg)
			auth, err := e.AuthorizationURL(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(auth.URL)
			if err != nil {
				t.Fatal(err)
			}
			if auth.Flow.RedirectURI != tt.req.RedirectURI {
				t.Errorf("flow redirect = %q", auth.Flow.RedirectURI)
			}
			tt.check(t, auth.URL, u.Query(), auth.Flow)
		})
	}
}

func TestAuthorizationURLIsFreshPerRequest(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	cfg := baseConfig(p)
	cfg.Nonce = true
	e := mustNew(t, cfg)
	a, _ := e.AuthorizationURL(connector.AuthRequest{RedirectURI: testRedirect})
	b, _ := e.AuthorizationURL(connector.AuthRequest{RedirectURI: testRedirect})
	if a.Flow.State == b.Flow.State || a.Flow.CodeVerifier == b.Flow.CodeVerifier || a.Flow.Nonce == b.Flow.Nonce {
		t.Errorf("state, verifier or nonce reused: %v %v", a.Flow, b.Flow)
	}
	if strings.Contains(a.Flow.String(), a.Flow.CodeVerifier) {
		t.Error("flow state prints its verifier")
	}
}

func TestAuthorizationURLBadRequest(t *testing.T) {
	t.Parallel()
	e := mustNew(t, baseConfig(newMockProvider()))
	for _, ru := range []string{"native.app:/cb", "com.example.app:callback", "http://127.0.0.1:8080/cb"} {
		if _, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: ru}); err != nil {
			t.Errorf("%q refused: %v", ru, err)
		}
	}
	for _, ru := range []string{"", "/callback", "callback", "https://", "://x", "https://app.example/cb#frag", "mailto:"} {
		_, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: ru})
		ce := asError(t, err, connector.CodeInvalidRequestParameters)
		if ce.Step != connector.StepAuthorize || !strings.Contains(ce.Message, "redirect URI") {
			t.Errorf("%q: %v", ru, ce)
		}
	}
}

func assertQuery(t *testing.T, got, want url.Values) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("query has %d parameters, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for k, v := range want {
		if g := got[k]; len(g) != len(v) || (len(v) > 0 && g[0] != v[0]) {
			t.Errorf("%s = %q, want %q", k, g, v)
		}
	}
}

func TestEngineStringHidesSecret(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newMockProvider())
	cfg.AuthMethod = AuthClientSecretBasic
	e := mustNew(t, cfg)
	assertNoSecret(t, e, testSecret, e.basicAuth)
	if !strings.Contains(e.String(), testClientID) {
		t.Errorf("String lacks the client ID: %s", e)
	}
}

func TestStamp(t *testing.T) {
	t.Parallel()
	e := mustNew(t, baseConfig(newMockProvider()))
	err := e.Stamp(&connector.Error{Code: connector.CodeInvalidResponse})
	if err.(*connector.Error).Connector != "test" {
		t.Errorf("not stamped: %v", err)
	}
	other := &connector.Error{Code: connector.CodeInvalidResponse, Connector: "kept"}
	if e.Stamp(other).(*connector.Error).Connector != "kept" {
		t.Error("Stamp replaced a connector ID")
	}
	if e.Stamp(nil) != nil {
		t.Error("Stamp(nil) != nil")
	}
}
