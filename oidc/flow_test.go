package oidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oidc"
)

const redirectURI = "https://app.example.com/callback/oidc"

// discoveryConfig is the issuer-only config for p.
func discoveryConfig(p *mockprovider.OIDC) json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"issuer": p.Issuer(), "clientId": p.ClientID(), "clientSecret": p.ClientSecret()})
	return raw
}

// explicitConfig is Logto's shape for p.
func explicitConfig(p *mockprovider.OIDC) json.RawMessage {
	m := map[string]any{
		"authorizationEndpoint": p.URL(mockprovider.EndpointAuthorize),
		"tokenEndpoint":         p.URL(mockprovider.EndpointToken),
		"idTokenVerificationConfig": map[string]any{
			"jwksUri": p.URL(mockprovider.EndpointJWKS), "issuer": p.Issuer(),
		},
		"clientId": p.ClientID(), "clientSecret": p.ClientSecret(), "scope": "openid profile email phone",
	}
	if u := p.URL(mockprovider.EndpointUserInfo); u != "" {
		m["userInfoEndpoint"] = u
	}
	if u := p.URL(mockprovider.EndpointRevoke); u != "" {
		m["revocationEndpoint"] = u
	}
	raw, _ := json.Marshal(m)
	return raw
}

// open opens raw against p.
func open(t testing.TB, p *mockprovider.OIDC, raw json.RawMessage, opts ...connector.Option) *oidc.Connector {
	t.Helper()
	c, err := oidc.Open(raw, append([]connector.Option{connector.WithHTTPClient(p.Client())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn runs one sign-in as identityID ("" for the first identity),
// with edit applied to the callback parameters.
func signIn(ctx context.Context, c *oidc.Connector, p *mockprovider.OIDC, identityID string, wantTokens bool, edit func(params map[string][]string)) (*connector.UserInfo, error) {
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: redirectURI})
	if err != nil {
		return nil, err
	}
	params, err := p.Approve(auth.URL, identityID)
	if err != nil {
		return nil, err
	}
	if edit != nil {
		edit(params)
	}
	return c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow, WantTokens: wantTokens})
}

func code(t *testing.T, err error, want connector.Code, msg string) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != want || !strings.Contains(ce.Message, msg) {
		t.Fatalf("got %v, want %s with %q", err, want, msg)
	}
	return ce
}

// Every default identity signs in with both config forms and each signing
// algorithm; the standard claims are mapped, string booleans included.
func TestSignInIdentities(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"RS256", "PS256", "ES256"} {
		for form, config := range map[string]func(*mockprovider.OIDC) json.RawMessage{"discovery": discoveryConfig, "explicit": explicitConfig} {
			t.Run(alg+"/"+form, func(t *testing.T) {
				t.Parallel()
				p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Algorithm: alg, IssParameter: true})
				c := open(t, p, config(p))
				for _, id := range p.Identities() {
					info, err := signIn(context.Background(), c, p, id.ID, false, nil)
					if err != nil {
						t.Fatalf("%s: %v", id.Label, err)
					}
					if info.ID != id.ID || info.Name != id.Name || info.Email != id.Email || info.EmailVerified != id.HasVerifiedEmail() {
						t.Errorf("%s: got %+v", id.Label, info)
					}
					if id.Phone != "" && (info.Phone != id.Phone || !info.PhoneVerified) {
						t.Errorf("%s: phone %q verified %v", id.Label, info.Phone, info.PhoneVerified)
					}
					if info.Tokens != nil {
						t.Errorf("%s: tokens given without WantTokens", id.Label)
					}
				}
			})
		}
	}
}

// One discovery request and one key set request serve 1,000 sign-ins.
func TestOneDiscoveryAndKeyFetchPer1000SignIns(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	c := open(t, p, discoveryConfig(p))
	p.AutoApprove("")
	for i := range 1000 {
		if _, err := signIn(context.Background(), c, p, "", false, nil); err != nil {
			t.Fatalf("sign-in %d: %v", i, err)
		}
	}
	if d, k := p.Requests(mockprovider.EndpointDiscovery), p.Requests(mockprovider.EndpointJWKS); d != 1 || k != 1 {
		t.Errorf("discovery requests %d, key set requests %d; want 1 and 1", d, k)
	}
	if n := p.Requests(mockprovider.EndpointToken); n != 1000 {
		t.Errorf("token requests %d", n)
	}
}

// Each "bad input" of the issue is refused with its own typed error.
func TestBadProviderAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		opts     mockprovider.OIDCOptions
		endpoint mockprovider.Endpoint
		mode     mockprovider.Mode
		code     connector.Code
		msg      string
	}{
		{"callback iss of another issuer", mockprovider.OIDCOptions{IssParameter: true}, mockprovider.EndpointAuthorize, mockprovider.WrongIssParameter, connector.CodeInvalidRequestParameters, "RFC 9207"},
		{"callback iss missing though promised", mockprovider.OIDCOptions{IssParameter: true}, mockprovider.EndpointAuthorize, mockprovider.MissingIssParameter, connector.CodeInvalidRequestParameters, "no iss"},
		{"userinfo about another user", mockprovider.OIDCOptions{}, mockprovider.EndpointUserInfo, mockprovider.SubjectMismatch, connector.CodeInvalidResponse, "another user"},
		{"token response without id_token", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.MissingIDToken, connector.CodeInvalidResponse, "no id_token"},
		{"discovery of another issuer", mockprovider.OIDCOptions{}, mockprovider.EndpointDiscovery, mockprovider.WrongIssuer, connector.CodeInvalidResponse, "not the configured issuer"},
		{"discovery 500", mockprovider.OIDCOptions{}, mockprovider.EndpointDiscovery, mockprovider.ServerError, connector.CodeGeneral, "discovery"},
		{"discovery HTML", mockprovider.OIDCOptions{}, mockprovider.EndpointDiscovery, mockprovider.HTMLPage, connector.CodeInvalidResponse, "discovery"},
		{"keys 500", mockprovider.OIDCOptions{}, mockprovider.EndpointJWKS, mockprovider.ServerError, connector.CodeGeneral, "jwks"},
		{"keys HTML", mockprovider.OIDCOptions{}, mockprovider.EndpointJWKS, mockprovider.HTMLPage, connector.CodeInvalidResponse, "jwks"},
		{"id_token signed by another key", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.BadSignature, connector.CodeSocialInvalidIDToken, "signature"},
		{"id_token alg none", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.AlgNone, connector.CodeSocialInvalidIDToken, "alg"},
		{"id_token nonce", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.WrongNonce, connector.CodeSocialInvalidIDToken, "nonce"},
		{"id_token expired", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.Expired, connector.CodeSocialInvalidIDToken, "exp"},
		{"id_token audience", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.WrongAudience, connector.CodeSocialInvalidIDToken, "aud"},
		{"id_token issuer", mockprovider.OIDCOptions{}, mockprovider.EndpointToken, mockprovider.WrongIssuer, connector.CodeSocialInvalidIDToken, "iss"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewOIDC(tt.opts)
			c := open(t, p, discoveryConfig(p))
			p.Fail(tt.endpoint, tt.mode)
			_, err := signIn(context.Background(), c, p, "", false, nil)
			ce := code(t, err, tt.code, tt.msg)
			if ce.Connector != oidc.FactoryID {
				t.Errorf("connector %q", ce.Connector)
			}
			for _, s := range p.Secrets() {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("secret in error: %v", err)
				}
			}
		})
	}
}

// An iss that is not the issuer is refused even when the provider does
// not promise one; without the promise, none is needed.
func TestCallbackIssWithoutPromise(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	c := open(t, p, explicitConfig(p))
	if _, err := signIn(context.Background(), c, p, "", false, nil); err != nil {
		t.Fatal(err)
	}
	_, err := signIn(context.Background(), c, p, "", false, func(params map[string][]string) { params["iss"] = []string{"https://evil.example"} })
	code(t, err, connector.CodeInvalidRequestParameters, "RFC 9207")
}

// Refresh verifies the refreshed id_token; RefreshUser also requires the
// same user. Revoke reaches the revocation endpoint when there is one.
func TestRefreshAndRevoke(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Revocation: true})
	c := open(t, p, discoveryConfig(p))
	info, err := signIn(context.Background(), c, p, "", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Tokens == nil || info.Tokens.RefreshToken == "" || info.Tokens.IDToken == "" {
		t.Fatalf("tokens %v", info.Tokens)
	}
	ctx := context.Background()
	tok, err := c.RefreshUser(ctx, info.Tokens.RefreshToken, info.ID)
	if err != nil || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("RefreshUser: %v %v", tok, err)
	}
	if _, err := c.Refresh(ctx, info.Tokens.RefreshToken); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	_, err = c.RefreshUser(ctx, info.Tokens.RefreshToken, "someone-else")
	code(t, err, connector.CodeSocialInvalidIDToken, "another user")
	_, err = c.RefreshUser(ctx, info.Tokens.RefreshToken, "")
	code(t, err, connector.CodeInvalidRequestParameters, "user ID")

	p.Fail(mockprovider.EndpointToken, mockprovider.BadSignature)
	_, err = c.Refresh(ctx, info.Tokens.RefreshToken)
	ce := code(t, err, connector.CodeSocialInvalidIDToken, "refresh response")
	if ce.Step != connector.StepRefresh {
		t.Errorf("step %q", ce.Step)
	}
	p.ClearFailures()

	if err := c.Revoke(ctx, info.Tokens.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if r := p.Revoked(); len(r) != 1 || r[0] != info.Tokens.RefreshToken {
		t.Errorf("revoked %d tokens", len(r))
	}

	q := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	code(t, open(t, q, discoveryConfig(q)).Revoke(ctx, "t", ""), connector.CodeNotImplemented, "no revocation endpoint")
}

// A key rotation costs one key set request: the unknown kid of the first
// token signed by the new key (once the key set's floor against kid
// floods has passed).
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Algorithm: "ES256"})
	clk := &clock{t: time.Now()}
	c := open(t, p, discoveryConfig(p), connector.WithClock(clk.now))
	p.AutoApprove("")
	for range 3 {
		if _, err := signIn(context.Background(), c, p, "", false, nil); err != nil {
			t.Fatal(err)
		}
	}
	p.RotateKey(false)
	clk.add(oidc.RetryDiscoveryAfter + time.Minute) // past the key set's refetch floor
	for range 3 {
		if _, err := signIn(context.Background(), c, p, "", false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.Requests(mockprovider.EndpointJWKS); n != 2 {
		t.Errorf("key set requests %d, want 2", n)
	}
}

// Without a userinfo endpoint the id_token's claims are the profile; a
// profileMap maps a non-standard claim.
func TestNoUserInfoAndProfileMap(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{NoUserInfo: true, Identities: []mockprovider.Identity{
		{ID: "u-1", Name: "Ada", Email: "ada@example.com", EmailVerified: true, Extra: map[string]any{"employee": map[string]any{"mail": "ada@corp.example"}}},
	}})
	raw, _ := json.Marshal(map[string]any{"issuer": p.Issuer(), "clientId": p.ClientID(), "clientSecret": p.ClientSecret(),
		"profileMap": map[string]string{"email": "employee.mail", "emailVerified": ""}})
	c := open(t, p, raw)
	info, err := signIn(context.Background(), c, p, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "u-1" || info.Email != "ada@corp.example" || info.EmailVerified {
		t.Errorf("got %+v", info)
	}
	if p.Requests(mockprovider.EndpointUserInfo) != 0 {
		t.Errorf("userinfo requested")
	}
}

// The userinfo answer is checked before it is merged: a JSON object, with
// a sub string; a flag that is neither a boolean nor "true"/"false" does
// not verify anything.
func TestUserInfoShapes(t *testing.T) {
	t.Parallel()
	id := mockprovider.DefaultOIDCIdentities[0].ID
	for _, tt := range []struct {
		name, body string
		code       connector.Code
		msg        string
	}{
		{"array", `[1,2]`, connector.CodeInvalidResponse, "userinfo"},
		{"no sub", `{"email":"ada@example.com"}`, connector.CodeInvalidResponse, "no sub"},
		{"numeric sub", `{"sub":248289761001}`, connector.CodeInvalidResponse, "no sub"},
		{"duplicate sub", `{"sub":"` + id + `","sub":"x"}`, connector.CodeInvalidResponse, "more than once"},
		{"odd flag", `{"sub":"` + id + `","email":"ada@example.com","email_verified":"yes"}`, "", ""},
		{"false flag", `{"sub":"` + id + `","email":"ada@example.com","email_verified":"false"}`, "", ""},
		{"null flag", `{"sub":"` + id + `","email":"ada@example.com","email_verified":null}`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
			c := open(t, p, discoveryConfig(p))
			p.SetFailure(mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.Custom, Status: 200,
				Header: map[string][]string{"Content-Type": {"application/json"}}, Body: tt.body})
			info, err := signIn(context.Background(), c, p, "", false, nil)
			if tt.code != "" {
				code(t, err, tt.code, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Email != "ada@example.com" || info.EmailVerified {
				t.Errorf("got %+v", info)
			}
		})
	}
}

// Without tokenEndpointAuthMethod, the method is OpenID Connect's default
// (client_secret_basic) unless the discovery document lists others only;
// the mock accepts one method and advertises it alone.
func TestDefaultAuthMethod(t *testing.T) {
	t.Parallel()
	for _, m := range []string{"client_secret_basic", "client_secret_post"} {
		p := mockprovider.NewOIDC(mockprovider.OIDCOptions{AuthMethod: m})
		c := open(t, p, discoveryConfig(p))
		if _, err := signIn(context.Background(), c, p, "", false, nil); err != nil {
			t.Errorf("%s: %v (problems %v)", m, err, p.Problems())
		}
	}
	// Logto's explicit form defaults to client_secret_post.
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{AuthMethod: "client_secret_post"})
	if _, err := signIn(context.Background(), open(t, p, explicitConfig(p)), p, "", false, nil); err != nil {
		t.Errorf("explicit: %v", err)
	}
	// A public client: no secret, PKCE.
	p = mockprovider.NewOIDC(mockprovider.OIDCOptions{AuthMethod: "none"})
	raw, _ := json.Marshal(map[string]any{"issuer": p.Issuer(), "clientId": p.ClientID(), "tokenEndpointAuthMethod": "none"})
	if _, err := signIn(context.Background(), open(t, p, raw), p, "", false, nil); err != nil {
		t.Errorf("none: %v", err)
	}
}

// Refresh and Revoke read the discovery document too, and report its
// failure; a revocation refused by the provider is the provider's error.
func TestRefreshRevokeFailures(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Revocation: true})
	c := open(t, p, discoveryConfig(p))
	// Arguments no call can be made with are refused before discovery.
	ctx0 := context.Background()
	_, err := c.Refresh(ctx0, "")
	code(t, err, connector.CodeInvalidRequestParameters, "refresh token is empty")
	_, err = c.RefreshUser(ctx0, "", "u-1")
	code(t, err, connector.CodeInvalidRequestParameters, "refresh token is empty")
	code(t, c.Revoke(ctx0, "", ""), connector.CodeInvalidRequestParameters, "token is empty")
	code(t, c.Revoke(ctx0, "t", "id_token"), connector.CodeInvalidRequestParameters, "hint")
	if n := p.Requests(mockprovider.EndpointDiscovery); n != 0 {
		t.Errorf("bad arguments fetched the discovery document %d times", n)
	}
	p.Fail(mockprovider.EndpointDiscovery, mockprovider.ServerError)
	ctx := context.Background()
	ce := code(t, c.Revoke(ctx, "t", ""), connector.CodeGeneral, "discovery")
	if ce.Step != connector.StepRevoke || ce.Connector != oidc.FactoryID {
		t.Errorf("step %q connector %q", ce.Step, ce.Connector)
	}
	p.ClearFailures()
	c = open(t, p, discoveryConfig(p))
	_, err = c.Refresh(ctx, "rt-unknown")
	code(t, err, connector.CodeSocialInvalidAccessToken, "")
	p.Fail(mockprovider.EndpointRevoke, mockprovider.ServerError)
	if err := c.Revoke(ctx, "t", ""); connector.CodeOf(err) != connector.CodeGeneral || !connector.IsRetryable(err) {
		t.Errorf("revoke at a failing endpoint: %v", err)
	}
	// A refresh answer without an id_token is returned as is.
	p.ClearFailures()
	info, err := signIn(ctx, c, p, "", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Fail(mockprovider.EndpointToken, mockprovider.MissingIDToken)
	if tok, err := c.RefreshUser(ctx, info.Tokens.RefreshToken, info.ID); err != nil || tok.IDToken != "" {
		t.Errorf("refresh without id_token: %v %v", tok, err)
	}
}
