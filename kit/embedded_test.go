package kit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

type base struct {
	ClientID string `json:"clientId" validate:"required"`
}

type embedding struct {
	base
	Scope    string   `json:"scope"`
	Ignored  string   `json:"-"`
	NoTag    string   `validate:"required_with=Scope"`
	Contact  string   `json:"contact" validate:"omitempty,e164"`
	Hosts    []string `json:"hosts" validate:"max=2,dive,url"`
	Code     string   `json:"code" validate:"omitempty,alphanum,min=3"`
	Level    int      `json:"level" validate:"gte=1"`
	Optional *string  `json:"optional" validate:"omitempty,excluded_with=Scope"`
	internal string   // unexported: never decoded nor listed
}

func TestDecodeConfigEmbeddedAndMoreTags(t *testing.T) {
	var cfg embedding
	raw := `{"clientId":"","scope":"s","contact":"555","hosts":["a","b","c"],"code":"a!","level":0,"optional":"x","Ignored":"y"}`
	err := kit.DecodeConfig([]byte(raw), &cfg)
	e, ok := err.(*connector.Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{
		"Ignored":  "is not a known field",
		"clientId": "is required",
		"NoTag":    "is required when scope is set",
		"contact":  "must be an E.164 phone number such as +14155550100",
		"hosts":    "must have at most 2 items",
		"code":     "must contain only letters and digits",
		"level":    "must be at least 1",
		"optional": "must not be set together with scope",
	}
	got := paths(e)
	for p, msg := range want {
		if got[p] != msg {
			t.Errorf("%s: got %q, want %q", p, got[p], msg)
		}
	}
	if err := kit.ValidateConfig(&cfg); !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("ValidateConfig = %v, want invalid_config", err)
	}
	if err := kit.ValidateConfig(&base{ClientID: "x"}); err != nil {
		t.Errorf("ValidateConfig(valid) = %v", err)
	}
	schema := string(kit.ConfigSchema(embedding{internal: "x"}, ""))
	for _, want := range []string{`"clientId"`, `"NoTag"`, `"pattern"`, `"format":"uri"`, `"maxItems":2`} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %s: %s", want, schema)
		}
	}
	if strings.Contains(schema, "Ignored") || strings.Contains(schema, "internal") {
		t.Errorf("schema lists a hidden field: %s", schema)
	}
}

func TestOuterFieldShadowsPromoted(t *testing.T) {
	type inner struct {
		Scope string `json:"scope"`
		Other string `json:"other"`
	}
	type outer struct {
		inner
		Scope int `json:"scope"`
	}
	var c outer
	if err := kit.DecodeConfig([]byte(`{"scope":3,"other":"x"}`), &c); err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if c.Scope != 3 || c.Other != "x" {
		t.Errorf("decoded %+v", c)
	}
	schema := string(kit.ConfigSchema(outer{}, ""))
	if !strings.Contains(schema, `"scope":{"type":"integer"}`) || !strings.Contains(schema, `"other"`) {
		t.Errorf("schema = %s", schema)
	}
}
