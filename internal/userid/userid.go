// Package userid holds the one rule for a provider's user ID, the key a
// host links an account by: an ID that two parsers read differently, that
// is blank, or that differs from another only by invisible characters
// would sign one person in as another.
package userid

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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

// maxInt64Digits is the number of digits of the largest int64.
const maxInt64Digits = 19

// PositiveInt64 returns the canonical decimal text of an ID that is a
// positive 64-bit integer, given as a JSON number or, leniently, as a
// JSON string of digits (Kakao's id, GitHub's, Discord's snowflakes): both
// forms of one number give one ID, leading zeros dropped, and the digits
// are never read through a float64. raw is the member's JSON value, empty
// when absent. The error says what is wrong in lower case, to follow the
// member's name ("id is missing": [ErrMissing]; "id must be a positive
// integer, got ..."), and quotes at most 32 characters of it.
func PositiveInt64(raw []byte) (string, error) {
	v := jsontext.Value(raw)
	var s string
	switch v.Kind() {
	case '0':
		s = string(v)
	case '"':
		if err := json.Unmarshal(v, &s); err != nil {
			return "", errors.New("is not a valid JSON string")
		}
	case 0, 'n':
		return "", ErrMissing
	case '{':
		return "", errors.New("must be a positive integer, got a JSON object")
	case '[':
		return "", errors.New("must be a positive integer, got a JSON array")
	default:
		return "", errors.New("must be a positive integer, got a JSON boolean")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("is empty")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			if len(s) > 32 {
				s = s[:32] + "..."
			}
			return "", errors.New("must be a positive integer, got " + strconv.Quote(s))
		}
	}
	trimmed := strings.TrimLeft(s, "0")
	switch {
	case trimmed == "":
		return "", errors.New("must be a positive integer, got 0")
	case len(trimmed) > maxInt64Digits:
		return "", errors.New("has more digits than a 64-bit integer")
	}
	if _, err := strconv.ParseInt(trimmed, 10, 64); err != nil {
		return "", errors.New("is larger than a 64-bit integer")
	}
	return trimmed, nil
}

// ErrMissing is [PositiveInt64]'s error for an absent or null ID.
var ErrMissing = errors.New("is missing")
