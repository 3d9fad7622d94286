package mockprovider

import "net/http"

// Facts of Sign in with Hugging Face.
var (
	huggingFacePaths = map[Endpoint]string{
		EndpointAuthorize: "/oauth/authorize",
		EndpointToken:     "/oauth/token",
		EndpointUserInfo:  "/oauth/userinfo",
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
	*OAuth2
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
	return &HuggingFace{opts: opts, OAuth2: NewSocial(SocialSpec{
		Name: "huggingface", Paths: huggingFacePaths,
		ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, ClientAuth: opts.AuthMethod,
		RequirePKCE: opts.RequirePKCE, RedirectURIs: opts.RedirectURIs, Identities: opts.Identities,
		Profile: huggingFaceProfile, IDPath: "sub",
		ErrorBody:   huggingFaceError,
		CancelError: "access_denied", CancelDescription: "The user denied the authorization request",
		ErrorCases: []ErrorCase{
			{Name: "invalid_client_400", Endpoint: EndpointToken,
				Failure: Failure{Mode: ProviderError, Code: "invalid_client"}, Code: "general",
				Status: http.StatusBadRequest, ProviderCode: "invalid_client"},
		},
	})}
}

// Clone returns a fresh mock with the same settings and credentials.
func (p *HuggingFace) Clone() Provider {
	n := NewHuggingFace(p.opts)
	p.cloneInto(n.oauthServer)
	return n
}

// huggingFaceError renders Hugging Face's errors: RFC 6749's at the token
// endpoint, {"error": "Invalid credentials in Authorization header"} for a
// bad access token.
func huggingFaceError(e ErrorReply) (int, any) {
	if e.Endpoint == EndpointUserInfo && (e.Failure.Mode == OK || e.Failure.Mode == Unauthorized) {
		return http.StatusUnauthorized, huggingFaceInvalidToken
	}
	return e.Status, oauthErrorBody(e)
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
