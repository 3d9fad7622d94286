package mockprovider

import (
	"bytes"
	"cmp"
	"crypto"
	"encoding/json"
	"html"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Facts of the OpenID Connect mock.
var (
	oidcPaths = map[Endpoint]string{
		EndpointDiscovery: "/.well-known/openid-configuration",
		EndpointAuthorize: "/authorize",
		EndpointToken:     "/token",
		EndpointUserInfo:  "/userinfo",
		EndpointJWKS:      "/jwks",
		EndpointRevoke:    "/revoke",
	}
	oidcScopes          = []string{"openid", "profile", "email", "phone", "offline_access"}
	oidcClaimsSupported = []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
		"name", "preferred_username", "picture", "email", "email_verified", "phone_number", "phone_number_verified"}
	// oidcDiscoveryCache is the Cache-Control of the discovery document, as
	// providers send it: clients may keep it.
	oidcDiscoveryCache = "public, max-age=3600"
	// DefaultOIDCIdentities are the OpenID Connect mock's test users. Their
	// subjects are digit strings, which a client must keep as strings.
	DefaultOIDCIdentities = []Identity{
		{ID: "248289761001", Label: "verified email, name, picture", Name: "Ada Lovelace",
			Email: "ada@example.com", EmailVerified: true, Avatar: "https://pictures.example.com/ada.png"},
		{ID: "248289761002", Label: "verified email and phone, booleans as strings", Name: "Alan Turing",
			Email: "alan@example.com", EmailVerified: true, Phone: "+14155550102", StringClaims: true},
		{ID: "248289761003", Label: "verified phone, no email", Name: "Grace Hopper", Phone: "+14155550103"},
		{ID: "248289761004", Label: "unverified email", Name: "Charles Babbage", Email: "charles@example.com"},
		{ID: "248289761005", Label: "unverified email, booleans as strings", Name: "Mary Somerville",
			Email: "mary@example.com", StringClaims: true},
		{ID: "248289761006", Label: "no email", Name: "Katherine Johnson"},
	}
)

func init() {
	// The OpenID Connect mock renders these in its handlers; core sends a
	// mode that is not in handlerModes to the error shaper instead.
	handlerModes[MissingIDToken] = true
	handlerModes[SubjectMismatch] = true
}

// OIDCOptions configures [NewOIDC]. The zero value is a provider that
// signs RS256 id_tokens, accepts client_secret_basic, client_secret_post
// and client_secret_jwt with a random secret, serves userinfo, and neither
// revokes tokens nor sends the iss authorization response parameter.
type OIDCOptions struct {
	// ClientID is the registered client's ID; "oidc-client" when empty.
	ClientID string
	// ClientSecret is its secret; random when empty (none with AuthNone).
	// The random secret holds characters that must be form-encoded in
	// Basic credentials (RFC 6749 section 2.3.1).
	ClientSecret string
	// AuthMethod is the one client authentication method accepted at the
	// token and revoke endpoints (AuthClientSecretPost,
	// AuthClientSecretBasic, AuthClientSecretJWT or AuthNone); empty
	// accepts any of the three secret-based methods.
	AuthMethod string
	// RequirePKCE refuses authorization requests without an S256
	// code_challenge (always required with AuthNone).
	RequirePKCE bool
	// Algorithm signs the id_tokens and is declared in each JWK's "alg":
	// "RS256" (the default), "PS256" (both RSA 2048) or "ES256" (P-256).
	// NewOIDC panics on any other value.
	Algorithm string
	// IssParameter advertises authorization_response_iss_parameter_supported
	// and puts iss (the issuer) in every authorization response, success
	// or error (RFC 9207).
	IssParameter bool
	// NoUserInfo leaves out the userinfo endpoint (and its discovery
	// entry).
	NoUserInfo bool
	// Revocation serves a revoke endpoint (RFC 7009), advertised as
	// revocation_endpoint; see [OIDC.Revoked].
	Revocation bool
	// RedirectURIs, when set, are the only accepted redirect URIs.
	RedirectURIs []string
	// Identities are the test users; [DefaultOIDCIdentities] when empty.
	// Each is served as the standard claims sub, name,
	// preferred_username, picture, email, email_verified, phone_number and
	// phone_number_verified (true for any phone number), the booleans as
	// strings for [Identity.StringClaims], plus [Identity.Extra], in the
	// id_token and at the userinfo endpoint alike.
	Identities []Identity
	// Now is the mock's clock (time.Now when nil).
	Now func() time.Time
}

// OIDC is a generic OpenID Connect provider mock: a discovery document at
// /.well-known/openid-configuration, the authorization code flow with
// PKCE, a nonce and (optionally) the iss callback parameter, id_tokens
// signed with the current key of a JWKS that rotates, a userinfo endpoint
// that gives the same claims and, optionally, a revoke endpoint. Its
// issuer is its base URL.
type OIDC struct {
	*oauthServer
	*keyring
	*revocations
	opts OIDCOptions
	// handlers serve the endpoints the OAuth engine does not, or wrap its
	// own.
	handlers map[Endpoint]handlerFunc
}

var _ SocialProvider = (*OIDC)(nil)

// NewOIDC returns an OpenID Connect provider mock with a fresh signing key
// for opts.Algorithm.
func NewOIDC(opts OIDCOptions) *OIDC {
	opts = oidcDefaults(opts)
	return newOIDC(opts, newKeyring(opts.Algorithm))
}

// oidcDefaults fills in opts' defaults.
func oidcDefaults(opts OIDCOptions) OIDCOptions {
	opts.Algorithm = cmp.Or(opts.Algorithm, "RS256")
	if !slices.Contains(keyAlgorithms, opts.Algorithm) {
		panic("mockprovider: OIDCOptions.Algorithm must be RS256, PS256 or ES256, not " + strconv.Quote(opts.Algorithm))
	}
	opts.ClientID = cmp.Or(opts.ClientID, "oidc-client")
	if opts.ClientSecret == "" && opts.AuthMethod != AuthNone {
		opts.ClientSecret = "cs-" + randHex(16) + "+/=~"
	}
	opts.RedirectURIs = slices.Clone(opts.RedirectURIs)
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultOIDCIdentities
	}
	opts.Identities = slices.Clone(opts.Identities)
	return opts
}

// newOIDC builds the mock of opts, every default filled in, signing with
// keys.
func newOIDC(opts OIDCOptions, keys *keyring) *OIDC {
	paths := maps.Clone(oidcPaths)
	if opts.NoUserInfo {
		delete(paths, EndpointUserInfo)
	}
	if !opts.Revocation {
		delete(paths, EndpointRevoke)
	}
	p := &OIDC{opts: opts, keyring: keys, revocations: &revocations{}}
	p.oauthServer = newOAuthServer(SocialSpec{
		Name: "oidc", Paths: paths,
		ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, ClientAuth: opts.AuthMethod,
		RequirePKCE: opts.RequirePKCE || opts.AuthMethod == AuthNone, RedirectURIs: opts.RedirectURIs,
		Identities: opts.Identities, Profile: oidcProfile, IDPath: "sub",
		CancelError: "access_denied", CancelDescription: "the user denied the request",
	}, oidcModes(opts), p)
	if opts.Now != nil {
		p.now = opts.Now
	}
	p.validateAuthz = oidcValidateAuthz
	p.callbackExtra = func(_ *grant, f Failure, v url.Values, _ bool) { p.setIss(v, f) }
	p.tokenExtra = p.addIDToken
	p.handlers = map[Endpoint]handlerFunc{
		EndpointDiscovery: p.serveDiscovery,
		EndpointAuthorize: p.serveAuthorize,
		EndpointUserInfo:  p.serveUserInfo,
		EndpointJWKS:      p.handleJWKS,
		EndpointRevoke:    p.revokeHandler(p.revocations),
	}
	return p
}

// oidcModes lists the modes each endpoint renders beyond the generic ones.
func oidcModes(opts OIDCOptions) map[Endpoint][]Mode {
	authorize := []Mode{WrongIssParameter}
	if opts.IssParameter {
		authorize = append(authorize, MissingIssParameter)
	}
	token := []Mode{InvalidGrant, DuplicateNames, MissingIDToken}
	if !opts.NoUserInfo {
		// Without a userinfo endpoint a connector may rightly ignore a
		// missing access token: it signs in with the id_token alone.
		token = append(token, MissingToken)
	}
	return map[Endpoint][]Mode{
		EndpointDiscovery: {WrongIssuer, DuplicateNames},
		EndpointAuthorize: authorize,
		EndpointToken:     append(token, idTokenModes...),
		EndpointUserInfo:  {MissingID, WrongTypes, CaseTwins, DuplicateNames, CustomID, SubjectMismatch},
	}
}

// ServeHTTP serves the discovery document, the authorization page, the
// token, userinfo, JWKS and revoke endpoints.
func (p *OIDC) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.route(w, r, p.handlers) }

// Clone returns a fresh mock with the same settings, credentials and
// signing keys; rotating the keys of one leaves the other's alone.
func (p *OIDC) Clone() Provider {
	n := newOIDC(p.opts, p.keyring.clone())
	p.cloneInto(n.oauthServer)
	return n
}

// Issuer is the provider's issuer: its [Provider.BaseURL]
// (https://oidc.mock.test, or the local server's URL after
// [Provider.Start]). The discovery document, the id_tokens and the iss
// callback parameter carry it.
func (p *OIDC) Issuer() string { return p.BaseURL() }

// Endpoints lists the endpoints the mock serves, discovery first.
func (p *OIDC) Endpoints() []Endpoint {
	return append([]Endpoint{EndpointDiscovery}, p.core.Endpoints()...)
}

// PublicKey returns the public half of the signing key kid (an
// *rsa.PublicKey, or an *ecdsa.PublicKey for ES256), or nil.
func (p *OIDC) PublicKey(kid string) crypto.PublicKey { return p.publicKey(kid) }

// ErrorCases lists the generic OAuth errors of [NewOAuth2] and the
// id_token faults of the token endpoint, which a connector must refuse with
// social_invalid_id_token.
func (p *OIDC) ErrorCases() []ErrorCase {
	return append(slices.Clone(oauth2ErrorCases), idTokenErrorCases(EndpointToken)...)
}

// Deny returns the callback parameters of a user who pressed Cancel, iss
// included as in any authorization response.
func (p *OIDC) Deny(authURL string) (url.Values, error) {
	v, err := p.oauthServer.Deny(authURL)
	if err == nil {
		p.setIss(v, p.take(EndpointAuthorize, false))
	}
	return v, err
}

// otherIssuer is the issuer the WrongIssuer and WrongIssParameter faults
// give: the issuer with a path added, which a client that compares by
// prefix takes for its own.
func (p *OIDC) otherIssuer() string { return p.Issuer() + "/other" }

// setIss sets (or leaves out) the iss parameter of the authorization
// response v as f says.
func (p *OIDC) setIss(v url.Values, f Failure) {
	switch {
	case f.Mode == WrongIssParameter:
		v.Set("iss", p.otherIssuer())
	case p.opts.IssParameter && f.Mode != MissingIssParameter:
		v.Set("iss", p.Issuer())
	default:
		v.Del("iss")
	}
}

// oidcValidateAuthz requires the openid scope (OpenID Connect Core
// 3.1.2.1).
func oidcValidateAuthz(q url.Values) *oauthErr {
	if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		return &oauthErr{status: http.StatusBadRequest, code: "invalid_scope",
			desc: "scope must contain openid", reason: "scope"}
	}
	return nil
}

// oidcProfile renders an identity's standard claims (OpenID Connect Core
// 5.1), leaving out empty values.
func oidcProfile(id Identity) map[string]any {
	doc := map[string]any{"sub": id.ID}
	if id.Name != "" {
		doc["name"] = id.Name
	}
	if id.Username != "" {
		doc["preferred_username"] = id.Username
	}
	if id.Avatar != "" {
		doc["picture"] = id.Avatar
	}
	if id.Email != "" {
		doc["email"] = id.Email
		doc["email_verified"] = claimBool(id.HasVerifiedEmail(), id.StringClaims)
	}
	if id.Phone != "" {
		doc["phone_number"] = id.Phone
		doc["phone_number_verified"] = claimBool(true, id.StringClaims)
	}
	return doc
}

// --- discovery ---

// discovery renders the provider's metadata (OpenID Connect Discovery 3).
func (p *OIDC) discovery() map[string]any {
	methods := []string{AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT}
	if p.spec.ClientAuth != "" {
		methods = []string{p.spec.ClientAuth}
	}
	doc := map[string]any{
		"issuer":                                p.Issuer(),
		"authorization_endpoint":                p.URL(EndpointAuthorize),
		"token_endpoint":                        p.URL(EndpointToken),
		"jwks_uri":                              p.URL(EndpointJWKS),
		"id_token_signing_alg_values_supported": []string{p.alg},
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"scopes_supported":                      oidcScopes,
		"claims_supported":                      oidcClaimsSupported,
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": methods,
	}
	if u := p.URL(EndpointUserInfo); u != "" {
		doc["userinfo_endpoint"] = u
	}
	if u := p.URL(EndpointRevoke); u != "" {
		doc["revocation_endpoint"] = u
		doc["revocation_endpoint_auth_methods_supported"] = methods
	}
	if p.opts.IssParameter {
		doc["authorization_response_iss_parameter_supported"] = true
	}
	return doc
}

func (p *OIDC) serveDiscovery(w http.ResponseWriter, r *http.Request, f Failure) {
	if !onlyGet(w, r) {
		return
	}
	doc := p.discovery()
	var body []byte
	var err error
	switch f.Mode {
	case WrongIssuer:
		doc["issuer"] = p.otherIssuer()
		body, err = json.Marshal(doc)
	case DuplicateNames:
		body, err = encodeOrdered(doc, duplicateAt([]string{"issuer"}))
	default:
		body, err = json.Marshal(doc)
	}
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", oidcDiscoveryCache)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// --- authorization ---

// formPostError is in a form_post page that carries an error response
// (the "formpost" template of page.go); formPostEnd is where its fields
// end.
var (
	formPostError = []byte(`<input type="hidden" name="error" `)
	formPostEnd   = []byte("<noscript>")
)

// serveAuthorize serves the OAuth engine's authorization page and adds
// iss to the error responses it sends back to the client (the engine's
// callbackExtra adds it to the others).
func (p *OIDC) serveAuthorize(w http.ResponseWriter, r *http.Request, f Failure) {
	rec := capture(r, func(w http.ResponseWriter, r *http.Request) { p.handleAuthorize(w, r, f) })
	body := rec.body.Bytes()
	switch loc := rec.header.Get("Location"); {
	case rec.status == http.StatusFound && loc != "":
		rec.header.Set("Location", p.issOnErrorRedirect(loc))
	case rec.status == http.StatusOK && bytes.Contains(body, formPostError):
		body = p.issOnErrorFormPost(body)
	}
	copyHeader(w.Header(), rec.header)
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

// issOnErrorRedirect adds iss to loc, a redirect to the client with the
// response in its query or fragment, when the response is an error.
func (p *OIDC) issOnErrorRedirect(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	// The engine refuses redirect URIs with a fragment: one is the
	// response.
	inFragment := u.Fragment != ""
	raw := u.RawQuery
	if inFragment {
		raw = u.EscapedFragment()
	}
	v, err := url.ParseQuery(raw)
	if err != nil || !v.Has("error") {
		return loc
	}
	p.setIss(v, p.take(EndpointAuthorize, false))
	if inFragment {
		u.Fragment, u.RawFragment = "", ""
		return u.String() + "#" + v.Encode()
	}
	u.RawQuery = v.Encode()
	return u.String()
}

// issOnErrorFormPost adds an iss field to page, a form_post page that
// carries an error response.
func (p *OIDC) issOnErrorFormPost(page []byte) []byte {
	v := url.Values{}
	p.setIss(v, p.take(EndpointAuthorize, false))
	i := bytes.Index(page, formPostEnd)
	if !v.Has("iss") || i < 0 {
		return page
	}
	field := `<input type="hidden" name="iss" value="` + html.EscapeString(v.Get("iss")) + "\">\n"
	return slices.Concat(page[:i], []byte(field), page[i:])
}

// --- tokens and userinfo ---

// addIDToken adds the id_token to a token response (the engine's
// tokenExtra): a fresh one for the same user on a refresh, without the
// nonce (OpenID Connect Core 12.2).
func (p *OIDC) addIDToken(g *grant, f Failure, resp map[string]any) {
	if f.Mode == MissingIDToken {
		return
	}
	at, _ := resp["access_token"].(string)
	// Only the authorization_code grant hands out a refresh token.
	_, fromCode := resp["refresh_token"]
	resp["id_token"] = p.idToken(g, f, at, !fromCode)
}

// idToken signs the id_token of g with f's fault applied; at_hash is that
// of accessToken.
func (p *OIDC) idToken(g *grant, f Failure, accessToken string, refresh bool) string {
	now := p.now()
	// The user signed in when the code was issued, codeTTL before it
	// expires.
	authTime := g.expires.Add(-codeTTL)
	claims := idTokenClaims(p.Issuer(), g, now, authTime, !refresh, "", accessToken)
	for k, v := range p.profileDoc(g.identity, Failure{}) {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return p.mintIDToken(p.keyring, claims, f, now, wrongParty{issuer: p.otherIssuer(), audience: g.clientID + "-other"})
}

// serveUserInfo serves the engine's userinfo endpoint, rendering
// SubjectMismatch as another identity's sub.
func (p *OIDC) serveUserInfo(w http.ResponseWriter, r *http.Request, f Failure) {
	if f.Mode == SubjectMismatch {
		f = Failure{Mode: CustomID, UserID: "someone-else"}
		if g, ok := p.bearerGrant(r); ok {
			f.UserID = p.otherSubject(g.identity.ID)
		}
	}
	p.handleUserInfo(w, r, f)
}

// otherSubject returns the ID of the first identity other than sub's.
func (p *OIDC) otherSubject(sub string) string {
	for _, id := range p.spec.Identities {
		if id.ID != sub {
			return id.ID
		}
	}
	return sub + "-other"
}
