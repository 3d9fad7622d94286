package connector_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
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
	err := connector.DecodeConfig([]byte(raw), &cfg)
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
	if err := connector.ValidateConfig(&cfg); !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("ValidateConfig = %v, want invalid_config", err)
	}
	if err := connector.ValidateConfig(&base{ClientID: "x"}); err != nil {
		t.Errorf("ValidateConfig(valid) = %v", err)
	}
	schema := string(connector.ConfigSchema(embedding{internal: "x"}, ""))
	for _, want := range []string{`"clientId"`, `"NoTag"`, `"pattern"`, `"format":"uri"`, `"maxItems":2`} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %s: %s", want, schema)
		}
	}
	if strings.Contains(schema, "Ignored") || strings.Contains(schema, "internal") {
		t.Errorf("schema lists a hidden field: %s", schema)
	}
}

func TestLogValues(t *testing.T) {
	var buf bytes.Buffer
	o, _ := connector.ResolveOptions(connector.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))), connector.WithInstanceID("my-kakao"))
	l := o.ScopedLogger("kakao-universal")
	err := &connector.Error{Code: connector.CodeGeneral, Step: connector.StepUserInfo, Message: "provider failed"}
	err.Status, err.Retryable, err.ProviderCode, err.Err = 503, true, "busy", json.Unmarshal([]byte("{"), new(any))
	l.Info("sign-in failed", "err", err,
		"flow", connector.FlowState{State: "s", CodeVerifier: "VERIFIER"},
		"tokens", connector.Tokens{AccessToken: "ACCESS", RefreshToken: "REFRESH"},
		"secret", connector.Secret("SECRET"))
	out := buf.String()
	for _, want := range []string{`"connector":{"id":"my-kakao","factory":"kakao-universal"}`, `"code":"general"`, `"status":503`,
		`"retryable":true`, `"step":"userinfo"`, `"pkce":true`, `"refresh_token":true`, `"secret":"[REDACTED]"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	for _, secret := range []string{"VERIFIER", "ACCESS", "REFRESH", "SECRET\""} {
		if strings.Contains(out, secret) {
			t.Errorf("log reveals %s: %s", secret, out)
		}
	}
	if got := connector.Secret("x").GoString(); got != `"[REDACTED]"` {
		t.Errorf("GoString = %s", got)
	}
}

func TestMessageAndDetailsLogged(t *testing.T) {
	m := connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "918273", "application": map[string]any{"name": "Acme"}}}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("send", "msg", m, "err", &connector.Error{Code: connector.CodeSocialAuthCodeInvalid,
		ProviderDetails: map[string]string{"error_code": "KOE320"}})
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", m, m, m, m)
	if strings.Contains(out, "918273") {
		t.Errorf("the one-time code is shown: %s", out)
	}
	for _, want := range []string{`"payload_keys":["application","code"]`, `"provider_details":{"error_code":"KOE320"}`, `Payload keys:["application" "code"]`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
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
	if err := connector.DecodeConfig([]byte(`{"scope":3,"other":"x"}`), &c); err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if c.Scope != 3 || c.Other != "x" {
		t.Errorf("decoded %+v", c)
	}
	schema := string(connector.ConfigSchema(outer{}, ""))
	if !strings.Contains(schema, `"scope":{"type":"integer"}`) || !strings.Contains(schema, `"other"`) {
		t.Errorf("schema = %s", schema)
	}
}
