package oidc

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/profilemap"
)

// FactoryID is the factory ID, as Logto's.
const FactoryID = "oidc"

// DefaultTarget is the target of an instance opened without
// [connector.WithTarget].
const DefaultTarget = "oidc"

// Endpoint names for [connector.WithEndpoint]: they replace what the
// config or the discovery document says.
const (
	EndpointAuthorization = connector.EndpointAuthorization
	EndpointToken         = connector.EndpointToken
	EndpointUserInfo      = connector.EndpointUserInfo
	EndpointRevocation    = connector.EndpointRevocation
	EndpointKeys          = connector.EndpointKeys
	EndpointDiscovery     = connector.EndpointDiscovery
)

// Connector is an OpenID Connect connector instance. It implements
// [connector.Social], [connector.Refresher] and [connector.Revoker], and
// is immutable and safe for concurrent use; with the discovery form it
// reads the provider's discovery document at its first use (through the
// injected HTTP client, with the caller's context) and keeps it.
type Connector struct {
	id     string
	target string
	cfg    Config
	opts   connector.Options
	log    *slog.Logger
	mapper *profilemap.Mapper

	static *provider   // explicit form
	disc   *discoverer // discovery form
}

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
	_ connector.Revoker   = (*Connector)(nil)
)

// provider is what the config, or the discovery document, gives: the
// shared social connector over the provider's endpoints, and the
// verifier of its id_tokens.
type provider struct {
	c          *Connector
	issuer     string
	social     *oauthflow.Social
	verifier   *idtoken.Verifier
	userInfo   bool
	revocation bool
}

// endpoints are the provider facts a provider is built from.
type endpoints struct {
	issuer, auth, token, userInfo, revocation, jwks string
	algorithms, authMethods                         []string
	issParameter                                    bool
}

// New validates cfg and returns a connector: the constructor for Go hosts.
// Every invalid field is reported at once in an invalid_config
// [*connector.Error] naming its JSON path. A zero field takes its default,
// as an absent JSON key does. It makes no network call: with the discovery
// form the provider's document is read at the first sign-in.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], [connector.WithTarget]
// (oidc is a standard connector), and [connector.WithEndpoint] with
// [EndpointAuthorization], [EndpointToken], [EndpointUserInfo],
// [EndpointRevocation], [EndpointKeys] or [EndpointDiscovery].
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	return oauthflow.Validated(FactoryID, cfg, opts, build)
}

// Open decodes and validates a JSON config (Logto's OpenID Connect config,
// or issuer alone) and builds the connector as [New] does, keeping JSON's
// meaning of an empty profileMap path ("map nothing"). Unknown fields are
// refused.
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return oauthflow.Decoded(FactoryID, raw, opts, build)
}

// Factory returns the oidc factory for a [connector.Registry].
func Factory() connector.Factory { return connector.NewFactory(Metadata(), Open) }

// build makes a connector from a valid config.
func build(cfg Config, o connector.Options) (*Connector, error) {
	id := o.ConnectorID(FactoryID)
	if err := o.Restrict(FactoryID, true, EndpointAuthorization, EndpointToken, EndpointUserInfo, EndpointRevocation,
		EndpointKeys, EndpointDiscovery); err != nil {
		return nil, err
	}
	mapper, err := profilemap.CompileConfig(cfg.ProfileMap.profileMap())
	if err != nil {
		return nil, kit.Attribute(err, id)
	}
	target := o.Target
	if target == "" {
		target = DefaultTarget
	}
	c := &Connector{id: id, target: target, cfg: cfg, opts: o, log: o.ScopedLogger(FactoryID), mapper: mapper}
	if cfg.discovery() {
		c.disc = newDiscoverer(cfg.Issuer, o.HTTPClient, o.Now, func(d *Document) (*provider, error) {
			return c.newProvider(endpoints{issuer: d.Issuer, auth: d.AuthorizationEndpoint, token: d.TokenEndpoint,
				userInfo: d.UserInfoEndpoint, revocation: d.RevocationEndpoint, jwks: d.JWKSURI,
				algorithms: acceptedAlgorithms(d.SigningAlgorithms), authMethods: d.AuthMethods, issParameter: d.IssParameter})
		})
		c.disc.url = o.Endpoint(EndpointDiscovery, c.disc.url)
		return c, nil
	}
	t := cfg.IDTokenVerificationConfig
	c.static, err = c.newProvider(endpoints{issuer: t.Issuer, auth: cfg.AuthorizationEndpoint, token: cfg.TokenEndpoint,
		userInfo: cfg.UserInfoEndpoint, revocation: cfg.RevocationEndpoint, jwks: t.JWKSURI, algorithms: t.Algorithms})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newProvider builds the social connector and the verifier for e, with
// the options' endpoint overrides.
func (c *Connector) newProvider(e endpoints) (*provider, error) {
	cfg, o := c.cfg, c.opts
	method := oauthflow.AuthMethod(cfg.TokenEndpointAuthMethod)
	if method == "" {
		method = defaultAuthMethod(c.disc != nil, e.authMethods)
	}
	algs := e.algorithms
	if len(algs) == 0 {
		algs = idtoken.Algorithms()
	}
	skew := time.Duration(0)
	if t := cfg.IDTokenVerificationConfig; t != nil {
		skew = time.Duration(t.ClockTolerance) * time.Second
	}
	keys := idtoken.NewKeySet(o.Endpoint(EndpointKeys, e.jwks), idtoken.KeySetOptions{HTTPClient: o.HTTPClient, Now: o.Now, Logger: c.log})
	verifier, err := idtoken.New(idtoken.Config{ConnectorID: c.id, Issuer: e.issuer, Audiences: []string{cfg.ClientID},
		Algorithms: algs, Keys: keys, Now: o.Now, Skew: skew})
	if err != nil {
		return nil, err
	}
	scope, authParams, tokenParams := oauthflow.CustomParams(cfg.CustomConfig, cfg.Scope, func(k, sc string) {
		c.log.Warn("customConfig key is sent as written; Logto would send it snake_cased", "key", k, "logto_key", sc)
	})
	scope, _ = scopeRule.Normalize(scope) // checked by CheckConfig
	for k, v := range cfg.AuthRequestOptionalConfig.params() {
		if authParams == nil {
			authParams = map[string][]string{}
		}
		authParams.Set(k, v)
	}
	p := &provider{c: c, issuer: e.issuer, verifier: verifier}
	p.social, err = oauthflow.Open(oauthflow.Provider{
		FactoryID:     FactoryID,
		Metadata:      metadata,
		Standard:      true,
		Endpoint:      oauth2.Endpoint{AuthURL: e.auth, TokenURL: e.token},
		UserInfoURL:   e.userInfo,
		RevokeURL:     e.revocation,
		AuthMethod:    method,
		JWTAlgorithm:  cfg.ClientSecretJWTSigningAlgorithm,
		PKCE:          !cfg.DisablePKCE,
		Nonce:         true,
		Scope:         scopeRule,
		AuthParams:    authParams,
		TokenParams:   tokenParams,
		IDToken:       p.signIn,
		Issuer:        e.issuer,
		RequireIssuer: e.issParameter,
		// Every name New accepted, whatever this provider has.
		Endpoints: []string{EndpointUserInfo, EndpointRevocation, EndpointKeys, EndpointDiscovery},
	}, oauthflow.Client{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scope: scope}, o)
	if err != nil {
		return nil, err
	}
	p.userInfo = o.Endpoint(EndpointUserInfo, e.userInfo) != ""
	p.revocation = o.Endpoint(EndpointRevocation, e.revocation) != ""
	c.log.Debug("provider ready", "issuer", e.issuer, "discovered", c.disc != nil, "userinfo", p.userInfo,
		"revocation", p.revocation, "algorithms", algs, "auth_method", string(method), "iss_parameter", e.issParameter)
	return p, nil
}

// defaultAuthMethod picks the client authentication when the config sets
// none: Logto's client_secret_post for the explicit form; with discovery,
// client_secret_basic (OpenID Connect's default) unless the provider lists
// methods without it and with client_secret_post.
func defaultAuthMethod(discovered bool, advertised []string) oauthflow.AuthMethod {
	if !discovered {
		return oauthflow.AuthClientSecretPost
	}
	if len(advertised) > 0 && !slices.Contains(advertised, string(oauthflow.AuthClientSecretBasic)) &&
		slices.Contains(advertised, string(oauthflow.AuthClientSecretPost)) {
		return oauthflow.AuthClientSecretPost
	}
	return oauthflow.AuthClientSecretBasic
}

// provider returns the provider, reading the discovery document first when
// the config uses that form.
func (c *Connector) provider(ctx context.Context, step connector.Step) (*provider, error) {
	if c.static != nil {
		return c.static, nil
	}
	p, err := c.disc.get(ctx, step)
	if err != nil {
		return nil, kit.Attribute(err, c.id)
	}
	return p, nil
}

// Metadata implements [connector.Connector].
func (c *Connector) Metadata() connector.Metadata {
	m := metadata()
	m.Target = c.target
	return m
}

// AuthorizationURL implements [connector.Social]: response_type=code,
// client_id, redirect_uri, scope (with openid), state, a nonce, the PKCE
// challenge, authRequestOptionalConfig and customConfig. With the
// discovery form, the first call reads the discovery document.
func (c *Connector) AuthorizationURL(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	p, err := c.provider(ctx, connector.StepAuthorize)
	if err != nil {
		return nil, err
	}
	return p.social.AuthorizationURL(ctx, req)
}

// UserInfo implements [connector.Social]: the callback's state, its iss
// (RFC 9207), the code exchange, the id_token (signature, iss, aud, azp,
// exp, iat, nbf, nonce, at_hash), then the userinfo endpoint when there is
// one (its sub must be the id_token's), merged and mapped.
func (c *Connector) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	p, err := c.provider(ctx, connector.StepCallback)
	if err != nil {
		return nil, err
	}
	return p.social.UserInfo(ctx, cb)
}

// String describes the connector without its secret.
func (c *Connector) String() string {
	src := "issuer " + c.cfg.Issuer
	if c.static != nil {
		src = "issuer " + c.static.issuer + " (explicit endpoints)"
	}
	return fmt.Sprintf("%s connector{ID:%q Target:%q ClientID:%q Scope:%q Source:%q}", FactoryID, c.id, c.target,
		c.cfg.ClientID, c.cfg.Scope, src)
}

// GoString is like String, so %#v reveals nothing either.
func (c *Connector) GoString() string { return c.String() }

// Format prints String for every verb, of the connector or of a copy of
// it: fmt would otherwise print the fields, the secret among them, for
// the verbs String does not serve (%d, %x of the struct...).
func (c Connector) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue logs String.
func (c Connector) LogValue() slog.Value { return slog.StringValue(c.String()) }

//go:embed logo.svg
var logoSVG []byte

var baseMetadata = sync.OnceValue(func() connector.Metadata {
	return connector.Metadata{
		ID:       FactoryID,
		Target:   DefaultTarget,
		Type:     connector.TypeSocial,
		Platform: connector.PlatformUniversal,
		Name:     map[string]string{"en": "OpenID Connect"},
		Description: map[string]string{
			"en": "Sign in with any OpenID Connect provider (Google, Microsoft, Okta, Keycloak...).",
		},
		Logo:         kit.SVGLogo(logoSVG),
		IsStandard:   true,
		ConfigSchema: kit.ConfigSchema(Config{}, "OpenID Connect connector config"),
		ReadmeURL:    "https://pkg.go.dev/github.com/connectorkit/connector/oidc",
	}
})

// Metadata describes the oidc connector factory; the caller may keep and
// change what it returns.
func Metadata() connector.Metadata { return baseMetadata().Clone() }

// metadata is Metadata, for the engine.
func metadata() connector.Metadata { return baseMetadata().Clone() }
