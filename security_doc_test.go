package connector_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityDocNamesRealTests: every test SECURITY.md cites as the proof
// of a defence exists. A citation is `dir.TestName` (or FuzzName,
// ExampleName), optionally followed by a subtest path
// (`dir.TestConformance/Callback/RepeatedState`), whose last element must
// be a subtest name the package or the conformance kit declares.
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile("`([a-z0-9/]*)\\.((?:Test|Fuzz|Example)[A-Za-z0-9_]*)((?:/[A-Za-z0-9_]+)*)`").FindAllStringSubmatch(string(doc), -1)
	if len(refs) < 30 {
		t.Fatalf("SECURITY.md cites %d tests; every row must name the test that proves it", len(refs))
	}
	sources := map[string]string{}
	read := func(dir string) string {
		if s, ok := sources[dir]; ok {
			return s
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var b strings.Builder
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err == nil {
				b.Write(data)
			}
		}
		sources[dir] = b.String()
		return sources[dir]
	}
	for _, r := range refs {
		dir, name, sub := r[1], r[2], r[3]
		if dir == "" {
			dir = "." // the root package
		}
		src := read(dir)
		if !strings.Contains(src, "func "+name+"(") {
			t.Errorf("SECURITY.md cites %s.%s, which does not exist", dir, name)
			continue
		}
		if sub != "" {
			parts := strings.Split(strings.TrimPrefix(sub, "/"), "/")
			last := parts[len(parts)-1]
			if !strings.Contains(src, `"`+last+`"`) && !strings.Contains(read("conformance"), `"`+last+`"`) &&
				!strings.Contains(read("conformance/mockprovider"), `"`+last+`"`) {
				t.Errorf("SECURITY.md cites the subtest %s%s of %s.%s, which no code names", name, sub, dir, name)
			}
		}
	}
}
