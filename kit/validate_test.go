package kit_test

import (
	"errors"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// Cross-field tags speak the config's language: JSON names, and a grammar
// that says what the rule is.
func TestCrossFieldTagMessages(t *testing.T) {
	type cfg struct {
		A string `json:"alpha"`
		B string `json:"beta"`
		C string `json:"gamma"`
		W string `json:"withAny" validate:"required_with=A B"`
		X string `json:"withAll" validate:"required_with_all=A B"`
		Y string `json:"withoutAll" validate:"required_without_all=A B"`
		Z string `json:"withoutOne" validate:"required_without=C"`
		E string `json:"exclAll" validate:"excluded_with_all=A B"`
	}
	c := cfg{A: "a", B: "b", E: "e"}
	err := kit.ValidateConfig(&c)
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	want := map[string]string{
		"withAny":    "is required when alpha or beta is set",
		"withAll":    "is required when alpha and beta are set",
		"withoutOne": "is required when gamma is not set",
		"exclAll":    "must not be set together with both alpha and beta",
	}
	got := map[string]string{}
	for _, f := range ce.Fields {
		got[f.Path] = f.Message
	}
	for p, m := range want {
		if got[p] != m {
			t.Errorf("%s: got %q, want %q", p, got[p], m)
		}
	}
	empty := cfg{C: "c"}
	if err := kit.ValidateConfig(&empty); !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Message != "is required when neither alpha nor beta is set" {
		t.Errorf("required_without_all: %v", err)
	}
}
