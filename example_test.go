package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/kit"
)

// A custom connector (Acme Pager, in example_sender_test.go) is registered
// and opened exactly as a built-in one.
func ExampleRegistry_Register() {
	api := mockprovider.NewMessage(acmeAPI) // Acme's API, mocked
	reg, err := connector.NewRegistry( /* builtin.Factories()... */ )
	if err != nil {
		panic(err)
	}
	if err := reg.Register(Factory()); err != nil {
		panic(err)
	}
	raw := json.RawMessage(`{"apiKey":"` + api.APIKey() + `","templates":[{"usageType":"Generic","content":"Code: {{code}}"}]}`)
	sender, err := reg.OpenSender("acme-pager", raw,
		connector.WithHTTPClient(api.Client()), connector.WithEndpoint(connector.EndpointAPI, api.BaseURL()))
	if err != nil {
		panic(err)
	}
	receipt, err := sender.Send(context.Background(), connector.Message{
		To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "123456"},
	})
	fmt.Println(receipt.ID == api.Outbox()[0].SID, api.Outbox()[0].Body, err)
	for _, m := range reg.Factories() {
		fmt.Println(m.ID, m.Type, m.DisplayName())
	}
	// Output:
	// true Code: 123456 <nil>
	// acme-pager Sms Acme Pager
}

// Opening a connector with a bad config reports every problem at once, each
// with its JSON path.
func ExampleRegistry_Open() {
	reg, _ := connector.NewRegistry(Factory())
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
	// templates: is required
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
	_, err := kit.ResolveOptions(connector.WithEndpoint("token", "http://auth.example.com/token"))
	fmt.Println(err)
	_, err = kit.ResolveOptions(connector.WithEndpoint("token", "http://127.0.0.1:8081/token"))
	fmt.Println(err)
	// Output:
	// config: invalid_config: invalid option: WithEndpoint("token"): must use https (plain http is allowed only for loopback hosts)
	// <nil>
}

// NewFactory turns a typed constructor into a factory for the registry.
func ExampleNewFactory() {
	f := connector.NewFactory(pagerMetadata(), Open)
	c, err := f.Open(json.RawMessage(`{"apiKey":"k","templates":[{"usageType":"Generic","content":"{{code}}"}]}`))
	fmt.Println(c.Metadata().ID, err)
	c, err = f.Open(json.RawMessage(`{}`))
	fmt.Println(c == nil, connector.CodeOf(err))
	// Output:
	// acme-pager <nil>
	// true invalid_config
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

// Endpoint overrides in their typed form: a test or a regional host points a
// connector at other URLs; fields the connector does not have are refused.
func ExampleWithEndpoints() {
	o, err := kit.ResolveOptions(connector.WithEndpoints(connector.Endpoints{
		Token:    "https://eu.idp.example/oauth/token",
		UserInfo: "http://127.0.0.1:8080/userinfo",
	}))
	fmt.Println(o.Endpoints[connector.EndpointToken], o.Endpoints[connector.EndpointUserInfo], err)
	_, err = kit.ResolveOptions(connector.WithEndpoints(connector.Endpoints{Token: "http://idp.example/token"}))
	fmt.Println(connector.CodeOf(err))
	// Output:
	// https://eu.idp.example/oauth/token http://127.0.0.1:8080/userinfo <nil>
	// invalid_config
}

// A factory keeps its metadata once and hands out copies: a host that
// changes one (a localized name) changes nothing else.
func ExampleMetadata_Clone() {
	base := connector.Metadata{ID: "acme", Name: map[string]string{"en": "Acme"}}
	c := base.Clone()
	c.Name["fr"] = "Acmé"
	fmt.Println(len(base.Name), len(c.Name))
	// Output: 1 2
}
