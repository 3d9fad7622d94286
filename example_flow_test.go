package connector_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// A whole sign-in, as a host drives it: open a connector from the config an
// administrator pasted, redirect with a flow state the host keeps, and finish
// on the callback. Here the provider is a mock and the browser's part is
// played by Approve.
func ExampleRegistry_OpenSocial() {
	provider := mockprovider.NewOAuth2(mockprovider.OAuth2Options{ClientID: "demo", ClientSecret: "s3cret"})
	rawConfig := json.RawMessage(`{
		"authorizationEndpoint": "` + provider.URL(mockprovider.EndpointAuthorize) + `",
		"tokenEndpoint": "` + provider.URL(mockprovider.EndpointToken) + `",
		"userInfoEndpoint": "` + provider.URL(mockprovider.EndpointUserInfo) + `",
		"clientId": "demo", "clientSecret": "s3cret", "scope": "profile email",
		"profileMap": {"emailVerified": "email_verified"}
	}`)

	reg, _ := builtin.NewRegistry()
	social, err := reg.OpenSocial("oauth2", rawConfig, connector.WithHTTPClient(provider.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	// 1. The redirect: keep auth.Flow with the session (plain JSON).
	auth, _ := social.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback"})
	kept, _ := json.Marshal(auth.Flow)

	// The browser signs in at the provider and comes back with ?code=...&state=...
	callback, _ := provider.Approve(auth.URL, "")

	// 2. The callback, possibly on another replica of the host.
	var flow connector.FlowState
	_ = json.Unmarshal(kept, &flow)
	info, err := social.UserInfo(ctx, connector.Callback{Params: callback, Flow: flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID != "", info.Email, info.EmailVerified)

	// A forged callback (another flow's state) is refused.
	forged, _ := social.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback"})
	_, err = social.UserInfo(ctx, connector.Callback{Params: callback, Flow: forged.Flow})
	fmt.Println(connector.CodeOf(err))
	// Output:
	// true ada@example.com true
	// state_mismatch
}
