package mockprovider

// This file holds how the mocks authenticate the client at their token
// endpoints: RFC 6749's Basic and form (post) credentials, RFC 7523's
// client_secret_jwt and public clients for [NewOAuth2] and [NewSocial];
// Kakao's form credentials with an optional secret; Apple's ES256 client
// secret JWT.

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client authentication methods at a token endpoint.
const (
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthNone              = "none"
)

const jwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// appleClientSecretMaxAge is the longest an Apple client secret may live:
// six months (15777000 seconds).
const appleClientSecretMaxAge = 15777000 * time.Second

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// genericAuthenticate checks RFC 6749 / OIDC client authentication.
func (s *oauthServer) genericAuthenticate(r *http.Request, form url.Values) (string, *oauthErr) {
	fail := func(desc string) (string, *oauthErr) {
		return "", &oauthErr{status: http.StatusUnauthorized, code: "invalid_client", desc: desc, reason: "client"}
	}
	var methods []string
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) < 6 || !strings.EqualFold(h[:6], "basic ") {
			return fail("the Authorization header of a token request must use the Basic scheme")
		}
		methods = append(methods, AuthClientSecretBasic)
	}
	if _, ok := form["client_secret"]; ok {
		methods = append(methods, AuthClientSecretPost)
	}
	if _, ok := form["client_assertion"]; ok {
		methods = append(methods, AuthClientSecretJWT)
	}
	if len(methods) > 1 {
		return "", &oauthErr{status: http.StatusBadRequest, code: "invalid_request",
			desc: "more than one client authentication method (" + strings.Join(methods, ", ") + ")", reason: "client"}
	}
	method := AuthNone
	if len(methods) == 1 {
		method = methods[0]
	}
	switch {
	case s.spec.ClientAuth != "" && method != s.spec.ClientAuth:
		return fail("client authentication must use " + s.spec.ClientAuth + ", got " + method)
	case s.spec.ClientAuth == "" && method == AuthNone:
		return fail("client authentication is missing")
	}
	if id := form.Get("client_id"); id != "" && id != s.spec.ClientID {
		return fail("client_id is not the registered client")
	}
	switch method {
	case AuthClientSecretBasic:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Header.Get("Authorization")[6:]))
		if err != nil {
			return fail("the Basic credentials are not valid base64")
		}
		u, p, ok := strings.Cut(string(raw), ":")
		if !ok {
			return fail("the Basic credentials have no colon")
		}
		id, err1 := url.QueryUnescape(u)
		secret, err2 := url.QueryUnescape(p)
		if err1 != nil || err2 != nil {
			return fail("the Basic credentials are not form-encoded (RFC 6749 section 2.3.1)")
		}
		if id != s.spec.ClientID || !secretEqual(secret, s.spec.ClientSecret) {
			return fail("the Basic credentials are wrong (are the ID and secret form-encoded before base64, RFC 6749 section 2.3.1?)")
		}
	case AuthClientSecretPost:
		if form.Get("client_id") == "" {
			return fail("client_id is missing")
		}
		if !secretEqual(form.Get("client_secret"), s.spec.ClientSecret) {
			return fail("client_secret is wrong")
		}
	case AuthClientSecretJWT:
		if msg := s.checkClientAssertion(form); msg != "" {
			return fail(msg)
		}
	case AuthNone:
		if form.Get("client_id") == "" {
			return fail("client_id is missing")
		}
	}
	return method, nil
}

// checkClientAssertion verifies a client_secret_jwt assertion and returns
// what is wrong with it, or "".
func (s *oauthServer) checkClientAssertion(form url.Values) string {
	if form.Get("client_assertion_type") != jwtBearerType {
		return "client_assertion_type must be " + jwtBearerType
	}
	tok, err := jwt.Parse(form.Get("client_assertion"), func(*jwt.Token) (any, error) {
		return []byte(s.spec.ClientSecret), nil
	}, jwt.WithValidMethods([]string{"HS256", "HS384", "HS512"}), jwt.WithExpirationRequired(),
		jwt.WithAudience(s.URL(EndpointToken)), jwt.WithIssuer(s.spec.ClientID), jwt.WithSubject(s.spec.ClientID),
		jwt.WithTimeFunc(s.now), jwt.WithLeeway(30*time.Second))
	if err != nil {
		return "client_assertion is invalid: " + err.Error()
	}
	claims, _ := tok.Claims.(jwt.MapClaims)
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return "client_assertion has no jti"
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp.Sub(s.now()) > time.Hour {
		return "client_assertion expires more than an hour from now"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis[jti] {
		return "client_assertion jti was already used"
	}
	s.jtis[jti] = true
	return ""
}

// kakaoAuthenticate: client_id in the form, client_secret exactly when the
// app has one; no Basic authentication.
func (p *Kakao) kakaoAuthenticate(r *http.Request, form url.Values) (string, *oauthErr) {
	fail := func(desc string) (string, *oauthErr) {
		return "", &oauthErr{status: http.StatusUnauthorized, code: "invalid_client", desc: desc, reason: "client"}
	}
	if r.Header.Get("Authorization") != "" {
		return fail("Kakao takes client credentials in the form, not an Authorization header")
	}
	if form.Get("client_id") != p.spec.ClientID {
		if form.Get("client_id") == "" {
			return fail("client_id is missing")
		}
		return fail("client_id is not the app's REST API key")
	}
	_, sent := form["client_secret"]
	switch {
	case p.spec.ClientSecret == "" && sent:
		return fail("client_secret sent but the app has no client secret enabled")
	case p.spec.ClientSecret != "" && !sent:
		return fail("client_secret is missing (the app has a client secret enabled)")
	case p.spec.ClientSecret != "" && !secretEqual(form.Get("client_secret"), p.spec.ClientSecret):
		return fail("client_secret is wrong")
	}
	return AuthClientSecretPost, nil
}

// appleAuthenticate checks client_id and the ES256 client secret JWT.
func (p *Apple) appleAuthenticate(_ *http.Request, form url.Values) (string, *oauthErr) {
	fail := func(desc string) (string, *oauthErr) {
		return "", &oauthErr{status: http.StatusBadRequest, code: "invalid_client", desc: desc, reason: "client"}
	}
	if form.Get("client_id") != p.spec.ClientID {
		return fail("client_id is not the registered Services ID")
	}
	if p.opts.ClientKey == nil {
		return fail("the mock has no client key: give AppleOptions.ClientKey to accept client secrets")
	}
	secret := form.Get("client_secret")
	if secret == "" {
		return fail("client_secret is missing")
	}
	tok, err := jwt.Parse(secret, func(t *jwt.Token) (any, error) { return p.opts.ClientKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(p.opts.TeamID), jwt.WithSubject(p.spec.ClientID),
		jwt.WithAudience(AppleIssuer), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(p.now), jwt.WithLeeway(time.Minute))
	if err != nil {
		return fail("client_secret is not a valid ES256 JWT for this team, key and client: " + err.Error())
	}
	if kid, _ := tok.Header["kid"].(string); kid != p.opts.KeyID {
		return fail("client_secret header kid is not the key ID")
	}
	iat, err1 := tok.Claims.GetIssuedAt()
	exp, err2 := tok.Claims.GetExpirationTime()
	if err1 != nil || err2 != nil || iat == nil || exp == nil {
		return fail("client_secret needs iat and exp")
	}
	if exp.Sub(iat.Time) > appleClientSecretMaxAge {
		return fail("client_secret lives longer than six months")
	}
	return AuthClientSecretPost, nil
}
