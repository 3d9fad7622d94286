package oidc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/profilemap"
)

// Config is the connector's JSON config: Logto's OpenID Connect connector
// fields, plus issuer alone as the short form (endpoints and keys from the
// provider's discovery document), revocationEndpoint, disablePkce and
// profileMap.
//
// Two forms, exactly one of which a config uses:
//
//   - discovery: issuer, and no endpoint nor idTokenVerificationConfig;
//   - explicit (Logto's): authorizationEndpoint, tokenEndpoint and
//     idTokenVerificationConfig with jwksUri and issuer; userInfoEndpoint
//     and revocationEndpoint are optional.
type Config struct {
	Issuer string `json:"issuer,omitempty" validate:"omitempty,endpoint" doc:"the provider's issuer identifier (https://accounts.google.com): endpoints and keys are read from its /.well-known/openid-configuration. Set it alone, or the endpoints with idTokenVerificationConfig instead"`

	AuthorizationEndpoint string `json:"authorizationEndpoint,omitempty" validate:"omitempty,endpoint" doc:"URL of the authorization endpoint (explicit form)"`
	TokenEndpoint         string `json:"tokenEndpoint,omitempty" validate:"omitempty,endpoint" doc:"URL of the token endpoint (explicit form)"`
	UserInfoEndpoint      string `json:"userInfoEndpoint,omitempty" validate:"omitempty,endpoint" doc:"URL of the userinfo endpoint (explicit form, optional): its claims are merged with the id_token's"`
	RevocationEndpoint    string `json:"revocationEndpoint,omitempty" validate:"omitempty,endpoint" doc:"URL of the RFC 7009 revocation endpoint (explicit form, optional)"`

	IDTokenVerificationConfig *IDTokenConfig `json:"idTokenVerificationConfig,omitempty" doc:"how id_tokens are verified (explicit form): jwksUri and issuer are required"`

	ClientID     string           `json:"clientId" validate:"required" doc:"client ID registered with the provider; the id_token's aud"`
	ClientSecret connector.Secret `json:"clientSecret,omitempty" doc:"client secret; required unless tokenEndpointAuthMethod is none"`

	TokenEndpointAuthMethod         string `json:"tokenEndpointAuthMethod,omitempty" validate:"omitempty,oneof=client_secret_post client_secret_basic client_secret_jwt none" doc:"client authentication at the token endpoint; unset: client_secret_basic when discovery advertises it (or lists none), else client_secret_post"`
	ClientSecretJWTSigningAlgorithm string `json:"clientSecretJwtSigningAlgorithm,omitempty" default:"HS256" validate:"oneof=HS256 HS384 HS512" doc:"HMAC algorithm of the client_secret_jwt assertion"`

	Scope        string `json:"scope,omitempty" default:"openid profile email" doc:"space-separated scopes; must contain openid"`
	ResponseType string `json:"responseType,omitempty" default:"code" validate:"oneof=code" doc:"only code (the authorization code flow) is supported"`
	GrantType    string `json:"grantType,omitempty" default:"authorization_code" validate:"oneof=authorization_code" doc:"only authorization_code is supported"`

	AuthRequestOptionalConfig *AuthRequestOptions `json:"authRequestOptionalConfig,omitempty" doc:"optional parameters of the authentication request (OpenID Connect Core 3.1.2.1)"`

	CustomConfig map[string]string `json:"customConfig,omitempty" doc:"extra parameters added, with their keys as written, to the authorization URL and the token and refresh requests; they may not override the flow's own parameters"`

	ProfileMap ProfileMap `json:"profileMap" doc:"where each user info field is in the merged claims (id_token, then userinfo); standard claims by default"`

	DisablePKCE bool `json:"disablePkce,omitempty" doc:"do not send a PKCE S256 code challenge (only for providers that reject it)"`
}

// IDTokenConfig is Logto's idTokenVerificationConfig: where the keys are
// and what the id_token must say.
type IDTokenConfig struct {
	JWKSURI string `json:"jwksUri" validate:"required,endpoint" doc:"URL of the provider's JSON Web Key Set"`
	Issuer  string `json:"issuer" validate:"required" doc:"the exact iss of the provider's id_tokens (and of RFC 9207's callback iss)"`
	// Algorithms are the accepted signing algorithms; empty accepts every
	// asymmetric one the library supports, as far as each key allows
	// (a key's own alg and type).
	Algorithms []string `json:"algorithms,omitempty" doc:"accepted signing algorithms (RS256, PS256, ES256...); empty: every supported asymmetric algorithm, as far as each key allows. none and HMAC are never accepted"`
	// ClockTolerance is the skew tolerated on exp, iat and nbf, in
	// seconds (0 to 600; 0 means one minute).
	ClockTolerance int `json:"clockTolerance,omitempty" validate:"min=0,max=600" doc:"clock skew tolerated on exp, iat and nbf, in seconds (0: one minute)"`
}

// AuthRequestOptions are Logto's authRequestOptionalConfig: optional
// parameters of the authentication request. The nonce is never one: the
// connector makes a fresh one per sign-in.
type AuthRequestOptions struct {
	ResponseMode string `json:"responseMode,omitempty" validate:"omitempty,oneof=query form_post" doc:"query (default) or form_post (the callback then comes as a POST form)"`
	Display      string `json:"display,omitempty" validate:"omitempty,oneof=page popup touch wap" doc:"how the provider displays its pages"`
	Prompt       string `json:"prompt,omitempty" doc:"space-separated: none, login, consent, select_account"`
	MaxAge       string `json:"maxAge,omitempty" doc:"maximum authentication age in seconds"`
	UILocales    string `json:"uiLocales,omitempty" doc:"preferred languages, space-separated BCP 47 tags"`
	IDTokenHint  string `json:"idTokenHint,omitempty" doc:"an id_token previously issued, as a hint"`
	LoginHint    string `json:"loginHint,omitempty" doc:"the user's identifier at the provider, as a hint"`
	ACRValues    string `json:"acrValues,omitempty" doc:"requested authentication context class references, space-separated"`
}

// params returns the options as authorization parameters.
func (a *AuthRequestOptions) params() map[string]string {
	if a == nil {
		return nil
	}
	m := map[string]string{}
	for k, v := range map[string]string{"response_mode": a.ResponseMode, "display": a.Display, "prompt": a.Prompt,
		"max_age": a.MaxAge, "ui_locales": a.UILocales, "id_token_hint": a.IDTokenHint, "login_hint": a.LoginHint,
		"acr_values": a.ACRValues} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// ProfileMap says where each user info field is in the merged claims: the
// keys of Logto's profileMap, with OpenID Connect's standard claims as the
// defaults. A key written "" maps nothing.
type ProfileMap struct {
	ID            string `json:"id" default:"sub" doc:"path of the user's ID (sub by default; the sign-in fails without one)"`
	Email         string `json:"email" default:"email" doc:"path of the email address"`
	Phone         string `json:"phone" default:"phone_number" doc:"path of the phone number"`
	Name          string `json:"name" default:"name" doc:"path of the display name"`
	Avatar        string `json:"avatar" default:"picture" doc:"path of the avatar URL"`
	EmailVerified string `json:"emailVerified" default:"email_verified" doc:"path of the flag saying the email is verified (true or \"true\")"`
	PhoneVerified string `json:"phoneVerified" default:"phone_number_verified" doc:"path of the flag saying the phone is verified (true or \"true\")"`
}

// profileMap returns m as a profilemap.Map.
func (m ProfileMap) profileMap() profilemap.Map {
	return profilemap.Map{ID: m.ID, Email: m.Email, Phone: m.Phone, Name: m.Name, Avatar: m.Avatar,
		EmailVerified: m.EmailVerified, PhoneVerified: m.PhoneVerified}
}

// scopeRule is OpenID Connect's: RFC 6749 scope tokens, space-separated.
var scopeRule = oauthflow.ScopeRule{Separator: " ", Default: "openid profile email"}

// discovery reports whether the config uses the discovery form.
func (c *Config) discovery() bool { return c.Issuer != "" }

// CheckConfig implements [kit.Checker]: the rules struct tags cannot
// express, reported with the others.
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	add := func(path, msg string) { fe = append(fe, connector.FieldError{Path: path, Message: msg}) }
	explicit := map[string]bool{"authorizationEndpoint": c.AuthorizationEndpoint != "", "tokenEndpoint": c.TokenEndpoint != "",
		"userInfoEndpoint": c.UserInfoEndpoint != "", "revocationEndpoint": c.RevocationEndpoint != "",
		"idTokenVerificationConfig": c.IDTokenVerificationConfig != nil}
	if c.discovery() {
		for _, k := range []string{"authorizationEndpoint", "idTokenVerificationConfig", "revocationEndpoint", "tokenEndpoint", "userInfoEndpoint"} {
			if explicit[k] {
				add(k, "must not be set with issuer: the discovery document gives it (set issuer alone, or the endpoints with idTokenVerificationConfig)")
			}
		}
		if strings.HasSuffix(c.Issuer, "/.well-known/openid-configuration") {
			add("issuer", "is the issuer identifier, without /.well-known/openid-configuration")
		}
	} else {
		for _, k := range []string{"authorizationEndpoint", "tokenEndpoint", "idTokenVerificationConfig"} {
			if !explicit[k] {
				add(k, "is required (or set issuer alone to read the endpoints from the provider's discovery document)")
			}
		}
	}
	if c.TokenEndpointAuthMethod != string(oauthflow.AuthNone) && c.ClientSecret.IsZero() {
		add("clientSecret", "is required (unless tokenEndpointAuthMethod is none)")
	}
	if c.TokenEndpointAuthMethod == string(oauthflow.AuthNone) && c.DisablePKCE {
		add("disablePkce", "must be false when tokenEndpointAuthMethod is none: a public client needs PKCE")
	}
	if strings.ContainsFunc(c.ClientID, oauthflow.IsSpace) {
		add("clientId", "must not contain whitespace")
	}
	if strings.ContainsFunc(c.ClientSecret.Reveal(), oauthflow.IsSpace) {
		add("clientSecret", "must not contain whitespace")
	}
	if scope, err := scopeRule.Normalize(c.Scope); err != nil {
		add("scope", err.Error())
	} else if !slices.Contains(strings.Fields(scope), "openid") {
		add("scope", "must contain openid (OpenID Connect Core 3.1.2.1): add it, e.g. \"openid "+strings.TrimSpace(c.Scope)+"\"")
	}
	if t := c.IDTokenVerificationConfig; t != nil {
		if strings.TrimSpace(t.Issuer) != t.Issuer {
			add("idTokenVerificationConfig.issuer", "must not start or end with white space")
		}
		for i, a := range t.Algorithms {
			if msg := checkAlgorithm(a); msg != "" {
				add("idTokenVerificationConfig.algorithms["+strconv.Itoa(i)+"]", msg)
			}
		}
	}
	if c.AuthRequestOptionalConfig != nil {
		if v := c.AuthRequestOptionalConfig.MaxAge; v != "" {
			if n, err := strconv.ParseUint(v, 10, 31); err != nil || n > 1<<31-1 {
				add("authRequestOptionalConfig.maxAge", "must be a number of seconds")
			}
		}
		for k := range c.AuthRequestOptionalConfig.params() {
			if _, dup := c.CustomConfig[k]; dup {
				add("customConfig["+strconv.Quote(k)+"]", "is set in authRequestOptionalConfig too; set it once")
			}
		}
	}
	fe = append(fe, oauthflow.CheckCustomConfig(c.CustomConfig, c.Scope)...)
	fe = append(fe, c.ProfileMap.profileMap().Check()...)
	return fe
}

// checkAlgorithm says why a is not an accepted id_token algorithm.
func checkAlgorithm(a string) string {
	switch {
	case strings.EqualFold(a, "none"):
		return "none is never accepted: an id_token must be signed"
	case strings.HasPrefix(strings.ToUpper(a), "HS"):
		return "HMAC algorithms are never accepted for id_tokens: their key would be the client secret or a public key"
	case !slices.Contains(idtoken.Algorithms(), a):
		return fmt.Sprintf("must be one of %s, got %q", strings.Join(idtoken.Algorithms(), ", "), a)
	}
	return ""
}
