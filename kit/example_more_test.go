package kit_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// Shared code (option resolution, config decoding) cannot know which
// connector called it; the connector names itself on the error, which is
// left unchanged for every other caller.
func ExampleAttribute() {
	_, err := kit.ResolveOptions(connector.WithClock(nil))
	fmt.Println(err)
	fmt.Println(kit.Attribute(err, "sms-tenant-7"))

	// Wrapped, the message is kept and the *connector.Error inside is named.
	wrapped := kit.Attribute(fmt.Errorf("open tenant 7: %w", err), "sms-tenant-7")
	var ce *connector.Error
	if errors.As(wrapped, &ce) {
		fmt.Printf("%s | %s %s\n", wrapped, ce.Connector, ce.Code)
	}
	var original *connector.Error
	if errors.As(err, &original) {
		fmt.Printf("original: %q\n", original.Connector)
	}
	// Output:
	// config: invalid_config: invalid option: WithClock: clock is nil
	// connector sms-tenant-7: config: invalid_config: invalid option: WithClock: clock is nil
	// open tenant 7: config: invalid_config: invalid option: WithClock: clock is nil | sms-tenant-7 invalid_config
	// original: ""
}

// The default client is shared, bounded in time and never
// http.DefaultClient. A host that needs another pool size clones its
// transport rather than changing the shared one.
func ExampleDefaultHTTPClient() {
	c := kit.DefaultHTTPClient()
	tr := c.Transport.(*http.Transport)
	fmt.Printf("timeout=%s tls=%s header=%s idle/host=%d\n", c.Timeout, tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, tr.MaxIdleConnsPerHost)
	fmt.Println("shared:", c == kit.DefaultHTTPClient(), "http.DefaultClient:", c == http.DefaultClient)

	burst := tr.Clone() // SMS bursts of up to 64 concurrent sends
	burst.MaxIdleConnsPerHost = 64
	sms := &http.Client{Transport: burst, Timeout: 15 * time.Second} // connector.WithHTTPClient(sms)
	fmt.Println(sms.Timeout, burst.MaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	// Output:
	// timeout=30s tls=10s header=20s idle/host=16
	// shared: true http.DefaultClient: false
	// 15s 64 16
}

// Plain http is allowed only to loopback hosts (local mocks, the demo
// server). IsLoopbackHost takes a host name, as url.URL.Hostname returns
// it: no port, no brackets.
func ExampleIsLoopbackHost() {
	for _, raw := range []string{
		"http://127.0.0.1:8081/token", "http://localhost:3000/token", "http://[::1]:8080/token",
		"http://idp.localhost/token", "http://127.0.0.1.nip.io/token", "http://example.com/token",
	} {
		u, _ := url.Parse(raw)
		fmt.Println(u.Hostname(), kit.IsLoopbackHost(u.Hostname()))
	}
	fmt.Println(kit.IsLoopbackHost("[::1]:8080")) // url.URL.Host, not Hostname
	// Output:
	// 127.0.0.1 true
	// localhost true
	// ::1 true
	// idp.localhost true
	// 127.0.0.1.nip.io false
	// example.com false
	// false
}
