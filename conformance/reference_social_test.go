package conformance

// A small, correct social connector written directly on net/http (not on
// internal/oauthflow), and flawed variants of it. The suite must pass the
// correct one and fail each flawed one.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/userid"
	"github.com/connectorkit/connector/kit"
)

// socialFlaw is a deliberate bug of the reference connector.
type socialFlaw int

const (
	flawNone socialFlaw = iota
	flawIgnoreState
	flawLeakSecretInError
	flawDefaultClient
	flawAllEmailsVerified
	flawPanicOnProfile
	flawUnboundedRead
	flawBackgroundContext
	flawStatefulFlow
	flawRateLimitAsGeneral
	flawNotRetryable
	flawLogsToken
	flawPrintsSecret
	flawAcceptsAnyConfig
	flawFixedState
	flawParseErrorAsGeneral
	flawIgnoresProviderError
	flawNoSchema
	flawRawKeepsToken
	flawTokensAlways
	flawConcatenatedURL
	flawDropsVerifier
	flawWrongID
	flawDetachedDeadline
	flawIgnoresHostState
	flawConfigErrorsWithoutFields
	flawNeverReturnsTokens
	flawIgnoresRequestScope
	flawAcceptsNoRedirectURI
	flawEchoesConfig
	flawRawTransportErrors
	flawFollowsRedirects
	flawRedirectAsHTTPError
	flawErrorBeforeState
	flawKeepsControlChars
	flawFirstParamValue
	flawFoldsCase
	flawAcceptsDuplicateNames
	flawAcceptsBlankID
	flawRawNumberID
	flawRefreshRefusalAsGeneral
	flawRefreshDropsToken
	flawRefreshEmptyCallsProvider
	flawRevokeSendsBadArguments
	flawRevokeIgnoresStatus
	flawRevokeQuotesHint
)

const refFactoryID = "reference-oauth2"

type refConfig struct {
	AuthorizationEndpoint string           `json:"authorizationEndpoint" validate:"required,endpoint"`
	TokenEndpoint         string           `json:"tokenEndpoint" validate:"required,endpoint"`
	UserInfoEndpoint      string           `json:"userInfoEndpoint" validate:"required,endpoint"`
	ClientID              string           `json:"clientId" validate:"required"`
	ClientSecret          connector.Secret `json:"clientSecret"`
	AuthMethod            string           `json:"tokenEndpointAuthMethod" default:"client_secret_post" validate:"oneof=client_secret_post client_secret_basic none"`
	Scope                 string           `json:"scope"`
	PKCE                  bool             `json:"pkce"`
	IDPath                string           `json:"idPath" default:"id"`
	EmailPath             string           `json:"emailPath" default:"email"`
	EmailVerifiedPath     string           `json:"emailVerifiedPath"`
	EmailValidPath        string           `json:"emailValidPath"`
	NamePath              string           `json:"namePath" default:"name"`
	RevocationEndpoint    string           `json:"revocationEndpoint" validate:"omitempty,endpoint"`
}

func (c *refConfig) CheckConfig() connector.FieldErrors {
	if c.AuthMethod != "none" && c.ClientSecret.IsZero() {
		return connector.FieldErrors{{Path: "clientSecret", Message: "is required unless tokenEndpointAuthMethod is none"}}
	}
	return nil
}

type refSocial struct {
	cfg    refConfig
	opts   connector.Options
	client *http.Client // opts.HTTPClient, following no redirect
	log    *slog.Logger
	id     string
	flaw   socialFlaw
	secret string // only set with flawPrintsSecret: a plain copy that fmt prints

	mu        *sync.Mutex
	verifiers map[string]string // only with flawStatefulFlow
}

var (
	_ connector.Social    = (*refSocial)(nil)
	_ connector.Refresher = (*refSocial)(nil)
	_ connector.Revoker   = (*refSocial)(nil)
)

func refMetadata(flaw socialFlaw) connector.Metadata {
	md := connector.Metadata{
		ID: refFactoryID, Target: "reference", Type: connector.TypeSocial, Platform: connector.PlatformUniversal,
		Name: map[string]string{"en": "Reference OAuth 2.0"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: kit.ConfigSchema(refConfig{}, "Reference OAuth 2.0"),
	}
	if flaw == flawNoSchema {
		md.ConfigSchema = nil
	}
	return md
}

func refSocialFactory(flaw socialFlaw) connector.Factory {
	return connector.Factory{Metadata: refMetadata(flaw), Open: func(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
		return openRefSocial(raw, flaw, opts...)
	}}
}

func openRefSocial(raw json.RawMessage, flaw socialFlaw, opts ...connector.Option) (*refSocial, error) {
	o, err := kit.ResolveOptions(opts...)
	if err != nil {
		return nil, err
	}
	c := &refSocial{opts: o, id: o.ConnectorID(refFactoryID), flaw: flaw, mu: new(sync.Mutex), verifiers: map[string]string{}}
	c.log = o.ScopedLogger(refFactoryID)
	if flaw == flawAcceptsAnyConfig {
		_ = json.Unmarshal(raw, &c.cfg)
	} else if err := kit.DecodeConfig(raw, &c.cfg); err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) {
			ce.Connector = c.id
			if flaw == flawConfigErrorsWithoutFields {
				ce.Fields = nil
			}
			if flaw == flawEchoesConfig {
				ce.Message += ": " + string(raw)
			}
		}
		return nil, err
	}
	if flaw == flawPrintsSecret {
		c.secret = c.cfg.ClientSecret.Reveal()
	}
	if flaw == flawDefaultClient {
		c.opts.HTTPClient = offlineClient
	}
	c.client = c.opts.HTTPClient
	if flaw != flawFollowsRedirects {
		// A redirect would carry the code, the client credentials or the
		// access token to wherever it points.
		cp := *c.client
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.client = &cp
	}
	return c, nil
}

// offlineClient stands for a client of the connector's own (such as
// http.DefaultClient): it is not the injected one, and it fails every
// request at once, so that the flawed connectors never touch the network.
var offlineClient = &http.Client{Transport: offlineTransport{}}

type offlineTransport struct{}

func (offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, errors.New("offline client: the request was not sent (these tests never touch the network)")
}

func (c *refSocial) Metadata() connector.Metadata { return refMetadata(c.flaw) }

// String keeps fmt output safe (the Secret type does the rest).
func (c *refSocial) String() string {
	if c.flaw == flawPrintsSecret {
		return fmt.Sprintf("refSocial{client %s secret %s}", c.cfg.ClientID, c.secret)
	}
	return "refSocial{" + c.id + "}"
}

func (c *refSocial) GoString() string { return c.String() }

// Format prints String for every verb, of the connector or of a copy of
// it: fmt would print the fields, the secret among them, for the verbs
// String does not serve (%d, %x...).
func (c refSocial) Format(f fmt.State, _ rune) {
	io.WriteString(f, c.String())
	if c.flaw == flawPrintsSecret {
		io.WriteString(f, " "+c.secret) // the flaw: the secret in fmt output
	}
}

func (c *refSocial) fail(code connector.Code, step connector.Step, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: c.id, Step: step, Message: msg}
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *refSocial) AuthorizationURL(_ context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.RedirectURI == "" && c.flaw != flawAcceptsNoRedirectURI {
		return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepAuthorize, "redirect URI is required")
	}
	flow := connector.FlowState{State: req.State, RedirectURI: req.RedirectURI}
	if flow.State == "" || c.flaw == flawIgnoresHostState {
		flow.State = randomString(32)
		if c.flaw == flawFixedState {
			flow.State = "constant-state-value"
		}
	}
	u, err := url.Parse(c.cfg.AuthorizationEndpoint)
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, connector.StepAuthorize, "authorizationEndpoint cannot be parsed")
	}
	q := u.Query()
	scope := c.cfg.Scope
	if req.Scope != "" && c.flaw != flawIgnoresRequestScope {
		scope = req.Scope
	}
	if c.flaw == flawConcatenatedURL {
		s := u.String() + "?response_type=code&client_id=" + c.cfg.ClientID + "&redirect_uri=" + url.QueryEscape(req.RedirectURI) +
			"&state=" + flow.State + "&scope=" + scope
		return &connector.Authorization{URL: s, Flow: flow}, nil
	}
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", req.RedirectURI)
	q.Set("state", flow.State)
	if scope != "" {
		q.Set("scope", scope)
	}
	if req.Prompt != "" {
		q.Set("prompt", req.Prompt)
	}
	if req.LoginHint != "" {
		q.Set("login_hint", req.LoginHint)
	}
	if c.cfg.PKCE {
		v := randomString(32)
		sum := sha256.Sum256([]byte(v))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
		if c.flaw == flawStatefulFlow {
			c.mu.Lock()
			c.verifiers[flow.State] = v
			c.mu.Unlock()
		} else {
			flow.CodeVerifier = v
		}
	}
	u.RawQuery = q.Encode()
	return &connector.Authorization{URL: u.String(), Flow: flow}, nil
}

// context is the context the connector's requests are sent with: the
// caller's, but for the flaws that drop it.
func (c *refSocial) context(ctx context.Context) context.Context {
	switch c.flaw {
	case flawBackgroundContext:
		return context.Background()
	case flawDetachedDeadline:
		// Keeps the caller's values (the suite's marker) but not its
		// deadline: only the hang and cancel checks can see it.
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c *refSocial) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	ctx = c.context(ctx)
	p := cb.Params
	if c.flaw != flawFirstParamValue {
		for _, name := range []string{"state", "code", "error", "error_description"} {
			if len(p[name]) > 1 {
				return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepCallback, "the callback repeats "+name)
			}
		}
	}
	providerError := func() error {
		if e := p.Get("error"); e != "" && c.flaw != flawIgnoresProviderError {
			return &connector.Error{Code: connector.CodeAuthorizationFailed, Connector: c.id, Step: connector.StepCallback,
				Message: "the provider refused the authorization", ProviderCode: c.clean(e), ProviderMessage: c.clean(p.Get("error_description"))}
		}
		return nil
	}
	if c.flaw == flawErrorBeforeState {
		if err := providerError(); err != nil {
			return nil, err
		}
	}
	if c.flaw != flawIgnoreState {
		if cb.Flow.State == "" {
			return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the flow state has no state value")
		}
		if subtle.ConstantTimeCompare([]byte(p.Get("state")), []byte(cb.Flow.State)) != 1 {
			return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the callback state does not match the flow")
		}
	}
	// Only a callback that carries the flow's state may end it with the
	// provider's words.
	if err := providerError(); err != nil {
		return nil, err
	}
	code := p.Get("code")
	if code == "" && c.flaw != flawIgnoresProviderError {
		return nil, c.fail(connector.CodeAuthorizationFailed, connector.StepCallback, "the callback has no code")
	}
	verifier := cb.Flow.CodeVerifier
	if c.flaw == flawStatefulFlow {
		c.mu.Lock()
		verifier = c.verifiers[cb.Flow.State]
		c.mu.Unlock()
	}
	if c.flaw == flawDropsVerifier {
		verifier = ""
	}
	tok, err := c.exchange(ctx, code, cb.Flow.RedirectURI, verifier)
	if err != nil {
		return nil, err
	}
	if c.flaw == flawLogsToken {
		c.log.Debug("token exchanged", "access_token", tok.AccessToken)
	}
	info, err := c.profile(ctx, tok)
	if err != nil {
		return nil, err
	}
	if (cb.WantTokens && c.flaw != flawNeverReturnsTokens) || c.flaw == flawTokensAlways {
		info.Tokens = tok
	}
	return info, nil
}

// clean drops control and invisible formatting characters (CR, LF, ESC,
// bidirectional overrides) from provider text kept in an error.
func (c *refSocial) clean(s string) string {
	if c.flaw == flawKeepsControlChars {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// do sends req; a 3xx answer is refused without reading its body.
func (c *refSocial) do(step connector.Step, req *http.Request) (*http.Response, error) {
	resp, err := c.client.Do(req)
	if err != nil {
		if c.flaw == flawRawTransportErrors {
			return nil, err
		}
		return nil, c.transportError(step, err)
	}
	if resp.StatusCode/100 == 3 && c.flaw != flawRedirectAsHTTPError {
		resp.Body.Close()
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: c.id, Step: step, Status: resp.StatusCode,
			Message: "the provider answered with a redirect (" + resp.Status + "), which is not followed"}
	}
	return resp, nil
}

func (c *refSocial) read(resp *http.Response) ([]byte, error) {
	if c.flaw == flawUnboundedRead {
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	return httpx.ReadResponse(resp, 0)
}

// httpFailure maps a non-2xx answer.
func (c *refSocial) httpFailure(step connector.Step, resp *http.Response, body []byte) *connector.Error {
	e := &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: step, Status: resp.StatusCode,
		Message: "the provider answered " + resp.Status}
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) == nil {
		e.ProviderCode, e.ProviderMessage = c.clean(oe.Error), c.clean(oe.Description)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && c.flaw != flawRateLimitAsGeneral:
		e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
		e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
	case resp.StatusCode >= 500:
		e.Retryable = c.flaw != flawNotRetryable
	case step == connector.StepTokenExchange && e.ProviderCode == "invalid_grant":
		e.Code = connector.CodeSocialAuthCodeInvalid
	case step == connector.StepRefresh && e.ProviderCode == "invalid_grant" && c.flaw != flawRefreshRefusalAsGeneral:
		e.Code = connector.CodeSocialInvalidAccessToken
	case step == connector.StepUserInfo && resp.StatusCode == http.StatusUnauthorized:
		e.Code = connector.CodeSocialInvalidAccessToken
	}
	if c.flaw == flawLeakSecretInError {
		e.Message += " (sent client_secret=" + c.cfg.ClientSecret.Reveal() + ")"
	}
	return e
}

func (c *refSocial) badResponse(step connector.Step, msg string) *connector.Error {
	code := connector.CodeInvalidResponse
	if c.flaw == flawParseErrorAsGeneral {
		code = connector.CodeGeneral
	}
	return c.fail(code, step, msg)
}

func (c *refSocial) transportError(step connector.Step, err error) *connector.Error {
	return &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: step, Retryable: true,
		Message: "the request failed", Err: err}
}

func (c *refSocial) exchange(ctx context.Context, code, redirect, verifier string) (*connector.Tokens, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return c.tokenRequest(ctx, connector.StepTokenExchange, form)
}

// post sends form with the client authentication to endpoint (the config
// field named field).
func (c *refSocial) post(ctx context.Context, step connector.Step, endpoint, field string, form url.Values) (*http.Response, error) {
	switch c.cfg.AuthMethod {
	case "client_secret_post":
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_secret", c.cfg.ClientSecret.Reveal())
	case "none":
		form.Set("client_id", c.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, step, field+" is not usable")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret.Reveal()))
	}
	return c.do(step, req)
}

// Revoke implements connector.Revoker (RFC 7009) when the config has a
// revocation endpoint.
func (c *refSocial) Revoke(ctx context.Context, token, hint string) error {
	const step = connector.StepRevoke
	if c.cfg.RevocationEndpoint == "" {
		return c.fail(connector.CodeNotImplemented, step, "the config has no revocationEndpoint")
	}
	if c.flaw != flawRevokeSendsBadArguments {
		switch {
		case token == "":
			return c.fail(connector.CodeInvalidRequestParameters, step, "token is empty")
		case hint != "" && hint != "access_token" && hint != "refresh_token" && c.flaw == flawRevokeQuotesHint:
			return c.fail(connector.CodeInvalidRequestParameters, step, "unknown token type hint "+strconv.Quote(hint))
		case hint != "" && hint != "access_token" && hint != "refresh_token":
			return c.fail(connector.CodeInvalidRequestParameters, step, "token type hint must be access_token, refresh_token or empty")
		}
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	resp, err := c.post(c.context(ctx), step, c.cfg.RevocationEndpoint, "revocationEndpoint", form)
	if err != nil {
		return err
	}
	body, err := c.read(resp)
	if err != nil {
		return c.badResponse(step, "the revocation response cannot be read: "+err.Error())
	}
	if resp.StatusCode/100 != 2 && c.flaw != flawRevokeIgnoresStatus {
		return c.httpFailure(step, resp, body)
	}
	return nil
}

// Refresh implements connector.Refresher: the refresh_token grant at the
// token endpoint, keeping the refresh token given when the provider does
// not issue a new one.
func (c *refSocial) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	if refreshToken == "" && c.flaw != flawRefreshEmptyCallsProvider {
		return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepRefresh, "refresh token is empty")
	}
	tok, err := c.tokenRequest(c.context(ctx), connector.StepRefresh, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" && c.flaw != flawRefreshDropsToken {
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

// tokenRequest posts form, with the client authentication, to the token
// endpoint and reads the tokens.
func (c *refSocial) tokenRequest(ctx context.Context, step connector.Step, form url.Values) (*connector.Tokens, error) {
	resp, err := c.post(ctx, step, c.cfg.TokenEndpoint, "tokenEndpoint", form)
	if err != nil {
		return nil, err
	}
	body, err := c.read(resp)
	if err != nil {
		return nil, c.badResponse(step, "the token response cannot be read: "+err.Error())
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.httpFailure(step, resp, body)
	}
	tok := &connector.Tokens{}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if err := c.checkJSON(body); err != nil {
			return nil, c.badResponse(step, "the token response "+err.Error())
		}
		var raw map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return nil, c.badResponse(step, "the token response is not valid JSON")
		}
		tok.AccessToken, _ = raw["access_token"].(string)
		tok.RefreshToken, _ = raw["refresh_token"].(string)
		tok.TokenType, _ = raw["token_type"].(string)
	case "application/x-www-form-urlencoded", "text/plain":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, c.badResponse(step, "the token response is not a valid form")
		}
		for k, vs := range v {
			if len(vs) > 1 && c.flaw != flawAcceptsDuplicateNames {
				return nil, c.badResponse(step, "the token response repeats "+strconv.Quote(k))
			}
		}
		tok.AccessToken, tok.RefreshToken, tok.TokenType = v.Get("access_token"), v.Get("refresh_token"), v.Get("token_type")
	default:
		return nil, c.badResponse(step, "the token response has the content type "+strconv.Quote(mt))
	}
	if tok.AccessToken == "" {
		code := connector.CodeSocialAuthCodeInvalid
		if step == connector.StepRefresh {
			code = connector.CodeSocialInvalidAccessToken
		}
		return nil, c.fail(code, step, "the token response has no access_token")
	}
	return tok, nil
}

func (c *refSocial) profile(ctx context.Context, tok *connector.Tokens) (*connector.UserInfo, error) {
	const step = connector.StepUserInfo
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.UserInfoEndpoint, nil)
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, step, "userInfoEndpoint is not usable")
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(step, req)
	if err != nil {
		return nil, err
	}
	body, err := c.read(resp)
	if err != nil {
		return nil, c.badResponse(step, "the userinfo response cannot be read: "+err.Error())
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.httpFailure(step, resp, body)
	}
	if err := c.checkJSON(body); err != nil {
		return nil, c.badResponse(step, "the userinfo response "+err.Error())
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if c.flaw == flawFoldsCase {
		// As encoding/json fills a struct: member names matched whatever
		// their case, the last match winning.
		v, err := decodeFolded(dec)
		doc, _ = v.(map[string]any)
		if err != nil {
			doc = nil
		}
	} else if err := dec.Decode(&doc); err != nil {
		doc = nil
	}
	if doc == nil {
		return nil, c.badResponse(step, "the userinfo response is not a JSON object")
	}
	info := &connector.UserInfo{Raw: json.RawMessage(body)}
	if c.flaw == flawPanicOnProfile {
		info.ID = lookup(doc, c.cfg.IDPath).(string)
	} else {
		switch v := lookup(doc, c.cfg.IDPath).(type) {
		case string:
			info.ID = v
		case json.Number:
			id, ok := userid.Number(v.String())
			if c.flaw == flawRawNumberID {
				id, ok = v.String(), true
			}
			if !ok {
				return nil, c.badResponse(step, "the profile's "+c.cfg.IDPath+" is not an integer")
			}
			info.ID = id
		case nil:
			return nil, c.badResponse(step, "the profile has no "+c.cfg.IDPath)
		default:
			return nil, c.badResponse(step, "the profile's "+c.cfg.IDPath+" is not a string or a number")
		}
	}
	if c.flaw == flawWrongID {
		info.ID, _ = lookup(doc, c.cfg.NamePath).(string)
	}
	if info.ID == "" {
		return nil, c.badResponse(step, "the profile's "+c.cfg.IDPath+" is empty")
	}
	if err := userid.Check(info.ID); err != nil && c.flaw != flawAcceptsBlankID {
		return nil, c.badResponse(step, "the profile's "+c.cfg.IDPath+" "+err.Error())
	}
	info.Email, _ = lookup(doc, c.cfg.EmailPath).(string)
	if c.cfg.EmailValidPath != "" {
		if valid, _ := lookup(doc, c.cfg.EmailValidPath).(bool); !valid {
			info.Email = ""
		}
	}
	if c.cfg.EmailVerifiedPath != "" && info.Email != "" {
		switch v := lookup(doc, c.cfg.EmailVerifiedPath).(type) {
		case bool:
			info.EmailVerified = v
		case string:
			info.EmailVerified = v == "true"
		}
	}
	if c.flaw == flawAllEmailsVerified {
		info.EmailVerified = info.Email != ""
	}
	info.Name, _ = lookup(doc, c.cfg.NamePath).(string)
	if c.flaw == flawRawKeepsToken {
		doc["access_token"] = tok.AccessToken
		info.Raw, _ = json.Marshal(doc)
	}
	return info, nil
}

// checkJSON refuses a document with a member name twice in one object:
// parsers disagree about which one counts.
func (c *refSocial) checkJSON(body []byte) error {
	if c.flaw == flawAcceptsDuplicateNames {
		return nil
	}
	return jsonx.Check(body)
}

// decodeFolded decodes the next JSON value of dec with object member names
// lower-cased, a later member replacing an earlier one of the same folded
// name (the flawFoldsCase reading).
func decodeFolded(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := k.(string)
			v, err := decodeFolded(dec)
			if err != nil {
				return nil, err
			}
			m[strings.ToLower(name)] = v
		}
		_, err := dec.Token()
		return m, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := decodeFolded(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return tok, nil
}

// lookup follows a dotted path through objects.
func lookup(doc map[string]any, path string) any {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}
