package netguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/netguard"
)

// A tenant points its oauth2 connector's token endpoint at the cloud
// metadata service. With the guarded client the sign-in fails before a
// connection is made, with an error that says why and names no URL.
func Example() {
	tenantConfig := json.RawMessage(`{
	  "authorizationEndpoint": "https://auth.tenant.example/authorize",
	  "tokenEndpoint": "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
	  "userInfoEndpoint": "https://auth.tenant.example/userinfo",
	  "clientId": "tenant-app",
	  "clientSecret": "tenant-secret",
	  "profileMap": {"id": "sub"}
	}`)
	reg, err := builtin.NewRegistry()
	if err != nil {
		log.Fatal(err)
	}
	c, err := reg.OpenSocial("oauth2", tenantConfig, connector.WithHTTPClient(netguard.NewClient()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example/callback"})
	if err != nil {
		log.Fatal(err)
	}
	callback := url.Values{"code": {"c0de"}, "state": {auth.Flow.State}}
	_, err = c.UserInfo(ctx, connector.Callback{Params: callback, Flow: auth.Flow})

	var fe *netguard.ForbiddenAddressError
	if errors.Is(err, netguard.ErrForbiddenAddress) && errors.As(err, &fe) {
		fmt.Println(fe)
	}
	// Output:
	// netguard: refusing to connect to 169.254.169.254 (link-local address)
}

// A multi-tenant host builds one guarded client and opens every tenant's
// connector with it. On the callback, a refusal is the tenant's
// configuration to fix, not an outage.
func ExampleNewClient() {
	reg, err := builtin.NewRegistry()
	if err != nil {
		log.Fatal(err)
	}
	client := netguard.NewClient() // once: it holds the connection pool

	tenantConfig := json.RawMessage(`{
	  "authorizationEndpoint": "https://auth.tenant.example/authorize",
	  "tokenEndpoint": "https://auth.tenant.example/token",
	  "userInfoEndpoint": "https://auth.tenant.example/userinfo",
	  "clientId": "tenant-app",
	  "clientSecret": "tenant-secret",
	  "profileMap": {"id": "sub", "email": "email"}
	}`)
	c, err := reg.OpenSocial("oauth2", tenantConfig,
		connector.WithHTTPClient(client), connector.WithInstanceID("tenant-42/oauth2"))
	if err != nil {
		log.Fatal(err)
	}

	// In the callback handler, with the flow state kept since the redirect:
	handleCallback := func(w http.ResponseWriter, r *http.Request, flow connector.FlowState) {
		info, err := c.UserInfo(r.Context(), connector.Callback{Params: r.URL.Query(), Flow: flow})
		switch {
		case errors.Is(err, netguard.ErrForbiddenAddress):
			http.Error(w, "this sign-in method points at a private address: ask your administrator to fix it", http.StatusBadGateway)
			return
		case err != nil:
			http.Error(w, "sign-in failed", connector.HTTPStatus(err))
			return
		}
		fmt.Fprintln(w, "signed in as", info.ID)
	}
	_ = handleCallback
}

// Allowed judges one address under the default policy.
func ExampleAllowed() {
	for _, s := range []string{"8.8.8.8", "169.254.169.254", "::ffff:127.0.0.1", "64:ff9b::a00:5", "2606:4700::1111"} {
		if err := netguard.Allowed(netip.MustParseAddr(s)); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(s, "allowed")
	}
	// Output:
	// 8.8.8.8 allowed
	// netguard: refusing to connect to 169.254.169.254 (link-local address)
	// netguard: refusing to connect to ::ffff:127.0.0.1 (loopback address 127.0.0.1 in IPv4-mapped form)
	// netguard: refusing to connect to 64:ff9b::a00:5 (private address 10.0.0.5 in NAT64 form)
	// 2606:4700::1111 allowed
}

// A host whose own identity provider runs on one internal network allows
// that range, and only that one.
func ExamplePolicy_Check() {
	p := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	for _, s := range []string{"10.20.0.7", "10.30.0.7", "169.254.169.254"} {
		fmt.Println(s, p.Check(netip.MustParseAddr(s)) == nil)
	}
	// Output:
	// 10.20.0.7 true
	// 10.30.0.7 false
	// 169.254.169.254 false
}

// The guarded client, with one internal range allowed, for every
// connector the host opens.
func ExamplePolicy_Client() {
	guard := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	client := guard.Client()

	reg, err := builtin.NewRegistry()
	if err != nil {
		log.Fatal(err)
	}
	config := json.RawMessage(`{
	  "authorizationEndpoint": "https://keycloak.corp.example/realms/staff/protocol/openid-connect/auth",
	  "tokenEndpoint": "https://keycloak.corp.example/realms/staff/protocol/openid-connect/token",
	  "userInfoEndpoint": "https://keycloak.corp.example/realms/staff/protocol/openid-connect/userinfo",
	  "clientId": "id-server",
	  "clientSecret": "secret",
	  "profileMap": {"id": "sub"}
	}`)
	c, err := reg.OpenSocial("oauth2", config, connector.WithHTTPClient(client), connector.WithTarget("keycloak"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Metadata().Target)
	// Output:
	// keycloak
}

// A host that builds its own transport wraps its dialer. Every connection
// of the transport must go through it: no proxy, no DialTLSContext.
func ExamplePolicy_Wrap() {
	dialer := netguard.Policy{}.Wrap(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second})
	tr := &http.Transport{
		DialContext:         dialer.DialContext, // and no Proxy, DialTLSContext or Dial
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	// Refused before the connection is made.
	_, err := client.Get("http://127.0.0.1:8080/admin")
	fmt.Println(errors.Is(err, netguard.ErrForbiddenAddress))
	// Output:
	// true
}

// Control fits the Control field of a net.Dialer literal, for code that
// builds the dialer itself. (Policy.Wrap also keeps an existing hook.)
func ExamplePolicy_Control() {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: netguard.Policy{}.Control}
	_, err := d.DialContext(context.Background(), "tcp", "169.254.169.254:80")
	fmt.Println(err)
	// Output:
	// dial tcp 169.254.169.254:80: netguard: refusing to connect to 169.254.169.254 (link-local address)
}

// The error says which address was refused and why; errors.As finds it
// inside a connector's error or a *url.Error.
func ExampleForbiddenAddressError() {
	err := fmt.Errorf("token request: %w", netguard.Allowed(netip.MustParseAddr("2002:a9fe:a9fe::1")))
	var fe *netguard.ForbiddenAddressError
	if errors.As(err, &fe) {
		fmt.Println(fe.Addr, fe.Category, fe.Embedded)
	}
	fmt.Println(errors.Is(err, netguard.ErrForbiddenAddress))
	// Output:
	// 2002:a9fe:a9fe::1 link-local 169.254.169.254
	// true
}
