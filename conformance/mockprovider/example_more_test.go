package mockprovider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// Bind serves several mocks through one client, as a host that talks to
// more than one provider does: here a userinfo request without a token at
// each, and a request to a host no mock serves.
func ExampleBind() {
	github := mockprovider.NewOAuth2(mockprovider.OAuth2Options{Name: "github"})
	google := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	client := &http.Client{}
	mockprovider.Bind(client, github, google)

	for _, u := range []string{github.URL(mockprovider.EndpointUserInfo), google.URL(mockprovider.EndpointUserInfo)} {
		resp, err := client.Get(u)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(u, resp.StatusCode)
	}
	_, err := client.Get("https://example.com/")
	fmt.Println("other hosts refused:", err != nil)
	// Output:
	// https://github.mock.test/userinfo 401
	// https://oidc.mock.test/userinfo 401
	// other hosts refused: true
}

// FlatProfile is the generic mock's userinfo document; empty fields are
// left out.
func ExampleFlatProfile() {
	doc, _ := json.Marshal(mockprovider.FlatProfile(mockprovider.Identity{
		ID: "u-2001", Name: "Hedy Lamarr", Username: "hedy", Email: "hedy@example.com", EmailVerified: true,
	}))
	fmt.Println(string(doc))
	// Output:
	// {"email":"hedy@example.com","email_verified":true,"id":"u-2001","name":"Hedy Lamarr","preferred_username":"hedy"}
}

// With Revocation the generic mock serves an RFC 7009 revoke endpoint,
// which takes the client's credentials as the token endpoint does and
// records what it revoked.
func ExampleNewOAuth2_revocation() {
	p := mockprovider.NewOAuth2(mockprovider.OAuth2Options{Revocation: true})
	fmt.Println(p.URL(mockprovider.EndpointRevoke))

	revoke := func(clientSecret string) int {
		req, _ := http.NewRequest(http.MethodPost, p.URL(mockprovider.EndpointRevoke), strings.NewReader(url.Values{
			"token": {"an-access-token"}, "token_type_hint": {"access_token"},
			"client_id": {p.ClientID()}, "client_secret": {clientSecret},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := p.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(revoke(p.ClientSecret()), len(p.Revoked()))
	fmt.Println(revoke("wrong-secret"), len(p.Revoked()))
	// Output:
	// https://oauth2.mock.test/revoke
	// 200 1
	// 401 1
}
