package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// started runs the command in the background with its own writers and
// returns them, and a channel with its exit code.
func started(t *testing.T, ctx context.Context, args ...string) (stdout, stderr *syncBuffer, done <-chan int) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ch := make(chan int, 1)
	go func() { ch <- newCLI(stdout, stderr).run(ctx, args) }()
	return stdout, stderr, ch
}

// waitFor polls w until re matches, and returns the first group.
func waitFor(t *testing.T, w *syncBuffer, re *regexp.Regexp, done <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(w.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("the command exited (%d) before printing %s:\n%s", code, re, w.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %s in:\n%s", re, w.String())
	return ""
}

func exitCode(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not exit")
		return -1
	}
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var authURLLine = regexp.MustCompile(`(?m)^  (http\S+)$`)

func startOAuth2Mock(t *testing.T) *mockprovider.OAuth2 {
	t.Helper()
	p := mockprovider.NewOAuth2(mockprovider.OAuth2Options{})
	if _, err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestTry(t *testing.T) {
	t.Parallel()
	p := startOAuth2Mock(t)
	entry := map[string]any{"id": "acme", "factoryId": "oauth2", "target": "acme", "config": oauth2Config(p)}
	single := writeJSON(t, entry)
	bare := writeJSON(t, oauth2Config(p))

	finish := func(t *testing.T, authURL string, params url.Values) (int, string) {
		t.Helper()
		au, _ := url.Parse(authURL)
		cb, _ := url.Parse(au.Query().Get("redirect_uri"))
		cb.RawQuery = params.Encode()
		resp, err := http.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}

	t.Run("sign in", func(t *testing.T) {
		t.Parallel()
		for name, args := range map[string][]string{
			// The mock provider is on 127.0.0.1: netguard would refuse it.
			"entry":       {"try", single, "--allow-private", "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "20s"},
			"bare config": {"try", "--factory", "oauth2", bare, "--allow-private", "--redirect-uri", "http://127.0.0.1:0/cb"},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				stdout, stderr, done := started(t, context.Background(), args...)
				authURL := waitFor(t, stderr, authURLLine, done)
				params, err := p.Approve(authURL, mockprovider.DefaultOAuth2Identities[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				status, page := finish(t, authURL, params)
				if status != http.StatusOK || !strings.Contains(page, "Return to the terminal") {
					t.Fatalf("callback page: %d %s", status, page)
				}
				if code := exitCode(t, done); code != exitOK {
					t.Fatalf("exit %d\n%s", code, stderr)
				}
				var info struct {
					ID            string          `json:"id"`
					Email         string          `json:"email"`
					EmailVerified bool            `json:"emailVerified"`
					Raw           json.RawMessage `json:"raw"`
					Tokens        any             `json:"tokens"`
				}
				if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
				}
				if info.ID != "u-1001" || info.Email != "ada@example.com" || !info.EmailVerified || len(info.Raw) == 0 || info.Tokens != nil {
					t.Fatalf("user info = %+v", info)
				}
				for _, s := range p.Secrets() {
					if strings.Contains(stdout.String()+stderr.String(), s) {
						t.Fatalf("output holds a secret %q", s)
					}
				}
			})
		}
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		_, stderr, done := started(t, context.Background(), "try", single, "--redirect-uri", "http://127.0.0.1:0/callback")
		authURL := waitFor(t, stderr, authURLLine, done)
		params, err := p.Deny(authURL)
		if err != nil {
			t.Fatal(err)
		}
		status, page := finish(t, authURL, params)
		if status != http.StatusUnauthorized || !strings.Contains(page, "Sign-in failed") {
			t.Fatalf("callback page: %d %s", status, page)
		}
		if code := exitCode(t, done); code != exitFailure {
			t.Fatalf("exit %d", code)
		}
		for _, want := range []string{"code:", "authorization_failed", "provider error:", "access_denied", "step:", "callback"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		_, stderr, done := started(t, context.Background(), "try", single, "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "300ms")
		if code := exitCode(t, done); code != exitFailure {
			t.Fatalf("exit %d", code)
		}
		if !strings.Contains(stderr.String(), "no callback arrived within 300ms") {
			t.Fatalf("stderr:\n%s", stderr)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		_, stderr, done := started(t, ctx, "try", single, "--redirect-uri", "http://127.0.0.1:0/callback")
		waitFor(t, stderr, authURLLine, done)
		cancel()
		if code := exitCode(t, done); code != exitFailure || !strings.Contains(stderr.String(), "interrupted") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("choosing the entry", func(t *testing.T) {
		t.Parallel()
		list := writeJSON(t, []any{
			map[string]any{"id": "a", "factoryId": "oauth2", "config": oauth2Config(p)},
			map[string]any{"id": "b", "factoryId": "oauth2", "config": oauth2Config(p)},
		})
		_, stderr, code := runCmd(t, "try", list, "--redirect-uri", "http://127.0.0.1:0/callback")
		if code != exitUsage || !strings.Contains(stderr, "connectorkit try: "+list+" has several social connectors (a, b): choose one with --id") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		_, stderr, code = runCmd(t, "try", list, "--id", "c", "--redirect-uri", "http://127.0.0.1:0/callback")
		if code != exitUsage || !strings.Contains(stderr, `has no connector with id "c" (it has a (oauth2), b (oauth2))`) {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		_, stderr, code = runCmd(t, "try", bare, "--redirect-uri", "http://127.0.0.1:0/callback")
		if code != exitUsage || !strings.Contains(stderr, "holds a bare config: name its factory with the FACTORY argument or --factory") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		// The entry is chosen and the config then refused: the typed error.
		_, stderr, code = runCmd(t, "try", "testdata/connectors-invalid-config.json", "--id", "kakao")
		if code != exitFailure || !strings.Contains(stderr, "field clientId:") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		// An SMS config is not a social connector.
		_, stderr, code = runCmd(t, "try", "--factory", "twilio-short-message-service", "testdata/samples/twilio-short-message-service.json")
		if code != exitFailure || !strings.Contains(stderr, "unexpected_type") || !strings.Contains(stderr, "does not build a social connector") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		// Several social connectors, none chosen.
		_, stderr, code = runCmd(t, "try", "testdata/samples/connectors.json")
		if code != exitUsage || !strings.Contains(stderr, "several social connectors (kakao, huggingface, google, acme): choose one with --id") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("bad endpoint flag", func(t *testing.T) {
		t.Parallel()
		_, stderr, code := runCmd(t, "try", single, "--endpoint", "token=http://example.com/token")
		if code != exitUsage || !strings.Contains(stderr, "must use https") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
}

func TestSendTest(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewTwilio(mockprovider.TwilioOptions{})
	base, err := p.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	cfg := twilioConfig(p)
	bare := writeJSON(t, cfg)
	list := writeJSON(t, []any{
		map[string]any{"id": "sso", "factoryId": "oauth2", "config": oauth2Config(startOAuth2Mock(t))},
		map[string]any{"id": "sms", "factoryId": "twilio-short-message-service", "config": cfg},
	})

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"bare config", []string{"send-test", bare, "--to", "+14155550100", "--endpoint", "api=" + base}, exitOK, "sent: message SM", ""},
		{"from a list, digits only", []string{"send-test", "--endpoint", "api=" + base, list, "--to", "14155550123"}, exitOK, "(1 segment, GSM-7)", ""},
		{"invalid number", []string{"send-test", bare, "--to", "12", "--endpoint", "api=" + base}, exitFailure, "", "invalid_request_parameters"},
		{"bad config", []string{"send-test", "testdata/oauth2-valid.json", "--to", "+14155550100"}, exitFailure, "", "accountSID: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, p.AuthToken()) {
				t.Fatal("the output shows the auth token")
			}
		})
	}
	out := p.Outbox()
	if len(out) != 2 {
		t.Fatalf("outbox has %d messages, want 2", len(out))
	}
	for _, m := range out {
		if !strings.Contains(m.Body, "your code is 000000") {
			t.Errorf("test message = %q", m.Body)
		}
	}
	if out[1].To != "+14155550123" {
		t.Errorf("digits-only number sent as %q", out[1].To)
	}

	t.Run("provider refuses", func(t *testing.T) {
		p.SetFailure(mockprovider.EndpointMessages, mockprovider.Failure{Mode: mockprovider.ProviderError, Code: "21608", Times: 1})
		_, stderr, code := runCmd(t, "send-test", bare, "--to", "+14155550100", "--endpoint", "api="+base)
		if code != exitFailure {
			t.Fatalf("exit %d", code)
		}
		for _, want := range []string{"provider error:", "21608", "provider status:", "400", "step:", "send"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	})
}

var openLine = regexp.MustCompile(`connectorkit demo: open (http://\S+)`)

func TestDemoCommand(t *testing.T) {
	t.Parallel()
	t.Run("mock providers", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stdout, stderr, done := started(t, ctx, "demo", "--addr", "127.0.0.1:0", "--log-format", "json")
		base := waitFor(t, stdout, openLine, done)
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Continue with Kakao") {
			t.Fatalf("GET /: %d", resp.StatusCode)
		}
		cancel()
		if code := exitCode(t, done); code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if !strings.Contains(stdout.String(), "connectorkit demo: stopped") {
			t.Fatalf("stdout:\n%s", stdout)
		}
		// JSON logs, one object a line.
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if !json.Valid([]byte(l)) {
				t.Fatalf("log line is not JSON: %s", l)
			}
		}
		if !strings.Contains(stderr.String(), `"msg":"demo listening"`) || !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
			t.Fatalf("logs:\n%s", stderr)
		}
	})
	t.Run("real providers", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		key := strings.Repeat("0f", 32)
		stdout, stderr, done := started(t, ctx, "demo", "--addr", "127.0.0.1:0", "--config", "testdata/samples/connectors.json",
			"--cookie-key", key, "--base-url", "https://demo.example.com/")
		waitFor(t, stdout, regexp.MustCompile(`connectorkit demo: open (https://demo\.example\.com)\n`), done)
		for _, want := range []string{"Redirect URIs to register", "https://demo.example.com/callback/kakao",
			"https://demo.example.com/callback/huggingface", "https://demo.example.com/callback/acme"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		cancel()
		if code := exitCode(t, done); code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("address in use", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stdout, _, done := started(t, ctx, "demo", "--addr", "127.0.0.1:0")
		base := waitFor(t, stdout, openLine, done)
		u, _ := url.Parse(base)
		_, stderr, code := runCmd(t, "demo", "--addr", u.Host)
		if code != exitFailure || !strings.Contains(stderr, "cannot listen on "+u.Host) {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
}

func TestConfigBackendRealProviders(t *testing.T) {
	t.Parallel()
	reg, _ := builtin.NewRegistry()
	entries, err := newCLI(io.Discard, io.Discard).loadConfigs(configArgs{file: "testdata/connectors.json"}, reg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := configBackend("testdata/connectors.json", entries, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Mode != "config" || len(b.Social) != 2 || b.SMS != nil || b.Outbox != nil || b.Arm != nil {
		t.Fatalf("backend = %+v", b)
	}
	if b.Social[1].ID != "sso" || b.Social[1].Meta.Target != "acme" {
		t.Fatalf("sso = %+v", b.Social[1].Meta)
	}
	key := testCookieKey()
	sealer, _ := newSealer(key, nil)
	base, _ := url.Parse("http://127.0.0.1:8080")
	s, err := newServer(serverConfig{Backend: b, Logger: discardLogger(), Sealer: sealer, FlowKeys: [][]byte{key}, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	h := s.handler()
	rec := httptestRecorder(h, http.MethodGet, "/signin/kakao")
	if rec.Code != http.StatusFound {
		t.Fatalf("status %d", rec.Code)
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if loc.Host != "kauth.kakao.com" || loc.Query().Get("redirect_uri") != "http://127.0.0.1:8080/callback/kakao" {
		t.Fatalf("redirect to %s", loc)
	}
	rec = httptestRecorder(h, http.MethodGet, "/outbox")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("outbox: %d", rec.Code)
	}
	rec = httptestRecorder(h, http.MethodGet, "/")
	if !strings.Contains(rec.Body.String(), "Real providers") || strings.Contains(rec.Body.String(), `id="sms-form"`) || strings.Contains(rec.Body.String(), "Simulate") {
		t.Fatalf("sign-in page:\n%s", rec.Body)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func httptestRecorder(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestConfigBackendProblems(t *testing.T) {
	t.Parallel()
	reg, _ := builtin.NewRegistry()
	twilioCfg := readSample(t, "testdata/samples/twilio-short-message-service.json")
	file := writeJSON(t, []any{
		map[string]any{"id": "sms1", "factoryId": "twilio-short-message-service", "config": twilioCfg},
		map[string]any{"id": "sms2", "factoryId": "twilio-short-message-service", "config": twilioCfg},
		map[string]any{"id": "k", "factoryId": "kakao-universal", "target": "other", "config": map[string]any{"clientId": "x"}},
	})
	entries, err := newCLI(io.Discard, io.Discard).loadConfigs(configArgs{file: file}, reg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = configBackend(file, entries, reg, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`[1]: is a second SMS connector (the demo uses one; "sms1" is already set)`, "[2].target: cannot be set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
