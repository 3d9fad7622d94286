package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// The redaction check: every secret the suite knows (config secrets, the
// mock's credentials, codes and tokens, PKCE verifiers), in every encoding
// it may leak in, is looked for at the end of each subtest in everything the
// connector produced.

// minSecretLen is the shortest value looked for in leak scans (shorter
// values match by chance).
const minSecretLen = 8

// secret is a value that must never show in an error, a log line or fmt
// output; label says what it is (never the value).
type secret struct{ label, value string }

// text is something the connector produced, scanned for secrets.
type text struct{ where, s string }

func (e *env) addSecret(label, v string) {
	if len(v) < minSecretLen {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.secrets {
		if s.value == v {
			return
		}
	}
	e.secrets = append(e.secrets, secret{label, v})
}

func (e *env) addIdent(v string) {
	if len(v) < 3 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Contains(e.idents, v) {
		e.idents = append(e.idents, v)
	}
}

func (e *env) addText(where, s string) {
	if s == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.texts = append(e.texts, text{where, s})
}

// noteErr records every rendering of err for the leak scan.
func (e *env) noteErr(where string, err error) {
	if err == nil || err == errPanicked {
		return
	}
	e.addText(where+" error (Error())", err.Error())
	e.addText(where+" error (%v %+v %#v)", fmt.Sprintf("%v\n%+v\n%#v", err, err, err))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Error("connector failed", "err", err)
	e.addText(where+" error (slog)", buf.String())
}

// printVerbs are the fmt verbs a value is printed with: a value that
// implements only String is printed field by field, unexported fields
// included and their own redaction skipped, by every verb String does not
// serve (%d, %x on a struct...).
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%e", "%o", "%b", "%U", "%c"}

// notePrint records the fmt renderings of a connector value, with every
// verb, of the value and, when it is a pointer to a struct, of the struct
// it points to; and its slog renderings, as text and as JSON.
func (e *env) notePrint(where string, v any) {
	values := []any{v}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		values = append(values, rv.Elem().Interface())
	}
	for i, x := range values {
		var b strings.Builder
		for _, verb := range printVerbs {
			fmt.Fprintf(&b, verb+"\n", x)
		}
		label := where + " (every fmt verb)"
		if i == 1 {
			label = where + " (every fmt verb, dereferenced)"
		}
		e.addText(label, b.String())
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("value", "v", v)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("value", "v", v)
	e.addText(where+" (slog text and JSON)", buf.String())
}

// configSecrets adds the secrets found in a JSON config: string values
// under keys ending in secret, password, token or key (at any depth), and
// remembers the other strings as identifiers (for Basic credentials).
func (e *env) configSecrets(raw json.RawMessage) {
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			k := strings.ToLower(key)
			if strings.HasSuffix(k, "secret") || strings.HasSuffix(k, "password") ||
				strings.HasSuffix(k, "token") || strings.HasSuffix(k, "key") {
				e.addSecret("config field "+key, v)
			} else if !strings.Contains(v, "://") && len(v) < 100 {
				e.addIdent(v)
			}
		}
	}
	walk("", doc)
}

// variants returns the forms a secret may leak in.
func (e *env) variants(s secret, idents []string) []secret {
	v := s.value
	out := []secret{s}
	add := func(label, x string) {
		if len(x) >= minSecretLen && x != v {
			out = append(out, secret{s.label + " (" + label + ")", x})
		}
	}
	add("form-encoded", url.QueryEscape(v))
	add("path-encoded", url.PathEscape(v))
	add("base64", base64.StdEncoding.EncodeToString([]byte(v)))
	add("base64url", base64.RawURLEncoding.EncodeToString([]byte(v)))
	if strings.Contains(v, "\n") {
		for _, line := range strings.Split(v, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				add("a line of it", line)
			}
		}
	}
	for _, id := range idents {
		add("in Basic credentials", base64.StdEncoding.EncodeToString([]byte(id+":"+v)))
		add("in Basic credentials", base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(v))))
	}
	return out
}

// allSecrets returns every secret known now, with its variants, longest
// first (so that masking replaces the longest match).
func (e *env) allSecrets() []secret {
	for _, s := range e.p.Secrets() {
		e.addSecret("mock provider secret or issued code/token", s)
	}
	e.mu.Lock()
	base := slices.Clone(e.secrets)
	idents := slices.Clone(e.idents)
	e.mu.Unlock()
	var out []secret
	for _, s := range base {
		out = append(out, e.variants(s, idents)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].value) > len(out[j].value) })
	return out
}

// mask replaces every known secret in s, so the suite's own messages never
// print one.
func (e *env) mask(s string) string { return maskWith(s, e.allSecrets()) }

// scanLeaks reports every secret found in what the connector produced: its
// errors, log lines, authorization URLs, raw profiles and fmt output.
func (e *env) scanLeaks() {
	e.addText("log output", e.logs.String())
	secrets := e.allSecrets()
	e.mu.Lock()
	texts := slices.Clone(e.texts)
	e.mu.Unlock()
	reported := map[string]bool{}
	for _, tx := range texts {
		var masked string
		for _, s := range secrets {
			if !strings.Contains(tx.s, s.value) {
				continue
			}
			key := tx.where + "\x00" + s.label
			if reported[key] {
				continue
			}
			reported[key] = true
			if masked == "" {
				masked = maskWith(tx.s, secrets)
			}
			marker := "[secret: " + s.label + "]"
			i := max(0, strings.Index(masked, marker))
			lo, hi := max(0, i-80), min(len(masked), i+len(marker)+80)
			e.t.Errorf("redaction: %s holds a secret, the %s: ...%s...", tx.where, s.label, masked[lo:hi])
		}
	}
}

// maskWith replaces every secret in s (secrets longest first).
func maskWith(s string, secrets []secret) string {
	for _, x := range secrets {
		s = strings.ReplaceAll(s, x.value, "[secret: "+x.label+"]")
	}
	return s
}
