package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/validation"
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
	CheckConfig() connector.FieldErrors
}

// configValidator checks configs by their tags, with the "usagetype" tag
// for message templates.
var configValidator = validation.New(validation.Rule{
	Tag:     "usagetype",
	Valid:   func(s string) bool { return connector.UsageType(s).Valid() },
	Message: "must be one of " + usageTypeList(),
})

func usageTypeList() string {
	us := connector.UsageTypes()
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = string(u)
	}
	return strings.Join(names, ", ")
}

// MaxConfigBytes bounds a JSON config: no connector's config comes near
// it, and decoding a larger one would let a pasted document take memory
// out of proportion (a 50 MiB field takes hundreds of MiB to decode).
const MaxConfigBytes = 1 << 20

// DecodeConfig decodes a JSON config into dst, a pointer to a config struct
// whose fields carry `json` tags (the wire names), `validate` tags
// (go-playground/validator), and optionally `default` tags (applied to zero
// fields) and `doc` tags (descriptions for [ConfigSchema]).
//
// Every problem is reported at once in one [*connector.Error] with code
// invalid_config and [Error.Fields] naming each JSON path: unknown fields,
// values of the wrong JSON type, failed validations, and the failures of
// [Checker].
func DecodeConfig(raw []byte, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &connector.Error{Code: connector.CodeGeneral, Step: connector.StepConfig, Message: fmt.Sprintf("DecodeConfig needs a pointer to a struct, got %T", dst)}
	}
	fail := configError
	if len(raw) > MaxConfigBytes {
		return fail(connector.FieldErrors{{Path: "(config)", Message: fmt.Sprintf("is %d bytes, more than the %d a config may have", len(raw), MaxConfigBytes)}})
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return fail(connector.FieldErrors{{Path: "(config)", Message: "is empty: expected a JSON object"}})
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fail(connector.FieldErrors{{Path: "(config)", Message: "is not valid JSON: " + jsonSyntaxMessage(err)}})
	}
	if dec.More() {
		return fail(connector.FieldErrors{{Path: "(config)", Message: "has data after the JSON object"}})
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fail(connector.FieldErrors{{Path: "(config)", Message: "must be a JSON object, got " + jsonKind(doc)}})
	}

	var fe connector.FieldErrors
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
		fe = append(fe, connector.FieldError{Path: "(config)", Message: err.Error()})
	}
	applyDefaultTags(rv.Elem(), obj)
	return check(dst, fe, bad)
}

// ValidateConfig checks a config struct built in Go, by the rules
// [DecodeConfig] applies to one decoded from JSON: `default` tags fill the
// zero fields (a zero field counts as absent), then [Defaulter], the
// `validate` tags and [Checker]. Every failure is reported at once, with
// the fields' JSON paths, in one invalid_config [*connector.Error]. cfg is a pointer
// to the struct, which it may change (defaults). Typed constructors call
// it, so a Go host never marshals JSON to build a connector.
func ValidateConfig(cfg any) error {
	rv := reflect.ValueOf(cfg)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &connector.Error{Code: connector.CodeGeneral, Step: connector.StepConfig, Message: fmt.Sprintf("ValidateConfig needs a pointer to a struct, got %T", cfg)}
	}
	applyZeroDefaults(rv.Elem())
	return check(cfg, nil, nil)
}

// check runs the defaulter, the validator and the checker on dst, adding
// their failures to fe except at the paths in bad (already reported).
func check(dst any, fe connector.FieldErrors, bad map[string]bool) error {
	if d, ok := dst.(Defaulter); ok {
		d.SetDefaults()
	}
	for _, p := range configValidator.Struct(dst) {
		if !bad[p.Path] {
			fe = append(fe, connector.FieldError{Path: p.Path, Message: p.Message})
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

// configError reports fe, sorted by path so that the same config always
// gives the same error.
func configError(fe connector.FieldErrors) error {
	slices.SortStableFunc(fe, func(a, b connector.FieldError) int { return strings.Compare(a.Path, b.Path) })
	msg := "1 problem"
	if len(fe) != 1 {
		msg = strconv.Itoa(len(fe)) + " problems"
	}
	return &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig, Message: "the config has " + msg, Fields: fe}
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
