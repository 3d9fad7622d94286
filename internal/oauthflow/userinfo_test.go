package oauthflow

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/redact"
)

func TestFetchUserInfo(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.userinfo(method, jsonResp(200, `{"id":123,"login":"octocat"}`))
			cfg := baseConfig(p)
			cfg.UserInfoMethod = strings.ToLower(method)
			e := mustNew(t, cfg)
			body, err := e.FetchUserInfo(context.Background(), "at-123")
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != `{"id":123,"login":"octocat"}` {
				t.Errorf("body = %s", body)
			}
			r := p.rec.last(t)
			if r.Method != method || r.URL != testUserInfoURL {
				t.Errorf("request %s %s", r.Method, r.URL)
			}
			if r.Header.Get("Authorization") != "Bearer at-123" || r.Header.Get("Accept") != "application/json" {
				t.Errorf("headers = %v", r.Header)
			}
			if method == http.MethodPost && r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("POST content type = %q", r.Header.Get("Content-Type"))
			}
		})
	}
}

func TestFetchUserInfoFailures(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte(" "), 10<<20)
	tests := []struct {
		name      string
		responder httpmock.Responder
		code      connector.Code
		status    int
		retryable bool
		check     func(t *testing.T, ce *connector.Error)
	}{
		{
			name:      "401 Kakao body",
			responder: jsonResp(401, `{"msg":"this access token does not exist","code":-401}`),
			code:      connector.CodeSocialInvalidAccessToken, status: 401,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "-401" || ce.ProviderMessage != "this access token does not exist" {
					t.Errorf("provider fields: %+v", ce)
				}
			},
		},
		{
			name:      "401 with a WWW-Authenticate challenge",
			responder: respond(401, "", "", "WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="The access token expired"`),
			code:      connector.CodeSocialInvalidAccessToken, status: 401,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderCode != "invalid_token" || ce.ProviderMessage != "The access token expired" {
					t.Errorf("provider fields: %+v", ce)
				}
			},
		},
		{
			name:      "401 GitHub message",
			responder: jsonResp(401, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`),
			code:      connector.CodeSocialInvalidAccessToken, status: 401,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderMessage != "Bad credentials" || ce.ProviderDetails["documentation_url"] == "" {
					t.Errorf("provider fields: %+v", ce)
				}
			},
		},
		{
			name:      "403 insufficient scope",
			responder: jsonResp(403, `{"error":"insufficient_scope"}`),
			code:      connector.CodeGeneral, status: 403,
		},
		{
			name:      "429 Retry-After",
			responder: jsonResp(429, `{"message":"slow down"}`, "Retry-After", "12"),
			code:      connector.CodeRateLimitExceeded, status: 429, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.RetryAfter != 12*time.Second {
					t.Errorf("RetryAfter = %v", ce.RetryAfter)
				}
			},
		},
		{
			name:      "502",
			responder: respond(502, "text/plain", "bad gateway"),
			code:      connector.CodeGeneral, status: 502, retryable: true,
			check: func(t *testing.T, ce *connector.Error) {
				if ce.ProviderDetails["body"] != "bad gateway" {
					t.Errorf("details = %v", ce.ProviderDetails)
				}
			},
		},
		{
			name:      "200 HTML",
			responder: respond(200, "text/html; charset=utf-8", "<html>sign in</html>"),
			code:      connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !strings.Contains(ce.Message, "text/html") {
					t.Errorf("message = %q", ce.Message)
				}
			},
		},
		{
			name:      "truncated JSON",
			responder: jsonResp(200, `{"id":1,"name":"x`),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "deeply nested JSON",
			responder: jsonResp(200, strings.Repeat("[", 100000)+strings.Repeat("]", 100000)),
			code:      connector.CodeInvalidResponse, status: 200,
		},
		{
			name:      "10 MB body",
			responder: httpmock.NewBytesResponder(200, big),
			code:      connector.CodeInvalidResponse, status: 200,
			check: func(t *testing.T, ce *connector.Error) {
				if !errors.Is(ce, httpx.ErrBodyTooLarge) {
					t.Errorf("not ErrBodyTooLarge: %v", ce)
				}
			},
		},
		{
			name:      "network failure",
			responder: httpmock.NewErrorResponder(errors.New("no route to host")),
			code:      connector.CodeGeneral, retryable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.userinfo(http.MethodGet, tt.responder)
			e := mustNew(t, baseConfig(p))
			_, err := e.FetchUserInfo(context.Background(), "at-secret-token")
			ce := asError(t, err, tt.code)
			if ce.Step != connector.StepUserInfo || ce.Status != tt.status || ce.Retryable != tt.retryable {
				t.Errorf("step %s status %d retryable %t", ce.Step, ce.Status, ce.Retryable)
			}
			if tt.check != nil {
				tt.check(t, ce)
			}
			assertNoSecret(t, err, "at-secret-token", testSecret)
		})
	}
}

func TestFetchUserInfoDeadline(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.userinfo(http.MethodGet, jsonResp(200, `{"id":1}`).Delay(time.Minute))
	e := mustNew(t, baseConfig(p))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := e.FetchUserInfo(ctx, "at")
	ce := asError(t, err, connector.CodeGeneral)
	if !errors.Is(err, context.DeadlineExceeded) || !ce.Retryable {
		t.Errorf("%v", err)
	}
}

func TestFetchUserInfoMisuse(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newMockProvider())
	e := mustNew(t, cfg)
	_, err := e.FetchUserInfo(context.Background(), "")
	if ce := asError(t, err, connector.CodeSocialInvalidAccessToken); ce.Step != connector.StepUserInfo {
		t.Errorf("empty token: step %q, want userinfo", ce.Step)
	}

	cfg.UserInfoURL = ""
	e = mustNew(t, cfg)
	_, err = e.FetchUserInfo(context.Background(), "at")
	if ce := asError(t, err, connector.CodeNotImplemented); ce.Step != connector.StepUserInfo {
		t.Errorf("no userinfo endpoint: step %q, want userinfo", ce.Step)
	}
}

func TestBearerChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, code, msg string }{
		{`Bearer error="invalid_token", error_description="expired"`, "invalid_token", "expired"},
		{`Bearer realm="x",error=invalid_token`, "invalid_token", ""},
		{`Bearer error_description="a \"quoted\" word", error="e"`, "e", `a "quoted" word`},
		{`Basic realm="x"`, "", ""},
		{`Bearer`, "", ""},
		{`Bearer error="unterminated`, "unterminated", ""},
		{`Bearer novalue, error="x"`, "", ""},
	}
	for _, tt := range tests {
		code, msg := bearerChallenge(tt.in)
		if code != tt.code || (tt.msg != "" && msg != tt.msg) {
			t.Errorf("%s: got %q %q, want %q %q", tt.in, code, msg, tt.code, tt.msg)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400) // 800 bytes
	if c := redact.Clean(long); len(c) > redact.MaxText || !strings.HasPrefix(long, c) {
		t.Errorf("clip = %d bytes", len(c))
	}
	if c := redact.Clean("a\xffb"); c != "ab" {
		t.Errorf("invalid UTF-8 kept: %q", c)
	}
}
