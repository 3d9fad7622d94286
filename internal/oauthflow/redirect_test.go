package oauthflow

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/netguard"
)

// Every request that carries a credential (token, refresh, revocation: the
// client secret and the code; userinfo: the access token) refuses every
// redirect: the 3xx is an invalid_response naming the status and the
// Location host, the target is never contacted, and the redirect's body
// never reaches the error. This holds whatever the injected client's
// CheckRedirect says, and for a client passed in the context.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	const target = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	const bodyMarker = "REDIRECT-BODY-MARKER"
	statuses := []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}
	steps := []struct {
		name string
		run  func(ctx context.Context, e *Engine) error
	}{
		{"token", func(ctx context.Context, e *Engine) error {
			_, err := e.Exchange(ctx, callback(testFlow()))
			return err
		}},
		{"userinfo", func(ctx context.Context, e *Engine) error {
			_, err := e.FetchUserInfo(ctx, "access-token-secret")
			return err
		}},
		{"refresh", func(ctx context.Context, e *Engine) error {
			_, err := e.Refresh(ctx, "refresh-token-secret")
			return err
		}},
		{"revoke", func(ctx context.Context, e *Engine) error { return e.Revoke(ctx, "access-token-secret", "") }},
	}
	clients := []struct {
		name  string
		setup func(p *mockProvider) (*http.Client, context.Context)
	}{
		{"injected client", func(p *mockProvider) (*http.Client, context.Context) { return p.client, context.Background() }},
		{"client that follows everything", func(p *mockProvider) (*http.Client, context.Context) {
			c := *p.client
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
			return &c, context.Background()
		}},
		{"client in the context", func(p *mockProvider) (*http.Client, context.Context) {
			c := *p.client
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
			return nil, context.WithValue(context.Background(), oauth2.HTTPClient, &c)
		}},
	}
	for _, st := range steps {
		for _, status := range statuses {
			for _, cl := range clients {
				t.Run(fmt.Sprintf("%s/%d/%s", st.name, status, cl.name), func(t *testing.T) {
					p := newMockProvider()
					redirect := func(*http.Request) (*http.Response, error) {
						resp := httpmock.NewStringResponse(status, bodyMarker)
						resp.Header.Set("Location", target)
						return resp, nil
					}
					for _, u := range []string{testTokenURL, testUserInfoURL, testRevokeURL} {
						p.mt.RegisterResponder(http.MethodPost, u, redirect)
						p.mt.RegisterResponder(http.MethodGet, u, redirect)
					}
					var followed []string
					for _, m := range []string{http.MethodGet, http.MethodPost} {
						p.mt.RegisterResponder(m, target, func(req *http.Request) (*http.Response, error) {
							b, _ := io.ReadAll(req.Body)
							followed = append(followed, req.Header.Get("Authorization")+" "+string(b))
							return httpmock.NewStringResponse(200, `{"access_token":"stolen","id":"attacker"}`), nil
						})
					}
					cfg := baseConfig(p)
					cfg.RevokeURL = testRevokeURL
					cfg.AuthMethod = AuthClientSecretBasic
					client, ctx := cl.setup(p)
					cfg.HTTPClient = client
					e := mustNew(t, cfg)
					err := st.run(ctx, e)
					ce := asError(t, err, connector.CodeInvalidResponse)
					if len(followed) > 0 {
						t.Fatalf("the redirect was followed: %q", followed)
					}
					if ce.Status != status {
						t.Errorf("status = %d, want %d", ce.Status, status)
					}
					msg := fmt.Sprintf("%v %+v", err, ce)
					if !strings.Contains(msg, fmt.Sprint(status)) || !strings.Contains(msg, "169.254.169.254") {
						t.Errorf("the error names neither the status nor the Location host: %s", msg)
					}
					if strings.Contains(msg, bodyMarker) || strings.Contains(msg, "meta-data") {
						t.Errorf("the error carries the redirect's body or path: %s", msg)
					}
				})
			}
		}
	}
}

// The caller's client keeps its own CheckRedirect: the engine works on a
// copy.
func TestNoRedirectsLeavesTheClientAlone(t *testing.T) {
	t.Parallel()
	called := false
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { called = true; return nil }}
	cp := noRedirects(c)
	if cp == c || cp.CheckRedirect == nil {
		t.Fatal("noRedirects did not copy")
	}
	if err := cp.CheckRedirect(nil, nil); err != http.ErrUseLastResponse {
		t.Errorf("copy's CheckRedirect = %v", err)
	}
	_ = c.CheckRedirect(nil, nil)
	if !called {
		t.Error("the original CheckRedirect was replaced")
	}
}

// A proxy or provider that echoes the request headers must not put the
// client_secret_basic credentials into the error.
func TestBasicCredentialsScrubbedFromEchoes(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	var sent string
	p.token(func(req *http.Request) (*http.Response, error) {
		sent = req.Header.Get("Authorization")
		body := fmt.Sprintf(`{"error":"invalid_client","error_description":"bad header %s","echo":%q,"raw":%q}`,
			sent, strings.TrimPrefix(sent, "Basic "), req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(401, body), nil
	})
	cfg := baseConfig(p)
	cfg.AuthMethod = AuthClientSecretBasic
	e := mustNew(t, cfg)
	_, err := e.Exchange(context.Background(), callback(testFlow()))
	ce := asError(t, err, connector.CodeGeneral)
	cred := strings.TrimPrefix(sent, "Basic ")
	if cred == "" {
		t.Fatal("no Basic header sent")
	}
	decoded, _ := base64.StdEncoding.DecodeString(cred)
	out := fmt.Sprintf("%v %+v %v %q", err, ce, ce.ProviderDetails, ce.ProviderMessage)
	for _, leak := range []string{cred, string(decoded), testSecret} {
		if strings.Contains(out, leak) {
			t.Errorf("the error carries %q: %s", leak, out)
		}
	}
}

// A netguard refusal is a config problem, not a retryable failure.
func TestForbiddenAddressIsInvalidConfig(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	p.token(func(*http.Request) (*http.Response, error) {
		return nil, &netguard.ForbiddenAddressError{Addr: netip.MustParseAddr("169.254.169.254"), Category: "link-local"}
	})
	_, err := mustNew(t, baseConfig(p)).Exchange(context.Background(), callback(testFlow()))
	ce := asError(t, err, connector.CodeInvalidConfig)
	if ce.Retryable || !errors.Is(err, netguard.ErrForbiddenAddress) || !strings.Contains(ce.Message, "netguard") {
		t.Errorf("%+v", ce)
	}
}
