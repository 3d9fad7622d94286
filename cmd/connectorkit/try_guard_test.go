package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// tryCallback approves the sign-in at the mock provider and delivers the
// provider's redirect to try's local callback, as a browser would; it
// returns the status of the page try answers with.
func tryCallback(t *testing.T, p *mockprovider.OAuth2, authURL string) int {
	t.Helper()
	params, err := p.Approve(authURL, mockprovider.DefaultOAuth2Identities[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	au, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := url.Parse(au.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	cb.RawQuery = params.Encode()
	resp, err := http.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestTryGuard checks that try sends the provider requests through the
// netguard client unless --allow-private is given: a config whose token
// endpoint is on 127.0.0.1 fails with a message naming netguard and the
// flag, before any request reaches the provider's token endpoint; with the
// flag the same sign-in succeeds.
func TestTryGuard(t *testing.T) {
	t.Parallel()
	p := startOAuth2Mock(t)
	entry := map[string]any{"id": "acme", "factoryId": "oauth2", "target": "acme", "config": oauth2Config(p)}
	single := writeJSON(t, entry)

	t.Run("refused by default", func(t *testing.T) {
		// Not parallel with "allowed": it counts the token requests.
		stdout, stderr, done := started(t, context.Background(), "try", single, "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "20s")
		authURL := waitFor(t, stderr, authURLLine, done)
		if status := tryCallback(t, p, authURL); status < 400 {
			t.Fatalf("callback page status %d, want a failure", status)
		}
		if code := exitCode(t, done); code != exitFailure {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		for _, want := range []string{
			"connectorkit try: the token endpoint resolves to an address",
			"step:",
			"netguard: refusing to connect to 127.0.0.1 (loopback address)",
			"hint:",
			"run again with --allow-private",
		} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if stdout.String() != "" {
			t.Errorf("stdout: %s", stdout)
		}
		if n := p.Requests(mockprovider.EndpointToken); n != 0 {
			t.Errorf("the token endpoint got %d requests", n)
		}
		for _, s := range p.Secrets() {
			if strings.Contains(stdout.String()+stderr.String(), s) {
				t.Fatalf("output holds a secret %q", s)
			}
		}
	})

	t.Run("allowed with --allow-private", func(t *testing.T) {
		stdout, stderr, done := started(t, context.Background(), "try", single, "--allow-private", "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "20s")
		authURL := waitFor(t, stderr, authURLLine, done)
		if status := tryCallback(t, p, authURL); status != http.StatusOK {
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
		if strings.Contains(stderr.String(), "netguard") {
			t.Errorf("stderr mentions netguard:\n%s", stderr)
		}
	})
}

// TestTryHelpAllowPrivate checks that try's help documents the guard and
// the flag that turns it off.
func TestTryHelpAllowPrivate(t *testing.T) {
	t.Parallel()
	stdout, _, code := runCmd(t, "try", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"-allow-private", "netguard", "169.254.169.254", "local Keycloak"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, stdout)
		}
	}
}
