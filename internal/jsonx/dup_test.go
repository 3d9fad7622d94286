package jsonx

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckRefusesDuplicateNames(t *testing.T) {
	for _, doc := range []string{
		`{"sub":"u1","sub":"admin"}`,
		`{"id":1,"x":{},"id":2}`,
		`{"a":{"b":1,"b":2}}`,
		`[{"k":1},{"k":1,"k":2}]`,
		`{"sub":"u1","\u0073ub":"admin"}`, // the same name once unescaped
	} {
		err := Check([]byte(doc))
		var p *Problem
		if !errors.As(err, &p) || !p.Duplicate {
			t.Errorf("Check(%s) = %v, want a duplicate-name problem", doc, err)
			continue
		}
		if strings.Contains(err.Error(), "admin") {
			t.Errorf("Check(%s): the message quotes a value: %v", doc, err)
		}
		if Valid([]byte(doc)) || ValidObject([]byte(doc)) {
			t.Errorf("Valid(%s) = true", doc)
		}
	}
}

func TestCheckAcceptsDistinctNames(t *testing.T) {
	for _, doc := range []string{
		`{"sub":"u1","SUB":"admin"}`, // names differ in case: two members
		`{"a":{"k":1},"b":{"k":1}}`,  // the same name in different objects
		`[{"k":1},{"k":2}]`,
		`"text"`, `12`, `null`,
	} {
		if err := Check([]byte(doc)); err != nil {
			t.Errorf("Check(%s) = %v", doc, err)
		}
	}
}

func TestCheckProblems(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"a":1`, "truncated"},
		{`{"a":1} {}`, "has data after the JSON value"},
		{"{\"a\":\"\xff\"}", "is not valid UTF-8"},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "is nested more than"},
		{`{"a":tru}`, "is not valid JSON"},
		{``, "truncated"},
	} {
		err := Check([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%.40q) = %v, want %q", tc.doc, err, tc.want)
		}
	}
	if err := CheckObject([]byte(` [1]`)); err == nil || err.Error() != "is not a JSON object" {
		t.Errorf("CheckObject([1]) = %v", err)
	}
	if err := CheckObject(nil); err == nil || err.Error() != "is empty" {
		t.Errorf("CheckObject(nil) = %v", err)
	}
}

func TestUnmarshalExactNames(t *testing.T) {
	type profile struct {
		Sub      string `json:"sub"`
		Verified bool   `json:"is_email_verified"`
	}
	var p profile
	if err := Unmarshal([]byte(`{"sub":"u1","SUB":"admin","is_email_verified":false,"IS_EMAIL_VERIFIED":true}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Sub != "u1" || p.Verified {
		t.Errorf("got %+v: a member matched a field by folding case", p)
	}
	err := Unmarshal([]byte(`{"sub":"u1","sub":"admin"}`), &p)
	var pr *Problem
	if !errors.As(err, &pr) || !pr.Duplicate {
		t.Errorf("duplicate sub: %v", err)
	}
	err = Unmarshal([]byte(`{"sub":1}`), &p)
	if err == nil || err.Error() != `field sub must be a string, got a JSON number` {
		t.Errorf("wrong type: %v", err)
	}
}

// FuzzCheck holds Check to its promise: it never panics, and whatever it
// accepts is a document in which no object repeats a member name and every
// decoder agrees on each member.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[1,{"c":2,"c":3}]}}`, `{"\u0061":1,"a":2}`, `[]`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if Check(doc) != nil {
			return
		}
		var v any
		if err := Unmarshal(doc, &v); err != nil {
			t.Fatalf("Check accepted %q but Unmarshal refused it: %v", doc, err)
		}
	})
}
