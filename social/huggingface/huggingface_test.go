package huggingface

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/providertest"
	"github.com/connectorkit/connector/kit"
)

const (
	testClientID = "3f1c-hf-client"
	testSecret   = "hf_app+secret/=x"
	testRedirect = "https://id.example.com/callback/huggingface"
	testCode     = "hf-authcode-Zz9"
	testVerifier = "verifier-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	testAccess   = "hf_oauth_access_ABC"
	testRefresh  = "hf_oauth_refresh_DEF"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// provider is the recording mock of the unit tests.
type provider = providertest.Provider

func newProvider(t *testing.T) *provider { return providertest.New(t) }

func open(t *testing.T, p *provider, config string, opts ...connector.Option) *Connector {
	t.Helper()
	opts = append([]connector.Option{connector.WithHTTPClient(p.Client), connector.WithClock(func() time.Time { return testNow })}, opts...)
	c, err := Open(json.RawMessage(config), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

const tokenOK = `{"access_token":"` + testAccess + `","token_type":"bearer","expires_in":28800,"refresh_token":"` + testRefresh + `","scope":"openid profile email","id_token":"eyJhbGciOiJSUzI1NiJ9.e30.sig"}`

const configJSON = `{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `"}`

// callback returns the callback of a flow started with state "st".
func callback(code string) connector.Callback {
	return connector.Callback{
		Params: url.Values{"code": {code}, "state": {"st"}},
		Flow:   connector.FlowState{State: "st", RedirectURI: testRedirect, CodeVerifier: testVerifier},
	}
}

// wantBasic is RFC 6749 §2.3.1: each credential form-encoded, then Basic.
var wantBasic = "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(testClientID)+":"+url.QueryEscape(testSecret)))

func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		opts   []connector.Option
		paths  []string
	}{
		{"empty", ``, nil, []string{"(config)"}},
		{"missing both", `{}`, nil, []string{"clientId", "clientSecret"}},
		{"missing secret", `{"clientId": "abc"}`, nil, []string{"clientSecret"}},
		{"empty secret", `{"clientId": "abc", "clientSecret": ""}`, nil, []string{"clientSecret"}},
		{"whitespace in credentials", `{"clientId": "a b", "clientSecret": "c\td"}`, nil, []string{"clientId", "clientSecret"}},
		{"wrong type", `{"clientId": "abc", "clientSecret": "x", "scope": ["profile"]}`, nil, []string{"scope"}},
		{"unknown field", `{"clientId": "abc", "clientSecret": "x", "scopes": "profile"}`, nil, []string{"scopes"}},
		{"bad scope", `{"clientId": "abc", "clientSecret": "x", "scope": "profile \"email\""}`, nil, []string{"scope"}},
		{"target option", configJSON, []connector.Option{connector.WithTarget("other")}, []string{"(options).target"}},
		{"unknown endpoint", configJSON, []connector.Option{connector.WithEndpoint("jwks", "https://example.com")}, []string{"(options).endpoint.jwks"}},
		{"bad endpoint URL", configJSON, []connector.Option{connector.WithEndpoint("token", "ftp://example.com/token")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(json.RawMessage(tt.config), append(tt.opts, connector.WithInstanceID("hf-main"))...)
			if err == nil {
				t.Fatalf("New = %v, want an error", c)
			}
			if !errors.Is(err, connector.ErrInvalidConfig) {
				t.Fatalf("error %v is not invalid_config", err)
			}
			var ce *connector.Error
			errors.As(err, &ce)
			if ce.Connector != "hf-main" {
				t.Errorf("Connector = %q, want the instance ID", ce.Connector)
			}
			for _, p := range tt.paths {
				found := false
				for _, f := range ce.Fields {
					found = found || f.Path == p
				}
				if !found {
					t.Errorf("no field error for %q in %v", p, ce.Fields)
				}
			}
			if strings.Contains(err.Error(), "c\td") {
				t.Errorf("error reveals the secret: %v", err)
			}
		})
	}
}

func TestNewSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := kit.DecodeConfig([]byte(configJSON), &cfg); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.String(),
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%#v", &cfg),
	} {
		if strings.Contains(s, testSecret) || strings.Contains(s, url.QueryEscape(testSecret)) {
			t.Errorf("output reveals the secret: %s", s)
		}
	}
	if !strings.Contains(c.String(), testClientID) || !strings.Contains(c.String(), `Scope:"profile"`) {
		t.Errorf("String() = %s, want the client ID and the default scope", c)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	m := Metadata()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != "huggingface-universal" || m.Target != "huggingface" || m.Type != connector.TypeSocial ||
		m.Platform != connector.PlatformUniversal || m.IsStandard {
		t.Errorf("metadata = %+v", m)
	}
	if !strings.HasPrefix(m.Logo, "data:image/svg+xml;base64,") {
		t.Errorf("logo is not an SVG data URI: %.40s", m.Logo)
	}
	var schema struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(m.ConfigSchema, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if !reflect.DeepEqual(schema.Required, []string{"clientId", "clientSecret"}) {
		t.Errorf("required = %v", schema.Required)
	}
	if !bytes.Contains(schema.Properties["scope"], []byte(`"default":"profile"`)) {
		t.Errorf("scope has no default: %s", schema.Properties["scope"])
	}
	if !bytes.Contains(schema.Properties["clientSecret"], []byte(`"writeOnly":true`)) {
		t.Errorf("clientSecret is not writeOnly: %s", schema.Properties["clientSecret"])
	}
	c, err := Open(json.RawMessage(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Metadata(), m) {
		t.Error("Connector.Metadata differs from Metadata()")
	}
}

func TestFactory(t *testing.T) {
	t.Parallel()
	reg, err := connector.NewRegistry(Factory())
	if err != nil {
		t.Fatal(err)
	}
	s, err := reg.OpenSocial(FactoryID, json.RawMessage(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Connector); !ok {
		t.Errorf("OpenSocial returned %T", s)
	}
	if _, ok := s.(connector.Refresher); !ok {
		t.Error("connector is not a Refresher")
	}
	_, err = reg.Open(FactoryID, json.RawMessage(`{"clientId":"x"}`))
	if !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("Open with a bad config = %v", err)
	}
}

func TestAuthorizationURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		opts   []connector.Option
		req    connector.AuthRequest
		base   string
		scope  string
		extra  url.Values
	}{
		{
			name:   "default scope",
			config: configJSON,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   AuthorizationURL,
			scope:  "profile",
		},
		{
			name:   "blank scope means the default",
			config: `{"clientId":"` + testClientID + `","clientSecret":"s","scope":"  "}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   AuthorizationURL,
			scope:  "profile",
		},
		{
			name:   "configured scope",
			config: `{"clientId":"` + testClientID + `","clientSecret":"s","scope":"openid profile email"}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   AuthorizationURL,
			scope:  "openid profile email",
		},
		{
			name:   "request scope replaces the configured one",
			config: configJSON,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st", Scope: "profile,email read-repos"},
			base:   AuthorizationURL,
			scope:  "profile email read-repos",
		},
		{
			name:   "prompt",
			config: configJSON,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st", Prompt: "consent"},
			base:   AuthorizationURL,
			scope:  "profile",
			extra:  url.Values{"prompt": {"consent"}},
		},
		{
			name:   "endpoint override",
			config: configJSON,
			opts:   []connector.Option{connector.WithEndpoint(EndpointAuthorization, "http://localhost:8080/hf/authorize")},
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   "http://localhost:8080/hf/authorize",
			scope:  "profile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(json.RawMessage(tt.config), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := c.AuthorizationURL(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(auth.URL, "+") {
				t.Errorf("URL encodes spaces as +: %s", auth.URL)
			}
			u, err := url.Parse(auth.URL)
			if err != nil {
				t.Fatal(err)
			}
			if base := u.Scheme + "://" + u.Host + u.Path; base != tt.base {
				t.Errorf("base = %s, want %s", base, tt.base)
			}
			if auth.Flow.State != "st" || auth.Flow.RedirectURI != testRedirect || len(auth.Flow.CodeVerifier) < 43 || auth.Flow.Nonce != "" {
				t.Errorf("flow = %#v", auth.Flow)
			}
			sum := sha256.Sum256([]byte(auth.Flow.CodeVerifier))
			want := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
				"state": {"st"}, "scope": {tt.scope}, "code_challenge_method": {"S256"},
				"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}}
			for k, v := range tt.extra {
				want[k] = v
			}
			if got := u.Query(); !reflect.DeepEqual(got, want) {
				t.Errorf("query =\n %v\nwant\n %v", got, want)
			}
			if strings.Contains(auth.URL, testSecret) || strings.Contains(auth.URL, url.QueryEscape(testSecret)) {
				t.Error("the URL holds the client secret")
			}
		})
	}
}

func TestAuthorizationURLFreshVerifiers(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	a1, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if a1.Flow.State == a2.Flow.State || a1.Flow.CodeVerifier == a2.Flow.CodeVerifier {
		t.Errorf("flows share a state or verifier: %#v %#v", a1.Flow, a2.Flow)
	}
}

func TestAuthorizationURLErrors(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(configJSON), connector.WithInstanceID("hf1"))
	if err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		req  connector.AuthRequest
		code connector.Code
	}{
		{"no redirect URI", context.Background(), connector.AuthRequest{}, connector.CodeInvalidRequestParameters},
		{"relative redirect URI", context.Background(), connector.AuthRequest{RedirectURI: "callback"}, connector.CodeInvalidRequestParameters},
		{"bad request scope", context.Background(), connector.AuthRequest{RedirectURI: testRedirect, Scope: `a"b`}, connector.CodeInvalidRequestParameters},
		{"canceled context", canceled, connector.AuthRequest{RedirectURI: testRedirect}, connector.CodeGeneral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.AuthorizationURL(tt.ctx, tt.req)
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *connector.Error", err)
			}
			if ce.Code != tt.code || ce.Step != connector.StepAuthorize || ce.Connector != "hf1" {
				t.Errorf("err = %v (code %s, step %s, connector %s)", err, ce.Code, ce.Step, ce.Connector)
			}
		})
	}
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		profile    string
		wantTokens bool
		want       connector.UserInfo
	}{
		{
			name:    "full profile",
			profile: fullProfile,
			want: connector.UserInfo{ID: "62f1c2a3b4d5e6f708192a3b", Name: "Jane Doe",
				Avatar: "https://cdn-avatars.huggingface.co/v1/production/uploads/62f1c2a3/avatar.png",
				Email:  "jane@example.com", EmailVerified: true},
		},
		{
			name:       "with tokens, unverified email",
			profile:    `{"sub":"u1","preferred_username":"janedoe","email":"jane@example.com"}`,
			wantTokens: true,
			want:       connector.UserInfo{ID: "u1", Name: "janedoe", Email: "jane@example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			p.On(http.MethodPost, TokenURL, 200, tokenOK)
			p.On(http.MethodGet, UserInfoURL, 200, tt.profile)
			c := open(t, p, configJSON)
			cb := callback(testCode)
			cb.WantTokens = tt.wantTokens
			info, err := c.UserInfo(context.Background(), cb)
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			reqs := p.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			tok, me := reqs[0], reqs[1]
			if tok.Method != http.MethodPost || tok.URL != TokenURL {
				t.Errorf("token request %s %s", tok.Method, tok.URL)
			}
			if h := tok.Header.Get("Authorization"); h != wantBasic {
				t.Errorf("token Authorization = %q, want %q", h, wantBasic)
			}
			wantForm := url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
				"code_verifier": {testVerifier}}
			if !reflect.DeepEqual(tok.Form, wantForm) {
				t.Errorf("token form =\n %v\nwant\n %v", tok.Form, wantForm)
			}
			if me.Method != http.MethodGet || me.URL != UserInfoURL || me.Header.Get("Authorization") != "Bearer "+testAccess {
				t.Errorf("userinfo request %s %s %q", me.Method, me.URL, me.Header.Get("Authorization"))
			}
			want := tt.want
			want.Raw = json.RawMessage(tt.profile)
			if tt.wantTokens {
				want.Tokens = &connector.Tokens{AccessToken: testAccess, TokenType: "bearer", RefreshToken: testRefresh,
					IDToken: "eyJhbGciOiJSUzI1NiJ9.e30.sig", Expiry: testNow.Add(8 * time.Hour), Scope: []string{"openid", "profile", "email"}}
			}
			if !reflect.DeepEqual(*info, want) {
				t.Errorf("UserInfo =\n %+v\nwant\n %+v", *info, want)
			}
		})
	}
}

func TestUserInfoTokenWithoutScope(t *testing.T) {
	t.Parallel()
	// Logto requires scope in the token response; Hugging Face may omit it.
	p := newProvider(t)
	p.On(http.MethodPost, TokenURL, 200, `{"access_token":"`+testAccess+`","expires_in":"28800"}`)
	p.On(http.MethodGet, UserInfoURL, 200, `{"sub":"u1"}`)
	c := open(t, p, configJSON)
	cb := callback(testCode)
	cb.WantTokens = true
	info, err := c.UserInfo(context.Background(), cb)
	if err != nil {
		t.Fatal(err)
	}
	want := &connector.Tokens{AccessToken: testAccess, TokenType: "Bearer", Expiry: testNow.Add(8 * time.Hour)}
	if !reflect.DeepEqual(info.Tokens, want) {
		t.Errorf("Tokens = %+v, want %+v", info.Tokens, want)
	}
}

func TestUserInfoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		cb            connector.Callback
		tokenStatus   int
		tokenBody     string
		userStatus    int
		userBody      string
		userHeader    []string
		code          connector.Code
		step          connector.Step
		status        int
		providerCode  string
		providerMsg   string
		retryable     bool
		retryAfter    time.Duration
		wantNoRequest bool
	}{
		{
			name:          "user denied",
			cb:            connector.Callback{Params: url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request"}, "state": {"st"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect, CodeVerifier: testVerifier}},
			code:          connector.CodeAuthorizationFailed,
			step:          connector.StepCallback,
			providerCode:  "access_denied",
			providerMsg:   "The user denied the request",
			wantNoRequest: true,
		},
		{
			name:          "state mismatch",
			cb:            connector.Callback{Params: url.Values{"code": {testCode}, "state": {"other"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect, CodeVerifier: testVerifier}},
			code:          connector.CodeStateMismatch,
			step:          connector.StepCallback,
			wantNoRequest: true,
		},
		{
			name:          "flow lost its PKCE verifier",
			cb:            connector.Callback{Params: url.Values{"code": {testCode}, "state": {"st"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect}},
			code:          connector.CodeInvalidRequestParameters,
			step:          connector.StepCallback,
			wantNoRequest: true,
		},
		{
			name:         "invalid grant",
			cb:           callback(testCode),
			tokenStatus:  400,
			tokenBody:    `{"error":"invalid_grant","error_description":"Invalid code verifier"}`,
			code:         connector.CodeSocialAuthCodeInvalid,
			step:         connector.StepTokenExchange,
			status:       400,
			providerCode: "invalid_grant",
			providerMsg:  "Invalid code verifier",
		},
		{
			name:         "invalid client",
			cb:           callback(testCode),
			tokenStatus:  401,
			tokenBody:    `{"error":"invalid_client","error_description":"Invalid client secret"}`,
			code:         connector.CodeGeneral,
			step:         connector.StepTokenExchange,
			status:       401,
			providerCode: "invalid_client",
			providerMsg:  "Invalid client secret",
		},
		{
			name:        "token endpoint 502",
			cb:          callback(testCode),
			tokenStatus: 502,
			tokenBody:   `<html>Bad Gateway</html>`,
			code:        connector.CodeGeneral,
			step:        connector.StepTokenExchange,
			status:      502,
			retryable:   true,
		},
		{
			name:        "userinfo 401",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  401,
			userBody:    `{"error":"Invalid credentials in Authorization header"}`,
			code:        connector.CodeSocialInvalidAccessToken,
			step:        connector.StepUserInfo,
			status:      401,
			providerMsg: "Invalid credentials in Authorization header",
		},
		{
			name:        "userinfo 429",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  429,
			userBody:    `{"error":"rate limited"}`,
			userHeader:  []string{"Retry-After", "12"},
			code:        connector.CodeRateLimitExceeded,
			step:        connector.StepUserInfo,
			status:      429,
			// the engine keeps a bare {"error": "..."} as the code
			providerMsg: "rate limited",
			retryable:   true,
			retryAfter:  12 * time.Second,
		},
		{
			name:        "userinfo without sub",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  200,
			userBody:    `{"name":"Jane","email":"jane@example.com","email_verified":true}`,
			code:        connector.CodeInvalidResponse,
			step:        connector.StepUserInfo,
			status:      200,
		},
		{
			name:        "userinfo truncated",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  200,
			userBody:    `{"sub":"u1","na`,
			code:        connector.CodeInvalidResponse,
			step:        connector.StepUserInfo,
			status:      200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			if tt.tokenStatus != 0 {
				p.On(http.MethodPost, TokenURL, tt.tokenStatus, tt.tokenBody)
			}
			if tt.userStatus != 0 {
				p.On(http.MethodGet, UserInfoURL, tt.userStatus, tt.userBody, tt.userHeader...)
			}
			c := open(t, p, configJSON, connector.WithInstanceID("hf-main"))
			info, err := c.UserInfo(context.Background(), tt.cb)
			if err == nil {
				t.Fatalf("UserInfo = %+v, want an error", info)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *connector.Error", err, err)
			}
			if ce.Code != tt.code || ce.Step != tt.step || ce.Connector != "hf-main" || ce.Status != tt.status {
				t.Errorf("err = %v\n(code %s, step %s, connector %q, status %d); want %s, %s, hf-main, %d",
					err, ce.Code, ce.Step, ce.Connector, ce.Status, tt.code, tt.step, tt.status)
			}
			if ce.ProviderCode != tt.providerCode || ce.ProviderMessage != tt.providerMsg {
				t.Errorf("provider fields = %q, %q; want %q, %q", ce.ProviderCode, ce.ProviderMessage, tt.providerCode, tt.providerMsg)
			}
			if ce.Retryable != tt.retryable || ce.RetryAfter != tt.retryAfter {
				t.Errorf("Retryable, RetryAfter = %t, %s; want %t, %s", ce.Retryable, ce.RetryAfter, tt.retryable, tt.retryAfter)
			}
			if tt.wantNoRequest && len(p.Requests()) != 0 {
				t.Errorf("%d requests sent, want none", len(p.Requests()))
			}
			for _, secret := range []string{testSecret, url.QueryEscape(testSecret), testCode, testVerifier, testAccess, testRefresh} {
				if s := err.Error() + fmt.Sprintf("%+v", ce.ProviderDetails); strings.Contains(s, secret) {
					t.Errorf("error reveals %q: %s", secret, s)
				}
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.On(http.MethodPost, TokenURL, 200, `{"access_token":"new-access","token_type":"bearer","expires_in":28800,"refresh_token":"new-refresh"}`)
	c := open(t, p, configJSON)
	got, err := c.Refresh(context.Background(), testRefresh)
	if err != nil {
		t.Fatal(err)
	}
	want := connector.Tokens{AccessToken: "new-access", TokenType: "bearer", RefreshToken: "new-refresh", Expiry: testNow.Add(8 * time.Hour)}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Refresh = %+v, want %+v", *got, want)
	}
	reqs := p.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if reqs[0].Header.Get("Authorization") != wantBasic ||
		!reflect.DeepEqual(reqs[0].Form, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {testRefresh}}) {
		t.Errorf("refresh request: Authorization %q, form %v", reqs[0].Header.Get("Authorization"), reqs[0].Form)
	}
}

func TestLogsHoldNoSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newProvider(t)
	p.On(http.MethodPost, TokenURL, 200, tokenOK)
	p.On(http.MethodGet, UserInfoURL, 200, fullProfile)
	c := open(t, p, configJSON, connector.WithLogger(logger))
	if _, err := c.UserInfo(context.Background(), callback(testCode)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "huggingface-universal") {
		t.Errorf("logs are not scoped with the connector ID:\n%s", out)
	}
	for _, secret := range []string{testSecret, testCode, testVerifier, testAccess, testRefresh, "jane@example.com"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs reveal %q:\n%s", secret, out)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// BenchmarkUserInfo measures a whole callback (token exchange with PKCE and
// Basic auth, userinfo, mapping) against an in-memory provider, reporting
// requests per sign-in.
func BenchmarkUserInfo(b *testing.B) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, TokenURL, httpmock.NewStringResponder(200, tokenOK))
	mt.RegisterResponder(http.MethodGet, UserInfoURL, httpmock.NewStringResponder(200, fullProfile))
	c, err := Open(json.RawMessage(configJSON), connector.WithHTTPClient(&http.Client{Transport: mt}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.UserInfo(ctx, callback(testCode)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(mt.GetTotalCallCount())/float64(b.N), "requests/op")
}
