package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/connectorkit/connector"
)

// InvalidConfig is a config the connector must refuse with invalid_config
// naming Field. Give either Edit (applied to a copy of the subject's valid
// config) or Raw (the whole config).
type InvalidConfig struct {
	// Name names the subtest: "missing clientId".
	Name string
	// Edit changes a copy of the valid config, decoded as a JSON object
	// (numbers as json.Number): delete(cfg, "clientId").
	Edit func(cfg map[string]any)
	// Raw is a whole config, used when Edit is nil.
	Raw json.RawMessage
	// Field is the JSON path the error must list in [connector.Error.Fields]
	// ("clientId", "templates[0].usageType"); empty accepts any.
	Field string
}

// malformedConfigs are refused by every connector.
var malformedConfigs = []struct{ name, raw string }{
	{"empty", ""},
	{"null", "null"},
	{"array", "[]"},
	{"string", `"config"`},
	{"truncated", `{"clientId": "x"`},
}

// unknownField is added to a valid config to check that typos are refused.
const unknownField = "conformanceUnknownField"

// configChecks runs the Config subtests.
func (s *suite[P, C]) configChecks(t tb) {
	s.group(t, "Config", func(t tb) {
		t.Run("Valid", func(t tb) {
			t.Parallel()
			e := s.newEnv(t, true)
			for i, raw := range s.configs(s.mock(e)) {
				e.configSecrets(raw)
				if _, err := s.openAny(e, raw); err != nil {
					t.Errorf("valid config #%d was refused: %s", i, e.mask(err.Error()))
				}
			}
		})
		for _, ic := range s.invalid {
			t.Run("Invalid/"+subtestName(ic.Name), func(t tb) {
				t.Parallel()
				e := s.newEnv(t, true) // knows the secrets of the valid config
				base := s.config(s.mock(e))
				raw := ic.Raw
				if ic.Edit != nil {
					var err error
					if raw, err = editConfig(base, ic.Edit); err != nil {
						t.Fatalf("%v", err)
					}
				}
				// A refused config's own secrets must not show in the error
				// either ("clientSecret \"...\" is too short").
				e.configSecrets(raw)
				_, err := s.openAny(e, raw)
				ce := e.check("Open(invalid config "+ic.Name+")", err, want{codes: codes(connector.CodeInvalidConfig)})
				if ce != nil && ic.Field != "" && !hasField(ce, ic.Field) {
					t.Errorf("Open(invalid config %s): Error.Fields %s do not name %q", ic.Name, fieldPaths(ce), ic.Field)
				}
			})
		}
		t.Run("Malformed", func(t tb) {
			t.Parallel()
			e := s.newEnv(t, true)
			for _, m := range malformedConfigs {
				_, err := s.openAny(e, json.RawMessage(m.raw))
				e.check("Open("+m.name+" config)", err, want{codes: codes(connector.CodeInvalidConfig)})
			}
		})
		t.Run("UnknownField", func(t tb) {
			t.Parallel()
			e := s.newEnv(t, true)
			raw, err := editConfig(s.config(s.mock(e)), func(m map[string]any) { m[unknownField] = "typo" })
			if err != nil {
				t.Fatalf("%v", err)
			}
			_, err = s.openAny(e, raw)
			ce := e.check("Open(config with an unknown field)", err, want{codes: codes(connector.CodeInvalidConfig)})
			if ce != nil && !hasField(ce, unknownField) {
				t.Errorf("Open(config with an unknown field): Error.Fields %s do not name %q", fieldPaths(ce), unknownField)
			}
		})
	})
}

func hasField(ce *connector.Error, path string) bool {
	for _, f := range ce.Fields {
		if f.Path == path {
			return true
		}
	}
	return false
}

func fieldPaths(ce *connector.Error) string {
	var ps []string
	for _, f := range ce.Fields {
		ps = append(ps, f.Path)
	}
	if len(ps) == 0 {
		return "(none)"
	}
	return "[" + strings.Join(ps, ", ") + "]"
}

// checkMetadata reports what is missing or inconsistent in md.
func checkMetadata(t tb, md connector.Metadata, factory connector.Factory, validConfig json.RawMessage, social bool) {
	if err := md.Validate(); err != nil {
		t.Errorf("Metadata: %v", err)
	}
	if social {
		if md.Type != connector.TypeSocial {
			t.Errorf("Metadata.Type is %q, want %q", md.Type, connector.TypeSocial)
		}
		if md.Platform == "" {
			t.Errorf("Metadata.Platform is empty, want Universal, Web or Native")
		}
	} else if md.Type != connector.TypeSMS && md.Type != connector.TypeEmail {
		t.Errorf("Metadata.Type is %q, want %q or %q", md.Type, connector.TypeSMS, connector.TypeEmail)
	}
	if factory.Open != nil {
		if err := factory.Metadata.Validate(); err != nil {
			t.Errorf("Factory.Metadata: %v", err)
		}
		if md.ID != factory.Metadata.ID {
			t.Errorf("Metadata.ID of the connector is %q, the factory's is %q", md.ID, factory.Metadata.ID)
		}
		if _, err := connector.NewRegistry(factory); err != nil {
			t.Errorf("the factory cannot be registered: %v", err)
		}
	}
	if len(md.ConfigSchema) == 0 {
		t.Errorf("Metadata.ConfigSchema is empty: describe the config (kit.ConfigSchema derives it from the config struct)")
		return
	}
	var schema map[string]any
	if err := json.Unmarshal(md.ConfigSchema, &schema); err != nil {
		t.Errorf("Metadata.ConfigSchema is not a JSON object: %v", err)
		return
	}
	if typ, _ := schema["type"].(string); typ != "object" {
		t.Errorf("Metadata.ConfigSchema type is %q, want \"object\"", typ)
	}
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		t.Errorf("Metadata.ConfigSchema has no properties")
		return
	}
	var cfg map[string]any
	if json.Unmarshal(validConfig, &cfg) != nil {
		return
	}
	for k := range cfg {
		if _, ok := props[k]; !ok {
			t.Errorf("Metadata.ConfigSchema does not describe %q, a field of the valid config", k)
		}
	}
	req, _ := schema["required"].([]any)
	for _, r := range req {
		name, _ := r.(string)
		if _, ok := cfg[name]; !ok {
			t.Errorf("Metadata.ConfigSchema requires %q, which the valid config does not have", name)
		}
	}
}

// subtestName makes s usable as a subtest name.
func subtestName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "unnamed"
	}
	return strings.ReplaceAll(s, " ", "_")
}

// editConfig applies edit to a copy of raw.
func editConfig(raw json.RawMessage, edit func(map[string]any)) (json.RawMessage, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the valid config is not a JSON object: %w", err)
	}
	edit(doc)
	return json.Marshal(doc)
}
