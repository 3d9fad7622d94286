package kit_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// acmeConfig is a custom connector's JSON config, with Logto-style field
// names. Tags drive decoding, defaults, validation and the schema.
type acmeConfig struct {
	APIKey connector.Secret `json:"apiKey" validate:"required" doc:"the pager service's API key"`
	Sender string           `json:"sender" default:"Acme" validate:"max=11" doc:"sender name shown on the phone"`
}

func ExampleDecodeConfig() {
	var cfg acmeConfig
	err := kit.DecodeConfig([]byte(`{"apiKey":"k-123"}`), &cfg)
	fmt.Println(err, cfg.Sender)
	fmt.Printf("%+v\n", cfg)
	// Output:
	// <nil> Acme
	// {APIKey:[REDACTED] Sender:Acme}
}

func ExampleConfigSchema() {
	fmt.Println(string(kit.ConfigSchema(acmeConfig{}, "Acme Pager")))
	// Output:
	// {"type":"object","properties":{"apiKey":{"type":"string","format":"password","writeOnly":true,"description":"the pager service's API key"},"sender":{"type":"string","description":"sender name shown on the phone","default":"Acme","maxLength":11}},"required":["apiKey"],"additionalProperties":false,"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Acme Pager"}
}

// A connector resolves its options once, in its constructor.
func ExampleResolveOptions() {
	o, err := kit.ResolveOptions(connector.WithInstanceID("kakao-eu"), connector.WithEndpoint("token", "https://kauth.example.com/oauth/token"))
	fmt.Println(err, o.ConnectorID("kakao-universal"), o.Endpoint("token", "https://kauth.kakao.com/oauth/token"))
	fmt.Println(o.HTTPClient == kit.DefaultHTTPClient(), o.HTTPClient != http.DefaultClient)
	err = o.Restrict("kakao-universal", false, "authorization", "userinfo")
	fmt.Println(err)
	// Output:
	// <nil> kakao-eu https://kauth.example.com/oauth/token
	// true true
	// connector kakao-eu: config: invalid_config: invalid option: (options).endpoint.token: is not an endpoint of kakao-universal for WithEndpoint (use authorization, userinfo)
}

func ExampleCheckEndpoint() {
	for _, u := range []string{"https://kauth.kakao.com/oauth/token", "http://127.0.0.1:8081/token", "http://auth.example.com/token", "/token"} {
		fmt.Println(u, "→", kit.CheckEndpoint(u))
	}
	// Output:
	// https://kauth.kakao.com/oauth/token → <nil>
	// http://127.0.0.1:8081/token → <nil>
	// http://auth.example.com/token → must use https (plain http is allowed only for loopback hosts)
	// /token → must be an absolute https URL with a host
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	fmt.Println(kit.ParseRetryAfter("120", now))
	fmt.Println(kit.ParseRetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now))
	// Output:
	// 2m0s
	// 30s
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
	err := kit.ValidateConfig(&cfg)
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
