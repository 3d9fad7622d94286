package jsonx

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"io"
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

// TestUnmarshalNumbers: a number too large for its field, or a fraction
// where the field holds integers, is named as such (the message once read
// "must be a number, got a JSON number").
func TestUnmarshalNumbers(t *testing.T) {
	type doc struct {
		I8  int8    `json:"i8"`
		U   uint    `json:"u"`
		F32 float32 `json:"f32"`
		F   float64 `json:"f"`
		N   *int    `json:"n"`
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"i8":300}`, "field i8 is a number out of range"},
		{`{"i8":1.5}`, "field i8 must be a whole number within range"},
		{`{"u":-1}`, "field u must be a whole number, not negative, within range"},
		{`{"f32":1e50}`, "field f32 is a number out of range"},
		{`{"f":1e700}`, "field f is a number out of range"},
		{`{"n":1e700}`, "field n must be a whole number within range"},
	} {
		var d doc
		if err := Unmarshal([]byte(tc.doc), &d); err == nil || err.Error() != tc.want {
			t.Errorf("Unmarshal(%s) = %v, want %q", tc.doc, err, tc.want)
		}
		if err := Check([]byte(tc.doc)); err != nil {
			t.Errorf("Check(%s) = %v: the document is valid JSON", tc.doc, err)
		}
	}
	var v any
	if err := Unmarshal([]byte(`1e700`), &v); err == nil || err.Error() != "is a number out of range" {
		t.Errorf("Unmarshal(1e700) into any = %v", err)
	}
}

// TestUnmarshalKinds: a member of the wrong JSON kind is named with the
// kind the field needs and the kind it got; the message never quotes the
// value.
func TestUnmarshalKinds(t *testing.T) {
	type doc struct {
		S    string         `json:"s"`
		B    bool           `json:"b"`
		O    struct{}       `json:"o"`
		M    map[string]int `json:"m"`
		A    []int          `json:"a"`
		P    *string        `json:"p"`
		Ch   chan int       `json:"ch"`
		Deep [][]int        `json:"deep"`
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"s":true}`, "field s must be a string, got a JSON boolean"},
		{`{"s":{"k":"secret-1"}}`, "field s must be a string, got a JSON object"},
		{`{"s":["secret-1"]}`, "field s must be a string, got a JSON array"},
		{`{"b":"secret-1"}`, "field b must be a boolean, got a JSON string"},
		{`{"o":1}`, "field o must be a JSON object, got a JSON number"},
		{`{"m":[]}`, "field m must be a JSON object, got a JSON array"},
		{`{"a":{}}`, "field a must be a JSON array, got a JSON object"},
		{`{"p":1}`, "field p must be a string, got a JSON number"},
		{`{"ch":1}`, "field ch must be a chan"}, // a Go type JSON cannot fill,
		{`{"deep":[[1],["x"]]}`, "field deep.1.0 must be a number, got a JSON string"},
		{`{"m":{"k":"secret-1"}}`, "field m.k must be a number, got a JSON string"},
	} {
		var d doc
		err := Unmarshal([]byte(tc.doc), &d)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Unmarshal(%s) = %v, want %q", tc.doc, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-1") {
			t.Errorf("Unmarshal(%s): the message quotes a value: %v", tc.doc, err)
		}
	}
	var d doc
	if err := Unmarshal([]byte(strings.Repeat("[", MaxDepth+1)+strings.Repeat("]", MaxDepth+1)), &d); err == nil ||
		!strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep document: %v", err)
	}
	if err := Unmarshal([]byte(`{"s":"a","s":"b"}`), &d); err == nil || err.Error() != "has the member s more than once" {
		t.Errorf("duplicate: %v", err)
	}
}

// FuzzCheck holds Check to its promise: it never panics, and whatever it
// accepts is one JSON value that a second, independent reader
// (encoding/json's token decoder) reads whole and in which no object
// repeats a member name once its escapes are decoded. Numbers are not held
// to a range: RFC 8259 allows 1e700, and a field that must hold one says
// so when it is decoded (TestUnmarshalNumbers).
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[1,{"c":2,"c":3}]}}`, `{"\u0061":1,"a":2}`, `[]`, `{"a":"\ud800"}`, `1e700`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := Check(doc)
		dup, refErr := referenceRead(doc)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("Check(%q) = %v, not a *Problem", doc, err)
			}
			if p.Duplicate && refErr == nil && !dup {
				t.Fatalf("Check(%q) reports a duplicate name the reference reader does not see", doc)
			}
			return
		}
		if refErr != nil {
			t.Fatalf("Check accepted %q but encoding/json refused it: %v", doc, refErr)
		}
		if dup {
			t.Fatalf("Check accepted %q, which repeats a member name", doc)
		}
	})
}

// referenceRead reads doc with encoding/json's token decoder and reports
// whether some object repeats a member name.
func referenceRead(doc []byte) (dup bool, err error) {
	dec := stdjson.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		names  map[string]bool
		object bool
		key    bool // the next token is a member name
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) != 0 {
				return dup, io.ErrUnexpectedEOF
			}
			return dup, nil
		}
		if err != nil {
			return dup, err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(stdjson.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, &frame{names: map[string]bool{}, object: true, key: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].key = true
				}
			}
			continue
		}
		if top != nil && top.object {
			if top.key {
				name := tok.(string)
				if top.names[name] {
					dup = true
				}
				top.names[name] = true
			}
			top.key = !top.key
		}
	}
}
