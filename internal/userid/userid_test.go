package userid

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	bad := map[string]string{
		"":                        "is empty",
		" ":                       "starts or ends with white space",
		"\n":                      "starts or ends with white space",
		"\x00":                    "contains control",
		"u1 ":                     "starts or ends with white space",
		"\tu1":                    "starts or ends with white space",
		"u\x001":                  "contains control",
		"u\u200b1":                "contains control or invisible",
		"admin\u202e":             "contains control or invisible",
		"\u00a0u1":                "starts or ends with white space",
		"u\xff":                   "is not valid UTF-8",
		strings.Repeat("a", 256):  "is longer than 255 bytes",
		"u\u2028":                 "starts or ends with white space",
		"\u3000kakao":             "starts or ends with white space",
		"a\x7fb":                  "contains control",
		"user\u0085":              "starts or ends with white space",
		"u\u0085x":                "contains control",
		strings.Repeat("é", 128):  "is longer than 255 bytes",
		"\ufeffid":                "contains control or invisible",
		"id\u2066":                "contains control or invisible",
		"id\u061c":                "contains control or invisible",
		"i\u00add":                "contains control or invisible", // soft hyphen
		"\U000E0041tag":           "contains control or invisible",
		"x\u180ey":                "contains control or invisible",
		"\u2060joiner":            "contains control or invisible",
		"id\u200d":                "contains control or invisible",
		"id\u200c":                "contains control or invisible",
		"id\u206f":                "contains control or invisible",
		"id\ufff9":                "contains control or invisible",
		"\u0600x":                 "contains control or invisible",
		"id\u17b4":                "",
		"\U0001D173music":         "contains control or invisible",
		"id\U000E007F":            "contains control or invisible",
		"id\u200e":                "contains control or invisible",
		"id\u200f":                "contains control or invisible",
		"\u2061fn":                "contains control or invisible",
		"id\u034f":                "",
		"ok-id_1@example.com":     "",
		"사용자":                     "",
		"000123":                  "",
		"-1":                      "",
		strings.Repeat("a", 255):  "",
		"001.abcdef0123456789.01": "",
	}
	for id, want := range bad {
		err := Check(id)
		switch {
		case want == "" && err != nil:
			t.Errorf("Check(%q) = %v, want nil", id, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("Check(%q) = %v, want %q", id, err, want)
		}
		if err != nil && len(strings.TrimSpace(id)) > 2 && strings.Contains(err.Error(), id) {
			t.Errorf("Check(%q): the message quotes the ID", id)
		}
	}
}

func TestNumber(t *testing.T) {
	for raw, want := range map[string]string{
		"0": "0", "-0": "0", "007": "7", "-007": "-7", "9223372036854775807": "9223372036854775807",
		"18446744073709551616": "18446744073709551616", "-5": "-5",
	} {
		got, ok := Number(raw)
		if !ok || got != want {
			t.Errorf("Number(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{"", "-", "1.0", "1e3", "+1", " 1", "0x10", "1_000"} {
		if got, ok := Number(raw); ok {
			t.Errorf("Number(%q) = %q, want refused", raw, got)
		}
	}
}

func TestPositiveInt64(t *testing.T) {
	for raw, want := range map[string]string{
		`4815162342`: "4815162342", `"4815162342"`: "4815162342", `007`: "7", `" 42 "`: "42",
		`9223372036854775807`: "9223372036854775807",
	} {
		if got, err := PositiveInt64([]byte(raw)); err != nil || got != want {
			t.Errorf("PositiveInt64(%s) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for raw, msg := range map[string]string{
		``: "is missing", `null`: "is missing", `{}`: "object", `[]`: "array", `true`: "boolean", `""`: "is empty",
		`0`: "got 0", `-5`: "positive integer", `1.5`: "positive integer", `"12a"`: "positive integer",
		`9223372036854775808`: "larger than a 64-bit", `12345678901234567890123`: "more digits",
		`"` + strings.Repeat("x", 1000) + `"`: "...",
	} {
		_, err := PositiveInt64([]byte(raw))
		if err == nil || !strings.Contains(err.Error(), msg) || len(err.Error()) > 100 {
			t.Errorf("PositiveInt64(%.20s) = %v, want an error with %q", raw, err, msg)
		}
	}
}
