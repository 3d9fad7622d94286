// Package oauth2generic signs people in with any OAuth 2.0 provider
// described by its config: Logto's "oauth2" connector, with the same JSON
// config, and its bugs fixed (the token response format is taken from the
// Content-Type unless set, token_type is optional, the callback state is
// checked, PKCE is on, the provider's error body is kept, customConfig never
// overrides the flow's own parameters).
//
//	reg, _ := connector.NewRegistry(oauth2generic.Factory())
//	c, err := reg.OpenSocial("oauth2", logtoConfigJSON, connector.WithTarget("acme"))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: callbackURL})
//	// keep auth.Flow with the session, redirect to auth.URL; on the callback:
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.URL.Query(), Flow: flow})
//
// The connector is "standard": a host may open several instances, each with
// its own target ([connector.WithTarget]) and instance ID
// ([connector.WithInstanceID]). The endpoints of the config can be
// overridden with [connector.WithEndpoint] under the names "authorization",
// "token" and "userinfo".
package oauth2generic

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sync"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/profilemap"
)

// FactoryID is the factory ID, as Logto's.
const FactoryID = "oauth2"

// DefaultTarget is the target of an instance opened without
// [connector.WithTarget].
const DefaultTarget = "oauth2"

// Endpoint names for [connector.WithEndpoint].
const (
	EndpointAuthorization = oauthflow.EndpointAuthorization
	EndpointToken         = oauthflow.EndpointToken
	EndpointUserInfo      = oauthflow.EndpointUserInfo
)

// Config is the connector's JSON config: Logto's oauth2 fields, plus
// disablePkce and profileMap.emailVerified / phoneVerified.
type Config struct {
	AuthorizationEndpoint string `json:"authorizationEndpoint" validate:"required,endpoint" doc:"URL of the provider's authorization endpoint; it may carry a query string, which is kept"`
	TokenEndpoint         string `json:"tokenEndpoint" validate:"required,endpoint" doc:"URL of the token endpoint (also the aud of a client_secret_jwt assertion)"`
	UserInfoEndpoint      string `json:"userInfoEndpoint" validate:"required,endpoint" doc:"URL of the userinfo endpoint, called with the access token as a Bearer token"`

	ClientID     string           `json:"clientId" validate:"required" doc:"client ID registered with the provider"`
	ClientSecret connector.Secret `json:"clientSecret" doc:"client secret; required unless tokenEndpointAuthMethod is none"`

	TokenEndpointAuthMethod         string `json:"tokenEndpointAuthMethod" default:"client_secret_post" validate:"oneof=client_secret_post client_secret_basic client_secret_jwt none" doc:"how the client authenticates at the token endpoint; none is a public client (PKCE required)"`
	ClientSecretJWTSigningAlgorithm string `json:"clientSecretJwtSigningAlgorithm" default:"HS256" validate:"oneof=HS256 HS384 HS512" doc:"HMAC algorithm of the client_secret_jwt assertion"`

	Scope        string `json:"scope" doc:"space-separated scopes to request; omitted when empty"`
	ResponseType string `json:"responseType" default:"code" validate:"oneof=code" doc:"only code (the authorization code flow) is supported"`
	GrantType    string `json:"grantType" default:"authorization_code" validate:"oneof=authorization_code" doc:"only authorization_code is supported"`

	TokenEndpointResponseType string `json:"tokenEndpointResponseType" validate:"omitempty,oneof=query-string json" doc:"format of the token response; unset: decided by its Content-Type (Logto defaults to query-string, which breaks JSON providers)"`

	ProfileMap profilemap.Map `json:"profileMap" doc:"where each user info field is in the userinfo JSON (dotted paths, array indexes); an absent key maps the field's own name, a key set to an empty string maps nothing"`

	CustomConfig map[string]string `json:"customConfig" doc:"extra parameters added, with their keys as written, to the authorization URL and the token and refresh requests; they may not override the flow's own parameters"`

	DisablePKCE bool `json:"disablePkce" doc:"do not send a PKCE S256 code challenge (only for providers that reject unknown parameters)"`
}

// CheckConfig implements [kit.Checker]: the rules struct tags cannot
// express, reported with the others.
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	add := func(path, msg string) { fe = append(fe, connector.FieldError{Path: path, Message: msg}) }
	if c.TokenEndpointAuthMethod != string(oauthflow.AuthNone) && c.ClientSecret.IsZero() {
		add("clientSecret", "is required (unless tokenEndpointAuthMethod is none)")
	}
	if c.TokenEndpointAuthMethod == string(oauthflow.AuthNone) && c.DisablePKCE {
		add("disablePkce", "must be false when tokenEndpointAuthMethod is none: a public client needs PKCE")
	}
	fe = append(fe, oauthflow.CheckCustomConfig(c.CustomConfig, c.Scope)...)
	if u, err := url.Parse(c.AuthorizationEndpoint); err == nil {
		if q, err := url.ParseQuery(u.RawQuery); err == nil {
			for _, k := range slices.Sorted(maps.Keys(q)) {
				if oauthflow.IsReserved(k) {
					add("authorizationEndpoint", fmt.Sprintf("must not carry the reserved parameter %s in its query string", k))
				} else if len(q[k]) > 1 {
					add("authorizationEndpoint", fmt.Sprintf("must not repeat the query parameter %s", k))
				}
			}
		} else {
			add("authorizationEndpoint", "has a malformed query string")
		}
	}
	fe = append(fe, c.ProfileMap.Check()...)
	return fe
}

// Connector is an oauth2 connector instance: the shared OAuth 2.0 social
// connector over the configured endpoints, client authentication and
// profile map. It implements [connector.Social] (the authorization URL
// carries response_type=code, client_id, redirect_uri, state, scope, the
// PKCE challenge and customConfig; the callback is checked, the code
// exchanged, the userinfo document fetched and mapped) and
// [connector.Refresher]. It is immutable and safe for concurrent use.
type Connector struct{ *social }

type social = oauthflow.Social

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
)

// New validates cfg and returns a connector: the constructor for Go hosts.
// Every invalid field is reported at once in an invalid_config
// [*connector.Error] naming its JSON path. A zero field takes its default,
// as an absent JSON key does (in profileMap too: the Go form has no way to
// say "map nothing"; use JSON's "" for that). It makes no network call.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], [connector.WithTarget]
// (oauth2 is a standard connector), and [connector.WithEndpoint] with
// [EndpointAuthorization], [EndpointToken] or [EndpointUserInfo].
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	return oauthflow.Validated(FactoryID, cfg, opts, build)
}

// build makes a connector from a valid config.
func build(cfg Config, o connector.Options) (*Connector, error) {
	mapper, err := profilemap.CompileConfig(cfg.ProfileMap)
	if err != nil {
		return nil, kit.Attribute(err, o.ConnectorID(FactoryID))
	}
	scope, authParams, tokenParams := oauthflow.CustomParams(cfg.CustomConfig, cfg.Scope, func(k, sc string) {
		o.ScopedLogger(FactoryID).Warn("customConfig key is sent as written; Logto would send it snake_cased", "key", k, "logto_key", sc)
	})
	format := oauthflow.FormatAuto
	switch cfg.TokenEndpointResponseType {
	case "json":
		format = oauthflow.FormatJSON
	case "query-string":
		format = oauthflow.FormatForm
	}
	s, err := oauthflow.Open(oauthflow.Provider{
		FactoryID:           FactoryID,
		Metadata:            metadata,
		Standard:            true,
		Endpoint:            oauth2.Endpoint{AuthURL: cfg.AuthorizationEndpoint, TokenURL: cfg.TokenEndpoint},
		UserInfoURL:         cfg.UserInfoEndpoint,
		AuthMethod:          oauthflow.AuthMethod(cfg.TokenEndpointAuthMethod),
		JWTAlgorithm:        cfg.ClientSecretJWTSigningAlgorithm,
		PKCE:                !cfg.DisablePKCE,
		Scope:               oauthflow.ScopeRule{AsWritten: true},
		AuthParams:          authParams,
		TokenParams:         tokenParams,
		TokenResponseFormat: format,
		MapProfile:          mapper.Apply,
	}, oauthflow.Client{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scope: scope}, o)
	if err != nil {
		return nil, err
	}
	return &Connector{s}, nil
}

// Open decodes and validates a JSON config (Logto's oauth2 config,
// compatible) and builds the connector as [New] does, keeping JSON's
// meaning of an empty profileMap path ("map nothing"). Unknown fields are
// refused.
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return oauthflow.Decoded(FactoryID, raw, opts, build)
}

//go:embed logo.svg
var logoSVG []byte

var baseMetadata = sync.OnceValue(func() connector.Metadata {
	return connector.Metadata{
		ID:       FactoryID,
		Target:   DefaultTarget,
		Type:     connector.TypeSocial,
		Platform: connector.PlatformUniversal,
		Name:     map[string]string{"en": "OAuth 2.0"},
		Description: map[string]string{
			"en": "Sign in with any OAuth 2.0 provider that supports the authorization code flow.",
		},
		Logo:         kit.SVGLogo(logoSVG),
		IsStandard:   true,
		ConfigSchema: kit.ConfigSchema(Config{}, "OAuth 2.0 connector config"),
	}
})

// metadata returns a copy of the metadata whose maps and schema the caller
// may keep.
func metadata() connector.Metadata { return baseMetadata().Clone() }

// Factory returns the oauth2 factory for a [connector.Registry].
func Factory() connector.Factory {
	return connector.NewFactory(metadata(), Open)
}
