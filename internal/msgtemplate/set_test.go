package msgtemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

const id = "test-sender"

func TestSetLookup(t *testing.T) {
	t.Parallel()
	full, err := NewSet(id, []Entry{
		{Usage: connector.UsageSignIn, Content: "sign in {{code}}"},
		{Usage: connector.UsageRegister, Content: "register {{code}}"},
		{Usage: connector.UsageGeneric, Content: "generic {{code}}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	noGeneric, err := NewSet(id, []Entry{{Usage: connector.UsageSignIn, Content: "sign in {{code}}"}})
	if err != nil {
		t.Fatalf("a set without Generic must be accepted: %v", err)
	}
	tests := []struct {
		name  string
		set   *Set
		usage connector.UsageType
		want  string
		code  connector.Code
		msg   string
	}{
		{"exact match", full, connector.UsageSignIn, "sign in 42", "", ""},
		{"other exact match", full, connector.UsageRegister, "register 42", "", ""},
		{"generic itself", full, connector.UsageGeneric, "generic 42", "", ""},
		{"fallback to generic", full, connector.UsageForgotPassword, "generic 42", "", ""},
		{"fallback for every other type", full, connector.UsageBindMfa, "generic 42", "", ""},
		{"exact without generic", noGeneric, connector.UsageSignIn, "sign in 42", "", ""},
		{"missing without generic", noGeneric, connector.UsageMfaVerification, "", connector.CodeTemplateNotFound,
			`no template for usage type "MfaVerification" and no Generic template to fall back to`},
		{"generic missing", noGeneric, connector.UsageGeneric, "", connector.CodeTemplateNotFound, "no Generic template"},
		{"unknown usage type", full, "signin", "", connector.CodeInvalidRequestParameters, `unknown usage type "signin": must be one of SignIn, Register`},
		{"empty usage type", full, "", "", connector.CodeInvalidRequestParameters, "usage type is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.set.Render(tt.usage, map[string]any{"code": 42})
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Render(%q) = %q, %v; want %q", tt.usage, got, err, tt.want)
				}
				return
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Render(%q) = %q, %v; want a *connector.Error", tt.usage, got, err)
			}
			if ce.Code != tt.code || ce.Step != connector.StepSend || ce.Connector != id || !strings.Contains(ce.Message, tt.msg) {
				t.Fatalf("error = %+v, want code %s, step send, connector %s, message containing %q", ce, tt.code, id, tt.msg)
			}
			if got != "" {
				t.Errorf("Render returned %q with its error", got)
			}
		})
	}
}

func TestNewSetRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []Entry
		fields  connector.FieldErrors
	}{
		{"no templates", nil, connector.FieldErrors{{Path: "templates", Message: "must have at least 1 item"}}},
		{"every problem at once", []Entry{
			{Usage: connector.UsageSignIn, Content: "a {{code}}"},
			{Usage: "Test", Content: "b"},
			{Usage: connector.UsageSignIn, Content: "c"},
			{Usage: "", Content: " "},
			{Usage: connector.UsageGeneric, Content: ""},
		}, connector.FieldErrors{
			{Path: "templates[1].usageType", Message: "must be one of SignIn, Register, ForgotPassword, OrganizationInvitation, Generic, UserPermissionValidation, BindNewIdentifier, MfaVerification, BindMfa"},
			{Path: "templates[2].usageType", Message: `repeats "SignIn" of templates[0]`},
			{Path: "templates[3].usageType", Message: "is required"},
			{Path: "templates[3].content", Message: "must not be only white space"},
			{Path: "templates[4].content", Message: "is required"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set, err := NewSet(id, tt.entries)
			if set != nil {
				t.Fatal("NewSet returned a set with its error")
			}
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || ce.Step != connector.StepConfig || ce.Connector != id {
				t.Fatalf("NewSet error = %v, want an invalid_config *connector.Error", err)
			}
			if !errors.Is(err, connector.ErrInvalidConfig) {
				t.Error("errors.Is(err, ErrInvalidConfig) is false")
			}
			if !reflect.DeepEqual(ce.Fields, tt.fields) {
				t.Fatalf("fields:\n got %q\nwant %q", ce.Fields, tt.fields)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	got := Check([]Entry{
		{Usage: "Unknown", Content: ""},
		{Usage: connector.UsageGeneric, Content: "a"},
		{Usage: "Unknown", Content: "b"},
		{Usage: connector.UsageGeneric, Content: "\n\t "},
	})
	want := connector.FieldErrors{
		{Path: "templates[3].usageType", Message: `repeats "Generic" of templates[1]`},
		{Path: "templates[3].content", Message: "must not be only white space"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check:\n got %q\nwant %q", got, want)
	}
	if fe := Check(nil); fe != nil {
		t.Fatalf("Check(nil) = %q", fe)
	}
}

func TestUsages(t *testing.T) {
	t.Parallel()
	set, err := NewSet(id, []Entry{
		{Usage: connector.UsageGeneric, Content: "g"},
		{Usage: connector.UsageSignIn, Content: "s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []connector.UsageType{connector.UsageSignIn, connector.UsageGeneric}
	if got := set.Usages(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Usages() = %q, want %q", got, want)
	}
	tpl, err := set.Lookup(connector.UsageRegister)
	if err != nil || tpl.Source() != "g" {
		t.Fatalf("Lookup(Register) = %v, %v; want the Generic template", tpl, err)
	}
}
