package mockprovider

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
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
	appleIDTokenModes = []Mode{MissingID, WrongTypes, BadSignature, WrongIssuer, WrongAudience, Expired,
		WrongNonce, UnknownKey, AlgNone}
	// Supported modes. MissingToken renders at the token endpoint too, but
	// is not listed: a connector that relies on the id_token alone may
	// rightly ignore a missing access token.
	appleModes = map[Endpoint][]Mode{
		EndpointAuthorize: appleIDTokenModes,
		EndpointToken:     append([]Mode{InvalidGrant, DuplicateNames}, appleIDTokenModes...),
	}
	appleIDTokenTTL = 10 * time.Minute
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
	opts AppleOptions
	keys *appleKeyring

	revMu   sync.Mutex
	revoked []string
}

var _ SocialProvider = (*Apple)(nil)

type appleKey struct {
	kid string
	key *rsa.PrivateKey
}

// appleKeyring holds the signing keys, the current one first.
type appleKeyring struct {
	mu    sync.Mutex
	keys  []appleKey
	rogue *rogueKey // shared by clones
}

type rogueKey struct {
	once sync.Once
	key  *rsa.PrivateKey
}

func (r *rogueKey) get() *rsa.PrivateKey {
	r.once.Do(func() { r.key = mustRSAKey() })
	return r.key
}

func mustRSAKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("mockprovider: cannot generate an RSA key: " + err.Error())
	}
	return k
}

// NewApple returns a Sign in with Apple mock with a fresh RS256 signing key.
func NewApple(opts AppleOptions) *Apple {
	return newApple(opts, &appleKeyring{
		keys:  []appleKey{{kid: "mock-" + randHex(5), key: mustRSAKey()}},
		rogue: &rogueKey{},
	})
}

func newApple(opts AppleOptions, keys *appleKeyring) *Apple {
	if opts.ClientID == "" {
		opts.ClientID = "com.example.web"
	}
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultAppleIdentities
	}
	p := &Apple{opts: opts, keys: keys}
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
		resp["id_token"] = p.idToken(g, f, "", resp["access_token"])
	}
	return p
}

// ServeHTTP serves Apple's endpoints.
func (p *Apple) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.route(w, r, map[Endpoint]handlerFunc{EndpointJWKS: p.handleJWKS, EndpointRevoke: p.handleRevoke})
}

// Clone returns a fresh mock with the same settings and signing keys.
func (p *Apple) Clone() Provider {
	p.keys.mu.Lock()
	keys := &appleKeyring{keys: slices.Clone(p.keys.keys), rogue: p.keys.rogue}
	p.keys.mu.Unlock()
	n := newApple(p.opts, keys)
	p.cloneInto(n.oauthServer)
	return n
}

// ClientSecret returns "": Apple's client secret is a JWT the client mints.
func (p *Apple) ClientSecret() string { return "" }

// RotateKey makes a new signing key current. With keepOld the previous
// keys stay in the JWKS; without, they are dropped (id_tokens signed before
// then no longer verify).
func (p *Apple) RotateKey(keepOld bool) {
	k := appleKey{kid: "mock-" + randHex(5), key: mustRSAKey()}
	p.keys.mu.Lock()
	defer p.keys.mu.Unlock()
	if keepOld {
		p.keys.keys = append([]appleKey{k}, p.keys.keys...)
	} else {
		p.keys.keys = []appleKey{k}
	}
}

// KeyIDs lists the kids in the JWKS, the current signing key first.
func (p *Apple) KeyIDs() []string {
	p.keys.mu.Lock()
	defer p.keys.mu.Unlock()
	out := make([]string, len(p.keys.keys))
	for i, k := range p.keys.keys {
		out[i] = k.kid
	}
	return out
}

// PublicKey returns the public half of the signing key kid, or nil.
func (p *Apple) PublicKey(kid string) *rsa.PublicKey {
	p.keys.mu.Lock()
	defer p.keys.mu.Unlock()
	for _, k := range p.keys.keys {
		if k.kid == kid {
			return &k.key.PublicKey
		}
	}
	return nil
}

// Revoked lists the tokens revoked at the revoke endpoint.
func (p *Apple) Revoked() []string {
	p.revMu.Lock()
	defer p.revMu.Unlock()
	return slices.Clone(p.revoked)
}

// ErrorCases lists the id_token faults a connector must refuse with
// social_invalid_id_token.
func (p *Apple) ErrorCases() []ErrorCase {
	var out []ErrorCase
	for _, m := range appleIDTokenModes {
		out = append(out, ErrorCase{Name: "id_token_" + string(m), Endpoint: EndpointAuthorize,
			Failure: Failure{Mode: m}, Code: "social_invalid_id_token"})
	}
	return out
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
		v.Set("id_token", p.idToken(g, f, v.Get("code"), nil))
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
func (p *Apple) idToken(g *grant, f Failure, code string, accessToken any) string {
	now := p.now()
	id := g.identity
	claims := jwt.MapClaims{
		"iss":              AppleIssuer,
		"aud":              g.clientID,
		"iat":              now.Unix(),
		"exp":              now.Add(appleIDTokenTTL).Unix(),
		"sub":              id.ID,
		"auth_time":        now.Unix(),
		"nonce_supported":  true,
		"real_user_status": 2,
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if code != "" {
		claims["c_hash"] = halfHash(code)
	}
	if at, ok := accessToken.(string); ok && at != "" {
		claims["at_hash"] = halfHash(at)
	}
	// Apple puts the email in the id_token only when the email scope was
	// requested (on every sign-in then, unlike the user form field).
	if id.Email != "" && slices.Contains(strings.Fields(g.scope), "email") {
		claims["email"] = id.Email
		claims["email_verified"] = appleBool(id.EmailVerified, id.StringClaims)
		if id.PrivateEmail {
			claims["is_private_email"] = appleBool(true, id.StringClaims)
		}
	}
	p.keys.mu.Lock()
	cur := p.keys.keys[0]
	p.keys.mu.Unlock()
	kid, key := cur.kid, cur.key
	switch f.Mode {
	case MissingID:
		delete(claims, "sub")
	case WrongTypes:
		claims["sub"] = 12345
	case WrongIssuer:
		claims["iss"] = "https://appleid.example.net"
	case WrongAudience:
		claims["aud"] = "com.example.someone-else"
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["auth_time"] = claims["iat"]
		claims["exp"] = now.Add(-time.Hour).Unix()
	case WrongNonce:
		claims["nonce"] = "nonce-" + randHex(8)
	case BadSignature:
		key = p.keys.rogue.get()
	case UnknownKey:
		kid, key = "rogue-"+randHex(4), p.keys.rogue.get()
	case AlgNone:
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
		tok.Header["kid"] = kid
		s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		p.record(s)
		return s
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		panic("mockprovider: cannot sign an id_token: " + err.Error())
	}
	p.record(s)
	return s
}

func (p *Apple) record(idToken string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issued.IDTokens = append(p.issued.IDTokens, idToken)
}

func appleBool(b, asString bool) any {
	if !asString {
		return b
	}
	if b {
		return "true"
	}
	return "false"
}

// halfHash is the OpenID Connect c_hash/at_hash for RS256.
func halfHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func (p *Apple) handleJWKS(w http.ResponseWriter, r *http.Request, _ Failure) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "method_not_allowed"})
		return
	}
	p.keys.mu.Lock()
	keys := make([]any, 0, len(p.keys.keys))
	for _, k := range p.keys.keys {
		pub := k.key.PublicKey
		keys = append(keys, map[string]any{
			"kty": "RSA", "kid": k.kid, "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	p.keys.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (p *Apple) handleRevoke(w http.ResponseWriter, r *http.Request, _ Failure) {
	if r.Method != http.MethodPost {
		s, ct, b := p.errorAnswer(ErrorReply{Endpoint: EndpointRevoke, Status: http.StatusMethodNotAllowed, Code: "invalid_request"})
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(s)
		_, _ = w.Write(b)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if _, oe := p.appleAuthenticate(r, r.PostForm); oe != nil {
		p.problem(EndpointRevoke, "%s", oe.desc)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": oe.code})
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		p.problem(EndpointRevoke, "token is missing")
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if h := r.PostForm.Get("token_type_hint"); h != "" && h != "access_token" && h != "refresh_token" {
		p.problem(EndpointRevoke, "token_type_hint must be access_token or refresh_token")
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_token_type"})
		return
	}
	p.mu.Lock()
	delete(p.access, tok)
	delete(p.refresh, tok)
	p.mu.Unlock()
	p.revMu.Lock()
	p.revoked = append(p.revoked, tok)
	p.revMu.Unlock()
	w.WriteHeader(http.StatusOK)
}
