// Package conformance is the suite every connector passes: [RunSocial] for
// social connectors and [RunSender] for message senders. A connector author
// describes the connector (how to open it from a JSON config) and its
// provider (a programmable mock from package mockprovider), and the suite
// runs each check as a named subtest on a fresh connector and a fresh mock,
// in parallel, as dex's storage conformance does:
//
//	func TestConformance(t *testing.T) {
//		conformance.RunSocial(t, conformance.Social{
//			Factory:  acme.Factory(),
//			Provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{}),
//			Config: func(p mockprovider.SocialProvider) json.RawMessage {
//				return acmeConfig(p.URL(mockprovider.EndpointAuthorize), p.ClientID(), p.ClientSecret())
//			},
//			PKCE: true,
//		})
//	}
//
// Every connector is opened with [connector.WithHTTPClient] (a client whose
// transport reaches only the mock, refuses any other host and notes any
// request sent without the caller's context) and [connector.WithLogger] (a
// logger that captures every line). At the end of every subtest the suite
// looks for each secret (string config fields named *secret, *password,
// *token or *key; the mock's client secret, codes, access, refresh and ID
// tokens; PKCE verifiers; each also form-, path- and base64-encoded and
// inside Basic credentials) in every error the connector returned (Error(),
// %v, %+v, %#v and its slog form), every log line, the authorization URLs,
// the raw profiles and the fmt output (every verb, of the value and of the
// struct a pointer points to) and slog output of the connector and its
// results. The
// suite never prints a secret itself: its messages mask them.
//
// # Social checks
//
//   - Config/Valid: each valid config opens; Config/Invalid/<name>: each
//     [InvalidConfig] is refused with invalid_config naming its field;
//     Config/Malformed: empty, null, array, string and truncated configs are
//     refused; Config/UnknownField: a misspelt field is refused and named.
//   - Metadata: ID, target, type Social, platform, English name, logo, a
//     JSON Schema object that describes every field of the valid config and
//     requires none it lacks; the factory registers.
//   - Formatting: the connector printed with every fmt verb (%v %+v %#v %s
//     %q %x %X %d %t %e %o %b %U %c), dereferenced too, and logged with slog,
//     before and after a sign-in, holds no secret: a type with only a String
//     method leaks its fields under %d or when copied, so a connector
//     implements fmt.Formatter and slog.LogValuer.
//   - AuthorizationURL/Parameters: the URL points at the provider and carries
//     client_id, redirect_uri, state, response_type with code, the configured
//     scope, an S256 PKCE challenge of Flow.CodeVerifier and a nonce equal to
//     Flow.Nonce when the subject says the connector uses them (and neither
//     when it says not); the provider accepts it. HostState: a host state is
//     used as given. GeneratedState: generated states (and verifiers, nonces)
//     are long and differ per flow. RequestScope: a per-request scope the
//     config does not request already is sent. ReservedParameters: scope,
//     prompt and login hint values cannot add or override client_id,
//     state, redirect_uri or response_type. MissingRedirectURI: a request
//     without redirect URI is refused.
//   - SignIn/HappyPath: the user's ID is the provider's, the raw profile is
//     kept and valid JSON, the email is the provider's, EmailVerified only
//     for an address the provider verified, no tokens unless asked.
//     MoreConfigs: every further valid config signs in. Tokens: with
//     WantTokens the access token is the one issued. EveryIdentity: each mock
//     identity signs in with the right ID and email flags (64-bit IDs, no
//     email, invalid email...). UnverifiedEmail: an unverified address is
//     never marked verified. FlowOnSecondInstance: the flow state survives a
//     JSON round trip and a second instance from the same config finishes
//     the flow. Concurrent: parallel flows on one instance (run with -race).
//   - Callback/ProviderError: the provider's error (access_denied, Apple's
//     user_cancelled_authorize) is authorization_failed with the provider's
//     code. StateMismatch, MissingState: state_mismatch. EmptyFlowState: a
//     callback with no flow state is refused. MissingCode (when the code is
//     exchanged): refused. ProviderErrorWithWrongState: an error parameter
//     with another flow's state, or none, is state_mismatch and keeps no
//     provider text (the state is checked before the error is believed).
//     ProviderErrorControlCharacters: CR, LF, ESC and U+202E in the
//     provider's error_description reach neither Error() nor the provider
//     fields. RepeatedState, RepeatedCode (when the code is exchanged): a
//     parameter given twice is invalid_request_parameters (RFC 6749 §3.1).
//     None of them calls the token endpoint.
//   - TokenEndpoint/<mode>, UserInfoEndpoint/<mode>, KeysEndpoint/<mode>, for
//     the endpoints a sign-in calls: 400 invalid_grant is
//     social_auth_code_invalid with the provider's code and status; 401 is
//     general or invalid_config at the token endpoint and
//     social_invalid_access_token at userinfo; 429 is rate_limit_exceeded
//     with the provider's Retry-After; 500 and 503 are retryable general
//     errors with the status kept; an HTML page, truncated JSON or an empty
//     body is invalid_response; a token response without access_token is
//     refused; a profile without the ID, or with an ID of the wrong type, is
//     invalid_response; a 10 MiB body fails without being read past 4 MiB; a
//     provider that never answers makes the call return soon after the
//     context deadline, the deadline having reached the request; a redirect
//     (Redirect) is invalid_response, never followed (its target gets no
//     request) and its body in no error; a token response with access_token
//     twice, or a profile with the user ID member twice (DuplicateNames), is
//     invalid_response. At the keys endpoint every failure fails the
//     sign-in with a code of the connector's choice, and a redirect is never
//     followed. Every error is a *connector.Error with its connector and
//     step set, and nothing panics.
//   - UserInfoEndpoint/CaseFoldedNames: with an upper-case twin holding
//     another value after each profile member ("ID", "EMAIL_VERIFIED"),
//     every identity signs in with its own ID, email and verified flag
//     (member names are case-sensitive). BlankID: the user IDs " ", "\n",
//     "\x00", "\u200b", " u1" and "u1 " are invalid_response, never a
//     sign-in. NegativeZeroID, for a provider whose IDs are integers: the ID
//     -0 is refused or is the user "0". They run when the mock supports
//     [mockprovider.CaseTwins] and [mockprovider.CustomID].
//   - Refresh/..., for a connector that implements [connector.Refresher]
//     when the mock issues refresh tokens: NewTokens: the refresh token of
//     a sign-in (WantTokens) buys the access token the provider issues, in
//     one request, and the result keeps the refresh token given when the
//     provider sends no new one (RFC 6749 §6). EmptyToken: "" is
//     invalid_request_parameters, before any request. UnknownToken: a
//     token the provider refuses (400 invalid_grant) is
//     social_invalid_access_token with the provider's code and status: the
//     user must sign in again. Refresh/<mode>: the token endpoint's
//     failures above, met by a refresh, at step refresh (invalid_grant is
//     social_invalid_access_token there). Refresh/Context/...: as below.
//   - Revoke/..., for a connector that implements [connector.Revoker]
//     against a mock with a revocation endpoint, when the config enables
//     revocation (Revoke does not answer not_implemented or
//     invalid_config): IssuedToken: revoking the refresh token (else the
//     access token) of a sign-in sends one request, revokes that token at
//     the provider, and a refresh with it then fails with
//     social_invalid_access_token. BadArguments: an empty token, the hint
//     "id_token" and a token given as the hint are
//     invalid_request_parameters, before any request, and the error does
//     not quote the token.
//     Revoke/<mode>: 401, 429, 500, 503, a redirect and a hang at the
//     revocation endpoint, as at the token endpoint, at step revoke.
//     Revoke/Context/...: as below.
//   - ProviderErrors/<name>: each provider-specific failure the mock lists
//     ([mockprovider.Provider.ErrorCases]: Kakao's KOE320, Apple's id_token
//     faults...) maps to its code.
//   - Context/Canceled: a canceled context fails the call with a
//     *connector.Error. InjectedClient: every request went through the
//     injected client.
//
// # Sender checks
//
//   - Config/..., Metadata (type Sms or Email, no platform), Formatting: as
//     for social connectors.
//   - Send/HappyPath: the message reaches the provider with the rendered
//     body, and the receipt holds the provider's message ID. MoreConfigs.
//     DigitsOnlyRecipient: Logto's digits-only number is sent in E.164.
//     Concurrent: parallel sends, each with its own body and receipt.
//   - Templates/ExactUsage: the usage type's template; GenericFallback: the
//     Generic template otherwise; NotFound: template_not_found without any
//     request when neither exists (or the config is refused); Placeholders:
//     {{code}}, {{ code }}, dotted {{application.name}}, unknown roots left
//     as written.
//   - InvalidRecipient/<case>: what cannot be a phone number is
//     invalid_request_parameters before any request.
//   - ProviderFailure/<mode>: an invalid recipient is
//     invalid_request_parameters, an authentication failure invalid_config,
//     429 rate_limit_exceeded with Retry-After, 5xx a retryable general
//     error; broken bodies fail without panic or unbounded reads; a hang
//     ends with the context deadline. ProviderErrors/<code>: the mock's
//     error codes (Twilio's 21211, 21614, 20003, 20429, 21608...).
//   - Context/Canceled, Context/InjectedClient: as for social connectors.
//
// # A mock for your provider
//
// A provider with a fixed shape (a GitHub- or Discord-like API) is mocked
// from a description: [mockprovider.NewSocial] takes a
// [mockprovider.SocialSpec] (endpoint paths, client authentication, the
// profile document of each test identity, the error body) and returns a
// mock that checks every request as the provider would and renders every
// failure mode in the provider's shape. mockprovider's ExampleNewSocial
// proves a small connector written on net/http and encoding/json against
// such a mock: a starting point for your own. A message API (SMS, email)
// is mocked the same way from a [mockprovider.MessageSpec] by
// [mockprovider.NewMessage] (the request shape, the API key's place, the
// answer and error bodies), for [RunSender]; an OpenID Connect provider is
// [mockprovider.NewOIDC] (discovery, rotating keys, RS256, PS256 or
// ES256, RFC 9207's iss).
//
// This package's own tests run the suites on a recorder instead of a
// *testing.T, to prove that broken connectors fail the checks meant to
// catch them.
package conformance
