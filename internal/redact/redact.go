// Package redact keeps secrets and hostile bytes out of the provider text
// that connectors copy into errors and log lines.
//
// A provider (or a proxy in front of it) may echo the request it was sent:
// the client secret, the Basic header, the authorization code, a one-time
// SMS code. A [Scrubber] knows the values one request sent and replaces each
// of them, in every encoding a provider is likely to echo it in, before any
// of the text is cut to size. [Text] then removes control characters (a CR,
// LF or ESC in an error message can forge log lines or drive a terminal)
// and bounds the length.
package redact

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder replaces every secret found in provider text.
const Placeholder = "[REDACTED]"

// MinLen is the shortest value a Scrubber replaces: shorter values (an
// empty secret, a one-character code) would rewrite ordinary text.
const MinLen = 4

// MaxText bounds each provider string kept in an error.
const MaxText = 512

// maxPasses bounds the replacement passes of [Scrubber.Scrub]: a pass can
// only leave a secret behind when the placeholder completes it.
const maxPasses = 4

// Scrubber replaces known secret values in text. The zero value scrubs
// nothing. It is immutable: [Scrubber.With] returns a new one, so a
// connector builds one for its static secrets at construction and extends
// it per request.
type Scrubber struct {
	needles []string // every encoding of every secret, longest first
}

// New returns a Scrubber for secrets.
func New(secrets ...string) Scrubber { return Scrubber{}.With(secrets...) }

// With returns a Scrubber that also replaces secrets. Each secret is
// matched as sent and in its URL query, URL path, JSON string and base64
// encodings (a Basic header is base64 of "id:secret": pass the header's
// credentials, see [BasicCredentials]), and as [Clean] would leave it. The
// order of secrets does not change what the Scrubber does.
func (s Scrubber) With(secrets ...string) Scrubber {
	out := Scrubber{needles: slices.Clone(s.needles)}
	for _, secret := range secrets {
		if len(secret) < MinLen {
			continue
		}
		for _, form := range encodings(secret) {
			if !slices.Contains(out.needles, form) {
				out.needles = append(out.needles, form)
			}
		}
	}
	// Longest first, so that a secret which contains another is replaced
	// whole rather than leaving its remainder behind; ties in byte order,
	// so that the result never depends on the order secrets were given in.
	slices.SortFunc(out.needles, func(a, b string) int {
		if c := cmp.Compare(len(b), len(a)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

func encodings(secret string) []string {
	forms := []string{secret, sanitize(secret), url.QueryEscape(secret), url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawStdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret))}
	if b, err := json.Marshal(secret); err == nil && len(b) >= 2 {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	// A JSON encoder that escapes only what it must (no \u003c for <).
	forms = append(forms, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(secret))
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= MinLen && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Empty reports whether s scrubs nothing.
func (s Scrubber) Empty() bool { return len(s.needles) == 0 }

// Scrub replaces every known secret in text with [Placeholder]. Should
// text still hold a secret once every one is replaced (a secret that the
// placeholder itself completes, such as "D]x" after "[REDACTE"), it is
// withheld whole: Scrub then returns [Placeholder], or "" when a secret is
// part of the placeholder.
func (s Scrubber) Scrub(text string) string {
	if text == "" || len(s.needles) == 0 {
		return text
	}
	for range maxPasses {
		found := false
		for _, n := range s.needles {
			if strings.Contains(text, n) {
				text = strings.ReplaceAll(text, n, Placeholder)
				found = true
			}
		}
		if !found {
			return text
		}
	}
	if s.holds(text) {
		return s.withheld()
	}
	return text
}

// holds reports whether text contains a secret in any of its forms.
func (s Scrubber) holds(text string) bool {
	for _, n := range s.needles {
		if strings.Contains(text, n) {
			return true
		}
	}
	return false
}

// withheld stands for a text that cannot be kept.
func (s Scrubber) withheld() string {
	if s.holds(Placeholder) {
		return ""
	}
	return Placeholder
}

// Text scrubs text, then makes it safe to keep in an error: see [Clean].
// Scrubbing comes first, so that a cut can never leave part of a secret
// behind, and again once invalid bytes are dropped and control characters
// blanked, since that can join the pieces of a secret (an echoed
// "123\xff456" holds no code, but cleaned it is the code 123456). The
// result never contains a secret in any of its forms.
func (s Scrubber) Text(text string) string {
	if len(s.needles) == 0 {
		return Clean(text)
	}
	text = Clean(s.Scrub(sanitize(s.Scrub(text))))
	if s.holds(text) {
		// Only when a secret that is not valid UTF-8 matched inside a
		// character and Clean dropped the rest of it.
		return s.withheld()
	}
	return text
}

// Clean returns provider text fit for an error message or a log line:
// valid UTF-8, control and bidirectional-formatting characters (CR, LF,
// ESC, U+202E...) replaced by a space, surrounding space trimmed, and at
// most [MaxText] bytes, cut on a character boundary.
func Clean(text string) string {
	if !needsCleaning(text) {
		return text
	}
	text = strings.TrimSpace(sanitize(text))
	if len(text) > MaxText {
		text = text[:MaxText]
		for len(text) > 0 && !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
		text = strings.TrimRightFunc(text, unicode.IsSpace) // the cut may end on a space
	}
	return text
}

// sanitize drops invalid UTF-8 and replaces each unsafe character by a
// space.
func sanitize(text string) string {
	if !needsCleaning(text) {
		return text
	}
	return strings.Map(func(r rune) rune {
		if isUnsafe(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, ""))
}

func needsCleaning(text string) bool {
	if len(text) > MaxText {
		return true
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return true // control byte, or non-ASCII to check rune by rune
		}
	}
	return len(text) > 0 && (text[0] == ' ' || text[len(text)-1] == ' ')
}

func isUnsafe(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional formatting: reorders what a reader sees
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	}
	return false
}

// BasicCredentials returns the credentials part of an Authorization: Basic
// header value ("Basic abc=" gives "abc="), to scrub it when a proxy echoes
// the request headers; "" for any other header.
func BasicCredentials(header string) string {
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	return strings.TrimSpace(cred)
}
