// Package jsonx is the one reader of provider JSON: token responses,
// profiles and (later) id_token claims are checked and decoded here, so
// every connector reads a document the same way.
//
// A provider document must be one valid JSON value (RFC 8259, with valid
// UTF-8), nested at most [MaxDepth] levels deep (gjson, which maps
// profiles, recurses without a limit), with no object holding the same
// member name twice (RFC 7493 §2.3). Duplicate names are refused because
// parsers disagree about them: one keeps the first "id", another the last,
// so the same bytes would sign in different users depending on who reads
// them. [Unmarshal] matches member names exactly (encoding/json folds case,
// so "SUB" would fill a field tagged "sub").
//
// The checks and the decoder come from github.com/go-json-experiment/json,
// the upstream of encoding/json/v2, whose defaults are exactly these rules.
package jsonx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// MaxDepth bounds the nesting of a provider document; no token response or
// profile nests anywhere near this deep.
const MaxDepth = 512

// Valid reports whether doc is a valid provider document: see [Check].
func Valid(doc []byte) bool { return Check(doc) == nil }

// ValidObject is Valid for a document that must be a JSON object.
func ValidObject(doc []byte) bool { return CheckObject(doc) == nil }

// Problem says why a document was refused. Its message names the cause and,
// where there is one, the JSON Pointer of the member at fault; it never
// quotes a value.
type Problem struct {
	// Pointer is the RFC 6901 pointer of the value at fault ("" for the
	// document).
	Pointer string
	// Reason is a lower-case description.
	Reason string
	// Duplicate is set when a member name occurs twice in one object.
	Duplicate bool
}

// Error reads "field a.b must be a string, got a JSON number", or the
// reason alone for the document itself.
func (p *Problem) Error() string {
	if p.Pointer == "" {
		return p.Reason
	}
	if p.Duplicate {
		return "has the member " + p.Path() + " more than once"
	}
	return "field " + p.Path() + " " + p.Reason
}

// Path is Pointer in dotted form ("kakao_account.email").
func (p *Problem) Path() string {
	parts := strings.Split(strings.TrimPrefix(p.Pointer, "/"), "/")
	for i, part := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
	}
	return strings.Join(parts, ".")
}

// Check returns nil when doc is one valid JSON value with valid UTF-8, no
// duplicate member names, and at most MaxDepth levels of nesting; else a
// [*Problem].
func Check(doc []byte) error {
	// The common case, a valid document, is checked in place without an
	// allocation; only a refused one is read again to say why.
	if !tooDeep(doc) && jsontext.Value(doc).IsValid() {
		return nil
	}
	if tooDeep(doc) {
		return &Problem{Reason: "is nested more than " + strconv.Itoa(MaxDepth) + " levels deep"}
	}
	dec := jsontext.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.ReadValue(); err != nil {
		return problem(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return &Problem{Reason: "has data after the JSON value"}
	}
	return nil
}

// CheckObject is Check for a document that must be a JSON object.
func CheckObject(doc []byte) error {
	for _, c := range doc {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return Check(doc)
		}
		return &Problem{Reason: "is not a JSON object"}
	}
	return &Problem{Reason: "is empty"}
}

// Unmarshal decodes doc into v after [Check]: member names match the
// fields' JSON names exactly, duplicates and invalid UTF-8 are refused,
// unknown members are ignored. An error is a [*Problem] naming the member
// and the JSON and Go kinds.
func Unmarshal(doc []byte, v any) error {
	if tooDeep(doc) {
		return &Problem{Reason: "is nested more than " + strconv.Itoa(MaxDepth) + " levels deep"}
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return problem(err)
	}
	return nil
}

func problem(err error) *Problem {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		p := &Problem{Pointer: string(se.JSONPointer)}
		switch {
		case errors.Is(se.Err, jsontext.ErrDuplicateName):
			p.Reason, p.Duplicate = "has a duplicate member name", true
		case errors.Is(se.Err, jsontext.ErrNonStringName):
			p.Reason = "has a member name that is not a string"
		case se.Err != nil && strings.Contains(se.Err.Error(), "UTF-8"):
			p.Reason = "is not valid UTF-8"
		case se.Err != nil && strings.Contains(se.Err.Error(), "unexpected EOF"):
			p.Reason = "is not valid JSON (truncated)"
		default:
			p.Reason = "is not valid JSON (at byte " + strconv.FormatInt(se.ByteOffset, 10) + ")"
		}
		return p
	}
	var me *json.SemanticError
	if errors.As(err, &me) {
		p := &Problem{Pointer: string(me.JSONPointer)}
		got := kindName(me.JSONKind)
		switch {
		case me.JSONKind == '0' && me.GoType != nil && goKind(me.GoType) == "a number":
			p.Reason = numberReason(me.GoType, me.Err)
		case me.GoType != nil && got != "":
			p.Reason = "must be " + goKind(me.GoType) + ", got " + got
		case me.GoType != nil:
			p.Reason = "must be " + goKind(me.GoType)
		default:
			p.Reason = "cannot be decoded"
		}
		if me.Err != nil && errors.Is(me.Err, jsontext.ErrDuplicateName) {
			p.Reason, p.Duplicate = "has a duplicate member name", true
		}
		return p
	}
	if errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return &Problem{Reason: "is not valid JSON (truncated)"}
	}
	return &Problem{Reason: "cannot be decoded"}
}

// numberReason says why a JSON number did not fit a numeric field: it is
// too large for it, or not a whole number (or negative) where the field
// holds integers.
func numberReason(t reflect.Type, err error) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case errors.Is(err, strconv.ErrRange):
		return "is a number out of range"
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr:
		return "must be a whole number, not negative, within range"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "must be a whole number within range"
	}
	return "is a number out of range"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a JSON boolean"
	case '"':
		return "a JSON string"
	case '0':
		return "a JSON number"
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	}
	return ""
}

func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	}
	return fmt.Sprintf("a %s", t.Kind())
}

// tooDeep reports whether doc nests objects and arrays more than MaxDepth
// levels deep (a scan outside strings; the decoder's own limit is far
// higher).
func tooDeep(doc []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}
