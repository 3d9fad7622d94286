package mockprovider

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	codeTTL        = 10 * time.Minute
	accessTokenTTL = time.Hour
)

// oauthErr is an OAuth error answer, with the reason the mock refused.
type oauthErr struct {
	status int
	code   string // invalid_grant, invalid_client, invalid_request...
	desc   string
	reason string // what exactly failed, for provider-specific codes
}

func (e *oauthErr) Error() string { return e.code + ": " + e.desc }

// grant is one authorization: what the code, then the tokens, stand for.
type grant struct {
	identity    Identity
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	scope       string
	respType    string
	expires     time.Time
	used        bool
	tokens      []string // access and refresh tokens issued from the code
}

// oauthServer is the engine of the OAuth mocks, driven by a [SocialSpec]:
// authorization page and code issuance, token endpoint with client
// authentication and PKCE, userinfo with bearer tokens.
type oauthServer struct {
	*core
	// spec is the provider's description, every default filled in.
	spec SocialSpec
	// idPath is spec.IDPath split at its dots.
	idPath []string

	// now is the clock (Apple's can be set).
	now func() time.Time

	// What a SocialSpec does not say, set by the built-in mocks whose
	// flows differ (Apple's id_token, Kakao's optional secret).
	// responseTypes are the accepted response_type values (word order
	// free); userinfoMethods the accepted methods at the userinfo endpoint.
	responseTypes   []string
	userinfoMethods []string
	authenticate    func(r *http.Request, form url.Values) (method string, err *oauthErr)
	validateAuthz   func(q url.Values) *oauthErr
	callbackExtra   func(g *grant, f Failure, v url.Values, firstTime bool)
	tokenExtra      func(g *grant, f Failure, resp map[string]any)

	mu       sync.Mutex
	codes    map[string]*grant
	access   map[string]*grant
	refresh  map[string]*grant
	jtis     map[string]bool
	seen     map[string]bool // identities that signed in before (Apple's first-time user field)
	issued   Issued
	autoID   string
	autoMode bool
}

// redirectTargetPath is where the OAuth mocks serve EndpointRedirectTarget.
const redirectTargetPath = "/mock/redirect-target"

// newOAuthServer builds the engine for spec, whose defaults must be filled
// in, serving self; modes lists the modes each endpoint renders beyond the
// generic ones.
func newOAuthServer(spec SocialSpec, modes map[Endpoint][]Mode, self http.Handler) *oauthServer {
	paths := maps.Clone(spec.Paths)
	if _, ok := paths[EndpointRedirectTarget]; !ok {
		paths[EndpointRedirectTarget] = redirectTargetPath
	}
	s := &oauthServer{
		core:   newCore(spec.Name, paths, modes, nil),
		spec:   spec,
		idPath: strings.Split(spec.IDPath, "."),
		now:    time.Now,

		responseTypes:   []string{"code"},
		userinfoMethods: []string{http.MethodGet, http.MethodPost},
	}
	s.core.self = self
	s.core.shape = s.failureAnswer
	s.authenticate = s.genericAuthenticate
	s.resetState()
	return s
}

func (s *oauthServer) resetState() {
	s.codes = map[string]*grant{}
	s.access = map[string]*grant{}
	s.refresh = map[string]*grant{}
	s.jtis = map[string]bool{}
	s.seen = map[string]bool{}
	s.issued = Issued{}
}

// cloneInto copies what was set after construction (not state) into n,
// built from the same spec.
func (s *oauthServer) cloneInto(n *oauthServer) {
	n.now = s.now
	s.core.mu.Lock()
	n.core.hangLimit = s.core.hangLimit
	s.core.mu.Unlock()
}

// ClientID returns the registered client ID.
func (s *oauthServer) ClientID() string { return s.spec.ClientID }

// ClientSecret returns the registered client secret.
func (s *oauthServer) ClientSecret() string { return s.spec.ClientSecret }

// Identities lists the test users.
func (s *oauthServer) Identities() []Identity { return slices.Clone(s.spec.Identities) }

// AutoApprove makes the authorization endpoint sign in as identityID at once.
func (s *oauthServer) AutoApprove(identityID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoID, s.autoMode = identityID, identityID != ""
}

// Issued lists the codes and tokens handed out.
func (s *oauthServer) Issued() Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Issued{
		Codes:         slices.Clone(s.issued.Codes),
		AccessTokens:  slices.Clone(s.issued.AccessTokens),
		RefreshTokens: slices.Clone(s.issued.RefreshTokens),
		IDTokens:      slices.Clone(s.issued.IDTokens),
	}
}

// Secrets lists the client secret and everything issued.
func (s *oauthServer) Secrets() []string {
	is := s.Issued()
	out := []string{}
	if s.spec.ClientSecret != "" {
		out = append(out, s.spec.ClientSecret)
	}
	out = append(out, is.Codes...)
	out = append(out, is.AccessTokens...)
	out = append(out, is.RefreshTokens...)
	return append(out, is.IDTokens...)
}

func (s *oauthServer) identity(id string) (Identity, bool) {
	if id == "" && len(s.spec.Identities) > 0 {
		return s.spec.Identities[0], true
	}
	for _, i := range s.spec.Identities {
		if i.ID == id {
			return i, true
		}
	}
	return Identity{}, false
}

// route serves a request at its endpoint: extra handlers first, then the
// engine's own.
func (s *oauthServer) route(w http.ResponseWriter, r *http.Request, extra map[Endpoint]handlerFunc) {
	e, ok := s.endpointFor(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if h, ok := extra[e]; ok {
		s.serve(w, r, e, h)
		return
	}
	switch e {
	case EndpointAuthorize:
		s.serve(w, r, e, s.handleAuthorize)
	case EndpointToken:
		s.serve(w, r, e, s.handleToken)
	case EndpointUserInfo:
		s.serve(w, r, e, s.handleUserInfo)
	case EndpointRedirectTarget:
		s.serve(w, r, e, handleRedirectTarget)
	default:
		http.NotFound(w, r)
	}
}

// --- authorization ---

// authzRequest is a checked authorization request.
type authzRequest struct {
	query       url.Values
	redirectURI *url.URL
	state       string
	mode        string // query, form_post, fragment
}

// checkAuthz validates an authorization request. An error with a nil
// request must not be redirected (unknown client, bad redirect URI); other
// errors go back to the redirect URI.
func (s *oauthServer) checkAuthz(q url.Values) (*authzRequest, *oauthErr) {
	bad := func(reason, desc string) *oauthErr {
		s.problem(EndpointAuthorize, "%s", desc)
		return &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: desc, reason: reason}
	}
	if q.Get("client_id") == "" {
		return nil, bad("client_id", "client_id is missing")
	}
	if q.Get("client_id") != s.spec.ClientID {
		return nil, bad("client_id", "client_id is not the registered client")
	}
	for _, k := range []string{"client_id", "redirect_uri", "state", "response_type", "scope", "nonce", "code_challenge", "code_challenge_method"} {
		if len(q[k]) > 1 {
			return nil, bad(k, k+" is repeated")
		}
	}
	ru := q.Get("redirect_uri")
	if ru == "" {
		return nil, bad("redirect_uri", "redirect_uri is missing")
	}
	u, err := url.Parse(ru)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, bad("redirect_uri", "redirect_uri must be an absolute http(s) URL without a fragment")
	}
	if len(s.spec.RedirectURIs) > 0 && !slices.Contains(s.spec.RedirectURIs, ru) {
		return nil, bad("redirect_uri", "redirect_uri is not registered")
	}
	req := &authzRequest{query: q, redirectURI: u, state: q.Get("state"), mode: q.Get("response_mode")}
	fail := func(code, desc string) (*authzRequest, *oauthErr) {
		s.problem(EndpointAuthorize, "%s", desc)
		return req, &oauthErr{status: http.StatusBadRequest, code: code, desc: desc, reason: code}
	}
	if req.mode == "" {
		req.mode = "query"
	}
	if req.mode != "query" && req.mode != "form_post" && req.mode != "fragment" {
		req.mode = "query"
		return fail("invalid_request", "response_mode must be query, form_post or fragment")
	}
	if !s.responseTypeOK(q.Get("response_type")) {
		return fail("unsupported_response_type", "response_type must be "+strings.Join(s.responseTypes, " or "))
	}
	if req.state == "" {
		return fail("invalid_request", "state is missing (the mock requires it: a connector must always send one)")
	}
	ch, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case ch == "" && method != "":
		return fail("invalid_request", "code_challenge_method without code_challenge")
	case ch == "" && s.spec.RequirePKCE:
		return fail("invalid_request", "code_challenge is required (PKCE)")
	case ch != "" && method != "S256":
		return fail("invalid_request", "code_challenge_method must be S256")
	case ch != "" && !isBase64URL(ch, 43):
		return fail("invalid_request", "code_challenge must be 43 base64url characters")
	}
	if s.validateAuthz != nil {
		if e := s.validateAuthz(q); e != nil {
			s.problem(EndpointAuthorize, "%s", e.desc)
			return req, e
		}
	}
	return req, nil
}

func (s *oauthServer) responseTypeOK(rt string) bool {
	got := strings.Fields(rt)
	slices.Sort(got)
	for _, want := range s.responseTypes {
		w := strings.Fields(want)
		slices.Sort(w)
		if slices.Equal(got, w) {
			return true
		}
	}
	return false
}

func isBase64URL(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// issue records a grant for identity and returns the callback parameters.
func (s *oauthServer) issue(req *authzRequest, id Identity, f Failure) url.Values {
	q := req.query
	code := "code-" + randHex(20)
	g := &grant{
		identity: id, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), scope: q.Get("scope"),
		respType: q.Get("response_type"), expires: s.now().Add(codeTTL),
	}
	s.mu.Lock()
	first := !s.seen[id.ID]
	s.seen[id.ID] = true
	rt := strings.Fields(q.Get("response_type"))
	if slices.Contains(rt, "code") {
		s.codes[code] = g
		s.issued.Codes = append(s.issued.Codes, code)
	}
	s.mu.Unlock()
	v := url.Values{}
	if slices.Contains(rt, "code") {
		v.Set("code", code)
	}
	v.Set("state", req.state)
	if s.callbackExtra != nil {
		s.callbackExtra(g, f, v, first)
	}
	return v
}

// parseAuthURL checks that authURL points at this mock's authorization
// endpoint and returns its query.
func (s *oauthServer) parseAuthURL(authURL string) (url.Values, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, errors.New("mockprovider: authorization URL cannot be parsed")
	}
	want, _ := url.Parse(s.URL(EndpointAuthorize))
	if u.Scheme != want.Scheme || u.Host != want.Host || u.Path != want.Path {
		s.problem(EndpointAuthorize, "authorization URL points at %s://%s%s, not at the mock's authorization endpoint %s",
			u.Scheme, u.Host, u.Path, want.String())
		return nil, errors.New("mockprovider: the authorization URL does not point at " + want.String())
	}
	if u.Fragment != "" {
		return nil, errors.New("mockprovider: the authorization URL has a fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		s.problem(EndpointAuthorize, "authorization URL query cannot be parsed")
		return nil, errors.New("mockprovider: the authorization URL query cannot be parsed")
	}
	return q, nil
}

// Approve signs in as identityID and returns the callback parameters.
func (s *oauthServer) Approve(authURL, identityID string) (url.Values, error) {
	q, err := s.parseAuthURL(authURL)
	if err != nil {
		return nil, err
	}
	req, oe := s.checkAuthz(q)
	if oe != nil {
		return nil, errors.New("mockprovider: " + s.name + " refused the authorization request: " + oe.desc)
	}
	id, ok := s.identity(identityID)
	if !ok {
		return nil, errors.New("mockprovider: " + s.name + " has no identity " + strconv.Quote(identityID))
	}
	f := s.take(EndpointAuthorize, false)
	return s.issue(req, id, f), nil
}

// Deny returns the callback parameters of a user who pressed Cancel.
func (s *oauthServer) Deny(authURL string) (url.Values, error) {
	q, err := s.parseAuthURL(authURL)
	if err != nil {
		return nil, err
	}
	req, oe := s.checkAuthz(q)
	if req == nil {
		return nil, errors.New("mockprovider: " + s.name + " refused the authorization request: " + oe.desc)
	}
	return s.cancelParams(req), nil
}

func (s *oauthServer) cancelParams(req *authzRequest) url.Values {
	v := url.Values{}
	v.Set("error", s.spec.CancelError)
	if s.spec.CancelDescription != "" {
		v.Set("error_description", s.spec.CancelDescription)
	}
	if req.state != "" {
		v.Set("state", req.state)
	}
	return v
}

func (s *oauthServer) handleAuthorize(w http.ResponseWriter, r *http.Request, _ Failure) {
	var q url.Values
	var post bool
	switch r.Method {
	case http.MethodGet:
		q = r.URL.Query()
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			renderError(w, http.StatusBadRequest, s.name, "the form cannot be parsed")
			return
		}
		var err error
		if q, err = url.ParseQuery(r.PostForm.Get("request")); err != nil {
			renderError(w, http.StatusBadRequest, s.name, "the request cannot be parsed")
			return
		}
		post = true
	default:
		w.Header().Set("Allow", "GET, POST")
		renderError(w, http.StatusMethodNotAllowed, s.name, "use GET")
		return
	}
	req, oe := s.checkAuthz(q)
	if req == nil {
		renderError(w, http.StatusBadRequest, s.name, oe.desc)
		return
	}
	if oe != nil {
		v := url.Values{"error": {oe.code}, "error_description": {oe.desc}}
		if req.state != "" {
			v.Set("state", req.state)
		}
		s.respondCallback(w, req, v)
		return
	}
	s.mu.Lock()
	autoID, auto := s.autoID, s.autoMode
	s.mu.Unlock()
	switch {
	case post && r.PostForm.Get("cancel") != "":
		s.respondCallback(w, req, s.cancelParams(req))
	case post:
		id, ok := s.identity(r.PostForm.Get("identity"))
		if !ok || r.PostForm.Get("identity") == "" {
			renderError(w, http.StatusBadRequest, s.name, "unknown identity")
			return
		}
		s.respondCallback(w, req, s.issue(req, id, s.take(EndpointAuthorize, false)))
	case auto:
		id, ok := s.identity(autoID)
		if !ok {
			renderError(w, http.StatusBadRequest, s.name, "auto-approve identity "+strconv.Quote(autoID)+" does not exist")
			return
		}
		s.respondCallback(w, req, s.issue(req, id, s.take(EndpointAuthorize, false)))
	default:
		renderAuthorizePage(w, authorizePage{
			Provider: s.name, ClientID: q.Get("client_id"), Scope: q.Get("scope"),
			RedirectURI: q.Get("redirect_uri"), Action: r.URL.Path, Request: q.Encode(),
			Identities: s.spec.Identities,
		})
	}
}

// respondCallback sends v to the redirect URI in the request's mode.
func (s *oauthServer) respondCallback(w http.ResponseWriter, req *authzRequest, v url.Values) {
	target := *req.redirectURI
	switch req.mode {
	case "form_post":
		renderFormPost(w, target.String(), v)
	case "fragment":
		target.Fragment = ""
		target.RawFragment = ""
		w.Header().Set("Location", target.String()+"#"+v.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		q := target.Query()
		for k, vs := range v {
			q[k] = vs
		}
		target.RawQuery = q.Encode()
		w.Header().Set("Location", target.String())
		w.WriteHeader(http.StatusFound)
	}
}

// --- token endpoint ---

func (s *oauthServer) tokenFail(w http.ResponseWriter, e *oauthErr) {
	s.problem(EndpointToken, "%s", e.desc)
	st, ct, body := s.errorAnswer(ErrorReply{Endpoint: EndpointToken, Status: e.status, Code: e.code, Description: e.desc, Reason: e.reason})
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	if st == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.name+`"`)
	}
	w.WriteHeader(st)
	_, _ = w.Write(body)
}

func (s *oauthServer) handleToken(w http.ResponseWriter, r *http.Request, f Failure) {
	if r.Method != http.MethodPost {
		s.tokenFail(w, &oauthErr{status: http.StatusMethodNotAllowed, code: "invalid_request", desc: "the token endpoint takes POST", reason: "method"})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		s.tokenFail(w, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: "the token request must be application/x-www-form-urlencoded", reason: "content_type"})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.tokenFail(w, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: "the form cannot be parsed", reason: "form"})
		return
	}
	form := r.PostForm
	if len(r.URL.Query()) > 0 {
		s.tokenFail(w, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: "token request parameters must be in the body, not the URL query", reason: "query"})
		return
	}
	for k, vs := range form {
		if len(vs) > 1 {
			s.tokenFail(w, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: k + " is repeated", reason: "repeated"})
			return
		}
	}
	method, oe := s.authenticate(r, form)
	if oe != nil {
		s.tokenFail(w, oe)
		return
	}
	var g *grant
	switch form.Get("grant_type") {
	case "authorization_code":
		g, oe = s.redeemCode(form, method)
	case "refresh_token":
		g, oe = s.redeemRefresh(form)
	case "":
		oe = &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: "grant_type is missing", reason: "grant_type"}
	default:
		oe = &oauthErr{status: http.StatusBadRequest, code: "unsupported_grant_type", desc: "grant_type " + strconv.Quote(form.Get("grant_type")) + " is not supported", reason: "grant_type"}
	}
	if oe != nil {
		s.tokenFail(w, oe)
		return
	}
	at := "at-" + randHex(24)
	resp := map[string]any{
		"access_token": at,
		"token_type":   "Bearer",
		"expires_in":   int(accessTokenTTL / time.Second),
	}
	s.mu.Lock()
	s.access[at] = g
	s.issued.AccessTokens = append(s.issued.AccessTokens, at)
	if form.Get("grant_type") == "authorization_code" {
		rt := "rt-" + randHex(24)
		s.refresh[rt] = g
		s.issued.RefreshTokens = append(s.issued.RefreshTokens, rt)
		resp["refresh_token"] = rt
		g.tokens = append(g.tokens, at, rt)
	}
	s.mu.Unlock()
	if g.scope != "" {
		resp["scope"] = g.scope
	}
	if s.tokenExtra != nil {
		s.tokenExtra(g, f, resp)
	}
	for k, v := range s.spec.TokenFields {
		if v == nil {
			delete(resp, k)
		} else {
			resp[k] = v
		}
	}
	if f.Mode == MissingToken {
		delete(resp, "access_token")
	}
	var twin string
	if f.Mode == DuplicateNames {
		// A second access token, as valid as the first: a client that picks
		// either one signs in, and only refusing the answer is right.
		twin = "at-" + randHex(24)
		s.mu.Lock()
		s.access[twin] = g
		s.issued.AccessTokens = append(s.issued.AccessTokens, twin)
		g.tokens = append(g.tokens, twin)
		s.mu.Unlock()
	}
	if s.spec.FormTokenResponse {
		v := url.Values{}
		for k, x := range resp {
			switch x := x.(type) {
			case string:
				v.Set(k, x)
			case int:
				v.Set(k, strconv.Itoa(x))
			default:
				v.Set(k, string(mustJSON(x)))
			}
		}
		body := v.Encode()
		if twin != "" {
			body += "&access_token=" + url.QueryEscape(twin)
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
		return
	}
	if twin != "" {
		body, err := encodeOrdered(resp, func(path []string, _ map[string]any, name string) []member {
			if len(path) == 0 && name == "access_token" {
				return []member{{name, twin}}
			}
			return nil
		})
		writeRawJSON(w, body, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *oauthServer) redeemCode(form url.Values, method string) (*grant, *oauthErr) {
	invalid := func(reason, desc string) (*grant, *oauthErr) {
		return nil, &oauthErr{status: http.StatusBadRequest, code: "invalid_grant", desc: desc, reason: reason}
	}
	code := form.Get("code")
	if code == "" {
		return nil, &oauthErr{status: http.StatusBadRequest, code: "invalid_request", desc: "code is missing", reason: "code"}
	}
	s.mu.Lock()
	g, ok := s.codes[code]
	var replay bool
	if ok {
		replay = g.used
		g.used = true
		if replay {
			// RFC 6749 4.1.2: revoke what the code gave.
			for _, t := range g.tokens {
				delete(s.access, t)
				delete(s.refresh, t)
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return invalid("code", "the authorization code is unknown")
	case replay:
		return invalid("code", "the authorization code was already used")
	case s.now().After(g.expires):
		return invalid("code", "the authorization code expired")
	case g.clientID != s.spec.ClientID:
		return invalid("code", "the authorization code was issued to another client")
	case form.Get("redirect_uri") != g.redirectURI:
		if form.Get("redirect_uri") == "" {
			return invalid("redirect_uri", "redirect_uri is missing (it was sent in the authorization request)")
		}
		return invalid("redirect_uri", "redirect_uri does not match the authorization request")
	}
	v := form.Get("code_verifier")
	switch {
	case g.challenge == "" && v != "":
		return invalid("pkce", "code_verifier sent but the authorization request had no code_challenge")
	case g.challenge != "" && v == "":
		return invalid("pkce", "code_verifier is missing (the authorization request had a code_challenge)")
	case g.challenge != "" && (len(v) < 43 || len(v) > 128):
		return invalid("pkce", "code_verifier must be 43 to 128 characters")
	case g.challenge != "" && s256(v) != g.challenge:
		return invalid("pkce", "PKCE verifier does not match the code challenge")
	case method == AuthNone && g.challenge == "":
		return invalid("pkce", "a public client must use PKCE")
	}
	return g, nil
}

func (s *oauthServer) redeemRefresh(form url.Values) (*grant, *oauthErr) {
	rt := form.Get("refresh_token")
	s.mu.Lock()
	g, ok := s.refresh[rt]
	s.mu.Unlock()
	if rt == "" || !ok {
		return nil, &oauthErr{status: http.StatusBadRequest, code: "invalid_grant", desc: "the refresh token is unknown or revoked", reason: "refresh_token"}
	}
	return g, nil
}

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// --- userinfo ---

// bearerGrant returns the grant of the request's bearer token.
func (s *oauthServer) bearerGrant(r *http.Request) (*grant, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[strings.TrimSpace(h[7:])]
	return g, ok
}

func (s *oauthServer) handleUserInfo(w http.ResponseWriter, r *http.Request, f Failure) {
	if !slices.Contains(s.userinfoMethods, r.Method) {
		w.Header().Set("Allow", strings.Join(s.userinfoMethods, ", "))
		s.problem(EndpointUserInfo, "method %s is not allowed", r.Method)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "method_not_allowed"})
		return
	}
	g, ok := s.bearerGrant(r)
	if !ok {
		if r.Header.Get("Authorization") == "" {
			s.problem(EndpointUserInfo, "the request has no bearer token in the Authorization header")
		} else {
			s.problem(EndpointUserInfo, "the bearer token is unknown")
		}
		st, ct, body := s.errorAnswer(ErrorReply{Endpoint: EndpointUserInfo, Status: http.StatusUnauthorized,
			Code: "invalid_token", Description: "the access token is invalid or expired", Reason: "token"})
		w.Header().Set("Content-Type", ct)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(st)
		_, _ = w.Write(body)
		return
	}
	doc := s.profileDoc(g.identity, f)
	switch f.Mode {
	case CaseTwins:
		body, err := encodeOrdered(doc, caseTwins)
		writeRawJSON(w, body, err)
	case DuplicateNames:
		body, err := encodeOrdered(doc, duplicateAt(s.idPath))
		writeRawJSON(w, body, err)
	default:
		writeJSON(w, http.StatusOK, doc)
	}
}

// writeRawJSON answers 200 with body, or 500 when it could not be built.
func writeRawJSON(w http.ResponseWriter, body []byte, err error) {
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error"})
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// handleRedirectTarget serves EndpointRedirectTarget: a client that followed
// a Redirect answer lands here (and is counted).
func handleRedirectTarget(w http.ResponseWriter, _ *http.Request, _ Failure) {
	writeJSON(w, http.StatusOK, map[string]any{"mock_redirect_target": "a client that followed a redirect reached this address"})
}

// profileDoc renders an identity's profile with f's damage applied.
func (s *oauthServer) profileDoc(id Identity, f Failure) map[string]any {
	doc := s.spec.Profile(id)
	for k, v := range id.Extra {
		doc[k] = v
	}
	switch f.Mode {
	case MissingID:
		deletePath(doc, s.idPath)
	case WrongTypes:
		setPath(doc, s.idPath, map[string]any{"unexpected": "object"})
	case CustomID:
		setPath(doc, s.idPath, f.UserID)
	}
	return doc
}

func deletePath(doc map[string]any, path []string) {
	for i, k := range path {
		if i == len(path)-1 {
			delete(doc, k)
			return
		}
		next, ok := doc[k].(map[string]any)
		if !ok {
			return
		}
		doc = next
	}
}

func setPath(doc map[string]any, path []string, v any) {
	for i, k := range path {
		if i == len(path)-1 {
			doc[k] = v
			return
		}
		next, ok := doc[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
}

// Supports reports whether mode m can be rendered at endpoint e. A form
// token response cannot be truncated detectably.
func (s *oauthServer) Supports(e Endpoint, m Mode) bool {
	if s.spec.FormTokenResponse && e == EndpointToken && m == TruncatedJSON {
		return false
	}
	if e == EndpointRedirectTarget {
		return m == OK
	}
	return s.core.Supports(e, m)
}
