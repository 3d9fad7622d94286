package conformance

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// Social describes a social connector under test and its provider.
type Social struct {
	// Open builds the connector from a JSON config and options; the suite
	// adds connector.WithHTTPClient (a client that reaches only the mock)
	// and connector.WithLogger (a capturing logger) before Options.
	// Factory.Open is used when Open is nil.
	Open connector.OpenFunc
	// Factory, when set, is checked too (its metadata, its registration)
	// and supplies Open.
	Factory connector.Factory
	// Provider is the mock provider. Every subtest works on its own
	// Provider.Clone(), so program failures in the subtests, not here.
	Provider mockprovider.SocialProvider
	// Config returns a valid config for p (its endpoints and client
	// credentials). It is the config of every check.
	Config func(p mockprovider.SocialProvider) json.RawMessage
	// MoreConfigs returns further valid configs (other auth methods...):
	// each must open and sign in.
	MoreConfigs func(p mockprovider.SocialProvider) []json.RawMessage
	// Endpoints maps the connector's endpoint option names to the mock's
	// endpoints, for a connector whose endpoints are not in its config:
	// the suite opens it with connector.WithEndpoint(name, p.URL(endpoint))
	// for each, as {"token": mockprovider.EndpointToken}.
	Endpoints map[string]mockprovider.Endpoint
	// Options returns further options for p.
	Options func(p mockprovider.SocialProvider) []connector.Option
	// InvalidConfigs must each be refused with invalid_config.
	InvalidConfigs []InvalidConfig
	// PKCE and Nonce say whether the connector sends an S256 PKCE
	// challenge and an OpenID Connect nonce; the suite checks both ways.
	PKCE, Nonce bool
	// Scope, when set, is the scope parameter the authorization URL must
	// carry for Config.
	Scope string
	// RequestScope is a scope a host may ask for per request, one the
	// config does not request already; the authorization URL must then
	// carry it. When empty, the suite picks the first of email, profile,
	// openid and offline_access that the configured URL lacks.
	RequestScope string
	// Secrets are more values that must never leak, beyond those the suite
	// finds itself: string fields of the config named *secret, *password,
	// *token or *key, and the mock's client secret, codes and tokens.
	Secrets []string
	// Deadline is the context deadline of the hang checks (1 s when zero).
	Deadline time.Duration
}

// redirectURI is the host's callback URL in every flow.
const redirectURI = "https://app.example.com/connectorkit/callback"

// RunSocial runs the social connector suite: every check is a named subtest
// on a fresh connector and a fresh mock provider (see the package
// documentation for the list).
func RunSocial[T TB[T]](t T, s Social) {
	t.Helper()
	runSocial(erase[T]{t}, s)
}

func (s *Social) prepare() error {
	var missing []string
	if s.Open == nil {
		s.Open = s.Factory.Open
	}
	if s.Open == nil {
		missing = append(missing, "Open (or Factory)")
	}
	if s.Provider == nil {
		missing = append(missing, "Provider")
	}
	if s.Config == nil {
		missing = append(missing, "Config")
	}
	if len(missing) > 0 {
		return errors.New("conformance: the Social subject has no " + strings.Join(missing, ", "))
	}
	if s.Deadline <= 0 {
		s.Deadline = defaultDeadline
	}
	return nil
}

// extraOptions are the subject's options for p: its endpoints, then Options.
func (s *Social) extraOptions(p mockprovider.SocialProvider) []connector.Option {
	names := make([]string, 0, len(s.Endpoints))
	for name := range s.Endpoints {
		names = append(names, name)
	}
	sort.Strings(names)
	var opts []connector.Option
	for _, name := range names {
		opts = append(opts, connector.WithEndpoint(name, p.URL(s.Endpoints[name])))
	}
	if s.Options != nil {
		opts = append(opts, s.Options(p)...)
	}
	return opts
}

// socialRun is one run of the suite.
type socialRun struct {
	s Social
	// used lists the endpoints a sign-in calls (learned by a probe).
	used map[mockprovider.Endpoint]bool
}

func runSocial(t tb, s Social) {
	t.Helper()
	if err := s.prepare(); err != nil {
		t.Fatalf("%v", err)
	}
	r := &socialRun{s: s, used: map[mockprovider.Endpoint]bool{}}
	r.probe(t)

	open := func(e *env, raw json.RawMessage) (connector.Connector, error) {
		return s.Open(raw, e.options(s.extraOptions(e.p.(mockprovider.SocialProvider)))...)
	}
	runConfigChecks(t, s.Provider, open, r.configs, s.InvalidConfigs, s.Secrets)
	r.sub(t, "Metadata", r.checkMetadata)
	r.sub(t, "Formatting", r.checkFormatting)
	t.Run("AuthorizationURL", func(t tb) {
		t.Parallel()
		r.sub(t, "Parameters", r.checkAuthParameters)
		r.sub(t, "HostState", r.checkHostState)
		r.sub(t, "GeneratedState", r.checkGeneratedState)
		r.sub(t, "RequestScope", r.checkRequestScope)
		r.sub(t, "ReservedParameters", r.checkReserved)
		r.sub(t, "MissingRedirectURI", r.checkMissingRedirectURI)
	})
	t.Run("SignIn", func(t tb) {
		t.Parallel()
		r.sub(t, "HappyPath", r.checkHappyPath)
		r.sub(t, "MoreConfigs", r.checkMoreConfigs)
		r.sub(t, "Tokens", r.checkTokens)
		r.sub(t, "EveryIdentity", r.checkEveryIdentity)
		r.sub(t, "UnverifiedEmail", r.checkUnverifiedEmail)
		r.sub(t, "FlowOnSecondInstance", r.checkSecondInstance)
		r.sub(t, "Concurrent", r.checkConcurrent)
	})
	t.Run("Callback", func(t tb) {
		t.Parallel()
		r.sub(t, "ProviderError", r.checkProviderError)
		r.sub(t, "StateMismatch", r.checkStateMismatch)
		r.sub(t, "MissingState", r.checkMissingState)
		r.sub(t, "EmptyFlowState", r.checkEmptyFlow)
		r.sub(t, "ProviderErrorWithWrongState", r.checkProviderErrorWrongState)
		r.sub(t, "ProviderErrorControlCharacters", r.checkProviderErrorControls)
		r.sub(t, "RepeatedState", r.checkRepeatedState)
		if r.used[mockprovider.EndpointToken] {
			r.sub(t, "MissingCode", r.checkMissingCode)
			r.sub(t, "RepeatedCode", r.checkRepeatedCode)
		}
	})
	for _, ep := range probed {
		if !r.used[ep] {
			t.Logf("a sign-in does not call the %s endpoint: its failure checks do not apply", ep)
			continue
		}
		ep := ep
		t.Run(endpointGroup(ep), func(t tb) {
			t.Parallel()
			for _, c := range failureCases(ep) {
				if !s.Provider.Supports(ep, c.mode) {
					continue
				}
				c := c
				r.sub(t, string(c.mode), func(e *env) { r.checkFailure(e, ep, c) })
			}
			if ep == mockprovider.EndpointUserInfo {
				r.documentChecks(t)
			}
		})
	}
	var cases []mockprovider.ErrorCase
	for _, c := range s.Provider.ErrorCases() {
		if c.Endpoint == mockprovider.EndpointAuthorize || r.used[c.Endpoint] {
			cases = append(cases, c)
		}
	}
	if len(cases) > 0 {
		t.Run("ProviderErrors", func(t tb) {
			t.Parallel()
			for _, c := range cases {
				c := c
				r.sub(t, subtestName(c.Name), func(e *env) { r.checkErrorCase(e, c) })
			}
		})
	}
	t.Run("Context", func(t tb) {
		t.Parallel()
		r.sub(t, "Canceled", r.checkCanceled)
		r.sub(t, "InjectedClient", r.checkInjectedClient)
	})
}

// probed are the endpoints whose failures a sign-in may meet.
var probed = []mockprovider.Endpoint{mockprovider.EndpointToken, mockprovider.EndpointUserInfo, mockprovider.EndpointJWKS}

func endpointGroup(ep mockprovider.Endpoint) string {
	switch ep {
	case mockprovider.EndpointToken:
		return "TokenEndpoint"
	case mockprovider.EndpointUserInfo:
		return "UserInfoEndpoint"
	case mockprovider.EndpointJWKS:
		return "KeysEndpoint"
	}
	return string(ep)
}

// sub runs check as a parallel subtest on a fresh env.
func (r *socialRun) sub(t tb, name string, check func(e *env)) {
	t.Run(name, func(t tb) {
		t.Parallel()
		check(r.newEnv(t, true))
	})
}

func (r *socialRun) newEnv(t tb, strict bool) *env {
	e := newEnv(t, r.s.Provider, strict)
	for _, x := range r.s.Secrets {
		e.addSecret("subject secret", x)
	}
	sp := e.p.(mockprovider.SocialProvider)
	e.addIdent(sp.ClientID())
	e.configSecrets(r.s.Config(sp))
	return e
}

func (r *socialRun) configs(p mockprovider.Provider) []json.RawMessage {
	sp := p.(mockprovider.SocialProvider)
	out := []json.RawMessage{r.s.Config(sp)}
	if r.s.MoreConfigs != nil {
		out = append(out, r.s.MoreConfigs(sp)...)
	}
	return out
}

// probe signs in once, quietly, to learn which endpoints a sign-in calls.
func (r *socialRun) probe(t tb) {
	e := r.newEnv(t, false)
	c, err := r.open(e, r.s.Config(e.p.(mockprovider.SocialProvider)))
	if err == nil {
		_, err = r.signIn(e, c, "", connector.AuthRequest{}, nil)
	}
	for _, ep := range probed {
		if err != nil {
			// A failing connector: check every endpoint the mock has.
			r.used[ep] = e.p.URL(ep) != ""
		} else {
			r.used[ep] = e.p.Requests(ep) > 0
		}
	}
}

// --- helpers ---

func (r *socialRun) sp(e *env) mockprovider.SocialProvider { return e.p.(mockprovider.SocialProvider) }

// open opens the connector from raw in e.
func (r *socialRun) open(e *env, raw json.RawMessage) (connector.Social, error) {
	extra := r.s.extraOptions(r.sp(e))
	c, err := openChecked(e, func(e *env, raw json.RawMessage) (connector.Connector, error) {
		return r.s.Open(raw, e.options(extra)...)
	}, raw)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(connector.Social)
	if !ok {
		return nil, fmt.Errorf("conformance: Open returned a %T, which is not a connector.Social", c)
	}
	return sc, nil
}

// mustOpen opens the subject's config or stops the subtest.
func (r *socialRun) mustOpen(e *env) connector.Social {
	e.t.Helper()
	c, err := r.open(e, r.s.Config(r.sp(e)))
	if err != nil {
		e.t.Fatalf("Open(valid config) failed: %s", e.mask(err.Error()))
	}
	return c
}

// authorize calls AuthorizationURL, recording the URL and the verifier.
func (r *socialRun) authorize(e *env, c connector.Social, ctx context.Context, req connector.AuthRequest) (a *connector.Authorization, err error) {
	defer e.recoverPanic("AuthorizationURL", &err)
	if req.RedirectURI == "" {
		req.RedirectURI = redirectURI
	}
	a, err = c.AuthorizationURL(ctx, req)
	if err != nil {
		e.noteErr("AuthorizationURL", err)
		return nil, err
	}
	if a == nil {
		return nil, errors.New("conformance: AuthorizationURL returned neither an authorization nor an error")
	}
	e.addSecret("PKCE code verifier", a.Flow.CodeVerifier)
	e.addText("authorization URL", a.URL)
	e.notePrint("flow state", a.Flow)
	return a, nil
}

// userInfo calls UserInfo, recording errors and output.
func (r *socialRun) userInfo(e *env, c connector.Social, ctx context.Context, cb connector.Callback) (info *connector.UserInfo, err error) {
	defer e.recoverPanic("UserInfo", &err)
	info, err = c.UserInfo(ctx, cb)
	if err != nil {
		e.noteErr("UserInfo", err)
		return nil, err
	}
	if info == nil {
		return nil, errors.New("conformance: UserInfo returned neither user info nor an error")
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
	cb, err := r.sp(e).Approve(a.URL, identity)
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
	cb, err := r.sp(e).Approve(a.URL, identity)
	if err != nil {
		return nil, fmt.Errorf("the mock provider refused the authorization URL: %w", err)
	}
	return r.userInfo(e, c, ctx, connector.Callback{Params: cb, Flow: a.Flow})
}

// identityFor picks the first identity matching keep.
func (r *socialRun) identityFor(e *env, keep func(mockprovider.Identity) bool) (mockprovider.Identity, bool) {
	for _, id := range r.sp(e).Identities() {
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

// --- checks ---

func (r *socialRun) checkMetadata(e *env) {
	c := r.mustOpen(e)
	checkMetadata(e.t, c.Metadata(), r.s.Factory, r.s.Config(r.sp(e)), true)
}

func (r *socialRun) checkFormatting(e *env) {
	c := r.mustOpen(e)
	// Exercise the connector first: a lazily filled field must not leak
	// either.
	if _, err := r.signIn(e, c, "", connector.AuthRequest{}, nil); err != nil {
		e.t.Logf("sign-in failed (see SignIn/HappyPath): %s", e.mask(err.Error()))
	}
	e.notePrint("connector after a sign-in", c)
	e.notePrint("connector metadata", c.Metadata())
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
	if _, err := r.sp(e).Approve(a.URL, ""); err != nil {
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
	one("client_id", r.sp(e).ClientID())
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

func (r *socialRun) checkHappyPath(e *env) {
	c := r.mustOpen(e)
	id, ok := r.identityFor(e, mockprovider.Identity.HasVerifiedEmail)
	if !ok {
		id = r.sp(e).Identities()[0]
	}
	info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
	if err != nil {
		e.t.Fatalf("sign-in failed: %s%s", e.mask(err.Error()), e.problems())
	}
	r.checkUser(e, "sign-in", info, id)
	if info.Tokens != nil {
		e.t.Errorf("UserInfo.Tokens is set though the callback did not ask for tokens (WantTokens false)")
	}
	if e.guard.count() == 0 && r.used[mockprovider.EndpointToken] {
		e.t.Errorf("the sign-in made no request through the injected client")
	}
}

func (r *socialRun) checkMoreConfigs(e *env) {
	if r.s.MoreConfigs == nil {
		return
	}
	for i, raw := range r.s.MoreConfigs(r.sp(e)) {
		e.configSecrets(raw)
		c, err := r.open(e, raw)
		if err != nil {
			e.t.Errorf("config #%d of MoreConfigs was refused: %s", i, e.mask(err.Error()))
			continue
		}
		id := r.sp(e).Identities()[0]
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		if err != nil {
			e.t.Errorf("sign-in with config #%d of MoreConfigs failed: %s%s", i, e.mask(err.Error()), e.problems())
			continue
		}
		r.checkUser(e, fmt.Sprintf("sign-in with config #%d of MoreConfigs", i), info, id)
	}
}

func (r *socialRun) checkTokens(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow, WantTokens: true})
	if err != nil {
		e.t.Fatalf("sign-in asking for tokens failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if !r.used[mockprovider.EndpointToken] {
		return
	}
	if info.Tokens == nil {
		e.t.Fatalf("UserInfo.Tokens is nil though the callback asked for tokens (WantTokens true)")
	}
	if !slices.Contains(r.sp(e).Issued().AccessTokens, info.Tokens.AccessToken) {
		e.t.Errorf("UserInfo.Tokens.AccessToken is not the access token the provider issued")
	}
}

func (r *socialRun) checkEveryIdentity(e *env) {
	c := r.mustOpen(e)
	for _, id := range r.sp(e).Identities() {
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		what := fmt.Sprintf("sign-in as %s (%s)", id.ID, id.Label)
		if err != nil {
			e.t.Errorf("%s failed: %s%s", what, e.mask(err.Error()), e.problems())
			continue
		}
		r.checkUser(e, what, info, id)
	}
}

func (r *socialRun) checkUnverifiedEmail(e *env) {
	id, ok := r.identityFor(e, func(i mockprovider.Identity) bool { return i.Email != "" && !i.HasVerifiedEmail() })
	if !ok {
		e.t.Logf("the mock has no identity with an unverified email: nothing to check")
		return
	}
	c := r.mustOpen(e)
	info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
	if err != nil {
		e.t.Fatalf("sign-in as %s (%s) failed: %s%s", id.ID, id.Label, e.mask(err.Error()), e.problems())
	}
	if info.EmailVerified {
		e.t.Errorf("EmailVerified is true for %s (%s): an address the provider did not verify must never look verified", id.ID, id.Label)
	}
}

func (r *socialRun) checkSecondInstance(e *env) {
	c1 := r.mustOpen(e)
	a := r.begin(e, c1, connector.AuthRequest{})
	b, err := json.Marshal(a.Flow)
	if err != nil {
		e.t.Fatalf("the flow state does not marshal to JSON: %v", err)
	}
	var flow connector.FlowState
	if err := json.Unmarshal(b, &flow); err != nil {
		e.t.Fatalf("the flow state does not unmarshal from JSON: %v", err)
	}
	if !reflect.DeepEqual(flow, a.Flow) {
		e.t.Errorf("the flow state changed in a JSON round trip")
	}
	cb := r.approve(e, a, "")
	c2 := r.mustOpen(e)
	info, err := r.userInfo(e, c2, e.ctx, connector.Callback{Params: cb, Flow: flow})
	if err != nil {
		e.t.Fatalf("a second instance from the same config could not finish the flow the first started: %s%s",
			e.mask(err.Error()), e.problems())
	}
	r.checkUser(e, "sign-in finished on a second instance", info, r.sp(e).Identities()[0])
}

func (r *socialRun) checkConcurrent(e *env) {
	c := r.mustOpen(e)
	ids := r.sp(e).Identities()
	var wg sync.WaitGroup
	var mu sync.Mutex
	states := map[string]bool{}
	for i := range parallelFlows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%len(ids)]
			a, err := r.authorize(e, c, e.ctx, connector.AuthRequest{})
			if err != nil {
				e.t.Errorf("flow %d: AuthorizationURL failed: %s", i, e.mask(err.Error()))
				return
			}
			mu.Lock()
			if states[a.Flow.State] {
				e.t.Errorf("flow %d: state %q was given to another concurrent flow", i, a.Flow.State)
			}
			states[a.Flow.State] = true
			mu.Unlock()
			cb, err := r.sp(e).Approve(a.URL, id.ID)
			if err != nil {
				e.t.Errorf("flow %d: the mock refused the authorization URL: %s", i, e.mask(err.Error()))
				return
			}
			info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
			if err != nil {
				e.t.Errorf("flow %d: UserInfo failed: %s%s", i, e.mask(err.Error()), e.problems())
				return
			}
			if info.ID != id.ID {
				e.t.Errorf("flow %d: UserInfo.ID is %q, want %q (flows mixed up?)", i, info.ID, id.ID)
			}
		}()
	}
	wg.Wait()
}

// callback builds an approved callback, alters it, and checks UserInfo
// refuses it without calling the token endpoint.
func (r *socialRun) refuses(e *env, what string, alter func(cb url.Values, flow *connector.FlowState), w want) {
	e.t.Helper()
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	flow := a.Flow
	alter(cb, &flow)
	_, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: flow})
	e.check(what, err, w)
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("%s: the connector called the token endpoint %d times: refuse the callback before any request", what, n)
	}
}

func (r *socialRun) checkProviderError(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb, err := r.sp(e).Deny(a.URL)
	if err != nil {
		e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
	}
	_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	e.check("callback with error="+cb.Get("error"), err, want{codes: []connector.Code{connector.CodeAuthorizationFailed},
		providerCode: cb.Get("error")})
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("callback with an error: the connector called the token endpoint %d times", n)
	}
}

func (r *socialRun) checkStateMismatch(e *env) {
	r.refuses(e, "callback with another flow's state", func(cb url.Values, _ *connector.FlowState) {
		cb.Set("state", "forged-"+cb.Get("state"))
	}, want{codes: []connector.Code{connector.CodeStateMismatch}})
}

func (r *socialRun) checkMissingState(e *env) {
	r.refuses(e, "callback without state", func(cb url.Values, _ *connector.FlowState) {
		cb.Del("state")
	}, want{codes: []connector.Code{connector.CodeStateMismatch, connector.CodeInvalidRequestParameters}})
}

func (r *socialRun) checkEmptyFlow(e *env) {
	r.refuses(e, "callback with an empty flow state", func(cb url.Values, flow *connector.FlowState) {
		cb.Del("state")
		*flow = connector.FlowState{}
	}, want{})
}

func (r *socialRun) checkMissingCode(e *env) {
	r.refuses(e, "callback without code", func(cb url.Values, _ *connector.FlowState) {
		cb.Del("code")
	}, want{codes: []connector.Code{connector.CodeAuthorizationFailed, connector.CodeInvalidRequestParameters}})
}

// forgedDescription is the error_description of callbacks whose state is
// not the flow's: whoever sent one must not get their words into the error
// a host shows its user.
const forgedDescription = "your account is locked: call +1 555 0100 to unlock it"

func (r *socialRun) checkProviderErrorWrongState(e *env) {
	c := r.mustOpen(e)
	for _, v := range []struct {
		what  string
		alter func(cb url.Values)
		codes []connector.Code
	}{
		{"a state that is not the flow's", func(cb url.Values) { cb.Set("state", "forged-"+cb.Get("state")) },
			codes(connector.CodeStateMismatch)},
		{"no state", func(cb url.Values) { cb.Del("state") },
			codes(connector.CodeStateMismatch, connector.CodeInvalidRequestParameters)},
	} {
		a := r.begin(e, c, connector.AuthRequest{})
		cb, err := r.sp(e).Deny(a.URL)
		if err != nil {
			e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
		}
		cb.Set("error_description", forgedDescription)
		v.alter(cb)
		what := fmt.Sprintf("a callback with error=%s and %s (the state must be checked before the provider's error "+
			"is believed: anyone can send a user to the callback with an error)", cb.Get("error"), v.what)
		_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
		ce := e.check(what, err, want{codes: v.codes})
		if ce == nil {
			continue
		}
		if ce.ProviderCode != "" || ce.ProviderMessage != "" || len(ce.ProviderDetails) > 0 ||
			strings.Contains(err.Error(), forgedDescription) {
			e.t.Errorf("%s: the error keeps the callback's error text (ProviderCode %q, ProviderMessage %q): "+
				"a callback that fails the state check carries no provider text", what, ce.ProviderCode, ce.ProviderMessage)
		}
	}
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("callback with an error and a wrong state: the connector called the token endpoint %d times", n)
	}
}

// controlDescription is a provider error_description with what forges log
// lines and terminal output: CR LF, ANSI escapes, a right-to-left override.
const controlDescription = "the user denied access\r\nlevel=INFO msg=\"sign-in succeeded\" \x1b[31mred\x1b[0m \u202eevil"

// controlChars are the characters of controlDescription that must go.
const controlChars = "\r\n\x1b\u202e"

func (r *socialRun) checkProviderErrorControls(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb, err := r.sp(e).Deny(a.URL)
	if err != nil {
		e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
	}
	cb.Set("error_description", controlDescription)
	what := fmt.Sprintf("a callback with error=%s and an error_description holding CR, LF, ESC and U+202E", cb.Get("error"))
	_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	if e.check(what, err, want{codes: codes(connector.CodeAuthorizationFailed), providerCode: cb.Get("error")}) == nil {
		return
	}
	for _, x := range errorTexts(err) {
		if i := strings.IndexAny(x.s, controlChars); i >= 0 {
			ch, _ := utf8.DecodeRuneInString(x.s[i:])
			e.t.Errorf("%s: %s keeps the character %U of the provider's text: remove control and bidirectional "+
				"formatting characters from provider text kept in errors (they forge log lines and terminal output)",
				what, x.where, ch)
		}
	}
}

func (r *socialRun) checkRepeatedState(e *env) {
	r.refuses(e, "a callback with two state values, the flow's first (RFC 6749 §3.1: a parameter must not be "+
		"included more than once)", func(cb url.Values, _ *connector.FlowState) {
		cb["state"] = append(cb["state"], "forged-"+cb.Get("state"))
	}, want{codes: codes(connector.CodeInvalidRequestParameters)})
}

func (r *socialRun) checkRepeatedCode(e *env) {
	r.refuses(e, "a callback with two code values (RFC 6749 §3.1: a parameter must not be included more than once)",
		func(cb url.Values, _ *connector.FlowState) {
			cb["code"] = append(cb["code"], "forged-code-0123456789")
		}, want{codes: codes(connector.CodeInvalidRequestParameters)})
}

// failureCase is a failure mode and what the connector must make of it.
type failureCase struct {
	mode mockprovider.Mode
	want want
	// rule, when set, says in failure messages why the answer must be
	// refused.
	rule string
	// bounded checks the body was not read to the end; hang checks the
	// deadline reached the request; redirect checks the redirect was not
	// followed and its body not kept.
	bounded, hang, redirect bool
}

// Rules of the failure cases, quoted in failure messages.
const (
	ruleRedirect = "a 3xx answer must never be followed, since the request carries the code, the client " +
		"credentials or the access token: refuse it with invalid_response"
	ruleDuplicateToken = "a token response with access_token twice must be refused with invalid_response: " +
		"parsers disagree about which one counts (RFC 7493 §2.3)"
	ruleDuplicateProfile = "a profile with the user ID member twice must be refused with invalid_response: " +
		"parsers disagree about which one counts, so the same bytes would sign in different users (RFC 7493 §2.3)"
)

func codes(cs ...connector.Code) []connector.Code { return cs }

// failureCases lists the generic failure checks of an endpoint.
func failureCases(ep mockprovider.Endpoint) []failureCase {
	if ep == mockprovider.EndpointJWKS {
		// A key set the connector cannot get fails the sign-in; the code
		// is the connector's choice.
		return []failureCase{
			{mode: mockprovider.ServerError}, {mode: mockprovider.Unavailable}, {mode: mockprovider.HTMLPage},
			{mode: mockprovider.TruncatedJSON}, {mode: mockprovider.EmptyBody},
			{mode: mockprovider.Oversized, bounded: true}, {mode: mockprovider.Hang, hang: true},
		}
	}
	step := connector.StepTokenExchange
	unauthorized := want{codes: codes(connector.CodeGeneral, connector.CodeInvalidConfig)}
	if ep == mockprovider.EndpointUserInfo {
		step = connector.StepUserInfo
		unauthorized = want{codes: codes(connector.CodeSocialInvalidAccessToken), status: 401}
	}
	unauthorized.step = step
	bad := codes(connector.CodeInvalidResponse)
	cases := []failureCase{
		{mode: mockprovider.Unauthorized, want: unauthorized},
		{mode: mockprovider.RateLimited, want: want{codes: codes(connector.CodeRateLimitExceeded), step: step,
			status: 429, retryAfter: mockprovider.DefaultRetryAfter}},
		{mode: mockprovider.ServerError, want: want{codes: codes(connector.CodeGeneral), step: step, status: 500, retryable: true}},
		{mode: mockprovider.Unavailable, want: want{codes: codes(connector.CodeGeneral), step: step, status: 503, retryable: true}},
		{mode: mockprovider.HTMLPage, want: want{codes: bad, step: step}},
		{mode: mockprovider.TruncatedJSON, want: want{codes: bad, step: step}},
		{mode: mockprovider.Oversized, want: want{step: step}, bounded: true},
		{mode: mockprovider.Hang, want: want{}, hang: true},
	}
	if ep == mockprovider.EndpointToken {
		cases = append(cases,
			failureCase{mode: mockprovider.InvalidGrant, want: want{codes: codes(connector.CodeSocialAuthCodeInvalid),
				step: step, status: 400, providerCode: "invalid_grant"}},
			failureCase{mode: mockprovider.EmptyBody, want: want{codes: codes(connector.CodeInvalidResponse, connector.CodeSocialAuthCodeInvalid), step: step}},
			failureCase{mode: mockprovider.MissingToken, want: want{codes: codes(connector.CodeSocialAuthCodeInvalid, connector.CodeInvalidResponse)}},
			failureCase{mode: mockprovider.DuplicateNames, want: want{codes: bad, step: step}, rule: ruleDuplicateToken},
		)
	} else {
		cases = append(cases,
			failureCase{mode: mockprovider.EmptyBody, want: want{codes: bad, step: step}},
			failureCase{mode: mockprovider.MissingID, want: want{codes: bad}},
			failureCase{mode: mockprovider.WrongTypes, want: want{codes: bad}},
			failureCase{mode: mockprovider.DuplicateNames, want: want{codes: bad}, rule: ruleDuplicateProfile},
		)
	}
	return append(cases, failureCase{mode: mockprovider.Redirect, want: want{codes: bad, step: step}, rule: ruleRedirect, redirect: true})
}

func (r *socialRun) checkFailure(e *env, ep mockprovider.Endpoint, c failureCase) {
	conn := r.mustOpen(e)
	what := fmt.Sprintf("sign-in with the %s endpoint answering %s", ep, c.mode)
	if c.rule != "" {
		what += " (" + c.rule + ")"
	}
	if c.hang {
		r.checkHang(e, conn, ep, what, c.want)
		return
	}
	a := r.begin(e, conn, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	e.p.Fail(ep, c.mode)
	_, err := r.userInfo(e, conn, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	e.check(what, err, c.want)
	if c.bounded {
		if n := e.p.BytesSent(ep); n > maxBodyRead {
			e.t.Errorf("%s: the connector read %d bytes of a %d-byte body: cap what it reads (internal/httpx.ReadBody)", what, n, mockprovider.OversizedBytes)
		}
	}
	if c.redirect {
		r.checkRedirect(e, ep, err)
	}
}

// checkRedirect reports a redirect that was followed, and an error that
// kept the redirect's body.
func (r *socialRun) checkRedirect(e *env, ep mockprovider.Endpoint, err error) {
	e.t.Helper()
	what := fmt.Sprintf("sign-in with the %s endpoint answering a redirect", ep)
	if n := e.p.Requests(mockprovider.EndpointRedirectTarget); n > 0 {
		e.t.Errorf("%s: the connector followed the redirect (%d requests reached its target): never follow a redirect "+
			"from a token or userinfo endpoint; send them with a copy of the injected client whose CheckRedirect "+
			"returns http.ErrUseLastResponse, and refuse the 3xx answer", what, n)
	}
	if err == nil || err == errPanicked {
		return
	}
	texts := append(errorTexts(err), text{"the %+v form of the error", fmt.Sprintf("%+v", err)})
	for _, x := range texts {
		if strings.Contains(x.s, mockprovider.RedirectBodyMarker) {
			e.t.Errorf("%s: %s holds the redirect's body (%q): report the status and the Location host only, "+
				"never what a redirect carries", what, x.where, mockprovider.RedirectBodyMarker)
			return
		}
	}
}

// errorTexts returns what an error shows a host: its Error() and, for a
// *connector.Error, the provider fields.
func errorTexts(err error) []text {
	out := []text{{"Error()", err.Error()}}
	var ce *connector.Error
	if errors.As(err, &ce) {
		out = append(out, text{"Error.ProviderCode", ce.ProviderCode}, text{"Error.ProviderMessage", ce.ProviderMessage})
		for _, k := range slices.Sorted(maps.Keys(ce.ProviderDetails)) {
			out = append(out, text{"Error.ProviderDetails[" + strconv.Quote(k) + "]", ce.ProviderDetails[k]})
		}
	}
	return out
}

// documentChecks are the checks of how the connector reads the profile
// document, for a mock that can shape it.
func (r *socialRun) documentChecks(t tb) {
	p := r.s.Provider
	if p.Supports(mockprovider.EndpointUserInfo, mockprovider.CaseTwins) {
		r.sub(t, "CaseFoldedNames", r.checkCaseFoldedNames)
	}
	if p.Supports(mockprovider.EndpointUserInfo, mockprovider.CustomID) {
		r.sub(t, "BlankID", r.checkBlankID)
		if numericIDs(p.Identities()) {
			r.sub(t, "NegativeZeroID", r.checkNegativeZeroID)
		}
	}
}

// numericIDs reports whether the provider's user IDs are integers (Kakao's).
func numericIDs(ids []mockprovider.Identity) bool {
	for _, id := range ids {
		if id.ID == "" || strings.Trim(id.ID, "0123456789") != "" {
			return false
		}
	}
	return len(ids) > 0
}

func (r *socialRun) checkCaseFoldedNames(e *env) {
	c := r.mustOpen(e)
	e.p.Fail(mockprovider.EndpointUserInfo, mockprovider.CaseTwins)
	for _, id := range r.sp(e).Identities() {
		what := fmt.Sprintf("sign-in as %s (%s) with a profile where each member has an upper-case twin holding "+
			"another value (JSON member names are case-sensitive: \"ID\" or \"EMAIL_VERIFIED\" is another member, "+
			"never \"id\" or \"email_verified\")", id.ID, id.Label)
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		if err != nil {
			e.t.Errorf("%s failed: %s%s", what, e.mask(err.Error()), e.problems())
			continue
		}
		r.checkUser(e, what, info, id)
	}
}

// blankIDs are user IDs that must never sign anyone in: blank, padded with
// space, or holding control or invisible characters.
var blankIDs = []string{" ", "\n", "\x00", "\u200b", " u1", "u1 "}

func (r *socialRun) checkBlankID(e *env) {
	c := r.mustOpen(e)
	for _, id := range blankIDs {
		e.p.SetFailure(mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.CustomID, UserID: id})
		what := fmt.Sprintf("sign-in with the user ID %q (an ID that is blank, has surrounding space or holds "+
			"control or invisible characters must never sign anyone in)", id)
		info, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
		if err == nil {
			e.t.Errorf("%s: signed in as %q, want invalid_response", what, info.ID)
			continue
		}
		e.check(what, err, want{codes: codes(connector.CodeInvalidResponse)})
	}
}

func (r *socialRun) checkNegativeZeroID(e *env) {
	c := r.mustOpen(e)
	e.p.SetFailure(mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.CustomID, UserID: json.Number("-0")})
	const what = "sign-in with the numeric user ID -0 (a numeric ID has one canonical form: -0 is the user \"0\"; " +
		"refusing it is fine too)"
	info, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
	if err != nil {
		e.check(what, err, want{})
		return
	}
	if info.ID != "0" {
		e.t.Errorf("%s: UserInfo.ID is %q, want \"0\"", what, info.ID)
	}
}

// checkHang signs in with ep hanging and a context deadline. When the
// deadline passes before the flow reaches ep (a loaded machine), it tries
// again with a longer one.
func (r *socialRun) checkHang(e *env, conn connector.Social, ep mockprovider.Endpoint, what string, w want) {
	e.p.Fail(ep, mockprovider.Hang)
	d := r.s.Deadline
	for attempt := 1; ; attempt++ {
		a := r.begin(e, conn, connector.AuthRequest{})
		cb := r.approve(e, a, "")
		before := e.p.Requests(ep)
		err, returned := runWithDeadline(e.ctx, d, func(ctx context.Context) error {
			_, err := r.userInfo(e, conn, ctx, connector.Callback{Params: cb, Flow: a.Flow})
			return err
		})
		if !returned {
			e.t.Errorf("%s: UserInfo still blocked %v after the context deadline: pass the caller's context to every request", what, hangGrace(d))
			return
		}
		e.check(what, err, w)
		if err == errPanicked {
			return
		}
		if e.p.Requests(ep) > before {
			if !e.waitCanceledHang(ep) {
				e.t.Errorf("%s: the request's context never ended at the provider: the caller's deadline did not reach the request", what)
			}
			return
		}
		if attempt == 3 {
			e.t.Errorf("%s: the connector never called the %s endpoint", what, ep)
			return
		}
		d *= 4
	}
}

func (r *socialRun) checkErrorCase(e *env, c mockprovider.ErrorCase) {
	conn := r.mustOpen(e)
	a := r.begin(e, conn, connector.AuthRequest{})
	e.p.SetFailure(c.Endpoint, c.Failure)
	cb := r.approve(e, a, "")
	_, err := r.userInfo(e, conn, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	e.check(fmt.Sprintf("sign-in with the %s endpoint answering %s", c.Endpoint, c.Name), err, want{
		codes: codes(c.Code), retryable: c.Retryable, retryAfter: c.RetryAfter, status: c.Status, providerCode: c.ProviderCode,
	})
}

func (r *socialRun) checkCanceled(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.userInfo(e, c, ctx, connector.Callback{Params: cb, Flow: a.Flow})
	if err == nil {
		e.t.Errorf("UserInfo with a canceled context succeeded: pass the caller's context to every request")
		return
	}
	e.check("UserInfo with a canceled context", err, want{})
}

func (r *socialRun) checkInjectedClient(e *env) {
	c := r.mustOpen(e)
	_, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
	if err != nil {
		e.t.Errorf("sign-in failed: %s%s", e.mask(err.Error()), e.problems())
	}
	served := 0
	for _, ep := range e.p.Endpoints() {
		served += e.p.Requests(ep)
	}
	if r.used[mockprovider.EndpointToken] || r.used[mockprovider.EndpointUserInfo] {
		if e.guard.count() == 0 {
			e.t.Errorf("the connector sent no request through the injected HTTP client (connector.WithHTTPClient): it must use Options.HTTPClient for every request")
		}
	}
	if served != e.guard.count() {
		e.t.Errorf("the mock served %d requests but only %d went through the injected client", served, e.guard.count())
	}
}
