package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connectorkit/connector/builtin"
)

// runCmd runs the command in-process, as main does.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		noStdout bool
	}{
		{name: "no command", args: nil, code: exitUsage, stderr: "Usage:\n  connectorkit COMMAND", noStdout: true},
		{name: "help", args: []string{"help"}, code: exitOK, stdout: "send-test"},
		{name: "--help", args: []string{"--help"}, code: exitOK, stdout: "Exit codes: 0 success; 1 failure (an invalid or unreadable config, a failed\noperation); 2 usage mistake"},
		{name: "-h", args: []string{"-h"}, code: exitOK, stdout: "go run ./cmd/connectorkit demo"},
		{name: "help command", args: []string{"help", "validate"}, code: exitOK, stdout: "Usage: connectorkit validate [FACTORY] CONFIG.json [flags]"},
		{name: "help unknown", args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderr: `connectorkit: unknown command "frobnicate"`, noStdout: true},
		{name: "unknown flag", args: []string{"list", "--nope"}, code: exitUsage, stderr: "flag provided but not defined: -nope"},
		{name: "list extra arg", args: []string{"list", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{name: "schema missing arg", args: []string{"schema"}, code: exitUsage, stderr: "connectorkit schema: missing argument"},
		{name: "schema --help", args: []string{"schema", "--help"}, code: exitOK, stdout: "Usage: connectorkit schema FACTORY"},
		{name: "validate one arg", args: []string{"validate", "oauth2"}, code: exitUsage, stderr: "missing argument"},
		{name: "validate three args", args: []string{"validate", "a", "b", "c"}, code: exitUsage, stderr: `unexpected argument "c"`},
		{name: "try --help", args: []string{"try", "-h"}, code: exitOK, stdout: "--redirect-uri"},
		{name: "try bad redirect", args: []string{"try", "x.json", "--redirect-uri", "https://example.com/cb"}, code: exitUsage, stderr: "--redirect-uri must be an http URL on a loopback host"},
		{name: "try bad timeout", args: []string{"try", "x.json", "--timeout", "0s"}, code: exitUsage, stderr: "--timeout must be positive"},
		{name: "send-test --help", args: []string{"send-test", "--help"}, code: exitOK, stdout: "--to"},
		{name: "send-test without --to", args: []string{"send-test", "twilio.json"}, code: exitUsage, stderr: "--to is required"},
		{name: "demo --help", args: []string{"demo", "--help"}, code: exitOK, stdout: "--cookie-key"},
		{name: "demo bad key", args: []string{"demo", "--cookie-key", "short"}, code: exitUsage, stderr: "cookie key must be 32 bytes"},
		{name: "demo bad log level", args: []string{"demo", "--log-level", "loud"}, code: exitUsage, stderr: "--log-level"},
		{name: "demo bad base url", args: []string{"demo", "--base-url", "ftp://x"}, code: exitUsage, stderr: "--base-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr)
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			// Usage is printed once: to stdout for help, to stderr for a
			// usage error.
			if n := strings.Count(stdout, "Usage:") + strings.Count(stderr, "Usage:"); n > 1 {
				t.Errorf("usage printed %d times", n)
			}
			if tt.code == exitOK && stderr != "" {
				t.Errorf("stderr is not empty on success:\n%s", stderr)
			}
		})
	}
}

func TestParseInterleaved(t *testing.T) {
	t.Parallel()
	c := newCLI(&bytes.Buffer{}, &bytes.Buffer{})
	fs := c.flagSet("x", "", "")
	to := fs.String("to", "", "")
	v := fs.Bool("v", false, "")
	pos, _, ok := c.parse(fs, []string{"a.json", "--to", "+1", "b", "-v", "--", "-c"}, 0, -1)
	if !ok || *to != "+1" || !*v || strings.Join(pos, ",") != "a.json,b,-c" {
		t.Fatalf("parse = %q ok=%v to=%q v=%v", pos, ok, *to, *v)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runCmd(t, "list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !regexp.MustCompile(`^ID\s+TYPE\s+TARGET\s+PLATFORM\s+STANDARD\s+NAME$`).MatchString(lines[0]) {
		t.Fatalf("header: %q", lines[0])
	}
	reg, _ := builtin.NewRegistry()
	metas := reg.Factories()
	if len(lines)-1 != len(metas) {
		t.Fatalf("%d rows for %d factories:\n%s", len(lines)-1, len(metas), stdout)
	}
	for i, m := range metas {
		f := strings.Fields(lines[i+1])
		if f[0] != m.ID || f[1] != string(m.Type) || f[2] != m.Target {
			t.Errorf("row %d = %q, want %s %s %s", i, lines[i+1], m.ID, m.Type, m.Target)
		}
	}
	if !strings.Contains(stdout, "oauth2") || !regexp.MustCompile(`(?m)^oauth2\s.*\syes\s`).MatchString(stdout) {
		t.Errorf("oauth2 is not listed as standard:\n%s", stdout)
	}

	stdout, _, code = runCmd(t, "list", "--json")
	if code != exitOK {
		t.Fatalf("list --json exit %d", code)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, stdout)
	}
	if len(got) != len(metas) {
		t.Fatalf("list --json has %d entries, want %d", len(got), len(metas))
	}
	for i, m := range got {
		if m["id"] != metas[i].ID || m["name"] == nil || m["logo"] == nil {
			t.Errorf("entry %d: %v", i, m)
		}
		if _, has := m["configSchema"]; has {
			t.Errorf("entry %d carries its config schema", i)
		}
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	reg, _ := builtin.NewRegistry()
	for _, m := range reg.Factories() {
		t.Run(m.ID, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCmd(t, "schema", m.ID)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var schema struct {
				Schema               string                     `json:"$schema"`
				Type                 string                     `json:"type"`
				Properties           map[string]json.RawMessage `json:"properties"`
				AdditionalProperties *bool                      `json:"additionalProperties"`
			}
			if err := json.Unmarshal([]byte(stdout), &schema); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			if schema.Type != "object" || len(schema.Properties) == 0 || schema.AdditionalProperties == nil || *schema.AdditionalProperties {
				t.Fatalf("not a closed object schema: %s", stdout)
			}
			if !strings.HasPrefix(schema.Schema, "https://json-schema.org/") {
				t.Fatalf("$schema = %q", schema.Schema)
			}
			// Same document as the metadata's, only indented.
			var a, b any
			_ = json.Unmarshal(m.ConfigSchema, &a)
			_ = json.Unmarshal([]byte(stdout), &b)
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Fatalf("schema differs from the metadata's:\n%s\n%s", ja, jb)
			}
		})
	}
	t.Run("unknown factory", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := runCmd(t, "schema", "apple-universal-typo")
		if code != exitUsage || stdout != "" {
			t.Fatalf("exit %d, stdout %q", code, stdout)
		}
		for _, want := range []string{`connectorkit schema: unknown factory "apple-universal-typo" (known: apple-universal, `, "oauth2"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr does not contain %q:\n%s", want, stderr)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	t.Run("three mistakes", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := runCmd(t, "validate", "oauth2", "testdata/oauth2-three-mistakes.json")
		if code != exitFailure {
			t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
		}
		want := []string{
			"testdata/oauth2-three-mistakes.json: invalid oauth2 config, 3 problems:",
			"authorizationEndpoint: is required",
			"tokenEndpoint: must use https",
			"tokenEndpointAuthMethod: must be one of client_secret_post, client_secret_basic, client_secret_jwt, none",
		}
		for _, w := range want {
			if !strings.Contains(stdout, w) {
				t.Errorf("stdout does not contain %q:\n%s", w, stdout)
			}
		}
		if n := strings.Count(stdout, "\n  "); n != 3 {
			t.Errorf("%d problem lines, want 3:\n%s", n, stdout)
		}
		if strings.Contains(stdout+stderr, "demo-secret") {
			t.Error("the output shows the client secret")
		}
	})
	t.Run("three mistakes as JSON", func(t *testing.T) {
		t.Parallel()
		stdout, _, code := runCmd(t, "validate", "--json", "oauth2", "testdata/oauth2-three-mistakes.json")
		if code != exitFailure {
			t.Fatalf("exit %d", code)
		}
		var got validateResult
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		paths := []string{}
		for _, p := range got.Error.Fields {
			paths = append(paths, p.Path)
		}
		if got.OK || got.Error.Code != "invalid_config" || len(got.Connectors) != 1 || got.Connectors[0].FactoryID != "oauth2" ||
			strings.Join(paths, ",") != "authorizationEndpoint,tokenEndpoint,tokenEndpointAuthMethod" {
			t.Fatalf("got %+v", got)
		}
	})
	tests := []struct {
		name, factory, file string
		code                int
		stdout, stderr      string
	}{
		{"valid oauth2", "oauth2", "testdata/oauth2-valid.json", exitOK, "testdata/oauth2-valid.json: valid oauth2 config", ""},
		{"valid kakao", "kakao-universal", "testdata/kakao-valid.json", exitOK, "valid kakao-universal config", ""},
		{"wrong factory", "kakao-universal", "testdata/oauth2-valid.json", exitFailure, "authorizationEndpoint: is not a known field", ""},
		{"not JSON", "oauth2", "testdata/broken.json", exitFailure, "(file): is not valid JSON: invalid character 'o' in literal null (expecting 'u') (line 1, column 2)", ""},
		{"missing file", "oauth2", "testdata/nope.json", exitFailure, "", "connectorkit validate: cannot read the config file: open testdata/nope.json: "},
		{"unknown factory", "nope", "testdata/oauth2-valid.json", exitUsage, "", `connectorkit validate: unknown factory "nope" (known: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCmd(t, "validate", tt.factory, tt.file)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("stdout %q (want %q), stderr %q (want %q)", stdout, tt.stdout, stderr, tt.stderr)
			}
		})
	}
}

func TestLoadConfigs(t *testing.T) {
	t.Parallel()
	reg, _ := builtin.NewRegistry()
	c := newCLI(io.Discard, io.Discard)
	t.Run("every problem", func(t *testing.T) {
		t.Parallel()
		_, err := c.loadConfigs(configArgs{file: "testdata/connectors-bad.json"}, reg)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		for _, want := range []string{
			"[1].id: repeats the ID of [0]",
			"[1].factoryId: names no known factory",
			"[2].extra: is not a known field",
			"[2].id: must be 1 to 64 letters",
			"[2].config: must be a JSON object",
			"[3]: must be an object",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("error does not contain %q:\n%s", want, msg)
			}
		}
		// An empty config object is fine for loading: the connector
		// reports what it lacks.
		if strings.Contains(msg, "[1].config:") {
			t.Errorf("an empty config object is reported at load time: %s", msg)
		}
	})
	t.Run("good", func(t *testing.T) {
		t.Parallel()
		entries, err := c.loadConfigs(configArgs{file: "testdata/connectors.json"}, reg)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[1].Target != "acme" || entries[1].FactoryID != "oauth2" || entries[1].at != "[1]" {
			t.Fatalf("entries = %+v", entries)
		}
	})
	t.Run("shapes", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for name, tt := range map[string]struct {
			body  string
			usage bool // a usage mistake rather than a config problem
		}{
			"no config": {`{"id":"x"}`, true}, // a bare config, and no factory
			"empty":     {`[]`, false},
			"trail":     {`[] []`, false},
			"number":    {`1`, false},
			"blank":     {" \n", false},
			"bom only":  {"\xef\xbb\xbf", false},
			"truncated": {`[{"id":`, false},
		} {
			p := filepath.Join(dir, name+".json")
			if err := os.WriteFile(p, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := c.loadConfigs(configArgs{file: p}, reg)
			if err == nil || isUsage(err) != tt.usage {
				t.Errorf("%s: error %v, want usage=%v", name, err, tt.usage)
			}
		}
	})
}

func TestDemoConfigErrors(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runCmd(t, "demo", "--addr", "127.0.0.1:0", "--config", "testdata/connectors-invalid-config.json")
	if code != exitFailure {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"[0].config.clientId: is required", "[1].config.scope: must be a string"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "open http") {
		t.Error("the demo started with an invalid config")
	}
}

func TestUnescapeHTML(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"a \u003e b \u003c c \u0026 d"`, `"a > b < c & d"`},
		{`"\\u003e stays"`, `"\\u003e stays"`},
		{`"\\\u003e"`, `"\\>"`},
		{`"\n\t\u00e9"`, `"\n\t\u00e9"`},
		{`"trailing \`, `"trailing \`},
	}
	for _, tt := range tests {
		if got := string(unescapeHTML([]byte(tt.in))); got != tt.want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
