// Package providertest is the recording mock provider of the connectors'
// unit tests: an httpmock transport bound to its own *http.Client (never the
// global transport) that answers canned responses and keeps every request it
// received, body parsed as a form, for the tests' assertions on the wire.
//
//	p := providertest.New(t)
//	p.On("POST", tokenURL, 200, `{"access_token":"at"}`)
//	c, _ := kakao.Open(cfg, connector.WithHTTPClient(p.Client))
//	// ... sign in, then:
//	form := p.Requests()[0].Form
//
// The conformance kit's mockprovider plays whole providers; this is for
// asserting exact requests and answering exact bytes.
package providertest

import (
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
)

// Request is one request the provider received, with its body read.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Form   url.Values
}

// Provider is a recording mock bound to Client. It is safe for concurrent
// use.
type Provider struct {
	MT     *httpmock.MockTransport
	Client *http.Client

	mu   sync.Mutex
	reqs []Request
}

// New returns a provider whose unregistered routes fail the test.
func New(t testing.TB) *Provider {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	})
	return &Provider{MT: mt, Client: &http.Client{Transport: mt}}
}

// On answers method and URL with status and body (as JSON unless header,
// pairs of name and value, sets another Content-Type) and records each
// request.
func (p *Provider) On(method, u string, status int, body string, header ...string) {
	p.MT.RegisterResponder(method, u, func(req *http.Request) (*http.Response, error) {
		rec := Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
		if req.Body != nil {
			b, _ := io.ReadAll(req.Body)
			rec.Form, _ = url.ParseQuery(string(b))
		}
		p.mu.Lock()
		p.reqs = append(p.reqs, rec)
		p.mu.Unlock()
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	})
}

// Requests returns a copy of the requests received so far, in order.
func (p *Provider) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}
