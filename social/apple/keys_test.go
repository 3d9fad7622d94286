package apple_test

import (
	"context"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/social/apple"
)

// mockApple is the conformance kit's Apple mock on clk, and the options
// that point a connector at it.
func mockApple(clk *clock) (*mockprovider.Apple, []connector.Option) {
	p := mockprovider.NewApple(mockprovider.AppleOptions{ClientID: testClientID, Now: clk.Now})
	return p, []connector.Option{
		connector.WithHTTPClient(p.Client()), connector.WithClock(clk.Now),
		connector.WithEndpoint(apple.EndpointAuthorization, p.URL(mockprovider.EndpointAuthorize)),
		connector.WithEndpoint(apple.EndpointToken, p.URL(mockprovider.EndpointToken)),
		connector.WithEndpoint(apple.EndpointKeys, p.URL(mockprovider.EndpointJWKS)),
	}
}

// signInAt runs one whole web sign-in on the mock.
func signInAt(tb testing.TB, p *mockprovider.Apple, c *apple.Connector) *connector.UserInfo {
	tb.Helper()
	ctx := context.Background()
	a, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect})
	if err != nil {
		tb.Fatal(err)
	}
	params, err := p.Approve(a.URL, "")
	if err != nil {
		tb.Fatal(err)
	}
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: a.Flow})
	if err != nil {
		tb.Fatal(err)
	}
	return info
}

// TestKeyFetches: Apple's keys are fetched once for 1,000 sign-ins, once
// more when Apple rotates them, and not again after.
func TestKeyFetches(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p, opts := mockApple(clk)
	c, err := apple.New(webConfig(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Requests(mockprovider.EndpointJWKS); n != 0 {
		t.Fatalf("opening fetched the keys %d times", n)
	}
	for range 1000 {
		signInAt(t, p, c)
	}
	if n := p.Requests(mockprovider.EndpointJWKS); n != 1 {
		t.Fatalf("%d key fetches for 1,000 sign-ins, want 1", n)
	}
	clk.Advance(time.Hour)
	p.RotateKey(false) // the old key is gone: only the new one signs
	for range 100 {
		signInAt(t, p, c)
	}
	if n := p.Requests(mockprovider.EndpointJWKS); n != 2 {
		t.Fatalf("%d key fetches after a rotation, want exactly 2", n)
	}
}

// TestKeyFetchesShared: a thousand connectors built from one key set (a
// host with an Apple connector per tenant) fetch Apple's keys once.
func TestKeyFetchesShared(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p, opts := mockApple(clk)
	ks, err := apple.NewKeySet(connector.WithHTTPClient(p.Client()), connector.WithClock(clk.Now),
		connector.WithEndpoint(apple.EndpointKeys, p.URL(mockprovider.EndpointJWKS)))
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		c, err := ks.New(webConfig(), opts[:len(opts)-1]...) // every option but the keys endpoint
		if err != nil {
			t.Fatal(err)
		}
		signInAt(t, p, c)
	}
	if n := p.Requests(mockprovider.EndpointJWKS); n != 1 || ks.Stats().Fetches != 1 {
		t.Fatalf("%d key fetches for 1,000 connectors sharing a key set, want 1", n)
	}
}

// BenchmarkSignIn is a whole web sign-in on the mock, without the client
// secret; it reports Apple key fetches per 1,000 sign-ins.
func BenchmarkSignIn(b *testing.B) {
	clk := newClock()
	p, opts := mockApple(clk)
	c, err := apple.New(webConfig(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		signInAt(b, p, c)
	}
	b.ReportMetric(float64(p.Requests(mockprovider.EndpointJWKS))*1000/float64(b.N), "key-fetches/1000-signins")
}
