package mockprovider

import (
	"maps"
	"net/http"
	"slices"
)

// DefaultOAuth2Identities are the generic mock's test users.
var DefaultOAuth2Identities = []Identity{
	{ID: "u-1001", Label: "verified email", Name: "Ada Lovelace", Username: "ada",
		Email: "ada@example.com", EmailVerified: true, Phone: "+14155550100",
		Avatar: "https://avatars.example.com/ada.png"},
	{ID: "u-1002", Label: "unverified email", Name: "Charles Babbage", Username: "charles",
		Email: "charles@example.com"},
	{ID: "u-1003", Label: "no email consent", Name: "Grace Hopper", Username: "grace"},
}

// OAuth2Options configures [NewOAuth2]. The zero value is a provider with
// random client credentials that accepts client_secret_post,
// client_secret_basic and client_secret_jwt, answers JSON, and serves a flat
// profile {"id","name","email","email_verified","avatar","phone"}.
type OAuth2Options struct {
	// Name is the fake host's first label and the provider's name
	// ("oauth2" by default: https://oauth2.mock.test).
	Name string
	// ClientID and ClientSecret are the registered client; random when
	// empty. The random secret holds characters that must be form-encoded
	// in Basic credentials (RFC 6749 section 2.3.1).
	ClientID, ClientSecret string
	// AuthMethod is the one client authentication method accepted
	// (AuthClientSecretPost, AuthClientSecretBasic, AuthClientSecretJWT or
	// AuthNone); empty accepts any of the three secret-based methods.
	AuthMethod string
	// FormTokenResponse answers token requests as
	// application/x-www-form-urlencoded instead of JSON.
	FormTokenResponse bool
	// RequirePKCE refuses authorization requests without an S256
	// code_challenge (always required with AuthNone).
	RequirePKCE bool
	// RedirectURIs, when set, are the only accepted redirect URIs.
	RedirectURIs []string
	// TokenFields are merged into every token response; a nil value
	// removes the field (e.g. {"token_type": nil, "expires_in": "3600"}).
	TokenFields map[string]any
	// Profile renders an identity as the userinfo document; IDPath is the
	// dotted path of the user ID in it ("id" by default), which MissingID
	// and WrongTypes damage.
	Profile func(Identity) map[string]any
	IDPath  string
	// Identities are the test users; [DefaultOAuth2Identities] when empty.
	Identities []Identity
	// Paths override endpoint paths ("/authorize", "/token", "/userinfo").
	Paths map[Endpoint]string
	// Revocation serves a token revocation endpoint (RFC 7009) at
	// "/revoke" (or Paths[EndpointRevoke]); see [SocialSpec.Paths].
	Revocation bool
}

// OAuth2 is an OAuth 2.0 provider mock: the generic one of [NewOAuth2], or
// one a [SocialSpec] describes ([NewSocial]).
type OAuth2 struct {
	*oauthServer
	// revocations records the revoke endpoint's work, when the spec
	// serves one (Revoked).
	*revocations
	extra map[Endpoint]handlerFunc
}

var _ SocialProvider = (*OAuth2)(nil)

// NewOAuth2 returns a generic OAuth 2.0 provider mock.
func NewOAuth2(opts OAuth2Options) *OAuth2 {
	paths := maps.Clone(opts.Paths)
	if opts.Revocation && paths[EndpointRevoke] == "" {
		if paths == nil {
			paths = map[Endpoint]string{}
		}
		paths[EndpointRevoke] = "/revoke"
	}
	return NewSocial(SocialSpec{
		Name: opts.Name, Paths: paths,
		ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, ClientAuth: opts.AuthMethod,
		RequirePKCE: opts.RequirePKCE, RedirectURIs: opts.RedirectURIs,
		FormTokenResponse: opts.FormTokenResponse, TokenFields: opts.TokenFields,
		Identities: opts.Identities, Profile: opts.Profile, IDPath: opts.IDPath,
		CancelDescription: "the user denied the request",
		ErrorCases:        oauth2ErrorCases,
	})
}

// oauth2ErrorCases are the generic provider's own failures.
var oauth2ErrorCases = []ErrorCase{
	{Name: "invalid_client_400", Endpoint: EndpointToken,
		Failure: Failure{Mode: ProviderError, Code: "invalid_client"}, Code: "general",
		Status: http.StatusBadRequest, ProviderCode: "invalid_client"},
	{Name: "unauthorized_client", Endpoint: EndpointToken,
		Failure: Failure{Mode: ProviderError, Code: "unauthorized_client"}, Code: "general",
		Status: http.StatusBadRequest, ProviderCode: "unauthorized_client"},
}

// FlatProfile is the generic mock's default profile document:
// {"id","name","preferred_username","email","email_verified","avatar","phone"},
// leaving out empty values.
func FlatProfile(id Identity) map[string]any {
	doc := map[string]any{"id": id.ID}
	if id.Name != "" {
		doc["name"] = id.Name
	}
	if id.Username != "" {
		doc["preferred_username"] = id.Username
	}
	if id.Email != "" {
		doc["email"] = id.Email
		doc["email_verified"] = id.EmailVerified
	}
	if id.Avatar != "" {
		doc["avatar"] = id.Avatar
	}
	if id.Phone != "" {
		doc["phone"] = id.Phone
	}
	return doc
}

// ServeHTTP serves the authorization page, the token and userinfo
// endpoints, and the revoke endpoint when the spec has one.
func (p *OAuth2) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.route(w, r, p.extra) }

// Clone returns a fresh mock with the same spec (credentials included).
func (p *OAuth2) Clone() Provider {
	n := newOAuth2(p.spec)
	p.cloneInto(n.oauthServer)
	return n
}

// ErrorCases lists the provider's own failures ([SocialSpec.ErrorCases]).
func (p *OAuth2) ErrorCases() []ErrorCase { return slices.Clone(p.spec.ErrorCases) }
