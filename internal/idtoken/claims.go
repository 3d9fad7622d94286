package idtoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tidwall/gjson"

	"github.com/connectorkit/connector/internal/jsonx"
)

// Claims are the claims of a verified id_token.
type Claims struct {
	// Subject is sub: the user's ID at the provider, checked by the user ID
	// rule (internal/userid).
	Subject string
	// Issuer is iss, equal to the configured issuer.
	Issuer string
	// Audience is aud, as a list (a single string becomes one item).
	Audience []string
	// AuthorizedParty is azp, "" when absent.
	AuthorizedParty string
	// Expiry, IssuedAt and NotBefore are exp, iat and nbf (NotBefore is
	// zero when the token has none), in UTC.
	Expiry, IssuedAt, NotBefore time.Time
	// Nonce is the token's nonce ("" when the caller skipped the check
	// and the token carries none).
	Nonce string
	// Email is the email claim, "" when absent. Use it to link accounts
	// only when EmailVerified is true.
	Email string
	// EmailVerified is true when email_verified is true or "true"; any
	// other value (false, "false", 1, "yes", absent) is not verified.
	EmailVerified bool
	// PhoneNumber is phone_number, "" when absent.
	PhoneNumber string
	// PhoneNumberVerified follows the rule of EmailVerified for
	// phone_number_verified.
	PhoneNumberVerified bool
	// Name and Picture are name and picture when they are JSON strings,
	// else "".
	Name, Picture string
	// CodeHash is c_hash (OpenID Connect Core 3.3.2.11) when it is a JSON
	// string, else "": the caller compares it with the code it received.
	CodeHash string
	// Raw is the claims JSON (the token's decoded payload) as received; it
	// holds no signature, so it is not a token. Read other claims with
	// [Claims.String], [Claims.Bool], [Claims.Int] and [Claims.Lookup].
	Raw json.RawMessage
}

// Lookup returns the raw JSON value of the claim name, and whether the
// token has it (a null value counts as absent).
//
// A plain name is found without decoding the claims: the verifier has
// checked Raw (valid JSON, one object, no member name twice), so the first
// member of that name is the only one. A name holding a character gjson
// reads as path syntax is looked up by decoding the claims.
func (c *Claims) Lookup(name string) (json.RawMessage, bool) {
	if name != "" && !strings.ContainsAny(name, `.*?|#@!\"=<>%:[]{}(), `) && jsonx.ValidObject(c.Raw) {
		r := gjson.GetBytes(c.Raw, name)
		if !r.Exists() || r.Type == gjson.Null {
			return nil, false
		}
		return json.RawMessage(r.Raw), true
	}
	var members map[string]rawValue
	if jsonx.Unmarshal(c.Raw, &members) != nil {
		return nil, false
	}
	v, ok := members[name]
	if !ok || v.null() {
		return nil, false
	}
	return json.RawMessage(v), true
}

// String returns the claim name when it is a JSON string; ok is false when
// the claim is absent or of another type.
func (c *Claims) String(name string) (value string, ok bool) {
	raw, present := c.Lookup(name)
	if !present || jsonx.Unmarshal(raw, &value) != nil {
		return "", false
	}
	return value, true
}

// Bool reads a boolean claim the way providers send them: value is true
// only for true or "true"; every other value (false, "false", 1, "yes")
// is false. present reports whether the token has the claim (not null).
// Apple's is_private_email is read this way.
func (c *Claims) Bool(name string) (value, present bool) {
	raw, present := c.Lookup(name)
	return rawValue(raw).truthy(), present
}

// Int returns the claim name when it is a JSON integer (Apple's
// real_user_status: 0, 1 or 2); ok is false when it is absent or of
// another type (a string, a fraction).
func (c *Claims) Int(name string) (value int64, ok bool) {
	raw, present := c.Lookup(name)
	if !present || jsonx.Unmarshal(raw, &value) != nil {
		return 0, false
	}
	return value, true
}

// rawValue keeps a member's JSON value undecoded.
type rawValue []byte

// UnmarshalJSON keeps a copy of b.
func (r *rawValue) UnmarshalJSON(b []byte) error {
	*r = bytes.Clone(b)
	return nil
}

func (r rawValue) null() bool { return len(r) == 0 || string(r) == "null" }

// truthy is true for true and "true" only.
func (r rawValue) truthy() bool { return string(r) == "true" || string(r) == `"true"` }

// str is the value when it is a JSON string, else "".
func (r rawValue) str() string {
	var s string
	if len(r) == 0 || r[0] != '"' || jsonx.Unmarshal(r, &s) != nil {
		return ""
	}
	return s
}

// wireClaims are the claims the verifier reads. Checked claims have their
// JSON types (a string for iss, a number for exp...), else the token is
// refused; the others are read leniently.
type wireClaims struct {
	Iss                 string   `json:"iss"`
	Sub                 *string  `json:"sub"`
	Aud                 rawValue `json:"aud"`
	Azp                 *string  `json:"azp"`
	Exp                 *float64 `json:"exp"`
	Iat                 *float64 `json:"iat"`
	Nbf                 *float64 `json:"nbf"`
	Nonce               *string  `json:"nonce"`
	AtHash              *string  `json:"at_hash"`
	CHash               rawValue `json:"c_hash"`
	Email               string   `json:"email"`
	EmailVerified       rawValue `json:"email_verified"`
	PhoneNumber         string   `json:"phone_number"`
	PhoneNumberVerified rawValue `json:"phone_number_verified"`
	Name                rawValue `json:"name"`
	Picture             rawValue `json:"picture"`
}

// tokenClaims receives the payload from golang-jwt's parser. Its
// UnmarshalJSON decodes the payload once, with jsonx's rules (exact member
// names, duplicates refused), instead of encoding/json's (case folding,
// the last duplicate wins).
type tokenClaims struct {
	w       wireClaims
	raw     []byte
	decoded bool
	err     error // the jsonx problem, when decoding failed
}

var _ jwt.Claims = (*tokenClaims)(nil)

// UnmarshalJSON decodes the payload b.
func (t *tokenClaims) UnmarshalJSON(b []byte) error {
	t.raw = bytes.Clone(b)
	// One pass: the decoder refuses what Check would (invalid JSON,
	// duplicate names, a value that is not an object).
	if err := jsonx.Unmarshal(b, &t.w); err != nil {
		t.err = err
		return err
	}
	t.decoded = true
	return nil
}

// The jwt.Claims methods: golang-jwt's own claim validation is switched
// off (the verifier applies its rules), so these only describe the token.

// GetExpirationTime returns exp.
func (t *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) { return numericPtr(t.w.Exp), nil }

// GetIssuedAt returns iat.
func (t *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error) { return numericPtr(t.w.Iat), nil }

// GetNotBefore returns nbf.
func (t *tokenClaims) GetNotBefore() (*jwt.NumericDate, error) { return numericPtr(t.w.Nbf), nil }

// GetIssuer returns iss.
func (t *tokenClaims) GetIssuer() (string, error) { return t.w.Iss, nil }

// GetSubject returns sub.
func (t *tokenClaims) GetSubject() (string, error) {
	if t.w.Sub == nil {
		return "", nil
	}
	return *t.w.Sub, nil
}

// GetAudience returns aud.
func (t *tokenClaims) GetAudience() (jwt.ClaimStrings, error) {
	aud, err := audience(t.w.Aud)
	return jwt.ClaimStrings(aud), err
}

func numericPtr(f *float64) *jwt.NumericDate {
	if f == nil {
		return nil
	}
	t, ok := numericDate(*f)
	if !ok {
		return nil
	}
	return jwt.NewNumericDate(t)
}

// maxNumericDate is 9999-12-31T23:59:59Z.
const maxNumericDate = 253402300799

// numericDate converts seconds since the epoch (RFC 7519 NumericDate, a
// JSON number, possibly fractional) to a time; ok is false outside 1970
// to 9999.
func numericDate(f float64) (time.Time, bool) {
	if math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// errAudience is the error of an aud that is neither a string nor a list
// of strings.
var errAudience = errors.New("must be a string or a list of strings")

// audience reads aud: a string, or a list of strings; nil when absent.
func audience(r rawValue) ([]string, error) {
	if r.null() {
		return nil, nil
	}
	switch r[0] {
	case '"':
		return []string{r.str()}, nil
	case '[':
		var list []string
		if jsonx.Unmarshal(r, &list) != nil {
			return nil, errAudience
		}
		return list, nil
	}
	return nil, errAudience
}
