package oauth2generic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/profilemap"
)

// A config exactly as pasted into Logto's console for a GitHub-like provider.
const logtoConfig = `{
  "authorizationEndpoint": "https://provider.example/login/oauth/authorize",
  "tokenEndpoint": "https://provider.example/login/oauth/access_token",
  "userInfoEndpoint": "https://api.provider.example/user",
  "clientId": "Iv1.8a61f9b3a7aba766",
  "clientSecret": "1f0f5d3c1e2a4b6c8d9e0f1a2b3c4d5e6f7a8b9c",
  "scope": "read:user user:email",
  "tokenEndpointAuthMethod": "client_secret_basic",
  "profileMap": {"id": "id", "avatar": "avatar_url", "emailVerified": "email_verified"}
}`

// mockProvider answers the token and userinfo requests, through httpmock
// bound to the client the connector is given.
func mockProvider() *http.Client {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://provider.example/login/oauth/access_token",
		httpmock.NewStringResponder(200, `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","token_type":"bearer","scope":"read:user,user:email"}`).
			HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	mt.RegisterResponder(http.MethodGet, "https://api.provider.example/user",
		httpmock.NewStringResponder(200, `{"id":583231,"login":"octocat","name":"The Octocat","email":"octocat@example.com","email_verified":true,"avatar_url":"https://avatars.example/583231"}`))
	return &http.Client{Transport: mt}
}

// Open an oauth2 connector from a Logto-style JSON config and complete a
// sign-in against a mock provider.
func Example() {
	reg, err := connector.NewRegistry(oauth2generic.Factory())
	if err != nil {
		panic(err)
	}
	c, err := reg.OpenSocial("oauth2", json.RawMessage(logtoConfig),
		connector.WithHTTPClient(mockProvider()), connector.WithTarget("github"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// 1. Redirect the browser; keep auth.Flow with the session.
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://app.example/callback"})
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(auth.URL)
	fmt.Println(u.Host, u.Query().Get("scope"), u.Query().Get("code_challenge_method"))

	// 2. The provider redirects back with a code and the state.
	callback := url.Values{"code": {"c0de"}, "state": {auth.Flow.State}}
	info, err := c.UserInfo(ctx, connector.Callback{Params: callback, Flow: auth.Flow})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Metadata().Target, info.ID, info.Name, info.Email, info.EmailVerified)
	// Output:
	// provider.example read:user user:email S256
	// github 583231 The Octocat octocat@example.com true
}

// A Go host builds the config in Go: zero fields take their defaults
// (client_secret_post, PKCE on, profileMap's own names).
func ExampleNew() {
	c, err := oauth2generic.New(oauth2generic.Config{
		AuthorizationEndpoint: "https://provider.example/authorize",
		TokenEndpoint:         "https://provider.example/token",
		UserInfoEndpoint:      "https://provider.example/user",
		ClientID:              "my-client-id",
		ClientSecret:          "my-client-secret",
		Scope:                 "read:user user:email",
		ProfileMap:            profilemap.Map{Name: "login", EmailVerified: "email_verified"},
	}, connector.WithTarget("github"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: oauth2 connector{ID:"oauth2" Target:"github" ClientID:"my-client-id" Scope:"read:user user:email"}
}

// Every invalid field is reported at once, with its JSON path.
func ExampleOpen_invalidConfig() {
	_, err := oauth2generic.Open(json.RawMessage(`{
	  "authorizationEndpoint": "http://provider.example/authorize",
	  "tokenEndpoint": "https://provider.example/token",
	  "userInfoEndpoint": "https://provider.example/user",
	  "clientId": "id",
	  "tokenEndpointAuthMethod": "client_secret_post",
	  "customConfig": {"state": "fixed"}
	}`))
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// authorizationEndpoint: must use https (plain http is allowed only for loopback hosts)
	// clientSecret: is required (unless tokenEndpointAuthMethod is none)
	// customConfig["state"]: would override the reserved parameter state, which the connector sets itself; remove it
}

// A wrong state on the callback is refused before any request is made.
func ExampleConnector_UserInfo_stateMismatch() {
	c, _ := oauth2generic.Open(json.RawMessage(logtoConfig), connector.WithHTTPClient(mockProvider()))
	auth, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://app.example/callback"})
	_, err := c.UserInfo(context.Background(), connector.Callback{
		Params: url.Values{"code": {"c0de"}, "state": {"forged"}}, Flow: auth.Flow})
	fmt.Println(connector.CodeOf(err), connector.HTTPStatus(err))
	// Output: state_mismatch 401
}

// Refresh provider tokens with a stored refresh token.
func ExampleConnector_Refresh() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://provider.example/login/oauth/access_token",
		httpmock.NewStringResponder(200, `{"access_token":"new","refresh_token":"rotated","expires_in":3600}`))
	c, _ := oauth2generic.Open(json.RawMessage(logtoConfig), connector.WithHTTPClient(&http.Client{Transport: mt}),
		connector.WithClock(func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }))
	tok, err := c.Refresh(context.Background(), "stored-refresh-token")
	fmt.Println(tok, err)
	// Output: Tokens{AccessToken:[REDACTED] TokenType:"Bearer" RefreshToken:[REDACTED] IDToken:"" Expiry:2000-01-01T01:00:00Z Scope:[]} <nil>
}

// Factory gives the metadata an admin UI shows, including the config schema.
func ExampleFactory() {
	m := oauth2generic.Factory().Metadata
	fmt.Println(m.ID, m.Target, m.IsStandard, m.Platform, json.Valid(m.ConfigSchema))
	// Output: oauth2 oauth2 true Universal true
}
