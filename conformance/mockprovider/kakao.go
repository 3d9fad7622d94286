package mockprovider

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Facts of Kakao Login (kauth.kakao.com and kapi.kakao.com share the mock's
// one host; the paths are Kakao's).
var (
	kakaoPaths = map[Endpoint]string{
		EndpointAuthorize: "/oauth/authorize",
		EndpointToken:     "/oauth/token",
		EndpointUserInfo:  "/v2/user/me",
	}
	// Kakao's token endpoint error codes, by what failed.
	kakaoTokenCodes = map[string]string{
		"code":         "KOE320", // authorization code not found
		"redirect_uri": "KOE303", // redirect URI mismatch
		"client":       "KOE010", // bad client credentials
	}
	kakaoTokenDefaultCode = "KOE001"
	kakaoInvalidToken     = map[string]any{"msg": "this access token does not exist", "code": -401}
	kakaoRateLimited      = map[string]any{"msg": "API limit has been exceeded.", "code": -10}
	kakaoServerError      = map[string]any{"msg": "internal error", "code": -1}
	kakaoUnavailable      = map[string]any{"msg": "system is under maintenance", "code": -9798}
	kakaoKOEMessages      = map[string]string{
		"KOE320": "authorization code not found for the code given",
		"KOE303": "Redirect URI mismatch.",
		"KOE010": "Bad client credentials",
		"KOE006": "unregistered redirect uri",
		"KOE101": "invalid client id",
		"KOE001": "invalid request",
	}
	// DefaultKakaoIdentities are the Kakao mock's test users: a verified
	// email, an unverified one, no email consent, an address Kakao no
	// longer considers valid, and the largest 64-bit ID with the default
	// avatar and a Korean phone number.
	DefaultKakaoIdentities = []Identity{
		{ID: "3141592653", Label: "verified email", Name: "김민준", Email: "minjun@example.kr", EmailVerified: true,
			Avatar: "https://k.kakaocdn.net/dn/minjun/img_640x640.jpg"},
		{ID: "2718281828", Label: "unverified email", Name: "이서연", Email: "seoyeon@example.kr",
			Avatar: "https://k.kakaocdn.net/dn/seoyeon/img_640x640.jpg"},
		{ID: "1618033988", Label: "no email consent", Name: "박지호"},
		{ID: "1414213562", Label: "invalid email", Name: "최하은", Email: "old@example.kr", EmailVerified: true, EmailInvalid: true},
		{ID: "9223372036854775807", Label: "64-bit ID, default avatar, phone", Name: "정도윤", Email: "doyun@example.kr",
			EmailVerified: true, Phone: "+82 10-1234-5678", DefaultAvatar: true,
			Avatar: "https://k.kakaocdn.net/dn/default_profile.jpeg"},
	}
)

// KakaoOptions configures [NewKakao].
type KakaoOptions struct {
	// ClientID is the app's REST API key; random when empty.
	ClientID string
	// ClientSecret, when set, is required at the token endpoint (the
	// console's "client secret" switch). When empty, a request that sends
	// client_secret at all is refused (Logto sends "undefined").
	ClientSecret string
	// RedirectURIs, when set, are the only registered redirect URIs
	// (KOE006 otherwise).
	RedirectURIs []string
	// Identities are the test users; [DefaultKakaoIdentities] when empty.
	// IDs must be decimal integers.
	Identities []Identity
}

// Kakao is a Kakao Login mock: /oauth/authorize, /oauth/token and
// /v2/user/me with Kakao's error bodies and profile shape.
type Kakao struct {
	*OAuth2
	opts KakaoOptions
}

var _ SocialProvider = (*Kakao)(nil)

// NewKakao returns a Kakao Login mock.
func NewKakao(opts KakaoOptions) *Kakao {
	if opts.ClientID == "" {
		opts.ClientID = randHex(16)
	}
	if len(opts.Identities) == 0 {
		opts.Identities = DefaultKakaoIdentities
	}
	p := &Kakao{opts: opts}
	p.OAuth2 = newOAuth2(SocialSpec{
		Name: "kakao", Paths: kakaoPaths,
		ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, ClientAuth: AuthClientSecretPost,
		RedirectURIs: opts.RedirectURIs, Identities: opts.Identities,
		TokenFields: map[string]any{"token_type": "bearer", "expires_in": 21599, "refresh_token_expires_in": 5183999},
		Profile:     kakaoProfile, IDPath: "id",
		ErrorBody: kakaoError, CancelError: "access_denied", CancelDescription: "User denied access",
		ErrorCases: kakaoErrorCases,
	})
	// The one thing a SocialSpec cannot say: client_secret is sent exactly
	// when the app has one enabled.
	p.authenticate = p.kakaoAuthenticate
	return p
}

// Clone returns a fresh mock with the same settings and credentials.
func (p *Kakao) Clone() Provider {
	n := NewKakao(p.opts)
	p.cloneInto(n.oauthServer)
	return n
}

// kakaoErrorCases are Kakao's own failures.
var kakaoErrorCases = []ErrorCase{
	{Name: "KOE320", Endpoint: EndpointToken, Failure: Failure{Mode: ProviderError, Code: "KOE320"},
		Code: "social_auth_code_invalid", Status: http.StatusBadRequest, ProviderCode: "invalid_grant"},
	{Name: "KOE303", Endpoint: EndpointToken, Failure: Failure{Mode: ProviderError, Code: "KOE303"},
		Code: "social_auth_code_invalid", Status: http.StatusBadRequest, ProviderCode: "invalid_grant"},
	{Name: "KOE010", Endpoint: EndpointToken, Failure: Failure{Mode: ProviderError, Code: "KOE010"},
		Code: "general", Status: http.StatusUnauthorized, ProviderCode: "invalid_client"},
	{Name: "code_-401", Endpoint: EndpointUserInfo, Failure: Failure{Mode: ProviderError, Code: "-401"},
		Code: "social_invalid_access_token", Status: http.StatusUnauthorized},
}

// kakaoError renders Kakao's error bodies: KOE codes at the token
// endpoint ({"error","error_description","error_code"}), {"msg","code"}
// from the API.
func kakaoError(e ErrorReply) (int, any) {
	switch e.Failure.Mode {
	case OK:
		if e.Endpoint == EndpointUserInfo {
			return http.StatusUnauthorized, kakaoInvalidToken
		}
		koe, ok := kakaoTokenCodes[e.Reason]
		if !ok {
			koe = kakaoTokenDefaultCode
		}
		return e.Status, map[string]any{"error": e.Code, "error_description": e.Description, "error_code": koe}
	case InvalidGrant:
		return kakaoKOE(http.StatusBadRequest, "invalid_grant", "KOE320")
	case Unauthorized:
		if e.Endpoint == EndpointUserInfo {
			return http.StatusUnauthorized, kakaoInvalidToken
		}
		return kakaoKOE(http.StatusUnauthorized, "invalid_client", "KOE010")
	case RateLimited:
		return http.StatusTooManyRequests, kakaoRateLimited
	case ServerError:
		return http.StatusInternalServerError, kakaoServerError
	case Unavailable:
		return http.StatusServiceUnavailable, kakaoUnavailable
	case ProviderError:
		code := e.Failure.Code
		switch {
		case strings.HasPrefix(code, "KOE"):
			errCode := "invalid_request"
			st := http.StatusBadRequest
			switch code {
			case "KOE320", "KOE303":
				errCode = "invalid_grant"
			case "KOE010":
				errCode, st = "invalid_client", http.StatusUnauthorized
			}
			return kakaoKOE(st, errCode, code)
		case code == "-401":
			return http.StatusUnauthorized, kakaoInvalidToken
		case code != "":
			var c any = code
			if _, err := strconv.ParseInt(code, 10, 64); err == nil {
				c = json.Number(code)
			}
			return http.StatusBadRequest, map[string]any{"msg": "error " + code, "code": c}
		}
		return kakaoKOE(http.StatusBadRequest, "invalid_request", "KOE001")
	}
	return e.Status, oauthErrorBody(e)
}

func kakaoKOE(status int, errCode, koe string) (int, any) {
	return status, map[string]any{"error": errCode, "error_description": kakaoKOEMessages[koe], "error_code": koe}
}

// kakaoProfile renders an identity as GET /v2/user/me does. The ID is a
// JSON number written digit for digit (never through float64).
func kakaoProfile(id Identity) map[string]any {
	profile := map[string]any{
		"nickname":            id.Name,
		"thumbnail_image_url": thumbnail(id.Avatar),
		"profile_image_url":   id.Avatar,
		"is_default_image":    id.DefaultAvatar,
		"is_default_nickname": false,
	}
	account := map[string]any{
		"profile_nickname_needs_agreement": false,
		"profile_image_needs_agreement":    false,
		"profile":                          profile,
		"name_needs_agreement":             id.Name == "",
	}
	if id.Name != "" {
		account["name"] = id.Name
	}
	if id.Email != "" {
		account["email_needs_agreement"] = false
		account["has_email"] = true
		account["is_email_valid"] = !id.EmailInvalid
		account["is_email_verified"] = id.EmailVerified
		account["email"] = id.Email
	} else {
		account["email_needs_agreement"] = true
		account["has_email"] = true
	}
	if id.Phone != "" {
		account["phone_number_needs_agreement"] = false
		account["has_phone_number"] = true
		account["phone_number"] = id.Phone
	} else {
		account["phone_number_needs_agreement"] = true
	}
	return map[string]any{
		"id":           json.Number(id.ID),
		"connected_at": time.Date(2024, 4, 11, 1, 45, 28, 0, time.UTC).Format(time.RFC3339),
		"properties": map[string]any{
			"nickname":        id.Name,
			"profile_image":   id.Avatar,
			"thumbnail_image": thumbnail(id.Avatar),
		},
		"kakao_account": account,
	}
}

func thumbnail(avatar string) string {
	if avatar == "" {
		return ""
	}
	return strings.Replace(avatar, "640x640", "110x110", 1)
}
