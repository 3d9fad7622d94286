package mockprovider

import (
	"net/http"
)

// Facts of Sign in with Hugging Face.
var (
	huggingFacePaths = map[Endpoint]string{
		EndpointAuthorize: "/oauth/authorize",
		EndpointToken:     "/oauth/token",
		EndpointUserInfo:  "/oauth/userinfo",
	}
	huggingFaceModes = map[Endpoint][]Mode{
		EndpointToken:    {InvalidGrant, MissingToken, DuplicateNames},
		EndpointUserInfo: {MissingID, WrongTypes, CaseTwins, DuplicateNames, CustomID},
	}
	huggingFaceInvalidToken = map[string]any{"error": "Invalid credentials in Authorization header"}
	// DefaultHuggingFaceIdentities are the Hugging Face mock's test users.
	DefaultHuggingFaceIdentities = []Identity{
		{ID: "64f1a2b3c4d5e6f708192a3b", Label: "verified email, PRO, one org", Name: "Ada Lovelace", Username: "ada",
			Email: "ada@example.com", EmailVerified: true, Avatar: "https://cdn-avatars.huggingface.co/v1/production/uploads/ada.png",
			Extra: map[string]any{"isPro": true, "orgs": []any{map[string]any{
				"sub": "64f1a2b3c4d5e6f708192a00", "name": "Analytical Engines", "preferred_username": "analytical-engines",
				"picture": "https://cdn-avatars.huggingface.co/v1/production/uploads/org.png", "isEnterprise": false,
				"canPay": true, "roleInOrg": "admin"}}}},
		{ID: "64f1a2b3c4d5e6f708192a3c", Label: "unverified email", Name: "Charles Babbage", Username: "charles",
			Email: "charles@example.com"},
		{ID: "64f1a2b3c4d5e6f708192a3d", Label: "no email consent, no display name", Username: "grace"},
	}
)

// HuggingFaceOptions configures [NewHuggingFace].
type HuggingFaceOptions struct {
	// ClientID and ClientSecret are the OAuth app's; random when empty.
	ClientID, ClientSecret string
	// AuthMethod is the accepted client authentication
	// (AuthClientSecretBasic by default, as Hugging Face documents).
	AuthMethod string
	// RequirePKCE refuses authorization requests without PKCE.
	RequirePKCE bool
	// RedirectURIs, when set, are the only accepted redirect URIs.
	RedirectURIs []string
	// Identities are the test users; [DefaultHuggingFaceIdentities] when
	// empty.
	Identities []Identity
}

// HuggingFace is a Sign in with Hugging Face mock: /oauth/authorize,
// /oauth/token (Basic authentication, PKCE) and /oauth/userinfo (OpenID
// Connect fields plus isPro and orgs).
type HuggingFace struct {
	*oauthServer
	opts HuggingFaceOptions
}

var _ SocialProvider = (*HuggingFace)(nil)

// NewHuggingFace returns a Hugging Face mock.
func NewHuggingFace(opts HuggingFaceOptions) *HuggingFace {
	if opts.ClientID == "" {
		opts.ClientID = randHex(4) + "-" + randHex(2) + "-" + randHex(2) + "-" + randHex(2) + "-" + randHex(6)
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = randHex(4) + "-" + randHex(2) + "-" + randHex(2) + "-" + randHex(2) + "-" + randHex(6)
	}
	if opts.AuthMethod == "" {
		opts.AuthMethod = AuthClientSecretBasic
	}
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultHuggingFaceIdentities
	}
	spec := &oauthSpec{
		name: "huggingface", paths: huggingFacePaths, modes: huggingFaceModes,
		responseTypes:     []string{"code"},
		cancelError:       "access_denied",
		cancelDescription: "The user denied the authorization request",
		userinfoMethods:   []string{http.MethodGet, http.MethodPost},
		idPath:            []string{"sub"},
		profile:           huggingFaceProfile,
		tokenError: func(e *oauthErr) (int, string, []byte) {
			return oauthJSONError(e.status, e.code, e.desc)
		},
		userinfoError: func() (int, string, []byte) {
			return http.StatusUnauthorized, "application/json; charset=utf-8", mustJSON(huggingFaceInvalidToken)
		},
		shape: func(e Endpoint, f Failure) (int, string, []byte) {
			if f.Mode == Unauthorized && e == EndpointUserInfo {
				return http.StatusUnauthorized, "application/json; charset=utf-8", mustJSON(huggingFaceInvalidToken)
			}
			return oauthShape(e, f)
		},
	}
	p := &HuggingFace{opts: opts}
	p.oauthServer = newOAuthServer(spec, p)
	p.clientID, p.clientSecret, p.authMethod = opts.ClientID, opts.ClientSecret, opts.AuthMethod
	p.requirePKCE = opts.RequirePKCE
	p.redirectURIs = opts.RedirectURIs
	p.identities = append([]Identity(nil), opts.Identities...)
	return p
}

// ServeHTTP serves Hugging Face's OAuth endpoints.
func (p *HuggingFace) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.route(w, r, nil) }

// Clone returns a fresh mock with the same settings and credentials.
func (p *HuggingFace) Clone() Provider {
	n := NewHuggingFace(p.opts)
	p.cloneInto(n.oauthServer)
	return n
}

// ErrorCases lists Hugging Face's own failures.
func (p *HuggingFace) ErrorCases() []ErrorCase {
	return []ErrorCase{
		{Name: "invalid_client_400", Endpoint: EndpointToken,
			Failure: Failure{Mode: ProviderError, Code: "invalid_client"}, Code: "general",
			Status: http.StatusBadRequest, ProviderCode: "invalid_client"},
	}
}

// huggingFaceProfile renders an identity as /oauth/userinfo does.
func huggingFaceProfile(id Identity) map[string]any {
	doc := map[string]any{
		"sub":                id.ID,
		"preferred_username": id.Username,
		"profile":            "https://huggingface.co/" + id.Username,
		"isPro":              false,
		"orgs":               []any{},
	}
	if id.Name != "" {
		doc["name"] = id.Name
	}
	if id.Avatar != "" {
		doc["picture"] = id.Avatar
	}
	if id.Email != "" {
		doc["email"] = id.Email
		doc["email_verified"] = id.EmailVerified
	}
	return doc
}
