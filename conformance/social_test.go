package conformance

import (
	"encoding/json"
	"errors"
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
		{name: "OAuth2Post", provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{Revocation: true}), pkce: true,
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
		Factory:  f,
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
			if u := p.URL(mockprovider.EndpointRevoke); u != "" {
				cfg["revocationEndpoint"] = u
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
			{Name: "raw", Raw: json.RawMessage(`{"clientId":"x","clientSecret":"secret-of-a-refused-config"}`), Field: "authorizationEndpoint"},
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
	r := runRecorded(func(r *recorder) { runSocial(r, refSubject(flawNone, v)) })
	if f := r.failedTests(); len(f) > 0 {
		t.Fatalf("the reference connector failed:\n%s", r.report())
	}
	assertRan(t, r,
		"Config/Valid", "Config/Invalid/missing_clientId", "Config/Malformed", "Config/UnknownField", "Metadata", "Formatting",
		"AuthorizationURL/Parameters", "AuthorizationURL/HostState", "AuthorizationURL/GeneratedState",
		"AuthorizationURL/RequestScope", "AuthorizationURL/ReservedParameters", "AuthorizationURL/MissingRedirectURI",
		"SignIn/HappyPath", "SignIn/Tokens", "SignIn/EveryIdentity", "SignIn/UnverifiedEmail", "SignIn/FlowOnSecondInstance",
		"SignIn/Concurrent", "Callback/ProviderError", "Callback/StateMismatch", "Callback/MissingState",
		"Callback/EmptyFlowState", "Callback/MissingCode", "Callback/ProviderErrorWithWrongState",
		"Callback/ProviderErrorControlCharacters", "Callback/RepeatedState", "Callback/RepeatedCode",
		"TokenEndpoint/InvalidGrant", "TokenEndpoint/Unauthorized", "TokenEndpoint/RateLimited", "TokenEndpoint/ServerError",
		"TokenEndpoint/Unavailable", "TokenEndpoint/HTMLPage", "TokenEndpoint/TruncatedJSON", "TokenEndpoint/EmptyBody",
		"TokenEndpoint/MissingToken", "TokenEndpoint/Oversized", "TokenEndpoint/Hang",
		"TokenEndpoint/DuplicateNames", "TokenEndpoint/Redirect",
		"UserInfoEndpoint/Unauthorized", "UserInfoEndpoint/MissingID", "UserInfoEndpoint/WrongTypes",
		"UserInfoEndpoint/DuplicateNames", "UserInfoEndpoint/Redirect", "UserInfoEndpoint/CaseFoldedNames",
		"UserInfoEndpoint/BlankID",
		"UserInfoEndpoint/Oversized", "UserInfoEndpoint/Hang", "ProviderErrors/invalid_client_400",
		"Context/Canceled", "Context/InjectedClient",
		"Refresh/NewTokens", "Refresh/EmptyToken", "Refresh/UnknownToken", "Refresh/InvalidGrant", "Refresh/Unauthorized",
		"Refresh/RateLimited", "Refresh/ServerError", "Refresh/HTMLPage", "Refresh/MissingToken", "Refresh/Oversized",
		"Refresh/Hang", "Refresh/DuplicateNames", "Refresh/Redirect", "Refresh/Context/Canceled", "Refresh/Context/InjectedClient",
		"Revoke/IssuedToken", "Revoke/BadArguments", "Revoke/Unauthorized", "Revoke/RateLimited", "Revoke/ServerError",
		"Revoke/Unavailable", "Revoke/Hang", "Revoke/Redirect", "Revoke/Context/Canceled", "Revoke/Context/InjectedClient",
	)
}

// TestSuiteCatchesBrokenSocial runs the suite on flawed connectors and
// checks each flaw fails the checks meant to catch it.
func TestSuiteCatchesBrokenSocial(t *testing.T) {
	t.Parallel()
	// Each flaw lists the checks meant to catch it, with the words of the
	// check's own failure message.
	cases := []struct {
		name    string
		flaw    socialFlaw
		variant int
		caught  []string
	}{
		{"IgnoresState", flawIgnoreState, 0, []string{
			"Callback/StateMismatch: succeeded, want state_mismatch",
			"Callback/MissingState: succeeded, want state_mismatch",
			"Callback/EmptyFlowState: called the token endpoint"}},
		{"LeaksSecretInError", flawLeakSecretInError, 0, []string{
			"TokenEndpoint/InvalidGrant: redaction: UserInfo error (Error()) holds a secret, the config field clientSecret",
			"TokenEndpoint/Unauthorized: redaction: UserInfo error (slog) holds a secret",
			"UserInfoEndpoint/Unauthorized: redaction: UserInfo error (%v %+v %#v) holds a secret"}},
		{"UsesDefaultClient", flawDefaultClient, 0, []string{
			"SignIn/HappyPath: sign-in failed",
			"Context/InjectedClient: sent no request through the injected HTTP client"}},
		{"MarksEveryEmailVerified", flawAllEmailsVerified, 0, []string{
			"SignIn/UnverifiedEmail: EmailVerified is true for u-1002",
			"SignIn/EveryIdentity: EmailVerified is true for an identity the provider did not verify"}},
		{"PanicsOnProviderData", flawPanicOnProfile, 0, []string{
			"UserInfoEndpoint/MissingID: UserInfo panicked",
			"UserInfoEndpoint/WrongTypes: UserInfo panicked"}},
		{"ReadsUnboundedBodies", flawUnboundedRead, 0, []string{
			"TokenEndpoint/Oversized: the connector read 10485760 bytes",
			"UserInfoEndpoint/Oversized: the connector read 10485760 bytes",
			"Refresh/Oversized: the connector read 10485760 bytes"}},
		{"DropsCallerContext", flawBackgroundContext, 0, []string{
			"TokenEndpoint/Hang: still blocked",
			"UserInfoEndpoint/Hang: still blocked",
			"SignIn/HappyPath: was sent without the caller's context",
			"Context/Canceled: with a canceled context succeeded"}},
		{"DetachesCallerDeadline", flawDetachedDeadline, 0, []string{
			"TokenEndpoint/Hang: still blocked",
			"UserInfoEndpoint/Hang: still blocked",
			"Context/Canceled: with a canceled context succeeded",
			"Refresh/Hang: Refresh still blocked",
			"Refresh/Context/Canceled: Refresh with a canceled context succeeded",
			"Revoke/Hang: Revoke still blocked",
			"Revoke/Context/Canceled: Revoke with a canceled context succeeded"}},
		{"RawTransportErrors", flawRawTransportErrors, 0, []string{
			"Context/Canceled: want a *connector.Error",
			"TokenEndpoint/Hang: want a *connector.Error"}},
		{"KeepsFlowInMemory", flawStatefulFlow, 0, []string{
			"SignIn/FlowOnSecondInstance: could not finish the flow the first started"}},
		{"RateLimitAsGeneral", flawRateLimitAsGeneral, 0, []string{
			"TokenEndpoint/RateLimited: want rate_limit_exceeded",
			"UserInfoEndpoint/RateLimited: want rate_limit_exceeded"}},
		{"ServerErrorsNotRetryable", flawNotRetryable, 0, []string{
			"TokenEndpoint/ServerError: not retryable",
			"TokenEndpoint/Unavailable: not retryable"}},
		{"LogsAccessToken", flawLogsToken, 0, []string{
			"SignIn/HappyPath: redaction: log output holds a secret",
			"Context/InjectedClient: redaction: log output holds a secret"}},
		{"PrintsSecret", flawPrintsSecret, 0, []string{
			"Formatting: redaction: connector after a sign-in (every fmt verb) holds a secret",
			"Config/Valid: redaction: connector (every fmt verb) holds a secret"}},
		{"AcceptsAnyConfig", flawAcceptsAnyConfig, 0, []string{
			"Config/Invalid/missing_clientId: succeeded, want invalid_config",
			"Config/Malformed: succeeded, want invalid_config",
			"Config/UnknownField: succeeded, want invalid_config"}},
		{"ConfigErrorsWithoutFields", flawConfigErrorsWithoutFields, 0, []string{
			`Config/Invalid/missing_clientId: Error.Fields (none) do not name "clientId"`,
			`Config/UnknownField: Error.Fields (none) do not name "conformanceUnknownField"`}},
		{"EchoesRefusedConfig", flawEchoesConfig, 0, []string{
			"Config/Invalid/raw: redaction: Open error (Error()) holds a secret, the config field clientSecret"}},
		{"FixedState", flawFixedState, 0, []string{
			"AuthorizationURL/GeneratedState: two flows got the same state",
			"SignIn/Concurrent: was given to another concurrent flow"}},
		{"IgnoresHostState", flawIgnoresHostState, 0, []string{
			"AuthorizationURL/HostState: want the host's"}},
		{"IgnoresRequestScope", flawIgnoresRequestScope, 0, []string{
			"AuthorizationURL/RequestScope: want the requested"}},
		{"AcceptsNoRedirectURI", flawAcceptsNoRedirectURI, 0, []string{
			"AuthorizationURL/MissingRedirectURI: succeeded, want an error"}},
		{"ParseErrorsAsGeneral", flawParseErrorAsGeneral, 0, []string{
			"TokenEndpoint/HTMLPage: want invalid_response",
			"TokenEndpoint/TruncatedJSON: want invalid_response",
			"UserInfoEndpoint/MissingID: want invalid_response"}},
		{"IgnoresProviderError", flawIgnoresProviderError, 0, []string{
			"Callback/ProviderError: want authorization_failed",
			"Callback/MissingCode: want authorization_failed"}},
		{"NoConfigSchema", flawNoSchema, 0, []string{
			"Metadata: Metadata.ConfigSchema is empty"}},
		{"RawKeepsAccessToken", flawRawKeepsToken, 0, []string{
			"SignIn/HappyPath: redaction: UserInfo.Raw holds a secret"}},
		{"TokensWithoutAsking", flawTokensAlways, 0, []string{
			"SignIn/HappyPath: UserInfo.Tokens is set though the callback did not ask"}},
		{"NeverReturnsTokens", flawNeverReturnsTokens, 0, []string{
			"SignIn/Tokens: UserInfo.Tokens is nil though the callback asked"}},
		{"ConcatenatesURL", flawConcatenatedURL, 0, []string{
			"AuthorizationURL/ReservedParameters: the authorization URL has 2 client_id parameters",
			"AuthorizationURL/Parameters: has no code_challenge"}},
		{"DropsPKCEVerifier", flawDropsVerifier, 0, []string{
			"SignIn/HappyPath: code_verifier is missing"}},
		{"WrongUserID", flawWrongID, 0, []string{
			`SignIn/HappyPath: want the provider's user ID "u-1001"`,
			"SignIn/EveryIdentity: want the provider's user ID"}},
		{"KakaoIgnoresEmailValidity", flawNone, -1, []string{
			"SignIn/EveryIdentity: sign-in as 1414213562 (invalid email): EmailVerified is true"}},
		{"FollowsRedirects", flawFollowsRedirects, 0, []string{
			"TokenEndpoint/Redirect: the connector followed the redirect",
			"UserInfoEndpoint/Redirect: the connector followed the redirect",
			"Refresh/Redirect: the connector followed the redirect",
			"Revoke/Redirect: the connector followed the redirect"}},
		{"RedirectAsHTTPError", flawRedirectAsHTTPError, 0, []string{
			"TokenEndpoint/Redirect: want invalid_response",
			"UserInfoEndpoint/Redirect: Error() holds the redirect's body"}},
		{"ProviderErrorBeforeState", flawErrorBeforeState, 0, []string{
			`Callback/ProviderErrorWithWrongState: code "authorization_failed", want state_mismatch`,
			"Callback/ProviderErrorWithWrongState: the error keeps the callback's error text"}},
		{"KeepsControlCharacters", flawKeepsControlChars, 0, []string{
			"Callback/ProviderErrorControlCharacters: Error.ProviderMessage keeps the character U+000D",
			"Callback/ProviderErrorControlCharacters: Error() keeps the character U+000D"}},
		{"FirstOfRepeatedParameters", flawFirstParamValue, 0, []string{
			"Callback/RepeatedState: succeeded, want invalid_request_parameters",
			"Callback/RepeatedCode: succeeded, want invalid_request_parameters"}},
		{"FoldsMemberNameCase", flawFoldsCase, 0, []string{
			`UserInfoEndpoint/CaseFoldedNames: UserInfo.ID is "twin-u-1001", want the provider's user ID "u-1001"`,
			"UserInfoEndpoint/CaseFoldedNames: EmailVerified is true for an identity the provider did not verify"}},
		{"AcceptsDuplicateNames", flawAcceptsDuplicateNames, 0, []string{
			"TokenEndpoint/DuplicateNames: succeeded, want invalid_response",
			"UserInfoEndpoint/DuplicateNames: succeeded, want invalid_response"}},
		{"AcceptsBlankIDs", flawAcceptsBlankID, 0, []string{
			`UserInfoEndpoint/BlankID: signed in as " ", want invalid_response`,
			`UserInfoEndpoint/BlankID: signed in as "\u200b", want invalid_response`,
			`UserInfoEndpoint/BlankID: signed in as " u1", want invalid_response`}},
		{"RefreshRefusalAsGeneral", flawRefreshRefusalAsGeneral, 0, []string{
			`Refresh/UnknownToken: code "general", want social_invalid_access_token`,
			`Refresh/InvalidGrant: code "general", want social_invalid_access_token`}},
		{"RefreshDropsRefreshToken", flawRefreshDropsToken, 0, []string{
			"Refresh/NewTokens: Tokens.RefreshToken is empty after a refresh"}},
		{"RefreshEmptyTokenCallsProvider", flawRefreshEmptyCallsProvider, 0, []string{
			"Refresh/EmptyToken: code \"social_invalid_access_token\", want invalid_request_parameters",
			"Refresh/EmptyToken: Refresh with an empty refresh token sent 1 requests"}},
		{"RevokeSendsBadArguments", flawRevokeSendsBadArguments, 0, []string{
			`Revoke/BadArguments: Revoke of an empty token: code "general", want invalid_request_parameters`,
			"Revoke/BadArguments: Revoke with arguments no revocation can be made with sent 3 requests"}},
		{"RevokeQuotesHint", flawRevokeQuotesHint, 0, []string{
			"Revoke/BadArguments: redaction: Revoke error (Error()) holds a secret, the token passed to Revoke as its hint"}},
		{"RevokeIgnoresStatus", flawRevokeIgnoresStatus, 0, []string{
			"Revoke/ServerError: Revoke with the revoke endpoint answering ServerError: succeeded, want general",
			"Revoke/Unauthorized: Revoke with the revoke endpoint answering Unauthorized: succeeded"}},
		{"RawNumericID", flawRawNumberID, 4, []string{
			`UserInfoEndpoint/NegativeZeroID: UserInfo.ID is "-0", want "0"`}},
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
			r := runRecorded(func(r *recorder) { runSocial(r, s) })
			assertCaught(t, r, tc.caught...)
		})
	}
}

func TestSocialSubjectIncomplete(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { runSocial(r, Social{}) })
	rep := r.report()
	if !strings.Contains(rep, "Open (or Factory), Provider, Config") {
		t.Fatalf("an empty subject was not refused clearly:\n%s", rep)
	}
}

func TestSocialOpenReturnsWrongKind(t *testing.T) {
	t.Parallel()
	s := refSubject(flawNone, refVariants()[0])
	s.Factory = connector.Factory{}
	s.Open = func(json.RawMessage, ...connector.Option) (connector.Connector, error) {
		return refMetadataOnly{}, nil
	}
	r := runRecorded(func(r *recorder) { runSocial(r, s) })
	assertCaught(t, r, "SignIn/HappyPath: not a connector.Social", "Metadata: not a connector.Social")
	if !strings.Contains(r.report(), "not a connector.Social") {
		t.Errorf("the report does not say the connector is not social:\n%s", r.report())
	}
}

type refMetadataOnly struct{}

func (refMetadataOnly) Metadata() connector.Metadata { return connector.Metadata{} }

// TestConfigChecksScanSubjectSecrets: the Config subtests look for the
// subject's own Secrets too (a signing key the config does not hold), not
// only for the config's.
func TestConfigChecksScanSubjectSecrets(t *testing.T) {
	t.Parallel()
	const secret = "subject-secret-0123456789"
	s := refSubject(flawNone, refVariants()[0])
	s.Secrets = []string{secret}
	open := s.Factory.Open
	s.Factory = connector.Factory{}
	s.Open = func(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
		c, err := open(raw, opts...)
		if err != nil {
			var ce *connector.Error
			if errors.As(err, &ce) {
				ce.Message += " (signing with " + secret + ")"
			}
		}
		return c, err
	}
	r := runRecorded(func(r *recorder) { runSocial(r, s) })
	assertCaught(t, r,
		"Config/Malformed: redaction: Open error (Error()) holds a secret, the subject secret",
		"Config/UnknownField: redaction: Open error (Error()) holds a secret, the subject secret",
		"Config/Invalid/missing_clientId: redaction: Open error (Error()) holds a secret, the subject secret")
	if rep := r.report(); strings.Contains(rep, secret) {
		t.Errorf("the suite's report shows the secret it found instead of masking it:\n%s", rep)
	}
}
