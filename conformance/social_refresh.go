package conformance

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// Rules of the refresh checks, quoted in failure messages.
const (
	ruleRefreshKeeps = "a host stores the Tokens a refresh returns: when the provider does not issue a new " +
		"refresh token, return the one given (RFC 6749 §6), or the host loses it"
	ruleRefreshRefused = "a refresh token the provider refuses (invalid_grant) means the user must sign in " +
		"again: social_invalid_access_token"
)

// refreshChecks are the Refresh subtests, for a connector that implements
// connector.Refresher with a provider that issues refresh tokens: a
// refresh returns the provider's new tokens, and every failure of the token
// endpoint during a refresh is a typed error at the refresh step, as
// during a sign-in.
func (r *socialRun) refreshChecks(t tb) {
	switch {
	case !r.refresher:
		return
	case !r.refreshIssued:
		t.Logf("the mock issued no refresh token at sign-in: the Refresh checks do not apply")
		return
	}
	r.callChecks(t, "Refresh", "refresh", r.prepareRefresh, mockprovider.EndpointToken, refreshFailureCases(),
		namedCheck{"NewTokens", r.checkRefreshTokens},
		namedCheck{"EmptyToken", r.checkRefreshEmpty},
		namedCheck{"UnknownToken", r.checkRefreshUnknown})
}

// namedCheck is a subtest of callChecks.
type namedCheck struct {
	name  string
	check func(e *env)
}

// callChecks runs, as the group named after the call (Refresh, Revoke),
// the subtests of a call of the connector other than UserInfo: checks,
// then each failure case of ep met by the call, then the context checks.
// prepare readies one call (a sign-in first); use names it in messages.
func (r *socialRun) callChecks(t tb, call, use string, prepare func(e *env, c connector.Social) attempt,
	ep mockprovider.Endpoint, cases []failureCase, checks ...namedCheck) {
	rs := *r.suite
	rs.prepare, rs.use, rs.call = prepare, use, call
	what := call + " with the " + string(ep) + " endpoint answering "
	r.group(t, call, func(t tb) {
		for _, c := range checks {
			r.sub(t, c.name, c.check)
		}
		rs.failureChecks(t, ep, cases, func(e *env, c failureCase) {
			err := rs.checkFailure(e, ep, c, what+string(c.mode))
			if c.redirect {
				checkRedirect(e, what+"a redirect", err)
			}
		})
		rs.contextChecks(t, nil, true)
	})
}

// refreshFailureCases are the token endpoint's failure cases for a
// refresh: those of the code exchange, at the refresh step, with a refused
// grant meaning the user must sign in again.
func refreshFailureCases() []failureCase {
	var out []failureCase
	for _, c := range failureCases(mockprovider.EndpointToken) {
		if c.want.step != "" {
			c.want.step = connector.StepRefresh
		}
		switch c.mode {
		case mockprovider.InvalidGrant:
			c.want.codes, c.rule = codes(connector.CodeSocialInvalidAccessToken), ruleRefreshRefused
		case mockprovider.EmptyBody, mockprovider.MissingToken:
			c.want.codes = codes(connector.CodeInvalidResponse, connector.CodeSocialInvalidAccessToken)
		}
		out = append(out, c)
	}
	return out
}

// prepareRefresh signs in asking for tokens, and returns the refresh of
// the refresh token the sign-in returned.
func (r *socialRun) prepareRefresh(e *env, c connector.Social) attempt {
	e.t.Helper()
	rt := r.refreshToken(e, c)
	return func(ctx context.Context) error {
		_, err := r.refresh(e, c, ctx, rt)
		return err
	}
}

// tokens signs in asking for tokens and returns them, or stops the
// subtest.
func (r *socialRun) tokens(e *env, c connector.Social) *connector.Tokens {
	e.t.Helper()
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow, WantTokens: true})
	if err != nil {
		e.t.Fatalf("sign-in asking for tokens failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if info.Tokens == nil || info.Tokens.AccessToken == "" {
		e.t.Fatalf("UserInfo.Tokens has no access token though the callback asked for tokens (WantTokens true)")
	}
	return info.Tokens
}

// refreshToken signs in asking for tokens and returns the refresh token,
// or stops the subtest.
func (r *socialRun) refreshToken(e *env, c connector.Social) string {
	e.t.Helper()
	rt := r.tokens(e, c).RefreshToken
	if rt == "" {
		e.t.Fatalf("the provider issued a refresh token, but UserInfo.Tokens.RefreshToken is empty (WantTokens true)")
	}
	return rt
}

// refresh calls c's Refresh, noting the tokens for the redaction scan.
func (r *socialRun) refresh(e *env, c connector.Social, ctx context.Context, rt string) (*connector.Tokens, error) {
	rf, ok := c.(connector.Refresher)
	if !ok {
		return nil, fmt.Errorf("conformance: %T does not implement connector.Refresher", c)
	}
	tok, err := call(e, "Refresh", "tokens", func() (*connector.Tokens, error) { return rf.Refresh(ctx, rt) })
	if tok != nil {
		e.notePrint("refreshed tokens", tok)
	}
	return tok, err
}

func (r *socialRun) checkRefreshTokens(e *env) {
	c := r.mustOpen(e)
	rt := r.refreshToken(e, c)
	before := e.p.Requests(mockprovider.EndpointToken)
	tok, err := r.refresh(e, c, e.ctx, rt)
	if err != nil {
		e.t.Fatalf("Refresh with the refresh token of a sign-in failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if n := e.p.Requests(mockprovider.EndpointToken) - before; n != 1 {
		e.t.Errorf("Refresh sent %d requests to the token endpoint, want 1", n)
	}
	issued := r.mock(e).Issued()
	if tok.AccessToken == "" || tok.AccessToken != issued.AccessTokens[len(issued.AccessTokens)-1] {
		e.t.Errorf("Tokens.AccessToken is not the access token the provider issued for the refresh")
	}
	if tok.RefreshToken == "" {
		e.t.Errorf("Tokens.RefreshToken is empty after a refresh (%s)", ruleRefreshKeeps)
	}
	// The tokens the refresh returned are secrets too: the scan looks for
	// them in everything printed or logged from here on.
	e.addSecret("the access token of a refresh", tok.AccessToken)
}

func (r *socialRun) checkRefreshEmpty(e *env) {
	c := r.mustOpen(e)
	before := e.guard.count()
	_, err := r.refresh(e, c, e.ctx, "")
	e.check("Refresh with an empty refresh token", err, want{codes: codes(connector.CodeInvalidRequestParameters),
		step: connector.StepRefresh})
	if n := e.guard.count() - before; n > 0 {
		e.t.Errorf("Refresh with an empty refresh token sent %d requests: refuse it before calling the provider", n)
	}
}

func (r *socialRun) checkRefreshUnknown(e *env) {
	c := r.mustOpen(e)
	rt := "rt-never-issued-" + rand.Text()
	e.addSecret("a refresh token given to Refresh", rt)
	_, err := r.refresh(e, c, e.ctx, rt)
	e.check("Refresh with a refresh token the provider never issued ("+ruleRefreshRefused+")", err,
		want{codes: codes(connector.CodeSocialInvalidAccessToken), step: connector.StepRefresh, status: 400,
			providerCode: "invalid_grant"})
}
