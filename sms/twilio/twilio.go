// Package twilio sends one-time codes by SMS through Twilio Programmable
// Messaging, with a template per usage type. It opens Logto's Twilio SMS
// connector config unchanged (factory "twilio-short-message-service").
//
// A Go host builds a [Config] and calls [New]; a host that stores Logto's
// JSON config calls [Open]:
//
//	c, err := twilio.New(twilio.Config{
//		AccountSID: accountSID, AuthToken: connector.Secret(authToken),
//		FromMessagingServiceSID: serviceSID,
//		Templates: []twilio.Template{{UsageType: connector.UsageGeneric, Content: "Your code is {{code}}"}},
//	}, connector.WithHTTPClient(client)) // or twilio.Open(rawConfig, ...)
//	receipt, err := c.Send(ctx, connector.Message{
//		To: "+14155550100", Usage: connector.UsageSignIn,
//		Payload: map[string]any{"code": "123456"},
//	})
//	// receipt.ID is the Twilio message SID, receipt.Segments the SMS count
//
// [Connector.Send] picks the template of the exact usage type, else the
// Generic one, else fails with template_not_found; renders its placeholders
// ({{code}}, any payload key, dotted paths); normalises the recipient to
// E.164 (from E.164 or Logto's digits-only form) and refuses an invalid one
// before any request; refuses, also before any request, a body of more SMS
// segments than the config's maxSegments (3 unless set, at most 10), which
// bounds what one send can cost; and creates the message with To,
// MessagingServiceSid (or From), Body and RiskCheck. The receipt reports
// the body's encoding (GSM-7 or UCS-2) and how many SMS segments Twilio
// bills.
//
// Twilio's errors keep their code, message and more_info in the
// [*connector.Error]: 21211 and 21614 (invalid or non-mobile recipient) are
// invalid_request_parameters, 20003 (authentication) invalid_config, 20429
// and HTTP 429 rate_limit_exceeded with Retry-After, 5xx a retryable
// general error, anything else general. Every provider text kept in an
// error or a log line is first scrubbed of the credentials (auth token or
// API key secret, and the Basic header), of the message body and of the
// payload's values such as the one-time code, in whatever encoding a
// provider or proxy echoes them, then stripped of control characters and
// bounded. The caller's context bounds every request, though twilio-go's
// API takes none.
//
// [Connector.SendTest] sends the Generic template with the code [TestCode],
// as Logto's console "send test message" button does for a config not
// saved yet.
//
// The API host is https://api.twilio.com, or the config's host; the "api"
// endpoint option replaces it (connector.WithEndpoint("api",
// "http://127.0.0.1:8080") for a local mock).
package twilio

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/msgtemplate"
	"github.com/connectorkit/connector/internal/phone"
	"github.com/connectorkit/connector/internal/smsenc"
	"github.com/connectorkit/connector/kit"
)

// Provider facts.
const (
	// FactoryID is Logto's connector ID.
	FactoryID = "twilio-short-message-service"
	// Target is Logto's target name.
	Target = "twilio-sms"
	// EndpointAPI names the API base URL for [connector.WithEndpoint]: a
	// scheme and host, optionally with a path prefix. Messages are created
	// at {api}/2010-04-01/Accounts/{accountSID}/Messages.json.
	EndpointAPI = "api"
	// DefaultHost is Twilio's API host.
	DefaultHost = "api.twilio.com"
	// TestCode is the code [Connector.SendTest] sends, as Logto's console
	// does.
	TestCode = "000000"
)

//go:embed logo.svg
var logoSVG []byte

var logo = kit.SVGLogo(logoSVG)

var schema = kit.ConfigSchema(Config{}, "Twilio SMS connector config")

func metadata() connector.Metadata {
	return connector.Metadata{
		ID:     FactoryID,
		Target: Target,
		Type:   connector.TypeSMS,
		Name:   map[string]string{"en": "Twilio SMS"},
		Description: map[string]string{
			"en": "Sends one-time codes by SMS through Twilio Programmable Messaging, with a template per usage type.",
		},
		Logo:         logo,
		ConfigSchema: slices.Clone(schema),
		ReadmeURL:    "https://www.twilio.com/docs/messaging/api/message-resource",
	}
}

// Factory returns the factory to register in a [connector.Registry]: it
// opens JSON configs with [Open].
func Factory() connector.Factory {
	return connector.NewFactory(metadata(), Open)
}

// Connector sends SMS through Twilio. It is immutable and safe for
// concurrent use; build it with [New] or [Open].
type Connector struct {
	id        string
	meta      connector.Metadata
	templates *msgtemplate.Set
	// Exactly one of service and from is set.
	service, from string
	riskCheck     string // "enable" or "disable"
	maxSegments   int
	api           *api // holds the credentials
	log           *slog.Logger
}

var _ connector.Sender = (*Connector)(nil)

// New validates cfg and returns a Twilio connector: the constructor for Go
// hosts, which never marshal JSON to build one. A zero field counts as
// unset and takes its default (see [Config]). Every config problem is
// reported at once in an invalid_config [*connector.Error] naming each
// field by its JSON path. It makes no network call; the Twilio client is
// built here, once.
//
// Options: [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], and
// [connector.WithEndpoint] with [EndpointAPI]. Twilio is not a standard
// connector: WithTarget is refused.
func New(cfg Config, opts ...connector.Option) (*Connector, error) {
	o, id, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := kit.ValidateConfig(&cfg); err != nil {
		return nil, kit.Attribute(err, id)
	}
	return build(cfg, o, id)
}

// Open decodes a JSON config (Logto's Twilio SMS config, or one with the
// fields [Config] adds) and opens it with [New]. Every problem, from an
// unknown field or a value of the wrong JSON type to a failed rule, is
// reported at once, as New reports them.
func Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	_, id, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := kit.DecodeConfig(raw, &cfg); err != nil {
		return nil, kit.Attribute(err, id)
	}
	return New(cfg, opts...)
}

// resolveOptions resolves opts and refuses those Twilio does not take. id
// is the connector ID that errors name.
func resolveOptions(opts []connector.Option) (connector.Options, string, error) {
	o, err := kit.ResolveOptions(opts...)
	if err != nil {
		return o, FactoryID, kit.Attribute(err, FactoryID)
	}
	id := o.ConnectorID(FactoryID)
	return o, id, o.Restrict(FactoryID, false, EndpointAPI)
}

// build makes the connector of a validated config.
func build(cfg Config, o connector.Options, id string) (*Connector, error) {
	templates, err := msgtemplate.NewSet(id, cfg.entries())
	if err != nil {
		return nil, err // unreachable after ValidateConfig's checks; kept as a guard
	}

	c := &Connector{id: id, meta: metadata(), templates: templates, riskCheck: "enable", maxSegments: cfg.maxSegments(),
		log: o.ScopedLogger(FactoryID)}
	if cfg.DisableRiskCheck {
		c.riskCheck = "disable"
	}
	if cfg.FromMessagingServiceSID != "" {
		c.service = cfg.FromMessagingServiceSID
	} else {
		c.from, _ = sender(cfg.FromNumber) // valid: CheckConfig passed
	}
	user, password := cfg.AccountSID, cfg.AuthToken.Reveal()
	if cfg.AuthToken.IsZero() {
		user, password = cfg.APIKeySID, cfg.APIKeySecret.Reveal()
	}
	host := cfg.Host
	if host == "" {
		host = DefaultHost // set by ValidateConfig; kept as a guard
	}
	base := o.Endpoint(EndpointAPI, "https://"+strings.ToLower(host))
	c.api = newAPI(id, base, user, password, cfg.AccountSID, o.HTTPClient, o.Now)

	// A template over maxSegments was refused above (Config.CheckConfig);
	// one of several segments within it is allowed, but costs as many SMS.
	for _, u := range templates.Usages() {
		t, _ := templates.Lookup(u)
		if info := smsenc.Analyze(t.Render(map[string]any{"code": TestCode})); info.Segments > 1 {
			c.log.Warn("template takes several SMS segments", slog.String("usage_type", string(u)),
				slog.String("encoding", string(info.Encoding)), slog.Int("segments", info.Segments),
				slog.Int("max_segments", c.maxSegments))
		}
	}
	return c, nil
}

// Metadata implements [connector.Connector].
func (c *Connector) Metadata() connector.Metadata {
	m := c.meta
	m.Name = maps.Clone(m.Name)
	m.Description = maps.Clone(m.Description)
	m.ConfigSchema = slices.Clone(m.ConfigSchema)
	return m
}

// Send implements [connector.Sender]: it renders the template for
// msg.Usage with msg.Payload and sends it to msg.To (E.164 or Logto's
// digits-only form). The receipt holds the Twilio message SID and the body's
// encoding and segment count.
func (c *Connector) Send(ctx context.Context, msg connector.Message) (*connector.Receipt, error) {
	if c.api == nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: FactoryID, Step: connector.StepSend,
			Message: "the connector was not built with twilio.New or twilio.Open"}
	}
	if ctx == nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend, Message: "context is nil"}
	}
	to, err := phone.ToE164(msg.To)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: c.id, Step: connector.StepSend,
			Message: "to: " + err.Error()}
	}
	body, err := c.templates.Render(msg.Usage, msg.Payload)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: c.id, Step: connector.StepSend,
			Message: "the rendered message for usage type " + string(msg.Usage) + " is empty"}
	}
	info := smsenc.Analyze(body)
	if info.Segments > c.maxSegments {
		// The body itself holds the code: only its size is told.
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: c.id, Step: connector.StepSend,
			Message: fmt.Sprintf("the message for usage type %s takes %d SMS segments (%s), more than maxSegments (%d): shorten the template or its payload values",
				msg.Usage, info.Segments, info.Encoding, c.maxSegments)}
	}

	params := &openapi.CreateMessageParams{}
	params.SetTo(to)
	if c.service != "" {
		params.SetMessagingServiceSid(c.service)
	} else {
		params.SetFrom(c.from)
	}
	params.SetBody(body)
	params.SetRiskCheck(c.riskCheck)

	// twilio-go's services take no context: api.send binds it to this
	// send. The HTTP client, credentials and base URL in c.api are shared.
	sid, err := c.api.send(ctx, params, body, msg.Payload)
	if err != nil {
		var ce *connector.Error
		if !errors.As(err, &ce) {
			// The answer was 2xx but twilio-go could not decode it.
			err = &connector.Error{Code: connector.CodeInvalidResponse, Connector: c.id, Step: connector.StepSend,
				Message: "twilio's answer is not a message resource", Err: scrubCause(c.api.scrubberFor(body, msg.Payload), err)}
		}
		// Every text in err is scrubbed (see call.statusError).
		c.log.Debug("sms not sent", slog.String("usage_type", string(msg.Usage)), slog.Any("error", err))
		return nil, err
	}
	if sid == "" {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: c.id, Step: connector.StepSend,
			Message: "twilio's answer has no message sid"}
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		// The sid is provider text too: scrubbed, as in errors.
		c.log.Debug("sms sent", slog.String("usage_type", string(msg.Usage)), slog.String("message_sid", c.api.scrubberFor(body, msg.Payload).Text(sid)),
			slog.String("encoding", string(info.Encoding)), slog.Int("segments", info.Segments))
	}
	return &connector.Receipt{ID: sid, Segments: info.Segments, Encoding: string(info.Encoding)}, nil
}

// SendTest sends the Generic template with the code [TestCode] to to, as
// Logto's console "send test message" button does: open the config not
// saved yet with [Open] (or [New]), then call SendTest to check its
// credentials, sender and templates. It fails like [Connector.Send]
// (template_not_found without a Generic template).
func (c *Connector) SendTest(ctx context.Context, to string) (*connector.Receipt, error) {
	return c.Send(ctx, connector.Message{To: to, Usage: connector.UsageGeneric, Payload: map[string]any{"code": TestCode}})
}

// String describes the connector without its credentials. String, GoString
// and Format have value receivers so that printing a Connector value, not
// only a pointer, never reaches its fields.
func (c Connector) String() string {
	from := "messaging service " + c.service
	if c.service == "" {
		from = "sender " + c.from
	}
	base := ""
	if c.api != nil {
		base = c.api.base
	}
	return fmt.Sprintf("twilio.Connector{id: %s, %s, api: %s}", c.id, from, base)
}

// GoString is like String.
func (c Connector) GoString() string { return c.String() }

// Format writes String whatever the verb, so no verb prints the fields.
func (c Connector) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue logs String.
func (c Connector) LogValue() slog.Value { return slog.StringValue(c.String()) }
