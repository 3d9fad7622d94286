package mockprovider

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// AppleIssuer is the iss of Apple's id_tokens and the aud of a client
// secret.
const AppleIssuer = "https://appleid.apple.com"

// Facts of Sign in with Apple.
var (
	applePaths = map[Endpoint]string{
		EndpointAuthorize: "/auth/authorize",
		EndpointToken:     "/auth/token",
		EndpointJWKS:      "/auth/keys",
		EndpointRevoke:    "/auth/revoke",
	}
	// Supported modes. MissingToken renders at the token endpoint too, but
	// is not listed: a connector that relies on the id_token alone may
	// rightly ignore a missing access token.
	appleModes = map[Endpoint][]Mode{
		EndpointAuthorize: idTokenModes,
		EndpointToken:     append([]Mode{InvalidGrant, DuplicateNames}, idTokenModes...),
	}
	// What the WrongIssuer and WrongAudience faults put in an id_token.
	appleWrongParty = wrongParty{issuer: "https://appleid.example.net", audience: "com.example.someone-else"}
	// DefaultAppleIdentities are the Apple mock's test users.
	DefaultAppleIdentities = []Identity{
		{ID: "001234.5f1e2d3c4b5a69788796a5b4c3d2e1f0.1201", Label: "verified email", Name: "Ada Lovelace",
			Email: "ada@example.com", EmailVerified: true},
		{ID: "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1202", Label: "verified email, claims as strings", Name: "Alan Turing",
			Email: "alan@example.com", EmailVerified: true, StringClaims: true},
		{ID: "001234.99aa88bb77cc66dd55ee44ff33001122.1203", Label: "private relay email", Name: "Grace Hopper",
			Email: "x7k2m9qp4r@privaterelay.appleid.com", EmailVerified: true, PrivateEmail: true},
		{ID: "001234.123456789abcdef0123456789abcdef0.1204", Label: "unverified email", Name: "Charles Babbage",
			Email: "charles@example.com"},
		{ID: "001234.fedcba9876543210fedcba9876543210.1205", Label: "no email", Name: "Katherine Johnson"},
	}
)

// AppleOptions configures [NewApple].
type AppleOptions struct {
	// ClientID is the Services ID (or bundle ID) of the client;
	// "com.example.web" when empty.
	ClientID string
	// TeamID, KeyID and ClientKey check the client secret at the token and
	// revoke endpoints: an ES256 JWT with header kid = KeyID, iss = TeamID,
	// sub = ClientID, aud = https://appleid.apple.com, signed by the
	// private key whose public half is ClientKey. Without ClientKey every
	// token and revoke request is refused with invalid_client.
	TeamID, KeyID string
	ClientKey     *ecdsa.PublicKey
	// RedirectURIs, when set, are the only accepted redirect URIs.
	RedirectURIs []string
	// Identities are the test users; [DefaultAppleIdentities] when empty.
	Identities []Identity
	// Now is the mock's clock (time.Now when nil).
	Now func() time.Time
}

// Apple is a Sign in with Apple mock: authorization with form_post
// callbacks carrying code, state, an RS256 id_token and, on a user's first
// sign-in, the user JSON; a JWKS endpoint; a token endpoint that checks the
// ES256 client secret; a revoke endpoint; key rotation.
type Apple struct {
	*oauthServer
	*keyring
	*revocations
	opts AppleOptions
}

var _ SocialProvider = (*Apple)(nil)

// NewApple returns a Sign in with Apple mock with a fresh RS256 signing key.
func NewApple(opts AppleOptions) *Apple {
	return newApple(opts, newKeyring("RS256"))
}

func newApple(opts AppleOptions, keys *keyring) *Apple {
	if opts.ClientID == "" {
		opts.ClientID = "com.example.web"
	}
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultAppleIdentities
	}
	p := &Apple{opts: opts, keyring: keys, revocations: &revocations{}}
	p.oauthServer = newOAuthServer(SocialSpec{
		Name: "apple", Paths: applePaths, ClientID: opts.ClientID,
		RedirectURIs: slices.Clone(opts.RedirectURIs), Identities: slices.Clone(opts.Identities),
		// No userinfo endpoint: the profile travels in the id_token.
		Profile: func(Identity) map[string]any { return map[string]any{} }, IDPath: "sub",
		ErrorBody: appleError, CancelError: "user_cancelled_authorize",
	}, appleModes, p)
	p.responseTypes = []string{"code", "code id_token"}
	p.userinfoMethods = nil
	if opts.Now != nil {
		p.now = opts.Now
	}
	p.authenticate = p.appleAuthenticate
	p.validateAuthz = appleValidateAuthz
	p.callbackExtra = p.appleCallback
	p.tokenExtra = func(g *grant, f Failure, resp map[string]any) {
		at, _ := resp["access_token"].(string)
		resp["id_token"] = p.idToken(g, f, "", at)
	}
	return p
}

// ServeHTTP serves Apple's endpoints.
func (p *Apple) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.route(w, r, map[Endpoint]handlerFunc{EndpointJWKS: p.handleJWKS, EndpointRevoke: p.revokeHandler(p.revocations)})
}

// Clone returns a fresh mock with the same settings and signing keys.
func (p *Apple) Clone() Provider {
	n := newApple(p.opts, p.keyring.clone())
	p.cloneInto(n.oauthServer)
	return n
}

// ClientSecret returns "": Apple's client secret is a JWT the client mints.
func (p *Apple) ClientSecret() string { return "" }

// PublicKey returns the public half of the signing key kid, or nil.
func (p *Apple) PublicKey(kid string) *rsa.PublicKey {
	pub, _ := p.publicKey(kid).(*rsa.PublicKey)
	return pub
}

// ErrorCases lists the id_token faults a connector must refuse with
// social_invalid_id_token: in the callback's id_token, and in the token
// response's ("token_response_id_token_..."), which the suite runs for a
// connector that exchanges the code.
func (p *Apple) ErrorCases() []ErrorCase {
	cases := idTokenErrorCases(EndpointAuthorize)
	for _, c := range idTokenErrorCases(EndpointToken) {
		c.Name = "token_response_" + c.Name
		cases = append(cases, c)
	}
	return cases
}

// appleError renders Apple's error bodies: {"error": code}, with 400 for
// everything but rate limits and server failures (bad client secrets
// included).
func appleError(e ErrorReply) (int, any) {
	status, code := http.StatusBadRequest, e.Code
	switch e.Failure.Mode {
	case RateLimited:
		status, code = e.Status, "rate_limited"
	case ServerError, Unavailable:
		status = e.Status
	}
	return status, map[string]any{"error": code}
}

// appleValidateAuthz: Apple requires form_post when scopes are requested,
// and never puts an id_token in a query.
func appleValidateAuthz(q url.Values) *oauthErr {
	mode := q.Get("response_mode")
	if mode == "" {
		mode = "query"
	}
	if q.Get("scope") != "" && mode != "form_post" {
		return &oauthErr{status: http.StatusBadRequest, code: "invalid_request",
			desc: "response_mode must be form_post when scopes are requested", reason: "response_mode"}
	}
	if strings.Contains(q.Get("response_type"), "id_token") && mode == "query" {
		return &oauthErr{status: http.StatusBadRequest, code: "invalid_request",
			desc: "response_type code id_token needs response_mode form_post or fragment", reason: "response_mode"}
	}
	for _, s := range strings.Fields(q.Get("scope")) {
		if s != "name" && s != "email" && s != "openid" {
			return &oauthErr{status: http.StatusBadRequest, code: "invalid_scope",
				desc: "scope " + s + " is not one of name, email", reason: "scope"}
		}
	}
	return nil
}

// appleCallback adds the id_token and, on a first sign-in with scopes, the
// user JSON to the callback.
func (p *Apple) appleCallback(g *grant, f Failure, v url.Values, first bool) {
	if strings.Contains(g.respType, "id_token") {
		v.Set("id_token", p.idToken(g, f, v.Get("code"), ""))
	}
	scopes := strings.Fields(g.scope)
	if !first || len(scopes) == 0 {
		return
	}
	user := map[string]any{}
	if slices.Contains(scopes, "name") && g.identity.Name != "" {
		first, last, _ := strings.Cut(g.identity.Name, " ")
		user["name"] = map[string]any{"firstName": first, "lastName": last}
	}
	if slices.Contains(scopes, "email") && g.identity.Email != "" {
		user["email"] = g.identity.Email
	}
	if len(user) > 0 {
		v.Set("user", string(mustJSON(user)))
	}
}

// idToken signs the id_token of g with f's fault applied. code and
// accessToken, when set, give c_hash and at_hash.
func (p *Apple) idToken(g *grant, f Failure, code, accessToken string) string {
	now := p.now()
	id := g.identity
	claims := idTokenClaims(AppleIssuer, g, now, now, true, code, accessToken)
	claims["nonce_supported"] = true
	claims["real_user_status"] = 2
	// Apple puts the email in the id_token only when the email scope was
	// requested (on every sign-in then, unlike the user form field).
	if id.Email != "" && slices.Contains(strings.Fields(g.scope), "email") {
		claims["email"] = id.Email
		claims["email_verified"] = claimBool(id.EmailVerified, id.StringClaims)
		if id.PrivateEmail {
			claims["is_private_email"] = claimBool(true, id.StringClaims)
		}
	}
	return p.mintIDToken(p.keyring, claims, f, now, appleWrongParty)
}
