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

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
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
	log    *slog.Logger
	id     string
	flaw   socialFlaw
	secret string // only set with flawPrintsSecret: a plain copy that fmt prints

	mu        sync.Mutex
	verifiers map[string]string // only with flawStatefulFlow
}

var _ connector.Social = (*refSocial)(nil)

func refMetadata(flaw socialFlaw) connector.Metadata {
	md := connector.Metadata{
		ID: refFactoryID, Target: "reference", Type: connector.TypeSocial, Platform: connector.PlatformUniversal,
		Name: map[string]string{"en": "Reference OAuth 2.0"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: connector.ConfigSchema(refConfig{}, "Reference OAuth 2.0"),
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
	o, err := connector.ResolveOptions(opts...)
	if err != nil {
		return nil, err
	}
	c := &refSocial{opts: o, id: o.ConnectorID(refFactoryID), flaw: flaw, verifiers: map[string]string{}}
	c.log = o.ScopedLogger(refFactoryID)
	if flaw == flawAcceptsAnyConfig {
		_ = json.Unmarshal(raw, &c.cfg)
	} else if err := connector.DecodeConfig(raw, &c.cfg); err != nil {
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
		c.opts.HTTPClient = &http.Client{}
	}
	return c, nil
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

func (c *refSocial) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	switch c.flaw {
	case flawBackgroundContext:
		ctx = context.Background()
	case flawDetachedDeadline:
		// Keeps the caller's values (the suite's marker) but not its
		// deadline: only the hang and cancel checks can see it.
		ctx = context.WithoutCancel(ctx)
	}
	p := cb.Params
	if c.flaw != flawIgnoreState {
		if cb.Flow.State == "" {
			return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the flow state has no state value")
		}
		if subtle.ConstantTimeCompare([]byte(p.Get("state")), []byte(cb.Flow.State)) != 1 {
			return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the callback state does not match the flow")
		}
	}
	if e := p.Get("error"); e != "" && c.flaw != flawIgnoresProviderError {
		return nil, &connector.Error{Code: connector.CodeAuthorizationFailed, Connector: c.id, Step: connector.StepCallback,
			Message: "the provider refused the authorization", ProviderCode: e, ProviderMessage: p.Get("error_description")}
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
		e.ProviderCode, e.ProviderMessage = oe.Error, oe.Description
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && c.flaw != flawRateLimitAsGeneral:
		e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
		e.RetryAfter = connector.ParseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
	case resp.StatusCode >= 500:
		e.Retryable = c.flaw != flawNotRetryable
	case step == connector.StepTokenExchange && e.ProviderCode == "invalid_grant":
		e.Code = connector.CodeSocialAuthCodeInvalid
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
	const step = connector.StepTokenExchange
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	switch c.cfg.AuthMethod {
	case "client_secret_post":
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_secret", c.cfg.ClientSecret.Reveal())
	case "none":
		form.Set("client_id", c.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, step, "tokenEndpoint is not usable")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret.Reveal()))
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		if c.flaw == flawRawTransportErrors {
			return nil, err
		}
		return nil, c.transportError(step, err)
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
		tok.AccessToken, tok.RefreshToken, tok.TokenType = v.Get("access_token"), v.Get("refresh_token"), v.Get("token_type")
	default:
		return nil, c.badResponse(step, "the token response has the content type "+strconv.Quote(mt))
	}
	if tok.AccessToken == "" {
		return nil, c.fail(connector.CodeSocialAuthCodeInvalid, step, "the token response has no access_token")
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
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		if c.flaw == flawRawTransportErrors {
			return nil, err
		}
		return nil, c.transportError(step, err)
	}
	body, err := c.read(resp)
	if err != nil {
		return nil, c.badResponse(step, "the userinfo response cannot be read: "+err.Error())
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.httpFailure(step, resp, body)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
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
			info.ID = v.String()
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
