package oidc_test

import (
	"context"
	"fmt"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oidc"
)

// A host that keeps the provider tokens (connector.Callback.WantTokens)
// refreshes them later for the user it linked: RefreshUser refuses an
// id_token about anyone else.
func ExampleConnector_RefreshUser() {
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{})
	c, err := oidc.New(oidc.Config{Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: connector.Secret(p.ClientSecret())},
		connector.WithHTTPClient(p.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	auth, _ := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/oidc"})
	params, _ := p.Approve(auth.URL, "")
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow, WantTokens: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Later: the host stored info.ID and info.Tokens.RefreshToken with the account.
	tok, err := c.RefreshUser(ctx, info.Tokens.RefreshToken, info.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new access token:", tok.AccessToken != "" && tok.AccessToken != info.Tokens.AccessToken)
	// RefreshUser verified the new id_token, and that its sub is info.ID.
	fmt.Println("id_token about the same user:", tok.IDToken != "")

	_, err = c.RefreshUser(ctx, info.Tokens.RefreshToken, "248289761002") // another account's ID
	fmt.Println(connector.CodeOf(err))
	// Output:
	// new access token: true
	// id_token about the same user: true
	// social_invalid_id_token
}

// When the provider has a revocation endpoint (revocation_endpoint in its
// discovery document), Revoke ends a grant, e.g. when the user unlinks the
// account; the refresh token no longer works.
func ExampleConnector_Revoke() {
	p := mockprovider.NewOIDC(mockprovider.OIDCOptions{Revocation: true})
	c, err := oidc.New(oidc.Config{Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: connector.Secret(p.ClientSecret())},
		connector.WithHTTPClient(p.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	auth, _ := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/oidc"})
	params, _ := p.Approve(auth.URL, "")
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow, WantTokens: true})
	if err != nil {
		fmt.Println(err)
		return
	}

	err = c.Revoke(ctx, info.Tokens.RefreshToken, "refresh_token")
	fmt.Println("revoked:", err == nil, len(p.Revoked()))
	_, err = c.RefreshUser(ctx, info.Tokens.RefreshToken, info.ID)
	fmt.Println(connector.CodeOf(err))
	// Output:
	// revoked: true 1
	// social_invalid_access_token
}

// Metadata describes the factory for an admin UI; oidc is standard, so a
// host may open one instance per provider, each with its own target.
func ExampleMetadata() {
	m := oidc.Metadata()
	fmt.Println(m.ID, m.IsStandard, m.Name["en"], m.Type, m.Platform)
	// Output:
	// oidc true OpenID Connect Social Universal
}
