package oidc_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/oidc"
)

// fields returns the problems of an invalid_config error, path → message.
func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
		t.Fatalf("want invalid_config, got %v", err)
	}
	m := map[string]string{}
	for _, f := range ce.Fields {
		m[f.Path] = f.Message
	}
	return m
}

func TestConfigForms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		raw  string
		want map[string]string // path → part of the message; nil: valid
	}{
		{"issuer alone", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s"}`, nil},
		{"explicit", `{"authorizationEndpoint":"https://idp.example.com/auth","tokenEndpoint":"https://idp.example.com/token",
			"idTokenVerificationConfig":{"jwksUri":"https://idp.example.com/jwks","issuer":"https://idp.example.com"},
			"clientId":"c","clientSecret":"s","scope":"openid email"}`, nil},
		{"public client", `{"issuer":"https://idp.example.com","clientId":"c","tokenEndpointAuthMethod":"none"}`, nil},
		{"neither form", `{"clientId":"c","clientSecret":"s"}`, map[string]string{
			"authorizationEndpoint": "is required", "tokenEndpoint": "is required", "idTokenVerificationConfig": "is required"}},
		{"both forms", `{"issuer":"https://idp.example.com","tokenEndpoint":"https://idp.example.com/token","clientId":"c","clientSecret":"s"}`,
			map[string]string{"tokenEndpoint": "must not be set with issuer"}},
		{"discovery URL as issuer", `{"issuer":"https://idp.example.com/.well-known/openid-configuration","clientId":"c","clientSecret":"s"}`,
			map[string]string{"issuer": "without /.well-known"}},
		{"plain http issuer", `{"issuer":"http://idp.example.com","clientId":"c","clientSecret":"s"}`,
			map[string]string{"issuer": "https"}},
		{"scope without openid", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","scope":"profile email"}`,
			map[string]string{"scope": "must contain openid"}},
		{"empty scope", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","scope":""}`,
			map[string]string{"scope": "must contain openid"}},
		{"no secret", `{"issuer":"https://idp.example.com","clientId":"c"}`, map[string]string{"clientSecret": "is required"}},
		{"bad algorithms", `{"authorizationEndpoint":"https://i.example/a","tokenEndpoint":"https://i.example/t","clientId":"c","clientSecret":"s",
			"idTokenVerificationConfig":{"jwksUri":"https://i.example/k","issuer":"https://i.example","algorithms":["RS256","none","HS256","XS1"]}}`,
			map[string]string{"idTokenVerificationConfig.algorithms[1]": "none is never accepted",
				"idTokenVerificationConfig.algorithms[2]": "HMAC", "idTokenVerificationConfig.algorithms[3]": "must be one of"}},
		{"missing jwksUri and issuer", `{"authorizationEndpoint":"https://i.example/a","tokenEndpoint":"https://i.example/t","clientId":"c","clientSecret":"s",
			"idTokenVerificationConfig":{}}`,
			map[string]string{"idTokenVerificationConfig.jwksUri": "is required", "idTokenVerificationConfig.issuer": "is required"}},
		{"Logto field not supported", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","idTokenVerificationConfig":{"jwksUri":"https://i.example/k","issuer":"x","maxTokenAge":60}}`,
			map[string]string{"idTokenVerificationConfig.maxTokenAge": "not a known field", "idTokenVerificationConfig": "must not be set with issuer"}},
		{"reserved custom parameter", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","customConfig":{"nonce":"n","redirectUri":"x"}}`,
			map[string]string{`customConfig["nonce"]`: "reserved", `customConfig["redirectUri"]`: "redirect_uri"}},
		{"option set twice", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","customConfig":{"prompt":"login"},"authRequestOptionalConfig":{"prompt":"consent"}}`,
			map[string]string{`customConfig["prompt"]`: "set it once"}},
		{"bad maxAge", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","authRequestOptionalConfig":{"maxAge":"1h"}}`,
			map[string]string{"authRequestOptionalConfig.maxAge": "seconds"}},
		{"implicit flow", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","responseType":"id_token"}`,
			map[string]string{"responseType": "must be one of code"}},
		{"no id mapping", `{"issuer":"https://idp.example.com","clientId":"c","clientSecret":"s","profileMap":{"id":""}}`,
			map[string]string{"profileMap.id": ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := oidc.Open(json.RawMessage(tt.raw))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.Metadata().ID != oidc.FactoryID {
					t.Errorf("metadata %+v", c.Metadata())
				}
				return
			}
			got := fields(t, err)
			for path, msg := range tt.want {
				if m, ok := got[path]; !ok || !strings.Contains(m, msg) {
					t.Errorf("%s: got %q, want %q (all: %v)", path, m, msg, got)
				}
			}
			if strings.Contains(err.Error(), `"s"`) {
				t.Errorf("secret in error: %v", err)
			}
		})
	}
}

// The typed constructor takes the defaults of a JSON config for its zero
// fields, and the same rules.
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := oidc.New(oidc.Config{Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, c); strings.Contains(out, "s3cret") || !strings.Contains(out, "idp.example.com") {
			t.Errorf("%s: %s", verb, out)
		}
	}
	_, err = oidc.New(oidc.Config{Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s", Scope: "email"})
	if f := fields(t, err); !strings.Contains(f["scope"], "openid") {
		t.Errorf("scope: %v", f)
	}
	_, err = oidc.New(oidc.Config{Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s"},
		connector.WithEndpoint("token", "https://other.example/token"), connector.WithEndpoint("tokn", "https://x.example/"))
	if f := fields(t, err); !strings.Contains(f["(options).endpoint.tokn"], "not an endpoint") {
		t.Errorf("option: %v", f)
	}
}
