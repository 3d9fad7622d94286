package jsonx

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	tests := []struct {
		doc          string
		valid, isObj bool
	}{
		{`{"a":1}`, true, true},
		{` {"s":"[[[{\"}"}`, true, true},
		{`[1,2]`, true, false},
		{`"x"`, true, false},
		{`{"a":`, false, false},
		{`<html>`, false, false},
		{``, false, false},
		{`   `, false, false},
	}
	for _, tt := range tests {
		if got := Valid([]byte(tt.doc)); got != tt.valid {
			t.Errorf("Valid(%q) = %v", tt.doc, got)
		}
		if got := ValidObject([]byte(tt.doc)); got != tt.isObj {
			t.Errorf("ValidObject(%q) = %v", tt.doc, got)
		}
	}
	if !Valid(deep(MaxDepth)) {
		t.Errorf("nesting of exactly MaxDepth refused")
	}
	if Valid(deep(MaxDepth + 1)) {
		t.Errorf("nesting beyond MaxDepth accepted")
	}
	if Valid(deep(1_000_000)) {
		t.Errorf("a million levels accepted")
	}
}
