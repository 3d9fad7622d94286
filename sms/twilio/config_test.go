package twilio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

// logtoConfig is a config as Logto's console saves it: every default
// template, and the optional host of connector-twilio-sms 1.5.
const logtoConfig = `{
  "accountSID": "` + accountSID + `",
  "authToken": "` + authToken + `",
  "fromMessagingServiceSID": "` + serviceSID + `",
  "disableRiskCheck": false,
  "host": "api.twilio.com",
  "templates": [
    {"usageType": "SignIn", "content": "Your Logto sign-in verification code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "Register", "content": "Your Logto sign-up verification code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "ForgotPassword", "content": "Your Logto password change verification code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "OrganizationInvitation", "content": "Your Logto organization invitation code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "Generic", "content": "Your Logto verification code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "UserPermissionValidation", "content": "Your Logto permission validation code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "BindNewIdentifier", "content": "Your Logto new identifier binding code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "MfaVerification", "content": "Your Logto MFA verification code is {{code}}. The code will remain active for 10 minutes."},
    {"usageType": "BindMfa", "content": "Your Logto 2-step verification setup code is {{code}}. The code will remain active for 10 minutes."}
  ]
}`

func TestLogtoConfigOpensUnchanged(t *testing.T) {
	t.Parallel()
	for name, raw := range map[string]string{
		"logto 1.5 with host":    logtoConfig,
		"logto 1.4 without host": strings.Replace(logtoConfig, `"host": "api.twilio.com",`, "", 1),
		"only the required templates": `{"accountSID":"` + accountSID + `","authToken":"` + authToken + `","fromMessagingServiceSID":"` + serviceSID + `",
			"templates":[{"usageType":"Register","content":"{{code}}"},{"usageType":"SignIn","content":"{{code}}"},
			{"usageType":"ForgotPassword","content":"{{code}}"},{"usageType":"Generic","content":"{{code}}"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, nil)
			c := m.open(json.RawMessage(raw))
			if _, err := c.Send(context.Background(), connector.Message{To: "14155550100", Usage: connector.UsageBindMfa,
				Payload: map[string]any{"code": "654321"}}); err != nil {
				t.Fatal(err)
			}
			if got := m.requests()[0]; got.URL != messagesURL || !strings.Contains(got.Body, "RiskCheck=enable") {
				t.Fatalf("request %+v", got)
			}
		})
	}
}

func TestOpenRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tpl := func(pairs ...string) []any {
		var out []any
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, map[string]any{"usageType": pairs[i], "content": pairs[i+1]})
		}
		return out
	}
	tests := []struct {
		name    string
		raw     json.RawMessage
		changes map[string]any
		fields  map[string]string // path -> part of the message
	}{
		{name: "empty", raw: json.RawMessage(""), fields: map[string]string{"(config)": "is empty"}},
		{name: "not json", raw: json.RawMessage("{"), fields: map[string]string{"(config)": "not valid JSON"}},
		{name: "array", raw: json.RawMessage("[]"), fields: map[string]string{"(config)": "must be a JSON object"}},
		{name: "typo in a field name", changes: map[string]any{"accountSid": accountSID, "accountSID": nil},
			fields: map[string]string{"accountSid": `did you mean "accountSID"?`}},
		{name: "missing account sid", changes: map[string]any{"accountSID": nil}, fields: map[string]string{"accountSID": "is required"}},
		{name: "malformed account sid", changes: map[string]any{"accountSID": "AC123"},
			fields: map[string]string{"accountSID": "AC followed by 32 hexadecimal digits"}},
		{name: "api key sid in the account field", changes: map[string]any{"accountSID": apiKeySID},
			fields: map[string]string{"accountSID": "must be a Twilio account SID"}},
		{name: "no credentials", changes: map[string]any{"authToken": nil},
			fields: map[string]string{"authToken": "is required (or set apiKeySID and apiKeySecret instead)"}},
		{name: "both kinds of credentials", changes: map[string]any{"apiKeySID": apiKeySID, "apiKeySecret": apiKeySecret},
			fields: map[string]string{"authToken": "must not be set together with apiKeySID or apiKeySecret"}},
		{name: "auth token and an api key sid", changes: map[string]any{"apiKeySID": apiKeySID},
			fields: map[string]string{"authToken": "must not be set together with apiKeySID or apiKeySecret",
				"apiKeySecret": "is required when apiKeySID is set"}},
		{name: "api key sid without secret", changes: map[string]any{"authToken": nil, "apiKeySID": apiKeySID},
			fields: map[string]string{"apiKeySecret": "is required when apiKeySID is set"}},
		{name: "api key secret without sid", changes: map[string]any{"authToken": nil, "apiKeySecret": apiKeySecret},
			fields: map[string]string{"apiKeySID": "is required when apiKeySecret is set"}},
		{name: "malformed api key sid", changes: map[string]any{"authToken": nil, "apiKeySID": "SK1", "apiKeySecret": apiKeySecret},
			fields: map[string]string{"apiKeySID": "SK followed by 32 hexadecimal digits"}},
		{name: "auth token with a trailing newline", changes: map[string]any{"authToken": authToken + "\n"},
			fields: map[string]string{"authToken": "must not contain spaces"}},
		{name: "api key secret with a space", changes: map[string]any{"authToken": nil, "apiKeySID": apiKeySID, "apiKeySecret": "a b"},
			fields: map[string]string{"apiKeySecret": "must not contain spaces"}},
		{name: "auth token of the wrong type", changes: map[string]any{"authToken": 12345},
			fields: map[string]string{"authToken": "must be a string, got a number"}},
		{name: "no sender", changes: map[string]any{"fromMessagingServiceSID": nil},
			fields: map[string]string{"fromMessagingServiceSID": "is required when fromNumber is not set"}},
		{name: "two senders", changes: map[string]any{"fromNumber": "+14155550199"},
			fields: map[string]string{"fromNumber": "must not be set together with fromMessagingServiceSID"}},
		{name: "a malformed second sender", changes: map[string]any{"fromNumber": "Acme!"},
			fields: map[string]string{"fromNumber": "must not be set together with fromMessagingServiceSID"}},
		{name: "malformed messaging service sid", changes: map[string]any{"fromMessagingServiceSID": "MGxyz"},
			fields: map[string]string{"fromMessagingServiceSID": "MG followed by 32 hexadecimal digits"}},
		{name: "invalid from number", changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "+1415555"},
			fields: map[string]string{"fromNumber": "must be a valid phone number: is too short"}},
		{name: "sender id too long", changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "AcmeCorporation"},
			fields: map[string]string{"fromNumber": "alphanumeric sender ID (1 to 11"}},
		{name: "sender id with punctuation", changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "Acme!"},
			fields: map[string]string{"fromNumber": "must be a phone number in E.164 form"}},
		{name: "two-digit sender", changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "12"},
			fields: map[string]string{"fromNumber": "must be a valid phone number"}},
		{name: "missing templates", changes: map[string]any{"templates": nil}, fields: map[string]string{"templates": "is required"}},
		{name: "no templates", changes: map[string]any{"templates": []any{}}, fields: map[string]string{"templates": "at least 1"}},
		{name: "templates of the wrong type", changes: map[string]any{"templates": "Your code is {{code}}"},
			fields: map[string]string{"templates": "must be an array, got a string"}},
		{name: "unknown usage type", changes: map[string]any{"templates": tpl("Generic", "{{code}}", "Test", "{{code}}")},
			fields: map[string]string{"templates[1].usageType": "must be one of SignIn, Register"}},
		{name: "usage type in the wrong case", changes: map[string]any{"templates": tpl("signIn", "{{code}}")},
			fields: map[string]string{"templates[0].usageType": "must be one of"}},
		{name: "repeated usage type", changes: map[string]any{"templates": tpl("Generic", "a {{code}}", "SignIn", "{{code}}", "Generic", "b {{code}}")},
			fields: map[string]string{"templates[2].usageType": `repeats "Generic" of templates[0]`}},
		{name: "empty content", changes: map[string]any{"templates": tpl("Generic", "")},
			fields: map[string]string{"templates[0].content": "is required"}},
		{name: "blank content", changes: map[string]any{"templates": tpl("Generic", " \n ")},
			fields: map[string]string{"templates[0].content": "must not be only white space"}},
		{name: "unknown template field", changes: map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": "x", "type": "sms"}}},
			fields: map[string]string{"templates[0].type": "is not a known field"}},
		{name: "host that is not twilio's", changes: map[string]any{"host": "api.evil.example"},
			fields: map[string]string{"host": "must be a Twilio API host name"}},
		{name: "host with a scheme", changes: map[string]any{"host": "https://api.twilio.com"}, fields: map[string]string{"host": "no scheme"}},
		{name: "host with a bad label", changes: map[string]any{"host": "api.-x.twilio.com"}, fields: map[string]string{"host": "must be a Twilio API host name"}},
		{name: "risk check of the wrong type", changes: map[string]any{"disableRiskCheck": "yes"},
			fields: map[string]string{"disableRiskCheck": "must be a boolean"}},
		{name: "maxSegments zero", changes: map[string]any{"maxSegments": 0}, fields: map[string]string{"maxSegments": "must be at least 1"}},
		{name: "maxSegments negative", changes: map[string]any{"maxSegments": -1}, fields: map[string]string{"maxSegments": "must be at least 1"}},
		{name: "maxSegments over 10", changes: map[string]any{"maxSegments": 11}, fields: map[string]string{"maxSegments": "must be at most 10"}},
		{name: "maxSegments as a string", changes: map[string]any{"maxSegments": "3"},
			fields: map[string]string{"maxSegments": "must be an integer, got a string"}},
		{name: "maxSegments not an integer", changes: map[string]any{"maxSegments": 2.5},
			fields: map[string]string{"maxSegments": "must be an integer, got a number"}},
		{name: "template over the default maxSegments", changes: map[string]any{"templates": tpl("Generic", "{{code}}", "SignIn", strings.Repeat("x", 454)+"{{code}}")},
			fields: map[string]string{"templates[1].content": "takes 4 SMS segments (GSM-7) with a 6-digit code, more than maxSegments (3)"}},
		{name: "template over a custom maxSegments", changes: map[string]any{"maxSegments": 1, "templates": tpl("Generic", "Ваш код {{code}}"+strings.Repeat("!", 60))},
			fields: map[string]string{"templates[0].content": "takes 2 SMS segments (UCS-2) with a 6-digit code, more than maxSegments (1)"}},
		{name: "maxSegments out of range leaves templates unchecked", changes: map[string]any{"maxSegments": 11, "templates": tpl("Generic", strings.Repeat("x", 2000))},
			fields: map[string]string{"maxSegments": "must be at most 10"}},
		{name: "every problem at once",
			changes: map[string]any{"accountSID": "nope", "authToken": nil, "fromMessagingServiceSID": nil, "templates": tpl("Nope", "")},
			fields: map[string]string{
				"accountSID": "AC followed by", "authToken": "is required", "fromMessagingServiceSID": "is required",
				"templates[0].usageType": "must be one of", "templates[0].content": "is required",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := tt.raw
			if raw == nil {
				raw = config(t, tt.changes)
			}
			c, err := twilio.Open(raw)
			if c != nil {
				t.Fatal("Open returned a connector with its error")
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Open = %v, want a *connector.Error", err)
			}
			if ce.Code != connector.CodeInvalidConfig || ce.Step != connector.StepConfig || ce.Connector != twilio.FactoryID {
				t.Fatalf("error %v: code %s step %s connector %s", ce, ce.Code, ce.Step, ce.Connector)
			}
			got := map[string]string{}
			for _, f := range ce.Fields {
				got[f.Path] = f.Message
			}
			for path, want := range tt.fields {
				if !strings.Contains(got[path], want) {
					t.Errorf("field %s: %q, want it to contain %q (all: %v)", path, got[path], want, ce.Fields)
				}
			}
			if len(got) != len(tt.fields) {
				t.Errorf("fields %v, want exactly %v", ce.Fields, tt.fields)
			}
			assertNoSecret(t, "config error", err.Error())
			assertNoSecret(t, "config error", fmt.Sprintf("%+v %#v", err, ce))
		})
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	t.Run("target is not settable", func(t *testing.T) {
		t.Parallel()
		_, err := twilio.Open(config(t, nil), connector.WithTarget("other"))
		if !errors.Is(err, connector.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithTarget") {
			t.Fatalf("Open(WithTarget) = %v", err)
		}
	})
	t.Run("bad endpoint option", func(t *testing.T) {
		t.Parallel()
		_, err := twilio.Open(config(t, nil), connector.WithEndpoint(twilio.EndpointAPI, "http://twilio.example"))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || ce.Connector != twilio.FactoryID {
			t.Fatalf("Open(bad endpoint) = %v", err)
		}
	})
	t.Run("instance id names errors", func(t *testing.T) {
		t.Parallel()
		_, err := twilio.Open(config(t, map[string]any{"authToken": nil}), connector.WithInstanceID("sms-eu"))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Connector != "sms-eu" {
			t.Fatalf("Open = %v, want errors naming sms-eu", err)
		}
		m := newMock(t, twilioError(400, 21211, "bad"))
		c := m.open(config(t, nil), connector.WithInstanceID("sms-eu"))
		_, err = c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn})
		if !errors.As(err, &ce) || ce.Connector != "sms-eu" {
			t.Fatalf("Send = %v, want errors naming sms-eu", err)
		}
	})
}

// typedConfig is config(t, nil) as a Go host writes it.
func typedConfig() twilio.Config {
	return twilio.Config{
		AccountSID:              accountSID,
		AuthToken:               authToken,
		FromMessagingServiceSID: serviceSID,
		Templates: []twilio.Template{
			{UsageType: connector.UsageSignIn, Content: "Your sign-in code is {{code}}"},
			{UsageType: connector.UsageGeneric, Content: "Your code is {{code}}"},
		},
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	msg := connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "123456"}}
	t.Run("a typed config sends as its JSON does", func(t *testing.T) {
		t.Parallel()
		typed, decoded := newMock(t, nil), newMock(t, nil)
		c, err := twilio.New(typedConfig(), connector.WithHTTPClient(typed.client))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if _, err := decoded.open(config(t, nil)).Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		got, want := typed.requests()[0], decoded.requests()[0]
		if got != want || got.URL != messagesURL || got.User != accountSID || got.Password != authToken {
			t.Fatalf("New sent %+v, Open sent %+v", got, want)
		}
	})
	t.Run("zero fields take their defaults", func(t *testing.T) {
		t.Parallel()
		cfg := typedConfig() // Host "" and MaxSegments 0
		cfg.Templates = []twilio.Template{{UsageType: connector.UsageGeneric, Content: strings.Repeat("x", 454) + "{{code}}"}}
		_, err := twilio.New(cfg)
		var ce *connector.Error
		if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Path != "templates[0].content" ||
			!strings.Contains(ce.Fields[0].Message, "more than maxSegments (3)") {
			t.Fatalf("New(4-segment template, MaxSegments 0) = %v, want it refused under the default 3", err)
		}
		if cfg.MaxSegments != 0 || cfg.Host != "" {
			t.Errorf("New changed the caller's config: %+v", cfg)
		}

		cfg.Templates[0].Content = strings.Repeat("x", 453) + "{{code}}" // 3 segments
		m := newMock(t, nil)
		c, err := twilio.New(cfg, connector.WithHTTPClient(m.client))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SendTest(context.Background(), "+14155550100"); err != nil {
			t.Fatal(err)
		}
		if got := m.requests()[0]; got.URL != messagesURL || !strings.Contains(got.Body, "RiskCheck=enable") {
			t.Fatalf("request %+v, want the default host and risk check", got)
		}
	})
	t.Run("options", func(t *testing.T) {
		t.Parallel()
		if _, err := twilio.New(typedConfig(), connector.WithTarget("other")); !errors.Is(err, connector.ErrInvalidConfig) ||
			!strings.Contains(err.Error(), "WithTarget") {
			t.Fatalf("New(WithTarget) = %v", err)
		}
		cfg := typedConfig()
		cfg.AuthToken = ""
		_, err := twilio.New(cfg, connector.WithInstanceID("sms-eu"))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Connector != "sms-eu" {
			t.Fatalf("New = %v, want errors naming sms-eu", err)
		}
	})

	tests := []struct {
		name   string
		edit   func(*twilio.Config)
		fields map[string]string // path -> the message
	}{
		{name: "zero config", edit: func(c *twilio.Config) { *c = twilio.Config{} }, fields: map[string]string{
			"accountSID":              "is required",
			"authToken":               "is required (or set apiKeySID and apiKeySecret instead)",
			"fromMessagingServiceSID": "is required when fromNumber is not set",
			"templates":               "is required",
		}},
		{name: "both kinds of credentials", edit: func(c *twilio.Config) { c.APIKeySID, c.APIKeySecret = apiKeySID, apiKeySecret },
			fields: map[string]string{"authToken": "must not be set together with apiKeySID or apiKeySecret"}},
		{name: "api key secret without sid", edit: func(c *twilio.Config) { c.AuthToken, c.APIKeySecret = "", apiKeySecret },
			fields: map[string]string{"apiKeySID": "is required when apiKeySecret is set"}},
		{name: "api key sid without secret", edit: func(c *twilio.Config) { c.AuthToken, c.APIKeySID = "", apiKeySID },
			fields: map[string]string{"apiKeySecret": "is required when apiKeySID is set"}},
		{name: "two senders", edit: func(c *twilio.Config) { c.FromNumber = "+14155550199" },
			fields: map[string]string{"fromNumber": "must not be set together with fromMessagingServiceSID"}},
		{name: "malformed sender number", edit: func(c *twilio.Config) { c.FromMessagingServiceSID, c.FromNumber = "", "+1415555" },
			fields: map[string]string{"fromNumber": "must be a valid phone number: is too short for country code +1"}},
		{name: "negative maxSegments", edit: func(c *twilio.Config) { c.MaxSegments = -1 },
			fields: map[string]string{"maxSegments": "must be at least 1"}},
		{name: "maxSegments over 10", edit: func(c *twilio.Config) { c.MaxSegments = 11 },
			fields: map[string]string{"maxSegments": "must be at most 10"}},
		{name: "host with a scheme", edit: func(c *twilio.Config) { c.Host = "https://api.twilio.com" },
			fields: map[string]string{"host": "must be a Twilio API host name such as api.twilio.com or api.dublin.ie1.twilio.com (no scheme, port or path)"}},
		{name: "unknown usage type", edit: func(c *twilio.Config) { c.Templates[0].UsageType = "Test" },
			fields: map[string]string{"templates[0].usageType": "must be one of SignIn, Register, ForgotPassword, OrganizationInvitation, Generic, UserPermissionValidation, BindNewIdentifier, MfaVerification, BindMfa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := typedConfig()
			tt.edit(&cfg)
			c, err := twilio.New(cfg)
			var ce *connector.Error
			if c != nil || !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || ce.Step != connector.StepConfig ||
				ce.Connector != twilio.FactoryID {
				t.Fatalf("New = %v, %v; want a nil connector and an invalid_config *connector.Error", c, err)
			}
			got := map[string]string{}
			for _, f := range ce.Fields {
				got[f.Path] = f.Message
			}
			if !reflect.DeepEqual(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
			assertNoSecret(t, "config error", fmt.Sprintf("%v %+v %#v", err, err, ce))
		})
	}
}

func TestFactoryAndMetadata(t *testing.T) {
	t.Parallel()
	f := twilio.Factory()
	reg, err := connector.NewRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata
	if md.ID != "twilio-short-message-service" || md.Target != "twilio-sms" || md.Type != connector.TypeSMS || md.Platform != "" || md.IsStandard {
		t.Fatalf("metadata %+v", md)
	}
	if !strings.HasPrefix(md.Logo, "data:image/svg+xml;base64,") || len(md.Logo) > 2048 {
		t.Errorf("logo %q", md.Logo)
	}
	if err := md.Validate(); err != nil {
		t.Fatal(err)
	}

	var schema struct {
		Properties map[string]struct {
			Type        string `json:"type"`
			Format      string `json:"format"`
			WriteOnly   bool   `json:"writeOnly"`
			Description string `json:"description"`
			Default     any    `json:"default"`
			MinItems    int    `json:"minItems"`
			Items       struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
				Required []string `json:"required"`
			} `json:"items"`
		} `json:"properties"`
		Required             []string `json:"required"`
		AdditionalProperties bool     `json:"additionalProperties"`
	}
	if err := json.Unmarshal(md.ConfigSchema, &schema); err != nil {
		t.Fatalf("schema: %v\n%s", err, md.ConfigSchema)
	}
	for _, k := range []string{"accountSID", "authToken", "apiKeySID", "apiKeySecret", "fromMessagingServiceSID", "fromNumber", "templates", "disableRiskCheck", "host", "maxSegments"} {
		if schema.Properties[k].Description == "" {
			t.Errorf("schema property %s has no description", k)
		}
	}
	for _, k := range []string{"authToken", "apiKeySecret"} {
		if p := schema.Properties[k]; !p.WriteOnly || p.Format != "password" {
			t.Errorf("schema property %s is not a write-only password: %+v", k, p)
		}
	}
	if !reflect.DeepEqual(schema.Required, []string{"accountSID", "templates"}) || schema.AdditionalProperties {
		t.Errorf("schema required %v, additionalProperties %v", schema.Required, schema.AdditionalProperties)
	}
	tp := schema.Properties["templates"]
	if tp.MinItems != 1 || len(tp.Items.Properties["usageType"].Enum) != 9 || !reflect.DeepEqual(tp.Items.Required, []string{"usageType", "content"}) {
		t.Errorf("templates schema %+v", tp)
	}
	if schema.Properties["disableRiskCheck"].Default != false || schema.Properties["host"].Default != twilio.DefaultHost {
		t.Errorf("defaults %v %v", schema.Properties["disableRiskCheck"].Default, schema.Properties["host"].Default)
	}

	sender, err := reg.OpenSender(twilio.FactoryID, config(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := sender.Metadata(); !reflect.DeepEqual(got, md) {
		t.Errorf("connector metadata differs from the factory's")
	}
	// Metadata hands out copies.
	got := sender.Metadata()
	got.Name["en"] = "changed"
	got.ConfigSchema[0] = '!'
	if again := sender.Metadata(); again.Name["en"] != "Twilio SMS" || again.ConfigSchema[0] != '{' {
		t.Error("Metadata shares its maps or schema with the caller")
	}

	c, err := f.Open(config(t, map[string]any{"authToken": nil}))
	if c != nil || !errors.Is(err, connector.ErrInvalidConfig) {
		t.Fatalf("Open(bad config) = %#v, %v; want a nil Connector and invalid_config", c, err)
	}
	if _, err := reg.OpenSocial(twilio.FactoryID, config(t, nil)); !errors.Is(err, connector.ErrUnexpectedType) {
		t.Fatalf("OpenSocial = %v, want unexpected_type", err)
	}
}

func TestNothingPrintsSecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	for _, changes := range []map[string]any{
		nil,
		{"authToken": nil, "apiKeySID": apiKeySID, "apiKeySecret": apiKeySecret, "fromMessagingServiceSID": nil, "fromNumber": "+14155550199"},
	} {
		raw := config(t, changes)
		m := newMock(t, twilioError(401, 20003, "Authenticate"))
		c := m.open(raw, connector.WithLogger(logger))
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T"} {
			assertNoSecret(t, "fmt "+verb, fmt.Sprintf(verb, c))
			assertNoSecret(t, "fmt "+verb, fmt.Sprintf(verb, *c))
		}
		if s := c.String(); !strings.Contains(s, "twilio.Connector{id: twilio-short-message-service") {
			t.Errorf("String() = %q", s)
		}
		var cfg twilio.Config
		if err := json.Unmarshal(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, "config "+verb, fmt.Sprintf(verb, cfg))
		}
		logger.Info("config", "config", cfg)

		_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
			Payload: map[string]any{"code": "318273"}})
		if !errors.Is(err, connector.ErrInvalidConfig) {
			t.Fatalf("Send = %v, want invalid_config for 20003", err)
		}
		assertNoSecret(t, "error", fmt.Sprintf("%v %+v %#v", err, err, err))
		logger.Info("send failed", "error", err)

		ok := newMock(t, nil).open(raw, connector.WithLogger(logger))
		if _, err := ok.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
			Payload: map[string]any{"code": "318273"}}); err != nil {
			t.Fatal(err)
		}
	}
	out := logs.String()
	assertNoSecret(t, "logs", out)
	for _, private := range []string{"318273", "4155550100"} {
		if strings.Contains(out, private) {
			t.Errorf("logs reveal %q:\n%s", private, out)
		}
	}
	if !strings.Contains(out, `"msg":"sms sent"`) || !strings.Contains(out, messageSID) {
		t.Errorf("logs miss the sent message:\n%s", out)
	}
}

func TestLongTemplateWarning(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := twilio.Open(config(t, map[string]any{"templates": []any{
		map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"},
		map[string]any{"usageType": "SignIn", "content": strings.Repeat("Ваш код ", 10) + "{{code}}"},
	}}), connector.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "template takes several SMS segments") || !strings.Contains(out, "usage_type=SignIn") ||
		!strings.Contains(out, "segments=2") || strings.Contains(out, "usage_type=Generic") {
		t.Fatalf("logs:\n%s", out)
	}
}
