// The JSON shape of a config: every key and value type checked against
// the struct before decoding, so that every problem is named at once.

package kit

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/textdist"
)

func jsonSyntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonField is a struct field and its wire name.
type jsonField struct {
	name  string
	field reflect.StructField
}

// jsonFieldList lists the wire fields of struct type t in declaration order,
// following `json` tags and the fields promoted from embedded structs. As in
// encoding/json, of two fields with one name the shallower wins.
func jsonFieldList(t reflect.Type) []jsonField {
	type candidate struct {
		jsonField
		depth int
	}
	var all []candidate
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				et := f.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, depth+1)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			all = append(all, candidate{jsonField{name, f}, depth})
		}
	}
	walk(t, 0)
	best := map[string]int{}
	for i, c := range all {
		if j, ok := best[c.name]; !ok || c.depth < all[j].depth {
			best[c.name] = i
		}
	}
	out := make([]jsonField, 0, len(best))
	for i, c := range all {
		if best[c.name] == i {
			out = append(out, c.jsonField)
		}
	}
	return out
}

// jsonFields maps wire names to struct fields (see [jsonFieldList]).
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	list := jsonFieldList(t)
	out := make(map[string]reflect.StructField, len(list))
	for _, f := range list {
		out[f.name] = f.field
	}
	return out
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	unmarshalerT   = reflect.TypeFor[json.Unmarshaler]()
)

// shape checks a decoded JSON value against the Go type it will be decoded
// into: unknown object keys (exact, case-sensitive) and wrong JSON types,
// each with its path. Null is accepted everywhere and means "not set".
func shape(v any, t reflect.Type, path string, fe *connector.FieldErrors, suppress *[]string) {
	if v == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerT) {
		return
	}
	want := ""
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			want = "an object"
			break
		}
		fields := jsonFields(t)
		for k, sub := range obj {
			f, ok := fields[k]
			if !ok {
				msg := "is not a known field"
				if name, caseOnly := suggest(k, fields); name != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", name)
					// A key that differs only in case is surely the field:
					// don't also report that field as missing. A field
					// that is set is still checked, and a hint by edit
					// distance may be wrong, so it hides nothing.
					if v, set := obj[name]; caseOnly && (!set || v == nil) {
						*suppress = append(*suppress, joinPath(path, name))
					}
				}
				*fe = append(*fe, connector.FieldError{Path: joinPath(path, k), Message: msg})
				// Drop it: encoding/json matches keys regardless of case
				// and would otherwise fill "apiKey" from "apikey".
				delete(obj, k)
				continue
			}
			shape(sub, f.Type, joinPath(path, k), fe, suppress)
		}
		return
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			want = "an object"
			break
		}
		for k, sub := range obj {
			shape(sub, t.Elem(), path+"["+strconv.Quote(k)+"]", fe, suppress)
		}
		return
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			want = "an array"
			break
		}
		for i, sub := range arr {
			shape(sub, t.Elem(), path+"["+strconv.Itoa(i)+"]", fe, suppress)
		}
		return
	case reflect.String:
		if _, ok := v.(string); !ok {
			want = "a string"
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			want = "a boolean"
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			want = "an integer"
		} else if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			want = "an integer"
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			want = "a number"
		}
	}
	if want != "" {
		*fe = append(*fe, connector.FieldError{Path: path, Message: "must be " + want + ", got " + jsonKind(v)})
	}
}

// suggest names the known field that the unknown key k was most likely
// meant to be: one that differs from it only in case (caseOnly), else the
// closest by edit distance ignoring case, if that is at most a third of k's
// length and at most 2 edits. Ties go to the alphabetically first name, so
// the hint is the same on every run. It returns "" when nothing is close.
func suggest(k string, fields map[string]reflect.StructField) (name string, caseOnly bool) {
	names := slices.Sorted(maps.Keys(fields))
	for _, f := range names {
		if strings.EqualFold(f, k) {
			return f, true
		}
	}
	bestD := -1
	for _, f := range names {
		if d, ok := textdist.Close(k, f); ok && (bestD < 0 || d < bestD) {
			name, bestD = f, d
		}
	}
	return name, false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
