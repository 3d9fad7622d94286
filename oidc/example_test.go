package oidc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oidc"
)

// The short form: the issuer alone. The discovery document is read at the
// first sign-in through the injected client (here bound to a mock
// provider), and kept.
func ExampleNew() {
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{IssParameter: true})
	c, err := oidc.New(oidc.Config{Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: connector.Secret(p.ClientSecret())},
		connector.WithHTTPClient(p.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/oidc"})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse(auth.URL)
	q := u.Query()
	fmt.Println(u.Host, q.Get("scope"), q.Get("code_challenge_method"), q.Get("nonce") != "")

	// The browser signs in; the provider redirects back with code, state
	// and iss. The host passes the callback's query and the flow state.
	params, _ := p.Approve(auth.URL, "")
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID, info.Email, info.EmailVerified)
	fmt.Println("discovery requests:", p.Requests(mockprovider.EndpointDiscovery))
	// Output:
	// oidc.mock.test openid profile email S256 true
	// 248289761001 ada@example.com true
	// discovery requests: 1
}

// A config pasted from a Logto console: explicit endpoints and
// idTokenVerificationConfig; no discovery request is made.
func ExampleOpen() {
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	raw := json.RawMessage(`{
		"clientId": "` + p.ClientID() + `",
		"clientSecret": "` + p.ClientSecret() + `",
		"scope": "openid profile email phone",
		"authorizationEndpoint": "https://oidc.mock.test/authorize",
		"tokenEndpoint": "https://oidc.mock.test/token",
		"userInfoEndpoint": "https://oidc.mock.test/userinfo",
		"idTokenVerificationConfig": {"jwksUri": "https://oidc.mock.test/jwks", "issuer": "https://oidc.mock.test"},
		"authRequestOptionalConfig": {"prompt": "select_account"}
	}`)
	c, err := oidc.Open(raw, connector.WithHTTPClient(p.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	auth, _ := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/oidc"})
	u, _ := url.Parse(auth.URL)
	fmt.Println(u.Query().Get("prompt"))

	// Alan's provider sends email_verified as the string "true".
	params, _ := p.Approve(auth.URL, "248289761002")
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Name, info.Email, info.EmailVerified, info.Phone, info.PhoneVerified)
	fmt.Println("discovery requests:", p.Requests(mockprovider.EndpointDiscovery))
	// Output:
	// select_account
	// Alan Turing alan@example.com true +14155550102 true
	// discovery requests: 0
}

// Factory registers oidc in a registry; a host may open several
// instances, each with its own target.
func ExampleFactory() {
	reg, _ := connector.NewRegistry(oidc.Factory())
	c, err := reg.OpenSocial(oidc.FactoryID, json.RawMessage(`{"issuer":"https://accounts.google.com","clientId":"abc.apps.googleusercontent.com","clientSecret":"s"}`),
		connector.WithTarget("google"), connector.WithInstanceID("oidc-google"))
	fmt.Println(c.Metadata().Target, err)
	// Output:
	// google <nil>
}
