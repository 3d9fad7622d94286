package mockprovider

import (
	"maps"
	"net/http"
	"strings"
)

// Facts of the generic OAuth 2.0 mock.
var (
	oauth2Paths = map[Endpoint]string{
		EndpointAuthorize: "/authorize",
		EndpointToken:     "/token",
		EndpointUserInfo:  "/userinfo",
	}
	oauth2Modes = map[Endpoint][]Mode{
		EndpointToken:    {InvalidGrant, MissingToken, DuplicateNames},
		EndpointUserInfo: {MissingID, WrongTypes, CaseTwins, DuplicateNames, CustomID},
	}
	// DefaultOAuth2Identities are the generic mock's test users.
	DefaultOAuth2Identities = []Identity{
		{ID: "u-1001", Label: "verified email", Name: "Ada Lovelace", Username: "ada",
			Email: "ada@example.com", EmailVerified: true, Phone: "+14155550100",
			Avatar: "https://avatars.example.com/ada.png"},
		{ID: "u-1002", Label: "unverified email", Name: "Charles Babbage", Username: "charles",
			Email: "charles@example.com"},
		{ID: "u-1003", Label: "no email consent", Name: "Grace Hopper", Username: "grace"},
	}
)

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
}

// OAuth2 is a generic OAuth 2.0 provider mock.
type OAuth2 struct {
	*oauthServer
	opts OAuth2Options
}

var _ SocialProvider = (*OAuth2)(nil)

// NewOAuth2 returns a generic OAuth 2.0 provider mock.
func NewOAuth2(opts OAuth2Options) *OAuth2 {
	if opts.Name == "" {
		opts.Name = "oauth2"
	}
	if opts.ClientID == "" {
		opts.ClientID = "client-" + randHex(8)
	}
	if opts.ClientSecret == "" && opts.AuthMethod != AuthNone {
		opts.ClientSecret = "cs-" + randHex(16) + "+/=~"
	}
	if opts.IDPath == "" {
		opts.IDPath = "id"
	}
	if opts.Profile == nil {
		opts.Profile = FlatProfile
	}
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultOAuth2Identities
	}
	paths := maps.Clone(oauth2Paths)
	maps.Copy(paths, opts.Paths)
	spec := &oauthSpec{
		name: opts.Name, paths: paths, modes: oauth2Modes,
		responseTypes:     []string{"code"},
		cancelError:       "access_denied",
		cancelDescription: "the user denied the request",
		userinfoMethods:   []string{http.MethodGet, http.MethodPost},
		idPath:            strings.Split(opts.IDPath, "."),
		profile:           opts.Profile,
		tokenError: func(e *oauthErr) (int, string, []byte) {
			return oauthJSONError(e.status, e.code, e.desc)
		},
		userinfoError: func() (int, string, []byte) {
			return oauthJSONError(http.StatusUnauthorized, "invalid_token", "the access token is invalid or expired")
		},
		shape: oauthShape,
	}
	p := &OAuth2{opts: opts}
	p.oauthServer = newOAuthServer(spec, p)
	p.clientID, p.clientSecret, p.authMethod = opts.ClientID, opts.ClientSecret, opts.AuthMethod
	p.formToken, p.requirePKCE = opts.FormTokenResponse, opts.RequirePKCE || opts.AuthMethod == AuthNone
	p.redirectURIs = opts.RedirectURIs
	p.tokenFields = opts.TokenFields
	p.identities = append([]Identity(nil), opts.Identities...)
	return p
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

// ServeHTTP serves the authorization page, the token and userinfo endpoints.
func (p *OAuth2) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.route(w, r, nil) }

// Clone returns a fresh mock with the same settings and credentials.
func (p *OAuth2) Clone() Provider {
	n := NewOAuth2(p.opts)
	p.cloneInto(n.oauthServer)
	return n
}

// ErrorCases lists the generic provider's own failures.
func (p *OAuth2) ErrorCases() []ErrorCase {
	return []ErrorCase{
		{Name: "invalid_client_400", Endpoint: EndpointToken,
			Failure: Failure{Mode: ProviderError, Code: "invalid_client"}, Code: "general",
			Status: http.StatusBadRequest, ProviderCode: "invalid_client"},
		{Name: "unauthorized_client", Endpoint: EndpointToken,
			Failure: Failure{Mode: ProviderError, Code: "unauthorized_client"}, Code: "general",
			Status: http.StatusBadRequest, ProviderCode: "unauthorized_client"},
	}
}
