package oauth2generic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
)

const (
	authURL     = "https://provider.example/oauth/authorize"
	tokenURL    = "https://provider.example/oauth/token"
	userInfoURL = "https://api.provider.example/user"
	clientID    = "generic-client"
	secret      = "generic-SECRET-value"
	code        = "auth-code-xyz-123"
	redirectURI = "https://app.example/callback/oauth2"
)

// config is a Logto-style oauth2 config with overrides.
func config(overrides map[string]any) json.RawMessage {
	m := map[string]any{
		"authorizationEndpoint": authURL,
		"tokenEndpoint":         tokenURL,
		"userInfoEndpoint":      userInfoURL,
		"clientId":              clientID,
		"clientSecret":          secret,
		"scope":                 "read:user user:email",
		"profileMap":            map[string]any{"avatar": "avatar_url", "emailVerified": "email_verified"},
	}
	for k, v := range overrides {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// provider is an httpmock provider bound to its own client, recording the
// requests it receives.
type provider struct {
	mt     *httpmock.MockTransport
	client *http.Client
	mu     sync.Mutex
	forms  []url.Values
	heads  []http.Header
}

func newProvider(token, user httpmock.Responder) *provider {
	p := &provider{mt: httpmock.NewMockTransport()}
	p.client = &http.Client{Transport: p.mt}
	rec := func(r httpmock.Responder) httpmock.Responder {
		return func(req *http.Request) (*http.Response, error) {
			var body []byte
			if req.Body != nil {
				body, _ = io.ReadAll(req.Body)
			}
			form, _ := url.ParseQuery(string(body))
			p.mu.Lock()
			p.forms = append(p.forms, form)
			p.heads = append(p.heads, req.Header.Clone())
			p.mu.Unlock()
			return r(req)
		}
	}
	if token != nil {
		p.mt.RegisterResponder(http.MethodPost, tokenURL, rec(token))
	}
	if user != nil {
		p.mt.RegisterResponder(http.MethodGet, userInfoURL, rec(user))
	}
	return p
}

func jsonResponder(status int, body string, headers ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		return r, nil
	}
}

const (
	tokenJSON = `{"access_token":"gho_access","token_type":"bearer","scope":"read:user,user:email","refresh_token":"ghr_refresh","expires_in":28800}`
	userJSON  = `{"login":"octocat","id":9223372036854775807,"avatar_url":"https://avatars.example/u/1","name":"The Octocat","email":"octocat@example.com","email_verified":true}`
)

func open(t *testing.T, raw json.RawMessage, p *provider, opts ...connector.Option) *Connector {
	t.Helper()
	c, err := Open(raw, append([]connector.Option{connector.WithHTTPClient(p.client)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func finish(t *testing.T, c *Connector, flow connector.FlowState, want bool) (*connector.UserInfo, error) {
	t.Helper()
	return c.UserInfo(context.Background(), connector.Callback{
		Params: url.Values{"code": {code}, "state": {flow.State}}, Flow: flow, WantTokens: want,
	})
}

func TestFullFlow(t *testing.T) {
	t.Parallel()
	p := newProvider(jsonResponder(200, tokenJSON), jsonResponder(200, userJSON))
	c := open(t, config(map[string]any{"customConfig": map[string]any{"access_type": "offline", "audience": "api"}}), p)
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(auth.URL)
	q := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != authURL {
		t.Errorf("URL base = %s", auth.URL)
	}
	for k, v := range map[string]string{"response_type": "code", "client_id": clientID, "redirect_uri": redirectURI,
		"state": auth.Flow.State, "scope": "read:user user:email", "code_challenge_method": "S256", "access_type": "offline", "audience": "api"} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if auth.Flow.CodeVerifier == "" || q.Get("code_challenge") == "" {
		t.Error("PKCE is not on by default")
	}

	// The flow state round-trips through JSON, as a host stores it.
	stored, _ := json.Marshal(auth.Flow)
	var flow connector.FlowState
	_ = json.Unmarshal(stored, &flow)

	info, err := finish(t, c, flow, true)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "9223372036854775807" || info.Name != "The Octocat" || info.Email != "octocat@example.com" || !info.EmailVerified ||
		info.Avatar != "https://avatars.example/u/1" || string(info.Raw) != userJSON {
		t.Errorf("user info = %+v", info)
	}
	if info.Tokens == nil || info.Tokens.AccessToken != "gho_access" || info.Tokens.RefreshToken != "ghr_refresh" ||
		strings.Join(info.Tokens.Scope, " ") != "read:user user:email" || info.Tokens.Expiry.IsZero() {
		t.Errorf("tokens = %+v", info.Tokens)
	}
	tokenForm := p.forms[0]
	want := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {flow.CodeVerifier},
		"client_id": {clientID}, "client_secret": {secret}, "access_type": {"offline"}, "audience": {"api"}}
	if fmt.Sprint(tokenForm) != fmt.Sprint(want) {
		t.Errorf("token form:\n got %v\nwant %v", tokenForm, want)
	}
	if got := p.heads[1].Get("Authorization"); got != "Bearer gho_access" {
		t.Errorf("userinfo Authorization = %q", got)
	}

	// Without WantTokens, no tokens.
	info, err = finish(t, c, flow, false)
	if err != nil || info.Tokens != nil {
		t.Errorf("tokens returned unasked: %v %v", info, err)
	}
}

func TestAnotherInstanceFinishesTheFlow(t *testing.T) {
	t.Parallel()
	p := newProvider(jsonResponder(200, tokenJSON), jsonResponder(200, userJSON))
	a := open(t, config(nil), p)
	b := open(t, config(nil), p)
	auth, err := a.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI, State: "host-state"})
	if err != nil {
		t.Fatal(err)
	}
	if auth.Flow.State != "host-state" {
		t.Errorf("host state not used: %q", auth.Flow.State)
	}
	if _, err := finish(t, b, auth.Flow, false); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    json.RawMessage
		fields []string
	}{
		{"missing endpoints", config(map[string]any{"authorizationEndpoint": nil, "tokenEndpoint": nil, "userInfoEndpoint": nil}),
			[]string{"authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint"}},
		{"relative endpoint", config(map[string]any{"tokenEndpoint": "/oauth/token"}), []string{"tokenEndpoint"}},
		{"plain http to a remote host", config(map[string]any{"userInfoEndpoint": "http://api.provider.example/user"}), []string{"userInfoEndpoint"}},
		{"not a URL", config(map[string]any{"authorizationEndpoint": "provider dot example"}), []string{"authorizationEndpoint"}},
		{"unknown auth method", config(map[string]any{"tokenEndpointAuthMethod": "private_key_jwt"}), []string{"tokenEndpointAuthMethod"}},
		{"unknown jwt algorithm", config(map[string]any{"clientSecretJwtSigningAlgorithm": "RS256"}), []string{"clientSecretJwtSigningAlgorithm"}},
		{"customConfig overrides state", config(map[string]any{"customConfig": map[string]any{"state": "fixed"}}), []string{`customConfig["state"]`}},
		{"customConfig overrides client_id in Logto's camelCase", config(map[string]any{"customConfig": map[string]any{"redirectUri": "x"}}),
			[]string{`customConfig["redirectUri"]`}},
		{"customConfig sets code_challenge", config(map[string]any{"customConfig": map[string]any{"code_challenge": "x", "nonce": "n"}}),
			[]string{`customConfig["code_challenge"]`, `customConfig["nonce"]`}},
		{"customConfig scope beside scope", config(map[string]any{"customConfig": map[string]any{"scope": "x"}}), []string{`customConfig["scope"]`}},
		{"customConfig empty key", config(map[string]any{"customConfig": map[string]any{" ": "x"}}), []string{`customConfig[" "]`}},
		{"customConfig non-string value", config(map[string]any{"customConfig": map[string]any{"n": 1}}), []string{`customConfig["n"]`}},
		{"missing secret", config(map[string]any{"clientSecret": nil}), []string{"clientSecret"}},
		{"missing client ID", config(map[string]any{"clientId": ""}), []string{"clientId"}},
		{"public client without PKCE", config(map[string]any{"clientSecret": nil, "tokenEndpointAuthMethod": "none", "disablePkce": true}), []string{"disablePkce"}},
		{"implicit flow", config(map[string]any{"responseType": "token"}), []string{"responseType"}},
		{"password grant", config(map[string]any{"grantType": "password"}), []string{"grantType"}},
		{"bad token response type", config(map[string]any{"tokenEndpointResponseType": "xml"}), []string{"tokenEndpointResponseType"}},
		{"bad profile map path", config(map[string]any{"profileMap": map[string]any{"id": "data..id", "email": "a["}}),
			[]string{"profileMap.id", "profileMap.email"}},
		{"empty profile map id", config(map[string]any{"profileMap": map[string]any{"id": ""}}), []string{"profileMap.id"}},
		{"unknown field (typo)", config(map[string]any{"clientSecert": "x"}), []string{"clientSecert"}},
		{"wrong JSON type", config(map[string]any{"scope": []string{"a"}}), []string{"scope"}},
		{"authorization endpoint carrying state", config(map[string]any{"authorizationEndpoint": authURL + "?state=1"}), []string{"authorizationEndpoint"}},
		{"authorization endpoint repeating a parameter", config(map[string]any{"authorizationEndpoint": authURL + "?a=1&a=2"}), []string{"authorizationEndpoint"}},
		{"authorization endpoint with a bad query", config(map[string]any{"authorizationEndpoint": authURL + "?a=%zz"}), []string{"authorizationEndpoint"}},
		{"every failure at once", config(map[string]any{"tokenEndpoint": "ftp://x", "clientSecret": nil, "tokenEndpointAuthMethod": "client_secret_basic",
			"customConfig": map[string]any{"state": "x"}}), []string{"tokenEndpoint", "clientSecret", `customConfig["state"]`}},
		{"empty config", json.RawMessage(``), []string{"(config)"}},
		{"not JSON", json.RawMessage(`{"clientId":`), []string{"(config)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(tt.raw)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
				t.Fatalf("got %v, want invalid_config", err)
			}
			if ce.Connector != FactoryID || ce.Step != connector.StepConfig {
				t.Errorf("connector %q step %q", ce.Connector, ce.Step)
			}
			got := map[string]bool{}
			for _, f := range ce.Fields {
				got[f.Path] = true
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("field %s not reported: %v", f, ce.Fields)
				}
			}
			if len(ce.Fields) != len(tt.fields) {
				t.Errorf("fields = %v, want %v", ce.Fields, tt.fields)
			}
			if strings.Contains(err.Error(), secret) {
				t.Error("the error reveals the secret")
			}
		})
	}
}

// As in Logto, a profileMap key written "" maps nothing (an absent key maps
// the field's own name): "phone": "" turns off a phone field the provider
// sends in a shape the connector cannot read.
func TestProfileMapEmptyPathMapsNothing(t *testing.T) {
	t.Parallel()
	user := `{"id":"u1","email":{"value":"a@example.com"},"phone":15550100,"name":"Ada","avatar":"https://a.example/a.png"}`
	p := newProvider(jsonResponder(200, tokenJSON), jsonResponder(200, user))
	c := open(t, config(map[string]any{"profileMap": map[string]any{"email": "", "phone": "", "emailVerified": ""}}), p)
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
	if err != nil {
		t.Fatal(err)
	}
	info, err := finish(t, c, auth.Flow, false)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if info.ID != "u1" || info.Email != "" || info.Phone != "" || info.Name != "Ada" || info.Avatar != "https://a.example/a.png" {
		t.Errorf("info = %+v", info)
	}
}

func TestLogtoConfigsOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
	}{
		{"minimal Logto config", `{"authorizationEndpoint":"https://a.example/auth","tokenEndpoint":"https://a.example/token",
			"userInfoEndpoint":"https://a.example/me","clientId":"c","clientSecret":"s"}`},
		{"every Logto field", `{"responseType":"code","grantType":"authorization_code","tokenEndpointResponseType":"query-string",
			"authorizationEndpoint":"https://github.com/login/oauth/authorize","tokenEndpoint":"https://github.com/login/oauth/access_token",
			"userInfoEndpoint":"https://api.github.com/user","clientId":"c","clientSecret":"s","tokenEndpointAuthMethod":"client_secret_basic",
			"clientSecretJwtSigningAlgorithm":"HS512","scope":"read:user","profileMap":{"id":"id","avatar":"avatar_url"},
			"customConfig":{"allow_signup":"false"}}`},
		{"customConfig scope without scope", `{"authorizationEndpoint":"https://a.example/auth","tokenEndpoint":"https://a.example/token",
			"userInfoEndpoint":"https://a.example/me","clientId":"c","clientSecret":"s","customConfig":{"scope":"openid"}}`},
		{"loopback http (local mock)", `{"authorizationEndpoint":"http://127.0.0.1:8080/auth","tokenEndpoint":"http://localhost/token",
			"userInfoEndpoint":"http://[::1]/me","clientId":"c","clientSecret":"s"}`},
		{"public client", `{"authorizationEndpoint":"https://a.example/auth","tokenEndpoint":"https://a.example/token",
			"userInfoEndpoint":"https://a.example/me","clientId":"c","tokenEndpointAuthMethod":"none"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
			if err != nil || auth.URL == "" {
				t.Fatal(err)
			}
		})
	}
	t.Run("customConfig scope becomes the scope", func(t *testing.T) {
		t.Parallel()
		c, _ := Open(json.RawMessage(tests[2].raw))
		auth, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
		if u, _ := url.Parse(auth.URL); u.Query().Get("scope") != "openid" {
			t.Errorf("URL = %s", auth.URL)
		}
	})
}

func TestTokenResponseTypeHonoured(t *testing.T) {
	t.Parallel()
	formBody := func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(200, "access_token=form_at&token_type=bearer&scope=read")
		r.Header.Set("Content-Type", "text/plain") // wrong on purpose
		return r, nil
	}
	jsonAsText := func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(200, `{"access_token":"json_at"}`)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded") // wrong on purpose
		return r, nil
	}
	tests := []struct {
		name     string
		respType any
		token    httpmock.Responder
		want     string
		code     connector.Code
	}{
		{"unset: JSON by content", nil, jsonResponder(200, tokenJSON), "gho_access", ""},
		{"unset: form by content type", nil, formBody, "form_at", ""},
		{"query-string", "query-string", formBody, "form_at", ""},
		{"json despite the content type", "json", jsonAsText, "json_at", ""},
		{"query-string with a JSON provider", "query-string", jsonResponder(200, tokenJSON), "", connector.CodeInvalidResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(tt.token, jsonResponder(200, userJSON))
			c := open(t, config(map[string]any{"tokenEndpointResponseType": tt.respType}), p)
			info, err := finish(t, c, connector.FlowState{State: "s", RedirectURI: redirectURI, CodeVerifier: "v"}, true)
			if tt.code != "" {
				if connector.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Tokens.AccessToken != tt.want {
				t.Errorf("access token = %q", info.Tokens.AccessToken)
			}
		})
	}
}

func TestUserInfoFailures(t *testing.T) {
	t.Parallel()
	flow := connector.FlowState{State: "st", RedirectURI: redirectURI, CodeVerifier: "verifier-abc-123"}
	tests := []struct {
		name   string
		token  httpmock.Responder
		user   httpmock.Responder
		params url.Values
		code   connector.Code
		msg    string
	}{
		{"provider error on callback", nil, nil, url.Values{"error": {"access_denied"}, "state": {"st"}}, connector.CodeAuthorizationFailed, "authorization error"},
		{"no code", nil, nil, url.Values{"state": {"st"}}, connector.CodeAuthorizationFailed, "no authorization code"},
		{"wrong state", nil, nil, url.Values{"state": {"other"}, "code": {code}}, connector.CodeStateMismatch, "does not match"},
		{"invalid_grant", jsonResponder(400, `{"error":"invalid_grant"}`), nil, nil, connector.CodeSocialAuthCodeInvalid, "refused the authorization code"},
		{"token 429", jsonResponder(429, `{}`, "Retry-After", "3"), nil, nil, connector.CodeRateLimitExceeded, "rate limiting"},
		{"userinfo 401", jsonResponder(200, tokenJSON), jsonResponder(401, `{"message":"Bad credentials"}`), nil, connector.CodeSocialInvalidAccessToken, "refused the access token"},
		{"userinfo HTML", jsonResponder(200, tokenJSON), httpmock.NewStringResponder(200, "<html/>"), nil, connector.CodeInvalidResponse, "not a JSON object"},
		{"userinfo without the mapped id", jsonResponder(200, tokenJSON), jsonResponder(200, `{"login":"x"}`), nil, connector.CodeInvalidResponse, `no id at path "id"`},
		{"userinfo id of type bool", jsonResponder(200, tokenJSON), jsonResponder(200, `{"id":true}`), nil, connector.CodeInvalidResponse, "boolean"},
		{"userinfo email is a number", jsonResponder(200, tokenJSON), jsonResponder(200, `{"id":"1","email":7}`), nil, connector.CodeInvalidResponse, `path "email"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(tt.token, tt.user)
			c := open(t, config(nil), p, connector.WithInstanceID("acme-oauth"))
			params := tt.params
			if params == nil {
				params = url.Values{"code": {code}, "state": {"st"}}
			}
			_, err := c.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if ce.Connector != "acme-oauth" {
				t.Errorf("connector = %q", ce.Connector)
			}
			if !strings.Contains(ce.Message, tt.msg) {
				t.Errorf("message %q lacks %q", ce.Message, tt.msg)
			}
			for _, f := range []string{"%v", "%+v", "%#v"} {
				out := fmt.Sprintf(f, err)
				for _, s := range []string{secret, code, flow.CodeVerifier, "gho_access", "ghr_refresh"} {
					if strings.Contains(out, s) {
						t.Errorf("%s output reveals %q: %s", f, s, out)
					}
				}
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	p := newProvider(jsonResponder(200, `{"access_token":"fresh","expires_in":"60"}`), nil)
	c := open(t, config(map[string]any{"tokenEndpointAuthMethod": "client_secret_basic", "customConfig": map[string]any{"resource": "r"}}), p,
		connector.WithClock(func() time.Time { return time.Unix(1000, 0) }))
	var r connector.Refresher = c
	tok, err := r.Refresh(context.Background(), "old-refresh")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "fresh" || tok.RefreshToken != "old-refresh" || !tok.Expiry.Equal(time.Unix(1060, 0)) {
		t.Errorf("tokens = %+v %v", tok, tok.Expiry)
	}
	if p.forms[0].Get("grant_type") != "refresh_token" || p.forms[0].Get("resource") != "r" || p.heads[0].Get("Authorization") == "" {
		t.Errorf("refresh request %v %v", p.forms[0], p.heads[0])
	}
}

func TestFactoryAndRegistry(t *testing.T) {
	t.Parallel()
	f := Factory()
	m := f.Metadata
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != "oauth2" || m.Target != "oauth2" || !m.IsStandard || m.Platform != connector.PlatformUniversal || m.Type != connector.TypeSocial {
		t.Errorf("metadata = %+v", m)
	}
	if !strings.HasPrefix(m.Logo, "data:image/svg+xml;base64,") {
		t.Errorf("logo = %.40s", m.Logo)
	}
	var schema struct {
		Properties map[string]struct {
			Default   any    `json:"default"`
			Enum      []any  `json:"enum"`
			Format    string `json:"format"`
			WriteOnly bool   `json:"writeOnly"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(m.ConfigSchema, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if p := schema.Properties["tokenEndpointAuthMethod"]; p.Default != "client_secret_post" || len(p.Enum) != 4 {
		t.Errorf("tokenEndpointAuthMethod schema = %+v", p)
	}
	if p := schema.Properties["clientSecret"]; !p.WriteOnly || p.Format != "password" {
		t.Errorf("clientSecret schema = %+v", p)
	}
	if p := schema.Properties["tokenEndpoint"]; p.Format != "uri" {
		t.Errorf("tokenEndpoint schema = %+v", p)
	}
	if strings.Join(schema.Required, ",") != "authorizationEndpoint,tokenEndpoint,userInfoEndpoint,clientId" {
		t.Errorf("required = %v", schema.Required)
	}
	// The schema is a copy: changing it does not change the next factory's.
	m.ConfigSchema[0] = 'X'
	m.Name["en"] = "changed"
	if Factory().Metadata.ConfigSchema[0] != '{' || Factory().Metadata.Name["en"] != "OAuth 2.0" {
		t.Error("metadata is shared between callers")
	}

	reg, err := connector.NewRegistry(Factory())
	if err != nil {
		t.Fatal(err)
	}
	p := newProvider(jsonResponder(200, tokenJSON), jsonResponder(200, userJSON))
	s, err := reg.OpenSocial("oauth2", config(nil), connector.WithHTTPClient(p.client), connector.WithTarget("acme"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Metadata().Target != "acme" || Factory().Metadata.Target != "oauth2" {
		t.Errorf("target = %q", s.Metadata().Target)
	}
	if _, err := reg.Open("oauth2", config(map[string]any{"clientId": nil})); connector.CodeOf(err) != connector.CodeInvalidConfig {
		t.Errorf("bad config through the registry: %v", err)
	}
	if _, err := reg.Open("oauth2", config(nil), connector.WithHTTPClient(nil)); connector.CodeOf(err) != connector.CodeInvalidConfig {
		t.Errorf("bad option: %v", err)
	}
}

func TestEndpointOverrides(t *testing.T) {
	t.Parallel()
	const local = "http://127.0.0.1:9999"
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, local+"/token", jsonResponder(200, tokenJSON))
	mt.RegisterResponder(http.MethodGet, local+"/me", jsonResponder(200, userJSON))
	c, err := Open(config(nil), connector.WithHTTPClient(&http.Client{Transport: mt}),
		connector.WithEndpoint(EndpointAuthorization, local+"/auth"), connector.WithEndpoint(EndpointToken, local+"/token"),
		connector.WithEndpoint(EndpointUserInfo, local+"/me"))
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
	if !strings.HasPrefix(auth.URL, local+"/auth?") {
		t.Errorf("URL = %s", auth.URL)
	}
	if _, err := finish(t, c, auth.Flow, false); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizationURLErrors(t *testing.T) {
	t.Parallel()
	c, _ := Open(config(nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: redirectURI}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
	if _, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{}); connector.CodeOf(err) != connector.CodeInvalidRequestParameters {
		t.Errorf("no redirect URI: %v", err)
	}
}

func TestPrintingHidesSecrets(t *testing.T) {
	t.Parallel()
	c, err := Open(config(nil))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	_, _ = Open(config(map[string]any{"customConfig": map[string]any{"accessType": "offline"}}),
		connector.WithLogger(slogTo(&logs)))
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logs.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("output reveals the secret: %s", out)
		}
	}
	if !strings.Contains(logs.String(), "accessType") || !strings.Contains(logs.String(), "access_type") {
		t.Errorf("no warning about a camelCase customConfig key: %s", logs.String())
	}
	var cfg Config
	if err := kit.DecodeConfig(config(nil), &cfg); err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v %#v", cfg, cfg); strings.Contains(s, secret) {
		t.Errorf("config output reveals the secret: %s", s)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	p := newProvider(jsonResponder(200, tokenJSON), jsonResponder(200, userJSON))
	c := open(t, config(map[string]any{"tokenEndpointAuthMethod": "client_secret_jwt"}), p)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
			if err == nil {
				_, err = finish(t, c, auth.Flow, true)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"redirectUri": "redirect_uri", "access_type": "access_type", "Scope": "scope", "clientID": "client_i_d"} {
		if got := oauthflow.SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
	if !oauthflow.IsReserved(oauthflow.SnakeCase("grantType")) {
		t.Error("grantType is not caught")
	}
}

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
