package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// The promises every subcommand keeps: one rule for config files ("-" is
// standard input, a byte order mark is skipped), exit 2 and the command's
// name for every usage mistake, validate --json for every outcome.

// runIn runs the command in-process with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	c := newCLI(&out, &errb)
	c.stdin = strings.NewReader(stdin)
	code = c.run(context.Background(), args)
	return out.String(), errb.String(), code
}

// startedIn is [started] with stdin as the command's standard input.
func startedIn(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr *syncBuffer, done <-chan int) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ch := make(chan int, 1)
	c := newCLI(stdout, stderr)
	c.stdin = strings.NewReader(stdin)
	go func() { ch <- c.run(ctx, args) }()
	return stdout, stderr, ch
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const bom = "\xef\xbb\xbf"

// TestValidateJSON checks that validate --json prints one JSON object of
// one shape for every outcome, with nothing on stderr, the same on every
// run, and the documented exit code and error code.
func TestValidateJSON(t *testing.T) {
	t.Parallel()
	valid := readFile(t, "testdata/oauth2-valid.json")
	tests := []struct {
		name       string
		stdin      string
		args       []string // after "validate"
		code       int
		errCode    string   // "" when the config is valid
		file       string   // the "file" member
		connectors []string // "id/factoryId" of each connector checked
		paths      []string // the paths of error.fields, in order
		message    string   // a substring of error.message
	}{
		{name: "valid bare config", args: []string{"--json", "oauth2", "testdata/oauth2-valid.json"}, code: exitOK,
			file: "testdata/oauth2-valid.json", connectors: []string{"oauth2/oauth2"}},
		{name: "valid bare config, --factory", args: []string{"testdata/oauth2-valid.json", "--factory", "oauth2", "--json"}, code: exitOK,
			file: "testdata/oauth2-valid.json", connectors: []string{"oauth2/oauth2"}},
		{name: "valid entry with a BOM", args: []string{"--json", "testdata/bom-entry.json"}, code: exitOK,
			file: "testdata/bom-entry.json", connectors: []string{"kakao/kakao-universal"}},
		{name: "valid array", args: []string{"--json=true", "testdata/connectors.json"}, code: exitOK,
			file: "testdata/connectors.json", connectors: []string{"kakao/kakao-universal", "sso/oauth2"}},
		{name: "one entry of an array", args: []string{"--json", "--id", "sso", "testdata/connectors.json"}, code: exitOK,
			file: "testdata/connectors.json", connectors: []string{"sso/oauth2"}},
		{name: "valid from stdin with a BOM", stdin: bom + valid, args: []string{"--json", "oauth2", "-"}, code: exitOK,
			file: "-", connectors: []string{"oauth2/oauth2"}},

		{name: "invalid bare config", args: []string{"--json", "oauth2", "testdata/oauth2-three-mistakes.json"}, code: exitFailure,
			errCode: "invalid_config", file: "testdata/oauth2-three-mistakes.json", connectors: []string{"oauth2/oauth2"},
			paths:   []string{"authorizationEndpoint", "tokenEndpoint", "tokenEndpointAuthMethod"},
			message: "testdata/oauth2-three-mistakes.json: invalid oauth2 config, 3 problems"},
		{name: "typo", args: []string{"--json", "oauth2", "testdata/oauth2-typo.json"}, code: exitFailure,
			errCode: "invalid_config", file: "testdata/oauth2-typo.json", connectors: []string{"oauth2/oauth2"},
			paths: []string{"clientSecret", "clientSecrett"}, message: "2 problems"},
		{name: "invalid configs in an array", args: []string{"--json", "testdata/connectors-invalid-config.json"}, code: exitFailure,
			errCode: "invalid_config", file: "testdata/connectors-invalid-config.json", connectors: []string{"kakao/kakao-universal", "sso/oauth2"},
			paths:   []string{"[0].config.clientId", "[1].config.scope"},
			message: "testdata/connectors-invalid-config.json: invalid config file, 2 problems"},
		{name: "bad entries", args: []string{"--json", "testdata/connectors-bad.json"}, code: exitFailure,
			errCode: "invalid_config", file: "testdata/connectors-bad.json",
			paths: []string{"[1].factoryId", "[1].id", "[2].config", "[2].extra", "[2].id", "[3]"}},
		{name: "not JSON", args: []string{"--json", "oauth2", "testdata/broken.json"}, code: exitFailure,
			errCode: "invalid_config", file: "testdata/broken.json", paths: []string{"(file)"}},
		{name: "empty stdin", args: []string{"--json", "oauth2", "-"}, code: exitFailure,
			errCode: "invalid_config", file: "-", paths: []string{"(file)"}, message: "(stdin): invalid config file"},
		{name: "not an object", stdin: "[1]", args: []string{"--json", "-"}, code: exitFailure,
			errCode: "invalid_config", file: "-", paths: []string{"[0]"}},
		{name: "missing file", args: []string{"--json", "oauth2", "testdata/nope.json"}, code: exitFailure,
			errCode: "unreadable", file: "testdata/nope.json", message: "cannot read the config file: open testdata/nope.json"},
		{name: "a directory", args: []string{"--json", "oauth2", "testdata"}, code: exitFailure,
			errCode: "unreadable", file: "testdata", message: "cannot read the config file"},

		{name: "unknown factory", args: []string{"--json", "kakoa", "testdata/oauth2-valid.json"}, code: exitUsage,
			errCode: "unknown_factory", file: "testdata/oauth2-valid.json", message: `unknown factory "kakoa" (did you mean kakao-universal?)`},
		{name: "unknown --factory", args: []string{"--json", "--factory", "oath2", "testdata/oauth2-valid.json"}, code: exitUsage,
			errCode: "unknown_factory", file: "testdata/oauth2-valid.json", message: `unknown factory "oath2" (did you mean oauth2?)`},
		{name: "unknown flag", args: []string{"--json", "--strict", "oauth2", "x.json"}, code: exitUsage,
			errCode: "usage", message: "flag provided but not defined: -strict"},
		{name: "unknown flag, --json last", args: []string{"--strict", "oauth2", "x.json", "-json"}, code: exitUsage,
			errCode: "usage", message: "flag provided but not defined: -strict"},
		{name: "no argument", args: []string{"--json"}, code: exitUsage, errCode: "usage", message: "missing argument"},
		{name: "factory only", args: []string{"--json", "oauth2"}, code: exitUsage, errCode: "usage",
			message: "missing argument: the config file after the factory oauth2"},
		{name: "extra argument", args: []string{"--json", "oauth2", "a.json", "b.json"}, code: exitUsage, errCode: "usage",
			message: `unexpected argument "b.json"`},
		{name: "bare config, no factory", args: []string{"--json", "testdata/oauth2-valid.json"}, code: exitUsage, errCode: "usage",
			file: "testdata/oauth2-valid.json", message: "holds a bare config: name its factory"},
		{name: "--id names nothing", args: []string{"--json", "--id", "ssso", "testdata/connectors.json"}, code: exitUsage, errCode: "usage",
			file: "testdata/connectors.json", message: `has no connector with id "ssso" (did you mean sso?)`},
		{name: "factory selects nothing", args: []string{"--json", "apple-universal", "testdata/connectors.json"}, code: exitUsage, errCode: "usage",
			file: "testdata/connectors.json", message: "has no connector of factory apple-universal"},
		{name: "factories differ", args: []string{"--json", "--factory", "oauth2", "kakao-universal", "testdata/kakao-valid.json"}, code: exitUsage,
			errCode: "usage", file: "testdata/kakao-valid.json", message: `the FACTORY argument "kakao-universal" and --factory "oauth2" differ`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runIn(t, tt.stdin, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stdout)
			}
			if stderr != "" {
				t.Errorf("stderr is not empty:\n%s", stderr)
			}
			// One shape: exactly these members, error null or an object
			// with exactly code, message and fields.
			var shape map[string]json.RawMessage
			if err := json.Unmarshal([]byte(stdout), &shape); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
			}
			if keys := strings.Join(slices.Sorted(mapKeys(shape)), ","); keys != "connectors,error,file,ok" {
				t.Errorf("members %s", keys)
			}
			var got struct {
				OK         bool   `json:"ok"`
				File       string `json:"file"`
				Connectors []struct {
					ID        string `json:"id"`
					FactoryID string `json:"factoryId"`
				} `json:"connectors"`
				Error *struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Fields  []struct {
						Path    string `json:"path"`
						Message string `json:"message"`
					} `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatal(err)
			}
			if string(shape["connectors"]) == "null" {
				t.Error("connectors is null, want an array")
			}
			if got.File != tt.file {
				t.Errorf("file %q, want %q", got.File, tt.file)
			}
			var conns []string
			for _, c := range got.Connectors {
				conns = append(conns, c.ID+"/"+c.FactoryID)
			}
			if !slices.Equal(conns, tt.connectors) {
				t.Errorf("connectors %q, want %q", conns, tt.connectors)
			}
			if tt.errCode == "" {
				if !got.OK || string(shape["error"]) != "null" {
					t.Fatalf("not ok:\n%s", stdout)
				}
				return
			}
			if got.OK || got.Error == nil {
				t.Fatalf("ok, or no error:\n%s", stdout)
			}
			var errShape map[string]json.RawMessage
			_ = json.Unmarshal(shape["error"], &errShape)
			if keys := strings.Join(slices.Sorted(mapKeys(errShape)), ","); keys != "code,fields,message" {
				t.Errorf("error members %s", keys)
			}
			if string(errShape["fields"]) == "null" {
				t.Error("error.fields is null, want an array")
			}
			if got.Error.Code != tt.errCode || !strings.Contains(got.Error.Message, tt.message) {
				t.Errorf("error %s %q, want %s with %q", got.Error.Code, got.Error.Message, tt.errCode, tt.message)
			}
			var paths []string
			for _, f := range got.Error.Fields {
				paths = append(paths, f.Path)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Path)
				}
			}
			if !slices.Equal(paths, tt.paths) {
				t.Errorf("paths %q, want %q", paths, tt.paths)
			}
			// Deterministic: the same bytes on a second run.
			if again, _, _ := runIn(t, tt.stdin, append([]string{"validate"}, tt.args...)...); again != stdout {
				t.Errorf("a second run printed something else:\n%s\n%s", stdout, again)
			}
		})
	}
}

func mapKeys(m map[string]json.RawMessage) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestValidateNoSecret checks that no value of a config, secret or not,
// reaches validate's output, in text or JSON, whatever is wrong with it.
func TestValidateNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-VALUE-7f9a"
	cfgs := map[string]string{
		"typo of the secret": `{"authorizationEndpoint":"https://a.example.com/a","tokenEndpoint":"https://a.example.com/t",
			"userInfoEndpoint":"https://a.example.com/u","clientId":"c","clientSecrett":"` + secret + `"}`,
		"secret of the wrong type": `{"clientSecret":["` + secret + `"],"tokenEndpoint":"http://` + secret + `.example.com/t"}`,
		"secret in an entry":       `[{"id":"x","factoryId":"oauth2","config":{"clientSecret":"` + secret + `","clientId":5}}]`,
		"secret in broken JSON":    `{"clientSecret":"` + secret + `",}`,
	}
	for name, cfg := range cfgs {
		for _, args := range [][]string{{"validate", "--factory", "oauth2", "-"}, {"validate", "--json", "--factory", "oauth2", "-"}} {
			stdout, stderr, code := runIn(t, cfg, args...)
			if code != exitFailure {
				t.Errorf("%s %q: exit %d\n%s%s", name, args, code, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("%s %q: the output shows the secret:\n%s%s", name, args, stdout, stderr)
			}
		}
	}
}

// TestValidateShapes checks the text output of validate for each shape of
// config file, from a file and from standard input.
func TestValidateShapes(t *testing.T) {
	t.Parallel()
	entry := readFile(t, "testdata/bom-entry.json")
	list := readFile(t, "testdata/connectors.json")
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
	}{
		{"bare, FACTORY", "", []string{"oauth2", "testdata/oauth2-valid.json"}, exitOK, "testdata/oauth2-valid.json: valid oauth2 config\n"},
		{"bare, --factory", "", []string{"--factory", "oauth2", "testdata/oauth2-valid.json"}, exitOK, "testdata/oauth2-valid.json: valid oauth2 config\n"},
		{"bare, stdin", readFile(t, "testdata/kakao-valid.json"), []string{"kakao-universal", "-"}, exitOK, "(stdin): valid kakao-universal config\n"},
		{"entry", "", []string{"testdata/bom-entry.json"}, exitOK, "testdata/bom-entry.json: valid config file: kakao (kakao-universal)\n"},
		{"entry, stdin", entry, []string{"-"}, exitOK, "(stdin): valid config file: kakao (kakao-universal)\n"},
		{"entry, its factory", entry, []string{"kakao-universal", "-"}, exitOK, "(stdin): valid config file: kakao (kakao-universal)\n"},
		{"array", "", []string{"testdata/connectors.json"}, exitOK, "testdata/connectors.json: valid config file: kakao (kakao-universal), sso (oauth2)\n"},
		{"array, stdin with a BOM", bom + list, []string{"-"}, exitOK, "(stdin): valid config file: kakao (kakao-universal), sso (oauth2)\n"},
		{"array, --id", "", []string{"testdata/connectors.json", "--id", "kakao"}, exitOK, "testdata/connectors.json: valid config file: kakao (kakao-universal)\n"},
		{"array, FACTORY", "", []string{"oauth2", "testdata/connectors.json"}, exitOK, "testdata/connectors.json: valid config file: sso (oauth2)\n"},
		{"array, invalid configs", "", []string{"testdata/connectors-invalid-config.json"}, exitFailure,
			"testdata/connectors-invalid-config.json: invalid config file, 2 problems:\n  [0].config.clientId: is required\n  [1].config.scope: must be a string, got a number\n"},
		{"entry, invalid config", `{"id":"k","factoryId":"kakao-universal","config":{"clientID":"x"}}`, []string{"-"}, exitFailure,
			"(stdin): invalid config file, 1 problem:\n  config.clientID: is not a known field (did you mean \"clientId\"?)\n"},
		{"entry, invalid target", `{"id":"k","factoryId":"kakao-universal","target":"x","config":{"clientId":"0123456789abcdef0123456789abcdef"}}`,
			[]string{"-"}, exitFailure, "(stdin): invalid config file, 1 problem:\n  target: cannot be set"},
		{"array, invalid target", `[{"id":"k","factoryId":"kakao-universal","config":{"clientId":"0123456789abcdef0123456789abcdef"}},
			{"id":"k2","factoryId":"kakao-universal","target":"x","config":{"clientId":"0123456789abcdef0123456789abcdef"}}]`,
			[]string{"-"}, exitFailure, "(stdin): invalid config file, 1 problem:\n  [1].target: cannot be set"},
		{"multi-line JSON error", "{\n  \"clientId\": \"é\" \"x\"\n}", []string{"kakao-universal", "-"}, exitFailure,
			"(file): is not valid JSON: invalid character '\"' after object key:value pair (line 2, column 19)\n"},
		{"typo", "", []string{"oauth2", "testdata/oauth2-typo.json"}, exitFailure,
			"testdata/oauth2-typo.json: invalid oauth2 config, 2 problems:\n  clientSecret: is required (unless tokenEndpointAuthMethod is none)\n" +
				"  clientSecrett: is not a known field (did you mean \"clientSecret\"?)\n"},
		{"entry key typo", `{"id":"k","factoryID":"kakao-universal","config":{}}`, []string{"-"}, exitFailure,
			"  factoryID: is not a known field (did you mean factoryId?)\n"},
		{"BOM, then not JSON", bom + "{,}", []string{"oauth2", "-"}, exitFailure,
			"(stdin): invalid config file, 1 problem:\n  (file): is not valid JSON: invalid character ',' looking for beginning of object key string (line 1, column 2)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runIn(t, tt.stdin, append([]string{"validate"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || stderr != "" {
				t.Fatalf("exit %d, want %d\nstdout: %s\nwant:   %s\nstderr: %s", code, tt.code, stdout, tt.stdout, stderr)
			}
		})
	}
}

// TestUsageMistakes checks that every usage mistake of every subcommand
// exits 2 with a message that names the command, and that config problems
// and failures keep exit 1.
func TestUsageMistakes(t *testing.T) {
	t.Parallel()
	twilio := map[string]any{"accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "0123456789abcdef0123456789abcdef",
		"fromMessagingServiceSID": "MG0123456789abcdef0123456789abcdef",
		"templates":               []any{map[string]any{"usageType": "Generic", "content": "{{code}}"}}}
	twoSMS := writeJSON(t, []any{
		map[string]any{"id": "sms1", "factoryId": "twilio-short-message-service", "config": twilio},
		map[string]any{"id": "sms2", "factoryId": "twilio-short-message-service", "config": twilio},
	})
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a substring
	}{
		{"unknown command", []string{"valdate"}, exitUsage, `connectorkit: unknown command "valdate" (did you mean validate?)`},
		{"help, unknown command", []string{"help", "sendtest"}, exitUsage, `connectorkit help: unknown command "sendtest" (did you mean send-test?)`},
		{"list: unknown flag", []string{"list", "--jsn"}, exitUsage, "connectorkit list: flag provided but not defined: -jsn"},
		{"schema: unknown factory", []string{"schema", "kakoa"}, exitUsage, `connectorkit schema: unknown factory "kakoa" (did you mean kakao-universal?)`},
		{"schema: part of a factory ID", []string{"schema", "twilio"}, exitUsage, `(did you mean twilio-short-message-service?)`},
		{"schema: nothing close", []string{"schema", "zz"}, exitUsage, `connectorkit schema: unknown factory "zz" (known: apple-universal, `},

		{"validate: unknown factory", []string{"validate", "kakoa", "testdata/kakao-valid.json"}, exitUsage,
			`connectorkit validate: unknown factory "kakoa" (did you mean kakao-universal?)`},
		{"validate: arguments swapped", []string{"validate", "testdata/kakao-valid.json", "kakao-universal"}, exitUsage,
			`connectorkit validate: unknown factory "testdata/kakao-valid.json" (the factory comes first: FACTORY CONFIG.json)`},
		{"validate: unknown flag", []string{"validate", "--verbose", "oauth2", "x.json"}, exitUsage, "connectorkit validate: flag provided but not defined: -verbose"},
		{"validate: missing argument", []string{"validate"}, exitUsage, "connectorkit validate: missing argument"},
		{"validate: bare config, no factory", []string{"validate", "testdata/kakao-valid.json"}, exitUsage,
			"connectorkit validate: testdata/kakao-valid.json holds a bare config: name its factory with the FACTORY argument or --factory"},
		{"validate: --id on a bare config", []string{"validate", "--id", "k", "kakao-universal", "testdata/kakao-valid.json"}, exitUsage,
			"connectorkit validate: --id picks an entry, and testdata/kakao-valid.json holds a bare config"},
		{"validate: invalid config", []string{"validate", "oauth2", "testdata/oauth2-three-mistakes.json"}, exitFailure, ""},
		{"validate: unreadable", []string{"validate", "oauth2", "testdata/nope.json"}, exitFailure, "connectorkit validate: cannot read the config file"},

		{"try: missing argument", []string{"try"}, exitUsage, "connectorkit try: missing argument"},
		{"try: unknown flag", []string{"try", "--alow-private", "x.json"}, exitUsage, "connectorkit try: flag provided but not defined: -alow-private"},
		{"try: unknown factory", []string{"try", "oauth", "testdata/oauth2-valid.json"}, exitUsage, `connectorkit try: unknown factory "oauth" (did you mean oauth2?)`},
		{"try: unknown --factory", []string{"try", "--factory", "kakoa", "testdata/kakao-valid.json"}, exitUsage, `connectorkit try: unknown factory "kakoa" (did you mean kakao-universal?)`},
		{"try: several without --id", []string{"try", "testdata/samples/connectors.json"}, exitUsage,
			"connectorkit try: testdata/samples/connectors.json has several social connectors (kakao, huggingface, google, acme): choose one with --id"},
		{"try: --id names nothing", []string{"try", "testdata/connectors.json", "--id", "nope"}, exitUsage,
			`connectorkit try: testdata/connectors.json has no connector with id "nope" (it has kakao (kakao-universal), sso (oauth2))`},
		{"try: bare config, no factory", []string{"try", "testdata/oauth2-valid.json"}, exitUsage, "connectorkit try: testdata/oauth2-valid.json holds a bare config"},
		{"try: unreadable", []string{"try", "oauth2", "testdata/nope.json"}, exitFailure, "connectorkit try: cannot read the config file"},
		{"try: invalid config", []string{"try", "oauth2", "testdata/oauth2-three-mistakes.json"}, exitFailure, "connectorkit try: "},
		{"try: no social connector", []string{"try", twoSMS}, exitFailure, "connectorkit try: " + twoSMS + " has no social connector (it has sms1 (twilio-short-message-service), sms2 (twilio-short-message-service))"},

		{"send-test: missing argument", []string{"send-test", "--to", "+14155550100"}, exitUsage, "connectorkit send-test: missing argument"},
		{"send-test: unknown flag", []string{"send-test", "x.json", "--too", "+1"}, exitUsage, "connectorkit send-test: flag provided but not defined: -too"},
		{"send-test: unknown factory", []string{"send-test", "twillio", "x.json", "--to", "+1"}, exitUsage, `connectorkit send-test: unknown factory "twillio" (did you mean twilio-short-message-service?)`},
		{"send-test: several without --id", []string{"send-test", twoSMS, "--to", "+14155550100"}, exitUsage,
			"connectorkit send-test: " + twoSMS + " has several SMS connectors (sms1, sms2): choose one with --id"},
		{"send-test: --id names nothing", []string{"send-test", twoSMS, "--id", "sms3", "--to", "+14155550100"}, exitUsage,
			`connectorkit send-test: ` + twoSMS + ` has no connector with id "sms3" (did you mean sms1?)`},
		{"send-test: unreadable", []string{"send-test", "testdata/nope.json", "--to", "+14155550100"}, exitFailure, "connectorkit send-test: cannot read the config file"},
		{"send-test: no SMS connector", []string{"send-test", "testdata/connectors.json", "--to", "+14155550100"}, exitFailure, "connectorkit send-test: testdata/connectors.json has no SMS connector"},

		{"demo: unknown flag", []string{"demo", "--port", "8080"}, exitUsage, "connectorkit demo: flag provided but not defined: -port"},
		{"demo: extra argument", []string{"demo", "connectors.json"}, exitUsage, `connectorkit demo: unexpected argument "connectors.json"`},
		{"demo: --addr without a port", []string{"demo", "--addr", "8080"}, exitUsage, `connectorkit demo: --addr: "8080" is not host:port`},
		{"demo: --addr port out of range", []string{"demo", "--addr", "127.0.0.1:65536"}, exitUsage, `connectorkit demo: --addr: the port of "127.0.0.1:65536" is not a number from 0 to 65535`},
		{"demo: --addr port not a number", []string{"demo", "--addr", "localhost:http"}, exitUsage, "connectorkit demo: --addr: the port of"},
		{"demo: --addr bad host", []string{"demo", "--addr", "local host:80"}, exitUsage, "connectorkit demo: --addr: the host of"},
		{"demo: --id without --config", []string{"demo", "--id", "kakao"}, exitUsage, "connectorkit demo: --factory and --id choose from --config, which is not set"},
		{"demo: unknown --factory", []string{"demo", "--addr", "127.0.0.1:0", "--config", "testdata/kakao-valid.json", "--factory", "kakoa"}, exitUsage,
			`connectorkit demo: unknown factory "kakoa" (did you mean kakao-universal?)`},
		{"demo: --id names nothing", []string{"demo", "--addr", "127.0.0.1:0", "--config", "testdata/connectors.json", "--id", "kakoa"}, exitUsage,
			`connectorkit demo: testdata/connectors.json has no connector with id "kakoa" (did you mean kakao?)`},
		{"demo: bare config, no factory", []string{"demo", "--addr", "127.0.0.1:0", "--config", "testdata/kakao-valid.json"}, exitUsage,
			"connectorkit demo: testdata/kakao-valid.json holds a bare config"},
		{"demo: unreadable", []string{"demo", "--addr", "127.0.0.1:0", "--config", "testdata/nope.json"}, exitFailure, "connectorkit demo: cannot read the config file"},
		{"demo: invalid config", []string{"demo", "--addr", "127.0.0.1:0", "--config", "testdata/connectors-bad.json"}, exitFailure, "connectorkit demo: testdata/connectors-bad.json: invalid config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runIn(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d\nstderr: %s\nwant:   %s", code, tt.code, stderr, tt.stderr)
			}
			if tt.code == exitUsage && stdout != "" {
				t.Errorf("stdout on a usage mistake:\n%s", stdout)
			}
			if strings.Contains(stdout, "connectorkit demo: open") {
				t.Error("the demo started")
			}
		})
	}
}

// TestConfigFileRule checks that the rule for config files is stated in
// the usage of every subcommand that reads one, in the command's overview
// and in the README.
func TestConfigFileRule(t *testing.T) {
	t.Parallel()
	flat := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "`", "")), " ") }
	rule := flat(configFileRule)
	for _, cmd := range []string{"validate", "try", "send-test", "demo"} {
		stdout, _, code := runCmd(t, cmd, "--help")
		if code != exitOK || !strings.Contains(flat(stdout), rule) {
			t.Errorf("%s --help does not state the rule:\n%s", cmd, stdout)
		}
	}
	stdout, _, _ := runCmd(t, "help")
	if !strings.Contains(flat(stdout), rule) {
		t.Errorf("help does not state the rule:\n%s", stdout)
	}
	readme := flat(readFile(t, "../../README.md"))
	// The README says it inside a sentence: "...: a config file is ...".
	if !strings.Contains(readme, "a"+strings.TrimPrefix(rule, "A")) {
		t.Errorf("README does not state the rule %q", rule)
	}
	for _, want := range []string{`{"ok": false, "file": "config.json", "connectors":`, `"fields": [{"path":`, "0 success; 1 failure", "2 usage mistake"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}

// TestTryStdin signs in with a bare config read from standard input (with
// a byte order mark), its factory named by the FACTORY argument.
func TestTryStdin(t *testing.T) {
	t.Parallel()
	p := startOAuth2Mock(t)
	cfg := bom + mustMarshal(t, oauth2Config(p))
	stdout, stderr, done := startedIn(t, context.Background(), cfg,
		"try", "oauth2", "-", "--allow-private", "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "20s")
	authURL := waitFor(t, stderr, authURLLine, done)
	if status := tryCallback(t, p, authURL); status != 200 {
		t.Fatalf("callback page status %d\n%s", status, stderr)
	}
	if code := exitCode(t, done); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var info struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil || info.ID != "u-1001" {
		t.Fatalf("user info %q, %v", stdout, err)
	}
	if !strings.Contains(stderr.String(), "(oauth2)") {
		t.Errorf("the instance ID of a bare config is not its factory's:\n%s", stderr)
	}
}

// TestTryShapes checks that try opens each shape of config file, from a
// file and from standard input, with and without a byte order mark: it
// gets as far as printing the authorization URL.
func TestTryShapes(t *testing.T) {
	t.Parallel()
	p := startOAuth2Mock(t)
	cfg := mustMarshal(t, oauth2Config(p))
	entry := mustMarshal(t, map[string]any{"id": "acme", "factoryId": "oauth2", "target": "acme", "config": oauth2Config(p)})
	list := mustMarshal(t, []any{
		map[string]any{"id": "a", "factoryId": "oauth2", "target": "a", "config": oauth2Config(p)},
		map[string]any{"id": "b", "factoryId": "oauth2", "target": "b", "config": oauth2Config(p)},
	})
	tests := []struct {
		name, body string
		args       []string // with "FILE" for the config file
		instance   string   // the connector printed in the "sign in with" line
	}{
		{"bare, FACTORY", cfg, []string{"oauth2", "FILE"}, "(oauth2)"},
		{"bare, --factory", cfg, []string{"FILE", "--factory", "oauth2"}, "(oauth2)"},
		{"entry", entry, []string{"FILE"}, "(acme)"},
		{"entry, its FACTORY", entry, []string{"oauth2", "FILE"}, "(acme)"},
		{"array, --id", list, []string{"FILE", "--id", "b"}, "(b)"},
	}
	for _, tt := range tests {
		for _, src := range []string{"file", "file with a BOM", "stdin", "stdin with a BOM"} {
			t.Run(tt.name+"/"+src, func(t *testing.T) {
				t.Parallel()
				body, stdin, file := tt.body, "", ""
				if strings.HasSuffix(src, "with a BOM") {
					body = bom + body
				}
				if strings.HasPrefix(src, "stdin") {
					stdin, file = body, "-"
				} else {
					file = writeFile(t, "config.json", body)
				}
				args := []string{"try"}
				for _, a := range tt.args {
					if a == "FILE" {
						a = file
					}
					args = append(args, a)
				}
				args = append(args, "--redirect-uri", "http://127.0.0.1:0/callback")
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				_, stderr, done := startedIn(t, ctx, stdin, args...)
				waitFor(t, stderr, authURLLine, done)
				cancel()
				if code := exitCode(t, done); code != exitFailure {
					t.Fatalf("exit %d\n%s", code, stderr)
				}
				if !strings.Contains(stderr.String(), tt.instance) {
					t.Fatalf("stderr lacks %s:\n%s", tt.instance, stderr)
				}
			})
		}
	}
}

// TestSendTestStdin sends the test message with configs read from standard
// input and from files with a byte order mark.
func TestSendTestStdin(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewTwilio(mockprovider.TwilioOptions{})
	base, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	cfg := mustMarshal(t, twilioConfig(p))
	entry := mustMarshal(t, map[string]any{"id": "sms", "factoryId": "twilio-short-message-service", "config": twilioConfig(p)})
	tests := []struct {
		name, stdin string
		args        []string
	}{
		{"bare, stdin", cfg, []string{"-"}},
		{"bare, stdin with a BOM", bom + cfg, []string{"-"}},
		{"bare, FACTORY, stdin", cfg, []string{"twilio-short-message-service", "-"}},
		{"entry, stdin with a BOM", bom + entry, []string{"-"}},
		{"entry, file with a BOM", "", []string{writeFile(t, "entry.json", bom+entry)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"send-test"}, tt.args...)
			args = append(args, "--to", "+14155550100", "--endpoint", "api="+base)
			stdout, stderr, code := runIn(t, tt.stdin, args...)
			if code != exitOK || !strings.HasPrefix(stdout, "sent: message SM") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, p.AuthToken()) {
				t.Fatal("the output shows the auth token")
			}
		})
	}
	if n := len(p.Outbox()); n != len(tests) {
		t.Fatalf("outbox has %d messages, want %d", n, len(tests))
	}
}

// TestDemoConfigShapes starts the demo on configs read from standard input
// and from a file with a byte order mark: a bare config, an entry, one
// entry of an array.
func TestDemoConfigShapes(t *testing.T) {
	t.Parallel()
	list := readFile(t, "testdata/samples/connectors.json")
	tests := []struct {
		name, stdin string
		args        []string
		want        []string // callback URLs listed
		notWant     string
	}{
		{"array, stdin with a BOM", bom + list, []string{"--config", "-"}, []string{"/callback/kakao", "/callback/huggingface", "/callback/acme"}, ""},
		{"array, --id", "", []string{"--config", "testdata/samples/connectors.json", "--id", "acme"}, []string{"/callback/acme"}, "/callback/kakao"},
		{"entry, file with a BOM", "", []string{"--config", "testdata/bom-entry.json"}, []string{"/callback/kakao"}, ""},
		{"bare, --factory, stdin", readFile(t, "testdata/kakao-valid.json"), []string{"--config", "-", "--factory", "kakao-universal"},
			[]string{"/callback/kakao-universal"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			args := append([]string{"demo", "--addr", "127.0.0.1:0"}, tt.args...)
			stdout, stderr, done := startedIn(t, ctx, tt.stdin, args...)
			waitFor(t, stdout, openLine, done)
			cancel()
			if code := exitCode(t, done); code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(`(?m)^  \S+\s+http://127\.0\.0\.1:\d+` + regexp.QuoteMeta(w) + `$`).MatchString(stdout.String()) {
					t.Errorf("stdout lacks %s:\n%s", w, stdout)
				}
			}
			if tt.notWant != "" && strings.Contains(stdout.String(), tt.notWant) {
				t.Errorf("stdout has %s:\n%s", tt.notWant, stdout)
			}
		})
	}
}

func TestComparePaths(t *testing.T) {
	t.Parallel()
	want := []string{"(file)", "[0]", "[0].config.a", "[0].config.b", "[2].id", "[10]", "[10].config.x[2]", "[10].config.x[11]", "a", "a.b", "ab", "b[9]", "b[10]"}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, comparePaths)
	if !slices.Equal(got, want) {
		t.Fatalf("sorted:\n%q\nwant:\n%q", got, want)
	}
	if comparePaths("[01]", "[1]") == 0 {
		t.Error("[01] and [1] compare equal: the order would depend on the input")
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	factories := []string{"apple-universal", "huggingface-universal", "kakao-universal", "oauth2", "twilio-short-message-service"}
	tests := []struct{ word, want string }{
		{"kakoa", "kakao-universal"}, // a transposition in a word of the ID
		{"kakao", "kakao-universal"}, // a word of the ID
		{"Kakao-Universal", "kakao-universal"},
		{"kakao-univeral", "kakao-universal"}, // one deletion in the whole ID
		{"oauth", "oauth2"},
		{"oath2", "oauth2"},
		{"twillio", "twilio-short-message-service"},
		{"hugingface", "huggingface-universal"},
		{"universal", "apple-universal"}, // a tie: the first alphabetically
		{"google", ""},
		{"ap", ""}, // too short to guess
		{"", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.word, factories); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	// The same answer whatever the order of the candidates.
	rev := slices.Clone(factories)
	slices.Reverse(rev)
	if got := closest("universal", rev); got != "apple-universal" {
		t.Errorf("closest with the candidates reversed = %q", got)
	}
}

// FuzzLoadConfigs feeds the config file loader any bytes on standard
// input, with and without a factory: it must never panic, every error is a
// usage mistake or a typed invalid_config error, and what it accepts is
// well formed.
func FuzzLoadConfigs(f *testing.F) {
	reg, err := builtin.NewRegistry()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"clientId":"x"}`,
		bom + `{"clientId":"x"}`,
		bom + bom + `{}`,
		`{"id":"k","factoryId":"kakao-universal","config":{"clientId":"x"}}`,
		`{"id":"k","config":{}}`,
		`[{"id":"a","factoryId":"oauth2","config":{}},{"id":"b","factoryId":"kakao-universal","config":{}}]`,
		`[{"id":"a","factoryId":"oauth2","config":{}},{"id":"a","factoryId":"oauth2","config":{}}]`,
		`[]`, `null`, `"x"`, ``, "\n", `{"a":1} {}`, `{"a":`, "{\n\"a\": \"\xff\"}",
	} {
		f.Add([]byte(seed), "", "")
		f.Add([]byte(seed), "oauth2", "")
		f.Add([]byte(seed), "", "a")
	}
	c := newCLI(io.Discard, io.Discard)
	f.Fuzz(func(t *testing.T, raw []byte, factory, id string) {
		if _, ok := reg.Factory(factory); factory != "" && !ok {
			return // loadConfigs takes registered factories only
		}
		cc := *c
		cc.stdin = bytes.NewReader(raw)
		entries, err := cc.loadConfigs(configArgs{file: "-", factory: factory, id: id}, reg)
		if err != nil {
			if !isUsage(err) && !errors.Is(err, connector.ErrInvalidConfig) {
				t.Fatalf("error %v is neither a usage mistake nor invalid_config", err)
			}
			return
		}
		if len(entries) == 0 {
			t.Fatal("no error and no connector")
		}
		for _, e := range entries {
			if _, ok := reg.Factory(e.FactoryID); !ok {
				t.Fatalf("accepted an unknown factory %q", e.FactoryID)
			}
			if factory != "" && e.FactoryID != factory || id != "" && e.ID != id {
				t.Fatalf("kept %s (%s), asked for factory %q id %q", e.ID, e.FactoryID, factory, id)
			}
			if !e.bare && !idPattern.MatchString(e.ID) {
				t.Fatalf("accepted a bad ID %q", e.ID)
			}
			if !e.bare && !json.Valid(e.Config) {
				t.Fatalf("accepted a config that is not JSON: %q", e.Config)
			}
		}
	})
}
