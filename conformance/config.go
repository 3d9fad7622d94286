package conformance

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
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

// opener opens a connector in an env.
type opener func(e *env, raw json.RawMessage) (connector.Connector, error)

// openChecked opens raw, recovering a panic and recording the error.
func openChecked(e *env, open opener, raw json.RawMessage) (c connector.Connector, err error) {
	defer e.recoverPanic("Open", &err)
	c, err = open(e, raw)
	if err != nil {
		e.noteErr("Open", err)
	} else if c == nil {
		err = errors.New("conformance: Open returned a nil connector and no error")
	} else {
		e.notePrint("connector", c)
	}
	return c, err
}

// runConfigChecks runs the Config subtests shared by both suites.
func runConfigChecks(t tb, template mockprovider.Provider, open opener,
	valid func(p mockprovider.Provider) []json.RawMessage, invalid []InvalidConfig, secrets []string) {
	t.Run("Config", func(t tb) {
		t.Parallel()
		t.Run("Valid", func(t tb) {
			t.Parallel()
			e := newEnv(t, template, true)
			for i, raw := range valid(e.p) {
				e.configSecrets(raw)
				for _, s := range secrets {
					e.addSecret("subject secret", s)
				}
				if _, err := openChecked(e, open, raw); err != nil {
					t.Errorf("valid config #%d was refused: %s", i, e.mask(err.Error()))
				}
			}
		})
		for _, ic := range invalid {
			t.Run("Invalid/"+subtestName(ic.Name), func(t tb) {
				t.Parallel()
				e := newEnv(t, template, true)
				base := valid(e.p)[0]
				e.configSecrets(base)
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
				_, err := openChecked(e, open, raw)
				ce := e.check("Open(invalid config "+ic.Name+")", err, want{codes: []connector.Code{connector.CodeInvalidConfig}})
				if ce != nil && ic.Field != "" && !hasField(ce, ic.Field) {
					t.Errorf("Open(invalid config %s): Error.Fields %s do not name %q", ic.Name, fieldPaths(ce), ic.Field)
				}
			})
		}
		t.Run("Malformed", func(t tb) {
			t.Parallel()
			e := newEnv(t, template, true)
			for _, m := range malformedConfigs {
				_, err := openChecked(e, open, json.RawMessage(m.raw))
				e.check("Open("+m.name+" config)", err, want{codes: []connector.Code{connector.CodeInvalidConfig}})
			}
		})
		t.Run("UnknownField", func(t tb) {
			t.Parallel()
			e := newEnv(t, template, true)
			base := valid(e.p)[0]
			e.configSecrets(base)
			raw, err := editConfig(base, func(m map[string]any) { m[unknownField] = "typo" })
			if err != nil {
				t.Fatalf("%v", err)
			}
			_, err = openChecked(e, open, raw)
			ce := e.check("Open(config with an unknown field)", err, want{codes: []connector.Code{connector.CodeInvalidConfig}})
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
		t.Errorf("Metadata.ConfigSchema is empty: describe the config (connector.ConfigSchema derives it from the config struct)")
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
