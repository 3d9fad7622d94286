package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The README's sample configs (testdata/samples) must pass both "validate"
// and the JSON Schema that "schema" prints. The schema check below is a
// small JSON Schema evaluator for the keywords kit.ConfigSchema
// emits; a keyword it does not know fails the test, so a constraint can
// never be skipped silently.

func TestSamples(t *testing.T) {
	t.Parallel()
	for _, factory := range []string{"apple-universal", "kakao-universal", "huggingface-universal", "oauth2", "oidc", "twilio-short-message-service"} {
		t.Run(factory, func(t *testing.T) {
			t.Parallel()
			file := "testdata/samples/" + factory + ".json"
			if stdout, stderr, code := runCmd(t, "validate", factory, file); code != exitOK {
				t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
			}
			schema := schemaOf(t, factory)
			if errs := checkSchema(schema, readSample(t, file), ""); len(errs) > 0 {
				t.Fatalf("the sample does not match the schema:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
	t.Run("connectors.json", func(t *testing.T) {
		t.Parallel()
		var entries []struct {
			FactoryID string          `json:"factoryId"`
			Config    json.RawMessage `json:"config"`
		}
		b, err := os.ReadFile("testdata/samples/connectors.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			if errs := checkSchema(schemaOf(t, e.FactoryID), decodeJSON(t, e.Config), "["+strconv.Itoa(i)+"].config"); len(errs) > 0 {
				t.Errorf("%s", strings.Join(errs, "\n"))
			}
		}
	})
	// The evaluator is not a no-op: the config with three mistakes fails
	// the schema too (the https rule is beyond JSON Schema).
	t.Run("invalid config fails the schema", func(t *testing.T) {
		t.Parallel()
		errs := checkSchema(schemaOf(t, "oauth2"), readSample(t, "testdata/oauth2-three-mistakes.json"), "")
		joined := strings.Join(errs, "\n")
		if !strings.Contains(joined, "authorizationEndpoint: is required") || !strings.Contains(joined, "tokenEndpointAuthMethod: not one of") {
			t.Fatalf("schema errors:\n%s", joined)
		}
	})
}

func schemaOf(t *testing.T, factory string) map[string]any {
	t.Helper()
	stdout, stderr, code := runCmd(t, "schema", factory)
	if code != exitOK {
		t.Fatalf("schema %s: exit %d\n%s", factory, code, stderr)
	}
	s, ok := decodeJSON(t, []byte(stdout)).(map[string]any)
	if !ok {
		t.Fatalf("schema %s is not an object", factory)
	}
	return s
}

func readSample(t *testing.T, file string) any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, b)
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// annotations are keywords that do not constrain a value.
var annotations = []string{"$schema", "title", "description", "default", "writeOnly", "readOnly", "examples", "deprecated"}

// checkSchema returns every way v fails schema s, each prefixed with its
// path.
func checkSchema(s map[string]any, v any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) {
		p := path
		if p == "" {
			p = "(root)"
		}
		errs = append(errs, p+": "+fmt.Sprintf(format, args...))
	}
	at := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kw := s[k]
		switch k {
		case "type":
			if !hasType(v, kw.(string)) {
				fail("is not of type %s", kw)
				return errs
			}
		case "properties":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			for name, sub := range kw.(map[string]any) {
				if pv, present := obj[name]; present {
					errs = append(errs, checkSchema(sub.(map[string]any), pv, at(name))...)
				}
			}
		case "required":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range kw.([]any) {
				if _, present := obj[name.(string)]; !present {
					errs = append(errs, at(name.(string))+": is required")
				}
			}
		case "additionalProperties":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for name, pv := range obj {
				if _, known := props[name]; known {
					continue
				}
				switch a := kw.(type) {
				case bool:
					if !a {
						errs = append(errs, at(name)+": is not allowed")
					}
				case map[string]any:
					errs = append(errs, checkSchema(a, pv, path+"["+strconv.Quote(name)+"]")...)
				}
			}
		case "items":
			arr, ok := v.([]any)
			if !ok {
				continue
			}
			for i, item := range arr {
				errs = append(errs, checkSchema(kw.(map[string]any), item, path+"["+strconv.Itoa(i)+"]")...)
			}
		case "enum":
			if !slices.ContainsFunc(kw.([]any), func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
				fail("not one of %v", kw)
			}
		case "minLength", "maxLength":
			str, ok := v.(string)
			if !ok {
				continue
			}
			n, _ := strconv.Atoi(fmt.Sprint(kw))
			if l := utf8.RuneCountInString(str); (k == "minLength" && l < n) || (k == "maxLength" && l > n) {
				fail("length %d breaks %s %d", l, k, n)
			}
		case "minItems", "maxItems":
			arr, ok := v.([]any)
			if !ok {
				continue
			}
			n, _ := strconv.Atoi(fmt.Sprint(kw))
			if (k == "minItems" && len(arr) < n) || (k == "maxItems" && len(arr) > n) {
				fail("%d items breaks %s %d", len(arr), k, n)
			}
		case "minimum", "maximum":
			num, ok := v.(json.Number)
			if !ok {
				continue
			}
			x, _ := num.Float64()
			n, _ := strconv.ParseFloat(fmt.Sprint(kw), 64)
			if (k == "minimum" && x < n) || (k == "maximum" && x > n) {
				fail("%v breaks %s %v", x, k, n)
			}
		case "pattern":
			str, ok := v.(string)
			if ok && !regexp.MustCompile(kw.(string)).MatchString(str) {
				fail("does not match %s", kw)
			}
		case "format":
			str, ok := v.(string)
			if !ok {
				continue
			}
			switch kw {
			case "uri":
				if u, err := url.Parse(str); err != nil || !u.IsAbs() {
					fail("is not an absolute URI")
				}
			case "password":
			default:
				fail("unknown format %v in the schema", kw)
			}
		default:
			if !slices.Contains(annotations, k) {
				fail("the schema uses the keyword %q, which this check does not evaluate", k)
			}
		}
	}
	return errs
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(n.String(), 10, 64)
		return err == nil
	case "null":
		return v == nil
	}
	return false
}
