package connector

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/connectorkit/connector/internal/validation"
)

// Option tunes a connector at construction: code-level knobs that are not
// part of the JSON config (HTTP client, logger, clock, endpoint overrides).
// An option that receives a bad value makes the constructor fail.
type Option func(*Options) error

// Options is the resolved set of options a connector is built with. Connector
// implementations call kit.ResolveOptions once in their constructor.
type Options struct {
	// HTTPClient makes every outbound request. Never nil after
	// kit.ResolveOptions.
	HTTPClient *http.Client
	// Logger receives the connector's logs. Never nil; silent by default.
	Logger *slog.Logger
	// Now is the clock. Never nil; time.Now by default.
	Now func() time.Time
	// Endpoints overrides provider endpoints by name (the names each
	// connector documents, such as "authorization", "token", "userinfo").
	Endpoints map[string]string
	// InstanceID names this connector instance in errors and logs; the
	// factory ID when empty.
	InstanceID string
	// Target overrides the metadata target of a standard connector.
	Target string
}

// WithHTTPClient makes the connector send every request through c. Use it to
// set timeouts and proxies, or to bind a mock (httpmock.ActivateNonDefault).
// Configure c before opening the connector: a connector may keep a copy of
// it (Twilio's caps bodies and refuses redirects on its copy), which does not
// see a Transport set on c later.
func WithHTTPClient(c *http.Client) Option {
	return func(o *Options) error {
		if c == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		o.HTTPClient = c
		return nil
	}
}

// WithLogger sends the connector's logs to l, scoped with the connector's ID.
// No log line ever holds a secret, token or code.
func WithLogger(l *slog.Logger) Option {
	return func(o *Options) error {
		if l == nil {
			return errors.New("WithLogger: logger is nil")
		}
		o.Logger = l
		return nil
	}
}

// WithClock replaces time.Now (for tests of expiry rules).
func WithClock(now func() time.Time) Option {
	return func(o *Options) error {
		if now == nil {
			return errors.New("WithClock: clock is nil")
		}
		o.Now = now
		return nil
	}
}

// WithEndpoint replaces the provider endpoint called name with rawURL, which
// must be https, or http to a loopback host. Tests, the demo server and
// regional hosts use it.
func WithEndpoint(name, rawURL string) Option {
	return func(o *Options) error {
		if name == "" {
			return errors.New("WithEndpoint: name is empty")
		}
		if err := validation.CheckEndpoint(rawURL); err != nil {
			return fmt.Errorf("WithEndpoint(%q): %w", name, err)
		}
		if o.Endpoints == nil {
			o.Endpoints = map[string]string{}
		}
		o.Endpoints[name] = rawURL
		return nil
	}
}

// Endpoint names: the names [WithEndpoint] takes and [Endpoints]' fields
// stand for. Each connector documents which it has.
const (
	EndpointAuthorization = "authorization"
	EndpointToken         = "token"
	EndpointUserInfo      = "userinfo"
	EndpointRevocation    = "revocation"
	EndpointKeys          = "keys"
	EndpointDiscovery     = "discovery"
	EndpointAPI           = "api"
)

// Endpoints replaces a connector's provider endpoints with [WithEndpoints]:
// the typed form of [WithEndpoint]. An empty field keeps the connector's
// own endpoint; a field set for an endpoint the connector does not have
// makes opening it fail with an invalid_config error naming
// "(options).endpoint.<name>".
type Endpoints struct {
	Authorization string // EndpointAuthorization
	Token         string // EndpointToken
	UserInfo      string // EndpointUserInfo
	Revocation    string // EndpointRevocation
	Keys          string // EndpointKeys: a JWKS
	Discovery     string // EndpointDiscovery: an OpenID Connect discovery document
	API           string // EndpointAPI: a REST API's base URL (Twilio)
}

// WithEndpoints replaces each endpoint e sets; every URL must be https, or
// http to a loopback host.
func WithEndpoints(e Endpoints) Option {
	return func(o *Options) error {
		var errs []error
		for _, f := range []struct{ name, url string }{
			{EndpointAuthorization, e.Authorization}, {EndpointToken, e.Token}, {EndpointUserInfo, e.UserInfo},
			{EndpointRevocation, e.Revocation}, {EndpointKeys, e.Keys}, {EndpointDiscovery, e.Discovery}, {EndpointAPI, e.API},
		} {
			if f.url != "" {
				if err := WithEndpoint(f.name, f.url)(o); err != nil {
					errs = append(errs, err)
				}
			}
		}
		return errors.Join(errs...)
	}
}

// WithInstanceID names the instance in errors and logs (a host's own
// connector ID, useful when one factory has several instances).
func WithInstanceID(id string) Option {
	return func(o *Options) error {
		o.InstanceID = id
		return nil
	}
}

// WithTarget sets the target of a standard (multi-instance) connector such
// as oauth2. Other connectors refuse it.
func WithTarget(target string) Option {
	return func(o *Options) error {
		if target == "" {
			return errors.New("WithTarget: target is empty")
		}
		o.Target = target
		return nil
	}
}

// Endpoint returns the override for name, or def.
func (o Options) Endpoint(name, def string) string {
	if u, ok := o.Endpoints[name]; ok {
		return u
	}
	return def
}

// ConnectorID is the ID errors and logs name: the instance ID when set, else
// factoryID.
func (o Options) ConnectorID(factoryID string) string {
	if o.InstanceID != "" {
		return o.InstanceID
	}
	return factoryID
}

// ScopedLogger returns the logger with a "connector" group naming the
// connector, as every connector logs.
func (o Options) ScopedLogger(factoryID string) *slog.Logger {
	return o.Logger.With(slog.Group("connector", slog.String("id", o.ConnectorID(factoryID)), slog.String("factory", factoryID)))
}

// Restrict checks the options against what a connector accepts:
// [WithTarget] only for a standard connector, [WithEndpoint] only with the
// endpoint names it documents. Every misuse is reported at once, as an
// invalid_config [*Error] naming factoryID (or the instance ID) with a field
// per problem, such as "(options).endpoint.tokn".
func (o Options) Restrict(factoryID string, standard bool, endpoints ...string) error {
	var fe FieldErrors
	if o.Target != "" && !standard {
		fe = append(fe, FieldError{Path: "(options).target", Message: "cannot be set with WithTarget: " + factoryID + " is not a standard connector"})
	}
	names := make([]string, 0, len(o.Endpoints))
	for name := range o.Endpoints {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(endpoints, name) {
			msg := "is not an endpoint of " + factoryID + " for WithEndpoint"
			if len(endpoints) > 0 {
				msg += " (use " + strings.Join(endpoints, ", ") + ")"
			}
			fe = append(fe, FieldError{Path: "(options).endpoint." + name, Message: msg})
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidConfig, Connector: o.ConnectorID(factoryID), Step: StepConfig, Message: "invalid option", Fields: fe}
}
