package kit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

type template struct {
	UsageType string `json:"usageType" validate:"required,usagetype"`
	Content   string `json:"content" validate:"required"`
}

type smsConfig struct {
	AccountSID    string            `json:"accountSID" validate:"required,startswith=AC" doc:"the account SID"`
	AuthToken     connector.Secret  `json:"authToken" validate:"required"`
	Endpoint      string            `json:"endpoint" validate:"omitempty,endpoint"`
	Mode          string            `json:"mode" default:"fast" validate:"oneof=fast slow"`
	Retries       int               `json:"retries" default:"3" validate:"min=0,max=10"`
	Enabled       bool              `json:"enabled"`
	Templates     []template        `json:"templates" validate:"required,min=1,dive"`
	CustomConfig  map[string]string `json:"customConfig"`
	Extra         json.RawMessage   `json:"extra"`
	checkedByCode bool
}

func (c *smsConfig) CheckConfig() connector.FieldErrors {
	c.checkedByCode = true
	if c.Mode == "slow" && c.Retries > 5 {
		return connector.FieldErrors{{Path: "retries", Message: "must be at most 5 in slow mode"}}
	}
	return nil
}

func decodeErr(t *testing.T, raw string) *connector.Error {
	t.Helper()
	var cfg smsConfig
	err := kit.DecodeConfig([]byte(raw), &cfg)
	if err == nil {
		t.Fatalf("DecodeConfig(%s) succeeded, want an error", raw)
	}
	if !errors.Is(err, connector.ErrInvalidConfig) {
		t.Fatalf("error %v is not invalid_config", err)
	}
	var e *connector.Error
	if !errors.As(err, &e) {
		t.Fatalf("error is not *connector.Error")
	}
	return e
}

func paths(e *connector.Error) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[f.Path] = f.Message
	}
	return m
}

func TestDecodeConfigValid(t *testing.T) {
	var cfg smsConfig
	raw := `{"accountSID":"AC1","authToken":"tok-secret","templates":[{"usageType":"Generic","content":"{{code}}"}],
		"customConfig":{"a":"b"},"extra":{"anything":[1,2]},"enabled":null}`
	if err := kit.DecodeConfig([]byte(raw), &cfg); err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if cfg.Mode != "fast" || cfg.Retries != 3 {
		t.Errorf("defaults not applied: mode %q retries %d", cfg.Mode, cfg.Retries)
	}
	if cfg.AuthToken.Reveal() != "tok-secret" || cfg.CustomConfig["a"] != "b" || len(cfg.Extra) == 0 {
		t.Errorf("fields not decoded: %+v", cfg)
	}
	if !cfg.checkedByCode {
		t.Error("CheckConfig not called")
	}
}

func TestDecodeConfigReportsEveryFailure(t *testing.T) {
	e := decodeErr(t, `{"accountSID":"XX1","mode":"medium","retries":11,"endpoint":"http://example.com/x",
		"templates":[{"usageType":"SignIn","content":"a"},{"usageType":"Generic","content":"b"},{"usageType":"signin"}]}`)
	want := map[string]string{
		"accountSID":             `must start with "AC"`,
		"authToken":              "is required",
		"mode":                   "must be one of fast, slow",
		"retries":                "must be at most 10",
		"endpoint":               "must use https (plain http is allowed only for loopback hosts)",
		"templates[2].usageType": "must be one of SignIn, Register, ForgotPassword, OrganizationInvitation, Generic, UserPermissionValidation, BindNewIdentifier, MfaVerification, BindMfa",
		"templates[2].content":   "is required",
	}
	got := paths(e)
	for p, msg := range want {
		if got[p] != msg {
			t.Errorf("field %s: got %q, want %q", p, got[p], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d failures, want %d: %v", len(got), len(want), e.Fields)
	}
	if !strings.Contains(e.Error(), "templates[2].usageType: must be one of SignIn") {
		t.Errorf("Error() does not list the path: %s", e.Error())
	}
}

func TestDecodeConfigUnknownAndMistypedFields(t *testing.T) {
	e := decodeErr(t, `{"accountSID":"AC1","authtoken":"secret-value-1","authToken":"x","retries":"3","mode":5,
		"templates":[{"usageType":"Generic","content":"c","colour":"red"}],"customConfig":{"k":1},"enabled":"yes","bogus":{}}`)
	want := map[string]string{
		"authtoken":           `is not a known field (did you mean "authToken"?)`,
		"retries":             "must be an integer, got a string",
		"mode":                "must be a string, got a number",
		"templates[0].colour": "is not a known field",
		`customConfig["k"]`:   "must be a string, got a number",
		"enabled":             "must be a boolean, got a string",
		"bogus":               "is not a known field",
	}
	got := paths(e)
	for p, msg := range want {
		if got[p] != msg {
			t.Errorf("field %s: got %q, want %q", p, got[p], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d failures, want %d: %v", len(got), len(want), e.Fields)
	}
	if strings.Contains(e.Error(), "secret-value-1") {
		t.Errorf("error text reveals a value: %s", e.Error())
	}
}

func TestDecodeConfigMalformed(t *testing.T) {
	for name, raw := range map[string]string{
		"empty":     "  ",
		"not json":  "{accountSID:",
		"array":     "[1]",
		"string":    `"x"`,
		"trailing":  `{"accountSID":"AC1"} {}`,
		"null":      "null",
		"float int": `{"retries":1.5}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := decodeErr(t, raw)
			if len(e.Fields) == 0 || e.Fields[0].Message == "" {
				t.Errorf("no field error: %v", e)
			}
		})
	}
}

func TestDecodeConfigChecker(t *testing.T) {
	e := decodeErr(t, `{"accountSID":"AC1","authToken":"t","mode":"slow","retries":7,"templates":[{"usageType":"Generic","content":"c"}]}`)
	if paths(e)["retries"] != "must be at most 5 in slow mode" {
		t.Errorf("Checker failure missing: %v", e.Fields)
	}
}

func TestDecodeConfigNeedsStructPointer(t *testing.T) {
	var cfg smsConfig
	for _, dst := range []any{cfg, nil, new(int), (*smsConfig)(nil)} {
		err := kit.DecodeConfig([]byte(`{}`), dst)
		if connector.CodeOf(err) != connector.CodeGeneral {
			t.Errorf("DecodeConfig(%T) = %v, want a general error", dst, err)
		}
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	var cfg smsConfig
	raw := `{"accountSID":"AC1","authToken":"tok-SUPERSECRET","templates":[{"usageType":"Generic","content":"c"}]}`
	if err := kit.DecodeConfig([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logs, nil))
	l.Info("config", "token", cfg.AuthToken, "cfg", cfg)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "token", cfg.AuthToken)
	for _, out := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg.AuthToken),
		fmt.Sprintf("%q", cfg.AuthToken), fmt.Sprintf("%x", cfg.AuthToken), fmt.Sprintf("%d", cfg.AuthToken),
		fmt.Sprint(cfg.AuthToken), fmt.Sprintf("%v", &cfg), logs.String(),
	} {
		if strings.Contains(out, "SUPERSECRET") || strings.Contains(out, fmt.Sprintf("%x", "tok-SUPERSECRET")) {
			t.Errorf("secret revealed in %q", out)
		}
	}
	if !strings.Contains(fmt.Sprintf("%+v", cfg), "[REDACTED]") {
		t.Errorf("%%+v does not show the redaction marker: %+v", cfg)
	}
	if connector.Secret("").String() != "" || cfg.AuthToken.IsZero() {
		t.Error("empty/non-empty secret misreported")
	}
}

func TestCheckEndpoint(t *testing.T) {
	ok := []string{"https://example.com/oauth/token", "http://localhost:8080/cb", "http://127.0.0.1/x", "http://[::1]:9/x", "https://h/x?a=b"}
	bad := []string{"", "example.com/x", "/relative", "ftp://example.com", "http://example.com/x", "https://example.com/#frag",
		"https://user:pw@example.com/", "https://", "http://10.0.0.1/x", "%zz", "https://:443/x", "http://:8080/x"}
	for _, u := range ok {
		if err := kit.CheckEndpoint(u); err != nil {
			t.Errorf("CheckEndpoint(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range bad {
		if err := kit.CheckEndpoint(u); err == nil {
			t.Errorf("CheckEndpoint(%q) = nil, want an error", u)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("CheckEndpoint error reveals credentials: %v", err)
		}
	}
}

func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte(`{"accountSID":"AC1","authToken":"t","templates":[{"usageType":"Generic","content":"c"}]}`))
	f.Add([]byte(`{"templates":[{"usageType":1}],"customConfig":{"a":[]}}`))
	f.Add([]byte(`[{"a":null}]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg smsConfig
		err := kit.DecodeConfig(raw, &cfg)
		if err != nil && !errors.Is(err, connector.ErrInvalidConfig) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func TestDecodeConfigDefaultsOnlyWhenAbsent(t *testing.T) {
	type inner struct {
		Phone string `json:"phone" default:"phone"`
		Email string `json:"email" default:"email"`
	}
	type cfg struct {
		Mode  string  `json:"mode" default:"fast"`
		Map   inner   `json:"profileMap"`
		Items []inner `json:"items"`
	}
	var c cfg
	if err := kit.DecodeConfig([]byte(`{"mode":null,"profileMap":{"phone":""},"items":[{"email":"e"},{}]}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Mode != "fast" || c.Map.Phone != "" || c.Map.Email != "email" {
		t.Errorf("defaults: %+v", c)
	}
	if c.Items[0].Email != "e" || c.Items[0].Phone != "phone" || c.Items[1].Email != "email" {
		t.Errorf("slice defaults: %+v", c.Items)
	}
	var absent cfg
	if err := kit.DecodeConfig([]byte(`{}`), &absent); err != nil || absent.Map.Phone != "phone" {
		t.Errorf("absent object: %v %+v", err, absent)
	}
}

// ValidateConfig holds a config built in Go to the rules DecodeConfig
// applies to JSON: zero fields take their defaults, and every failure is
// named by its JSON path.
func TestValidateConfig(t *testing.T) {
	cfg := smsConfig{AccountSID: "AC1", AuthToken: "tok", Templates: []template{{UsageType: "Generic", Content: "{{code}}"}}}
	if err := kit.ValidateConfig(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != "fast" || cfg.Retries != 3 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	kept := smsConfig{AccountSID: "AC1", AuthToken: "tok", Mode: "slow", Retries: 2, Templates: cfg.Templates}
	if err := kit.ValidateConfig(&kept); err != nil || kept.Mode != "slow" || kept.Retries != 2 {
		t.Errorf("set fields changed: %+v, %v", kept, err)
	}
	bad := smsConfig{AccountSID: "XX", Endpoint: "http://api.example", Templates: []template{{UsageType: "Nope"}}}
	err := kit.ValidateConfig(&bad)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
		t.Fatalf("got %v", err)
	}
	got := paths(ce)
	for _, p := range []string{"accountSID", "authToken", "endpoint", "templates[0].usageType", "templates[0].content"} {
		if got[p] == "" {
			t.Errorf("no problem at %s: %v", p, ce.Fields)
		}
	}
	if err := kit.ValidateConfig(cfg); err == nil || errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("a non-pointer: %v", err)
	}
}

// A config larger than MaxConfigBytes is refused before it is decoded.
func TestDecodeConfigSizeLimit(t *testing.T) {
	raw := []byte(`{"accountSID":"AC1","authToken":"` + strings.Repeat("x", kit.MaxConfigBytes) + `"}`)
	var cfg smsConfig
	err := kit.DecodeConfig(raw, &cfg)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) != 1 || !strings.Contains(ce.Fields[0].Message, "more than the 1048576") {
		t.Fatalf("got %v", err)
	}
	if cfg.AuthToken != "" {
		t.Error("the oversized config was decoded")
	}
}

// TestDecodeConfigSuggestsFields checks the "did you mean" hint of an
// unknown field: case first, then the closest field within a third of the
// key's length (one or two edits), nothing when no field is that close.
func TestDecodeConfigSuggestsFields(t *testing.T) {
	t.Parallel()
	base := `"accountSID":"AC1","authToken":"x","templates":[{"usageType":"Generic","content":"c"}]`
	tests := []struct {
		key, want string // want "" means no hint
	}{
		{"AUTHTOKEN", "authToken"},        // case only
		{"authTokn", "authToken"},         // deletion
		{"authTokenn", "authToken"},       // insertion
		{"authTaken", "authToken"},        // substitution
		{"atuhToken", "authToken"},        // transposition
		{"AuthTokn", "authToken"},         // case and an edit
		{"customConfg", "customConfig"},   // one of many fields
		{"custumKonfig", "customConfig"},  // two edits in twelve runes
		{"retires", "retries"},            // transposition in a short name
		{"mdoe", "mode"},                  // one edit in four runes
		{"mod", "mode"},                   // one edit in three runes
		{"moody", ""},                     // two edits in five runes: too far
		{"bogus", ""},                     // nothing close
		{"x", ""},                         // nothing close
		{"authorization", ""},             // a prefix is not a typo
		{"customConfigValues", ""},        // six insertions
		{"endpoïnt", "endpoint"},          // runes, not bytes
		{"enabledd", "enabled"},           // a boolean field
		{"templatess", "templates"},       // a list field
		{"acountSID", "accountSID"},       // the first field
		{"accountSIDs", "accountSID"},     // plural
		{"ACCOUNTSID", "accountSID"},      // case of an acronym
		{"extraa", "extra"},               // a raw field
		{"retriesX", "retries"},           // trailing garbage
		{"Endpoint", "endpoint"},          // capitalised
		{"endpointUrl", ""},               // three insertions
		{"authtoken_", "authToken"},       // case and an insertion
		{"tokenAuth", ""},                 // words swapped: too far
		{"auth_token", "authToken"},       // snake case
		{"modeX", "mode"},                 // one insertion
		{"xmode", "mode"},                 // one insertion in front
		{"customconfig", "customConfig"},  // case only, lower
		{"CustomConfig", "customConfig"},  // case only, upper first
		{"customConfig ", "customConfig"}, // a trailing space
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			e := decodeErr(t, `{`+base+`,"`+tt.key+`":"v"}`)
			msg := paths(e)[tt.key]
			want := "is not a known field"
			if tt.want != "" {
				want += ` (did you mean "` + tt.want + `"?)`
			}
			if msg != want {
				t.Fatalf("%s: got %q, want %q", tt.key, msg, want)
			}
		})
	}
}

// TestDecodeConfigSuggestsNestedFields checks the hint inside a list of
// objects, where the path names the element.
func TestDecodeConfigSuggestsNestedFields(t *testing.T) {
	t.Parallel()
	e := decodeErr(t, `{"accountSID":"AC1","authToken":"x","templates":[{"usageType":"Generic","contnet":"c"}]}`)
	got := paths(e)
	if got["templates[0].contnet"] != `is not a known field (did you mean "content"?)` ||
		got["templates[0].content"] != "is required" || len(got) != 2 {
		t.Fatalf("fields = %v", got)
	}
}

type tieConfig struct {
	Scape string `json:"scape"`
	Scope string `json:"scope"`
	Slope string `json:"slope"`
}

// TestDecodeConfigSuggestionTie checks that of several fields as close as
// each other the hint names the alphabetically first, on every run (the
// fields live in a map, whose order changes from run to run).
func TestDecodeConfigSuggestionTie(t *testing.T) {
	t.Parallel()
	for range 50 {
		var cfg tieConfig
		err := kit.DecodeConfig([]byte(`{"scxpe":"a"}`), &cfg)
		var e *connector.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v", err)
		}
		if got := paths(e)["scxpe"]; got != `is not a known field (did you mean "scape"?)` {
			t.Fatalf("got %q", got)
		}
	}
}

// TestDecodeConfigSuggestionKeepsChecks checks which problems a hint
// hides: a key that differs from a field only in case is that field, so
// the field is not also reported as missing; a hint by edit distance may
// be wrong and hides nothing; a field that is set is always checked.
func TestDecodeConfigSuggestionKeepsChecks(t *testing.T) {
	t.Parallel()
	e := decodeErr(t, `{"accountSID":"AC1","authToken":"x","templates":[{"usageType":"Generic","content":"c"}],
		"endpoint":"http://example.com/x","endpiont":"https://example.com/x"}`)
	got := paths(e)
	if got["endpiont"] != `is not a known field (did you mean "endpoint"?)` ||
		!strings.HasPrefix(got["endpoint"], "must use https") || len(got) != 2 {
		t.Fatalf("fields = %v", got)
	}
	e = decodeErr(t, `{"accountSID":"AC1","authToken":null,"authTokn":"x","templates":[{"usageType":"Generic","content":"c"}]}`)
	if got := paths(e); len(got) != 2 || got["authTokn"] == "" || got["authToken"] != "is required" {
		t.Fatalf("fields = %v", got)
	}
	// Only the case differs: the field is not also reported as missing,
	// whether absent or null.
	for _, raw := range []string{
		`{"accountSID":"AC1","AUTHTOKEN":"x","templates":[{"usageType":"Generic","content":"c"}]}`,
		`{"accountSID":"AC1","authToken":null,"AUTHTOKEN":"x","templates":[{"usageType":"Generic","content":"c"}]}`,
	} {
		e = decodeErr(t, raw)
		if got := paths(e); len(got) != 1 || got["AUTHTOKEN"] != `is not a known field (did you mean "authToken"?)` {
			t.Fatalf("%s: fields = %v", raw, got)
		}
	}
}

// TestDecodeConfigProblemsInPathOrder: the problems of one config come out
// in the same order, sorted by JSON path, on every run, whatever order Go's
// maps and the validator walked them in (unknown members sit in a map; the
// order of its iteration changes from run to run).
func TestDecodeConfigProblemsInPathOrder(t *testing.T) {
	t.Parallel()
	const raw = `{"x":1,"y":2,"z":3,"w":4,"retries":11,"mode":"medium","accountSID":"XX",
		"templates":[{"usageType":"x","v":1},{"content":"c","u":2}]}`
	wantPaths := []string{"accountSID", "authToken", "mode", "retries", "templates[0].content",
		"templates[0].usageType", "templates[0].v", "templates[1].u", "templates[1].usageType", "w", "x", "y", "z"}
	var first string
	for i := range 50 {
		e := decodeErr(t, raw)
		var got []string
		for _, f := range e.Fields {
			got = append(got, f.Path)
		}
		if strings.Join(got, " ") != strings.Join(wantPaths, " ") {
			t.Fatalf("run %d: paths %q, want %q", i, got, wantPaths)
		}
		if i == 0 {
			first = e.Error()
		} else if e.Error() != first {
			t.Fatalf("run %d: message %q differs from the first run's %q", i, e.Error(), first)
		}
	}
}
