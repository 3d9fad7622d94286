package mockprovider

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// SocialSpec describes an OAuth 2.0 sign-in provider with a fixed shape, a
// GitHub- or Discord-like API, for [NewSocial]: where its endpoints are,
// how it authenticates the client, the profile document it serves for each
// test identity and the shape of its error bodies. The mock built from it
// checks every request as the provider would (client authentication, PKCE,
// redirect URI, single-use codes), and renders every failure [Mode] in the
// provider's shape. The Kakao and Hugging Face mocks are SocialSpecs too.
//
// Every field is optional: the zero SocialSpec is the generic provider of
// [NewOAuth2].
type SocialSpec struct {
	// Name is the provider's name and the first label of the mock's fake
	// host: "github" serves https://github.mock.test. "oauth2" when empty.
	Name string
	// Paths are the paths of EndpointAuthorize, EndpointToken and
	// EndpointUserInfo; "/authorize", "/token" and "/userinfo" for those it
	// does not give. A path for EndpointRevoke serves a token revocation
	// endpoint there (RFC 7009: the client authenticates as at the token
	// endpoint; the token is revoked, and recorded in Revoked, whether or
	// not the mock issued it); there is none without one.
	Paths map[Endpoint]string
	// ClientID and ClientSecret are the registered client; random when
	// empty (no secret with AuthNone). The random secret holds characters
	// that must be form-encoded in Basic credentials (RFC 6749 section
	// 2.3.1).
	ClientID, ClientSecret string
	// ClientAuth is the one client authentication method the token
	// endpoint accepts: AuthClientSecretPost, AuthClientSecretBasic,
	// AuthClientSecretJWT or AuthNone (a public client, which must then
	// use PKCE). Empty accepts any of the three secret-based methods.
	ClientAuth string
	// RequirePKCE refuses authorization requests without an S256
	// code_challenge.
	RequirePKCE bool
	// RedirectURIs, when set, are the only accepted redirect URIs.
	RedirectURIs []string
	// FormTokenResponse answers token requests as
	// application/x-www-form-urlencoded instead of JSON.
	FormTokenResponse bool
	// TokenFields are merged into every token response; a nil value
	// removes the field: {"token_type": "bearer", "expires_in": nil}.
	TokenFields map[string]any
	// Identities are the test users, the first being the default;
	// [DefaultOAuth2Identities] when empty.
	Identities []Identity
	// Profile renders an identity as the userinfo document ([FlatProfile]
	// when nil); [Identity.Extra] is merged at its top level. Give a
	// numeric user ID as json.Number(id.ID), which is written digit for
	// digit.
	Profile func(id Identity) map[string]any
	// IDPath is the dotted path of the user ID in the profile document
	// ("id" when empty): the modes [MissingID], [WrongTypes], [CustomID]
	// and [DuplicateNames] alter the member there.
	IDPath string
	// ErrorBody renders each error answer in the provider's shape: it
	// returns the HTTP status (e.Status keeps the mock's, as does 0) and
	// the document, sent as JSON (a json.RawMessage as it is). nil sends
	// RFC 6749's {"error": e.Code, "error_description": e.Description}.
	ErrorBody func(e ErrorReply) (status int, body any)
	// CancelError and CancelDescription are the error parameters a user
	// who presses Cancel brings back to the redirect URI ("access_denied"
	// and none when empty).
	CancelError, CancelDescription string
	// ErrorCases are the provider's own failures and what a connector must
	// make of each: the conformance suite runs them beside its generic
	// checks ([Provider.ErrorCases]).
	ErrorCases []ErrorCase
}

// ErrorReply is an error answer a mock built from a [SocialSpec] is about
// to send, for [SocialSpec.ErrorBody] to render in the provider's shape.
type ErrorReply struct {
	// Endpoint is the endpoint answering: EndpointToken or
	// EndpointUserInfo (or another endpoint a failure is set on).
	Endpoint Endpoint
	// Failure is the failure set on the endpoint ([InvalidGrant],
	// [Unauthorized], [RateLimited], [ServerError], [Unavailable], or
	// [ProviderError] with the provider's error in Failure.Code), or the
	// zero Failure when the mock refused a wrong request.
	Failure Failure
	// Status is the HTTP status the mock means to send.
	Status int
	// Code and Description are the OAuth error (RFC 6749 section 5.2):
	// invalid_request, invalid_client, invalid_grant,
	// unsupported_grant_type, invalid_token (a bad access token at the
	// userinfo endpoint), rate_limit_exceeded, server_error,
	// temporarily_unavailable, or Failure.Code ("invalid_request" when
	// empty) for ProviderError.
	Code, Description string
	// Reason says what the mock found wrong in a refused request:
	// "client" (client authentication), "code", "redirect_uri", "pkce",
	// "grant_type", "token" (the access token)...; empty for a failure.
	Reason string
}

// Defaults of a SocialSpec: the generic provider's facts.
var (
	defaultSocialPaths = map[Endpoint]string{
		EndpointAuthorize: "/authorize",
		EndpointToken:     "/token",
		EndpointUserInfo:  "/userinfo",
	}
	// socialModes are the modes a SocialSpec mock renders beyond the
	// generic ones.
	socialModes = map[Endpoint][]Mode{
		EndpointToken:    {InvalidGrant, MissingToken, DuplicateNames},
		EndpointUserInfo: {MissingID, WrongTypes, CaseTwins, DuplicateNames, CustomID},
	}
)

// NewSocial returns a mock of the provider spec describes. A connector
// author whose provider has a fixed shape proves the connector against it
// with conformance.RunSocial (see the example).
func NewSocial(spec SocialSpec) *OAuth2 {
	if spec.ClientID == "" {
		spec.ClientID = "client-" + randHex(8)
	}
	if spec.ClientSecret == "" && spec.ClientAuth != AuthNone {
		spec.ClientSecret = "cs-" + randHex(16) + "+/=~"
	}
	return newOAuth2(spec)
}

// newOAuth2 builds the mock of spec with every default but the client
// credentials filled in (Kakao's app may have no secret).
func newOAuth2(spec SocialSpec) *OAuth2 {
	spec.Name = cmp.Or(spec.Name, "oauth2")
	paths := maps.Clone(defaultSocialPaths)
	maps.Copy(paths, spec.Paths)
	spec.Paths = paths
	spec.RequirePKCE = spec.RequirePKCE || spec.ClientAuth == AuthNone
	spec.RedirectURIs = slices.Clone(spec.RedirectURIs)
	if len(spec.Identities) == 0 {
		spec.Identities = DefaultOAuth2Identities
	}
	spec.Identities = slices.Clone(spec.Identities)
	if spec.Profile == nil {
		spec.Profile = FlatProfile
	}
	spec.IDPath = cmp.Or(spec.IDPath, "id")
	spec.CancelError = cmp.Or(spec.CancelError, "access_denied")
	spec.ErrorCases = slices.Clone(spec.ErrorCases)
	p := &OAuth2{revocations: &revocations{}}
	p.oauthServer = newOAuthServer(spec, socialModes, p)
	p.extra = map[Endpoint]handlerFunc{EndpointRevoke: p.revokeHandler(p.revocations)}
	return p
}

// failureAnswer renders the generic failure modes of an OAuth 2.0
// provider through the spec's ErrorBody; other modes get 0 (core's
// generic answer).
func (s *oauthServer) failureAnswer(e Endpoint, f Failure) (int, string, []byte) {
	r := ErrorReply{Endpoint: e, Failure: f}
	switch f.Mode {
	case InvalidGrant:
		r.Status, r.Code, r.Description = http.StatusBadRequest, "invalid_grant", "the authorization code is invalid, expired or already used"
	case Unauthorized:
		r.Status, r.Code, r.Description = http.StatusUnauthorized, "invalid_client", "client authentication failed"
		if e == EndpointUserInfo {
			r.Code, r.Description = "invalid_token", "the access token is invalid or expired"
		}
	case RateLimited:
		r.Status, r.Code, r.Description = http.StatusTooManyRequests, "rate_limit_exceeded", "too many requests"
	case ServerError:
		r.Status, r.Code, r.Description = http.StatusInternalServerError, "server_error", "internal server error"
	case Unavailable:
		r.Status, r.Code, r.Description = http.StatusServiceUnavailable, "temporarily_unavailable", "the service is temporarily unavailable"
	case ProviderError:
		r.Status, r.Code = http.StatusBadRequest, cmp.Or(f.Code, "invalid_request")
		r.Description = "provider error " + r.Code
	default:
		return 0, "", nil
	}
	return s.errorAnswer(r)
}

// errorAnswer renders r in the provider's shape.
func (s *oauthServer) errorAnswer(r ErrorReply) (status int, contentType string, body []byte) {
	var doc any = oauthErrorBody(r)
	status = r.Status
	if s.spec.ErrorBody != nil {
		status, doc = s.spec.ErrorBody(r)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return http.StatusInternalServerError, jsonType, []byte(`{"error":"server_error"}`)
	}
	return cmp.Or(status, r.Status), jsonType, b
}

// jsonType is the content type of the OAuth mocks' JSON answers.
const jsonType = "application/json;charset=UTF-8"

// oauthErrorBody is RFC 6749's error document:
// {"error","error_description"}.
func oauthErrorBody(r ErrorReply) map[string]any {
	m := map[string]any{"error": r.Code}
	if r.Description != "" {
		m["error_description"] = r.Description
	}
	return m
}
