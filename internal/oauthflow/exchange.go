package oauthflow

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/netguard"
)

// assertionLifetime is how long a client_secret_jwt assertion is valid.
const assertionLifetime = 5 * time.Minute

// Exchange finishes the callback: it reports a provider error parameter
// (error=access_denied...) as authorization_failed, compares the callback's
// state with the flow's in constant time (state_mismatch), requires a code,
// and exchanges it at the token endpoint with the flow's redirect URI and
// PKCE verifier.
//
// Token endpoint failures keep the provider's status and error fields:
// invalid_grant is social_auth_code_invalid, 429 is rate_limit_exceeded with
// Retry-After, 5xx and transport failures are retryable general errors, an
// unreadable or oversized answer is invalid_response, and an answer without
// an access token is social_auth_code_invalid.
func (e *Engine) Exchange(ctx context.Context, cb connector.Callback) (*Token, error) {
	if err := e.CheckCallback(cb); err != nil {
		return nil, err
	}
	code := cb.Params.Get("code")
	if cb.Flow.RedirectURI == "" {
		return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepCallback, "flow state has no redirect URI")
	}
	if e.pkce && cb.Flow.CodeVerifier == "" {
		return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepCallback, "flow state has no PKCE code verifier")
	}
	form := make(url.Values, 8+len(e.tokenParams))
	for k, v := range e.tokenParams {
		form[k] = v
	}
	form["grant_type"] = []string{"authorization_code"}
	form["code"] = []string{code}
	form["redirect_uri"] = []string{cb.Flow.RedirectURI}
	if cb.Flow.CodeVerifier != "" {
		form["code_verifier"] = []string{cb.Flow.CodeVerifier}
	}
	return e.tokenRequest(ctx, connector.StepTokenExchange, form, code, cb.Flow.CodeVerifier)
}

// CheckCallback runs the callback checks of [Engine.Exchange] without the
// token request, in this order: no parameter the flow reads is repeated
// (RFC 6749 §3.1; invalid_request_parameters); the flow state has a state
// and the callback's state equals it (constant time; state_mismatch); with
// an issuer configured, the callback's iss parameter equals it, and is
// present when the provider promised it (RFC 9207, the mix-up defence;
// invalid_request_parameters); only then is a provider error parameter
// believed (authorization_failed, with
// the provider's text cleaned of control characters); and a code is
// present. Checking the state before the error means nobody but the
// provider can end a user's sign-in with a message of their choosing.
// Connectors whose callback carries more (Apple's id_token) call it first.
func (e *Engine) CheckCallback(cb connector.Callback) error {
	if err := e.checkRepeated(cb.Params); err != nil {
		return err
	}
	if cb.Flow.State == "" {
		return e.errorf(connector.CodeStateMismatch, connector.StepCallback, "flow state has no state value: the flow was not started by AuthorizationURL or its state was lost")
	}
	got := cb.Params.Get("state")
	if got == "" {
		return e.errorf(connector.CodeStateMismatch, connector.StepCallback, "callback has no state parameter")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(cb.Flow.State)) != 1 {
		return e.errorf(connector.CodeStateMismatch, connector.StepCallback, "callback state does not match the flow state (possible cross-site request forgery)")
	}
	if err := e.checkIssuer(cb.Params); err != nil {
		return err
	}
	if pe := cb.Params.Get("error"); pe != "" {
		err := e.errorf(connector.CodeAuthorizationFailed, connector.StepCallback, "the provider reported an authorization error")
		err.ProviderCode = redact.Clean(pe)
		err.ProviderMessage = redact.Clean(cb.Params.Get("error_description"))
		if u := redact.Clean(cb.Params.Get("error_uri")); u != "" {
			err.ProviderDetails = map[string]string{"error_uri": u}
		}
		return err
	}
	if cb.Params.Get("code") == "" {
		return e.errorf(connector.CodeAuthorizationFailed, connector.StepCallback, "callback has no authorization code")
	}
	return nil
}

// checkIssuer applies RFC 9207 to a callback whose state has been
// checked: an iss parameter must be the configured issuer, exactly; a
// provider that advertises the parameter must send it. An answer from
// another authorization server (a mix-up attack) ends here, before its
// code or error is used.
func (e *Engine) checkIssuer(params url.Values) error {
	if e.issuer == "" {
		return nil
	}
	got, present := params["iss"]
	if !present {
		if e.requireIss {
			return e.errorf(connector.CodeInvalidRequestParameters, connector.StepCallback,
				"callback has no iss parameter, which the provider promises (RFC 9207): the answer may come from another authorization server")
		}
		return nil
	}
	if len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), []byte(e.issuer)) != 1 {
		v := ""
		if len(got) > 0 {
			v = got[0]
		}
		if len(v) > 100 {
			v = v[:100] + "..."
		}
		return e.errorf(connector.CodeInvalidRequestParameters, connector.StepCallback,
			fmt.Sprintf("callback iss %q is not the issuer %q (RFC 9207): the answer comes from another authorization server (possible mix-up attack)",
				redact.Clean(strings.ToValidUTF8(v, "")), e.issuer))
	}
	return nil
}

// singleParams are the callback parameters a flow reads: each may appear
// at most once (RFC 6749 §3.1: "Request and response parameters MUST NOT
// be included more than once").
var singleParams = []string{"state", "code", "error", "error_description", "error_uri", "id_token", "iss", "user"}

// checkRepeated refuses a callback that repeats a parameter the flow reads:
// two states or two codes leave it to chance which one is checked and
// which one is used.
func (e *Engine) checkRepeated(params url.Values) error {
	for _, name := range singleParams {
		if len(params[name]) > 1 {
			return e.errorf(connector.CodeInvalidRequestParameters, connector.StepCallback,
				"callback repeats the "+name+" parameter ("+fmt.Sprint(len(params[name]))+" values); each may appear once")
		}
	}
	return nil
}

// Refresh trades a refresh token for new tokens (grant_type=refresh_token,
// with the client authentication and extra token parameters). When the
// provider does not rotate the refresh token, the one given is kept in the
// result. A refused refresh token (invalid_grant) is
// social_invalid_access_token: the user must sign in again.
func (e *Engine) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	if refreshToken == "" {
		return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepRefresh, "refresh token is empty")
	}
	form := make(url.Values, 6+len(e.tokenParams))
	for k, v := range e.tokenParams {
		form[k] = v
	}
	form["grant_type"] = []string{"refresh_token"}
	form["refresh_token"] = []string{refreshToken}
	tok, err := e.tokenRequest(ctx, connector.StepRefresh, form, refreshToken)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	return &tok.Tokens, nil
}

// httpClient returns the HTTP client for a request: the one in ctx under
// oauth2.HTTPClient, else the injected one.
func (e *Engine) httpClient(ctx context.Context) *http.Client {
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
		return noRedirects(c)
	}
	return e.client
}

// clientAuth adds the client authentication of the configured method to
// form, and returns the Authorization header to send (client_secret_basic)
// and the sensitive values sent, to be scrubbed from errors.
func (e *Engine) clientAuth(ctx context.Context, step connector.Step, form url.Values) (header string, sent []string, err error) {
	secret := e.secret
	if e.secretFunc != nil && e.method != AuthNone {
		s, err := e.secretFunc(ctx)
		if err != nil {
			return "", nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step,
				Message: "cannot obtain the client secret", Err: err}
		}
		secret = s
	}
	switch e.method {
	case AuthClientSecretPost:
		form["client_id"] = []string{e.clientID}
		if secret != "" {
			form["client_secret"] = []string{secret.Reveal()}
		}
	case AuthClientSecretBasic:
		header = e.basicAuth
		if header == "" {
			header = basicAuth(e.clientID, secret)
		}
	case AuthClientSecretJWT:
		a, err := e.clientAssertion(secret)
		if err != nil {
			return "", nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step,
				Message: "cannot sign the client_secret_jwt assertion", Err: err}
		}
		form["client_id"] = []string{e.clientID}
		form["client_assertion_type"] = []string{clientAssertionType}
		form["client_assertion"] = []string{a}
		sent = append(sent, a)
	case AuthNone:
		form["client_id"] = []string{e.clientID}
	}
	if secret != e.secret {
		sent = append(sent, secret.Reveal())
	}
	return header, sent, nil
}

// post sends form, with client authentication, to target and returns the
// body of a 2xx answer. Transport failures, unreadable bodies and non-2xx
// answers come back as errors; secrets (and what the client authentication
// sent) are scrubbed from anything the provider echoes into one.
func (e *Engine) post(ctx context.Context, step connector.Step, endpoint, target string, form url.Values, secrets []string) (*http.Response, []byte, []string, error) {
	header, sent, err := e.clientAuth(ctx, step, form)
	if err != nil {
		return nil, nil, nil, err
	}
	secrets = append(secrets, sent...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step, Message: "cannot build the " + endpoint + " request", Err: err}
	}
	// The client never follows redirects (see noRedirects); without
	// GetBody net/http could not resend the form on a 307 or 308 either.
	req.GetBody = nil
	req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	if e.format == FormatForm && endpoint == "token" {
		req.Header["Accept"] = []string{"application/x-www-form-urlencoded"}
	} else {
		req.Header["Accept"] = []string{"application/json"}
	}
	if header != "" {
		req.Header["Authorization"] = []string{header}
		if header != e.basicAuth {
			secrets = append(secrets, redact.BasicCredentials(header))
		}
	}
	resp, err := e.httpClient(ctx).Do(req)
	if err != nil {
		return nil, nil, nil, e.transportError(ctx, step, endpoint, err)
	}
	if err := e.refuseRedirect(step, endpoint, resp); err != nil {
		return nil, nil, nil, err
	}
	body, err := readBody(resp, e.maxBody)
	if err != nil {
		return nil, nil, nil, e.readError(ctx, step, endpoint, resp, err, secrets)
	}
	body = trimBOM(body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, nil, e.statusError(step, endpoint, resp, body, secrets)
	}
	return resp, body, secrets, nil
}

// tokenRequest posts form to the token endpoint and judges the answer.
// secrets are the request's sensitive values (code, verifier, refresh
// token), scrubbed from anything the provider echoes into an error.
func (e *Engine) tokenRequest(ctx context.Context, step connector.Step, form url.Values, secrets ...string) (*Token, error) {
	resp, body, secrets, err := e.post(ctx, step, "token", e.tokenURL, form, secrets)
	if err != nil {
		return nil, err
	}
	tr, failure := e.parseToken(body, resp.Header.Get("Content-Type"))
	if failure != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: step,
			Status: resp.StatusCode, Message: failure.msg}
	}
	if tr.errCode != "" {
		// Some providers answer 200 with an OAuth error body.
		return nil, e.providerFailure(step, "token", resp, tr.errCode, tr.errDesc, detailsOf("error_uri", tr.errURI), secrets)
	}
	if tr.tok.AccessToken == "" {
		if step == connector.StepRefresh {
			return nil, e.errorf(connector.CodeInvalidResponse, step, "token response has no access_token")
		}
		return nil, e.errorf(connector.CodeSocialAuthCodeInvalid, step, "token response has no access_token")
	}
	switch {
	case tr.tok.TokenType == "":
		tr.tok.TokenType = "Bearer"
	case !strings.EqualFold(strings.TrimSpace(tr.tok.TokenType), "bearer"):
		// A mac or DPoP token is not a bearer token: sending it as one
		// would fail at best, and leak it to a resource that expects a
		// proof of possession at worst.
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: step, Status: resp.StatusCode,
			Message: fmt.Sprintf("token response has token_type %q; only Bearer tokens are supported", redact.Clean(tr.tok.TokenType))}
	}
	tr.tok.Expiry = e.expiry(tr.expiresIn)
	if e.log.Enabled(ctx, slog.LevelDebug) {
		e.log.DebugContext(ctx, "oauth token request succeeded", stepAttr(step), "status", resp.StatusCode,
			"refresh_token", tr.tok.RefreshToken != "", "id_token", tr.tok.IDToken != "")
	}
	return &tr.tok, nil
}

// RevokeArgumentProblem says why no revocation can be made with token and
// hint ("" when one can): the rule of [Engine.Revoke], for a connector
// that checks its arguments before any request of its own. It never quotes
// the hint: a token passed as the hint by mistake would be.
func RevokeArgumentProblem(token, hint string) string {
	switch {
	case token == "":
		return "token is empty"
	case hint != "" && hint != "access_token" && hint != "refresh_token":
		return "token type hint must be access_token, refresh_token or empty"
	}
	return ""
}

// Revoke revokes a token at the RFC 7009 revocation endpoint, with the
// client authentication. hint is "access_token", "refresh_token" or empty.
// A 2xx answer is success (RFC 7009 answers 200 for an unknown token too);
// failures are mapped like token endpoint failures, 503 retryable.
func (e *Engine) Revoke(ctx context.Context, token, hint string) error {
	const step = connector.StepRevoke
	if e.revokeURL == "" {
		return e.errorf(connector.CodeNotImplemented, step, "this connector has no revocation endpoint")
	}
	if msg := RevokeArgumentProblem(token, hint); msg != "" {
		return e.errorf(connector.CodeInvalidRequestParameters, step, msg)
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form["token_type_hint"] = []string{hint}
	}
	_, _, _, err := e.post(ctx, step, "revocation", e.revokeURL, form, []string{token})
	return err
}

// parseToken picks the format (configured, else by Content-Type, else by
// the first byte) and parses body.
func (e *Engine) parseToken(body []byte, contentType string) (*tokenResponse, *parseFailure) {
	first := firstByte(body)
	switch e.format {
	case FormatJSON:
		tr, f := parseTokenJSON(body)
		if f != nil && first != '{' && first != '<' && strings.Contains(string(body), "=") {
			f.msg += " (it looks form-encoded: set the token response format to form/query-string)"
		}
		return tr, f
	case FormatForm:
		if first == '{' && jsonx.Valid(body) {
			return nil, &parseFailure{"token response is JSON but the token response format is set to form/query-string: set it to json or leave it unset"}
		}
		if first == '<' {
			return nil, &parseFailure{"token response is HTML, not a token response"}
		}
		return parseTokenForm(body)
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "application/json") || hasSuffixFold(mt, "+json"):
		return parseTokenJSON(body)
	case first == '{' || first == '[':
		return parseTokenJSON(body)
	case first == '<' || strings.EqualFold(mt, "text/html"):
		return nil, &parseFailure{"token response is HTML, not a token response"}
	case first == 0:
		return nil, &parseFailure{"token response is empty"}
	}
	return parseTokenForm(body)
}

// clientAssertion signs a fresh client_secret_jwt assertion with secret.
func (e *Engine) clientAssertion(secret connector.Secret) (string, error) {
	now := e.now()
	claims := jwt.MapClaims{
		"iss": e.clientID,
		"sub": e.clientID,
		"aud": e.tokenURL,
		"jti": randomString(16),
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	}
	return jwt.NewWithClaims(e.jwtMethod, claims).SignedString([]byte(secret.Reveal()))
}

// readBody reads a response body with the cap, allocating once when the
// length is known.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, httpx.ErrBodyTooLarge
	}
	if resp.ContentLength > 0 {
		b := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			return nil, err
		}
		// Read to EOF so the connection can be reused; a body longer than
		// its Content-Length is refused.
		var one [1]byte
		if n, _ := resp.Body.Read(one[:]); n > 0 {
			return nil, httpx.ErrBodyTooLarge
		}
		return b, nil
	}
	return httpx.ReadBody(resp.Body, max)
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// trimBOM drops a UTF-8 byte order mark, which JSON parsers refuse.
func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// transportError maps a failed round trip: the caller's cancellation is not
// retryable, a deadline or network failure is.
func (e *Engine) transportError(ctx context.Context, step connector.Step, endpoint string, err error) *connector.Error {
	ce := &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step, Err: err, Retryable: true}
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress):
		// The host's guard refused where the endpoint resolves: a config
		// problem, and no retry will change it.
		ce.Code, ce.Retryable = connector.CodeInvalidConfig, false
		ce.Message = "the " + endpoint + " endpoint resolves to an address the HTTP client's guard refuses (netguard)"
	case errors.Is(err, context.Canceled):
		ce.Message, ce.Retryable = "the "+endpoint+" request was canceled", false
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		ce.Message = "the " + endpoint + " endpoint did not answer in time"
	default:
		ce.Message = "the " + endpoint + " request failed"
	}
	e.log.DebugContext(ctx, "oauth request failed", stepAttr(step), "endpoint", endpoint, "error", err.Error())
	return ce
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// readError maps a body that could not be read: too large, or cut by a
// deadline or network failure.
func (e *Engine) readError(ctx context.Context, step connector.Step, endpoint string, resp *http.Response, err error, secrets []string) *connector.Error {
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			// The status says enough; the oversized body is dropped.
			ce := e.statusError(step, endpoint, resp, nil, secrets)
			ce.Err = httpx.ErrBodyTooLarge
			return ce
		}
		return &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: step, Status: resp.StatusCode,
			Message: "the " + endpoint + " response body is larger than the limit", Err: httpx.ErrBodyTooLarge}
	}
	ce := e.transportError(ctx, step, endpoint, err)
	ce.Status = resp.StatusCode
	return ce
}

// refuseRedirect reports a 3xx answer as invalid_response naming the status
// and the Location's host, never following it and never reading its body
// (which may come from wherever it points).
func (e *Engine) refuseRedirect(step connector.Step, endpoint string, resp *http.Response) *connector.Error {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil
	}
	resp.Body.Close()
	msg := fmt.Sprintf("the %s endpoint answered with a redirect (%d)", endpoint, resp.StatusCode)
	if loc := resp.Header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil && u.Host != "" {
			msg += " to " + redact.Clean(u.Host)
		}
	}
	msg += "; redirects are not followed: configure the endpoint's final URL"
	e.log.Debug("oauth endpoint redirected", stepAttr(step), "endpoint", endpoint, "status", resp.StatusCode)
	return &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: step, Status: resp.StatusCode, Message: msg}
}
