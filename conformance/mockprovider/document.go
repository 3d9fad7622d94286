package mockprovider

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// This file writes the JSON documents whose member order matters: the
// CaseTwins and DuplicateNames modes put a member right after another, in
// the same object, which encoding/json (sorted map keys, one value per key)
// cannot.

// member is one name/value pair of a JSON object.
type member struct {
	name  string
	value any
}

// addFunc returns the members to write right after the member name of obj,
// the object at path (member names and array indexes from the root).
type addFunc func(path []string, obj map[string]any, name string) []member

// encodeOrdered writes doc as JSON, object members sorted by name, each
// followed by what add returns for it (written as is). Numbers keep their
// exact text.
func encodeOrdered(doc any, add addFunc) ([]byte, error) {
	norm, err := normalize(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeOrdered(&b, norm, nil, add); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// normalize turns doc into the generic JSON types (map[string]any, []any,
// string, json.Number, bool, nil) through a JSON round trip.
func normalize(doc any) (any, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

func writeOrdered(b *bytes.Buffer, v any, path []string, add addFunc) error {
	switch v := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		n := 0
		for _, k := range slices.Sorted(maps.Keys(v)) {
			ms := []member{{k, v[k]}}
			if add != nil {
				ms = append(ms, add(path, v, k)...)
			}
			for i, m := range ms {
				if n > 0 {
					b.WriteByte(',')
				}
				n++
				name, _ := json.Marshal(m.name)
				b.Write(name)
				b.WriteByte(':')
				next := add
				if i > 0 {
					next = nil // an added member is written as it is
				}
				if err := writeOrdered(b, m.value, append(slices.Clip(path), m.name), next); err != nil {
					return err
				}
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeOrdered(b, x, append(slices.Clip(path), strconv.Itoa(i)), add); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(raw)
	}
	return nil
}

// caseTwins adds after each member an upper-cased twin with another value,
// unless the object has that name already.
func caseTwins(_ []string, obj map[string]any, name string) []member {
	up := strings.ToUpper(name)
	if up == name {
		return nil
	}
	if _, taken := obj[up]; taken {
		return nil
	}
	return []member{{up, otherValue(obj[name])}}
}

// duplicateAt repeats the member at path (dotted into parts) with another
// value, in the object that holds it.
func duplicateAt(path []string) addFunc {
	if len(path) == 0 {
		return nil
	}
	parent, last := path[:len(path)-1], path[len(path)-1]
	return func(at []string, obj map[string]any, name string) []member {
		if name != last || !slices.Equal(at, parent) {
			return nil
		}
		return []member{{name, otherValue(obj[name])}}
	}
}

// otherValue returns a value of v's JSON type that differs from v: another
// string, another number, the other boolean; objects and arrays with every
// value changed.
func otherValue(v any) any {
	switch v := v.(type) {
	case string:
		return "twin-" + v
	case json.Number:
		if v == "1" {
			return json.Number("2")
		}
		return json.Number("1")
	case bool:
		return !v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = otherValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = otherValue(x)
		}
		return out
	}
	return v
}
