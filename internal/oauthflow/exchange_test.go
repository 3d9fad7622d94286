package oauthflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/redact"
)

const okToken = `{"access_token":"at-123","token_type":"bearer","expires_in":3600,"refresh_token":"rt-456","scope":"read write","id_token":"h.p.s","x_user":"u1"}`

func TestCallbackChecks(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(jsonResp(200, okToken))
	e := mustNew(t, baseConfig(p))
	flow := testFlow()
	tests := []struct {
		name    string
		cb      connector.Callback
		code    connector.Code
		message string
		check   func(t *testing.T, ce *connector.Error)
	}{
		{
			name: "provider error access_denied",
			cb: connector.Callback{Params: url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request"},
				"error_uri": {"https://id.example.com/e"}, "state": {flow.State}}, Flow: flow},
			code: connector.CodeAuthorizationFailed,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "access_denied" || ce.ProviderMessage != "The user denied the request" || ce.ProviderDetails["error_uri"] == "" {
					t.Errorf("provider fields lost: %+v", ce)
				}
			},
		},
		{
			name:    "wrong state",
			cb:      connector.Callback{Params: url.Values{"code": {testCode}, "state": {"attacker"}}, Flow: flow},
			code:    connector.CodeStateMismatch,
			message: "does not match",
		},
		{
			name:    "state of another length",
			cb:      connector.Callback{Params: url.Values{"code": {testCode}, "state": {flow.State + "x"}}, Flow: flow},
			code:    connector.CodeStateMismatch,
			message: "does not match",
		},
		{
			name:    "no state in the callback",
			cb:      connector.Callback{Params: url.Values{"code": {testCode}}, Flow: flow},
			code:    connector.CodeStateMismatch,
			message: "no state parameter",
		},
		{
			name:    "flow state lost",
			cb:      connector.Callback{Params: url.Values{"code": {testCode}, "state": {""}}, Flow: connector.FlowState{RedirectURI: testRedirect}},
			code:    connector.CodeStateMismatch,
			message: "flow state has no state",
		},
		{
			name:    "no code",
			cb:      connector.Callback{Params: url.Values{"state": {flow.State}}, Flow: flow},
			code:    connector.CodeAuthorizationFailed,
			message: "no authorization code",
		},
		{
			name:    "nil params",
			cb:      connector.Callback{Flow: flow},
			code:    connector.CodeStateMismatch,
			message: "no state parameter",
		},
		{
			name: "no redirect URI in the flow",
			cb: connector.Callback{Params: url.Values{"code": {testCode}, "state": {flow.State}},
				Flow: connector.FlowState{State: flow.State, CodeVerifier: flow.CodeVerifier}},
			code:    connector.CodeInvalidRequestParameters,
			message: "no redirect URI",
		},
		{
			name: "no verifier while PKCE is on",
			cb: connector.Callback{Params: url.Values{"code": {testCode}, "state": {flow.State}},
				Flow: connector.FlowState{State: flow.State, RedirectURI: testRedirect}},
			code:    connector.CodeInvalidRequestParameters,
			message: "PKCE",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.Exchange(context.Background(), tt.cb)
			ce := asError(t, err, tt.code)
			if ce.Step != connector.StepCallback {
				t.Errorf("step = %s", ce.Step)
			}
			if !strings.Contains(ce.Message, tt.message) {
				t.Errorf("message %q lacks %q", ce.Message, tt.message)
			}
			if tt.check != nil {
				tt.check(t, ce)
			}
			if !errors.Is(err, &connector.Error{Code: tt.code}) {
				t.Error("errors.Is on the code fails")
			}
			assertNoSecret(t, err, testCode, testSecret, flow.CodeVerifier)
		})
	}
	if n := p.rec.count(); n != 0 {
		t.Errorf("the token endpoint was called %d times by failing callbacks", n)
	}
}

func TestAuthMethodsOnTheWire(t *testing.T) {
	t.Parallel()
	const oddID, oddSecret = "my client:id", "p@ss w+rd/é"
	tests := []struct {
		name   string
		mutate func(*Config)
		check  func(t *testing.T, r recorded)
	}{
		{
			name:   "client_secret_post",
			mutate: func(c *Config) { c.AuthMethod = AuthClientSecretPost },
			check: func(t *testing.T, r recorded) {
				wantForm(t, r.Form, url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
					"code_verifier": {testFlow().CodeVerifier}, "client_id": {testClientID}, "client_secret": {testSecret}})
				if r.Header.Get("Authorization") != "" {
					t.Error("post method sent an Authorization header")
				}
			},
		},
		{
			name:   "client_secret_post without a secret (Kakao)",
			mutate: func(c *Config) { c.AuthMethod, c.ClientSecret = "", "" },
			check: func(t *testing.T, r recorded) {
				wantForm(t, r.Form, url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
					"code_verifier": {testFlow().CodeVerifier}, "client_id": {testClientID}})
				if strings.Contains(r.Body, "client_secret") {
					t.Errorf("empty secret was sent: %s", r.Body)
				}
			},
		},
		{
			name:   "client_secret_basic with RFC 6749 form-encoding",
			mutate: func(c *Config) { c.AuthMethod, c.ClientID, c.ClientSecret = AuthClientSecretBasic, oddID, oddSecret },
			check: func(t *testing.T, r recorded) {
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("my+client%3Aid:p%40ss+w%2Brd%2F%C3%A9"))
				if got := r.Header.Get("Authorization"); got != want {
					t.Errorf("Authorization = %q, want %q", got, want)
				}
				wantForm(t, r.Form, url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
					"code_verifier": {testFlow().CodeVerifier}})
			},
		},
		{
			name:   "none (public client)",
			mutate: func(c *Config) { c.AuthMethod, c.ClientSecret = AuthNone, "" },
			check: func(t *testing.T, r recorded) {
				wantForm(t, r.Form, url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
					"code_verifier": {testFlow().CodeVerifier}, "client_id": {testClientID}})
			},
		},
		{
			name:   "none ignores a configured secret",
			mutate: func(c *Config) { c.AuthMethod = AuthNone },
			check: func(t *testing.T, r recorded) {
				if r.Form.Has("client_secret") || r.Header.Get("Authorization") != "" {
					t.Errorf("secret sent by a public client: %v", r.Form)
				}
			},
		},
		{
			name: "extra token params (customConfig)",
			mutate: func(c *Config) {
				c.TokenParams = url.Values{"audience": {"api://x"}}
			},
			check: func(t *testing.T, r recorded) {
				if r.Form.Get("audience") != "api://x" || r.Form.Get("grant_type") != "authorization_code" {
					t.Errorf("form = %v", r.Form)
				}
			},
		},
	}
	for _, alg := range []string{"", "HS256", "HS384", "HS512"} {
		tests = append(tests, struct {
			name   string
			mutate func(*Config)
			check  func(t *testing.T, r recorded)
		}{
			name:   "client_secret_jwt " + alg,
			mutate: func(c *Config) { c.AuthMethod, c.JWTAlgorithm = AuthClientSecretJWT, alg },
			check: func(t *testing.T, r recorded) {
				checkAssertion(t, r, alg)
			},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(jsonResp(200, okToken))
			cfg := baseConfig(p)
			tt.mutate(&cfg)
			e := mustNew(t, cfg)
			tok, err := e.Exchange(context.Background(), callback(testFlow()))
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "at-123" {
				t.Errorf("access token = %q", tok.AccessToken)
			}
			r := p.rec.last(t)
			if r.Method != http.MethodPost || r.URL != testTokenURL {
				t.Errorf("request %s %s", r.Method, r.URL)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q", ct)
			}
			if a := r.Header.Get("Accept"); a != "application/json" {
				t.Errorf("Accept = %q", a)
			}
			tt.check(t, r)
		})
	}
}

func checkAssertion(t *testing.T, r recorded, alg string) {
	t.Helper()
	if alg == "" {
		alg = "HS256"
	}
	wantForm(t, r.Form, url.Values{"grant_type": {"authorization_code"}, "code": {testCode}, "redirect_uri": {testRedirect},
		"code_verifier": {testFlow().CodeVerifier}, "client_id": {testClientID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {r.Form.Get("client_assertion")}})
	if r.Form.Has("client_secret") || r.Header.Get("Authorization") != "" {
		t.Error("the secret itself was sent")
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithTimeFunc(func() time.Time { return testNow })).
		ParseWithClaims(r.Form.Get("client_assertion"), claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil })
	if err != nil {
		t.Fatalf("assertion does not verify with the secret: %v", err)
	}
	if tok.Header["alg"] != alg {
		t.Errorf("alg = %v, want %s", tok.Header["alg"], alg)
	}
	if claims["iss"] != testClientID || claims["sub"] != testClientID || claims["aud"] != testTokenURL {
		t.Errorf("iss/sub/aud = %v/%v/%v", claims["iss"], claims["sub"], claims["aud"])
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("jti = %v", claims["jti"])
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if int64(iat) != testNow.Unix() || int64(exp) != testNow.Add(5*time.Minute).Unix() {
		t.Errorf("iat/exp = %v/%v", iat, exp)
	}
}

func wantForm(t *testing.T, got, want url.Values) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("form has %d fields, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for k, v := range want {
		if g := got[k]; len(g) != 1 || g[0] != v[0] {
			t.Errorf("form %s = %q, want %q", k, g, v)
		}
	}
}

func TestAssertionsAreUnique(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(jsonResp(200, okToken))
	cfg := baseConfig(p)
	cfg.AuthMethod = AuthClientSecretJWT
	e := mustNew(t, cfg)
	for range 2 {
		if _, err := e.Exchange(context.Background(), callback(testFlow())); err != nil {
			t.Fatal(err)
		}
	}
	if p.rec.reqs[0].Form.Get("client_assertion") == p.rec.reqs[1].Form.Get("client_assertion") {
		t.Error("the same assertion (jti) was sent twice")
	}
}

func TestTokenResponseParsing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		format      string
		contentType string
		body        string
		want        connector.Tokens
		extra       map[string]any
	}{
		{
			name: "JSON", contentType: "application/json; charset=utf-8", body: okToken,
			want:  connector.Tokens{AccessToken: "at-123", TokenType: "bearer", RefreshToken: "rt-456", IDToken: "h.p.s", Expiry: testNow.Add(time.Hour), Scope: []string{"read", "write"}},
			extra: map[string]any{"x_user": "u1"},
		},
		{
			name: "form (GitHub style, comma scope)", contentType: "application/x-www-form-urlencoded",
			body: "access_token=gho_abc&scope=repo%2Cgist&token_type=bearer",
			want: connector.Tokens{AccessToken: "gho_abc", TokenType: "bearer", Scope: []string{"repo", "gist"}},
		},
		{
			name: "form served as text/plain", contentType: "text/plain",
			body:  "access_token=a1&expires_in=60&refresh_token=r1&extra=v",
			want:  connector.Tokens{AccessToken: "a1", TokenType: "Bearer", RefreshToken: "r1", Expiry: testNow.Add(time.Minute)},
			extra: map[string]any{"extra": "v"},
		},
		{
			name: "JSON served as text/plain is sniffed", contentType: "text/plain",
			body: `{"access_token":"a1"}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer"},
		},
		{
			name: "JSON without content type", body: ` {"access_token":"a1","expires_in":"120"}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer", Expiry: testNow.Add(2 * time.Minute)},
		},
		{
			name: "problem+json style suffix", contentType: "application/vnd.token+json", body: `{"access_token":"a1"}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer"},
		},
		{
			name: "forced JSON over a form content type", format: FormatJSON, contentType: "application/x-www-form-urlencoded",
			body: `{"access_token":"a1","scope":["openid","email"],"expires_in":90.7}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer", Scope: []string{"openid", "email"}, Expiry: testNow.Add(90 * time.Second)},
		},
		{
			name: "forced form over a JSON content type", format: FormatForm, contentType: "application/json",
			body: "access_token=a1&token_type=BEARER",
			want: connector.Tokens{AccessToken: "a1", TokenType: "BEARER"},
		},
		{
			name: "lenient optional fields", contentType: "application/json",
			body:  `{"access_token":"a1","token_type":null,"expires_in":"soon","scope":7,"refresh_token":null,"n":12345678901234567890,"b":true,"o":{"k":[1,"x"]},"z":null}`,
			want:  connector.Tokens{AccessToken: "a1", TokenType: "Bearer"},
			extra: map[string]any{"n": "12345678901234567890", "b": true, "o": map[string]any{"k": []any{"1", "x"}}, "z": nil},
		},
		{
			name: "negative and huge expires_in", contentType: "application/json",
			body: `{"access_token":"a1","expires_in":-5}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer"},
		},
		{
			name: "byte order mark", contentType: "application/json",
			body: "\xef\xbb\xbf{\"access_token\":\"a1\"}",
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer"},
		},
		{
			name: "capped expires_in", contentType: "application/json",
			body: `{"access_token":"a1","expires_in":1e300}`,
			want: connector.Tokens{AccessToken: "a1", TokenType: "Bearer", Expiry: testNow.Add(2147483647 * time.Second)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(respond(200, tt.contentType, tt.body))
			cfg := baseConfig(p)
			cfg.TokenResponseFormat = tt.format
			e := mustNew(t, cfg)
			tok, err := e.Exchange(context.Background(), callback(testFlow()))
			if err != nil {
				t.Fatal(err)
			}
			got := tok.Tokens
			if got.AccessToken != tt.want.AccessToken || got.TokenType != tt.want.TokenType || got.RefreshToken != tt.want.RefreshToken ||
				got.IDToken != tt.want.IDToken || !got.Expiry.Equal(tt.want.Expiry) || strings.Join(got.Scope, " ") != strings.Join(tt.want.Scope, " ") {
				t.Errorf("tokens:\n got %#v %v %v\nwant %#v %v %v", got, got.Expiry, got.Scope, tt.want, tt.want.Expiry, tt.want.Scope)
			}
			if len(tok.Extra) != len(tt.extra) {
				t.Errorf("extra = %#v, want %#v", tok.Extra, tt.extra)
			}
			for k, v := range tt.extra {
				if g := stringify(tok.Extra[k]); g != stringify(v) {
					t.Errorf("extra[%s] = %s, want %s", k, g, stringify(v))
				}
			}
		})
	}
}

func stringify(v any) string {
	var b bytes.Buffer
	switch x := v.(type) {
	case map[string]any:
		b.WriteString("{")
		for k, v := range x {
			b.WriteString(k + ":" + stringify(v))
		}
		b.WriteString("}")
	case []any:
		for _, v := range x {
			b.WriteString(stringify(v) + ",")
		}
	case nil:
		b.WriteString("nil")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString(fmt.Sprint(x))
	}
	return b.String()
}

// slowBody is a body that never ends before its request's context does.
type slowBody struct{ ctx context.Context }

func (s slowBody) Read([]byte) (int, error) { <-s.ctx.Done(); return 0, s.ctx.Err() }
func (s slowBody) Close() error             { return nil }

func TestTokenEndpointFailures(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("a"), 10<<20)
	tests := []struct {
		name      string
		responder httpmock.Responder
		format    string
		code      connector.Code
		status    int
		retryable bool
		check     func(t *testing.T, ce *connector.Error)
	}{
		{
			name:      "400 invalid_grant",
			responder: jsonResp(400, `{"error":"invalid_grant","error_description":"authorization code not found"}`),
			code:      connector.CodeSocialAuthCodeInvalid, status: 400,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "invalid_grant" || ce.ProviderMessage != "authorization code not found" {
					t.Errorf("provider fields: %q %q", ce.ProviderCode, ce.ProviderMessage)
				}
			},
		},
		{
			name:      "400 invalid_grant as a form body",
			responder: respond(400, "application/x-www-form-urlencoded", "error=invalid_grant&error_description=expired&error_uri=https%3A%2F%2Fx"),
			code:      connector.CodeSocialAuthCodeInvalid, status: 400,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderMessage != "expired" || ce.ProviderDetails["error_uri"] != "https://x" {
					t.Errorf("provider fields: %+v", ce)
				}
			},
		},
		{
			name:      "400 Kakao error with error_code",
			responder: jsonResp(400, `{"error":"invalid_grant","error_description":"authorization code not found for code=x","error_code":"KOE320"}`),
			code:      connector.CodeSocialAuthCodeInvalid, status: 400,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderDetails["error_code"] != "KOE320" {
					t.Errorf("details = %v", ce.ProviderDetails)
				}
			},
		},
		{
			name:      "401 invalid_client",
			responder: jsonResp(401, `{"error":"invalid_client","error_description":"bad secret"}`),
			code:      connector.CodeGeneral, status: 401,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "invalid_client" || ce.Retryable {
					t.Errorf("%+v", ce)
				}
			},
		},
		{
			name:      "429 with Retry-After",
			responder: jsonResp(429, `{"error":"rate_limited"}`, "Retry-After", "30"),
			code:      connector.CodeRateLimitExceeded, status: 429, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.RetryAfter != 30*time.Second {
					t.Errorf("RetryAfter = %v", ce.RetryAfter)
				}
			},
		},
		{
			name:      "429 with an HTTP-date Retry-After",
			responder: respond(429, "text/plain", "slow down", "Retry-After", testNow.Add(time.Minute).Format(http.TimeFormat)),
			code:      connector.CodeRateLimitExceeded, status: 429, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.RetryAfter != time.Minute {
					t.Errorf("RetryAfter = %v", ce.RetryAfter)
				}
			},
		},
		{
			name:      "500 HTML",
			responder: respond(500, "text/html", "<html><body>Internal Server Error</body></html>"),
			code:      connector.CodeGeneral, status: 500, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if !strings.Contains(ce.ProviderDetails["body"], "Internal Server Error") {
					t.Errorf("body not kept: %v", ce.ProviderDetails)
				}
			},
		},
		{
			name:      "503 with Retry-After",
			responder: respond(503, "", "", "Retry-After", "5"),
			code:      connector.CodeGeneral, status: 503, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.RetryAfter != 5*time.Second {
					t.Errorf("RetryAfter = %v", ce.RetryAfter)
				}
			},
		},
		{
			name:      "200 HTML",
			responder: respond(200, "text/html; charset=utf-8", "<!doctype html><p>login</p>"),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "200 HTML with a form content type",
			responder: respond(200, "application/x-www-form-urlencoded", "<html>oops</html>"),
			format:    FormatForm,
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "truncated JSON",
			responder: jsonResp(200, `{"access_token":"at-1","token_ty`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "JSON array",
			responder: jsonResp(200, `["access_token"]`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "empty body",
			responder: respond(200, "", ""),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "id_token of the wrong type",
			responder: jsonResp(200, `{"access_token":"a","id_token":{"x":1}}`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "refresh_token of the wrong type",
			responder: jsonResp(200, `{"access_token":"a","refresh_token":["x"]}`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "token_type of the wrong type",
			responder: jsonResp(200, `{"access_token":"a","token_type":false}`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "access_token of the wrong type",
			responder: jsonResp(200, `{"access_token":12345}`),
			code:      connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !strings.Contains(ce.Message, "access_token") || !strings.Contains(ce.Message, "number") {
					t.Errorf("message = %q", ce.Message)
				}
			},
		},
		{
			name:      "empty access token",
			responder: jsonResp(200, `{"access_token":"","token_type":"bearer"}`),
			code:      connector.CodeSocialAuthCodeInvalid,
		},
		{
			name:      "missing access token in a form",
			responder: respond(200, "application/x-www-form-urlencoded", "token_type=bearer"),
			code:      connector.CodeSocialAuthCodeInvalid,
		},
		{
			name:      "200 with an error body",
			responder: jsonResp(200, `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs"}`),
			code:      connector.CodeGeneral, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "bad_verification_code" || ce.ProviderDetails["error_uri"] != "https://docs" {
					t.Errorf("%+v", ce)
				}
			},
		},
		{
			name:      "200 with a nested error object",
			responder: jsonResp(200, `{"error":{"code":401,"message":"Request had invalid authentication credentials."}}`),
			code:      connector.CodeGeneral, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "401" || !strings.Contains(ce.ProviderMessage, "invalid authentication") {
					t.Errorf("%+v", ce)
				}
			},
		},
		{
			name:      "forced JSON but the body is a form",
			responder: respond(200, "application/x-www-form-urlencoded", "access_token=a&token_type=bearer"),
			format:    FormatJSON,
			code:      connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !strings.Contains(ce.Message, "form-encoded") {
					t.Errorf("no hint: %q", ce.Message)
				}
			},
		},
		{
			name:      "forced form but the body is JSON",
			responder: jsonResp(200, okToken),
			format:    FormatForm,
			code:      connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !strings.Contains(ce.Message, "is JSON") {
					t.Errorf("no hint: %q", ce.Message)
				}
			},
		},
		{
			name:      "malformed form",
			responder: respond(200, "application/x-www-form-urlencoded", "access_token=%zz"),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name: "10 MB body with a length",
			responder: httpmock.ResponderFromResponse(func() *http.Response {
				r := httpmock.NewBytesResponse(200, big)
				r.ContentLength = int64(len(big))
				return r
			}()),
			code: connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !errors.Is(ce, httpx.ErrBodyTooLarge) {
					t.Errorf("not ErrBodyTooLarge: %v", ce)
				}
			},
		},
		{
			name: "10 MB body streamed without a length",
			responder: func(*http.Request) (*http.Response, error) {
				r := httpmock.NewBytesResponse(200, nil)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(big)), -1
				return r, nil
			},
			code: connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !errors.Is(ce, httpx.ErrBodyTooLarge) {
					t.Errorf("not ErrBodyTooLarge: %v", ce)
				}
			},
		},
		{
			name: "body longer than its Content-Length",
			responder: func(*http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(200, okToken+"garbage")
				r.ContentLength = int64(len(okToken))
				return r, nil
			},
			code: connector.CodeInvalidResponse, status: 200,
		},
		{
			name: "500 with a 10 MB body",
			responder: func(*http.Request) (*http.Response, error) {
				r := httpmock.NewBytesResponse(500, nil)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(big)), -1
				return r, nil
			},
			code: connector.CodeGeneral, status: 500, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if !errors.Is(ce, httpx.ErrBodyTooLarge) || len(ce.ProviderDetails) != 0 {
					t.Errorf("%v %v", ce, ce.ProviderDetails)
				}
			},
		},
		{
			name:      "connection failure",
			responder: httpmock.NewErrorResponder(errors.New("connection reset by peer")),
			code:      connector.CodeGeneral, retryable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(tt.responder)
			cfg := baseConfig(p)
			cfg.TokenResponseFormat = tt.format
			e := mustNew(t, cfg)
			_, err := e.Exchange(context.Background(), callback(testFlow()))
			ce := asError(t, err, tt.code)
			if ce.Step != connector.StepTokenExchange {
				t.Errorf("step = %s", ce.Step)
			}
			if ce.Status != tt.status {
				t.Errorf("status = %d, want %d", ce.Status, tt.status)
			}
			if ce.Retryable != tt.retryable {
				t.Errorf("retryable = %t", ce.Retryable)
			}
			if ce.Message == "" {
				t.Error("no message")
			}
			if tt.check != nil {
				tt.check(t, ce)
			}
			assertNoSecret(t, err, testSecret, testCode, testFlow().CodeVerifier, "at-1")
		})
	}
}

func TestTokenEndpointDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responder httpmock.Responder
	}{
		{"no answer", jsonResp(200, okToken).Delay(time.Minute)},
		{"headers then a stalled body", func(req *http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(200, "")
			r.Header.Set("Content-Type", "application/json")
			r.Body, r.ContentLength = slowBody{req.Context()}, -1
			return r, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(tt.responder)
			e := mustNew(t, baseConfig(p))
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := e.Exchange(ctx, callback(testFlow()))
			ce := asError(t, err, connector.CodeGeneral)
			if !errors.Is(err, context.DeadlineExceeded) || !ce.Retryable || !strings.Contains(ce.Message, "in time") {
				t.Errorf("deadline not reported: %v (retryable %t)", err, ce.Retryable)
			}
		})
	}
	t.Run("canceled by the caller", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(jsonResp(200, okToken).Delay(time.Minute))
		e := mustNew(t, baseConfig(p))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		_, err := e.Exchange(ctx, callback(testFlow()))
		ce := asError(t, err, connector.CodeGeneral)
		if !errors.Is(err, context.Canceled) || ce.Retryable {
			t.Errorf("cancel: %v retryable %t", err, ce.Retryable)
		}
	})
}

func TestProviderEchoedSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	flow := testFlow()
	echo := func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(b))
		body := `{"error":"invalid_request","error_description":"bad code ` + form.Get("code") + ` for secret ` + form.Get("client_secret") +
			`","echo":"` + form.Get("code_verifier") + `","raw":"` + url.QueryEscape(form.Get("client_secret")) + `","access_token":"leak"}`
		return httpmock.NewStringResponse(400, body), nil
	}
	p.token(echo)
	e := mustNew(t, baseConfig(p))
	_, err := e.Exchange(context.Background(), callback(flow))
	ce := asError(t, err, connector.CodeGeneral)
	if !strings.Contains(ce.ProviderMessage, "[REDACTED]") {
		t.Errorf("message = %q", ce.ProviderMessage)
	}
	if _, ok := ce.ProviderDetails["access_token"]; ok {
		t.Error("a token field was copied into the error")
	}
	assertNoSecret(t, err, testCode, testSecret, url.QueryEscape(testSecret), flow.CodeVerifier, "leak")
	assertNoSecret(t, ce.ProviderDetails, testCode, testSecret, url.QueryEscape(testSecret), flow.CodeVerifier)
}

// An echoed secret that straddles the point where provider text is cut
// (the 512-byte clip of each field, the 256-byte body snippet) must not
// leave its first bytes behind.
func TestEchoedSecretsAtTheClipAreRedacted(t *testing.T) {
	t.Parallel()
	flow := testFlow()
	at := func(n int, secret string) string {
		return strings.Repeat("y", redact.MaxText-n) + secret + " (echoed)"
	}
	tests := []struct {
		name      string
		responder httpmock.Responder
	}{
		{"error_description", jsonResp(400, `{"error":"invalid_request","error_description":"`+at(6, testSecret)+`"}`)},
		{"error code", jsonResp(400, `{"error":"`+at(5, testCode)+`"}`)},
		{"detail", jsonResp(400, `{"error":"invalid_request","hint":"`+at(7, flow.CodeVerifier)+`"}`)},
		{"200 with an error", jsonResp(200, `{"error":"invalid_request","error_description":"`+at(6, testSecret)+`"}`)},
		{"plain text body", respond(400, "text/plain", strings.Repeat("x", 250)+testSecret+" was sent")},
		{"HTML body", respond(502, "text/html", "<p>"+strings.Repeat("x", 245)+testCode+"</p>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(tt.responder)
			e := mustNew(t, baseConfig(p))
			_, err := e.Exchange(context.Background(), callback(flow))
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v", err)
			}
			if ce.ProviderMessage == "" && len(ce.ProviderDetails) == 0 && ce.ProviderCode == "" {
				t.Fatalf("no provider text kept: %+v", ce)
			}
			prefixes := []string{testSecret[:5], testCode[:5], flow.CodeVerifier[:5]}
			assertNoSecret(t, err, prefixes...)
			assertNoSecret(t, ce.ProviderDetails, prefixes...)
		})
	}
}

func TestCustomProviderError(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(jsonResp(400, `{"msg":"weird","code":-9}`))
	cfg := baseConfig(p)
	cfg.ProviderError = func(body []byte) (string, string, map[string]string, bool) {
		return "custom", "from hook", map[string]string{"len": "x", "empty": ""}, true
	}
	e := mustNew(t, cfg)
	_, err := e.Exchange(context.Background(), callback(testFlow()))
	ce := asError(t, err, connector.CodeGeneral)
	if ce.ProviderCode != "custom" || ce.ProviderMessage != "from hook" || ce.ProviderDetails["len"] != "x" {
		t.Errorf("%+v", ce)
	}
	if _, ok := ce.ProviderDetails["empty"]; ok {
		t.Error("empty detail kept")
	}
	// A hook that declines falls back to the default parser.
	cfg.ProviderError = func([]byte) (string, string, map[string]string, bool) { return "", "", nil, false }
	e = mustNew(t, cfg)
	_, err = e.Exchange(context.Background(), callback(testFlow()))
	ce = asError(t, err, connector.CodeGeneral)
	if ce.ProviderCode != "-9" || ce.ProviderMessage != "weird" {
		t.Errorf("default parser: %+v", ce)
	}
}

func TestHTTPClientFromContext(t *testing.T) {
	t.Parallel()
	injected, override := newMockProvider(), newMockProvider()
	injected.token(jsonResp(500, `{}`))
	override.token(jsonResp(200, okToken))
	e := mustNew(t, baseConfig(injected))
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, override.client)
	if _, err := e.Exchange(ctx, callback(testFlow())); err != nil {
		t.Fatal(err)
	}
	if injected.rec.count() != 0 || override.rec.count() != 1 {
		t.Errorf("requests: injected %d, context %d", injected.rec.count(), override.rec.count())
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responder httpmock.Responder
		method    AuthMethod
		wantRT    string
		code      connector.Code
	}{
		{"rotated", jsonResp(200, `{"access_token":"new-at","refresh_token":"new-rt","expires_in":60}`), AuthClientSecretPost, "new-rt", ""},
		{"not rotated keeps the old one", jsonResp(200, `{"access_token":"new-at"}`), AuthClientSecretBasic, "old-rt-value", ""},
		{"refused", jsonResp(400, `{"error":"invalid_grant","error_description":"refresh token revoked"}`), AuthClientSecretPost, "", connector.CodeSocialInvalidAccessToken},
		{"no access token", jsonResp(200, `{"token_type":"bearer"}`), AuthClientSecretPost, "", connector.CodeInvalidResponse},
		{"rate limited", jsonResp(429, `{}`), AuthClientSecretPost, "", connector.CodeRateLimitExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(tt.responder)
			cfg := baseConfig(p)
			cfg.AuthMethod = tt.method
			cfg.TokenParams = url.Values{"resource": {"r1"}}
			e := mustNew(t, cfg)
			tok, err := e.Refresh(context.Background(), "old-rt-value")
			r := p.rec.last(t)
			want := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"old-rt-value"}, "resource": {"r1"}}
			if tt.method == AuthClientSecretPost {
				want["client_id"], want["client_secret"] = []string{testClientID}, []string{testSecret}
			}
			wantForm(t, r.Form, want)
			if tt.code != "" {
				ce := asError(t, err, tt.code)
				if ce.Step != connector.StepRefresh {
					t.Errorf("step = %s", ce.Step)
				}
				assertNoSecret(t, err, "old-rt-value", testSecret)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "new-at" || tok.RefreshToken != tt.wantRT {
				t.Errorf("tokens = %+v", tok)
			}
		})
	}
	t.Run("empty refresh token", func(t *testing.T) {
		t.Parallel()
		e := mustNew(t, baseConfig(newMockProvider()))
		_, err := e.Refresh(context.Background(), "")
		asError(t, err, connector.CodeInvalidRequestParameters)
	})
}

func TestConcurrentExchanges(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(jsonResp(200, okToken))
	p.userinfo(http.MethodGet, jsonResp(200, `{"id":1}`))
	cfg := baseConfig(p)
	cfg.AuthMethod = AuthClientSecretJWT
	e := mustNew(t, cfg)
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			auth, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: testRedirect})
			if err != nil {
				errs <- err
				return
			}
			tok, err := e.Exchange(context.Background(), callback(auth.Flow))
			if err == nil {
				_, err = e.FetchUserInfo(context.Background(), tok.AccessToken)
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
