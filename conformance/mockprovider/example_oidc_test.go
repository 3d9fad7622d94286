package mockprovider_test

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// An OpenID Connect provider: its issuer is its base URL, and the discovery
// document at the issuer's /.well-known/openid-configuration names the
// other endpoints. With IssParameter every authorization response carries
// iss (RFC 9207).
func ExampleNewOIDC() {
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Algorithm: "ES256", IssParameter: true})
	fmt.Println(p.Issuer())
	fmt.Println(p.URL(mockprovider.EndpointDiscovery))

	resp, err := p.Client().Get(p.URL(mockprovider.EndpointDiscovery))
	if err != nil {
		panic(err)
	}
	var doc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	fmt.Println(doc.Issuer == p.Issuer(), doc.JWKSURI, doc.Algs)

	cb, _ := p.Approve(p.URL(mockprovider.EndpointAuthorize)+"?"+url.Values{
		"client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"xyz"}, "nonce": {"n-1"},
	}.Encode(), "")
	fmt.Println(cb.Get("state"), cb.Get("iss"))
	// Output:
	// https://oidc.mock.test
	// https://oidc.mock.test/.well-known/openid-configuration
	// true https://oidc.mock.test/jwks [ES256]
	// xyz https://oidc.mock.test
}
