package kakao

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
	testClientID = "rest-api-key-1234"
	testSecret   = "kakao-client-secret-abcd"
	testRedirect = "https://id.example.com/callback/kakao"
	testCode     = "authcode-Ab3_-x9"
	testAccess   = "access-token-XYZ123"
	testRefresh  = "refresh-token-RST456"
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

const tokenOK = `{"token_type":"bearer","access_token":"` + testAccess + `","expires_in":21599,"refresh_token":"` + testRefresh + `","refresh_token_expires_in":5183999,"scope":"account_email profile_image profile_nickname"}`

// flow returns the callback of a flow started with state "st".
func callback(code string) connector.Callback {
	return connector.Callback{
		Params: url.Values{"code": {code}, "state": {"st"}},
		Flow:   connector.FlowState{State: "st", RedirectURI: testRedirect},
	}
}

func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		opts   []connector.Option
		paths  []string
	}{
		{"empty", ``, nil, []string{"(config)"}},
		{"not an object", `[]`, nil, []string{"(config)"}},
		{"missing clientId", `{}`, nil, []string{"clientId"}},
		{"empty clientId", `{"clientId": ""}`, nil, []string{"clientId"}},
		{"clientId with spaces", `{"clientId": "abc def"}`, nil, []string{"clientId"}},
		{"clientSecret with newline", `{"clientId": "abc", "clientSecret": "x\n"}`, nil, []string{"clientSecret"}},
		{"wrong type", `{"clientId": 1234}`, nil, []string{"clientId"}},
		{"unknown field", `{"clientId": "abc", "clientSecrte": "x"}`, nil, []string{"clientSecrte"}},
		{"bad scope", `{"clientId": "abc", "scope": "account_email;gender"}`, nil, []string{"scope"}},
		{"every failure at once", `{"clientId": "a b", "scope": "x;y", "extra": 1}`, nil, []string{"extra"}},
		{"target option", `{"clientId": "abc"}`, []connector.Option{connector.WithTarget("other")}, []string{"(options).target"}},
		{"unknown endpoint", `{"clientId": "abc"}`, []connector.Option{connector.WithEndpoint("user_info", "https://example.com")}, []string{"(options).endpoint.user_info"}},
		{"bad endpoint URL", `{"clientId": "abc"}`, []connector.Option{connector.WithEndpoint("token", "http://example.com/token")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(json.RawMessage(tt.config), append(tt.opts, connector.WithInstanceID("kakao-main"))...)
			if err == nil {
				t.Fatalf("New = %v, want an error", c)
			}
			if !errors.Is(err, connector.ErrInvalidConfig) {
				t.Fatalf("error %v is not invalid_config", err)
			}
			var ce *connector.Error
			errors.As(err, &ce)
			if ce.Connector != "kakao-main" {
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
		})
	}
}

func TestNewEveryFailureAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Open(json.RawMessage(`{"clientId": "a b", "scope": "x;y"}`))
	var ce *connector.Error
	if !errors.As(err, &ce) || len(ce.Fields) != 2 {
		t.Fatalf("err = %v, want two field errors", err)
	}
}

func TestNewSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(`{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := kit.DecodeConfig([]byte(`{"clientId":"id","clientSecret":"`+testSecret+`"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.String(),
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%#v", &cfg),
	} {
		if strings.Contains(s, testSecret) {
			t.Errorf("output reveals the secret: %s", s)
		}
	}
	if !strings.Contains(c.String(), testClientID) {
		t.Errorf("String() = %s, want the client ID", c)
	}
	// A bad config must not echo the secret either.
	_, err = Open(json.RawMessage(`{"clientId":"a b","clientSecret":"` + testSecret + `"}`))
	if err == nil || strings.Contains(err.Error(), testSecret) {
		t.Errorf("config error reveals the secret: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	m := Metadata()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != "kakao-universal" || m.Target != "kakao" || m.Type != connector.TypeSocial ||
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
	if !reflect.DeepEqual(schema.Required, []string{"clientId"}) {
		t.Errorf("required = %v", schema.Required)
	}
	for _, p := range []string{"clientId", "clientSecret", "scope"} {
		if _, ok := schema.Properties[p]; !ok {
			t.Errorf("schema has no property %s", p)
		}
	}
	if !bytes.Contains(schema.Properties["clientSecret"], []byte(`"writeOnly":true`)) {
		t.Errorf("clientSecret is not writeOnly: %s", schema.Properties["clientSecret"])
	}
	c, err := Open(json.RawMessage(`{"clientId":"abc"}`))
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
	s, err := reg.OpenSocial(FactoryID, json.RawMessage(`{"clientId":"abc"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Connector); !ok {
		t.Errorf("OpenSocial returned %T", s)
	}
	if _, ok := s.(connector.Refresher); !ok {
		t.Error("connector is not a Refresher")
	}
	_, err = reg.Open(FactoryID, json.RawMessage(`{}`))
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
		query  url.Values
	}{
		{
			name:   "no scope",
			config: `{"clientId":"` + testClientID + `"}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   AuthorizationURL,
			query:  url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"st"}},
		},
		{
			name:   "configured scope, secret not in the URL",
			config: `{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `","scope":"profile_nickname, profile_image account_email"}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   AuthorizationURL,
			query: url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"st"},
				"scope": {"profile_nickname,profile_image,account_email"}},
		},
		{
			name:   "request scope replaces the configured one",
			config: `{"clientId":"` + testClientID + `","scope":"profile_nickname"}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st", Scope: "account_email phone_number"},
			base:   AuthorizationURL,
			query: url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"st"},
				"scope": {"account_email,phone_number"}},
		},
		{
			name:   "prompt and login hint",
			config: `{"clientId":"` + testClientID + `"}`,
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st", Prompt: "login", LoginHint: "ryan@example.com"},
			base:   AuthorizationURL,
			query: url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"st"},
				"prompt": {"login"}, "login_hint": {"ryan@example.com"}},
		},
		{
			name:   "endpoint override",
			config: `{"clientId":"` + testClientID + `"}`,
			opts:   []connector.Option{connector.WithEndpoint(EndpointAuthorization, "http://127.0.0.1:8080/kakao/authorize")},
			req:    connector.AuthRequest{RedirectURI: testRedirect, State: "st"},
			base:   "http://127.0.0.1:8080/kakao/authorize",
			query:  url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"st"}},
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
			u, err := url.Parse(auth.URL)
			if err != nil {
				t.Fatal(err)
			}
			if base := u.Scheme + "://" + u.Host + u.Path; base != tt.base {
				t.Errorf("base = %s, want %s", base, tt.base)
			}
			if got := u.Query(); !reflect.DeepEqual(got, tt.query) {
				t.Errorf("query =\n %v\nwant\n %v", got, tt.query)
			}
			want := connector.FlowState{State: "st", RedirectURI: testRedirect}
			if auth.Flow != want {
				t.Errorf("flow = %+v, want %+v", auth.Flow, want)
			}
		})
	}
}

func TestAuthorizationURLRandomState(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(`{"clientId":"abc"}`))
	if err != nil {
		t.Fatal(err)
	}
	a1, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if len(a1.Flow.State) < 32 || a1.Flow.State == a2.Flow.State {
		t.Errorf("states %q, %q are not fresh random values", a1.Flow.State, a2.Flow.State)
	}
}

func TestAuthorizationURLErrors(t *testing.T) {
	t.Parallel()
	c, err := Open(json.RawMessage(`{"clientId":"abc"}`), connector.WithInstanceID("k1"))
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
		{"relative redirect URI", context.Background(), connector.AuthRequest{RedirectURI: "/callback"}, connector.CodeInvalidRequestParameters},
		{"bad request scope", context.Background(), connector.AuthRequest{RedirectURI: testRedirect, Scope: "a&b"}, connector.CodeInvalidRequestParameters},
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
			if ce.Code != tt.code || ce.Step != connector.StepAuthorize || ce.Connector != "k1" {
				t.Errorf("err = %v (code %s, step %s, connector %s)", err, ce.Code, ce.Step, ce.Connector)
			}
		})
	}
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		config     string
		code       string
		wantTokens bool
		wantForm   url.Values
	}{
		{
			name:     "no client secret: none sent",
			config:   `{"clientId":"` + testClientID + `"}`,
			code:     testCode,
			wantForm: url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect}, "code": {testCode}},
		},
		{
			name:     "empty client secret: none sent",
			config:   `{"clientId":"` + testClientID + `","clientSecret":""}`,
			code:     testCode,
			wantForm: url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect}, "code": {testCode}},
		},
		{
			name:       "client secret sent in the form",
			config:     `{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `"}`,
			code:       testCode,
			wantTokens: true,
			wantForm: url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect},
				"code": {testCode}, "client_secret": {testSecret}},
		},
		{
			name:     "code used as received, not decoded again",
			config:   `{"clientId":"` + testClientID + `"}`,
			code:     "abc%2Fdef+ghi%25",
			wantForm: url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "redirect_uri": {testRedirect}, "code": {"abc%2Fdef+ghi%25"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			p.On(http.MethodPost, TokenURL, 200, tokenOK)
			p.On(http.MethodGet, UserInfoURL, 200, fullProfile)
			c := open(t, p, tt.config)
			cb := callback(tt.code)
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
			if ct := tok.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("token Content-Type = %q", ct)
			}
			if h := tok.Header.Get("Authorization"); h != "" {
				t.Errorf("token request has an Authorization header %q", h)
			}
			if !reflect.DeepEqual(tok.Form, tt.wantForm) {
				t.Errorf("token form =\n %v\nwant\n %v", tok.Form, tt.wantForm)
			}
			if me.Method != http.MethodGet || me.URL != UserInfoURL {
				t.Errorf("userinfo request %s %s", me.Method, me.URL)
			}
			if h := me.Header.Get("Authorization"); h != "Bearer "+testAccess {
				t.Errorf("userinfo Authorization = %q", h)
			}
			want := connector.UserInfo{ID: "1234567890", Name: "홍길동", Avatar: "https://k.kakaocdn.net/dn/abc/img_640x640.jpg",
				Email: "gildong@kakao.com", EmailVerified: true, Phone: "+821012345678", Raw: json.RawMessage(fullProfile)}
			if tt.wantTokens {
				want.Tokens = &connector.Tokens{AccessToken: testAccess, TokenType: "bearer", RefreshToken: testRefresh,
					Expiry: testNow.Add(21599 * time.Second), Scope: []string{"account_email", "profile_image", "profile_nickname"}}
			}
			if !reflect.DeepEqual(*info, want) {
				t.Errorf("UserInfo =\n %+v\nwant\n %+v", *info, want)
			}
		})
	}
}

func TestUserInfoEndpointOverrides(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.On(http.MethodPost, "http://127.0.0.1:9000/oauth/token", 200, tokenOK)
	p.On(http.MethodGet, "http://127.0.0.1:9000/v2/user/me", 200, `{"id": 9223372036854775807}`)
	c := open(t, p, `{"clientId":"abc"}`,
		connector.WithEndpoint(EndpointToken, "http://127.0.0.1:9000/oauth/token"),
		connector.WithEndpoint(EndpointUserInfo, "http://127.0.0.1:9000/v2/user/me"))
	info, err := c.UserInfo(context.Background(), callback(testCode))
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "9223372036854775807" || info.Tokens != nil {
		t.Errorf("UserInfo = %+v", info)
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
		details       map[string]string
		retryable     bool
		retryAfter    time.Duration
		wantNoRequest bool
	}{
		{
			name:          "user denied consent",
			cb:            connector.Callback{Params: url.Values{"error": {"access_denied"}, "error_description": {"User denied access"}, "state": {"st"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect}},
			code:          connector.CodeAuthorizationFailed,
			step:          connector.StepCallback,
			providerCode:  "access_denied",
			providerMsg:   "User denied access",
			wantNoRequest: true,
		},
		{
			name:          "state mismatch",
			cb:            connector.Callback{Params: url.Values{"code": {testCode}, "state": {"forged"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect}},
			code:          connector.CodeStateMismatch,
			step:          connector.StepCallback,
			wantNoRequest: true,
		},
		{
			name:          "no code",
			cb:            connector.Callback{Params: url.Values{"state": {"st"}}, Flow: connector.FlowState{State: "st", RedirectURI: testRedirect}},
			code:          connector.CodeAuthorizationFailed,
			step:          connector.StepCallback,
			wantNoRequest: true,
		},
		{
			name:         "KOE320: code not found",
			cb:           callback(testCode),
			tokenStatus:  400,
			tokenBody:    `{"error":"invalid_grant","error_description":"authorization code not found for code=` + testCode + `","error_code":"KOE320"}`,
			code:         connector.CodeSocialAuthCodeInvalid,
			step:         connector.StepTokenExchange,
			status:       400,
			providerCode: "invalid_grant",
			providerMsg:  "authorization code not found for code=[REDACTED]",
			details:      map[string]string{"error_code": "KOE320"},
		},
		{
			name:         "KOE010: bad client credentials",
			cb:           callback(testCode),
			tokenStatus:  401,
			tokenBody:    `{"error":"invalid_client","error_description":"Bad client credentials","error_code":"KOE010"}`,
			code:         connector.CodeGeneral,
			step:         connector.StepTokenExchange,
			status:       401,
			providerCode: "invalid_client",
			providerMsg:  "Bad client credentials",
			details:      map[string]string{"error_code": "KOE010"},
		},
		{
			name:         "KOE006: redirect URI mismatch",
			cb:           callback(testCode),
			tokenStatus:  400,
			tokenBody:    `{"error":"invalid_grant","error_description":"Redirect URI mismatch.","error_code":"KOE006"}`,
			code:         connector.CodeSocialAuthCodeInvalid,
			step:         connector.StepTokenExchange,
			status:       400,
			providerCode: "invalid_grant",
			providerMsg:  "Redirect URI mismatch.",
			details:      map[string]string{"error_code": "KOE006"},
		},
		{
			name:        "token endpoint down",
			cb:          callback(testCode),
			tokenStatus: 503,
			tokenBody:   `<html>maintenance</html>`,
			code:        connector.CodeGeneral,
			step:        connector.StepTokenExchange,
			status:      503,
			retryable:   true,
		},
		{
			name:        "token without access_token",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   `{"token_type":"bearer"}`,
			code:        connector.CodeSocialAuthCodeInvalid,
			step:        connector.StepTokenExchange,
		},
		{
			name:         "userinfo: access token does not exist",
			cb:           callback(testCode),
			tokenStatus:  200,
			tokenBody:    tokenOK,
			userStatus:   401,
			userBody:     `{"msg":"this access token does not exist","code":-401}`,
			code:         connector.CodeSocialInvalidAccessToken,
			step:         connector.StepUserInfo,
			status:       401,
			providerCode: "-401",
			providerMsg:  "this access token does not exist",
		},
		{
			name:         "userinfo: insufficient scopes",
			cb:           callback(testCode),
			tokenStatus:  200,
			tokenBody:    tokenOK,
			userStatus:   403,
			userBody:     `{"msg":"[account_email] insufficient scopes.","code":-402,"api_type":"USER_ME"}`,
			code:         connector.CodeGeneral,
			step:         connector.StepUserInfo,
			status:       403,
			providerCode: "-402",
			providerMsg:  "[account_email] insufficient scopes.",
			details:      map[string]string{"api_type": "USER_ME"},
		},
		{
			name:         "userinfo: rate limited",
			cb:           callback(testCode),
			tokenStatus:  200,
			tokenBody:    tokenOK,
			userStatus:   429,
			userBody:     `{"msg":"API limit has been exceeded.","code":-10}`,
			userHeader:   []string{"Retry-After", "30"},
			code:         connector.CodeRateLimitExceeded,
			step:         connector.StepUserInfo,
			status:       429,
			providerCode: "-10",
			providerMsg:  "API limit has been exceeded.",
			retryable:    true,
			retryAfter:   30 * time.Second,
		},
		{
			name:        "userinfo: HTML",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  200,
			userBody:    `<html>hello</html>`,
			code:        connector.CodeInvalidResponse,
			step:        connector.StepUserInfo,
			status:      200,
		},
		{
			name:        "userinfo: id as a float",
			cb:          callback(testCode),
			tokenStatus: 200,
			tokenBody:   tokenOK,
			userStatus:  200,
			userBody:    `{"id": 1.5}`,
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
			c := open(t, p, `{"clientId":"`+testClientID+`","clientSecret":"`+testSecret+`"}`, connector.WithInstanceID("kakao-main"))
			info, err := c.UserInfo(context.Background(), tt.cb)
			if err == nil {
				t.Fatalf("UserInfo = %+v, want an error", info)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *connector.Error", err, err)
			}
			if ce.Code != tt.code || ce.Step != tt.step || ce.Connector != "kakao-main" || ce.Status != tt.status {
				t.Errorf("err = %v\n(code %s, step %s, connector %q, status %d); want %s, %s, kakao-main, %d",
					err, ce.Code, ce.Step, ce.Connector, ce.Status, tt.code, tt.step, tt.status)
			}
			if ce.ProviderCode != tt.providerCode || ce.ProviderMessage != tt.providerMsg {
				t.Errorf("provider fields = %q, %q; want %q, %q", ce.ProviderCode, ce.ProviderMessage, tt.providerCode, tt.providerMsg)
			}
			if tt.details != nil && !reflect.DeepEqual(ce.ProviderDetails, tt.details) {
				t.Errorf("ProviderDetails = %v, want %v", ce.ProviderDetails, tt.details)
			}
			if ce.Retryable != tt.retryable || ce.RetryAfter != tt.retryAfter {
				t.Errorf("Retryable, RetryAfter = %t, %s; want %t, %s", ce.Retryable, ce.RetryAfter, tt.retryable, tt.retryAfter)
			}
			if tt.wantNoRequest && len(p.Requests()) != 0 {
				t.Errorf("%d requests sent, want none", len(p.Requests()))
			}
			for _, secret := range []string{testSecret, testCode, testAccess, testRefresh} {
				if s := err.Error() + fmt.Sprintf("%+v %#v", err, ce.ProviderDetails); strings.Contains(s, secret) {
					t.Errorf("error reveals %q: %s", secret, s)
				}
			}
		})
	}
}

func TestUserInfoContextCanceled(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx, cancel := context.WithCancel(context.Background())
	p.MT.RegisterResponder(http.MethodPost, TokenURL, func(req *http.Request) (*http.Response, error) {
		cancel() // the host gives up while the token request is in flight
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	c := open(t, p, `{"clientId":"abc"}`)
	_, err := c.UserInfo(ctx, callback(testCode))
	if !errors.Is(err, context.Canceled) || connector.IsRetryable(err) {
		t.Errorf("err = %v, want a non-retryable error wrapping context.Canceled", err)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		config   string
		body     string
		wantForm url.Values
		want     connector.Tokens
	}{
		{
			name:     "refresh token not rotated",
			config:   `{"clientId":"` + testClientID + `"}`,
			body:     `{"token_type":"bearer","access_token":"new-access","expires_in":43199}`,
			wantForm: url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {testRefresh}},
			want:     connector.Tokens{AccessToken: "new-access", TokenType: "bearer", RefreshToken: testRefresh, Expiry: testNow.Add(43199 * time.Second)},
		},
		{
			name:   "refresh token rotated, secret sent",
			config: `{"clientId":"` + testClientID + `","clientSecret":"` + testSecret + `"}`,
			body:   `{"token_type":"bearer","access_token":"new-access","expires_in":43199,"refresh_token":"new-refresh","refresh_token_expires_in":5183999}`,
			wantForm: url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {testRefresh},
				"client_secret": {testSecret}},
			want: connector.Tokens{AccessToken: "new-access", TokenType: "bearer", RefreshToken: "new-refresh", Expiry: testNow.Add(43199 * time.Second)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			p.On(http.MethodPost, TokenURL, 200, tt.body)
			c := open(t, p, tt.config)
			got, err := c.Refresh(context.Background(), testRefresh)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Refresh =\n %+v\nwant\n %+v", *got, tt.want)
			}
			if reqs := p.Requests(); len(reqs) != 1 || !reflect.DeepEqual(reqs[0].Form, tt.wantForm) {
				t.Errorf("requests = %+v, want one with form %v", reqs, tt.wantForm)
			}
		})
	}
}

func TestRefreshExpired(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.On(http.MethodPost, TokenURL, 400, `{"error":"invalid_grant","error_description":"expired_or_invalid_refresh_token","error_code":"KOE322"}`)
	c := open(t, p, `{"clientId":"abc"}`)
	_, err := c.Refresh(context.Background(), testRefresh)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeSocialInvalidAccessToken || ce.Step != connector.StepRefresh ||
		ce.ProviderDetails["error_code"] != "KOE322" {
		t.Errorf("err = %v, want social_invalid_access_token with KOE322", err)
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
	c := open(t, p, `{"clientId":"`+testClientID+`","clientSecret":"`+testSecret+`"}`, connector.WithLogger(logger))
	if _, err := c.UserInfo(context.Background(), callback(testCode)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "kakao-universal") {
		t.Errorf("logs are not scoped with the connector ID:\n%s", out)
	}
	for _, secret := range []string{testSecret, testCode, testAccess, testRefresh, "gildong@kakao.com", "1234-5678"} {
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

// BenchmarkUserInfo measures a whole callback (token exchange, user info,
// mapping) against an in-memory provider, reporting requests per sign-in.
func BenchmarkUserInfo(b *testing.B) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, TokenURL, httpmock.NewStringResponder(200, tokenOK))
	mt.RegisterResponder(http.MethodGet, UserInfoURL, httpmock.NewStringResponder(200, fullProfile))
	c, err := Open(json.RawMessage(`{"clientId":"abc"}`), connector.WithHTTPClient(&http.Client{Transport: mt}))
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
