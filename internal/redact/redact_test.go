package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/connectorkit/connector/internal/redact"
)

// secret needs every encoding: a space, a slash, a plus, a quote, HTML
// characters and a non-ASCII letter.
const secret = `p@ss w/rd+"<x>&é`

func TestScrubEveryEncoding(t *testing.T) {
	t.Parallel()
	jsonEscaped, _ := json.Marshal(secret)
	tests := []struct {
		name, form string
	}{
		{"raw", secret},
		{"query escaped", url.QueryEscape(secret)},
		{"path escaped", url.PathEscape(secret)},
		{"json escaped", string(jsonEscaped[1 : len(jsonEscaped)-1])},
		{"json escaped without html escapes", strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(secret)},
		{"base64 std", base64.StdEncoding.EncodeToString([]byte(secret))},
		{"base64 std unpadded", base64.RawStdEncoding.EncodeToString([]byte(secret))},
		{"base64 raw url", base64.RawURLEncoding.EncodeToString([]byte(secret))},
	}
	s := redact.New(secret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := "echo: " + tt.form + " (end)"
			got := s.Scrub(in)
			if want := "echo: " + redact.Placeholder + " (end)"; got != want {
				t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
			}
			if got := s.Text(in); strings.Contains(got, tt.form) || !strings.Contains(got, redact.Placeholder) {
				t.Errorf("Text(%q) = %q", in, got)
			}
		})
	}
}

func TestScrubBasicCredentials(t *testing.T) {
	t.Parallel()
	const id, password = "AC0123456789abcdef0123456789abcdef", "f00dfacef00dfacef00dfacef00dface"
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+password))
	cred := redact.BasicCredentials(header)
	if cred != strings.TrimPrefix(header, "Basic ") {
		t.Fatalf("BasicCredentials(%q) = %q", header, cred)
	}
	s := redact.New(password, cred)
	for _, in := range []string{
		"Authorization: " + header,
		"user " + id + ":" + password,
		"header=" + url.QueryEscape(header),
	} {
		got := s.Text(in)
		if strings.Contains(got, password) || strings.Contains(got, cred) || strings.Contains(got, url.QueryEscape(cred)) {
			t.Errorf("Text(%q) = %q", in, got)
		}
	}
	for _, h := range []string{"Bearer abc", "Basic", "", "basic  abc= "} {
		want := map[string]string{"basic  abc= ": "abc="}[h]
		if got := redact.BasicCredentials(h); got != want {
			t.Errorf("BasicCredentials(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestScrubLongestSecretFirst(t *testing.T) {
	t.Parallel()
	const code, body = "123456", "Your code is 123456"
	in := `{"message":"cannot send 'Your code is 123456'","code":"123456"}`
	want := `{"message":"cannot send '[REDACTED]'","code":"[REDACTED]"}`
	for name, s := range map[string]redact.Scrubber{
		"short first": redact.New(code, body),
		"long first":  redact.New(body, code),
		"extended":    redact.New(code).With(body),
	} {
		if got := s.Scrub(in); got != want {
			t.Errorf("%s: Scrub = %q, want %q", name, got, want)
		}
	}
	// Overlapping secrets of one length: the result does not depend on
	// the order they were given in.
	a, b := redact.New("abcd", "bcde").Scrub("xabcdex"), redact.New("bcde", "abcd").Scrub("xabcdex")
	if a != b || strings.Contains(a, "abcd") || strings.Contains(a, "bcde") {
		t.Errorf("Scrub of overlapping secrets: %q and %q", a, b)
	}
}

func TestScrubLeavesShortValues(t *testing.T) {
	t.Parallel()
	s := redact.New("", "1", "abc", "\x00\x00")
	if !s.Empty() {
		t.Error("a Scrubber of values shorter than MinLen is not empty")
	}
	if !(redact.Scrubber{}).Empty() {
		t.Error("the zero Scrubber is not empty")
	}
	const in = "abc 1 and 12 stay"
	if got := s.With("12").Scrub(in); got != in {
		t.Errorf("Scrub(%q) = %q", in, got)
	}
	if got := s.Text(""); got != "" {
		t.Errorf("Text(\"\") = %q", got)
	}
}

func TestScrubNeverLeavesASecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, secret, in string
		want             string // "" checks only that the secret is gone
	}{
		// The placeholder completes the secret once it is replaced.
		{"placeholder completes the secret", "D]D]", "xD]D]D]x", ""},
		{"placeholder tail then the secret's tail", "]xyz", "]xyzxyz", ""},
		// A secret that is part of the placeholder: the text is withheld.
		{"secret inside the placeholder", "ACTED", "a REDACTED b", ""},
		// Pieces that only cleaning joins.
		{"invalid byte inside the secret", "123456", "code 123\xff456", "code [REDACTED]"},
		{"bidi mark inside the secret", "123 456", "code 123\u202e456", "code [REDACTED]"},
		{"other control character inside the secret", "ab\ncd", "x ab\rcd", "x [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := redact.New(tt.secret)
			for _, got := range []string{s.Scrub(tt.in), s.Text(tt.in)} {
				if strings.Contains(got, tt.secret) {
					t.Fatalf("%q gives %q, which keeps the secret %q", tt.in, got, tt.secret)
				}
			}
			got := s.Text(tt.in)
			checkClean(t, got)
			if tt.want != "" && got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", redact.MaxText) // 2 bytes each
	tests := []struct {
		name, in, want string
	}{
		{"plain ascii", "Invalid 'To' Phone Number", "Invalid 'To' Phone Number"},
		{"korean text is kept", "수신번호가 올바르지 않습니다", "수신번호가 올바르지 않습니다"},
		{"crlf forging a log line", "bad\r\nlevel=ERROR msg=forged", "bad  level=ERROR msg=forged"},
		{"ansi escape", "\x1b[31mred\x1b[0m", "[31mred [0m"},
		{"nul and c0", "a\x00b\x01c\x1fd\te", "a b c d e"},
		{"del", "a\x7fb", "a b"},
		{"c1 controls", "a\u0085b\u009bc", "a b c"},
		{"right-to-left override", "evil\u202egnp.exe", "evil gnp.exe"},
		{"bidi isolates and marks", "a\u2066b\u2069c\u200fd\u061ce", "a b c d e"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a b c"},
		{"surrounding space trimmed", " \n\t message \r\n", "message"},
		{"invalid utf-8 dropped", "a\xffb\xc3", "ab"},
		{"capped at MaxText on a character boundary", "x" + long, "x" + strings.Repeat("é", (redact.MaxText-1)/2)},
		{"no trailing space after the cut", strings.Repeat("a", redact.MaxText-1) + "  b", strings.Repeat("a", redact.MaxText-1)},
		{"exactly MaxText is kept", strings.Repeat("a", redact.MaxText), strings.Repeat("a", redact.MaxText)},
		{"empty", "", ""},
		{"only controls", "\r\n\x1b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redact.Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkClean(t, got)
			if again := redact.Clean(got); again != got {
				t.Errorf("Clean is not idempotent: %q then %q", got, again)
			}
		})
	}
}

// checkClean fails unless s is what Clean promises.
func checkClean(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%q is not valid UTF-8", s)
	}
	if len(s) > redact.MaxText {
		t.Fatalf("%d bytes, more than MaxText", len(s))
	}
	if s != strings.TrimSpace(s) {
		t.Fatalf("%q has surrounding space", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("%q keeps the character %U", s, r)
		}
	}
}

func FuzzScrub(f *testing.F) {
	f.Add("twilio says: ", "f00dfacef00dfacef00dfacef00dface", uint(13))
	f.Add("code \xff rest", "123456", uint(6))
	f.Add("xD]D]", "D]D]", uint(1))
	f.Add("a REDACTED b", "ACTED", uint(0))
	f.Add("\r\n\x1b[31m수신번호\u202e", "p@ss w/rd+\"<x>", uint(3))
	f.Fuzz(func(t *testing.T, text, secret string, pos uint) {
		if len(secret) < redact.MinLen {
			return
		}
		for i := 0; i < len(secret); i++ {
			if secret[i] < 0x20 || secret[i] > 0x7e {
				return // printable ASCII only
			}
		}
		at := int(pos % uint(len(text)+1))
		in := text[:at] + secret + text[at:]
		out := redact.New(secret).Text(in)
		if strings.Contains(out, secret) {
			t.Fatalf("Text(%q) = %q keeps the secret %q", in, out, secret)
		}
		checkClean(t, out)
	})
}
