package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// This file drives a sign-in for the social checks: the authorization URL,
// the user's part (the mock's Approve), the callback, and what its result
// must be.

// authorize calls AuthorizationURL, recording the URL and the verifier.
func (r *socialRun) authorize(e *env, c connector.Social, ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.RedirectURI == "" {
		req.RedirectURI = redirectURI
	}
	a, err := call(e, "AuthorizationURL", "an authorization", func() (*connector.Authorization, error) {
		return c.AuthorizationURL(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	e.addSecret("PKCE code verifier", a.Flow.CodeVerifier)
	e.addText("authorization URL", a.URL)
	e.notePrint("flow state", a.Flow)
	return a, nil
}

// userInfo calls UserInfo, recording errors and output.
func (r *socialRun) userInfo(e *env, c connector.Social, ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	info, err := call(e, "UserInfo", "user info", func() (*connector.UserInfo, error) { return c.UserInfo(ctx, cb) })
	if err != nil {
		return nil, err
	}
	e.addText("UserInfo.Raw", string(info.Raw))
	cp := *info
	cp.Tokens = nil // legitimately holds tokens when asked for
	e.notePrint("user info", cp)
	if info.Tokens != nil {
		e.notePrint("user info tokens", info.Tokens)
	}
	return info, nil
}

// begin starts a flow or stops the subtest.
func (r *socialRun) begin(e *env, c connector.Social, req connector.AuthRequest) *connector.Authorization {
	e.t.Helper()
	a, err := r.authorize(e, c, e.ctx, req)
	if err != nil {
		e.t.Fatalf("AuthorizationURL failed: %s", e.mask(err.Error()))
	}
	return a
}

// approve plays the user's part or stops the subtest.
func (r *socialRun) approve(e *env, a *connector.Authorization, identity string) url.Values {
	e.t.Helper()
	cb, err := r.mock(e).Approve(a.URL, identity)
	if err != nil {
		e.t.Fatalf("the mock provider refused the authorization URL: %s", e.mask(err.Error()))
	}
	return cb
}

// signIn runs a whole flow as identity ("" = the first) with ctx (e.ctx
// when nil); errors of the authorization step are returned too.
func (r *socialRun) signIn(e *env, c connector.Social, identity string, req connector.AuthRequest, ctx context.Context) (*connector.UserInfo, error) {
	if ctx == nil {
		ctx = e.ctx
	}
	a, err := r.authorize(e, c, e.ctx, req)
	if err != nil {
		return nil, err
	}
	cb, err := r.mock(e).Approve(a.URL, identity)
	if err != nil {
		return nil, fmt.Errorf("the mock provider refused the authorization URL: %w", err)
	}
	return r.userInfo(e, c, ctx, connector.Callback{Params: cb, Flow: a.Flow})
}

// prepareCallback starts a flow on c and approves it as the first identity;
// the attempt is the callback (UserInfo). A failure before the callback
// stops the subtest.
func (r *socialRun) prepareCallback(e *env, c connector.Social) attempt {
	e.t.Helper()
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	return func(ctx context.Context) error {
		_, err := r.userInfo(e, c, ctx, connector.Callback{Params: cb, Flow: a.Flow})
		return err
	}
}

// identityFor picks the first identity matching keep.
func (r *socialRun) identityFor(e *env, keep func(mockprovider.Identity) bool) (mockprovider.Identity, bool) {
	for _, id := range r.mock(e).Identities() {
		if keep(id) {
			return id, true
		}
	}
	return mockprovider.Identity{}, false
}

// checkUser reports how info differs from what identity allows.
func (r *socialRun) checkUser(e *env, what string, info *connector.UserInfo, id mockprovider.Identity) {
	e.t.Helper()
	if info.ID == "" {
		e.t.Errorf("%s: UserInfo.ID is empty", what)
	} else if info.ID != id.ID {
		e.t.Errorf("%s: UserInfo.ID is %q, want the provider's user ID %q", what, info.ID, id.ID)
	}
	if len(info.Raw) == 0 {
		e.t.Errorf("%s: UserInfo.Raw is empty: keep the provider's profile", what)
	} else if !json.Valid(info.Raw) {
		e.t.Errorf("%s: UserInfo.Raw is not valid JSON", what)
	}
	if info.EmailVerified && !id.HasVerifiedEmail() {
		e.t.Errorf("%s: EmailVerified is true for an identity the provider did not verify (%s): never mark an email verified without the provider's evidence", what, id.Label)
	}
	if info.Email != "" && info.Email != id.Email {
		e.t.Errorf("%s: Email is %q, want %q or empty", what, info.Email, id.Email)
	}
	if id.Email == "" && (info.Email != "" || info.EmailVerified) {
		e.t.Errorf("%s: the identity shared no email, got Email %q EmailVerified %v", what, info.Email, info.EmailVerified)
	}
	if info.EmailVerified && info.Email == "" {
		e.t.Errorf("%s: EmailVerified is true with no Email", what)
	}
}
