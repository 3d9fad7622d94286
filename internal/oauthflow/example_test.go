package oauthflow_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/oauthflow"
)

// provider is a mock token and userinfo endpoint bound to a client.
func provider(tokenStatus int, tokenBody string) *http.Client {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://kauth.example/oauth/token",
		httpmock.NewStringResponder(tokenStatus, tokenBody).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	mt.RegisterResponder(http.MethodGet, "https://kapi.example/v2/user/me",
		httpmock.NewStringResponder(200, `{"id":9223372036854775807,"kakao_account":{"email":"a@example.com"}}`))
	return &http.Client{Transport: mt}
}

func engine(client *http.Client) *oauthflow.Engine {
	e, err := oauthflow.New(oauthflow.Config{
		ConnectorID: "kakao-universal",
		ClientID:    "rest-api-key",
		AuthURL:     "https://kauth.example/oauth/authorize",
		TokenURL:    "https://kauth.example/oauth/token",
		UserInfoURL: "https://kapi.example/v2/user/me",
		Scope:       "profile_nickname,account_email",
		PKCE:        true,
		HTTPClient:  client,
	})
	if err != nil {
		panic(err)
	}
	return e
}

// Build the authorization URL and keep the flow state for the callback.
func ExampleEngine_AuthorizationURL() {
	e := engine(nil)
	auth, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: "https://app.example/cb", State: "host-state"})
	if err != nil {
		panic(err)
	}
	q, _ := url.ParseQuery(auth.URL[len("https://kauth.example/oauth/authorize?"):])
	fmt.Println(q.Get("response_type"), q.Get("client_id"), q.Get("state"), q.Get("scope"), q.Get("code_challenge_method"))
	fmt.Println(auth.Flow.CodeVerifier != "")
	// Output:
	// code rest-api-key host-state profile_nickname,account_email S256
	// true
}

// Exchange checks the callback and trades the code for tokens; then the
// userinfo document is fetched raw, for profilemap.
func ExampleEngine_Exchange() {
	e := engine(provider(200, `{"access_token":"at","token_type":"bearer","expires_in":"21599","refresh_token":"rt","refresh_token_expires_in":5183999}`))
	ctx := context.Background()
	auth, _ := e.AuthorizationURL(connector.AuthRequest{RedirectURI: "https://app.example/cb"})
	tok, err := e.Exchange(ctx, connector.Callback{Params: url.Values{"code": {"c"}, "state": {auth.Flow.State}}, Flow: auth.Flow})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.TokenType, tok.RefreshToken != "", tok.Extra["refresh_token_expires_in"])
	doc, err := e.FetchUserInfo(ctx, tok.AccessToken)
	fmt.Println(string(doc), err)
	// Output:
	// bearer true 5183999
	// {"id":9223372036854775807,"kakao_account":{"email":"a@example.com"}} <nil>
}

// A refused code keeps the provider's error fields.
func ExampleEngine_Exchange_invalidGrant() {
	e := engine(provider(400, `{"error":"invalid_grant","error_description":"authorization code not found","error_code":"KOE320"}`))
	flow := connector.FlowState{State: "s", RedirectURI: "https://app.example/cb", CodeVerifier: "v"}
	_, err := e.Exchange(context.Background(), connector.Callback{Params: url.Values{"code": {"c"}, "state": {"s"}}, Flow: flow})
	fmt.Println(err)
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.ProviderDetails["error_code"])
	}
	// Output:
	// connector kakao-universal: token_exchange: social_auth_code_invalid: the token endpoint refused the authorization code (status 400; provider error invalid_grant: authorization code not found)
	// KOE320
}

// CheckCallback runs the callback checks alone (Apple checks its id_token
// before exchanging the code).
func ExampleEngine_CheckCallback() {
	e := engine(nil)
	flow := connector.FlowState{State: "s", RedirectURI: "https://app.example/cb"}
	err := e.CheckCallback(connector.Callback{Params: url.Values{"error": {"user_cancelled_authorize"}, "state": {"s"}}, Flow: flow})
	fmt.Println(connector.CodeOf(err))
	err = e.CheckCallback(connector.Callback{Params: url.Values{"code": {"c"}, "state": {"t"}}, Flow: flow})
	fmt.Println(connector.CodeOf(err))
	// Output:
	// authorization_failed
	// state_mismatch
}

// Refresh keeps the old refresh token when the provider does not rotate it.
func ExampleEngine_Refresh() {
	e := engine(provider(200, `{"access_token":"at2","token_type":"bearer"}`))
	tok, err := e.Refresh(context.Background(), "rt")
	fmt.Println(tok.AccessToken, tok.RefreshToken, err)
	// Output: at2 rt <nil>
}

// New reports every invalid field at once.
func ExampleNew() {
	_, err := oauthflow.New(oauthflow.Config{
		ClientID:   "id",
		AuthURL:    "https://id.example/authorize?state=fixed",
		TokenURL:   "http://id.example/token",
		AuthMethod: "client_secret_basic",
	})
	fmt.Println(err)
	// Output: config: invalid_config: invalid oauth flow config: authorizationEndpoint["state"]: is a reserved parameter the flow sets itself and cannot be overridden; clientSecret: is required with client_secret_basic; tokenEndpoint: must use https (plain http is allowed only for loopback hosts)
}

// Revoke a token at an RFC 7009 revocation endpoint (Sign in with Apple
// requires it when an account is deleted).
func ExampleEngine_Revoke() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://id.example/oauth/revoke", httpmock.NewStringResponder(200, ""))
	e, err := oauthflow.New(oauthflow.Config{
		ClientID: "id", ClientSecret: "secret", AuthMethod: oauthflow.AuthClientSecretBasic,
		AuthURL: "https://id.example/oauth/authorize", TokenURL: "https://id.example/oauth/token",
		RevokeURL: "https://id.example/oauth/revoke", HTTPClient: &http.Client{Transport: mt},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Revoke(context.Background(), "refresh-token", "refresh_token"))
	// Output: <nil>
}
