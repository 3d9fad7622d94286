package mockprovider

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %q", a.status, err, a.body)
	}
	return m
}

// call sends a request; form is sent as a form body when not nil.
func call(t *testing.T, c *http.Client, method, u string, form url.Values, header map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", method, u, err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// authURL builds an authorization URL for p.
func authURL(p SocialProvider, extra url.Values) string {
	q := url.Values{
		"client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"},
		"response_type": {"code"}, "state": {"state-123"},
	}
	for k, v := range extra {
		if v == nil {
			delete(q, k)
		} else {
			q[k] = v
		}
	}
	return p.URL(EndpointAuthorize) + "?" + q.Encode()
}

const testVerifier = "verifier-0123456789-0123456789-0123456789-0123456789"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// codeFor approves authURL and returns the code.
func codeFor(t *testing.T, p SocialProvider, u, identity string) string {
	t.Helper()
	cb, err := p.Approve(u, identity)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if cb.Get("code") == "" {
		t.Fatalf("Approve gave no code: %v", cb)
	}
	return cb.Get("code")
}

// tokenForm is a client_secret_post token request for code.
func tokenForm(p SocialProvider, code string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example.com/cb"},
		"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()},
	}
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decoding: %v", err)
	}
}
