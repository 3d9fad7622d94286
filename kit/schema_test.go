package kit_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/connectorkit/connector/kit"
)

func TestConfigSchema(t *testing.T) {
	raw := kit.ConfigSchema(&smsConfig{}, "SMS")
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("schema is not JSON: %v\n%s", err, raw)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["title"] != "SMS" || s["type"] != "object" ||
		s["additionalProperties"] != false {
		t.Errorf("root = %v", s)
	}
	if got, want := s["required"], []any{"accountSID", "authToken", "templates"}; !reflect.DeepEqual(got, want) {
		t.Errorf("required = %v, want %v", got, want)
	}
	props := s["properties"].(map[string]any)
	prop := func(name string) map[string]any { return props[name].(map[string]any) }
	if p := prop("accountSID"); p["type"] != "string" || p["description"] != "the account SID" {
		t.Errorf("accountSID = %v", p)
	}
	if p := prop("authToken"); p["format"] != "password" || p["writeOnly"] != true {
		t.Errorf("authToken = %v", p)
	}
	if p := prop("endpoint"); p["format"] != "uri" {
		t.Errorf("endpoint = %v", p)
	}
	if p := prop("mode"); !reflect.DeepEqual(p["enum"], []any{"fast", "slow"}) || p["default"] != "fast" {
		t.Errorf("mode = %v", p)
	}
	if p := prop("retries"); p["type"] != "integer" || p["minimum"] != 0.0 || p["maximum"] != 10.0 || p["default"] != 3.0 {
		t.Errorf("retries = %v", p)
	}
	if p := prop("enabled"); p["type"] != "boolean" {
		t.Errorf("enabled = %v", p)
	}
	tpl := prop("templates")
	if tpl["type"] != "array" || tpl["minItems"] != 1.0 {
		t.Errorf("templates = %v", tpl)
	}
	item := tpl["items"].(map[string]any)
	usage := item["properties"].(map[string]any)["usageType"].(map[string]any)
	if len(usage["enum"].([]any)) != 9 {
		t.Errorf("usageType enum = %v", usage["enum"])
	}
	if cc := prop("customConfig"); cc["type"] != "object" || cc["additionalProperties"].(map[string]any)["type"] != "string" {
		t.Errorf("customConfig = %v", cc)
	}
	if ex := prop("extra"); len(ex) != 0 {
		t.Errorf("extra (raw JSON) = %v, want an empty schema", ex)
	}
	// Property order follows the struct, so the schema is stable.
	first, _ := json.Marshal(json.RawMessage(raw))
	if string(first) != string(kit.ConfigSchema(smsConfig{}, "SMS")) {
		t.Error("schema output is not deterministic")
	}
}
