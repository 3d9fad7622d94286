package connector_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGoIsCompiled keeps the README's Go honest: every ```go block
// must appear, line for line (indentation aside), in a _test.go file of the
// module, where the compiler and usually an Example's Output check it.
func TestReadmeGoIsCompiled(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources.WriteString(normalize(string(b)))
			sources.WriteString("\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := sources.String()
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("the README has no Go block")
	}
	for _, b := range blocks {
		if !strings.Contains(all, normalize(b[1])) {
			t.Errorf("this README Go block is in no _test.go file (quote it from an Example):\n%s", b[1])
		}
	}
}

// normalize trims each line and drops blank ones.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
