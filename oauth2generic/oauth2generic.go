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
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/profilemap"
)

// FactoryID is the factory ID, as Logto's.
const FactoryID = "oauth2"

// DefaultTarget is the target of an instance opened without
// [connector.WithTarget].
const DefaultTarget = "oauth2"

// Endpoint names for [connector.WithEndpoint].
const (
	EndpointAuthorization = "authorization"
	EndpointToken         = "token"
	EndpointUserInfo      = "userinfo"
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

// CheckConfig implements [connector.Checker]: the rules struct tags cannot
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
	for _, k := range sortedKeys(c.CustomConfig) {
		p := "customConfig[" + strconv.Quote(k) + "]"
		switch {
		case strings.TrimSpace(k) == "":
			add(p, "has an empty parameter name")
		case oauthflow.IsReserved(k):
			add(p, fmt.Sprintf("would override the reserved parameter %s, which the connector sets itself; remove it", k))
		case oauthflow.IsReserved(snakeCase(k)):
			add(p, fmt.Sprintf("would override the reserved parameter %s (Logto sends this key as %s); remove it", snakeCase(k), snakeCase(k)))
		case k == "scope" && c.Scope != "":
			add(p, "conflicts with scope; set the scope field only")
		}
	}
	if u, err := url.Parse(c.AuthorizationEndpoint); err == nil {
		if q, err := url.ParseQuery(u.RawQuery); err == nil {
			for _, k := range sortedKeys(q) {
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

// snakeCase converts "redirectUri" to "redirect_uri", as Logto does to
// customConfig keys.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Connector is an oauth2 connector instance. It is immutable and safe for
// concurrent use.
type Connector struct {
	meta   connector.Metadata
	engine *oauthflow.Engine
	mapper *profilemap.Mapper
	log    *slog.Logger
}

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
)

// New opens a connector from its JSON config. Every invalid field is
// reported at once in an invalid_config [*connector.Error]; unknown fields
// are refused.
func New(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	o, err := connector.ResolveOptions(opts...)
	if err != nil {
		return nil, connector.Attribute(err, FactoryID)
	}
	id := o.ConnectorID(FactoryID)
	if err := o.Restrict(FactoryID, true, EndpointAuthorization, EndpointToken, EndpointUserInfo); err != nil {
		return nil, err
	}
	var cfg Config
	if err := connector.DecodeConfig(raw, &cfg); err != nil {
		return nil, connector.Attribute(err, id)
	}
	mapper, err := profilemap.CompileConfig(cfg.ProfileMap)
	if err != nil {
		return nil, connector.Attribute(err, id)
	}
	log := o.ScopedLogger(FactoryID)

	var authParams, tokenParams url.Values
	scope := cfg.Scope
	for _, k := range sortedKeys(cfg.CustomConfig) {
		v := cfg.CustomConfig[k]
		if k == "scope" {
			// Only when scope is unset (CheckConfig): the default scope.
			scope = v
		} else {
			if authParams == nil {
				authParams = url.Values{}
			}
			authParams.Set(k, v)
		}
		if tokenParams == nil {
			tokenParams = url.Values{}
		}
		tokenParams.Set(k, v)
		if sc := snakeCase(k); sc != k {
			log.Warn("customConfig key is sent as written; Logto would send it snake_cased", "key", k, "logto_key", sc)
		}
	}
	format := oauthflow.FormatAuto
	switch cfg.TokenEndpointResponseType {
	case "json":
		format = oauthflow.FormatJSON
	case "query-string":
		format = oauthflow.FormatForm
	}
	engine, err := oauthflow.New(oauthflow.Config{
		ConnectorID:         id,
		ClientID:            cfg.ClientID,
		ClientSecret:        cfg.ClientSecret,
		AuthURL:             o.Endpoint(EndpointAuthorization, cfg.AuthorizationEndpoint),
		TokenURL:            o.Endpoint(EndpointToken, cfg.TokenEndpoint),
		UserInfoURL:         o.Endpoint(EndpointUserInfo, cfg.UserInfoEndpoint),
		AuthMethod:          oauthflow.AuthMethod(cfg.TokenEndpointAuthMethod),
		JWTAlgorithm:        cfg.ClientSecretJWTSigningAlgorithm,
		Scope:               scope,
		PKCE:                !cfg.DisablePKCE,
		AuthParams:          authParams,
		TokenParams:         tokenParams,
		TokenResponseFormat: format,
		HTTPClient:          o.HTTPClient,
		Logger:              log,
		Now:                 o.Now,
	})
	if err != nil {
		return nil, err
	}
	meta := metadata()
	if o.Target != "" {
		meta.Target = o.Target
	}
	return &Connector{meta: meta, engine: engine, mapper: mapper, log: log}, nil
}

// Metadata implements [connector.Connector]; Target is the instance's.
// The maps and schema are copies the caller may keep.
func (c *Connector) Metadata() connector.Metadata {
	m := metadata()
	m.Target = c.meta.Target
	return m
}

// AuthorizationURL implements [connector.Social]: the provider URL with
// response_type=code, client_id, redirect_uri, state, scope, the PKCE
// challenge and customConfig, and the flow state to keep.
func (c *Connector) AuthorizationURL(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	return c.engine.Authorize(ctx, req)
}

// UserInfo implements [connector.Social]: it checks the callback (provider
// error, state, code), exchanges the code, fetches the userinfo document and
// maps it with the profile map. The provider tokens are included when
// cb.WantTokens is set.
func (c *Connector) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	info, err := c.engine.SignIn(ctx, cb, c.mapper.Apply)
	if err != nil {
		return nil, err
	}
	return info, nil
}

// Refresh implements [connector.Refresher] with the token endpoint's
// refresh_token grant.
func (c *Connector) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return c.engine.Refresh(ctx, refreshToken)
}

// String describes the connector without its secret.
func (c *Connector) String() string {
	return fmt.Sprintf("oauth2generic.Connector{Target:%q Engine:%s}", c.meta.Target, c.engine)
}

// GoString is like String.
func (c *Connector) GoString() string { return c.String() }

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
		Logo:         "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(logoSVG),
		IsStandard:   true,
		ConfigSchema: connector.ConfigSchema(Config{}, "OAuth 2.0 connector"),
	}
})

// metadata returns a copy of the metadata whose maps and schema the caller
// may keep.
func metadata() connector.Metadata {
	m := baseMetadata()
	m.Name = map[string]string{"en": m.Name["en"]}
	m.Description = map[string]string{"en": m.Description["en"]}
	m.ConfigSchema = append(json.RawMessage(nil), m.ConfigSchema...)
	return m
}

// Factory returns the oauth2 factory for a [connector.Registry].
func Factory() connector.Factory {
	return connector.NewFactory(metadata(), New)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
