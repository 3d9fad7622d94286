package huggingface

import (
	"bytes"
	_ "embed"
	"encoding/json"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
)

// Hugging Face's endpoints. Replace one with [connector.WithEndpoint] and
// the names [EndpointAuthorization], [EndpointToken] or [EndpointUserInfo]
// (tests, the demo server).
const (
	AuthorizationURL = "https://huggingface.co/oauth/authorize"
	TokenURL         = "https://huggingface.co/oauth/token"
	UserInfoURL      = "https://huggingface.co/oauth/userinfo"
)

// Endpoint names understood by [connector.WithEndpoint].
const (
	EndpointAuthorization = oauthflow.EndpointAuthorization
	EndpointToken         = oauthflow.EndpointToken
	EndpointUserInfo      = oauthflow.EndpointUserInfo
)

// FactoryID is the factory ID (Logto's), and Target the identity-provider
// name users are linked under.
const (
	FactoryID = "huggingface-universal"
	Target    = "huggingface"
)

// DefaultScope is the scope asked for when the config sets none.
const DefaultScope = "profile"

//go:embed logo.svg
var logoSVG []byte

var logo = kit.SVGLogo(logoSVG)

// configSchema is derived once from [Config]'s tags.
var configSchema = kit.ConfigSchema(Config{}, "Hugging Face connector config")

// Config is the JSON config of a Hugging Face connector, with Logto's field
// names: a Logto Hugging Face config opens unchanged.
type Config struct {
	// ClientID is the OAuth app's client ID.
	ClientID string `json:"clientId" validate:"required" doc:"The Client ID of your Hugging Face OAuth app (Settings > Connected Apps > your app)."`
	// ClientSecret is the OAuth app's secret.
	ClientSecret connector.Secret `json:"clientSecret" validate:"required" doc:"The App secret of your Hugging Face OAuth app."`
	// Scope is space-separated; the app must allow every scope asked for.
	Scope string `json:"scope,omitempty" default:"profile" doc:"Space-separated scopes: openid, profile, email, and repository or inference scopes. The OAuth app must allow each of them. Add email to receive the user's email address."`
}

// CheckConfig implements [kit.Checker]: no whitespace in the
// credentials, and every scope a valid OAuth scope token.
func (c *Config) CheckConfig() connector.FieldErrors {
	return spec.CheckClient(c.ClientID, c.ClientSecret, c.Scope, "")
}

// Connector signs people in with Hugging Face: the shared OAuth 2.0 social
// connector over Hugging Face's endpoints, with the client credentials in
// an HTTP Basic header, an S256 PKCE challenge, and the mapping of
// /oauth/userinfo (see the package documentation). It implements
// [connector.Social] and [connector.Refresher], and is immutable and safe
// for concurrent use. Build it with [New] or [Open].
type Connector struct{ *social }

type social = oauthflow.Social

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
)

// spec is Hugging Face, as data for the engine. A request scope replaces
// the configured one.
var spec = oauthflow.Provider{
	FactoryID:   FactoryID,
	Metadata:    Metadata,
	Endpoint:    oauth2.Endpoint{AuthURL: AuthorizationURL, TokenURL: TokenURL},
	UserInfoURL: UserInfoURL,
	AuthMethod:  oauthflow.AuthClientSecretBasic,
	PKCE:        true,
	Scope:       oauthflow.ScopeRule{Separator: " ", Default: DefaultScope},
	MapProfile:  mapProfile,
}

// Metadata describes the Hugging Face connector factory.
func Metadata() connector.Metadata {
	return connector.Metadata{
		ID:           FactoryID,
		Target:       Target,
		Type:         connector.TypeSocial,
		Platform:     connector.PlatformUniversal,
		Name:         map[string]string{"en": "Hugging Face"},
		Description:  map[string]string{"en": "Sign in with a Hugging Face account."},
		Logo:         logo,
		ConfigSchema: bytes.Clone(configSchema),
		ReadmeURL:    "https://pkg.go.dev/github.com/connectorkit/connector/social/huggingface",
	}
}

// Factory registers Hugging Face in a [connector.Registry]: a factory
// whose Open is this package's [Open].
func Factory() connector.Factory { return connector.NewFactory(Metadata(), Open) }

// New is the typed constructor for Go hosts, which never marshal JSON to
// build a connector: a bad config or option is an invalid_config error
// naming each field by its JSON path, and no request is sent. See the
// package documentation for the options.
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	wrap := func(s *social) *Connector { return &Connector{s} }
	return oauthflow.Build(spec, cfg, opts, func(c Config) oauthflow.Client { return spec.Client(c.ClientID, c.ClientSecret, c.Scope) }, wrap)
}

// Open decodes Logto's Hugging Face config and builds it with [New].
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return oauthflow.OpenJSON(raw, FactoryID, opts, New)
}
