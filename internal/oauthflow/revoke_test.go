package oauthflow

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

const testRevokeURL = "https://id.example.com/oauth/revoke"

func TestClientSecretFunc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method AuthMethod
		check  func(t *testing.T, r recorded, secret string)
	}{
		{AuthClientSecretPost, func(t *testing.T, r recorded, secret string) {
			if r.Form.Get("client_secret") != secret {
				t.Errorf("client_secret = %q, want %q", r.Form.Get("client_secret"), secret)
			}
		}},
		{AuthClientSecretBasic, func(t *testing.T, r recorded, secret string) {
			want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+url.QueryEscape(secret)))
			if r.Header.Get("Authorization") != want {
				t.Errorf("Authorization = %q, want %q", r.Header.Get("Authorization"), want)
			}
		}},
		{AuthNone, func(t *testing.T, r recorded, secret string) {
			if r.Form.Has("client_secret") || r.Header.Get("Authorization") != "" {
				t.Error("a public client sent a secret")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.method), func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.token(jsonResp(200, okToken))
			var calls atomic.Int32
			cfg := baseConfig(p)
			cfg.AuthMethod, cfg.ClientSecret = tt.method, ""
			cfg.ClientSecretFunc = func(ctx context.Context) (connector.Secret, error) {
				n := calls.Add(1)
				return connector.Secret("minted-secret-" + string(rune('0'+n))), nil
			}
			e := mustNew(t, cfg)
			for i := 1; i <= 2; i++ {
				if _, err := e.Exchange(context.Background(), callback(testFlow())); err != nil {
					t.Fatal(err)
				}
				tt.check(t, p.rec.last(t), "minted-secret-"+string(rune('0'+i)))
			}
			if tt.method == AuthNone && calls.Load() != 0 {
				t.Error("the secret source was called for a public client")
			}
		})
	}
	t.Run("client_secret_jwt signs with the minted secret", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(jsonResp(200, okToken))
		cfg := baseConfig(p)
		cfg.AuthMethod, cfg.ClientSecret = AuthClientSecretJWT, ""
		cfg.ClientSecretFunc = func(context.Context) (connector.Secret, error) { return testSecret, nil }
		e := mustNew(t, cfg)
		if _, err := e.Exchange(context.Background(), callback(testFlow())); err != nil {
			t.Fatal(err)
		}
		checkAssertion(t, p.rec.last(t), "HS256")
	})
	t.Run("a failing source", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(jsonResp(200, okToken))
		cfg := baseConfig(p)
		cfg.ClientSecretFunc = func(context.Context) (connector.Secret, error) { return "", errors.New("private key expired") }
		e := mustNew(t, cfg)
		_, err := e.Exchange(context.Background(), callback(testFlow()))
		ce := asError(t, err, connector.CodeGeneral)
		if !strings.Contains(ce.Error(), "private key expired") || p.rec.count() != 0 {
			t.Errorf("%v (requests %d)", ce, p.rec.count())
		}
	})
	t.Run("an echoed minted secret is redacted", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(func(req *http.Request) (*http.Response, error) {
			b, _ := io.ReadAll(req.Body)
			f, _ := url.ParseQuery(string(b))
			return httpmock.NewStringResponse(401, `{"error":"invalid_client","error_description":"bad `+f.Get("client_secret")+`"}`), nil
		})
		cfg := baseConfig(p)
		cfg.ClientSecretFunc = func(context.Context) (connector.Secret, error) { return "eyJminted.jwt.secret", nil }
		e := mustNew(t, cfg)
		_, err := e.Exchange(context.Background(), callback(testFlow()))
		asError(t, err, connector.CodeGeneral)
		assertNoSecret(t, err, "eyJminted.jwt.secret")
	})
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responder httpmock.Responder
		hint      string
		code      connector.Code
		retryable bool
	}{
		{"revoked", respond(200, "", ""), "refresh_token", "", false},
		{"unknown token is success too", jsonResp(200, `{}`), "", "", false},
		{"unsupported token type", jsonResp(400, `{"error":"unsupported_token_type"}`), "access_token", connector.CodeGeneral, false},
		{"unavailable", respond(503, "", "", "Retry-After", "2"), "", connector.CodeGeneral, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newMockProvider()
			p.mt.RegisterResponder(http.MethodPost, testRevokeURL, p.rec.wrap(tt.responder))
			cfg := baseConfig(p)
			cfg.RevokeURL = testRevokeURL
			e := mustNew(t, cfg)
			err := e.Revoke(context.Background(), "token-to-revoke", tt.hint)
			r := p.rec.last(t)
			want := url.Values{"token": {"token-to-revoke"}, "client_id": {testClientID}, "client_secret": {testSecret}}
			if tt.hint != "" {
				want["token_type_hint"] = []string{tt.hint}
			}
			wantForm(t, r.Form, want)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ce := asError(t, err, tt.code)
			if ce.Step != connector.StepRevoke || ce.Retryable != tt.retryable {
				t.Errorf("step %s retryable %t", ce.Step, ce.Retryable)
			}
			assertNoSecret(t, err, "token-to-revoke", testSecret)
		})
	}
	t.Run("misuse", func(t *testing.T) {
		t.Parallel()
		cfg := baseConfig(newMockProvider())
		e := mustNew(t, cfg)
		asError(t, e.Revoke(context.Background(), "t", ""), connector.CodeNotImplemented)
		cfg.RevokeURL = testRevokeURL
		e = mustNew(t, cfg)
		asError(t, e.Revoke(context.Background(), "", ""), connector.CodeInvalidRequestParameters)
		asError(t, e.Revoke(context.Background(), "t", "id_token"), connector.CodeInvalidRequestParameters)
		cfg.RevokeURL = "http://remote.example/revoke"
		_, err := New(cfg)
		asError(t, err, connector.CodeInvalidConfig)
	})
}
