package msgtemplate

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type plan string

type stringer struct{}

func (stringer) String() string { return "from String" }

type panicky struct{}

func (*panicky) String() string { panic("boom") }

func TestRender(t *testing.T) {
	t.Parallel()
	payload := map[string]any{
		"code":        "123456",
		"application": map[string]any{"name": "Acme", "owner": map[string]any{"name": "Ann"}, "nil": nil},
		"org":         map[string]string{"name": "Org & Co"},
		"links":       []any{"https://a.example", "https://b.example"},
		"names":       []string{"x", "y"},
		"count":       3,
		"int64":       int64(-9007199254740993),
		"uint64":      uint64(18446744073709551615),
		"float":       1500000.0,
		"half":        0.5,
		"f32":         float32(0.1),
		"tiny":        1e-7,
		"huge":        1e21,
		"nan":         math.NaN(),
		"number":      json.Number("12345678901234567890"),
		"yes":         true,
		"null":        nil,
		"when":        time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		"ttl":         10 * time.Minute,
		"plan":        plan("pro"),
		"stringer":    stringer{},
		"panicky":     (*panicky)(nil),
		"err":         errors.New("an error"),
		"ints":        []int{1, 2, 3},
		"mixed":       []any{1, map[string]any{"a": "<b>"}},
		"object":      map[string]any{"b": 2, "a": "x<y"},
		"bytes":       []byte("raw"),
		"ch":          make(chan int),
		"matrix":      [][]int{{1, 2}, {3}},
		"typed":       map[string]int{"n": 7},
		"ptr":         &map[string]any{"k": "v"},
		"arr":         [2]string{"p", "q"},
		"intkeys":     map[int]string{1: "one"},
	}
	tests := []struct {
		name, src, want string
	}{
		{"code", "Your code is {{code}}", "Your code is 123456"},
		{"spaces inside braces", "{{ code }}|{{\tcode\n}}|{{code }}|{{   code}}", "123456|123456|123456|123456"},
		{"repeated placeholder", "{{code}}-{{code}}", "123456-123456"},
		{"dotted path", "{{application.name}} by {{application.owner.name}}", "Acme by Ann"},
		{"string map", "{{org.name}}", "Org & Co"},
		{"slice index", "{{links.1}} {{names.0}}", "https://b.example x"},
		{"unknown root left as written", "{{ nope }} and {{nope.deeper}}", "{{ nope }} and {{nope.deeper}}"},
		{"known root, missing path is empty", "[{{application.missing}}][{{application.name.more}}][{{links.9}}][{{links.x}}][{{links.-1}}]", "[][][][][{{links.-1}}]"},
		{"null is empty", "[{{null}}][{{application.nil}}][{{null.x}}]", "[][][]"},
		{"integers", "{{count}} {{int64}} {{uint64}}", "3 -9007199254740993 18446744073709551615"},
		{"floats without noise", "{{float}} {{half}} {{f32}}", "1500000 0.5 0.1"},
		{"extreme floats", "{{tiny}} {{huge}} {{nan}}", "1e-07 1e+21 NaN"},
		{"json number kept exact", "{{number}}", "12345678901234567890"},
		{"bool", "{{yes}}", "true"},
		{"time", "{{when}}", "2025-03-01T12:00:00Z"},
		{"duration via String", "{{ttl}}", "10m0s"},
		{"named string type", "{{plan}}", "pro"},
		{"stringer", "{{stringer}}", "from String"},
		{"panicking stringer does not panic", "{{panicky}}", "<nil>"},
		{"error", "{{err}}", "an error"},
		{"list of plain values", "{{links}} / {{names}} / {{ints}} / {{arr}}", "https://a.example, https://b.example / x, y / 1, 2, 3 / p, q"},
		{"nested values as json", "{{mixed}} {{object}} {{matrix}}", `[1,{"a":"<b>"}] {"a":"x<y","b":2} [[1,2],[3]]`},
		{"bytes as text", "{{bytes}}", "raw"},
		{"unencodable is empty", "[{{ch}}]", "[]"},
		{"typed map", "{{typed.n}} {{typed.m}}", "7 "},
		{"pointer to map", "{{ptr.k}}", "v"},
		{"array index", "{{arr.1}}", "q"},
		{"map with non-string keys has no paths", "[{{intkeys.1}}]", "[]"},
		{"path into a scalar", "[{{code.x}}]", "[]"},
		{"not placeholders", "{code} {{}} {{ }} {{co de}} {{code} {{-x}} {{ code }", "{code} {{}} {{ }} {{co de}} {{code} {{-x}} {{ code }"},
		{"empty path elements stay", "{{.code}} {{code.}} {{a..b}}", "{{.code}} {{code.}} {{a..b}}"},
		{"triple braces", "{{{code}}}", "{123456}"},
		{"unclosed at end", "code {{code", "code {{code"},
		{"brace run", "{{{{", "{{{{"},
		{"no placeholders", "plain text", "plain text"},
		{"empty", "", ""},
		{"unicode around", "코드: {{code}} ✓", "코드: 123456 ✓"},
		{"values are not re-rendered", "{{tpl}}", "{{code}}"},
	}
	payload["tpl"] = "{{code}}"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Compile(tt.src).Render(payload); got != tt.want {
				t.Fatalf("Render(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRenderNilPayload(t *testing.T) {
	t.Parallel()
	src := "Your code is {{ code }}."
	if got := Compile(src).Render(nil); got != src {
		t.Fatalf("Render(nil) = %q, want %q", got, src)
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	tpl := Compile("{{code}} {{ application.name }} {{code}} {{bad key}} {{links.0}}")
	want := []string{"code", "application.name", "links.0"}
	if got := tpl.Placeholders(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Placeholders() = %q, want %q", got, want)
	}
	if got := Compile("none").Placeholders(); got != nil {
		t.Fatalf("Placeholders() = %q, want none", got)
	}
	if tpl.Source() != "{{code}} {{ application.name }} {{code}} {{bad key}} {{links.0}}" {
		t.Fatalf("Source() = %q", tpl.Source())
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	type named int
	type namedF float32
	tests := []struct {
		in   any
		want string
	}{
		{int8(-8), "-8"}, {int16(16), "16"}, {int32(32), "32"}, {uint(1), "1"}, {uint8(8), "8"},
		{uint16(16), "16"}, {uint32(32), "32"}, {named(5), "5"}, {namedF(0.1), "0.1"},
		{float32(16777216), "16777216"}, {-0.25, "-0.25"}, {math.Inf(1), "+Inf"}, {0.0, "0"},
		{struct{ A int }{1}, `{"A":1}`}, {[]any{}, ""}, {[]string(nil), ""},
		{[]*int{nil}, "[null]"}, {[]any{stringer{}, time.Second}, "from String, 1s"}, {map[string]any{"a": math.NaN()}, ""},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCyclicPayloadDoesNotHang(t *testing.T) {
	t.Parallel()
	m := map[string]any{}
	m["self"] = m
	l := []any{nil}
	l[0] = l
	got := Compile("[{{m.self.self}}][{{l}}]").Render(map[string]any{"m": m, "l": l})
	if got != "[][]" {
		t.Fatalf("Render = %q", got)
	}
}

func TestRenderConcurrent(t *testing.T) {
	t.Parallel()
	tpl := Compile("{{code}} for {{app.name}}")
	done := make(chan string)
	for i := range 8 {
		go func() {
			done <- tpl.Render(map[string]any{"code": strings.Repeat("1", i), "app": map[string]any{"name": "x"}})
		}()
	}
	for range 8 {
		if s := <-done; !strings.HasSuffix(s, " for x") {
			t.Errorf("Render = %q", s)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"Your code is {{code}}", "{{ a.b.0 }}", "{{{", "{{a..b}}", "}}{{", "{{ code }"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl := Compile(src)
		// Without a payload every template renders as written.
		if got := tpl.Render(nil); got != src {
			t.Fatalf("Render(nil) of %q = %q", src, got)
		}
		tpl.Render(map[string]any{"code": "1", "a": map[string]any{"b": []any{"x"}}})
		for _, p := range tpl.Placeholders() {
			if p == "" || strings.Contains(p, "..") {
				t.Fatalf("placeholder %q in %q", p, src)
			}
		}
	})
}

func BenchmarkRender(b *testing.B) {
	tpl := Compile("Your {{application.name}} sign-in code is {{code}}. It expires in {{ ttl }} minutes.")
	payload := map[string]any{"code": "123456", "application": map[string]any{"name": "Acme"}, "ttl": 10}
	b.ReportAllocs()
	for b.Loop() {
		tpl.Render(payload)
	}
}
