package apple

import (
	"bytes"
	"crypto/ecdsa"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/kit"
)

// Sign in with Apple's endpoints and issuer. Replace an endpoint with
// [connector.WithEndpoint] and the names [EndpointAuthorization],
// [EndpointToken], [EndpointKeys] or [EndpointRevocation] (tests, the demo
// server). Issuer is fixed: it is what Apple's id_tokens say.
const (
	AuthorizationURL = "https://appleid.apple.com/auth/authorize"
	TokenURL         = "https://appleid.apple.com/auth/token"
	KeysURL          = "https://appleid.apple.com/auth/keys"
	RevocationURL    = "https://appleid.apple.com/auth/revoke"
	Issuer           = "https://appleid.apple.com"
)

// Endpoint names understood by [connector.WithEndpoint].
const (
	EndpointAuthorization = oauthflow.EndpointAuthorization
	EndpointToken         = oauthflow.EndpointToken
	EndpointKeys          = connector.EndpointKeys
	EndpointRevocation    = oauthflow.EndpointRevocation
)

// FactoryID is the factory ID (Logto's), and Target the identity-provider
// name users are linked under.
const (
	FactoryID = "apple-universal"
	Target    = "apple"
)

// privateRelayDomain is the domain of the addresses "Hide My Email" makes.
const privateRelayDomain = "privaterelay.appleid.com"

var (
	//go:embed logo.svg
	logoSVG []byte
	//go:embed logo-dark.svg
	logoDarkSVG []byte
)

var (
	logo     = kit.SVGLogo(logoSVG)
	logoDark = kit.SVGLogo(logoDarkSVG)
)

// configSchema is derived once from [Config]'s tags.
var configSchema = kit.ConfigSchema(Config{}, "Sign in with Apple connector config")

// scopeRule is how Apple writes scopes: space-separated, name and email
// (openid is accepted by Apple and changes nothing).
var scopeRule = oauthflow.ScopeRule{Separator: " ", Allowed: []string{"name", "email", "openid"}}

// Config is the JSON config of a Sign in with Apple connector: Logto's
// (clientId, scope), so a Logto Apple config opens unchanged, plus the
// client secret's key (teamId, keyId, privateKey: all three or none) and
// extra accepted audiences.
type Config struct {
	// ClientID is the Services ID of the website (or the app's bundle ID
	// for an app-only setup): the client_id of the authorization request
	// and the aud of the id_tokens.
	ClientID string `json:"clientId" validate:"required" doc:"The Services ID of your website (Certificates, Identifiers & Profiles > Identifiers > Services IDs), such as com.example.web; for an app-only setup, the app's bundle ID."`
	// Scope is space-separated: name, email. Empty asks for neither: the
	// user is then known by their ID alone.
	Scope string `json:"scope,omitempty" doc:"Space-separated scopes: name and email. Empty asks for neither (the user is known by their Apple ID alone). Apple sends the name at the user's first sign-in only."`
	// TeamID, KeyID and PrivateKey make the client secret that the token,
	// refresh and revoke requests need. Without them a sign-in rests on
	// the id_token Apple posts to the callback, and no token request is
	// made.
	TeamID string `json:"teamId,omitempty" validate:"required_with=KeyID PrivateKey,omitempty,alphanum" doc:"Your Apple Developer Team ID (10 characters, top right of the developer account). With keyId and privateKey: the code is exchanged and tokens can be refreshed and revoked."`
	// KeyID is the ID of the Sign in with Apple key.
	KeyID string `json:"keyId,omitempty" validate:"required_with=TeamID PrivateKey,omitempty,alphanum" doc:"The Key ID of your Sign in with Apple private key (Certificates, Identifiers & Profiles > Keys)."`
	// PrivateKey is the content of the key's .p8 file: a PKCS #8 PEM
	// block holding an ECDSA P-256 key.
	PrivateKey connector.Secret `json:"privateKey,omitempty" validate:"required_with=TeamID KeyID" doc:"The content of the .p8 file Apple gave for the key: -----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY----- (an ECDSA P-256 key)."`
	// Audiences are further accepted aud values of the id_tokens, such as
	// the bundle ID of the iOS app beside the web Services ID.
	Audiences []string `json:"audiences,omitempty" doc:"Further client IDs whose id_tokens this connector accepts, such as your iOS app's bundle ID beside the web Services ID (for the native sign-in path)."`
}

// CheckConfig implements [kit.Checker]: no whitespace in the client
// IDs, scopes Apple knows, and a private key that parses as an ECDSA
// P-256 key (the key itself never appears in a message).
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	if strings.ContainsFunc(c.ClientID, oauthflow.IsSpace) {
		fe = append(fe, connector.FieldError{Path: "clientId", Message: "must not contain whitespace (paste the Services ID alone)"})
	}
	if _, err := scopeRule.Normalize(c.Scope); err != nil {
		fe = append(fe, connector.FieldError{Path: "scope", Message: err.Error() + " (Apple's scopes are name and email)"})
	}
	if !c.PrivateKey.IsZero() {
		if _, err := parsePrivateKey(c.PrivateKey.Reveal()); err != nil {
			fe = append(fe, connector.FieldError{Path: "privateKey", Message: err.Error()})
		}
	}
	for i, a := range c.Audiences {
		if a == "" || strings.ContainsFunc(a, oauthflow.IsSpace) {
			fe = append(fe, connector.FieldError{Path: "audiences[" + strconv.Itoa(i) + "]",
				Message: "must be a client ID (a bundle ID or Services ID) without whitespace"})
		}
	}
	return fe
}

// String describes the config without its private key.
func (c Config) String() string {
	return fmt.Sprintf("apple.Config{ClientID:%q Scope:%q TeamID:%q KeyID:%q PrivateKey:%s Audiences:%q}",
		c.ClientID, c.Scope, c.TeamID, c.KeyID, c.PrivateKey, c.Audiences)
}

// GoString is like String.
func (c Config) GoString() string { return c.String() }

// Connector signs people in with Apple: the shared OAuth 2.0 social
// connector with Apple's form_post callback, whose id_token is verified
// (see the package documentation), and, with the client secret's key, the
// code exchange, refresh and revocation. It implements [connector.Social],
// [connector.Refresher] and [connector.Revoker], and is immutable and safe
// for concurrent use. Build it with [New] or [Open] (or, to share Apple's
// keys between instances, [KeySet.New] or [KeySet.Open]).
type Connector struct {
	*social
	core *core
}

type social = oauthflow.Social

var (
	_ connector.Social    = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
	_ connector.Revoker   = (*Connector)(nil)
)

// Metadata describes the Sign in with Apple connector factory.
func Metadata() connector.Metadata {
	return connector.Metadata{
		ID:       FactoryID,
		Target:   Target,
		Type:     connector.TypeSocial,
		Platform: connector.PlatformUniversal,
		Name:     map[string]string{"en": "Apple"},
		Description: map[string]string{
			"en": "Sign in with Apple: an Apple Account, with the option to hide the email address.",
		},
		Logo:         logo,
		LogoDark:     logoDark,
		ConfigSchema: bytes.Clone(configSchema),
		ReadmeURL:    "https://pkg.go.dev/github.com/connectorkit/connector/social/apple",
	}
}

// Factory returns the factory that registers Sign in with Apple in a
// [connector.Registry]: it opens JSON configs with [Open], each instance
// with its own cache of Apple's keys. [KeySet.Factory] shares one.
func Factory() connector.Factory { return connector.NewFactory(Metadata(), Open) }

// New validates cfg and returns a Sign in with Apple connector: the
// constructor for Go hosts, which never marshal JSON to build one. A bad
// config or option is an invalid_config [*connector.Error] naming every bad
// field by its JSON path; the private key is parsed here, never per
// request. It makes no network call: Apple's keys are fetched at the first
// sign-in.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], and
// [connector.WithEndpoint] with [EndpointAuthorization], [EndpointToken],
// [EndpointKeys] or [EndpointRevocation]. Apple is not a standard
// connector: WithTarget is refused.
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	return newConnector(cfg, nil, opts)
}

// Open decodes a JSON config (Logto's Apple config, plus teamId, keyId,
// privateKey and audiences) and opens it with [New].
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return openWith(raw, nil, opts)
}

func openWith(raw json.RawMessage, keys *KeySet, opts []connector.Option) (*Connector, error) {
	cfg, err := oauthflow.Decode[Config](raw, FactoryID, opts)
	if err != nil {
		return nil, err
	}
	return newConnector(cfg, keys, opts)
}

// newConnector builds a connector whose id_tokens are verified with the
// keys of shared, or of a key set of its own when shared is nil.
func newConnector(cfg Config, shared *KeySet, opts []connector.Option) (*Connector, error) {
	o, err := kit.ResolveOptions(opts...)
	if err == nil {
		err = kit.ValidateConfig(&cfg)
	}
	id := o.ConnectorID(FactoryID)
	if err != nil {
		return nil, kit.Attribute(err, id)
	}
	if _, set := o.Endpoints[EndpointKeys]; set && shared != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: id, Step: connector.StepConfig, Message: "invalid option",
			Fields: connector.FieldErrors{{Path: "(options).endpoint." + EndpointKeys,
				Message: "cannot be set on a connector that uses a shared key set: give it to NewKeySet"}}}
	}
	keys := shared
	if keys == nil {
		keys = newKeySet(o)
	}
	scope, _ := scopeRule.Normalize(cfg.Scope) // checked by CheckConfig
	audiences := []string{cfg.ClientID}
	for _, a := range cfg.Audiences {
		if !slices.Contains(audiences, a) {
			audiences = append(audiences, a)
		}
	}
	verifier, err := idtoken.New(idtoken.Config{ConnectorID: id, Issuer: Issuer, Audiences: audiences,
		Algorithms: []string{"RS256"}, Keys: keys.set, Now: o.Now})
	if err != nil {
		return nil, err
	}
	logger := o.ScopedLogger(FactoryID)
	c := &core{id: id, clientID: cfg.ClientID, teamID: cfg.TeamID, keyID: cfg.KeyID, audiences: audiences,
		verifier: verifier, log: logger}

	var key *ecdsa.PrivateKey
	client := oauthflow.Client{ClientID: cfg.ClientID, Scope: scope}
	if !cfg.PrivateKey.IsZero() {
		key, _ = parsePrivateKey(cfg.PrivateKey.Reveal()) // checked by CheckConfig
		client.ClientSecretFunc = newClientSecret(key, cfg.TeamID, cfg.KeyID, cfg.ClientID, o.Now).get
	}
	s, err := oauthflow.Open(oauthflow.Provider{
		FactoryID:    FactoryID,
		Metadata:     Metadata,
		Endpoint:     oauth2.Endpoint{AuthURL: AuthorizationURL, TokenURL: TokenURL},
		RevokeURL:    RevocationURL,
		AuthMethod:   oauthflow.AuthClientSecretPost,
		Nonce:        true,
		ResponseType: "code id_token",
		// Apple requires form_post when a scope is asked for, and accepts
		// no query response with an id_token: form_post always.
		AuthParams: url.Values{"response_mode": {"form_post"}},
		Scope:      scopeRule,
		IDToken:    c.signIn,
		Endpoints:  []string{EndpointKeys},
	}, client, o)
	if err != nil {
		return nil, err
	}
	if key != nil {
		c.engines = map[string]*oauthflow.Engine{cfg.ClientID: s.Engine()}
		for _, a := range audiences[1:] {
			// A code an app received was issued to its bundle ID: it is
			// exchanged (and its tokens refreshed and revoked) with that
			// client ID and a secret whose sub names it.
			e, err := oauthflow.New(oauthflow.Config{ConnectorID: id, ClientID: a,
				ClientSecretFunc: newClientSecret(key, cfg.TeamID, cfg.KeyID, a, o.Now).get,
				AuthURL:          o.Endpoint(EndpointAuthorization, AuthorizationURL),
				TokenURL:         o.Endpoint(EndpointToken, TokenURL),
				RevokeURL:        o.Endpoint(EndpointRevocation, RevocationURL),
				HTTPClient:       o.HTTPClient, Logger: logger, Now: o.Now})
			if err != nil {
				return nil, err
			}
			c.engines[a] = e
		}
	}
	logger.Debug("connector opened", "client_secret", key != nil, "audiences", len(audiences), "shared_keys", shared != nil)
	return &Connector{social: s, core: c}, nil
}

// String describes the connector without its secrets.
func (c *Connector) String() string {
	m := c.Metadata()
	secret := "none"
	if c.core.engines != nil {
		secret = "ES256 " + strconv.Quote(c.core.teamID) + "/" + strconv.Quote(c.core.keyID)
	}
	return fmt.Sprintf("%s connector{ID:%q Target:%q ClientID:%q Audiences:%q ClientSecret:%s}",
		FactoryID, c.core.id, m.Target, c.core.clientID, c.core.audiences[1:], secret)
}

// Format prints String for every verb, of the connector or of a copy of
// it (the embedded social connector's Format would print its own).
func (c Connector) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue logs String.
func (c Connector) LogValue() slog.Value { return slog.StringValue(c.String()) }

// GoString is like String, so %#v reveals nothing either.
func (c *Connector) GoString() string { return c.String() }

// core is what the Apple connector adds to the shared social connector.
type core struct {
	id, clientID  string
	teamID, keyID string
	audiences     []string // clientId first
	verifier      *idtoken.Verifier
	log           *slog.Logger
	// engines are the token endpoint clients by client ID (clientId and
	// each audience); nil without the client secret's key.
	engines map[string]*oauthflow.Engine
}
