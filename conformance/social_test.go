package conformance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// refVariant is the reference connector wired to one mock.
type refVariant struct {
	name     string
	provider mockprovider.SocialProvider
	// config adds provider-specific fields to the generic config.
	config map[string]any
	pkce   bool
}

func refVariants() []refVariant {
	return []refVariant{
		{name: "OAuth2Post", provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{}), pkce: true,
			config: map[string]any{"emailVerifiedPath": "email_verified"}},
		{name: "OAuth2Basic", provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthClientSecretBasic}),
			config: map[string]any{"tokenEndpointAuthMethod": "client_secret_basic"}},
		{name: "OAuth2FormTokens", provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{FormTokenResponse: true,
			TokenFields: map[string]any{"token_type": nil, "expires_in": "3600"}})},
		{name: "OAuth2Public", provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{AuthMethod: mockprovider.AuthNone}), pkce: true,
			config: map[string]any{"tokenEndpointAuthMethod": "none"}},
		{name: "Kakao", provider: mockprovider.NewKakao(mockprovider.KakaoOptions{ClientSecret: "kakao-secret-0123456789"}),
			config: map[string]any{"emailPath": "kakao_account.email", "emailVerifiedPath": "kakao_account.is_email_verified",
				"emailValidPath": "kakao_account.is_email_valid", "namePath": "kakao_account.profile.nickname"}},
		{name: "HuggingFace", provider: mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{}), pkce: true,
			config: map[string]any{"tokenEndpointAuthMethod": "client_secret_basic", "idPath": "sub", "emailVerifiedPath": "email_verified"}},
	}
}

// refSubject describes the reference connector (with flaw) on v.
func refSubject(flaw socialFlaw, v refVariant) Social {
	f := refSocialFactory(flaw)
	return Social{
		Factory:  &f,
		Provider: v.provider,
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			cfg := map[string]any{
				"authorizationEndpoint": p.URL(mockprovider.EndpointAuthorize),
				"tokenEndpoint":         p.URL(mockprovider.EndpointToken),
				"userInfoEndpoint":      p.URL(mockprovider.EndpointUserInfo),
				"clientId":              p.ClientID(),
				"scope":                 "openid email",
				"pkce":                  v.pkce,
			}
			if s := p.ClientSecret(); s != "" {
				cfg["clientSecret"] = s
			}
			for k, x := range v.config {
				cfg[k] = x
			}
			return mustJSON(cfg)
		},
		InvalidConfigs: []InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "ftp token endpoint", Edit: func(c map[string]any) { c["tokenEndpoint"] = "ftp://example.com/token" }, Field: "tokenEndpoint"},
			{Name: "unknown auth method", Edit: func(c map[string]any) { c["tokenEndpointAuthMethod"] = "magic" }, Field: "tokenEndpointAuthMethod"},
			{Name: "scope not a string", Edit: func(c map[string]any) { c["scope"] = []any{"openid"} }, Field: "scope"},
			{Name: "raw", Raw: json.RawMessage(`{"clientId":"x"}`), Field: "authorizationEndpoint"},
		},
		PKCE:     v.pkce,
		Scope:    "openid email",
		Deadline: 300 * time.Millisecond,
	}
}

// TestReferenceSocial runs the suite with *testing.T on the correct
// reference connector against every OAuth mock.
func TestReferenceSocial(t *testing.T) {
	t.Parallel()
	for _, v := range refVariants() {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			RunSocial(t, refSubject(flawNone, v))
		})
	}
}

// TestRecordedReferenceSocial runs the suite on a recorder: the correct
// connector must produce no failure there either.
func TestRecordedReferenceSocial(t *testing.T) {
	t.Parallel()
	v := refVariants()[0]
	r := runRecorded(func(r *recorder) { RunSocial(r, refSubject(flawNone, v)) })
	if f := r.failedTests(); len(f) > 0 {
		t.Fatalf("the reference connector failed:\n%s", r.report())
	}
	for _, name := range []string{
		"Config/Valid", "Config/Invalid/missing_clientId", "Config/Malformed", "Config/UnknownField", "Metadata", "Formatting",
		"AuthorizationURL/Parameters", "AuthorizationURL/HostState", "AuthorizationURL/GeneratedState",
		"AuthorizationURL/RequestScope", "AuthorizationURL/ReservedParameters", "AuthorizationURL/MissingRedirectURI",
		"SignIn/HappyPath", "SignIn/Tokens", "SignIn/EveryIdentity", "SignIn/UnverifiedEmail", "SignIn/FlowOnSecondInstance",
		"SignIn/Concurrent", "Callback/ProviderError", "Callback/StateMismatch", "Callback/MissingState",
		"Callback/EmptyFlowState", "Callback/MissingCode",
		"TokenEndpoint/InvalidGrant", "TokenEndpoint/Unauthorized", "TokenEndpoint/RateLimited", "TokenEndpoint/ServerError",
		"TokenEndpoint/Unavailable", "TokenEndpoint/HTMLPage", "TokenEndpoint/TruncatedJSON", "TokenEndpoint/EmptyBody",
		"TokenEndpoint/MissingToken", "TokenEndpoint/Oversized", "TokenEndpoint/Hang",
		"UserInfoEndpoint/Unauthorized", "UserInfoEndpoint/MissingID", "UserInfoEndpoint/WrongTypes",
		"UserInfoEndpoint/Oversized", "UserInfoEndpoint/Hang", "ProviderErrors/invalid_client_400",
		"Context/Canceled", "Context/InjectedClient",
	} {
		if !r.ran(name) {
			t.Errorf("the suite did not run %s", name)
		}
	}
}

// TestSuiteCatchesBrokenSocial runs the suite on flawed connectors and
// checks each flaw fails the checks meant to catch it.
func TestSuiteCatchesBrokenSocial(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		flaw    socialFlaw
		variant int
		caught  []string
	}{
		{"IgnoresState", flawIgnoreState, 0, []string{"Callback/StateMismatch", "Callback/MissingState", "Callback/EmptyFlowState"}},
		{"LeaksSecretInError", flawLeakSecretInError, 0, []string{"TokenEndpoint/InvalidGrant", "TokenEndpoint/Unauthorized", "UserInfoEndpoint/Unauthorized"}},
		{"UsesDefaultClient", flawDefaultClient, 0, []string{"SignIn/HappyPath", "Context/InjectedClient"}},
		{"MarksEveryEmailVerified", flawAllEmailsVerified, 0, []string{"SignIn/UnverifiedEmail", "SignIn/EveryIdentity"}},
		{"PanicsOnProviderData", flawPanicOnProfile, 0, []string{"UserInfoEndpoint/MissingID", "UserInfoEndpoint/WrongTypes"}},
		{"ReadsUnboundedBodies", flawUnboundedRead, 0, []string{"TokenEndpoint/Oversized", "UserInfoEndpoint/Oversized"}},
		{"DropsCallerContext", flawBackgroundContext, 0, []string{"TokenEndpoint/Hang", "UserInfoEndpoint/Hang", "SignIn/HappyPath", "Context/Canceled"}},
		{"KeepsFlowInMemory", flawStatefulFlow, 0, []string{"SignIn/FlowOnSecondInstance"}},
		{"RateLimitAsGeneral", flawRateLimitAsGeneral, 0, []string{"TokenEndpoint/RateLimited", "UserInfoEndpoint/RateLimited"}},
		{"ServerErrorsNotRetryable", flawNotRetryable, 0, []string{"TokenEndpoint/ServerError", "TokenEndpoint/Unavailable"}},
		{"LogsAccessToken", flawLogsToken, 0, []string{"SignIn/HappyPath", "Context/InjectedClient"}},
		{"PrintsSecret", flawPrintsSecret, 0, []string{"Formatting", "Config/Valid"}},
		{"AcceptsAnyConfig", flawAcceptsAnyConfig, 0, []string{"Config/Invalid/missing_clientId", "Config/Malformed", "Config/UnknownField"}},
		{"FixedState", flawFixedState, 0, []string{"AuthorizationURL/GeneratedState", "SignIn/Concurrent"}},
		{"ParseErrorsAsGeneral", flawParseErrorAsGeneral, 0, []string{"TokenEndpoint/HTMLPage", "TokenEndpoint/TruncatedJSON", "UserInfoEndpoint/MissingID"}},
		{"IgnoresProviderError", flawIgnoresProviderError, 0, []string{"Callback/ProviderError"}},
		{"NoConfigSchema", flawNoSchema, 0, []string{"Metadata"}},
		{"RawKeepsAccessToken", flawRawKeepsToken, 0, []string{"SignIn/HappyPath"}},
		{"TokensWithoutAsking", flawTokensAlways, 0, []string{"SignIn/HappyPath"}},
		{"ConcatenatesURL", flawConcatenatedURL, 0, []string{"AuthorizationURL/ReservedParameters", "AuthorizationURL/Parameters"}},
		{"DropsPKCEVerifier", flawDropsVerifier, 0, []string{"SignIn/HappyPath"}},
		{"WrongUserID", flawWrongID, 0, []string{"SignIn/HappyPath", "SignIn/EveryIdentity"}},
		{"KakaoIgnoresEmailValidity", flawNone, -1, []string{"SignIn/EveryIdentity"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s Social
			if tc.variant < 0 {
				// The reference connector without emailValidPath on the
				// Kakao mock: an address Kakao calls invalid looks verified.
				v := refVariants()[4]
				delete(v.config, "emailValidPath")
				s = refSubject(tc.flaw, v)
			} else {
				s = refSubject(tc.flaw, refVariants()[tc.variant])
			}
			s.Deadline = 200 * time.Millisecond
			r := runRecorded(func(r *recorder) { RunSocial(r, s) })
			assertCaught(t, r, tc.caught...)
		})
	}
}

func TestSocialSubjectIncomplete(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { RunSocial(r, Social{}) })
	rep := r.report()
	if !strings.Contains(rep, "Open (or Factory), Provider, Config") {
		t.Fatalf("an empty subject was not refused clearly:\n%s", rep)
	}
}

func TestSocialOpenReturnsWrongKind(t *testing.T) {
	t.Parallel()
	s := refSubject(flawNone, refVariants()[0])
	s.Factory = nil
	s.Open = func(json.RawMessage, ...connector.Option) (connector.Connector, error) {
		return refMetadataOnly{}, nil
	}
	r := runRecorded(func(r *recorder) { RunSocial(r, s) })
	assertCaught(t, r, "SignIn/HappyPath", "Metadata")
	if !strings.Contains(r.report(), "not a connector.Social") {
		t.Errorf("the report does not say the connector is not social:\n%s", r.report())
	}
}

type refMetadataOnly struct{}

func (refMetadataOnly) Metadata() connector.Metadata { return connector.Metadata{} }
