package profilemap

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// TestPathsArePathsOnly: a config path can only point into the provider's
// document. gjson's literals, modifiers, pipes, wildcards and multipaths
// would let a config invent values ("emailVerified": "!true" marked every
// email verified), so each is an invalid_config naming the field.
func TestPathsArePathsOnly(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		"!true", "!false", `!"x"`, "!{\"a\":1}", "a|@reverse", "a.b|c", "@this|!true",
		"email*", "e?ail", "{email,name}", "[email,name]", "a.#", "a.#.b", "a,b", "a.#(b==1)#",
		"a.#(b==1)x", "a.#(@this==1)", "a.#(b==1|@reverse)", "a.#(b==!true)", "a.#(b==x)", "a.#(==1)",
		"a.#(b.#(c==1)==1)", "a=b", "a.(b)", `a.#(b=="x)`,
	} {
		_, err := Compile(Map{EmailVerified: p})
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) != 1 || ce.Fields[0].Path != "profileMap.emailVerified" {
			t.Errorf("Compile(emailVerified: %q) = %v, want invalid_config at profileMap.emailVerified", p, err)
		}
	}
}

// TestEscapedSyntaxIsAKey: an escaped special character, and a key that
// starts with @, are read as keys, never as gjson syntax.
func TestEscapedSyntaxIsAKey(t *testing.T) {
	t.Parallel()
	m, err := Compile(Map{ID: `@odata\.id`, EmailVerified: `\!true`, Name: `a\|b`, Email: `@reverse`})
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Apply([]byte(`{"@odata.id":"u1","!true":false,"a|b":"Ada","@reverse":"x@example.com","email_verified":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "u1" || info.EmailVerified || info.Name != "Ada" || info.Email != "x@example.com" {
		t.Errorf("got %+v", info)
	}
	// A document without those keys maps nothing: no literal is produced.
	info, err = m.Apply([]byte(`{"@odata.id":"u1","email":"x@example.com"}`))
	if err != nil || info.EmailVerified || info.Email != "" {
		t.Errorf("got %+v, %v", info, err)
	}
}

// TestCanonicalNumericIDs: one number is one user, however it is written.
func TestCanonicalNumericIDs(t *testing.T) {
	t.Parallel()
	m, _ := Compile(Map{})
	for doc, want := range map[string]string{`{"id":-0}`: "0", `{"id":0}`: "0", `{"id":-12}`: "-12"} {
		info, err := m.Apply([]byte(doc))
		if err != nil || info.ID != want {
			t.Errorf("%s: got %v, %v; want %s", doc, info, err, want)
		}
	}
	for _, doc := range []string{`{"id":1e3}`, `{"id":1.0}`, `{"id":-0.0}`} {
		if _, err := m.Apply([]byte(doc)); err == nil || !strings.Contains(err.Error(), "integer") {
			t.Errorf("%s: got %v, want refused", doc, err)
		}
	}
}

// TestDuplicateNamesRefused: a profile that names a member twice maps to
// no user at all (parsers disagree on which one wins).
func TestDuplicateNamesRefused(t *testing.T) {
	t.Parallel()
	m, _ := Compile(Map{})
	for _, doc := range []string{`{"id":"u1","id":"admin"}`, `{"id":"u1","email":"a@x","email":"b@x"}`, `{"id":"u1","x":{"y":1,"y":2}}`} {
		_, err := m.Apply([]byte(doc))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse || !strings.Contains(ce.Message, "more than once") {
			t.Errorf("%s: got %v, want invalid_response naming the duplicate", doc, err)
		}
	}
}
