// Package msgtemplate renders the message templates every sender shares (SMS
// now, email later): one template per usage type, chosen by the exact usage
// type, else the Generic template, and placeholders filled from the message
// payload.
//
//	set, err := msgtemplate.NewSet("twilio-short-message-service", []msgtemplate.Entry{
//		{Usage: connector.UsageGeneric, Content: "Your code is {{code}}"},
//	})
//	body, err := set.Render(connector.UsageSignIn, map[string]any{"code": "123456"})
//	// body == "Your code is 123456" (SignIn falls back to Generic)
//
// Placeholders follow Logto's rules: {{code}} or any payload key, dotted
// paths into nested maps ({{application.name}}) and slices
// ({{links.0}}), spaces inside the braces allowed ({{ code }}). A
// placeholder whose first key is not in the payload is left as written; one
// whose first key is present but whose path leads nowhere, or to null,
// renders as an empty string. Templates are compiled once, by [Compile] or
// [NewSet]: rendering does no parsing.
package msgtemplate

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Template is a compiled template. It is immutable and safe for concurrent
// use.
type Template struct {
	src    string
	parts  []part
	litLen int
}

// part is literal text (path == nil) or a placeholder.
type part struct {
	// text is the literal, or the placeholder as written ("{{ code }}"),
	// kept for when its root key is absent from the payload.
	text string
	path []string
}

// Compile parses src once. Every input is a valid template: text that does
// not form a placeholder ("{{", "{{ not a key }}", "{{a..b}}") stays as
// written.
func Compile(src string) *Template {
	t := &Template{src: src}
	lit := 0 // start of the pending literal
	for i := 0; i < len(src); {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			break
		}
		i += j
		end, path, ok := placeholderAt(src, i)
		if !ok {
			i++ // as a regular expression would: retry from the next brace
			continue
		}
		if lit < i {
			t.addLiteral(src[lit:i])
		}
		t.parts = append(t.parts, part{text: src[i:end], path: path})
		i, lit = end, end
	}
	if lit < len(src) {
		t.addLiteral(src[lit:])
	}
	return t
}

func (t *Template) addLiteral(s string) {
	t.parts = append(t.parts, part{text: s})
	t.litLen += len(s)
}

// placeholderAt parses "{{ key.path }}" at src[i:] (which starts with "{{")
// and returns the index after it and the path.
func placeholderAt(src string, i int) (end int, path []string, ok bool) {
	k := skipSpace(src, i+2)
	start := k
	for k < len(src) && isKeyByte(src[k]) {
		k++
	}
	key := src[start:k]
	k = skipSpace(src, k)
	if key == "" || !strings.HasPrefix(src[k:], "}}") {
		return 0, nil, false
	}
	path = strings.Split(key, ".")
	for _, p := range path {
		if p == "" {
			return 0, nil, false
		}
	}
	return k + 2, path, true
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			i++
		default:
			return i
		}
	}
	return i
}

// isKeyByte reports whether c may appear in a placeholder key: ASCII
// letters, digits, underscore, and the dot that separates path elements.
func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

// Source returns the template as written.
func (t *Template) Source() string { return t.src }

// Placeholders returns the dotted paths of the template's placeholders, each
// once, in order of appearance.
func (t *Template) Placeholders() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range t.parts {
		if p.path == nil {
			continue
		}
		k := strings.Join(p.path, ".")
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// Render fills the placeholders from payload. payload may be nil, which
// leaves every placeholder as written.
func (t *Template) Render(payload map[string]any) string {
	var b strings.Builder
	b.Grow(t.litLen + 8*(len(t.parts)+1))
	for _, p := range t.parts {
		if p.path == nil {
			b.WriteString(p.text)
			continue
		}
		root, ok := payload[p.path[0]]
		if !ok {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(Format(walk(root, p.path[1:])))
	}
	return b.String()
}

// walk follows path from v through maps with string keys and through slices
// and arrays (by decimal index). It returns nil when the path leads nowhere.
func walk(v any, path []string) any {
	for _, key := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[key]
		case map[string]string:
			s, ok := c[key]
			if !ok {
				return nil
			}
			v = s
		case []any:
			i, ok := index(key, len(c))
			if !ok {
				return nil
			}
			v = c[i]
		case []string:
			i, ok := index(key, len(c))
			if !ok {
				return nil
			}
			v = c[i]
		case nil:
			return nil
		default:
			v = walkReflect(v, key)
		}
	}
	return v
}

// walkReflect is walk's step through other map, slice and pointer types.
func walkReflect(v any, key string) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil
		}
		e := rv.MapIndex(reflect.ValueOf(key).Convert(rv.Type().Key()))
		if !e.IsValid() || !e.CanInterface() {
			return nil
		}
		return e.Interface()
	case reflect.Slice, reflect.Array:
		i, ok := index(key, rv.Len())
		if !ok || !rv.Index(i).CanInterface() {
			return nil
		}
		return rv.Index(i).Interface()
	}
	return nil
}

func index(key string, n int) (int, bool) {
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= n {
		return 0, false
	}
	return i, true
}

// Format renders a payload value as message text: strings as they are;
// numbers in plain decimal without float noise (1500000, 0.5, never
// 1.5e+06 or 0.50000001); booleans as true/false; nil as ""; times in RFC
// 3339; lists of plain values joined with ", "; other maps and lists as
// JSON; fmt.Stringer and error values by their String and Error methods.
func Format(v any) string {
	if s, ok := scalar(v); ok {
		return s
	}
	switch c := v.(type) {
	case []string:
		return strings.Join(c, ", ")
	case []any:
		parts := make([]string, len(c))
		for i, e := range c {
			s, ok := scalar(e)
			if !ok {
				return jsonText(v)
			}
			parts[i] = s
		}
		return strings.Join(parts, ", ")
	}
	rv := reflect.ValueOf(v)
	if (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8 {
		parts := make([]string, rv.Len())
		for i := range parts {
			if !rv.Index(i).CanInterface() {
				return jsonText(v)
			}
			s, ok := scalar(rv.Index(i).Interface())
			if !ok {
				return jsonText(v)
			}
			parts[i] = s
		}
		return strings.Join(parts, ", ")
	}
	return jsonText(v)
}

// scalar formats strings, numbers, booleans, nil, times, and values with a
// String or Error method.
func scalar(v any) (string, bool) {
	switch c := v.(type) {
	case nil:
		return "", true
	case string:
		return c, true
	case []byte:
		return string(c), true
	case bool:
		return strconv.FormatBool(c), true
	case json.Number:
		return c.String(), true
	case int:
		return strconv.Itoa(c), true
	case int8:
		return strconv.FormatInt(int64(c), 10), true
	case int16:
		return strconv.FormatInt(int64(c), 10), true
	case int32:
		return strconv.FormatInt(int64(c), 10), true
	case int64:
		return strconv.FormatInt(c, 10), true
	case uint:
		return strconv.FormatUint(uint64(c), 10), true
	case uint8:
		return strconv.FormatUint(uint64(c), 10), true
	case uint16:
		return strconv.FormatUint(uint64(c), 10), true
	case uint32:
		return strconv.FormatUint(uint64(c), 10), true
	case uint64:
		return strconv.FormatUint(c, 10), true
	case float64:
		return formatFloat(c, 64), true
	case float32:
		return formatFloat(float64(c), 32), true
	case time.Time:
		return c.Format(time.RFC3339), true
	case fmt.Stringer, error:
		return fmt.Sprint(c), true // fmt recovers from a panicking String method
	}
	// Named types over the basic kinds (type Plan string).
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), true
	case reflect.Float32:
		return formatFloat(rv.Float(), 32), true
	case reflect.Float64:
		return formatFloat(rv.Float(), 64), true
	}
	return "", false
}

// formatFloat writes f in the shortest decimal form that reads back as the
// same value of its size, in plain notation between 1e-6 and 1e21 (as
// JavaScript prints numbers), in exponent notation outside.
func formatFloat(f float64, bits int) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) && !math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// jsonText is the JSON form of v, or "" when v has none (a channel, a
// cycle).
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a message is not HTML: keep <, > and & as they are
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
