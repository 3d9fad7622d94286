// Package validation words go-playground/validator's failures for people:
// JSON paths, messages that name fields by their JSON names, and the
// endpoint policy every provider URL follows. The root package (metadata)
// and kit (configs) share it.
package validation

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Rule is a validation tag a package adds to the built-in ones: Valid
// reports whether a string field passes, Message is what a failure says.
type Rule struct {
	Tag     string
	Valid   func(string) bool
	Message string
}

// Validator runs go-playground/validator with JSON field names, the
// "endpoint" tag and its own rules, and words every failure for a person.
// It is safe for concurrent use and caches each struct's parsed tags.
type Validator struct {
	v     *validator.Validate
	rules map[string]Rule
}

// Problem is one failed field: its JSON path and what is wrong.
type Problem struct {
	Path    string
	Message string
}

// New builds a Validator with the given extra rules.
func New(rules ...Rule) *Validator {
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
			panic(err) // only reachable through a programming error
		}
	}
	must(v.RegisterValidation("endpoint", func(fl validator.FieldLevel) bool {
		return CheckEndpoint(fl.Field().String()) == nil
	}))
	byTag := make(map[string]Rule, len(rules))
	for _, r := range rules {
		valid := r.Valid
		must(v.RegisterValidation(r.Tag, func(fl validator.FieldLevel) bool { return valid(fl.Field().String()) }))
		byTag[r.Tag] = r
	}
	return &Validator{v: v, rules: byTag}
}

// Struct runs the validator on v, a pointer to a struct, and returns its
// failures with JSON paths and messages, in the validator's order.
func (val *Validator) Struct(v any) []Problem {
	err := val.v.Struct(v)
	if err == nil {
		return nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return []Problem{{Path: "(config)", Message: err.Error()}}
	}
	names := goToJSONNames(reflect.TypeOf(v))
	out := make([]Problem, 0, len(ve))
	for _, e := range ve {
		msg := tagMessage(e, names)
		if r, ok := val.rules[e.Tag()]; ok {
			msg = r.Message
		}
		out = append(out, Problem{Path: validatorPath(e.Namespace()), Message: msg})
	}
	return out
}

// validatorPath turns validator's "Config.templates[2].usageType" into the
// JSON path "templates[2].usageType".
func validatorPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// tagMessage is the message of a failed validation. Cross-field tags name
// other fields by their Go names in the tag; names turns those into the
// fields' JSON names, so that every message speaks the config's language.
func tagMessage(e validator.FieldError, names map[string]string) string {
	p := e.Param()
	switch e.Tag() {
	case "required":
		return "is required"
	case "required_with":
		return "is required when " + fieldList(p, names, " or ") + " is set"
	case "required_with_all":
		return "is required when " + fieldList(p, names, " and ") + plural(p, " is set", " are set")
	case "required_without":
		return "is required when " + fieldList(p, names, " or ") + " is not set"
	case "required_without_all":
		return "is required when " + neither(p, names)
	case "required_if", "required_unless", "excluded_if", "excluded_unless":
		f := strings.Fields(p)
		cond := p
		if len(f) >= 2 {
			cond = jsonName(f[0], names) + " is " + strings.Join(f[1:], " ")
		}
		switch e.Tag() {
		case "required_if":
			return "is required when " + cond
		case "required_unless":
			return "is required unless " + cond
		case "excluded_if":
			return "must be empty when " + cond
		}
		return "must be empty unless " + cond
	case "excluded_with":
		return "must not be set together with " + fieldList(p, names, " or ")
	case "excluded_with_all":
		return "must not be set together with " + plural(p, "", "both ") + fieldList(p, names, " and ")
	case "excluded_without":
		return "must be empty when " + fieldList(p, names, " or ") + " is not set"
	case "excluded_without_all":
		return "must be empty when " + neither(p, names)
	case "oneof":
		return "must be one of " + strings.Join(strings.Fields(p), ", ")
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

// fieldList turns a tag's space-separated Go field names into JSON names.
func fieldList(p string, names map[string]string, sep string) string {
	f := strings.Fields(p)
	for i, n := range f {
		f[i] = jsonName(n, names)
	}
	return strings.Join(f, sep)
}

func jsonName(goName string, names map[string]string) string {
	if n, ok := names[goName]; ok {
		return n
	}
	return goName
}

// goToJSONNames maps the Go field names of t's structs (t and the structs it
// holds) to their JSON names, for the messages of cross-field tags.
func goToJSONNames(t reflect.Type) map[string]string {
	names := map[string]string{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || depth > 8 {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				if _, dup := names[f.Name]; !dup {
					names[f.Name] = name
				}
			}
			walk(f.Type, depth+1)
		}
	}
	walk(t, 0)
	return names
}

// plural picks one or many by the number of fields in a tag's parameter.
func plural(p, one, many string) string {
	if len(strings.Fields(p)) > 1 {
		return many
	}
	return one
}

// neither says that none of the tag's fields is set: "X is not set",
// "neither X nor Y is set", "none of X, Y, Z is set".
func neither(p string, names map[string]string) string {
	f := strings.Fields(p)
	for i, n := range f {
		f[i] = jsonName(n, names)
	}
	switch len(f) {
	case 1:
		return f[0] + " is not set"
	case 2:
		return "neither " + f[0] + " nor " + f[1] + " is set"
	}
	return "none of " + strings.Join(f, ", ") + " is set"
}
