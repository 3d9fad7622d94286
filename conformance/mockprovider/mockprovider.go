// Package mockprovider holds programmable fakes of the providers connectorkit
// talks to: a generic OAuth 2.0 server ([NewOAuth2]), a generic OpenID
// Connect provider ([NewOIDC]), Kakao ([NewKakao]), Sign in with Apple
// ([NewApple]), Hugging Face ([NewHuggingFace]) and Twilio Programmable
// Messaging ([NewTwilio]). A connector author whose provider has
// a fixed shape (a GitHub- or Discord-like API) describes it in a
// [SocialSpec] (endpoint paths, client authentication, the profile of each
// test identity, the error body) and gets its mock from [NewSocial], as the
// Kakao and Hugging Face mocks do:
//
//	p := mockprovider.NewSocial(mockprovider.SocialSpec{
//		Name:       "github",
//		Paths:      map[mockprovider.Endpoint]string{mockprovider.EndpointUserInfo: "/user"},
//		ClientAuth: mockprovider.AuthClientSecretPost,
//		Profile:    func(id mockprovider.Identity) map[string]any { return map[string]any{"id": json.Number(id.ID), "login": id.Username} },
//	})
//
// An SMS or email API is described the same way, in a [MessageSpec] (the
// send endpoint, how the API key is sent, the request's fields, the answer's
// message ID, the error body), and mocked by [NewMessage]:
//
//	p := mockprovider.NewMessage(mockprovider.MessageSpec{
//		Name:    "acme",
//		Path:    "/v1/messages",
//		Auth:    mockprovider.BearerKey,
//		IDField: "message_id",
//	})
//
// Each mock is an [http.Handler] plus the state a provider keeps (issued
// codes and tokens, test identities, sent messages). It validates what it
// receives as the real provider does (client authentication per method, the
// PKCE verifier against the challenge, the redirect URI, single-use codes,
// Basic credentials), so a connector that sends a wrong request fails its
// happy path, and every endpoint can be switched to a failure [Mode] (HTTP
// 400, 401, 429, 5xx, an HTML page, truncated JSON, a 10 MB body, a hang
// until the request's context ends, a redirect, a profile without the user
// ID or with a member name twice...).
//
// A mock is used in one of two ways:
//
//	p := mockprovider.NewOAuth2(mockprovider.OAuth2Options{})
//	client := p.Client()                  // 1. tests: an *http.Client whose httpmock transport serves p
//	cb, _ := p.Approve(authURL, "")       //    the browser's part: approve as the first identity
//
//	base, _ := p.Start()                  // 2. a real server on 127.0.0.1 for the demo and browsers
//	defer p.Close()                       //    GET base+"/authorize" shows a page with one button per identity
//
// In the first form a mock answers on a fake host (such as
// https://oauth2.mock.test) that never resolves, so a request that bypasses
// the client fails; [Provider.URL] gives each endpoint's address in either
// form.
package mockprovider

import (
	"net/http"
	"net/url"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

// Endpoint names an endpoint of a mock provider.
type Endpoint string

// Endpoints.
const (
	// EndpointAuthorize is the authorization page the browser is sent to.
	// Its failure switches apply to what [SocialProvider.Approve] returns
	// (Sign in with Apple's id_token travels in the callback).
	EndpointAuthorize Endpoint = "authorize"
	// EndpointToken is the OAuth 2.0 token endpoint.
	EndpointToken Endpoint = "token"
	// EndpointUserInfo returns the signed-in user's profile.
	EndpointUserInfo Endpoint = "userinfo"
	// EndpointJWKS serves the provider's public signing keys.
	EndpointJWKS Endpoint = "jwks"
	// EndpointRevoke revokes a token.
	EndpointRevoke Endpoint = "revoke"
	// EndpointDiscovery serves an OpenID Connect provider's metadata
	// (/.well-known/openid-configuration).
	EndpointDiscovery Endpoint = "discovery"
	// EndpointMessages creates (sends) a message.
	EndpointMessages Endpoint = "messages"
	// EndpointRedirectTarget is where a [Redirect] answer points. The OAuth
	// mocks serve it (200 with a small JSON body) and count its requests,
	// so a test sees whether a client followed the redirect.
	// [Provider.Endpoints] does not list it: it is no endpoint of the
	// provider's.
	EndpointRedirectTarget Endpoint = "redirect-target"
)

// Mode is a failure an endpoint can be switched to. Each provider renders a
// mode in its own shape: [InvalidGrant] is {"error":"invalid_grant",...,
// "error_code":"KOE320"} at Kakao and a plain OAuth error elsewhere.
type Mode string

// Failure modes.
const (
	// OK answers normally.
	OK Mode = ""
	// InvalidGrant refuses the authorization code: 400 invalid_grant.
	InvalidGrant Mode = "InvalidGrant"
	// Unauthorized refuses the caller's credentials: 401 invalid_client at a
	// token endpoint, an invalid access token at a userinfo endpoint, an
	// authentication error at a messaging API.
	Unauthorized Mode = "Unauthorized"
	// RateLimited answers 429 with a Retry-After header ([Failure.RetryAfter],
	// 7 seconds by default).
	RateLimited Mode = "RateLimited"
	// ServerError answers 500.
	ServerError Mode = "ServerError"
	// Unavailable answers 503.
	Unavailable Mode = "Unavailable"
	// HTMLPage answers 200 with an HTML page (a captive portal, a login
	// wall, a misconfigured proxy).
	HTMLPage Mode = "HTMLPage"
	// TruncatedJSON answers 200 with the first half of the normal JSON body.
	TruncatedJSON Mode = "TruncatedJSON"
	// Oversized answers 200 with the normal JSON document padded to
	// [OversizedBytes] by a leading field. The body is streamed, never held
	// in memory; [Provider.BytesSent] tells how much the client read. A
	// client that reads it all succeeds, so only a capped reader errors.
	Oversized Mode = "Oversized"
	// Hang sends nothing until the request's context ends (or the mock is
	// closed, or [Provider.SetHangLimit] passes).
	Hang Mode = "Hang"
	// EmptyBody answers 200 with a JSON content type and no body.
	EmptyBody Mode = "EmptyBody"
	// MissingID leaves the user ID out of the identity document (the
	// userinfo profile, or an id_token without "sub").
	MissingID Mode = "MissingID"
	// WrongTypes gives the user ID in the identity document the wrong JSON
	// type (an object).
	WrongTypes Mode = "WrongTypes"
	// MissingToken answers a token request with 200 and no access_token.
	MissingToken Mode = "MissingToken"
	// Redirect answers 302 ([Failure.Status] when set) with a Location at
	// [EndpointRedirectTarget] (or the Location of [Failure.Header]) and a
	// JSON body holding [RedirectBodyMarker]. A client must neither follow
	// it (the request carries the code, the client credentials or the
	// access token) nor keep any of its body.
	Redirect Mode = "Redirect"
	// CaseTwins adds after each member of the profile document, at every
	// depth and in the same object, a member with the upper-cased name and
	// another value: {"id":"u-1001","ID":"twin-u-1001",
	// "email_verified":false,"EMAIL_VERIFIED":true}. Member names are
	// case-sensitive: a client must read the identity's own values.
	CaseTwins Mode = "CaseTwins"
	// DuplicateNames writes a member twice in one object, the second time
	// with another value: the user ID in the profile document (in the
	// object that holds it), access_token in a token response (a
	// form-encoded one repeats the parameter), issuer in an OpenID Connect
	// discovery document. Parsers disagree about which one counts, so a
	// client must refuse the document.
	DuplicateNames Mode = "DuplicateNames"
	// CustomID puts [Failure.UserID] in place of the user ID in the
	// profile document: " ", "\u200b", json.Number("-0")...
	CustomID Mode = "CustomID"
	// InvalidRecipient refuses a message's recipient (Twilio's 21211).
	InvalidRecipient Mode = "InvalidRecipient"
	// ProviderError answers with the provider's own error for
	// [Failure.Code] (a Twilio error code, a Kakao KOE code, an OAuth error
	// code); see each provider's ErrorCases.
	ProviderError Mode = "ProviderError"
	// Custom answers with [Failure.Status], [Failure.Header] and
	// [Failure.Body] as given.
	Custom Mode = "Custom"

	// id_token faults (apply to [EndpointAuthorize] and [EndpointToken] of
	// the Apple mock, and to [EndpointToken] of the OpenID Connect mock,
	// along with [MissingID] and [WrongTypes], which leave out "sub" or make
	// it a number).

	// BadSignature signs the id_token with a key that is not in the JWKS
	// (but under the current kid).
	BadSignature Mode = "BadSignature"
	// WrongIssuer sets the id_token's iss to another issuer; at
	// [EndpointDiscovery] it sets the document's issuer to another one.
	WrongIssuer Mode = "WrongIssuer"
	// WrongAudience sets the id_token's aud to another client.
	WrongAudience Mode = "WrongAudience"
	// Expired issues an id_token that expired an hour ago.
	Expired Mode = "Expired"
	// WrongNonce issues an id_token with another nonce.
	WrongNonce Mode = "WrongNonce"
	// UnknownKey signs the id_token with a key whose kid is not (yet) in
	// the JWKS.
	UnknownKey Mode = "UnknownKey"
	// AlgNone issues an unsigned id_token (alg "none").
	AlgNone Mode = "AlgNone"

	// OpenID Connect faults (the OpenID Connect mock's).

	// MissingIDToken answers a token request with 200, the tokens, and no
	// id_token.
	MissingIDToken Mode = "MissingIDToken"
	// SubjectMismatch serves at [EndpointUserInfo] a profile whose sub is
	// another identity's than the id_token's (OpenID Connect Core 5.3.2: a
	// client must not use it).
	SubjectMismatch Mode = "SubjectMismatch"
	// WrongIssParameter puts another issuer in the iss parameter of the
	// authorization responses ([EndpointAuthorize]: the callbacks of
	// [SocialProvider.Approve], [SocialProvider.Deny] and the authorization
	// page), even when the provider does not advertise the parameter
	// (RFC 9207: a client must compare it whenever it is present).
	WrongIssParameter Mode = "WrongIssParameter"
	// MissingIssParameter leaves the iss parameter out of the
	// authorization responses of a provider that advertises it (RFC 9207:
	// a client must then refuse them).
	MissingIssParameter Mode = "MissingIssParameter"
)

// OversizedBytes is the size of an [Oversized] body: 10 MiB.
const OversizedBytes = 10 << 20

// RedirectBodyMarker is in the body of every [Redirect] answer (as its
// OAuth error code and description): an error that holds it kept part of
// the redirect's body.
const RedirectBodyMarker = "mock_redirect_body"

// DefaultRetryAfter is the Retry-After a [RateLimited] answer carries unless
// [Failure.RetryAfter] says otherwise.
const DefaultRetryAfter = 7 * time.Second

// Failure programs an endpoint to misbehave; see [Provider.SetFailure].
type Failure struct {
	// Mode is what goes wrong.
	Mode Mode
	// Code is the provider error code for [ProviderError]: a Twilio code
	// ("21614"), a Kakao code ("KOE320", "-401"), an OAuth error
	// ("invalid_scope").
	Code string
	// RetryAfter is sent as the Retry-After header (whole seconds) of a
	// [RateLimited] answer: [DefaultRetryAfter] when zero, none when
	// negative.
	RetryAfter time.Duration
	// Status, Header and Body make the answer of [Custom]; Status also
	// replaces the status of a [ProviderError] or a [Redirect] when set,
	// and Header's Location the target of a [Redirect].
	Status int
	Header http.Header
	Body   string
	// UserID is the value [CustomID] puts in place of the user ID: a
	// string, or a json.Number for a numeric one.
	UserID any
	// Times is how many requests fail before the endpoint answers normally
	// again; 0 means until the failure is cleared.
	Times int
}

// ErrorCase is one provider-specific failure and what a connector must make
// of it: the conformance suites run every case a mock lists, beside the
// generic ones.
type ErrorCase struct {
	// Name names the case in test output ("KOE320", "21614").
	Name string
	// Endpoint and Failure program the mock.
	Endpoint Endpoint
	Failure  Failure
	// Code is the [connector.Code] the connector must return.
	Code connector.Code
	// Retryable, when true, requires [connector.Error.Retryable].
	Retryable bool
	// RetryAfter, when not zero, is the [connector.Error.RetryAfter] required.
	RetryAfter time.Duration
	// Status, when not zero, is the provider status the error must keep.
	Status int
	// ProviderCode, when set, is the [connector.Error.ProviderCode] required.
	ProviderCode string
}

// Identity is a test user a mock can sign in as.
type Identity struct {
	// ID is the provider's user ID. For Kakao it is a decimal integer of up
	// to 64 bits, sent as a JSON number.
	ID string
	// Label says what the identity is for, shown on the authorization page:
	// "verified email", "no email consent".
	Label string
	// Name is the display name; Username the handle (Hugging Face's
	// preferred_username).
	Name     string
	Username string
	// Email, empty when the user did not consent to share it.
	Email string
	// EmailVerified says the provider verified Email.
	EmailVerified bool
	// EmailInvalid marks an address the provider knows is no longer valid
	// (Kakao's is_email_valid false).
	EmailInvalid bool
	// PrivateEmail marks a relay address (Apple's is_private_email).
	PrivateEmail bool
	// StringClaims sends the boolean claims of Apple and the OpenID Connect
	// mock as the strings "true" and "false", as Apple and some OpenID
	// providers do.
	StringClaims bool
	// Phone in E.164, empty when not shared. Kakao sends it as "+82 10-...".
	Phone string
	// Avatar is a picture URL; DefaultAvatar marks the provider's
	// placeholder picture (Kakao's is_default_image).
	Avatar        string
	DefaultAvatar bool
	// Extra fields merged at the top level of the profile document.
	Extra map[string]any
}

// HasVerifiedEmail reports whether the identity has an email address the
// provider says is verified and valid: the only case in which a connector
// may mark the email verified.
func (i Identity) HasVerifiedEmail() bool {
	return i.Email != "" && i.EmailVerified && !i.EmailInvalid
}

// Issued lists what a mock handed out; the conformance suites look for each
// in error texts and logs.
type Issued struct {
	Codes         []string
	AccessTokens  []string
	RefreshTokens []string
	IDTokens      []string
}

// Provider is what every mock offers.
type Provider interface {
	http.Handler
	// Name is the provider's name: "oauth2", "oidc", "kakao", "apple",
	// "huggingface", "twilio".
	Name() string
	// BaseURL is the fake https://<name>.mock.test host, or the local
	// server's URL after [Provider.Start].
	BaseURL() string
	// URL is the full address of endpoint e (empty when the mock has none).
	URL(e Endpoint) string
	// Endpoints lists the endpoints the mock serves.
	Endpoints() []Endpoint

	// SetFailure switches endpoint e to f; Fail(e, m) is short for
	// SetFailure(e, Failure{Mode: m}). A zero Failure (or [OK]) clears it.
	SetFailure(e Endpoint, f Failure)
	Fail(e Endpoint, m Mode)
	// ClearFailures returns every endpoint to normal.
	ClearFailures()
	// Supports reports whether the mock can render mode m at endpoint e.
	Supports(e Endpoint, m Mode) bool
	// SetHangLimit bounds how long a [Hang] lasts when the request's
	// context never ends (one minute by default).
	SetHangLimit(d time.Duration)

	// Requests counts the HTTP requests endpoint e has served.
	Requests(e Endpoint) int
	// BytesSent counts the response body bytes endpoint e wrote and the
	// client consumed.
	BytesSent(e Endpoint) int64
	// CanceledHangs counts the hangs at e that ended because the request's
	// context ended (the caller's deadline reached the mock).
	CanceledHangs(e Endpoint) int
	// Problems lists every request the mock refused because it was wrong
	// ("token: PKCE verifier does not match the code challenge"): what a
	// connector author reads first when a happy path fails.
	Problems() []string
	// Secrets lists every secret the mock holds or issued (client secrets,
	// auth tokens, codes, tokens), for leak detection.
	Secrets() []string
	// ErrorCases lists the provider-specific failures and the codes they
	// must map to.
	ErrorCases() []ErrorCase
	// Clone returns a mock with the same settings, credentials, keys and
	// identities, and none of the state: no codes, tokens, failures,
	// counters, messages or server.
	Clone() Provider

	// Register makes mt serve this mock for requests to its base URL.
	Register(mt *httpmock.MockTransport)
	// Client returns a new *http.Client whose transport is an httpmock
	// transport serving this mock (and refusing any other host).
	Client() *http.Client
	// Start serves the mock on 127.0.0.1 on a free port and returns its
	// base URL; URL then gives the local addresses.
	Start() (string, error)
	// Close stops the server started by Start and releases any [Hang].
	Close()
}

// SocialProvider is a mock sign-in provider.
type SocialProvider interface {
	Provider
	// ClientID and ClientSecret are the registered client's credentials
	// (ClientSecret may be empty: a public client, or Kakao without a
	// secret).
	ClientID() string
	ClientSecret() string
	// Identities lists the test users, the first being the default.
	Identities() []Identity
	// Approve plays the browser and the user: it checks authURL as the
	// provider's authorization endpoint would, signs in as the identity
	// whose ID is identityID (the first when empty), and returns the
	// parameters the provider sends to the redirect URI (the query, or
	// Apple's form post).
	Approve(authURL, identityID string) (url.Values, error)
	// Deny is Approve with the user pressing Cancel: the parameters carry
	// the provider's cancel error and the state.
	Deny(authURL string) (url.Values, error)
	// AutoApprove makes GET on the authorization endpoint sign in as
	// identityID at once instead of showing the page ("" restores the
	// page).
	AutoApprove(identityID string)
	// Issued lists the codes and tokens handed out so far.
	Issued() Issued
}

// MessageProvider is a mock messaging provider.
type MessageProvider interface {
	Provider
	// Outbox lists the messages accepted so far, oldest first.
	Outbox() []Message
}

// Message is one message a [MessageProvider] accepted.
type Message struct {
	// SID is the provider's message ID.
	SID string `json:"sid"`
	// Account is the account it was sent for.
	Account string `json:"account"`
	// To is the recipient as received.
	To string `json:"to"`
	// From is the sender number or alphanumeric ID, or MessagingService
	// the messaging service, as received.
	From             string `json:"from,omitempty"`
	MessagingService string `json:"messagingService,omitempty"`
	// Body is the text.
	Body string `json:"body"`
	// Segments and Encoding are how the provider splits the text.
	Segments int    `json:"segments"`
	Encoding string `json:"encoding"`
	// RiskCheck is the RiskCheck parameter, when sent.
	RiskCheck string `json:"riskCheck,omitempty"`
	// Time is when it was accepted.
	Time time.Time `json:"time"`
}
