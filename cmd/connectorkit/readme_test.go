package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The config samples in the repository's README (its ```json blocks) must
// pass "validate" and the JSON Schema that "schema" prints, as the samples
// under testdata do: a reader pastes them.
func TestReadmeSamples(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("the README has no ```json sample")
	}
	for i, b := range blocks {
		var entries []struct {
			ID        string          `json:"id"`
			FactoryID string          `json:"factoryId"`
			Config    json.RawMessage `json:"config"`
		}
		if err := json.Unmarshal(b[1], &entries); err != nil {
			t.Fatalf("README json block %d is not a connectors list: %v", i, err)
		}
		for j, e := range entries {
			name := "block" + strconv.Itoa(i) + "/" + e.ID
			file := filepath.Join(t.TempDir(), e.ID+".json")
			if err := os.WriteFile(file, e.Config, 0o600); err != nil {
				t.Fatal(err)
			}
			if stdout, stderr, code := runCmd(t, "validate", e.FactoryID, file); code != exitOK {
				t.Errorf("%s: validate: exit %d\n%s%s", name, code, stdout, stderr)
			}
			if errs := checkSchema(schemaOf(t, e.FactoryID), decodeJSON(t, e.Config), "["+strconv.Itoa(j)+"].config"); len(errs) > 0 {
				t.Errorf("%s: %s", name, strings.Join(errs, "\n"))
			}
		}
	}
}
