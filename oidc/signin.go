package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
)

// verifiedFlags are the standard boolean claims read as providers send
// them: true or "true" is true, false or "false" false, and any other
// value is left out (never verified).
var verifiedFlags = []string{"email_verified", "phone_number_verified"}

// signIn is the id_token step (an [oauthflow.IDTokenFunc]): the callback's
// state, iss, provider error and code have been checked.
func (p *provider) signIn(ctx context.Context, cb connector.Callback, exchange func(context.Context) (*oauthflow.Token, error)) (*connector.UserInfo, error) {
	if cb.Flow.Nonce == "" {
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Step: connector.StepCallback,
			Message: "flow state has no nonce: the flow was not started by this connector's AuthorizationURL, or its nonce was lost"}
	}
	tok, err := exchange(ctx)
	if err != nil {
		return nil, err
	}
	if tok.IDToken == "" {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepTokenExchange,
			Message: "token response has no id_token: the provider did not treat the request as OpenID Connect (is openid among the scopes it granted?)"}
	}
	claims, err := p.verifier.Verify(ctx, tok.IDToken, idtoken.VerifyOptions{Nonce: cb.Flow.Nonce, AccessToken: tok.AccessToken})
	if err != nil {
		return nil, err
	}
	mapClaims := func(userinfo []byte) (*connector.UserInfo, error) {
		doc, err := mergeClaims(claims, userinfo)
		if err != nil {
			return nil, err
		}
		return p.c.mapper.Apply(doc)
	}
	if !p.userInfo {
		return mapClaims(nil)
	}
	// The userinfo document is read once, by mergeClaims's decoder.
	return p.social.Engine().MapUserInfo(ctx, tok.AccessToken, mapClaims)
}

// mergeClaims returns the id_token's claims overlaid with the userinfo
// document's (when there is one), whose sub must be the id_token's
// (OpenID Connect Core §5.3.2), with the standard verified flags read as
// booleans. The result is one JSON object with its members sorted.
func mergeClaims(claims *idtoken.Claims, userinfo []byte) ([]byte, error) {
	var merged map[string]jsontext.Value
	if err := jsonx.Unmarshal(claims.Raw, &merged); err != nil {
		return nil, &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken,
			Message: "the id_token's claims cannot be read", Err: err}
	}
	if userinfo != nil {
		var members map[string]jsontext.Value
		if err := jsonx.Unmarshal(userinfo, &members); err != nil || members == nil {
			msg := "the userinfo response is not a JSON object"
			var pr *jsonx.Problem
			if errors.As(err, &pr) {
				msg = "the userinfo response " + pr.Error()
			}
			return nil, oauthflow.ProfileError(msg)
		}
		var sub string
		if raw, ok := members["sub"]; !ok || jsonx.Unmarshal(raw, &sub) != nil {
			return nil, oauthflow.ProfileError("sub: the userinfo response has no sub string (OpenID Connect Core 5.3.2)")
		}
		if subtle.ConstantTimeCompare([]byte(sub), []byte(claims.Subject)) != 1 {
			return nil, oauthflow.ProfileError("sub: the userinfo response is about another user than the id_token (" +
				quote(sub) + ", not " + quote(claims.Subject) + "); it must not be used (OpenID Connect Core 5.3.2)")
		}
		for k, v := range members {
			merged[k] = v
		}
	}
	for _, name := range verifiedFlags {
		v, ok := merged[name]
		if !ok {
			continue
		}
		switch string(v) {
		case "true", `"true"`:
			merged[name] = jsontext.Value("true")
		case "false", `"false"`, "null":
			merged[name] = jsontext.Value("false")
		default:
			delete(merged, name)
		}
	}
	doc, err := json.Marshal(merged)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepIDToken,
			Message: "the claims cannot be merged", Err: err}
	}
	return doc, nil
}

// Refresh implements [connector.Refresher]. An id_token in the answer is
// verified (signature, iss, aud, exp, at_hash; no nonce is expected); use
// [Connector.RefreshUser] to also require that it is still the same user.
func (c *Connector) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return c.refresh(ctx, refreshToken, "")
}

// RefreshUser is [Connector.Refresh] for the user whose ID (the id_token's
// sub, the [connector.UserInfo] ID) the host holds: an id_token in the
// answer must be about that user (OpenID Connect Core §12.2), or the
// refresh fails with social_invalid_id_token.
func (c *Connector) RefreshUser(ctx context.Context, refreshToken, userID string) (*connector.Tokens, error) {
	if userID == "" {
		return nil, c.badArgument(connector.StepRefresh, "user ID is empty")
	}
	return c.refresh(ctx, refreshToken, userID)
}

func (c *Connector) refresh(ctx context.Context, refreshToken, userID string) (*connector.Tokens, error) {
	if refreshToken == "" {
		// Refused before the discovery document is read, like every
		// argument a call cannot be made with.
		return nil, c.badArgument(connector.StepRefresh, "refresh token is empty")
	}
	p, err := c.provider(ctx, connector.StepRefresh)
	if err != nil {
		return nil, err
	}
	tok, err := p.social.Refresh(ctx, refreshToken)
	if err != nil {
		return nil, err
	}
	if tok.IDToken == "" {
		return tok, nil
	}
	claims, err := p.verifier.Verify(ctx, tok.IDToken, idtoken.VerifyOptions{SkipNonce: true, AccessToken: tok.AccessToken})
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) {
			cp := *ce
			cp.Step = connector.StepRefresh
			cp.Message += " (in the refresh response's id_token)"
			return nil, &cp
		}
		return nil, err
	}
	if userID != "" && subtle.ConstantTimeCompare([]byte(claims.Subject), []byte(userID)) != 1 {
		return nil, &connector.Error{Code: connector.CodeSocialInvalidIDToken, Connector: c.id, Step: connector.StepRefresh,
			Message: "sub: the refresh response's id_token is about another user (" + quote(claims.Subject) + ", not " + quote(userID) + ")"}
	}
	return tok, nil
}

// Revoke implements [connector.Revoker] (RFC 7009) when the provider has
// a revocation endpoint (revocation_endpoint in its discovery document, or
// revocationEndpoint); otherwise it fails with not_implemented. hint is
// "refresh_token", "access_token" or empty.
func (c *Connector) Revoke(ctx context.Context, token, hint string) error {
	// The engine's argument rule, applied before the discovery document
	// is read.
	if msg := oauthflow.RevokeArgumentProblem(token, hint); msg != "" {
		return c.badArgument(connector.StepRevoke, msg)
	}
	p, err := c.provider(ctx, connector.StepRevoke)
	if err != nil {
		return err
	}
	if !p.revocation {
		return &connector.Error{Code: connector.CodeNotImplemented, Connector: c.id, Step: connector.StepRevoke,
			Message: "the provider has no revocation endpoint (none in its discovery document or the config)"}
	}
	if err := p.social.Engine().Revoke(ctx, token, hint); err != nil {
		return kit.Attribute(err, c.id)
	}
	return nil
}

// badArgument is the invalid_request_parameters error of a call made with
// an argument it cannot be made with; no request is sent.
func (c *Connector) badArgument(step connector.Step, msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: c.id, Step: step, Message: msg}
}
