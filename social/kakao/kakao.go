package kakao

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/internal/phone"
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
	EndpointAuthorization = "authorization"
	EndpointToken         = "token"
	EndpointUserInfo      = "userinfo"
)

// FactoryID is the factory ID (Logto's), and Target the identity-provider
// name users are linked under.
const (
	FactoryID = "kakao-universal"
	Target    = "kakao"
)

//go:embed logo.svg
var logoSVG []byte

var logo = "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(logoSVG)

// configSchema is derived once from [Config]'s tags.
var configSchema = connector.ConfigSchema(Config{}, "Kakao connector config")

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

// CheckConfig implements [connector.Checker]: the client ID must not hold
// whitespace, and every scope item must be a plain consent item ID.
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	if c.ClientID != "" && strings.ContainsFunc(c.ClientID, isSpace) {
		fe = append(fe, connector.FieldError{Path: "clientId", Message: "must not contain whitespace (paste the REST API key alone)"})
	}
	if strings.ContainsFunc(c.ClientSecret.Reveal(), isSpace) {
		fe = append(fe, connector.FieldError{Path: "clientSecret", Message: "must not contain whitespace"})
	}
	if _, err := normalizeScope(c.Scope); err != nil {
		fe = append(fe, connector.FieldError{Path: "scope", Message: err.Error()})
	}
	return fe
}

// String describes the config without its secret.
func (c Config) String() string {
	return fmt.Sprintf("kakao.Config{ClientID:%q ClientSecret:%s Scope:%q}", c.ClientID, c.ClientSecret, c.Scope)
}

// GoString is like String.
func (c Config) GoString() string { return c.String() }

// Connector signs people in with Kakao Login. It is immutable and safe for
// concurrent use; build it with [New] or through [Factory].
type Connector struct {
	id       string
	clientID string
	scope    string
	engine   *oauthflow.Engine
	log      *slog.Logger
}

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
)

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

// Factory returns the factory that registers Kakao in a [connector.Registry].
func Factory() connector.Factory {
	return connector.NewFactory(Metadata(), New)
}

// New opens a Kakao connector from its JSON config. A bad config or option
// is an invalid_config [*connector.Error] naming every bad field.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], and
// [connector.WithEndpoint] with [EndpointAuthorization], [EndpointToken] or
// [EndpointUserInfo]. Kakao is not a standard connector: WithTarget is
// refused.
func New(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	o, err := connector.ResolveOptions(opts...)
	id := o.ConnectorID(FactoryID)
	if err != nil {
		return nil, connector.Attribute(err, id)
	}
	var cfg Config
	if err := connector.DecodeConfig(raw, &cfg); err != nil {
		return nil, connector.Attribute(err, id)
	}
	if err := o.Restrict(FactoryID, false, EndpointAuthorization, EndpointToken, EndpointUserInfo); err != nil {
		return nil, err
	}
	scope, _ := normalizeScope(cfg.Scope) // checked by CheckConfig
	log := o.ScopedLogger(FactoryID)
	engine, err := oauthflow.New(oauthflow.Config{
		ConnectorID:  id,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		AuthURL:      o.Endpoint(EndpointAuthorization, AuthorizationURL),
		TokenURL:     o.Endpoint(EndpointToken, TokenURL),
		UserInfoURL:  o.Endpoint(EndpointUserInfo, UserInfoURL),
		AuthMethod:   oauthflow.AuthClientSecretPost,
		Scope:        scope,
		HTTPClient:   o.HTTPClient,
		Logger:       log,
		Now:          o.Now,
	})
	if err != nil {
		return nil, err
	}
	return &Connector{id: id, clientID: cfg.ClientID, scope: scope, engine: engine, log: log}, nil
}

// Metadata implements [connector.Connector].
func (c *Connector) Metadata() connector.Metadata { return Metadata() }

// AuthorizationURL returns the Kakao authorization URL (client_id,
// redirect_uri, response_type=code, state, and scope when one is set) and
// the flow state to keep until the callback. req.Scope replaces the
// configured consent items; it is comma-separated like [Config.Scope].
func (c *Connector) AuthorizationURL(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.Scope != "" {
		scope, err := normalizeScope(req.Scope)
		if err != nil {
			return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: c.id,
				Step: connector.StepAuthorize, Message: "request scope " + err.Error()}
		}
		req.Scope = scope
	}
	return c.engine.Authorize(ctx, req)
}

// UserInfo finishes the sign-in: it checks the callback against the flow
// state, exchanges the code (as received: it is not decoded again), reads
// GET /v2/user/me with the access token and maps it (see the package
// documentation). With cb.WantTokens the Kakao tokens are returned too.
func (c *Connector) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	info, err := c.engine.SignIn(ctx, cb, func(doc []byte) (*connector.UserInfo, error) { return mapProfile(doc, phone.ToE164) })
	if err != nil {
		return nil, err
	}
	c.log.DebugContext(ctx, "kakao sign-in succeeded", "email", info.Email != "", "email_verified", info.EmailVerified,
		"phone", info.Phone != "")
	return info, nil
}

// Refresh trades a Kakao refresh token for new tokens. Kakao rotates the
// refresh token only when it is close to expiry; otherwise the one given is
// kept in the result.
func (c *Connector) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return c.engine.Refresh(ctx, refreshToken)
}

// String describes the connector without its secret.
func (c *Connector) String() string {
	return fmt.Sprintf("kakao.Connector{ID:%q ClientID:%q Scope:%q}", c.id, c.clientID, c.scope)
}

// GoString is like String.
func (c *Connector) GoString() string { return c.String() }

// normalizeScope turns a list of consent items separated by commas and/or
// whitespace into Kakao's comma-separated form, dropping duplicates. Every
// item must be a consent item ID: letters, digits, "_", ".", ":" or "-".
func normalizeScope(s string) (string, error) {
	items := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || isSpace(r) })
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		for _, r := range it {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == ':' || r == '-') {
				return "", fmt.Errorf("item %q is not a consent item ID (letters, digits, _ . : - only; items are comma-separated)", truncate(it, 40))
			}
		}
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return strings.Join(out, ","), nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0
}
