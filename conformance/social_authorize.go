package conformance

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// authorizationChecks are the AuthorizationURL subtests: the URL a flow
// starts with, its parameters and its state.
func (r *socialRun) authorizationChecks(t tb) {
	r.sub(t, "Parameters", r.checkAuthParameters)
	r.sub(t, "HostState", r.checkHostState)
	r.sub(t, "GeneratedState", r.checkGeneratedState)
	r.sub(t, "RequestScope", r.checkRequestScope)
	r.sub(t, "ReservedParameters", r.checkReserved)
	r.sub(t, "MissingRedirectURI", r.checkMissingRedirectURI)
}

func (r *socialRun) checkAuthParameters(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	r.checkAuthURL(e, a, redirectURI)
	if r.s.Scope != "" {
		u, _ := url.Parse(a.URL)
		if got := u.Query().Get("scope"); got != r.s.Scope {
			e.t.Errorf("authorization URL scope is %q, want %q", got, r.s.Scope)
		}
	}
	if _, err := r.mock(e).Approve(a.URL, ""); err != nil {
		e.t.Errorf("the mock provider refuses the authorization URL: %s", e.mask(err.Error()))
	}
}

// checkAuthURL checks the reserved parameters of an authorization URL.
func (r *socialRun) checkAuthURL(e *env, a *connector.Authorization, redirect string) {
	e.t.Helper()
	u, err := url.Parse(a.URL)
	if err != nil {
		e.t.Errorf("the authorization URL cannot be parsed: %v", err)
		return
	}
	want, _ := url.Parse(e.p.URL(mockprovider.EndpointAuthorize))
	if u.Scheme != want.Scheme || u.Host != want.Host || u.Path != want.Path {
		e.t.Errorf("the authorization URL points at %s://%s%s, want the provider's %s", u.Scheme, u.Host, u.Path, want)
	}
	q := u.Query()
	one := func(k, wantV string) {
		vs := q[k]
		switch {
		case len(vs) == 0:
			e.t.Errorf("the authorization URL has no %s", k)
		case len(vs) > 1:
			e.t.Errorf("the authorization URL has %d %s parameters", len(vs), k)
		case wantV != "" && vs[0] != wantV:
			e.t.Errorf("the authorization URL %s is %q, want %q", k, vs[0], wantV)
		}
	}
	one("client_id", r.mock(e).ClientID())
	one("redirect_uri", redirect)
	one("response_type", "")
	if rt := q.Get("response_type"); !slices.Contains(strings.Fields(rt), "code") {
		e.t.Errorf("the authorization URL response_type is %q, want one with code", rt)
	}
	if a.Flow.State == "" {
		e.t.Errorf("Flow.State is empty")
	}
	one("state", a.Flow.State)
	if a.Flow.RedirectURI != redirect {
		e.t.Errorf("Flow.RedirectURI is %q, want %q", a.Flow.RedirectURI, redirect)
	}
	ch := q.Get("code_challenge")
	switch {
	case r.s.PKCE && ch == "":
		e.t.Errorf("the authorization URL has no code_challenge, but the subject says the connector uses PKCE")
	case !r.s.PKCE && ch != "":
		e.t.Errorf("the authorization URL has a code_challenge: set PKCE in the subject so the suite checks it")
	case r.s.PKCE:
		if m := q.Get("code_challenge_method"); m != "S256" {
			e.t.Errorf("code_challenge_method is %q, want S256", m)
		}
		v := a.Flow.CodeVerifier
		if len(v) < 43 || len(v) > 128 {
			e.t.Errorf("Flow.CodeVerifier has %d characters, want 43 to 128 (RFC 7636)", len(v))
		}
		sum := sha256.Sum256([]byte(v))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != ch {
			e.t.Errorf("code_challenge is not the S256 of Flow.CodeVerifier")
		}
	}
	n := q.Get("nonce")
	switch {
	case r.s.Nonce && n == "":
		e.t.Errorf("the authorization URL has no nonce, but the subject says the connector uses one")
	case !r.s.Nonce && n != "":
		e.t.Errorf("the authorization URL has a nonce: set Nonce in the subject so the suite checks it")
	case r.s.Nonce && n != a.Flow.Nonce:
		e.t.Errorf("the authorization URL nonce is not Flow.Nonce")
	}
}

func (r *socialRun) checkHostState(e *env) {
	c := r.mustOpen(e)
	state := "host-state-" + fmt.Sprint(time.Now().UnixNano())
	a := r.begin(e, c, connector.AuthRequest{State: state})
	if a.Flow.State != state {
		e.t.Errorf("Flow.State is %q, want the host's %q", a.Flow.State, state)
	}
	r.checkAuthURL(e, a, redirectURI)
	cb := r.approve(e, a, "")
	info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	if err != nil {
		e.t.Errorf("sign-in with a host state failed: %s%s", e.mask(err.Error()), e.problems())
	} else if id, _ := r.identityFor(e, func(mockprovider.Identity) bool { return true }); info.ID != id.ID {
		e.t.Errorf("UserInfo.ID is %q, want %q", info.ID, id.ID)
	}
}

func (r *socialRun) checkGeneratedState(e *env) {
	c := r.mustOpen(e)
	a1 := r.begin(e, c, connector.AuthRequest{})
	a2 := r.begin(e, c, connector.AuthRequest{})
	for i, a := range []*connector.Authorization{a1, a2} {
		if len(a.Flow.State) < 16 {
			e.t.Errorf("generated state #%d has %d characters, want at least 16 (about 96 random bits)", i+1, len(a.Flow.State))
		}
	}
	if a1.Flow.State == a2.Flow.State {
		e.t.Errorf("two flows got the same state: generate it at random for each flow")
	}
	if r.s.PKCE && a1.Flow.CodeVerifier == a2.Flow.CodeVerifier {
		e.t.Errorf("two flows got the same PKCE verifier")
	}
	if r.s.Nonce && a1.Flow.Nonce == a2.Flow.Nonce {
		e.t.Errorf("two flows got the same nonce")
	}
}

// defaultRequestScopes are tried, in order, when the subject names no
// RequestScope.
var defaultRequestScopes = []string{"email", "profile", "openid", "offline_access"}

// urlScope returns the scope parameter of an authorization URL and its
// words (space-, comma- or plus-separated).
func urlScope(authURL string) (string, []string) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", nil
	}
	s := u.Query().Get("scope")
	return s, strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '+' })
}

func (r *socialRun) checkRequestScope(e *env) {
	c := r.mustOpen(e)
	// A scope the configured URL carries already would pass whether or
	// not the connector honours the request: ask for one it lacks.
	configured, words := urlScope(r.begin(e, c, connector.AuthRequest{}).URL)
	want := r.s.RequestScope
	switch {
	case want != "" && slices.Contains(words, want):
		e.t.Errorf("Social.RequestScope %q is in the configured scope %q already, so this check proves nothing: name a scope the config does not request", want, configured)
		return
	case want == "":
		for _, s := range defaultRequestScopes {
			if !slices.Contains(words, s) {
				want = s
				break
			}
		}
		if want == "" {
			e.t.Logf("the configured scope %q holds every default request scope: set Social.RequestScope to check per-request scopes", configured)
			return
		}
	}
	a, err := r.authorize(e, c, e.ctx, connector.AuthRequest{Scope: want})
	if err != nil {
		e.t.Errorf("AuthorizationURL with the per-request scope %q failed: %s (set Social.RequestScope to a scope the connector accepts and the config does not request)",
			want, e.mask(err.Error()))
		return
	}
	got, words := urlScope(a.URL)
	if !slices.Contains(words, want) {
		e.t.Errorf("the authorization URL scope is %q, want the requested %q", got, want)
	}
}

func (r *socialRun) checkReserved(e *env) {
	c := r.mustOpen(e)
	inject := "&client_id=evil&state=evil&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=token"
	a, err := r.authorize(e, c, e.ctx, connector.AuthRequest{
		Scope: cmp.Or(r.s.RequestScope, "email") + inject, Prompt: "login" + inject, LoginHint: "user@example.com" + inject,
	})
	if err != nil {
		// Refusing such a request is fine too.
		e.check("AuthorizationURL(injected parameters)", err, want{})
		return
	}
	r.checkAuthURL(e, a, redirectURI)
}

func (r *socialRun) checkMissingRedirectURI(e *env) {
	c := r.mustOpen(e)
	var a *connector.Authorization
	var err error
	func() {
		defer e.recoverPanic("AuthorizationURL", &err)
		a, err = c.AuthorizationURL(e.ctx, connector.AuthRequest{})
		e.noteErr("AuthorizationURL", err)
	}()
	if err == nil && a != nil {
		e.addText("authorization URL", a.URL)
	}
	e.check("AuthorizationURL without a redirect URI", err, want{})
}
