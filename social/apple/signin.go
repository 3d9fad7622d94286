package apple

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/kit"
)

// signIn is the connector's id_token step (an [oauthflow.IDTokenFunc]): the
// callback's state, provider error and code have been checked. It verifies
// the id_token Apple posted against the flow's nonce; with the client
// secret it exchanges the code and checks the token response's id_token
// too; and it maps the claims, with the name from the user form field.
func (c *core) signIn(ctx context.Context, cb connector.Callback, exchange func(context.Context) (*oauthflow.Token, error)) (*connector.UserInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	raw := cb.Params.Get("id_token")
	if raw == "" {
		return nil, &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken,
			Message: "id_token: the callback has none; Apple posts it with the code (response_mode form_post): " +
				"pass the POST form (r.PostForm), not the URL query, as the callback parameters"}
	}
	if cb.Flow.Nonce == "" {
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Step: connector.StepCallback,
			Message: "flow state has no nonce: the flow was not started by this connector's AuthorizationURL, or its nonce was lost"}
	}
	claims, err := c.verifier.Verify(ctx, raw, idtoken.VerifyOptions{Nonce: cb.Flow.Nonce})
	if err != nil {
		return nil, err
	}
	// OpenID Connect Core §3.3.2.11: the code came with the token, whose
	// c_hash binds them.
	if ch := claims.CodeHash; ch != "" && subtle.ConstantTimeCompare([]byte(ch), []byte(codeHash(cb.Params.Get("code")))) != 1 {
		return nil, invalidIDToken("c_hash: does not match the callback's code")
	}
	if c.engines != nil {
		tok, err := exchange(ctx)
		if err != nil {
			return nil, clientRefused(err)
		}
		if err := c.checkTokenResponse(ctx, tok, claims, cb.Flow.Nonce, false); err != nil {
			return nil, err
		}
	}
	info := c.userInfo(claims)
	info.Name = c.userName(ctx, cb.Params.Get("user"))
	return info, nil
}

// checkTokenResponse verifies the id_token of a token response: signed by
// Apple for an accepted audience like the first, for the same user, and,
// when it carries a nonce, the flow's (Apple may leave it out there).
func (c *core) checkTokenResponse(ctx context.Context, tok *oauthflow.Token, first *idtoken.Claims, nonce string, hashed bool) error {
	if tok.IDToken == "" {
		return &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepTokenExchange,
			Message: "token response has no id_token"}
	}
	claims, err := c.verifier.Verify(ctx, tok.IDToken, idtoken.VerifyOptions{SkipNonce: true, AccessToken: tok.AccessToken})
	var ce *connector.Error
	switch {
	case errors.As(err, &ce):
		cp := *ce
		cp.Message += " (in the token response's id_token)"
		return &cp
	case err != nil:
		return err
	case claims.Nonce != "" && !nonceMatches(claims.Nonce, nonce, hashed):
		return invalidIDToken("nonce: the token response's id_token carries another nonce than the flow's")
	case subtle.ConstantTimeCompare([]byte(claims.Subject), []byte(first.Subject)) != 1:
		return invalidIDToken("sub: the token response's id_token is for another user than the callback's")
	}
	return nil
}

// codeHash is the c_hash of code for RS256: the base64url of the left
// half of its SHA-256.
func codeHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// nonceMatches compares a token's nonce with the expected one (constant
// time), or, when hashed, with its lower-case hex SHA-256 too.
func nonceMatches(got, want string, hashed bool) bool {
	ok := subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
	if hashed {
		sum := sha256.Sum256([]byte(want))
		ok = subtle.ConstantTimeCompare([]byte(got), []byte(hex.EncodeToString(sum[:]))) == 1 || ok
	}
	return ok
}

// canceled is the error of a sign-in whose context ended before it began.
func canceled(err error) *connector.Error {
	return &connector.Error{Code: connector.CodeGeneral, Step: connector.StepIDToken,
		Message: "the request was canceled before the id_token was verified", Err: err,
		Retryable: errors.Is(err, context.DeadlineExceeded)}
}

func invalidIDToken(msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken, Message: msg}
}

// userInfo maps verified claims: the ID is sub; the email comes from the
// signed token alone, verified when email_verified is true or "true", a
// private relay address when is_private_email says so or the address is
// at privaterelay.appleid.com; Raw is the claims (real_user_status
// included), never the token.
func (c *core) userInfo(claims *idtoken.Claims) *connector.UserInfo {
	info := &connector.UserInfo{ID: claims.Subject, Raw: bytes.Clone(claims.Raw)}
	if claims.Email != "" {
		info.Email = claims.Email
		info.EmailVerified = claims.EmailVerified
		private, _ := claims.Bool("is_private_email")
		info.PrivateEmail = private || isPrivateRelay(claims.Email)
	}
	return info
}

// isPrivateRelay reports whether email is a "Hide My Email" address.
func isPrivateRelay(email string) bool {
	_, domain, ok := strings.Cut(email, "@")
	return ok && strings.EqualFold(domain, privateRelayDomain)
}

// userName reads the name from the user form field Apple posts at a
// user's first authorization: {"name":{"firstName","lastName"},"email"}.
// The field is not signed: only the name is read from it (a user chooses
// their name at Apple anyway), never the email. A field that is not such
// JSON is ignored and logged (without its content).
func (c *core) userName(ctx context.Context, user string) string {
	if user == "" {
		return ""
	}
	name, err := parseUserName(user)
	if err != nil {
		// The reason is one of parseUserName's fixed texts: nothing of
		// the field is logged.
		c.log.WarnContext(ctx, "the user form field is ignored", "reason", err.Error(), "bytes", len(user))
	}
	return name
}

// maxUserField bounds the user form field: Apple's is a few hundred bytes.
const maxUserField = 8 << 10

// Why a user form field is ignored: fixed texts, safe to log.
var (
	errUserTooLong   = errors.New("it is longer than 8 KiB")
	errUserNotObject = errors.New("it is not a JSON object (or names a member twice)")
	errUserShape     = errors.New("its name is not Apple's {\"firstName\",\"lastName\"} strings")
)

// parseUserName returns "firstName lastName" from Apple's user JSON,
// cleaned of control and bidirectional-formatting characters.
func parseUserName(user string) (string, error) {
	if len(user) > maxUserField {
		return "", errUserTooLong
	}
	var u struct {
		Name *struct {
			FirstName *string `json:"firstName"`
			LastName  *string `json:"lastName"`
		} `json:"name"`
	}
	if err := jsonx.CheckObject([]byte(user)); err != nil {
		// jsonx's problems may name a member: the field's content.
		return "", errUserNotObject
	}
	if err := jsonx.Unmarshal([]byte(user), &u); err != nil {
		return "", errUserShape
	}
	if u.Name == nil {
		return "", nil
	}
	var parts []string
	for _, p := range []*string{u.Name.FirstName, u.Name.LastName} {
		if p != nil {
			if s := redact.Clean(*p); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " "), nil
}

// Native is what an iOS, iPadOS, macOS or watchOS app that signed the user
// in with Apple (AuthenticationServices) hands its server, for
// [Connector.VerifyNative]. Its fmt output hides the token and the code.
type Native struct {
	// IDToken is the credential's identityToken (as UTF-8 text).
	IDToken string
	// Nonce is the nonce the app generated for the request, raw: the app
	// sent it to Apple as is, or as its SHA-256 in lower-case hex, as
	// Apple's guidance says; both are accepted. Required: a token without
	// the app's nonce could be a replayed one.
	Nonce string
	// Code is the credential's authorizationCode, optional. With the
	// client secret's key (teamId, keyId, privateKey) it is exchanged, for
	// the refresh token to revoke when the user deletes their account.
	Code string
	// WantTokens asks for the tokens of the code exchange in
	// [connector.UserInfo.Tokens].
	WantTokens bool
}

// String describes n without its token, code or nonce.
func (n Native) String() string {
	set := func(s string) string {
		if s == "" {
			return `""`
		}
		return "[REDACTED]"
	}
	return fmt.Sprintf("apple.Native{IDToken:%s Nonce:%s Code:%s WantTokens:%t}", set(n.IDToken), set(n.Nonce), set(n.Code), n.WantTokens)
}

// GoString is like String.
func (n Native) GoString() string { return n.String() }

// Format writes String (GoString for %#v) whatever the verb.
func (n Native) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, n.GoString())
		return
	}
	_, _ = io.WriteString(f, n.String())
}

// VerifyNative signs in a user whose app signed in with Apple on the
// device: the id_token is verified by the rules of the web flow (RS256 with
// Apple's keys, iss, aud among clientId and audiences, exp, iat, nbf, sub),
// with the app's nonce, raw or SHA-256 hex. With a code and the client
// secret's key, the code is exchanged with the client ID the token was
// issued to (the app's bundle ID, one of audiences), and the token
// response's id_token must name the same user. The name is not in the
// token: the app reads it from the credential at the first sign-in.
//
// A code without the client secret's key is refused (not_implemented)
// before any request.
func (c *Connector) VerifyNative(ctx context.Context, n Native) (*connector.UserInfo, error) {
	info, err := c.core.native(ctx, n)
	if err != nil {
		return nil, kit.Attribute(err, c.core.id)
	}
	if c.core.log.Enabled(ctx, slog.LevelDebug) {
		c.core.log.DebugContext(ctx, "native sign-in succeeded", "email", info.Email != "", "email_verified", info.EmailVerified,
			"code", n.Code != "")
	}
	return info, nil
}

func (c *core) native(ctx context.Context, n Native) (*connector.UserInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	switch {
	case n.IDToken == "":
		return nil, invalidIDToken("id_token: empty: pass the identityToken of the app's Apple ID credential")
	case n.Nonce == "":
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Step: connector.StepIDToken,
			Message: "nonce: required: pass the nonce the app generated for this sign-in"}
	case n.Code != "" && c.engines == nil:
		return nil, c.noSecret(connector.StepTokenExchange, "exchanging the app's code")
	}
	claims, err := c.verifier.Verify(ctx, n.IDToken, idtoken.VerifyOptions{Nonce: n.Nonce, NonceHashed: true})
	if err != nil {
		return nil, err
	}
	info := c.userInfo(claims)
	if n.Code == "" {
		return info, nil
	}
	e := c.engines[issuedTo(claims)]
	tok, err := e.ExchangeCode(ctx, n.Code, "")
	if err != nil {
		return nil, clientRefused(err)
	}
	if err := c.checkTokenResponse(ctx, tok, claims, n.Nonce, true); err != nil {
		return nil, err
	}
	if n.WantTokens {
		t := tok.Tokens
		info.Tokens = &t
	}
	return info, nil
}

// issuedTo is the client a verified token was issued to: azp when set,
// else its (accepted) audience.
func issuedTo(claims *idtoken.Claims) string {
	if claims.AuthorizedParty != "" {
		return claims.AuthorizedParty
	}
	return claims.Audience[0] // one value: several need azp
}

// clientRefused turns Apple's invalid_client, which is how Apple refuses a
// client secret (the wrong team, key or client ID), into invalid_config
// saying what to check; other errors are returned as they are.
func clientRefused(err error) error {
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.ProviderCode != "invalid_client" {
		return err
	}
	cp := *ce
	cp.Code, cp.Retryable = connector.CodeInvalidConfig, false
	cp.Message += ": Apple refused the client secret or client ID: check teamId, keyId and privateKey " +
		"(a key with Sign in with Apple enabled, of the team that owns clientId), and that clientId is the Services ID (or bundle ID) the code was issued to"
	return &cp
}

// noSecret is the error of an operation that needs the client secret.
func (c *core) noSecret(step connector.Step, what string) *connector.Error {
	return &connector.Error{Code: connector.CodeNotImplemented, Step: step,
		Message: what + " needs Apple's client secret: set teamId, keyId and privateKey in the config"}
}

// engine returns the token endpoint client of clientID.
func (c *core) engine(clientID string, step connector.Step, what string) (*oauthflow.Engine, error) {
	if c.engines == nil {
		return nil, c.noSecret(step, what)
	}
	e := c.engines[clientID]
	if e == nil {
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Step: step,
			Message: "client ID " + fmt.Sprintf("%q", redact.Clean(clientID)) + " is neither clientId nor one of audiences"}
	}
	return e, nil
}

// Refresh implements [connector.Refresher] for tokens issued to clientId
// (the web flow's); see [Connector.RefreshFor] for an app's.
func (c *Connector) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return c.RefreshFor(ctx, c.core.clientID, refreshToken)
}

// RefreshFor refreshes tokens issued to clientID: clientId, or one of
// audiences for the tokens of an app's code ([Connector.VerifyNative]).
// Apple lets a client refresh at most about once a day.
func (c *Connector) RefreshFor(ctx context.Context, clientID, refreshToken string) (*connector.Tokens, error) {
	e, err := c.core.engine(clientID, connector.StepRefresh, "refreshing a token")
	if err != nil {
		return nil, kit.Attribute(err, c.core.id)
	}
	tok, err := e.Refresh(ctx, refreshToken)
	if err != nil {
		return nil, clientRefused(err)
	}
	return tok, nil
}

// Revoke implements [connector.Revoker] for tokens issued to clientId:
// hosts revoke the user's refresh token when the user deletes their
// account, as App Store rules require. hint is "refresh_token",
// "access_token" or empty. See [Connector.RevokeFor] for an app's tokens.
func (c *Connector) Revoke(ctx context.Context, token, hint string) error {
	return c.RevokeFor(ctx, c.core.clientID, token, hint)
}

// RevokeFor revokes a token issued to clientID: clientId, or one of
// audiences for the tokens of an app's code ([Connector.VerifyNative]).
func (c *Connector) RevokeFor(ctx context.Context, clientID, token, hint string) error {
	e, err := c.core.engine(clientID, connector.StepRevoke, "revoking a token")
	if err != nil {
		return kit.Attribute(err, c.core.id)
	}
	if err := e.Revoke(ctx, token, hint); err != nil {
		return clientRefused(err)
	}
	c.core.log.DebugContext(ctx, "token revoked", "hint", hint)
	return nil
}
