package oauthflow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

const (
	testAuthURL     = "https://id.example.com/oauth/authorize"
	testTokenURL    = "https://id.example.com/oauth/token"
	testUserInfoURL = "https://api.example.com/me"
	testClientID    = "client-123"
	testSecret      = "s3cr3t-VALUE+/="
	testCode        = "the-authorization-code-42"
	testRedirect    = "https://app.example.com/callback"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// recorded is a request as the provider received it.
type recorded struct {
	Method string
	URL    string
	Header http.Header
	Body   string
	Form   url.Values
}

// recorder captures every request a responder answers.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) wrap(next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: string(body), Form: form})
		r.mu.Unlock()
		return next(req)
	}
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("the provider received no request")
	}
	return r.reqs[len(r.reqs)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// mockProvider is an httpmock transport bound to its own client.
type mockProvider struct {
	mt     *httpmock.MockTransport
	client *http.Client
	rec    *recorder
}

func newMockProvider() *mockProvider {
	mt := httpmock.NewMockTransport()
	return &mockProvider{mt: mt, client: &http.Client{Transport: mt}, rec: &recorder{}}
}

func (m *mockProvider) token(r httpmock.Responder) {
	m.mt.RegisterResponder(http.MethodPost, testTokenURL, m.rec.wrap(r))
}

func (m *mockProvider) userinfo(method string, r httpmock.Responder) {
	m.mt.RegisterResponder(method, testUserInfoURL, m.rec.wrap(r))
}

// respond builds a responder with a status, content type, body and extra
// headers (name, value pairs).
func respond(status int, contentType, body string, headers ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.ContentLength = int64(len(body))
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			resp.Header.Set(headers[i], headers[i+1])
		}
		return resp, nil
	}
}

func jsonResp(status int, body string, headers ...string) httpmock.Responder {
	return respond(status, "application/json", body, headers...)
}

func baseConfig(p *mockProvider) Config {
	return Config{
		ConnectorID:  "test",
		ClientID:     testClientID,
		ClientSecret: testSecret,
		AuthURL:      testAuthURL,
		TokenURL:     testTokenURL,
		UserInfoURL:  testUserInfoURL,
		PKCE:         true,
		HTTPClient:   p.client,
		Now:          func() time.Time { return testNow },
	}
}

func mustNew(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// callback returns a valid callback for flow.
func callback(flow connector.FlowState) connector.Callback {
	return connector.Callback{Params: url.Values{"code": {testCode}, "state": {flow.State}}, Flow: flow}
}

func testFlow() connector.FlowState {
	return connector.FlowState{State: "st-abc", RedirectURI: testRedirect, CodeVerifier: "verifier-0123456789-0123456789-0123456789"}
}

// asError fails the test unless err is a *connector.Error with code.
func asError(t *testing.T, err error, code connector.Code) *connector.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v is not a *connector.Error", err, err)
	}
	if ce.Code != code {
		t.Fatalf("code = %s, want %s (%v)", ce.Code, code, err)
	}
	if ce.Connector != "test" && ce.Connector != "" {
		t.Errorf("connector = %q", ce.Connector)
	}
	return ce
}

// assertNoSecret fails if any rendering of v holds one of secrets.
func assertNoSecret(t *testing.T, v any, secrets ...string) {
	t.Helper()
	renders := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v)}
	if err, ok := v.(error); ok {
		renders = append(renders, err.Error())
	}
	for _, r := range renders {
		for _, s := range secrets {
			if s != "" && strings.Contains(r, s) {
				t.Errorf("output reveals a secret %q: %s", s, r)
			}
		}
	}
}
