package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/oidc"
)

const testIssuer = "https://idp.example.com"

// goodDiscovery is a valid discovery document for testIssuer.
const goodDiscovery = `{"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/authorize",
"token_endpoint":"https://idp.example.com/token","jwks_uri":"https://idp.example.com/jwks",
"id_token_signing_alg_values_supported":["RS256","HS256"]}`

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// discoveryConnector opens an issuer-only connector whose client answers
// the discovery URL with responder, and counts the requests.
func discoveryConnector(t *testing.T, responder httpmock.Responder) (*oidc.Connector, *atomic.Int64, *clock) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	var n atomic.Int64
	mt.RegisterResponder(http.MethodGet, testIssuer+oidc.DiscoveryPath, func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return responder(r)
	})
	clk := &clock{t: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	c, err := oidc.New(oidc.Config{Issuer: testIssuer, ClientID: "c", ClientSecret: "s"},
		connector.WithHTTPClient(&http.Client{Transport: mt}), connector.WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	return c, &n, clk
}

func authorize(c *oidc.Connector) error {
	_, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://app.example.com/cb"})
	return err
}

func TestDiscoveryFailures(t *testing.T) {
	t.Parallel()
	html := httpmock.NewStringResponder(200, "<html><body>Sign in to the corporate proxy</body></html>")
	html = html.HeaderSet(http.Header{"Content-Type": {"text/html"}})
	for _, tt := range []struct {
		name      string
		responder httpmock.Responder
		code      connector.Code
		retryable bool
		msg       string
	}{
		{"404", httpmock.NewStringResponder(404, "not found"), connector.CodeInvalidConfig, false, "check issuer"},
		{"500", httpmock.NewStringResponder(500, `{"error":"boom"}`), connector.CodeGeneral, true, "failed"},
		{"503", httpmock.NewStringResponder(503, ""), connector.CodeGeneral, true, "failed"},
		{"429", httpmock.NewStringResponder(429, "").HeaderSet(http.Header{"Retry-After": {"30"}}), connector.CodeRateLimitExceeded, true, "rate limiting"},
		{"HTML", html, connector.CodeInvalidResponse, false, "not a valid JSON document"},
		{"garbage", httpmock.NewStringResponder(200, "\x00\x01garbage"), connector.CodeInvalidResponse, false, "not a valid JSON document"},
		{"truncated", httpmock.NewStringResponder(200, goodDiscovery[:60]), connector.CodeInvalidResponse, false, "not a valid JSON document"},
		{"array", httpmock.NewStringResponder(200, `[1,2]`), connector.CodeInvalidResponse, false, "not a valid JSON document"},
		{"duplicate issuer", httpmock.NewStringResponder(200, `{"issuer":"https://idp.example.com","issuer":"https://evil.example"}`), connector.CodeInvalidResponse, false, "more than once"},
		{"redirect", httpmock.NewStringResponder(302, "").HeaderSet(http.Header{"Location": {"https://evil.example/.well-known/openid-configuration"}}), connector.CodeInvalidResponse, false, "redirect"},
		{"other issuer", httpmock.NewStringResponder(200, strings.Replace(goodDiscovery, `"issuer":"https://idp.example.com"`, `"issuer":"https://evil.example.com"`, 1)), connector.CodeInvalidResponse, false, "is not the configured issuer"},
		{"issuer with slash", httpmock.NewStringResponder(200, strings.Replace(goodDiscovery, `"issuer":"https://idp.example.com"`, `"issuer":"https://idp.example.com/"`, 1)), connector.CodeInvalidResponse, false, "character for character"},
		{"plain http endpoint", httpmock.NewStringResponder(200, strings.Replace(goodDiscovery, `"token_endpoint":"https://`, `"token_endpoint":"http://`, 1)), connector.CodeInvalidResponse, false, "token_endpoint"},
		{"no jwks_uri", httpmock.NewStringResponder(200, strings.Replace(goodDiscovery, `"jwks_uri"`, `"jwks"`, 1)), connector.CodeInvalidResponse, false, "no jwks_uri"},
		{"only HMAC", httpmock.NewStringResponder(200, strings.Replace(goodDiscovery, `"RS256",`, ``, 1)), connector.CodeInvalidResponse, false, "no algorithm"},
		{"network", httpmock.NewErrorResponder(errors.New("connection refused")), connector.CodeGeneral, true, "unreachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := discoveryConnector(t, tt.responder)
			err := authorize(c)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != tt.code || ce.Retryable != tt.retryable || !strings.Contains(ce.Message, tt.msg) {
				t.Fatalf("got %v (retryable %v), want %s retryable=%v with %q", err, ce != nil && ce.Retryable, tt.code, tt.retryable, tt.msg)
			}
			if ce.Connector != oidc.FactoryID || ce.Step != connector.StepAuthorize {
				t.Errorf("connector %q step %q", ce.Connector, ce.Step)
			}
			if strings.Contains(err.Error(), "corporate proxy") {
				t.Errorf("provider page quoted: %v", err)
			}
		})
	}
}

// A failed discovery is retried at a later sign-in, but no sooner than
// RetryDiscoveryAfter; a success is kept for good.
func TestDiscoveryRetryFloor(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	c, n, clk := discoveryConnector(t, func(r *http.Request) (*http.Response, error) {
		if fail.Load() {
			return httpmock.NewStringResponse(503, ""), nil
		}
		return httpmock.NewStringResponse(200, goodDiscovery), nil
	})
	for range 5 {
		if err := authorize(c); connector.CodeOf(err) != connector.CodeGeneral {
			t.Fatalf("got %v", err)
		}
	}
	if n.Load() != 1 {
		t.Fatalf("%d discovery requests within the floor, want 1", n.Load())
	}
	fail.Store(false)
	if err := authorize(c); err == nil {
		t.Fatal("the kept failure was not returned within the floor")
	}
	clk.add(oidc.RetryDiscoveryAfter)
	for range 5 {
		if err := authorize(c); err != nil {
			t.Fatalf("after the floor: %v", err)
		}
	}
	if n.Load() != 2 {
		t.Errorf("%d discovery requests, want 2", n.Load())
	}
}

// Concurrent first sign-ins wait for one discovery request; a caller whose
// context ends while waiting gives up alone.
func TestDiscoveryConcurrent(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, n, _ := discoveryConnector(t, func(r *http.Request) (*http.Response, error) {
		<-release
		return httpmock.NewStringResponse(200, goodDiscovery), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Go(func() { errs <- authorize(c) })
	}
	time.Sleep(20 * time.Millisecond)
	_, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://app.example.com/cb"})
	if ce := (*connector.Error)(nil); !errors.As(err, &ce) || !ce.Retryable || !strings.Contains(ce.Message, "gave up waiting") {
		t.Errorf("impatient caller: %v", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d discovery requests, want 1", n.Load())
	}
}
