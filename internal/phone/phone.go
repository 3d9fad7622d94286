// Package phone normalises phone numbers to E.164 (+14155550100), the form
// SMS providers expect and [connector.UserInfo.Phone] carries.
//
// It accepts E.164, Logto's digits-only form (the country code and number
// without the plus sign) and formatted international numbers such as Kakao's
// "+82 10-1234-5678", and refuses anything that cannot be a valid number,
// using libphonenumber's metadata (github.com/nyaruka/phonenumbers):
//
//	e164, err := phone.ToE164("+82 10-1234-5678") // "+821012345678"
//	if errors.Is(err, phone.ErrInvalid) {
//		// refuse the number before calling the provider
//	}
package phone

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is wrapped by every error [ToE164] returns.
var ErrInvalid = errors.New("invalid phone number")

// maxInput bounds the work done on hostile input; no formatted phone number
// comes near it.
const maxInput = 64

// invalidError says why a number was refused. Its text never repeats the
// number: phone numbers are personal data and errors end up in logs.
type invalidError struct{ reason string }

func (e *invalidError) Error() string        { return "invalid phone number: " + e.reason }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(reason string) error { return &invalidError{reason: reason} }

// ToE164 returns raw in E.164 form: "+" followed by the country code and
// the national number, digits only.
//
// raw is an international number: either starting with "+" or digits only
// with the country code first (Logto's form: "14155550100"). Spaces,
// hyphens, dots and parentheses are allowed as separators ("+1 (415)
// 555-0100"). National numbers without a country code, letters (vanity
// numbers), extensions and numbers that libphonenumber does not consider
// valid for their country are refused with an error wrapping [ErrInvalid].
func ToE164(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", invalid("is empty")
	}
	if len(s) > maxInput {
		return "", invalid("is longer than " + strconv.Itoa(maxInput) + " characters")
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '+':
			if i != 0 {
				return "", invalid(`has a "+" that is not at the start`)
			}
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", invalid("may hold only digits, a leading \"+\" and the separators space, -, ., ( and )")
		}
	}
	if digits == 0 {
		return "", invalid("has no digits")
	}
	if e164, ok := fastE164(s); ok {
		return e164, nil
	}
	return parse(s)
}

// parse is ToE164's general path, through libphonenumber's parser, for a
// number whose characters ToE164 has checked.
func parse(s string) (string, error) {
	if s[0] != '+' {
		// Logto's digits-only form: the country code comes first.
		s = "+" + s
	}
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return "", invalid("does not start with a known country code")
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return "", invalid("is too long")
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			return "", invalid("is too short")
		default:
			return "", invalid("is not a phone number")
		}
	}
	if !phonenumbers.IsValidNumber(num) {
		switch phonenumbers.IsPossibleNumberWithReason(num) {
		case phonenumbers.TOO_SHORT:
			return "", invalid("is too short for country code +" + strconv.Itoa(int(num.GetCountryCode())))
		case phonenumbers.TOO_LONG:
			return "", invalid("is too long for country code +" + strconv.Itoa(int(num.GetCountryCode())))
		case phonenumbers.INVALID_LENGTH:
			return "", invalid("has an impossible length for country code +" + strconv.Itoa(int(num.GetCountryCode())))
		default:
			return "", invalid("is not a valid number for country code +" + strconv.Itoa(int(num.GetCountryCode())))
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
