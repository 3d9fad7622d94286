package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Defaulter is implemented by config structs that set defaults in code after
// decoding, beyond what `default` struct tags express.
type Defaulter interface {
	SetDefaults()
}

// Checker is implemented by config structs with rules that struct tags
// cannot express (fields that go together, cross-field constraints). It runs
// after tag validation; its failures are reported with the others.
type Checker interface {
	CheckConfig() FieldErrors
}

// DecodeConfig decodes a JSON config into dst, a pointer to a config struct
// whose fields carry `json` tags (the wire names), `validate` tags
// (go-playground/validator), and optionally `default` tags (applied to zero
// fields) and `doc` tags (descriptions for [ConfigSchema]).
//
// Every problem is reported at once in one [*Error] with code
// invalid_config and [Error.Fields] naming each JSON path: unknown fields,
// values of the wrong JSON type, failed validations, and the failures of
// [Checker].
func DecodeConfig(raw []byte, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &Error{Code: CodeGeneral, Step: StepConfig, Message: fmt.Sprintf("DecodeConfig needs a pointer to a struct, got %T", dst)}
	}
	fail := configError
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return fail(FieldErrors{{Path: "(config)", Message: "is empty: expected a JSON object"}})
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fail(FieldErrors{{Path: "(config)", Message: "is not valid JSON: " + jsonSyntaxMessage(err)}})
	}
	if dec.More() {
		return fail(FieldErrors{{Path: "(config)", Message: "has data after the JSON object"}})
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fail(FieldErrors{{Path: "(config)", Message: "must be a JSON object, got " + jsonKind(doc)}})
	}

	var fe FieldErrors
	var suppress []string
	shape(obj, rv.Elem().Type(), "", &fe, &suppress)
	bad := map[string]bool{}
	for _, f := range fe {
		bad[f.Path] = true
	}
	for _, p := range suppress {
		bad[p] = true
	}
	// Decode what can be decoded even when shape found problems, so that
	// validation still reports the other fields; a field shape already
	// reported is not reported again (as "required", say).
	clean, _ := json.Marshal(obj)
	if err := json.Unmarshal(clean, dst); err != nil && len(fe) == 0 {
		fe = append(fe, FieldError{Path: "(config)", Message: err.Error()})
	}
	applyDefaultTags(rv.Elem(), obj)
	return check(dst, fe, bad)
}

// ValidateConfig checks a config struct built in Go, by the rules
// [DecodeConfig] applies to one decoded from JSON: `default` tags fill the
// zero fields (a zero field counts as absent), then [Defaulter], the
// `validate` tags and [Checker]. Every failure is reported at once, with
// the fields' JSON paths, in one invalid_config [*Error]. cfg is a pointer
// to the struct, which it may change (defaults). Typed constructors call
// it, so a Go host never marshals JSON to build a connector.
func ValidateConfig(cfg any) error {
	rv := reflect.ValueOf(cfg)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &Error{Code: CodeGeneral, Step: StepConfig, Message: fmt.Sprintf("ValidateConfig needs a pointer to a struct, got %T", cfg)}
	}
	applyZeroDefaults(rv.Elem())
	return check(cfg, nil, nil)
}

// check runs the defaulter, the validator and the checker on dst, adding
// their failures to fe except at the paths in bad (already reported).
func check(dst any, fe FieldErrors, bad map[string]bool) error {
	if d, ok := dst.(Defaulter); ok {
		d.SetDefaults()
	}
	if err := validate.Struct(dst); err != nil {
		var ve validator.ValidationErrors
		if !errors.As(err, &ve) {
			return configError(FieldErrors{{Path: "(config)", Message: err.Error()}})
		}
		for _, e := range ve {
			p := validatorPath(e.Namespace())
			if !bad[p] {
				fe = append(fe, FieldError{Path: p, Message: tagMessage(e)})
			}
		}
	}
	if c, ok := dst.(Checker); ok {
		for _, f := range c.CheckConfig() {
			if !bad[f.Path] {
				fe = append(fe, f)
			}
		}
	}
	if len(fe) > 0 {
		return configError(fe)
	}
	return nil
}

func configError(fe FieldErrors) error {
	msg := "1 problem"
	if len(fe) != 1 {
		msg = strconv.Itoa(len(fe)) + " problems"
	}
	return &Error{Code: CodeInvalidConfig, Step: StepConfig, Message: "the config has " + msg, Fields: fe}
}

// applyZeroDefaults sets the zero fields that carry a `default` tag,
// recursing into nested structs and slices of structs.
func applyZeroDefaults(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		switch fv.Kind() {
		case reflect.Struct:
			applyZeroDefaults(fv)
			continue
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Struct {
				for j := 0; j < fv.Len(); j++ {
					applyZeroDefaults(fv.Index(j))
				}
			}
			continue
		}
		if def, ok := f.Tag.Lookup("default"); ok && fv.IsZero() {
			setDefault(fv, def)
		}
	}
}

func setDefault(fv reflect.Value, def string) {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(def)
	case reflect.Bool:
		b, _ := strconv.ParseBool(def)
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, _ := strconv.ParseInt(def, 10, 64)
		fv.SetInt(n)
	}
}

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
func shape(v any, t reflect.Type, path string, fe *FieldErrors, suppress *[]string) {
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
				if name := suggest(k, fields); name != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", name)
					// The typo is the problem: don't also report the field
					// it was meant for as missing.
					*suppress = append(*suppress, joinPath(path, name))
				}
				*fe = append(*fe, FieldError{Path: joinPath(path, k), Message: msg})
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
		*fe = append(*fe, FieldError{Path: path, Message: "must be " + want + ", got " + jsonKind(v)})
	}
}

// suggest names a known field that differs from k only in case.
func suggest(k string, fields map[string]reflect.StructField) string {
	for name := range fields {
		if strings.EqualFold(name, k) {
			return name
		}
	}
	return ""
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// applyDefaultTags sets the fields that carry a `default` tag and whose key
// is absent from the JSON object (or null), recursing into nested structs and
// slices of structs. As in Logto's configs, an explicit value, even "", is
// kept: "profileMap":{"phone":""} means "map no phone".
func applyDefaultTags(v reflect.Value, obj map[string]any) {
	t := v.Type()
	names := map[string]string{} // Go field name → JSON key
	for k, f := range jsonFields(t) {
		names[f.Name] = k
	}
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if f.Anonymous && fv.Kind() == reflect.Struct {
			applyDefaultTags(fv, obj) // promoted fields share the object
			continue
		}
		if !f.IsExported() {
			continue
		}
		key, ok := names[f.Name]
		if !ok {
			continue
		}
		val := obj[key]
		switch fv.Kind() {
		case reflect.Struct:
			sub, _ := val.(map[string]any)
			applyDefaultTags(fv, sub)
			continue
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Struct {
				arr, _ := val.([]any)
				for j := 0; j < fv.Len(); j++ {
					var sub map[string]any
					if j < len(arr) {
						sub, _ = arr[j].(map[string]any)
					}
					applyDefaultTags(fv.Index(j), sub)
				}
			}
			continue
		}
		if def, ok := f.Tag.Lookup("default"); ok && val == nil {
			setDefault(fv, def)
		}
	}
}

// validate is the shared, concurrency-safe validator: built once, it caches
// each struct's parsed tags.
var validate = newValidator()

func newValidator() *validator.Validate {
	// Blank names are kept blank, so an embedded struct adds no segment to
	// the path, as its fields are promoted in JSON.
	v := validator.New(validator.WithRequiredStructEnabled(), validator.WithTagNameFuncBlankOmit())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (name == "" && f.Anonymous) {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // only reachable through a programming error in this file
		}
	}
	must(v.RegisterValidation("endpoint", func(fl validator.FieldLevel) bool {
		return CheckEndpoint(fl.Field().String()) == nil
	}))
	must(v.RegisterValidation("usagetype", func(fl validator.FieldLevel) bool {
		return UsageType(fl.Field().String()).Valid()
	}))
	return v
}

// validatorPath turns validator's "Config.templates[2].usageType" into the
// JSON path "templates[2].usageType".
func validatorPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func tagMessage(e validator.FieldError) string {
	p := e.Param()
	switch e.Tag() {
	case "required":
		return "is required"
	case "required_if", "required_unless", "required_with", "required_without", "required_with_all", "required_without_all":
		return "is required (" + strings.ReplaceAll(e.Tag(), "_", " ") + " " + p + ")"
	case "excluded_with", "excluded_with_all":
		return "must not be set together with " + p
	case "excluded_without":
		return "must be empty when " + p + " is not set"
	case "oneof":
		return "must be one of " + strings.Join(strings.Fields(p), ", ")
	case "usagetype":
		names := make([]string, len(usageTypes))
		for i, u := range usageTypes {
			names[i] = string(u)
		}
		return "must be one of " + strings.Join(names, ", ")
	case "endpoint":
		if err := CheckEndpoint(fmt.Sprint(e.Value())); err != nil {
			return err.Error()
		}
		return "must be an absolute https URL"
	case "url", "http_url":
		return "must be an absolute URL"
	case "e164":
		return "must be an E.164 phone number such as +14155550100"
	case "min", "gte":
		if e.Kind() == reflect.Slice || e.Kind() == reflect.Map {
			if p == "1" {
				return "must have at least 1 item"
			}
			return "must have at least " + p + " items"
		}
		if e.Kind() == reflect.String {
			return "must be at least " + p + " characters long"
		}
		return "must be at least " + p
	case "max", "lte":
		if e.Kind() == reflect.Slice || e.Kind() == reflect.Map {
			return "must have at most " + p + " items"
		}
		if e.Kind() == reflect.String {
			return "must be at most " + p + " characters long"
		}
		return "must be at most " + p
	case "startswith":
		return "must start with " + strconv.Quote(p)
	case "alphanum":
		return "must contain only letters and digits"
	case "unique":
		return "must not repeat an entry"
	}
	if p != "" {
		return "fails the " + e.Tag() + "=" + p + " check"
	}
	return "fails the " + e.Tag() + " check"
}

// CheckEndpoint reports why s is not a usable provider endpoint: it must be
// an absolute http(s) URL with a host and no fragment; plain http is
// accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1), which
// tests and local mocks use.
func CheckEndpoint(s string) error {
	if s == "" {
		return errors.New("must be an absolute https URL, got an empty value")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("must be an absolute https URL: cannot be parsed")
	}
	if !u.IsAbs() || u.Hostname() == "" {
		return errors.New("must be an absolute https URL with a host")
	}
	if u.Fragment != "" {
		return errors.New("must not have a #fragment")
	}
	if u.User != nil {
		return errors.New("must not carry user credentials")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return errors.New("must use https (plain http is allowed only for loopback hosts)")
	}
	return fmt.Errorf("must use https, not %q", u.Scheme)
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
