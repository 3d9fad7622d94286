package conformance

import (
	"context"
	"crypto/rand"
	"slices"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// revokeChecks are the Revoke subtests, for a connector that implements
// connector.Revoker with a mock that serves a revocation endpoint (RFC
// 7009), when the config enables revocation (the probe's Revoke did not
// answer not_implemented or invalid_config): a revocation reaches the
// provider once and takes effect, arguments no revocation can be made with
// are refused before any request, and every failure of the endpoint is a
// typed error at the revoke step.
func (r *socialRun) revokeChecks(t tb) {
	switch {
	case !r.revoker || r.s.Provider.URL(mockprovider.EndpointRevoke) == "":
		return
	case r.revokeOff != "":
		t.Logf("Revoke answered %s with this config: the Revoke checks do not apply", r.revokeOff)
		return
	}
	r.callChecks(t, "Revoke", "revocation", r.prepareRevoke, mockprovider.EndpointRevoke, revokeFailureCases(),
		namedCheck{"IssuedToken", r.checkRevokeIssued},
		namedCheck{"BadArguments", r.checkRevokeArguments})
}

// probeRevoke learns whether c revokes with the subject's config: a
// Revoke of a token the provider never issued (which RFC 7009 answers with
// 200) that fails with not_implemented or invalid_config means the config
// has no revocation.
func (r *socialRun) probeRevoke(e *env, c connector.Social) {
	rv, ok := c.(connector.Revoker)
	r.revoker = ok
	if !ok || e.p.URL(mockprovider.EndpointRevoke) == "" {
		return
	}
	err := rv.Revoke(e.ctx, "conformance-probe-token", "")
	if code := connector.CodeOf(err); err != nil && (code == connector.CodeNotImplemented || code == connector.CodeInvalidConfig) {
		r.revokeOff = string(code)
	}
}

// revokeFailureCases are the revocation endpoint's failures: as at the
// token endpoint, for the answers whose body a revocation reads (a 200 is
// success whatever it carries, RFC 7009 §2.2).
func revokeFailureCases() []failureCase {
	var out []failureCase
	for _, c := range failureCases(mockprovider.EndpointToken) {
		switch c.mode {
		case mockprovider.Unauthorized, mockprovider.RateLimited, mockprovider.ServerError,
			mockprovider.Unavailable, mockprovider.Hang, mockprovider.Redirect:
			if c.want.step != "" {
				c.want.step = connector.StepRevoke
			}
			out = append(out, c)
		}
	}
	return out
}

// revocable signs in asking for tokens and returns a token to revoke and
// its hint: the refresh token when the provider issued one, else the
// access token.
func (r *socialRun) revocable(e *env, c connector.Social) (token, hint string) {
	e.t.Helper()
	if r.refreshIssued {
		return r.refreshToken(e, c), "refresh_token"
	}
	return r.tokens(e, c).AccessToken, "access_token"
}

// prepareRevoke signs in asking for tokens, and returns the revocation of
// a token the sign-in returned.
func (r *socialRun) prepareRevoke(e *env, c connector.Social) attempt {
	e.t.Helper()
	token, hint := r.revocable(e, c)
	return func(ctx context.Context) error { return r.revoke(e, c, ctx, token, hint) }
}

// revoke calls c's Revoke, noting its error for the redaction scan and
// reporting a panic.
func (r *socialRun) revoke(e *env, c connector.Social, ctx context.Context, token, hint string) (err error) {
	defer e.recoverPanic("Revoke", &err)
	err = c.(connector.Revoker).Revoke(ctx, token, hint)
	e.noteErr("Revoke", err)
	return err
}

func (r *socialRun) checkRevokeIssued(e *env) {
	c := r.mustOpen(e)
	token, hint := r.revocable(e, c)
	before := e.p.Requests(mockprovider.EndpointRevoke)
	if err := r.revoke(e, c, e.ctx, token, hint); err != nil {
		e.t.Fatalf("Revoke of the %s a sign-in returned failed: %s%s", hint, e.mask(err.Error()), e.problems())
	}
	if n := e.p.Requests(mockprovider.EndpointRevoke) - before; n != 1 {
		e.t.Errorf("Revoke sent %d requests to the revocation endpoint, want 1", n)
	}
	if m, ok := e.p.(interface{ Revoked() []string }); ok && !slices.Contains(m.Revoked(), token) {
		e.t.Errorf("Revoke of the %s did not revoke it at the provider (the revocation endpoint got another token)", hint)
	}
	if hint == "refresh_token" && r.refresher {
		_, err := r.refresh(e, c, e.ctx, token)
		e.check("Refresh with a revoked refresh token ("+ruleRefreshRefused+")", err,
			want{codes: codes(connector.CodeSocialInvalidAccessToken), step: connector.StepRefresh})
	}
}

func (r *socialRun) checkRevokeArguments(e *env) {
	c := r.mustOpen(e)
	before := e.guard.count()
	// A host that swaps the arguments passes a token as the hint: the
	// error must not quote it (the leak scan looks for it).
	swapped := "rt-swapped-" + rand.Text()
	e.addSecret("token passed to Revoke as its hint", swapped)
	for _, tc := range []struct{ what, token, hint string }{
		{"Revoke of an empty token", "", ""},
		{`Revoke with the token type hint "id_token" (a Revoker takes access_token, refresh_token or "")`, "conformance-token", "id_token"},
		{"Revoke with a token as the hint (the arguments swapped)", "refresh_token", swapped},
	} {
		err := r.revoke(e, c, e.ctx, tc.token, tc.hint)
		e.check(tc.what, err, want{codes: codes(connector.CodeInvalidRequestParameters), step: connector.StepRevoke})
	}
	if n := e.guard.count() - before; n > 0 {
		e.t.Errorf("Revoke with arguments no revocation can be made with sent %d requests: refuse them before calling the provider", n)
	}
}
