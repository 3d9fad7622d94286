package builtin_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/social/apple"
)

func TestBuiltinFactories(t *testing.T) {
	reg, err := builtin.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range reg.Factories() {
		ids = append(ids, m.ID)
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.ID, err)
		}
		var schema map[string]any
		if err := json.Unmarshal(m.ConfigSchema, &schema); err != nil || schema["type"] != "object" {
			t.Errorf("%s: config schema is not a JSON object schema: %v", m.ID, err)
		}
	}
	want := []string{"apple-universal", "huggingface-universal", "kakao-universal", "oauth2", "oidc", "twilio-short-message-service"}
	if !slices.Equal(ids, want) {
		t.Errorf("factories = %v, want %v", ids, want)
	}
	// Factories itself is sorted by ID, as documented (the registry sorts
	// its own list, so the loop above cannot tell).
	var direct []string
	for _, f := range builtin.Factories() {
		direct = append(direct, f.Metadata.ID)
	}
	if !slices.Equal(direct, want) {
		t.Errorf("builtin.Factories() = %v, want %v (sorted by ID)", direct, want)
	}
	if err := builtin.Register(reg); !errors.Is(err, connector.ErrInvalidMetadata) {
		t.Errorf("registering the built-ins twice = %v, want invalid_metadata", err)
	}
	var fresh connector.Registry
	if err := builtin.Register(&fresh); err != nil || len(fresh.Factories()) != len(want) {
		t.Errorf("Register on an empty registry: %v", err)
	}
}

func ExampleNewRegistry() {
	reg, err := builtin.NewRegistry()
	if err != nil {
		panic(err)
	}
	for _, m := range reg.Factories() {
		fmt.Printf("%-30s %-6s %-12s %s\n", m.ID, m.Type, m.Target, m.DisplayName())
	}
	_, err = reg.OpenSocial("kakao-universal", json.RawMessage(`{"clientSecret":"s"}`))
	fmt.Println(err)
	// Output:
	// apple-universal                Social apple        Apple
	// huggingface-universal          Social huggingface  Hugging Face
	// kakao-universal                Social kakao        Kakao
	// oauth2                         Social oauth2       OAuth 2.0
	// oidc                           Social oidc         OpenID Connect
	// twilio-short-message-service   Sms    twilio-sms   Twilio SMS
	// connector kakao-universal: config: invalid_config: the config has 1 problem: clientId: is required
}

// A host with a Sign in with Apple connector per tenant swaps in the
// factory of one shared key set, so Apple's keys are fetched once.
func ExampleFactories_sharedAppleKeys() {
	keys, err := apple.NewKeySet() // connector.WithHTTPClient(client)...
	if err != nil {
		panic(err)
	}
	factories := builtin.Factories()
	for i, f := range factories {
		if f.Metadata.ID == apple.FactoryID {
			factories[i] = keys.Factory()
		}
	}
	reg, err := connector.NewRegistry(factories...)
	if err != nil {
		panic(err)
	}
	for _, tenant := range []string{"com.acme.web", "com.globex.web"} {
		c, err := reg.OpenSocial(apple.FactoryID, json.RawMessage(`{"clientId":"`+tenant+`","scope":"name email"}`))
		fmt.Println(c.Metadata().Target, err)
	}
	// Output:
	// apple <nil>
	// apple <nil>
}

// TestOpenProblemsAreDeterministic opens every built-in factory with the
// same bad config 50 times: the invalid_config error lists its problems
// sorted by JSON path and reads the same on every run.
func TestOpenProblemsAreDeterministic(t *testing.T) {
	reg, err := builtin.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	raw := json.RawMessage(`{"x":1,"y":2,"z":3,"w":4}`)
	for _, m := range reg.Factories() {
		var first string
		for i := range 50 {
			_, err := reg.Open(m.ID, raw)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
				t.Fatalf("%s: Open = %v, want invalid_config", m.ID, err)
			}
			var paths []string
			for _, f := range ce.Fields {
				paths = append(paths, f.Path)
			}
			if !slices.IsSorted(paths) || !slices.Contains(paths, "w") || !slices.Contains(paths, "z") {
				t.Fatalf("%s: problems at %q, want them sorted and naming w..z", m.ID, paths)
			}
			if i == 0 {
				first = err.Error()
			} else if err.Error() != first {
				t.Fatalf("%s, run %d: %q differs from the first run's %q", m.ID, i, err.Error(), first)
			}
		}
	}
}
