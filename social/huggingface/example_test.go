package huggingface_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/huggingface"
)

// mockHuggingFace answers Hugging Face's token and userinfo endpoints
// offline, as the real ones would with the profile and email scopes.
func mockHuggingFace() *http.Client {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, huggingface.TokenURL, httpmock.NewStringResponder(200,
		`{"access_token":"example-access-token","token_type":"bearer","expires_in":28800,"refresh_token":"example-refresh-token","scope":"profile email"}`))
	mt.RegisterResponder(http.MethodGet, huggingface.UserInfoURL, httpmock.NewStringResponder(200,
		`{"sub":"62f1c2a3b4d5e6f708192a3b","preferred_username":"janedoe","picture":"https://cdn-avatars.huggingface.co/janedoe.png",
		  "profile":"https://huggingface.co/janedoe","email":"jane@example.com","email_verified":true,"isPro":false}`))
	return &http.Client{Transport: mt}
}

// A whole sign-in: the authorization URL, then the callback.
func Example() {
	ctx := context.Background()
	c, err := huggingface.New(huggingface.Config{ClientID: "my-client-id", ClientSecret: "my-app-secret", Scope: "profile email"},
		connector.WithHTTPClient(mockHuggingFace()))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/huggingface"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The host keeps auth.Flow, which holds the PKCE verifier, and
	// redirects the browser to auth.URL. Hugging Face sends it back with a
	// code:
	callback := url.Values{"code": {"code-from-hf"}, "state": {auth.Flow.State}}

	info, err := c.UserInfo(ctx, connector.Callback{Params: callback, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("id:", info.ID)
	fmt.Println("name:", info.Name) // no name: the username
	fmt.Println("email:", info.Email, "verified:", info.EmailVerified)
	// Output:
	// id: 62f1c2a3b4d5e6f708192a3b
	// name: janedoe
	// email: jane@example.com verified: true
}

// A Go host builds the config in Go; every problem is named by its JSON
// path, as for a JSON config.
func ExampleNew() {
	_, err := huggingface.New(huggingface.Config{ClientID: "my-client-id"})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Fields)
	}
	// Output: invalid_config clientSecret: is required
}

// A config pasted from a Logto console opens unchanged; the scope defaults
// to profile.
func ExampleOpen() {
	c, err := huggingface.Open(json.RawMessage(`{"clientId":"my-client-id","clientSecret":"my-app-secret"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: huggingface-universal connector{ID:"huggingface-universal" Target:"huggingface" ClientID:"my-client-id" Scope:"profile"}
}

func ExampleFactory() {
	reg, err := connector.NewRegistry(huggingface.Factory())
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := reg.OpenSocial("huggingface-universal", json.RawMessage(`{"clientId":"my-client-id","clientSecret":"my-app-secret"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := c.Metadata()
	fmt.Println(m.ID, m.Target, m.Platform, m.Name["en"])
	// Output: huggingface-universal huggingface Universal Hugging Face
}

func ExampleConnector_AuthorizationURL() {
	c, err := huggingface.Open(json.RawMessage(`{"clientId":"my-client-id","clientSecret":"my-app-secret"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{
		RedirectURI: "https://id.example.com/callback/huggingface",
		State:       "host-state",
		Scope:       "openid profile email", // this request only
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse(auth.URL)
	q := u.Query()
	fmt.Println(u.Host + u.Path)
	fmt.Println(q.Get("scope"), "|", q.Get("code_challenge_method"), "|", q.Get("state"))
	fmt.Println(auth.Flow.CodeVerifier != "") // keep it for the callback
	// Output:
	// huggingface.co/oauth/authorize
	// openid profile email | S256 | host-state
	// true
}

func ExampleConnector_UserInfo() {
	c, err := huggingface.Open(json.RawMessage(`{"clientId":"my-client-id","clientSecret":"my-app-secret"}`),
		connector.WithHTTPClient(mockHuggingFace()))
	if err != nil {
		fmt.Println(err)
		return
	}
	// flow is what AuthorizationURL returned, kept by the host.
	flow := connector.FlowState{State: "host-state", RedirectURI: "https://id.example.com/callback/huggingface",
		CodeVerifier: "verifier-from-the-flow-state-0123456789abcdefghij"}
	info, err := c.UserInfo(context.Background(), connector.Callback{
		Params:     url.Values{"code": {"code-from-hf"}, "state": {"host-state"}},
		Flow:       flow,
		WantTokens: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID, info.Avatar)
	fmt.Println(strings.Join(info.Tokens.Scope, ","))
	// Output:
	// 62f1c2a3b4d5e6f708192a3b https://cdn-avatars.huggingface.co/janedoe.png
	// profile,email
}

func ExampleConnector_Refresh() {
	now := func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }
	c, err := huggingface.Open(json.RawMessage(`{"clientId":"my-client-id","clientSecret":"my-app-secret"}`),
		connector.WithHTTPClient(mockHuggingFace()), connector.WithClock(now))
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := c.Refresh(context.Background(), "example-refresh-token")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Expiry.Format(time.RFC3339))
	// Output: 2025-03-01T17:00:00Z
}
