package oauthflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
)

// Token is a parsed token endpoint answer: the standard fields in the
// embedded [connector.Tokens] (id_token kept in IDToken, scope split on
// spaces and commas, TokenType "Bearer" when the provider sent none, Expiry
// from expires_in and the engine's clock) and every other top-level field in
// Extra.
//
// Its fmt output is the redacted output of [connector.Tokens]; Extra is not
// printed.
type Token struct {
	connector.Tokens
	// Extra holds the non-standard fields of the response, decoded as
	// encoding/json does with UseNumber: string, bool, json.Number, nil,
	// []any, map[string]any. Form responses give strings. Nil when there
	// are none.
	Extra map[string]any
}

// tokenResponse is the raw parse of a token answer before it is judged.
type tokenResponse struct {
	tok              Token
	errCode, errDesc string
	errURI           string
	expiresIn        int64
}

// parseFailure says why a body is not a token response.
type parseFailure struct{ msg string }

// parseTokenJSON reads a JSON token response. Malformed JSON, a body that is
// not an object and standard fields of the wrong type are failures.
func parseTokenJSON(body []byte) (*tokenResponse, *parseFailure) {
	if err := jsonx.Check(body); err != nil {
		var p *jsonx.Problem
		if errors.As(err, &p) && p.Duplicate {
			// Parsers disagree on which of two access_tokens wins.
			return nil, &parseFailure{"token response " + err.Error()}
		}
		return nil, &parseFailure{"token response is not valid JSON"}
	}
	s := string(body)
	root := gjson.Parse(s)
	if !root.IsObject() {
		return nil, &parseFailure{"token response is not a JSON object"}
	}
	tr := &tokenResponse{}
	var fail *parseFailure
	root.ForEach(func(key, v gjson.Result) bool {
		k := key.Str
		str := func() (string, bool) {
			switch v.Type {
			case gjson.String:
				return v.Str, true
			case gjson.Null:
				return "", true
			}
			fail = &parseFailure{k + " in the token response must be a string, got " + jsonKind(v)}
			return "", false
		}
		switch k {
		case "access_token":
			tr.tok.AccessToken, _ = str()
		case "token_type":
			tr.tok.TokenType, _ = str()
		case "refresh_token":
			tr.tok.RefreshToken, _ = str()
		case "id_token":
			tr.tok.IDToken, _ = str()
		case "expires_in":
			switch v.Type {
			case gjson.Number:
				tr.expiresIn = parseSeconds(v.Raw)
			case gjson.String:
				tr.expiresIn = parseSeconds(strings.TrimSpace(v.Str))
			}
		case "scope":
			switch v.Type {
			case gjson.String:
				tr.tok.Scope = splitScope(v.Str)
			case gjson.JSON:
				if v.IsArray() {
					for _, item := range v.Array() {
						if item.Type == gjson.String && item.Str != "" {
							tr.tok.Scope = append(tr.tok.Scope, item.Str)
						}
					}
				}
			}
		case "error":
			switch v.Type {
			case gjson.String:
				tr.errCode = v.Str
			case gjson.Number:
				tr.errCode = v.Raw
			case gjson.JSON:
				// {"error": {"code": ..., "message": ...}} (Google-style APIs)
				tr.errCode = firstString(v, "code", "status", "type")
				if tr.errCode == "" {
					tr.errCode = "error"
				}
				tr.errDesc = firstString(v, "message", "description")
			}
		case "error_description":
			if v.Type == gjson.String {
				tr.errDesc = v.Str
			}
		case "error_uri":
			if v.Type == gjson.String {
				tr.errURI = v.Str
			}
		default:
			if tr.tok.Extra == nil {
				tr.tok.Extra = map[string]any{}
			}
			tr.tok.Extra[k] = jsonValue(v)
		}
		return fail == nil
	})
	if fail != nil {
		return nil, fail
	}
	return tr, nil
}

// parseTokenForm reads a form-encoded token response.
func parseTokenForm(body []byte) (*tokenResponse, *parseFailure) {
	vals, err := url.ParseQuery(string(bytes.TrimSpace(body)))
	if err != nil {
		return nil, &parseFailure{"token response is not a valid form-encoded body"}
	}
	tr := &tokenResponse{}
	for k, vv := range vals {
		if len(vv) == 0 {
			continue
		}
		if len(vv) > 1 {
			return nil, &parseFailure{"token response has the parameter " + strconv.Quote(redact.Clean(k)) + " more than once"}
		}
		v := vv[0]
		switch k {
		case "access_token":
			tr.tok.AccessToken = v
		case "token_type":
			tr.tok.TokenType = v
		case "refresh_token":
			tr.tok.RefreshToken = v
		case "id_token":
			tr.tok.IDToken = v
		case "expires_in":
			tr.expiresIn = parseSeconds(strings.TrimSpace(v))
		case "scope":
			tr.tok.Scope = splitScope(v)
		case "error":
			tr.errCode = v
		case "error_description":
			tr.errDesc = v
		case "error_uri":
			tr.errURI = v
		default:
			if tr.tok.Extra == nil {
				tr.tok.Extra = map[string]any{}
			}
			tr.tok.Extra[k] = v
		}
	}
	return tr, nil
}

// parseSeconds reads expires_in: an integer, a decimal number (truncated) or
// either as a string. Anything else, zero or negative means no expiry.
// Values are capped at MaxInt32 seconds (68 years) as x/oauth2 does.
func parseSeconds(s string) int64 {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0
		}
		if f >= math.MaxInt32 {
			return math.MaxInt32
		}
		n = int64(f)
	}
	if n <= 0 {
		return 0
	}
	return min(n, math.MaxInt32)
}

// splitScope splits a granted scope on spaces and commas (GitHub answers
// "repo,gist").
func splitScope(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	if len(f) == 0 {
		return nil
	}
	return f
}

// expiry turns expires_in seconds into a time on the engine's clock.
func (e *Engine) expiry(seconds int64) time.Time {
	if seconds <= 0 {
		return time.Time{}
	}
	return e.now().Add(time.Duration(seconds) * time.Second)
}

// jsonValue converts a gjson result the way encoding/json with UseNumber
// would decode it.
func jsonValue(v gjson.Result) any {
	switch v.Type {
	case gjson.String:
		return v.Str
	case gjson.Number:
		return json.Number(v.Raw)
	case gjson.True:
		return true
	case gjson.False:
		return false
	case gjson.JSON:
		dec := json.NewDecoder(strings.NewReader(v.Raw))
		dec.UseNumber()
		var out any
		if dec.Decode(&out) == nil {
			return out
		}
	}
	return nil
}

// jsonKind names the JSON type of v for error messages.
func jsonKind(v gjson.Result) string {
	switch v.Type {
	case gjson.Null:
		return "null"
	case gjson.False, gjson.True:
		return "a boolean"
	case gjson.Number:
		return "a number"
	case gjson.String:
		return "a string"
	}
	if v.IsArray() {
		return "an array"
	}
	return "an object"
}

// firstString returns the first of keys (plain words) in the object v that
// is a string or a number.
func firstString(v gjson.Result, keys ...string) string {
	for _, k := range keys {
		r := v.Get(k) // keys are plain words: no gjson escaping needed
		switch r.Type {
		case gjson.String:
			if r.Str != "" {
				return r.Str
			}
		case gjson.Number:
			return r.Raw
		}
	}
	return ""
}
