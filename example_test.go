package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/connectorkit/connector"
)

// pagerConfig is the JSON config of a custom connector, with Logto-style
// field names. Tags drive decoding, defaults, validation and the schema.
type pagerConfig struct {
	APIKey connector.Secret `json:"apiKey" validate:"required" doc:"the pager service's API key"`
	Sender string           `json:"sender" default:"Acme" validate:"max=11" doc:"sender name shown on the phone"`
}

// pager is a custom SMS connector: it implements connector.Sender.
type pager struct {
	cfg  pagerConfig
	opts connector.Options
}

var _ connector.Sender = (*pager)(nil)

func pagerMetadata() connector.Metadata {
	return connector.Metadata{
		ID:           "acme-pager",
		Target:       "acme-pager",
		Type:         connector.TypeSMS,
		Name:         map[string]string{"en": "Acme Pager"},
		Logo:         "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
		ConfigSchema: connector.ConfigSchema(pagerConfig{}, "Acme Pager"),
	}
}

func (p *pager) Metadata() connector.Metadata { return pagerMetadata() }

func (p *pager) Send(ctx context.Context, msg connector.Message) (*connector.Receipt, error) {
	// A real connector sends through p.opts.HTTPClient with ctx here.
	return &connector.Receipt{ID: "msg-1", Segments: 1, Encoding: "GSM-7"}, nil
}

// NewPager is a custom connector's constructor: decode and validate the
// config once, resolve the options once.
func NewPager(raw json.RawMessage, opts ...connector.Option) (*pager, error) {
	o, err := connector.ResolveOptions(opts...)
	if err != nil {
		return nil, err
	}
	var cfg pagerConfig
	if err := connector.DecodeConfig(raw, &cfg); err != nil {
		return nil, connector.Attribute(err, "acme-pager")
	}
	return &pager{cfg: cfg, opts: o}, nil
}

// PagerFactory is what a custom connector package exports.
func PagerFactory() connector.Factory {
	return connector.NewFactory(pagerMetadata(), NewPager)
}

// A custom connector is registered and opened exactly as a built-in one.
func ExampleRegistry_Register() {
	reg, err := connector.NewRegistry( /* builtin.Factories()... */ )
	if err != nil {
		panic(err)
	}
	if err := reg.Register(PagerFactory()); err != nil {
		panic(err)
	}
	sender, err := reg.OpenSender("acme-pager", json.RawMessage(`{"apiKey":"k-123"}`),
		connector.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	if err != nil {
		panic(err)
	}
	receipt, err := sender.Send(context.Background(), connector.Message{
		To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "123456"},
	})
	fmt.Println(receipt.ID, err)
	for _, m := range reg.Factories() {
		fmt.Println(m.ID, m.Type, m.DisplayName())
	}
	// Output:
	// msg-1 <nil>
	// acme-pager Sms Acme Pager
}

// Opening a connector with a bad config reports every problem at once, each
// with its JSON path.
func ExampleRegistry_Open() {
	reg, _ := connector.NewRegistry(PagerFactory())
	_, err := reg.Open("acme-pager", json.RawMessage(`{"apikey":"k","sender":"A very long sender"}`))

	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.HTTPStatus())
		for _, f := range ce.Fields {
			fmt.Printf("%s: %s\n", f.Path, f.Message)
		}
	}
	// Output:
	// invalid_config 400
	// apikey: is not a known field (did you mean "apiKey"?)
	// sender: must be at most 11 characters long
}

// Hosts map failures to answers by code, and retry only what may succeed.
func ExampleError() {
	err := fmt.Errorf("sign-in: %w", &connector.Error{
		Code: connector.CodeRateLimitExceeded, Connector: "kakao-universal", Step: connector.StepTokenExchange,
		Status: 429, ProviderCode: "rate_limited", Retryable: true, RetryAfter: 30 * time.Second,
	})
	switch {
	case errors.Is(err, connector.ErrRateLimitExceeded):
		fmt.Println("retry:", connector.IsRetryable(err), "status:", connector.HTTPStatus(err))
	case errors.Is(err, connector.ErrInvalidConfig):
		fmt.Println("fix the config")
	}
	fmt.Println(err)
	// Output:
	// retry: true status: 429
	// sign-in: connector kakao-universal: token_exchange: rate_limit_exceeded (status 429; provider error rate_limited; retry after 30s)
}

func ExampleDecodeConfig() {
	var cfg pagerConfig
	err := connector.DecodeConfig([]byte(`{"apiKey":"k-123"}`), &cfg)
	fmt.Println(err, cfg.Sender)
	fmt.Printf("%+v\n", cfg)
	// Output:
	// <nil> Acme
	// {APIKey:[REDACTED] Sender:Acme}
}

func ExampleConfigSchema() {
	fmt.Println(string(connector.ConfigSchema(pagerConfig{}, "Acme Pager")))
	// Output:
	// {"type":"object","properties":{"apiKey":{"type":"string","format":"password","writeOnly":true,"description":"the pager service's API key"},"sender":{"type":"string","description":"sender name shown on the phone","default":"Acme","maxLength":11}},"required":["apiKey"],"additionalProperties":false,"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Acme Pager"}
}

func ExampleSecret() {
	token := connector.Secret("tok-live-123")
	slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("sending", "token", token)
	fmt.Println(token, token.Reveal())
	// Output:
	// level=INFO msg=sending token=[REDACTED]
	// [REDACTED] tok-live-123
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

func ExampleWithEndpoint() {
	_, err := connector.ResolveOptions(connector.WithEndpoint("token", "http://auth.example.com/token"))
	fmt.Println(err)
	_, err = connector.ResolveOptions(connector.WithEndpoint("token", "http://127.0.0.1:8081/token"))
	fmt.Println(err)
	// Output:
	// config: invalid_config: invalid option: WithEndpoint("token"): must use https (plain http is allowed only for loopback hosts)
	// <nil>
}

// NewFactory turns a typed constructor into a factory for the registry.
func ExampleNewFactory() {
	f := connector.NewFactory(pagerMetadata(), NewPager)
	c, err := f.Open(json.RawMessage(`{"apiKey":"k"}`))
	fmt.Println(c.Metadata().ID, err)
	c, err = f.Open(json.RawMessage(`{}`))
	fmt.Println(c == nil, connector.CodeOf(err))
	// Output:
	// acme-pager <nil>
	// true invalid_config
}

// A connector resolves its options once, in its constructor.
func ExampleResolveOptions() {
	o, err := connector.ResolveOptions(connector.WithInstanceID("kakao-eu"), connector.WithEndpoint("token", "https://kauth.example.com/oauth/token"))
	fmt.Println(err, o.ConnectorID("kakao-universal"), o.Endpoint("token", "https://kauth.kakao.com/oauth/token"))
	fmt.Println(o.HTTPClient == connector.DefaultHTTPClient(), o.HTTPClient != http.DefaultClient)
	err = o.Restrict("kakao-universal", false, "authorization", "userinfo")
	fmt.Println(err)
	// Output:
	// <nil> kakao-eu https://kauth.example.com/oauth/token
	// true true
	// connector kakao-eu: config: invalid_config: invalid option: (options).endpoint.token: is not an endpoint of kakao-universal for WithEndpoint (use authorization, userinfo)
}

func ExampleCheckEndpoint() {
	for _, u := range []string{"https://kauth.kakao.com/oauth/token", "http://127.0.0.1:8081/token", "http://auth.example.com/token", "/token"} {
		fmt.Println(u, "→", connector.CheckEndpoint(u))
	}
	// Output:
	// https://kauth.kakao.com/oauth/token → <nil>
	// http://127.0.0.1:8081/token → <nil>
	// http://auth.example.com/token → must use https (plain http is allowed only for loopback hosts)
	// /token → must be an absolute https URL with a host
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	fmt.Println(connector.ParseRetryAfter("120", now))
	fmt.Println(connector.ParseRetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now))
	// Output:
	// 2m0s
	// 30s
}

// HTTPStatus answers what a host should reply for a connector error.
func ExampleHTTPStatus() {
	for _, err := range []error{connector.ErrStateMismatch, connector.ErrRateLimitExceeded, connector.ErrInvalidConfig, errors.New("disk full")} {
		fmt.Println(connector.CodeOf(err), connector.HTTPStatus(err))
	}
	// Output:
	// state_mismatch 401
	// rate_limit_exceeded 429
	// invalid_config 400
	// general 500
}

// A connector's typed constructor checks a config built in Go with
// ValidateConfig: the same tags, defaults and JSON paths as a decoded
// JSON config.
func ExampleValidateConfig() {
	type Config struct {
		ClientID string `json:"clientId" validate:"required"`
		Scope    string `json:"scope" default:"profile"`
		Endpoint string `json:"endpoint" validate:"omitempty,endpoint"`
	}
	cfg := Config{Endpoint: "http://idp.example/token"}
	err := connector.ValidateConfig(&cfg)
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	fmt.Println("scope:", cfg.Scope)
	// Output:
	// clientId: is required
	// endpoint: must use https (plain http is allowed only for loopback hosts)
	// scope: profile
}

// Endpoint overrides in their typed form: a test or a regional host points a
// connector at other URLs; fields the connector does not have are refused.
func ExampleWithEndpoints() {
	o, err := connector.ResolveOptions(connector.WithEndpoints(connector.Endpoints{
		Token:    "https://eu.idp.example/oauth/token",
		UserInfo: "http://127.0.0.1:8080/userinfo",
	}))
	fmt.Println(o.Endpoints[connector.EndpointToken], o.Endpoints[connector.EndpointUserInfo], err)
	_, err = connector.ResolveOptions(connector.WithEndpoints(connector.Endpoints{Token: "http://idp.example/token"}))
	fmt.Println(connector.CodeOf(err))
	// Output:
	// https://eu.idp.example/oauth/token http://127.0.0.1:8080/userinfo <nil>
	// invalid_config
}
