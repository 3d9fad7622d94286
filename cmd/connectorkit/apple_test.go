package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// approveApple plays the person on the Apple mock's page (identity, or
// cancel when ""), and returns the form Apple's answer page posts to the
// demo's callback: its action and fields. The answer page comes from the
// mock, not the demo: it is read with the client directly (it holds the
// code and the id_token, as Apple's does).
func (d *testDemo) approveApple(c *http.Client, identity string) (string, url.Values) {
	d.t.Helper()
	action, request := d.authorizePage(c, "apple")
	form := url.Values{"request": {request}}
	if identity == "" {
		form.Set("cancel", "1")
	} else {
		form.Set("identity", identity)
	}
	resp, err := c.PostForm(action, form)
	if err != nil {
		d.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	m := formAction.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(page, "document.forms[0].submit()") {
		d.t.Fatalf("the Apple mock did not answer with a form_post page: status %d\n%s", resp.StatusCode, page)
	}
	fields := url.Values{}
	for _, f := range hiddenField.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), fields
}

// TestDemoApple signs in with Apple on the mock: the form_post callback,
// the id_token verified, the code exchanged with the client secret, the
// name of the first sign-in, the private relay flag.
func TestDemoApple(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	ids := mockprovider.DefaultAppleIdentities
	tests := []struct {
		name     string
		identity mockprovider.Identity
		want     []string
		not      []string
	}{
		{"verified email", ids[0], []string{`id="user-email">ada@example.com<`, `id="email-verified"`, `id="user-name">Ada Lovelace<`,
			`id="user-private">no<`, `"real_user_status": 2`, "Signed in with Apple"}, []string{`id="email-unverified"`}},
		{"claims as strings", ids[1], []string{`id="user-email">alan@example.com<`, `id="email-verified"`, `"email_verified": "true"`}, nil},
		{"private relay", ids[2], []string{`id="user-email">x7k2m9qp4r@privaterelay.appleid.com<`, `id="user-private"><span class="badge badge-info">yes, a relay address<`}, nil},
		{"unverified email", ids[3], []string{`id="user-email">charles@example.com<`, `id="email-unverified"`}, []string{`id="email-verified"`}},
		{"no email", ids[4], []string{`id="user-email-none"`, `id="user-name">Katherine Johnson<`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := d.browser()
			action, fields := d.approveApple(c, tt.identity.ID)
			if !strings.HasSuffix(action, "/callback/apple") || fields.Get("id_token") == "" || fields.Get("code") == "" {
				t.Fatalf("form_post to %s with %v", action, fields)
			}
			resp, body := d.post(c, action, fields)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", resp.StatusCode, body)
			}
			mustContain(t, body, append(tt.want, `id="user-id">`+tt.identity.ID+`<`)...)
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("page contains %q", n)
				}
			}
			// The flow cookie is single use: the same POST again fails.
			resp, body = d.post(c, action, url.Values{"state": fields["state"], "code": fields["code"],
				"id_token": fields["id_token"]})
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "state_mismatch") {
				t.Errorf("replayed callback: status %d", resp.StatusCode)
			}
		})
	}
}

// TestDemoAppleFormPost: Apple's cross-site POST carries the flow cookie
// (SameSite=None; Secure, which a browser sends to http://127.0.0.1) and
// signs in; without it the callback is refused, and the state check
// refuses a POST from another flow.
func TestDemoAppleFormPost(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	c := d.browser()
	action, fields := d.approveApple(c, mockprovider.DefaultAppleIdentities[0].ID)
	crossSite := func(c *http.Client, form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://appleid.apple.com")
		return d.do(c, req)
	}

	// Without the cookie: refused, nothing relayed.
	resp, body := crossSite(d.browser(), fields)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no cookie: status %d\n%s", resp.StatusCode, body)
	}
	mustBeNoFlowPage(t, body, "apple", "Apple")
	// With it, Apple's cross-site POST signs in.
	resp, body = crossSite(c, fields)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the cookie: status %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `id="user-id">`+mockprovider.DefaultAppleIdentities[0].ID+`<`)

	// Login CSRF: another browser's Apple answer posted into this
	// browser's flow is refused by the state check, before any request.
	victim := d.browser()
	_, _ = d.approveApple(victim, mockprovider.DefaultAppleIdentities[1].ID) // the victim's flow cookie
	_, attacker := d.approveApple(d.browser(), mockprovider.DefaultAppleIdentities[3].ID)
	tokens := d.b.mocks["apple"].Requests(mockprovider.EndpointToken)
	req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(attacker.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, body = d.do(victim, req)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another flow's answer: status %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `id="error-code">state_mismatch<`)
	if n := d.b.mocks["apple"].Requests(mockprovider.EndpointToken); n != tokens {
		t.Errorf("the forged callback reached Apple's token endpoint")
	}
}

func TestDemoAppleFailures(t *testing.T) {
	t.Parallel()
	d := newTestDemo(t)
	t.Run("cancel", func(t *testing.T) {
		c := d.browser()
		action, fields := d.approveApple(c, "")
		resp, body := d.post(c, action, fields)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mustContain(t, body, `id="error-code">authorization_failed<`, "user_cancelled_authorize")
	})
	for _, tt := range []struct {
		failure string
		status  int
		want    []string
	}{
		{"apple|case-id_token_WrongNonce", http.StatusUnauthorized, []string{`id="error-code">social_invalid_id_token<`, "Nonce: does not match the flow's nonce"}},
		{"apple|case-id_token_AlgNone", http.StatusUnauthorized, []string{`id="error-code">social_invalid_id_token<`, "Alg: none is never accepted"}},
		{"apple|case-id_token_Expired", http.StatusUnauthorized, []string{"social_invalid_id_token", "Exp: the id_token expired"}},
		{"apple|case-token_response_id_token_BadSignature", http.StatusUnauthorized, []string{`id="error-code">social_invalid_id_token<`, "(in the token response's id_token)"}},
		{"apple|token-invalid-grant", http.StatusUnauthorized, []string{`id="error-code">social_auth_code_invalid<`, "invalid_grant", "token_exchange"}},
	} {
		t.Run(tt.failure, func(t *testing.T) {
			// Not parallel: an armed failure hits the mock's next request.
			c := d.browser()
			resp, body := d.post(c, "/mock/fail", url.Values{"failure": {tt.failure}})
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="armed"`) {
				t.Fatalf("arming: status %d\n%s", resp.StatusCode, body)
			}
			action, fields := d.approveApple(c, mockprovider.DefaultAppleIdentities[0].ID)
			resp, body = d.post(c, action, fields)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			mustContain(t, body, tt.want...)
		})
	}
}

var waitingLine = regexp.MustCompile(`Waiting for the callback on (http://\S+?)[ ]`)

// TestTryApple: "connectorkit try" signs in with a Sign in with Apple
// config: Apple's form POST reaches the local callback, the id_token is
// verified and the code exchanged. With --public-url the provider is sent
// the tunnel's https URL while the command listens locally.
func TestTryApple(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewApple(mockprovider.AppleOptions{TeamID: demoAppleTeamID, KeyID: demoAppleKeyID, ClientKey: &demoAppleKey().PublicKey})
	if _, err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	cfg := writeJSON(t, map[string]any{"id": "apple", "factoryId": "apple-universal", "config": appleConfig(p)})
	args := []string{"try", cfg, "--allow-private", "--redirect-uri", "http://127.0.0.1:0/callback", "--timeout", "20s",
		"--endpoint", "authorization=" + p.URL(mockprovider.EndpointAuthorize),
		"--endpoint", "token=" + p.URL(mockprovider.EndpointToken),
		"--endpoint", "keys=" + p.URL(mockprovider.EndpointJWKS)}

	for name, tc := range map[string]struct {
		extra    []string
		identity mockprovider.Identity
		path     string // where the tunnel delivers, "" for the redirect URI itself
	}{
		"local redirect URI": {nil, mockprovider.DefaultAppleIdentities[0], ""},
		"through a tunnel":   {[]string{"--public-url", "https://signin-test.example.com/apple/cb"}, mockprovider.DefaultAppleIdentities[2], "/apple/cb"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, done := started(t, context.Background(), append(slices.Clone(args), tc.extra...)...)
			authURL := waitFor(t, stderr, authURLLine, done)
			local := waitFor(t, stderr, waitingLine, done)
			params, err := p.Approve(authURL, tc.identity.ID)
			if err != nil {
				t.Fatal(err)
			}
			au, _ := url.Parse(authURL)
			target := au.Query().Get("redirect_uri")
			if tc.path != "" {
				if target != tc.extra[1] {
					t.Fatalf("redirect_uri = %q, want the public URL", target)
				}
				lu, _ := url.Parse(local)
				lu.Path = tc.path
				target = lu.String()
			}
			resp, err := http.PostForm(target, params)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Signed in with Apple") {
				t.Fatalf("callback page: %d %s", resp.StatusCode, page)
			}
			if code := exitCode(t, done); code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			var info struct {
				ID           string          `json:"id"`
				Email        string          `json:"email"`
				PrivateEmail bool            `json:"privateEmail"`
				Name         string          `json:"name"`
				Raw          json.RawMessage `json:"raw"`
				Tokens       any             `json:"tokens"`
			}
			if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if info.ID != tc.identity.ID || info.Email != tc.identity.Email || info.PrivateEmail != tc.identity.PrivateEmail ||
				info.Name != tc.identity.Name || len(info.Raw) == 0 || info.Tokens != nil {
				t.Fatalf("user info = %+v", info)
			}
			out := stdout.String() + stderr.String()
			for _, s := range p.Secrets() {
				if strings.Contains(out, s) {
					t.Fatalf("output holds a secret (%d bytes)", len(s))
				}
			}
			if strings.Contains(out, "PRIVATE KEY") {
				t.Fatal("output holds the private key")
			}
		})
	}
	t.Run("bad public URL", func(t *testing.T) {
		t.Parallel()
		_, stderr, code := runCmd(t, "try", cfg, "--public-url", "http://signin-test.example.com/cb")
		if code != exitUsage || !strings.Contains(stderr, "--public-url must be an https URL") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})
}
