package kakao

import (
	"bytes"
	_ "embed"
	"encoding/json"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/internal/phone"
	"github.com/connectorkit/connector/kit"
)

// Kakao's endpoints. Replace one with [connector.WithEndpoint] and the names
// [EndpointAuthorization], [EndpointToken] or [EndpointUserInfo] (tests, the
// demo server).
const (
	AuthorizationURL = "https://kauth.kakao.com/oauth/authorize"
	TokenURL         = "https://kauth.kakao.com/oauth/token"
	UserInfoURL      = "https://kapi.kakao.com/v2/user/me"
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
	FactoryID = "kakao-universal"
	Target    = "kakao"
)

//go:embed logo.svg
var logoSVG []byte

var logo = kit.SVGLogo(logoSVG)

// configSchema is derived once from [Config]'s tags.
var configSchema = kit.ConfigSchema(Config{}, "Kakao connector config")

// Config is the JSON config of a Kakao connector, with Logto's field names
// (a Logto Kakao config opens unchanged) plus scope.
type Config struct {
	// ClientID is the app's REST API key.
	ClientID string `json:"clientId" validate:"required" doc:"The REST API key of your Kakao app (Kakao Developers > My Application > App Keys)."`
	// ClientSecret is the app's client secret, needed only when client
	// secret is enabled in the Kakao console; it is sent only when set.
	ClientSecret connector.Secret `json:"clientSecret,omitempty" doc:"The client secret code (Kakao Login > Security), only if it is enabled for your app. Leave empty otherwise."`
	// Scope lists consent items, comma-separated
	// ("profile_nickname,profile_image,account_email"); empty asks for the
	// items set in the console. Spaces are accepted as separators too.
	Scope string `json:"scope,omitempty" doc:"Comma-separated consent items to request, such as profile_nickname,profile_image,account_email. Empty requests the consent items configured for your app."`
}

// CheckConfig implements [kit.Checker]: the client ID must not hold
// whitespace, and every scope item must be a plain consent item ID.
func (c *Config) CheckConfig() connector.FieldErrors {
	return spec.CheckClient(c.ClientID, c.ClientSecret, c.Scope, "paste the REST API key alone")
}

// Connector signs people in with Kakao Login: the shared OAuth 2.0 social
// connector over Kakao's endpoints, client_secret_post (the secret only
// when set) and the mapping of Kakao's /v2/user/me profile (see the package
// documentation). It implements [connector.Social] and
// [connector.Refresher] (Kakao rotates a refresh token only near its
// expiry; otherwise the one given is kept in the result), and is
// immutable and safe for concurrent use. Build it with [New] or [Open].
type Connector struct{ *social }

type social = oauthflow.Social

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
)

// spec is Kakao, as data for the engine. A request scope replaces the
// configured consent items, comma-separated like [Config.Scope]; the
// callback's code is used as received (never decoded again).
var spec = oauthflow.Provider{
	FactoryID:   FactoryID,
	Metadata:    Metadata,
	Endpoint:    oauth2.Endpoint{AuthURL: AuthorizationURL, TokenURL: TokenURL},
	UserInfoURL: UserInfoURL,
	AuthMethod:  oauthflow.AuthClientSecretPost,
	Scope: oauthflow.ScopeRule{Separator: ",", ItemName: "consent item ID", ItemChars: "letters, digits, _ . : - only; items are comma-separated",
		ValidRune: func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == ':' || r == '-'
		}},
	MapProfile: func(doc []byte) (*connector.UserInfo, error) { return mapProfile(doc, phone.ToE164) },
}

// Metadata describes the Kakao connector factory.
func Metadata() connector.Metadata {
	return connector.Metadata{
		ID:       FactoryID,
		Target:   Target,
		Type:     connector.TypeSocial,
		Platform: connector.PlatformUniversal,
		Name:     map[string]string{"en": "Kakao", "ko": "카카오"},
		Description: map[string]string{
			"en": "Sign in with a Kakao account (Kakao Login).",
			"ko": "카카오계정으로 로그인합니다 (카카오 로그인).",
		},
		Logo:         logo,
		ConfigSchema: bytes.Clone(configSchema),
		ReadmeURL:    "https://pkg.go.dev/github.com/connectorkit/connector/social/kakao",
	}
}

// Factory returns the factory of Kakao connectors, for a
// [connector.Registry]; it opens JSON configs with [Open].
func Factory() connector.Factory { return connector.NewFactory(Metadata(), Open) }

// New checks cfg (every bad field at once, by its JSON path, in an
// invalid_config error) and returns a Kakao connector; it makes no network
// call. The package documentation lists the options it takes.
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	return oauthflow.Build(spec, cfg, opts, clientOf, func(s *social) *Connector { return &Connector{s} })
}

// Open is [New] for a JSON config: Logto's Kakao config, plus scope.
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return oauthflow.OpenJSON(raw, FactoryID, opts, New)
}

// clientOf is the engine's client for a checked config.
func clientOf(c Config) oauthflow.Client { return spec.Client(c.ClientID, c.ClientSecret, c.Scope) }
