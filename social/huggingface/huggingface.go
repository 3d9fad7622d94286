package huggingface

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
	EndpointAuthorization = "authorization"
	EndpointToken         = "token"
	EndpointUserInfo      = "userinfo"
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

var logo = "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(logoSVG)

// configSchema is derived once from [Config]'s tags.
var configSchema = connector.ConfigSchema(Config{}, "Hugging Face connector config")

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

// CheckConfig implements [connector.Checker]: no whitespace in the
// credentials, and every scope a valid OAuth scope token.
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	if strings.ContainsFunc(c.ClientID, isSpace) {
		fe = append(fe, connector.FieldError{Path: "clientId", Message: "must not contain whitespace"})
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
	return fmt.Sprintf("huggingface.Config{ClientID:%q ClientSecret:%s Scope:%q}", c.ClientID, c.ClientSecret, c.Scope)
}

// GoString is like String.
func (c Config) GoString() string { return c.String() }

// Connector signs people in with Hugging Face. It is immutable and safe for
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

// Factory returns the factory that registers Hugging Face in a
// [connector.Registry].
func Factory() connector.Factory {
	return connector.NewFactory(Metadata(), New)
}

// New opens a Hugging Face connector from its JSON config. A bad config or
// option is an invalid_config [*connector.Error] naming every bad field.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], and
// [connector.WithEndpoint] with [EndpointAuthorization], [EndpointToken] or
// [EndpointUserInfo]. Hugging Face is not a standard connector: WithTarget
// is refused.
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
	if scope == "" {
		scope = DefaultScope
	}
	log := o.ScopedLogger(FactoryID)
	engine, err := oauthflow.New(oauthflow.Config{
		ConnectorID:  id,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		AuthURL:      o.Endpoint(EndpointAuthorization, AuthorizationURL),
		TokenURL:     o.Endpoint(EndpointToken, TokenURL),
		UserInfoURL:  o.Endpoint(EndpointUserInfo, UserInfoURL),
		AuthMethod:   oauthflow.AuthClientSecretBasic,
		Scope:        scope,
		PKCE:         true,
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

// AuthorizationURL returns the Hugging Face authorization URL
// (response_type=code, client_id, redirect_uri, scope, state and an S256
// PKCE challenge) and the flow state, holding the PKCE verifier, to keep
// until the callback. req.Scope replaces the configured scope.
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
// state, exchanges the code with the PKCE verifier (client credentials in an
// HTTP Basic header), reads GET /oauth/userinfo and maps it (see the package
// documentation). With cb.WantTokens the Hugging Face tokens are returned
// too.
func (c *Connector) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	info, err := c.engine.SignIn(ctx, cb, mapProfile)
	if err != nil {
		return nil, err
	}
	c.log.DebugContext(ctx, "huggingface sign-in succeeded", "email", info.Email != "", "email_verified", info.EmailVerified)
	return info, nil
}

// Refresh trades a Hugging Face refresh token (issued with the access
// token when the app gets one) for new tokens.
func (c *Connector) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return c.engine.Refresh(ctx, refreshToken)
}

// String describes the connector without its secret.
func (c *Connector) String() string {
	return fmt.Sprintf("huggingface.Connector{ID:%q ClientID:%q Scope:%q}", c.id, c.clientID, c.scope)
}

// GoString is like String.
func (c *Connector) GoString() string { return c.String() }

// normalizeScope turns scopes separated by whitespace and/or commas into the
// space-separated form, dropping duplicates. Each scope must be an RFC 6749
// scope token: printable ASCII except space, '"' and '\'.
func normalizeScope(s string) (string, error) {
	items := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || isSpace(r) })
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		for _, r := range it {
			if r < 0x21 || r > 0x7e || r == '"' || r == '\\' {
				return "", fmt.Errorf("scope %q is not a valid OAuth scope (printable ASCII without quotes or backslashes; scopes are space-separated)", truncate(it, 40))
			}
		}
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return strings.Join(out, " "), nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
