// Package userid holds the one rule for a provider's user ID, the key a
// host links an account by: an ID that two parsers read differently, that
// is blank, or that differs from another only by invisible characters
// would sign one person in as another.
package userid

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLen bounds an ID; OpenID Connect's sub is at most 255 ASCII characters.
const MaxLen = 255

// Check returns nil when id is a usable user ID: not empty, valid UTF-8, at
// most MaxLen bytes, without control, format (zero-width, bidirectional)
// or surrounding space characters. The error says which rule failed and
// never quotes the ID.
func Check(id string) error {
	switch {
	case id == "":
		return errors.New("is empty")
	case len(id) > MaxLen:
		return errors.New("is longer than 255 bytes")
	case !utf8.ValidString(id):
		return errors.New("is not valid UTF-8")
	}
	first, _ := utf8.DecodeRuneInString(id)
	last, _ := utf8.DecodeLastRuneInString(id)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return errors.New("starts or ends with white space")
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return errors.New("contains control or invisible formatting characters")
		}
	}
	return nil
}

// Number returns the canonical form of a JSON integer used as an ID: no
// leading zeros, no plus sign, and "-0" as "0", so that one number is one
// user however the provider wrote it. ok is false for anything that is not
// an integer (a fraction, an exponent, a sign alone).
func Number(raw string) (canonical string, ok bool) {
	neg := strings.HasPrefix(raw, "-")
	digits := strings.TrimPrefix(raw, "-")
	if digits == "" {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", true
	}
	if neg {
		return "-" + digits, true
	}
	return digits, true
}
