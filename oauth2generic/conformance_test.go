package oauth2generic_test

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oauth2generic"
)

// config is a valid oauth2 config for p, with extra fields.
func config(p mockprovider.SocialProvider, extra map[string]any) json.RawMessage {
	cfg := map[string]any{
		"authorizationEndpoint": p.URL(mockprovider.EndpointAuthorize),
		"tokenEndpoint":         p.URL(mockprovider.EndpointToken),
		"userInfoEndpoint":      p.URL(mockprovider.EndpointUserInfo),
		"clientId":              p.ClientID(),
		"scope":                 "openid profile email",
	}
	if s := p.ClientSecret(); s != "" {
		cfg["clientSecret"] = s
	}
	for k, v := range extra {
		cfg[k] = v
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		panic(err)
	}
	return raw
}

var invalidConfigs = []conformance.InvalidConfig{
	{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
	{Name: "missing tokenEndpoint", Edit: func(c map[string]any) { delete(c, "tokenEndpoint") }, Field: "tokenEndpoint"},
	{Name: "plain http userInfoEndpoint", Edit: func(c map[string]any) { c["userInfoEndpoint"] = "http://provider.example/user" }, Field: "userInfoEndpoint"},
	{Name: "unknown auth method", Edit: func(c map[string]any) { c["tokenEndpointAuthMethod"] = "private_key_jwt" }, Field: "tokenEndpointAuthMethod"},
	{Name: "missing clientSecret", Edit: func(c map[string]any) { delete(c, "clientSecret") }, Field: "clientSecret"},
	{Name: "implicit flow", Edit: func(c map[string]any) { c["responseType"] = "token" }, Field: "responseType"},
	{Name: "customConfig overrides state", Edit: func(c map[string]any) { c["customConfig"] = map[string]any{"state": "fixed"} }, Field: `customConfig["state"]`},
	{Name: "customConfig overrides redirect_uri", Edit: func(c map[string]any) { c["customConfig"] = map[string]any{"redirectUri": "https://evil.example/cb"} }, Field: `customConfig["redirectUri"]`},
	{Name: "authorizationEndpoint carries client_id", Edit: func(c map[string]any) {
		c["authorizationEndpoint"] = c["authorizationEndpoint"].(string) + "?client_id=other"
	}, Field: "authorizationEndpoint"},
	{Name: "profileMap not an object", Edit: func(c map[string]any) { c["profileMap"] = "id" }, Field: "profileMap"},
}

// invalidFor returns the invalid configs that apply to a client using
// method: a public client has no secret to miss, but may not disable PKCE.
func invalidFor(method string) []conformance.InvalidConfig {
	if method != mockprovider.AuthNone {
		return invalidConfigs
	}
	var out []conformance.InvalidConfig
	for _, ic := range invalidConfigs {
		if ic.Field != "clientSecret" {
			out = append(out, ic)
		}
	}
	return append(out, conformance.InvalidConfig{Name: "public client without PKCE",
		Edit: func(c map[string]any) { c["disablePkce"] = true }, Field: "disablePkce"})
}

// TestConformance runs the conformance suite on the generic connector
// against the generic mock in each of its shapes.
func TestConformance(t *testing.T) {
	t.Parallel()
	verified := map[string]any{"profileMap": map[string]any{"emailVerified": "email_verified"}}
	for _, tc := range []struct {
		name  string
		opts  mockprovider.OAuth2Options
		extra map[string]any
	}{
		{"ClientSecretPost", mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthClientSecretPost}, verified},
		{"ClientSecretBasic", mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthClientSecretBasic},
			map[string]any{"tokenEndpointAuthMethod": "client_secret_basic"}},
		{"ClientSecretJWT", mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthClientSecretJWT},
			map[string]any{"tokenEndpointAuthMethod": "client_secret_jwt", "clientSecretJwtSigningAlgorithm": "HS512"}},
		{"PublicClient", mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthNone},
			map[string]any{"tokenEndpointAuthMethod": "none"}},
		{"FormTokenResponse", mockprovider.OAuth2Options{FormTokenResponse: true,
			TokenFields: map[string]any{"token_type": nil, "expires_in": "3600"}}, nil},
		{"NestedProfile", mockprovider.OAuth2Options{
			Identities: []mockprovider.Identity{
				{ID: "9007199254740993", Label: "verified email, ID beyond float64", Name: "Ada", Email: "ada@example.com", EmailVerified: true},
				{ID: "42", Label: "unverified email", Name: "Charles", Email: "charles@example.com"},
				{ID: "7", Label: "no email", Name: "Grace"},
			},
			Profile: func(id mockprovider.Identity) map[string]any {
				user := map[string]any{"id": json.Number(id.ID), "displayName": id.Name}
				if id.Email != "" {
					user["emails"] = []any{map[string]any{"value": id.Email, "verified": id.EmailVerified}}
				}
				return map[string]any{"data": map[string]any{"user": user}}
			},
			IDPath: "data.user.id",
		}, map[string]any{"profileMap": map[string]any{
			"id": "data.user.id", "name": "data.user.displayName",
			"email": "data.user.emails.0.value", "emailVerified": "data.user.emails.0.verified",
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			extra := tc.extra
			conformance.RunSocial(t, conformance.Social{
				Factory:        oauth2generic.Factory(),
				Provider:       mockprovider.NewOAuth2(tc.opts),
				Config:         func(p mockprovider.SocialProvider) json.RawMessage { return config(p, extra) },
				InvalidConfigs: invalidFor(tc.opts.AuthMethod),
				PKCE:           true,
				Scope:          "openid profile email",
			})
		})
	}
}
