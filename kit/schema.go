package kit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
)

// ConfigSchema derives a JSON Schema (draft 2020-12) from a config struct,
// so that the schema an admin UI renders never drifts from what
// [DecodeConfig] accepts. It reads the same tags:
//
//   - `json`: property names; "omitempty" has no effect on the schema;
//   - `validate`: "required" lists the property as required; "oneof=a b"
//     and "usagetype" give an enum; "endpoint", "url" give format "uri";
//     "min"/"max" give length or item bounds; "e164" gives a pattern;
//   - `default`: the default value;
//   - `pattern`: the pattern (a regular expression) of a string property,
//     for admin UIs; the rule itself belongs in a validate tag or a
//     [Checker], which gives the error a person reads;
//   - `doc`: the description.
//
// [connector.Secret] fields are marked writeOnly with format "password". The result is
// closed (additionalProperties false), as DecodeConfig refuses unknown fields.
func ConfigSchema(cfg any, title string) json.RawMessage {
	t := reflect.TypeOf(cfg)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	root := schemaFor(t)
	root.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	if title != "" {
		root.set("title", title)
	}
	b, err := json.Marshal(root)
	if err != nil {
		return nil
	}
	return b
}

// node is a JSON object that keeps its key order.
type node struct {
	keys []string
	vals map[string]any
}

func (n *node) set(k string, v any) {
	if n.vals == nil {
		n.vals = map[string]any{}
	}
	if _, ok := n.vals[k]; !ok {
		n.keys = append(n.keys, k)
	}
	n.vals[k] = v
}

func (n *node) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range n.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(n.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var secretType = reflect.TypeFor[connector.Secret]()

func schemaFor(t reflect.Type) *node {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n := &node{}
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return n
	}
	switch t.Kind() {
	case reflect.Struct:
		n.set("type", "object")
		props := &node{}
		var required []string
		for _, jf := range jsonFieldList(t) {
			name, f := jf.name, jf.field
			p := schemaFor(f.Type)
			if f.Type == secretType {
				p.set("format", "password")
				p.set("writeOnly", true)
			}
			if doc := f.Tag.Get("doc"); doc != "" {
				p.set("description", doc)
			}
			if def, ok := f.Tag.Lookup("default"); ok {
				p.set("default", defaultValue(f.Type, def))
			}
			if pat := f.Tag.Get("pattern"); pat != "" {
				p.set("pattern", pat)
			}
			if applyValidateTag(p, f.Type, f.Tag.Get("validate")) {
				required = append(required, name)
			}
			props.set(name, p)
		}
		n.set("properties", props)
		if len(required) > 0 {
			n.set("required", required)
		}
		n.set("additionalProperties", false)
	case reflect.Map:
		n.set("type", "object")
		n.set("additionalProperties", schemaFor(t.Elem()))
	case reflect.Slice, reflect.Array:
		n.set("type", "array")
		n.set("items", schemaFor(t.Elem()))
	case reflect.String:
		n.set("type", "string")
	case reflect.Bool:
		n.set("type", "boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n.set("type", "integer")
	case reflect.Float32, reflect.Float64:
		n.set("type", "number")
	}
	return n
}

// applyValidateTag adds what a `validate` tag says to p and reports whether
// the field is required.
func applyValidateTag(p *node, t reflect.Type, tag string) (required bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	target := p
	for _, rule := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "required":
			if target == p {
				required = true
			}
		case "dive":
			if items, ok := p.vals["items"].(*node); ok {
				target = items
			}
		case "oneof":
			target.set("enum", strings.Fields(param))
		case "usagetype":
			names := make([]string, len(connector.UsageTypes()))
			for i, u := range connector.UsageTypes() {
				names[i] = string(u)
			}
			target.set("enum", names)
		case "endpoint", "url", "http_url":
			target.set("format", "uri")
		case "e164":
			target.set("pattern", `^\+[1-9][0-9]{1,14}$`)
		case "min", "max":
			n, err := strconv.Atoi(param)
			if err != nil {
				continue
			}
			kind := t.Kind()
			if target != p {
				kind = t.Elem().Kind()
			}
			prefix := map[bool]string{true: "min", false: "max"}[name == "min"]
			switch kind {
			case reflect.String:
				target.set(prefix+"Length", n)
			case reflect.Slice, reflect.Array:
				target.set(prefix+"Items", n)
			case reflect.Map:
				target.set(prefix+"Properties", n)
			default:
				target.set(prefix+"imum", n)
			}
		}
	}
	return required
}

func defaultValue(t reflect.Type, def string) any {
	switch t.Kind() {
	case reflect.Bool:
		b, _ := strconv.ParseBool(def)
		return b
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, _ := strconv.ParseInt(def, 10, 64)
		return n
	}
	return def
}
