package oauthflow

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// idTokenProvider is a provider whose identity comes in the callback (as
// Sign in with Apple's), with step as its IDToken step.
func idTokenProvider(step IDTokenFunc) Provider {
	return Provider{
		FactoryID:    "test",
		Metadata:     func() connector.Metadata { return connector.Metadata{ID: "test", Target: "signed"} },
		Endpoint:     oauth2.Endpoint{AuthURL: testAuthURL, TokenURL: testTokenURL},
		Nonce:        true,
		ResponseType: "code id_token",
		AuthParams:   url.Values{"response_mode": {"form_post"}},
		Scope:        ScopeRule{Separator: " ", Allowed: []string{"name", "email"}},
		IDToken:      step,
		Endpoints:    []string{connector.EndpointKeys},
	}
}

func openSigned(t *testing.T, p *mockProvider, step IDTokenFunc, opts ...connector.Option) *Social {
	t.Helper()
	o, err := kit.ResolveOptions(append([]connector.Option{connector.WithHTTPClient(p.client)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(idTokenProvider(step), Client{ClientID: testClientID, Scope: "name email"}, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestIDTokenStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	signedIn := func(context.Context, connector.Callback, func(context.Context) (*Token, error)) (*connector.UserInfo, error) {
		return &connector.UserInfo{ID: "u-1"}, nil
	}

	t.Run("authorization URL", func(t *testing.T) {
		t.Parallel()
		s := openSigned(t, newMockProvider(), signedIn)
		a, err := s.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(a.URL)
		q := u.Query()
		if q.Get("response_type") != "code id_token" || q.Get("response_mode") != "form_post" || q.Get("nonce") != a.Flow.Nonce || a.Flow.Nonce == "" {
			t.Errorf("authorization URL %s, flow nonce set %t", a.URL, a.Flow.Nonce != "")
		}
		if !strings.Contains(a.URL, "scope=name%20email") || !strings.Contains(a.URL, "response_type=code%20id_token") {
			t.Errorf("spaces not written as %%20: %s", a.URL)
		}
		if _, err := s.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect, Scope: "name profile"}); err == nil ||
			!strings.Contains(err.Error(), `item "profile" is not one of name, email`) {
			t.Errorf("request scope outside Allowed: %v", err)
		}
	})

	t.Run("endpoint names", func(t *testing.T) {
		t.Parallel()
		o, _ := kit.ResolveOptions(connector.WithEndpoint(connector.EndpointUserInfo, "https://x.example/me"),
			connector.WithEndpoint(connector.EndpointKeys, "https://x.example/keys"))
		_, err := Open(idTokenProvider(signedIn), Client{ClientID: testClientID}, o)
		ce := asError(t, err, connector.CodeInvalidConfig)
		if len(ce.Fields) != 1 || ce.Fields[0].Path != "(options).endpoint.userinfo" {
			t.Errorf("fields = %v, want only the userinfo endpoint refused", ce.Fields)
		}
	})

	t.Run("no exchange asked", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		s := openSigned(t, p, signedIn)
		cb := callback(connector.FlowState{State: "st", RedirectURI: testRedirect, Nonce: "n"})
		cb.WantTokens = true
		info, err := s.UserInfo(ctx, cb)
		if err != nil || info.ID != "u-1" || info.Tokens != nil {
			t.Fatalf("UserInfo = %+v, %v", info, err)
		}
		if p.rec.count() != 0 {
			t.Errorf("%d requests, want none: the step did not ask for the exchange", p.rec.count())
		}
	})

	t.Run("exchange once", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(jsonResp(200, `{"access_token":"at-1","refresh_token":"rt-1","id_token":"h.p.s"}`))
		s := openSigned(t, p, func(ctx context.Context, cb connector.Callback, exchange func(context.Context) (*Token, error)) (*connector.UserInfo, error) {
			a, err := exchange(ctx)
			if err != nil {
				return nil, err
			}
			b, _ := exchange(ctx)
			if a != b || a.IDToken != "h.p.s" {
				t.Errorf("second exchange gave another answer")
			}
			// A step's own user info never carries tokens the host did
			// not ask for.
			return &connector.UserInfo{ID: "u-1", Tokens: &a.Tokens}, nil
		})
		cb := callback(connector.FlowState{State: "st", RedirectURI: testRedirect})
		info, err := s.UserInfo(ctx, cb)
		if err != nil || info.Tokens != nil {
			t.Fatalf("UserInfo = %+v, %v; want no tokens", info, err)
		}
		cb.WantTokens = true
		info, err = s.UserInfo(ctx, cb)
		if err != nil || info.Tokens == nil || info.Tokens.AccessToken != "at-1" || info.Tokens.RefreshToken != "rt-1" {
			t.Fatalf("UserInfo(WantTokens) = %+v, %v", info, err)
		}
		if p.rec.count() != 2 {
			t.Errorf("%d token requests for two sign-ins, want 2", p.rec.count())
		}
		if f := p.rec.last(t).Form; f.Get("code") != testCode || f.Get("redirect_uri") != testRedirect {
			t.Errorf("token request form %v", f)
		}
	})

	t.Run("exchange failure", func(t *testing.T) {
		t.Parallel()
		p := newMockProvider()
		p.token(jsonResp(400, `{"error":"invalid_grant"}`))
		s := openSigned(t, p, func(ctx context.Context, _ connector.Callback, exchange func(context.Context) (*Token, error)) (*connector.UserInfo, error) {
			_, err := exchange(ctx)
			return nil, err
		})
		_, err := s.UserInfo(ctx, callback(connector.FlowState{State: "st", RedirectURI: testRedirect}))
		if ce := asError(t, err, connector.CodeSocialAuthCodeInvalid); ce.Connector != "test" {
			t.Errorf("connector = %q", ce.Connector)
		}
	})

	t.Run("callback checked first", func(t *testing.T) {
		t.Parallel()
		called := false
		s := openSigned(t, newMockProvider(), func(context.Context, connector.Callback, func(context.Context) (*Token, error)) (*connector.UserInfo, error) {
			called = true
			return &connector.UserInfo{ID: "u-1"}, nil
		})
		cb := callback(connector.FlowState{State: "st", RedirectURI: testRedirect})
		cb.Params.Set("state", "forged")
		_, err := s.UserInfo(ctx, cb)
		asError(t, err, connector.CodeStateMismatch)
		if called {
			t.Error("the IDToken step ran on a callback whose state is not the flow's")
		}
	})

	t.Run("step errors", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			name string
			info *connector.UserInfo
			err  error
			want connector.Code
		}{
			{"nothing", nil, nil, connector.CodeGeneral},
			{"blank ID", &connector.UserInfo{ID: " "}, nil, connector.CodeInvalidResponse},
			{"own error", nil, &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken, Message: "exp: expired"}, connector.CodeSocialInvalidIDToken},
		} {
			s := openSigned(t, newMockProvider(), func(context.Context, connector.Callback, func(context.Context) (*Token, error)) (*connector.UserInfo, error) {
				return tt.info, tt.err
			})
			_, err := s.UserInfo(ctx, callback(connector.FlowState{State: "st", RedirectURI: testRedirect}))
			if ce := asError(t, err, tt.want); ce.Connector != "test" {
				t.Errorf("%s: connector = %q", tt.name, ce.Connector)
			}
		}
	})
}

func TestScopeRuleAllowed(t *testing.T) {
	t.Parallel()
	r := ScopeRule{Separator: " ", Allowed: []string{"name", "email"}}
	if got, err := r.Normalize("email, name email"); err != nil || got != "email name" {
		t.Errorf("Normalize = %q, %v", got, err)
	}
	long := strings.Repeat("x", 50)
	if _, err := r.Normalize("name " + long); err == nil || !strings.Contains(err.Error(), strings.Repeat("x", 40)+"...") {
		t.Errorf("a long unknown item: %v", err)
	}
}

func TestExchangeCode(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(jsonResp(200, `{"access_token":"at-1","id_token":"h.p.s"}`))
	cfg := baseConfig(p)
	cfg.PKCE = false
	cfg.TokenParams = url.Values{"audience": {"api"}}
	e := mustNew(t, cfg)
	tok, err := e.ExchangeCode(context.Background(), testCode, "")
	if err != nil || tok.AccessToken != "at-1" || tok.IDToken != "h.p.s" {
		t.Fatalf("ExchangeCode = %+v, %v", tok, err)
	}
	f := p.rec.last(t).Form
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != testCode || f.Get("client_secret") != testSecret ||
		f.Get("audience") != "api" || f.Has("redirect_uri") || f.Has("code_verifier") {
		t.Errorf("form = %v", f)
	}
	if _, err := e.ExchangeCode(context.Background(), testCode, testRedirect); err != nil || p.rec.last(t).Form.Get("redirect_uri") != testRedirect {
		t.Errorf("with a redirect URI: %v, form %v", err, p.rec.last(t).Form)
	}
	_, err = e.ExchangeCode(context.Background(), "", "")
	if ce := asError(t, err, connector.CodeInvalidRequestParameters); ce.Step != connector.StepTokenExchange {
		t.Errorf("step = %s", ce.Step)
	}
	p.token(jsonResp(400, `{"error":"invalid_grant","error_description":"code the-authorization-code-42 was used"}`))
	_, err = e.ExchangeCode(context.Background(), testCode, "")
	asError(t, err, connector.CodeSocialAuthCodeInvalid)
	assertNoSecret(t, err, testCode, testSecret)
	if !errors.Is(err, connector.ErrSocialAuthCodeInvalid) {
		t.Errorf("errors.Is(%v, ErrSocialAuthCodeInvalid) is false", err)
	}
}
