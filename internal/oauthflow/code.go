package oauthflow

import (
	"context"
	"net/url"

	"github.com/connectorkit/connector"
)

// ExchangeCode trades an authorization code that did not arrive through a
// callback this engine checks, such as the code a native app receives from
// Sign in with Apple on iOS, at the token endpoint, with the client
// authentication and extra token parameters. It runs none of the checks of
// [Engine.CheckCallback]: the caller has checked what came with the code
// (Apple's signed id_token and nonce). redirectURI is sent only when set (a
// native app's code was issued without one); no PKCE verifier is sent.
// Failures are those of [Engine.Exchange].
func (e *Engine) ExchangeCode(ctx context.Context, code, redirectURI string) (*Token, error) {
	if code == "" {
		return nil, e.errorf(connector.CodeInvalidRequestParameters, connector.StepTokenExchange, "authorization code is empty")
	}
	form := make(url.Values, 6+len(e.tokenParams))
	for k, v := range e.tokenParams {
		form[k] = v
	}
	form["grant_type"] = []string{"authorization_code"}
	form["code"] = []string{code}
	if redirectURI != "" {
		form["redirect_uri"] = []string{redirectURI}
	}
	return e.tokenRequest(ctx, connector.StepTokenExchange, form, code)
}
