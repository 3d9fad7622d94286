package conformance

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

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
func RunSocial(t *testing.T, s Social) {
	t.Helper()
	runSocial(testingT{t}, s)
}

// socialRun is one run of the social suite.
type socialRun struct {
	*suite[mockprovider.SocialProvider, connector.Social]
	s Social
	// used lists the endpoints a sign-in calls (learned by a probe).
	used map[mockprovider.Endpoint]bool
	// refresher: the connector implements connector.Refresher;
	// refreshIssued: the mock issued a refresh token at sign-in (learned
	// by the probe).
	refresher, refreshIssued bool
	// revoker: the connector implements connector.Revoker; revokeOff: the
	// code with which its Revoke said the config has no revocation.
	revoker   bool
	revokeOff string
}

func newSocialRun(s Social) (*socialRun, error) {
	r := &socialRun{s: s, used: map[mockprovider.Endpoint]bool{}}
	r.suite = &suite[mockprovider.SocialProvider, connector.Social]{
		kind: "Social", open: s.Open, factory: s.Factory, provider: s.Provider,
		config: s.Config, more: s.MoreConfigs, options: s.extraOptions,
		invalid: s.InvalidConfigs, secrets: s.Secrets, deadline: s.Deadline,
		idents: func(p mockprovider.SocialProvider) []string { return []string{p.ClientID()} },
		use:    "sign-in", useGroup: "SignIn", call: "UserInfo",
		prepare: r.prepareCallback,
	}
	return r, r.validate()
}

func runSocial(t tb, s Social) {
	t.Helper()
	r, err := newSocialRun(s)
	if err != nil {
		t.Fatalf("%v", err)
	}
	r.probe(t)

	r.configChecks(t)
	r.sub(t, "Metadata", r.checkMetadata)
	r.sub(t, "Formatting", func(e *env) {
		r.checkFormatting(e, func(c connector.Social) error {
			_, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
			return err
		})
	})
	r.group(t, "AuthorizationURL", r.authorizationChecks)
	r.group(t, "SignIn", r.signInChecks)
	r.group(t, "Callback", r.callbackChecks)
	r.endpointChecks(t)
	r.refreshChecks(t)
	r.revokeChecks(t)
	r.errorCaseChecks(t, func(c mockprovider.ErrorCase) bool {
		return c.Endpoint == mockprovider.EndpointAuthorize || r.used[c.Endpoint]
	}, func(c mockprovider.ErrorCase) string {
		return fmt.Sprintf("sign-in with the %s endpoint answering %s", c.Endpoint, c.Name)
	}, "")
	r.contextChecks(t, nil, r.used[mockprovider.EndpointToken] || r.used[mockprovider.EndpointUserInfo])
}

// extraOptions are the subject's options for p: its endpoints, then Options.
func (s *Social) extraOptions(p mockprovider.SocialProvider) []connector.Option {
	var opts []connector.Option
	for _, name := range slices.Sorted(maps.Keys(s.Endpoints)) {
		opts = append(opts, connector.WithEndpoint(name, p.URL(s.Endpoints[name])))
	}
	if s.Options != nil {
		opts = append(opts, s.Options(p)...)
	}
	return opts
}

// probed are the endpoints whose failures a sign-in may meet.
var probed = []mockprovider.Endpoint{mockprovider.EndpointToken, mockprovider.EndpointUserInfo, mockprovider.EndpointJWKS}

// probe signs in once, quietly, to learn which endpoints a sign-in calls.
func (r *socialRun) probe(t tb) {
	e := r.newEnv(t, false)
	c, err := r.openAs(e, r.config(r.mock(e)))
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
	_, r.refresher = c.(connector.Refresher)
	r.refreshIssued = err == nil && len(r.mock(e).Issued().RefreshTokens) > 0
	if err == nil {
		r.probeRevoke(e, c)
	}
}
