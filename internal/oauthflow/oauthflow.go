// Package oauthflow is the OAuth 2.0 authorization-code engine shared by
// every OAuth connector of connectorkit (the generic oauth2 connector, Kakao,
// Hugging Face, Sign in with Apple's code exchange).
//
// An [Engine] is built once from a [Config] and is then immutable and safe
// for concurrent use. It owns the authorization URL (state, PKCE S256, nonce,
// extra parameters that may never override reserved ones), the callback
// checks (provider error, constant-time state comparison, code), the token
// request with the four client authentication methods (with a static secret
// or one minted per request, as Apple's), a lenient token response parser
// (JSON or form), the userinfo request, refresh, RFC 7009 revocation, and
// the mapping of every HTTP failure to a [*connector.Error] that keeps the
// provider's status and error fields:
//
//	e, err := oauthflow.New(oauthflow.Config{ConnectorID: "oauth2", ClientID: id, ClientSecret: secret,
//		AuthURL: authURL, TokenURL: tokenURL, UserInfoURL: userInfoURL, PKCE: true, HTTPClient: client})
//	auth, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: cb}) // keep auth.Flow
//	tok, err := e.Exchange(ctx, connector.Callback{Params: query, Flow: flow})
//	profile, err := e.FetchUserInfo(ctx, tok.AccessToken) // raw JSON, for profilemap
//
// # What comes from golang.org/x/oauth2
//
// The authorization URL is built by [oauth2.Config.AuthCodeURL], the PKCE
// verifier and challenge by [oauth2.GenerateVerifier] and
// [oauth2.S256ChallengeOption], and an *http.Client stored in the context
// under [oauth2.HTTPClient] overrides the injected client, as in x/oauth2.
//
// The token request is built and its answer parsed here rather than by
// [oauth2.Config.Exchange], because Exchange cannot do what connectors need:
// it picks JSON or form parsing from the Content-Type only (Logto's
// tokenEndpointResponseType must be honoured), silently truncates the body at
// 1 MiB so an oversized answer reads as malformed JSON, formats read errors
// so that they cannot be unwrapped, computes expiry from time.Now instead of
// the injected clock, drops the granted scope and provider error fields other
// than error, error_description and error_uri, has no client_secret_jwt, and
// decodes every response twice.
package oauthflow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/internal/userid"
	"github.com/connectorkit/connector/kit"
)

// AuthMethod is a token endpoint client authentication method (RFC 6749
// §2.3, OpenID Connect Core §9), with the wire names Logto uses.
type AuthMethod string

// Token endpoint authentication methods.
const (
	// AuthClientSecretPost sends client_id and client_secret in the form
	// body (the secret only when it is set).
	AuthClientSecretPost AuthMethod = "client_secret_post"
	// AuthClientSecretBasic sends them in an Authorization: Basic header,
	// each form-encoded first as RFC 6749 §2.3.1 requires.
	AuthClientSecretBasic AuthMethod = "client_secret_basic"
	// AuthClientSecretJWT sends a client_assertion JWT HMAC-signed with the
	// secret (iss = sub = client ID, aud = token URL, jti, iat, exp).
	AuthClientSecretJWT AuthMethod = "client_secret_jwt"
	// AuthNone sends client_id only (a public client, normally with PKCE).
	AuthNone AuthMethod = "none"
)

// AuthMethods returns the supported methods.
func AuthMethods() []AuthMethod {
	return []AuthMethod{AuthClientSecretPost, AuthClientSecretBasic, AuthClientSecretJWT, AuthNone}
}

// Valid reports whether m is a supported method.
func (m AuthMethod) Valid() bool { return slices.Contains(AuthMethods(), m) }

// OAuth2Style returns the x/oauth2 auth style of m: in the header for
// client_secret_basic, in the parameters otherwise.
func (m AuthMethod) OAuth2Style() oauth2.AuthStyle {
	if m == AuthClientSecretBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// Token response formats for [Config.TokenResponseFormat].
const (
	// FormatAuto decides by the response's Content-Type (and, when that says
	// nothing useful, by the body's first byte).
	FormatAuto = ""
	// FormatJSON always parses the token response as JSON.
	FormatJSON = "json"
	// FormatForm always parses it as a form-encoded body (Logto's
	// "query-string").
	FormatForm = "form"
)

// ProviderErrorFunc reads a provider's error body. It returns ok false when
// the body is not in the provider's error format, and the default parser
// (OAuth's error, error_description, error_uri) is used instead.
type ProviderErrorFunc func(body []byte) (code, message string, details map[string]string, ok bool)

// Config describes one OAuth 2.0 client. Zero values take the documented
// defaults; [New] validates it.
type Config struct {
	// ConnectorID names the connector in errors and logs.
	ConnectorID string
	// ClientID is required.
	ClientID string
	// ClientSecret is required unless AuthMethod is none. With
	// client_secret_post it is sent only when non-empty (Kakao's secret is
	// optional).
	ClientSecret connector.Secret
	// ClientSecretFunc, when set, supplies the client secret for each
	// token, refresh and revocation request instead of ClientSecret: Sign
	// in with Apple's client secret is a JWT the caller mints and reuses
	// until near its expiry. It must be fast and safe for concurrent use.
	ClientSecretFunc func(ctx context.Context) (connector.Secret, error)
	// AuthURL and TokenURL are required; UserInfoURL and RevokeURL are
	// optional ([Engine.FetchUserInfo] and [Engine.Revoke] fail without
	// them). Each must pass [kit.CheckEndpoint]. AuthURL may carry a
	// query string: its parameters are kept (and may not be reserved ones).
	AuthURL, TokenURL, UserInfoURL, RevokeURL string
	// AuthMethod is the token endpoint authentication; default
	// client_secret_post.
	AuthMethod AuthMethod
	// JWTAlgorithm signs the client_secret_jwt assertion: HS256 (default),
	// HS384 or HS512.
	JWTAlgorithm string
	// Scope is the default scope, sent as written (space- or
	// comma-separated as the provider wants); empty means no scope
	// parameter. [connector.AuthRequest.Scope] replaces it per request.
	Scope string
	// PKCE adds an S256 code challenge to the authorization URL and the
	// verifier to the token request.
	PKCE bool
	// Nonce adds a fresh random nonce to the authorization URL and keeps it
	// in the flow state for the caller to check in the id_token.
	Nonce bool
	// ResponseType is the response_type; default "code".
	ResponseType string
	// AuthParams are extra authorization parameters (customConfig,
	// response_mode...). They may not set a reserved parameter; a scope
	// among them is used only when neither Scope nor the request sets one.
	AuthParams url.Values
	// TokenParams are extra parameters of the token and refresh requests.
	// They may not set a reserved parameter.
	TokenParams url.Values
	// TokenResponseFormat is FormatAuto (default), FormatJSON or FormatForm.
	TokenResponseFormat string
	// UserInfoMethod is GET (default) or POST.
	UserInfoMethod string
	// ProviderError parses the provider's error bodies; nil uses OAuth's
	// error and error_description (and a few common variants).
	ProviderError ProviderErrorFunc
	// Issuer, when set, is the authorization server's issuer identifier:
	// a callback iss parameter (RFC 9207) must equal it exactly, and with
	// RequireIssuer a callback must carry one (the provider advertises
	// authorization_response_iss_parameter_supported).
	Issuer        string
	RequireIssuer bool
	// HTTPClient makes every request; default kit.DefaultHTTPClient().
	// An *http.Client in the request context under [oauth2.HTTPClient]
	// takes precedence.
	HTTPClient *http.Client
	// Logger receives debug lines (never a secret); silent when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxBodyBytes caps every response body; default httpx.DefaultMaxBody.
	MaxBodyBytes int64
}

// configPaths are the JSON names (Logto's, as the generic connector's
// config spells them) of the engine's Config fields, so that the engine's
// own checks name fields as every config error does.
var configPaths = map[string]string{
	"ClientID": "clientId", "ClientSecret": "clientSecret", "AuthMethod": "tokenEndpointAuthMethod",
	"JWTAlgorithm": "clientSecretJwtSigningAlgorithm", "AuthURL": "authorizationEndpoint",
	"TokenURL": "tokenEndpoint", "UserInfoURL": "userInfoEndpoint", "RevokeURL": "revocationEndpoint",
	"TokenResponseFormat": "tokenEndpointResponseType", "UserInfoMethod": "userInfoMethod",
	"ResponseType": "responseType",
}

// configPath turns an engine field name ("AuthURL", "AuthParams.prompt")
// into its JSON path ("authorizationEndpoint", `customConfig["prompt"]`).
func configPath(name string) string {
	field, param, _ := strings.Cut(name, ".")
	switch field {
	case "AuthParams", "TokenParams":
		if param == "" {
			return "customConfig"
		}
		return "customConfig[" + strconv.Quote(param) + "]"
	}
	p := configPaths[field]
	if p == "" {
		p = field
	}
	if param != "" {
		p += "[" + strconv.Quote(param) + "]"
	}
	return p
}

// reserved are the parameters the engine owns: extra parameters, and the
// authorization URL's own query string, may never set them.
var reserved = map[string]bool{
	"response_type": true, "client_id": true, "redirect_uri": true, "state": true,
	"code_challenge": true, "code_challenge_method": true, "code_verifier": true, "nonce": true,
	"grant_type": true, "code": true, "client_secret": true, "client_assertion": true,
	"client_assertion_type": true, "refresh_token": true,
}

// IsReserved reports whether name is a parameter the engine sets itself and
// that extra parameters may not override.
func IsReserved(name string) bool { return reserved[name] }

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Engine runs authorization-code flows for one client. It holds no per-flow
// state and is safe for concurrent use.
type Engine struct {
	id           string
	oauth        *oauth2.Config         // AuthURL without its query; ClientID
	authBase     string                 // the authorization endpoint without its query
	fixed        []queryParam           // the fixed authorization parameters, sorted by name
	lastRedirect atomic.Pointer[string] // the last redirect URI that passed checkRedirectURI
	defaultScope string                 // Scope, else AuthParams' scope, else the AuthURL's
	clientID     string
	secret       connector.Secret
	secretFunc   func(context.Context) (connector.Secret, error)
	tokenURL     string
	userInfoURL  string
	revokeURL    string
	method       AuthMethod
	jwtMethod    jwt.SigningMethod
	pkce, nonce  bool
	tokenParams  url.Values
	format       string
	userInfoPOST bool
	providerErr  ProviderErrorFunc
	issuer       string
	requireIss   bool
	client       *http.Client
	log          *slog.Logger
	now          func() time.Time
	maxBody      int64
	basicAuth    string          // precomputed Authorization header for client_secret_basic
	scrub        redact.Scrubber // the static secrets: client secret, Basic credentials
}

// New validates cfg and builds the engine once: the x/oauth2 config, the
// fixed authorization parameters, the Basic header. Every invalid field is
// reported in one invalid_config [*connector.Error].
func New(cfg Config) (*Engine, error) {
	var fe connector.FieldErrors
	add := func(name, msg string) { fe = append(fe, connector.FieldError{Path: configPath(name), Message: msg}) }

	if cfg.ClientID == "" {
		add("ClientID", "is required")
	}
	method := cfg.AuthMethod
	if method == "" {
		method = AuthClientSecretPost
	}
	if !method.Valid() {
		add("AuthMethod", fmt.Sprintf("must be one of client_secret_post, client_secret_basic, client_secret_jwt, none, got %q", method))
	}
	if cfg.ClientSecret == "" && cfg.ClientSecretFunc == nil && (method == AuthClientSecretBasic || method == AuthClientSecretJWT) {
		add("ClientSecret", "is required with "+string(method))
	}
	var jwtMethod jwt.SigningMethod
	switch cfg.JWTAlgorithm {
	case "", "HS256":
		jwtMethod = jwt.SigningMethodHS256
	case "HS384":
		jwtMethod = jwt.SigningMethodHS384
	case "HS512":
		jwtMethod = jwt.SigningMethodHS512
	default:
		add("JWTAlgorithm", fmt.Sprintf("must be one of HS256, HS384, HS512, got %q", cfg.JWTAlgorithm))
	}
	checkURL := func(name, u string, required bool) {
		if u == "" && !required {
			return
		}
		if err := kit.CheckEndpoint(u); err != nil {
			add(name, err.Error())
		}
	}
	checkURL("AuthURL", cfg.AuthURL, true)
	checkURL("TokenURL", cfg.TokenURL, true)
	checkURL("UserInfoURL", cfg.UserInfoURL, false)
	checkURL("RevokeURL", cfg.RevokeURL, false)
	if cfg.RequireIssuer && cfg.Issuer == "" {
		add("Issuer", "is required when RequireIssuer is set")
	}

	switch cfg.TokenResponseFormat {
	case FormatAuto, FormatJSON, FormatForm:
	default:
		add("TokenResponseFormat", fmt.Sprintf("must be empty, %q or %q, got %q", FormatJSON, FormatForm, cfg.TokenResponseFormat))
	}
	userInfoPOST := false
	switch strings.ToUpper(cfg.UserInfoMethod) {
	case "", http.MethodGet:
	case http.MethodPost:
		userInfoPOST = true
	default:
		add("UserInfoMethod", fmt.Sprintf("must be GET or POST, got %q", cfg.UserInfoMethod))
	}
	responseType := cfg.ResponseType
	if responseType == "" {
		responseType = "code"
	}
	if !slices.Contains(strings.Fields(responseType), "code") {
		add("ResponseType", fmt.Sprintf("must include code, got %q", responseType))
	}
	checkParams := func(name string, v url.Values) {
		for _, k := range sortedKeys(v) {
			switch {
			case k == "":
				add(name, "has an empty parameter name")
			case reserved[k]:
				add(name+"."+k, "is a reserved parameter the flow sets itself and cannot be overridden")
			case len(v[k]) != 1:
				add(name+"."+k, "must have exactly one value")
			}
		}
	}
	checkParams("AuthParams", cfg.AuthParams)
	checkParams("TokenParams", cfg.TokenParams)

	// The authorization URL's own query is merged: its parameters become
	// low-priority options and the URL given to x/oauth2 has no query, so
	// that no parameter is ever sent twice.
	authBase, authQuery := cfg.AuthURL, url.Values(nil)
	if u, err := url.Parse(cfg.AuthURL); err == nil && cfg.AuthURL != "" {
		q, qerr := url.ParseQuery(u.RawQuery)
		if qerr != nil {
			add("AuthURL", "has a malformed query string")
		}
		checkParams("AuthURL", q)
		u.RawQuery, u.ForceQuery = "", false
		authBase, authQuery = u.String(), q
	}
	if len(fe) > 0 {
		slices.SortStableFunc(fe, func(a, b connector.FieldError) int { return strings.Compare(a.Path, b.Path) })
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: cfg.ConnectorID, Step: connector.StepConfig,
			Message: "invalid oauth flow config", Fields: fe}
	}

	e := &Engine{
		id:           cfg.ConnectorID,
		oauth:        &oauth2.Config{ClientID: cfg.ClientID, Endpoint: oauth2.Endpoint{AuthURL: authBase, TokenURL: cfg.TokenURL, AuthStyle: method.OAuth2Style()}},
		clientID:     cfg.ClientID,
		secret:       cfg.ClientSecret,
		secretFunc:   cfg.ClientSecretFunc,
		tokenURL:     cfg.TokenURL,
		userInfoURL:  cfg.UserInfoURL,
		revokeURL:    cfg.RevokeURL,
		method:       method,
		jwtMethod:    jwtMethod,
		pkce:         cfg.PKCE,
		nonce:        cfg.Nonce,
		tokenParams:  cloneValues(cfg.TokenParams),
		format:       cfg.TokenResponseFormat,
		userInfoPOST: userInfoPOST,
		providerErr:  cfg.ProviderError,
		issuer:       cfg.Issuer,
		requireIss:   cfg.RequireIssuer,
		client:       cfg.HTTPClient,
		log:          cfg.Logger,
		now:          cfg.Now,
		maxBody:      cfg.MaxBodyBytes,
	}
	if e.client == nil {
		e.client = kit.DefaultHTTPClient()
	}
	e.client = noRedirects(e.client)
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxBody <= 0 {
		e.maxBody = httpx.DefaultMaxBody
	}
	if method == AuthClientSecretBasic && cfg.ClientSecretFunc == nil {
		e.basicAuth = basicAuth(cfg.ClientID, cfg.ClientSecret)
	}
	e.scrub = redact.New(cfg.ClientSecret.Reveal(), redact.BasicCredentials(e.basicAuth))
	// Fixed authorization parameters, lowest priority first: the AuthURL's
	// query, then AuthParams. A scope among them is the default scope.
	// They are encoded once, here; a request adds its own.
	fixed := url.Values{"client_id": {cfg.ClientID}, "response_type": {responseType}}
	if cfg.PKCE {
		fixed.Set("code_challenge_method", "S256")
	}
	for _, src := range []url.Values{authQuery, cfg.AuthParams} {
		for _, k := range sortedKeys(src) {
			if k == "scope" {
				e.defaultScope = src.Get(k)
				continue
			}
			fixed.Set(k, src.Get(k))
		}
	}
	if cfg.Scope != "" {
		e.defaultScope = cfg.Scope
	}
	e.authBase = authBase
	for _, k := range sortedKeys(fixed) {
		e.fixed = append(e.fixed, newQueryParam(k, fixed.Get(k)))
	}
	return e, nil
}

// ConnectorID returns the connector ID errors carry.
func (e *Engine) ConnectorID() string { return e.id }

// AuthMethod returns the token endpoint authentication method in use.
func (e *Engine) AuthMethod() AuthMethod { return e.method }

// String describes the engine without its secret.
func (e *Engine) String() string {
	return fmt.Sprintf("oauthflow.Engine{Connector:%q ClientID:%q ClientSecret:%s AuthMethod:%s TokenURL:%q PKCE:%t}",
		e.id, e.clientID, e.secret, e.method, e.tokenURL, e.pkce)
}

// GoString is like String, so %#v reveals nothing either.
func (e *Engine) GoString() string { return e.String() }

// AuthorizationURL builds the URL to send the browser to and the flow state
// the callback needs. It uses req.State when set, else a fresh random state;
// req.Scope replaces the configured scope; req.Prompt and req.LoginHint are
// sent as prompt and login_hint. Spaces are encoded as %20 (not +), which
// every provider decodes and Apple requires.
func (e *Engine) AuthorizationURL(req connector.AuthRequest) (*connector.Authorization, error) {
	if req.RedirectURI == "" {
		return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepAuthorize, "redirect URI is required")
	}
	// A host sends the same redirect URI again and again: the last one
	// that passed is not parsed again.
	if last := e.lastRedirect.Load(); last == nil || *last != req.RedirectURI {
		if msg := checkRedirectURI(req.RedirectURI); msg != "" {
			return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepAuthorize, "redirect URI "+msg)
		}
		uri := req.RedirectURI
		e.lastRedirect.Store(&uri)
	}
	flow := connector.FlowState{State: req.State, RedirectURI: req.RedirectURI}
	if flow.State == "" {
		flow.State = randomString(32)
	}
	scope := e.defaultScope
	if req.Scope != "" {
		scope = req.Scope
	}
	// The request's parameters, in name order (each is optional but the
	// redirect URI and the state).
	var dyn [7]queryParam
	n := 0
	add := func(k, v string) {
		if v != "" {
			dyn[n] = queryParam{name: k, value: v}
			n++
		}
	}
	if e.pkce {
		flow.CodeVerifier = oauth2.GenerateVerifier()
		add("code_challenge", oauth2.S256ChallengeFromVerifier(flow.CodeVerifier))
	}
	add("login_hint", req.LoginHint)
	if e.nonce {
		flow.Nonce = randomString(32)
		add("nonce", flow.Nonce)
	}
	add("prompt", req.Prompt)
	add("redirect_uri", req.RedirectURI)
	add("scope", scope)
	add("state", flow.State)
	return &connector.Authorization{URL: e.buildAuthURL(dyn[:n]), Flow: flow}, nil
}

// queryParam is one authorization parameter: the fixed ones are encoded
// once (enc), a request's as the URL is written.
type queryParam struct {
	name, value string
	enc         string // "name=value", query-escaped; "" for a request's
}

func newQueryParam(name, value string) queryParam {
	var b strings.Builder
	writeQueryEscaped(&b, name)
	b.WriteByte('=')
	writeQueryEscaped(&b, value)
	return queryParam{name: name, value: value, enc: b.String()}
}

// buildAuthURL writes the authorization URL: the endpoint, then the fixed
// and the request's parameters merged in name order (a request's
// parameter replaces a fixed one of the same name), as x/oauth2's
// AuthCodeURL would, in one allocation.
func (e *Engine) buildAuthURL(dyn []queryParam) string {
	size := len(e.authBase) + 1
	for _, p := range e.fixed {
		size += len(p.enc) + 1
	}
	for _, p := range dyn {
		size += 3 * (len(p.name) + len(p.value) + 1) // the most escaping can take
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(e.authBase)
	sep := byte('?')
	write := func(p queryParam) {
		b.WriteByte(sep)
		sep = '&'
		if p.enc != "" {
			b.WriteString(p.enc)
			return
		}
		writeQueryEscaped(&b, p.name)
		b.WriteByte('=')
		writeQueryEscaped(&b, p.value)
	}
	i, j := 0, 0
	for i < len(e.fixed) || j < len(dyn) {
		switch {
		case j == len(dyn) || (i < len(e.fixed) && e.fixed[i].name < dyn[j].name):
			write(e.fixed[i])
			i++
		case i < len(e.fixed) && e.fixed[i].name == dyn[j].name:
			i++ // the request's value replaces the fixed one
		default:
			write(dyn[j])
			j++
		}
	}
	return b.String()
}

// writeQueryEscaped writes s escaped as url.QueryEscape does, except that
// a space is %20 rather than '+': every provider decodes both, and Apple
// requires %20.
func writeQueryEscaped(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func (e *Engine) errorf(code connector.Code, step connector.Step, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: e.id, Step: step, Message: msg}
}

// Stamp returns err naming the connector when it is (or wraps) a
// [*connector.Error] without one (errors from profilemap, for instance);
// err itself is never changed (see [kit.Attribute]).
func (e *Engine) Stamp(err error) error { return kit.Attribute(err, e.id) }

// basicAuth is the client_secret_basic header: id and secret form-encoded
// (RFC 6749 §2.3.1), then joined and base64-encoded.
func basicAuth(id string, secret connector.Secret) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret.Reveal())))
}

// checkRedirectURI returns "" for a redirect URI a provider may send a
// code to, else what is wrong with it: https with a host; http only on a
// loopback host (RFC 8252 §7.3, a native app or a developer's machine); or
// a native app's private-use scheme, which RFC 8252 §7.1 requires to be a
// reverse domain name ("com.example.app:/callback"). Every other scheme
// (javascript:, data:, file:...) and a URL with a fragment is refused.
func checkRedirectURI(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs():
		return "must be an absolute URL"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "must not have a fragment"
	case u.User != nil:
		return "must not carry user credentials"
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return "must have a host"
		}
		return ""
	case "http":
		if !kit.IsLoopbackHost(u.Hostname()) {
			return "must use https (plain http is allowed only on a loopback host: 127.0.0.1, [::1], localhost)"
		}
		return ""
	}
	if !strings.Contains(u.Scheme, ".") {
		return "must use https, http on a loopback host, or a private-use scheme named after a reverse domain (com.example.app:/callback), got scheme " + strconvQuote(u.Scheme)
	}
	if u.Opaque == "" && u.Path == "" && u.Host == "" {
		return "must have a path"
	}
	return ""
}

func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return fmt.Sprintf("%q", s)
}

// noRedirects returns a shallow copy of c (sharing its transport and so its
// connection pool) that never follows a redirect, whatever c's own
// CheckRedirect says: a token, userinfo, refresh or revocation request
// carries the client credentials, the code or a token, and a redirect would
// hand them to another address (plain http, a cloud metadata address). The
// 3xx answer comes back to the engine, which reports it.
func noRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = refuseRedirect
	return &cp
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// CheckUserID applies the rule every connector's user ID obeys (see
// internal/userid): not empty, no control or invisible characters, no
// surrounding space, at most 255 bytes. A failure is invalid_response at
// the userinfo step.
func CheckUserID(id string) error {
	if err := userid.Check(id); err != nil {
		return ProfileError("the user ID from the provider " + err.Error())
	}
	return nil
}

// ProfileError is the error of a profile document a provider's mapping
// refuses: invalid_response at the userinfo step, saying msg.
func ProfileError(msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepUserInfo, Message: msg}
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func cloneValues(v url.Values) url.Values {
	if len(v) == 0 {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vv := range v {
		out[k] = slices.Clone(vv)
	}
	return out
}

// Authorize is [Engine.AuthorizationURL] for a connector's
// AuthorizationURL method: it first fails when ctx is already done, as every
// connector method that takes a context does.
func (e *Engine) Authorize(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if err := ctx.Err(); err != nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: connector.StepAuthorize,
			Message: "the request was canceled before the authorization URL was built", Err: err}
	}
	return e.AuthorizationURL(req)
}

// SignIn is the whole callback of a connector that reads its user from a
// userinfo endpoint: [Engine.Exchange], the userinfo request, then
// mapProfile on the document, which is read once: mapProfile's decoding is
// its validation, so it must refuse invalid JSON and duplicate member
// names (jsonx does) with an invalid_response error; the engine adds the
// answer's status and content type, and names the connector.
// With cb.WantTokens the provider tokens are attached to the result.
func (e *Engine) SignIn(ctx context.Context, cb connector.Callback, mapProfile func(doc []byte) (*connector.UserInfo, error)) (*connector.UserInfo, error) {
	tok, err := e.Exchange(ctx, cb)
	if err != nil {
		return nil, err
	}
	info, err := e.MapUserInfo(ctx, tok.AccessToken, mapProfile)
	if err != nil {
		return nil, err
	}
	if err := CheckUserID(info.ID); err != nil {
		return nil, e.Stamp(err)
	}
	if cb.WantTokens {
		t := tok.Tokens
		info.Tokens = &t
	}
	return info, nil
}
