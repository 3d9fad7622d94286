package kakao_test

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
	"github.com/connectorkit/connector/social/kakao"
)

// mockKakao answers Kakao's token and user info endpoints offline, as the
// real ones would for a user who gave every consent item.
func mockKakao() *http.Client {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, kakao.TokenURL, httpmock.NewStringResponder(200,
		`{"token_type":"bearer","access_token":"example-access-token","expires_in":21599,"refresh_token":"example-refresh-token","refresh_token_expires_in":5183999}`))
	mt.RegisterResponder(http.MethodGet, kakao.UserInfoURL, httpmock.NewStringResponder(200, `{
		"id": 9223372036854775807,
		"kakao_account": {
			"profile": {"nickname": "Ryan", "profile_image_url": "https://k.kakaocdn.net/dn/ryan.jpg", "is_default_image": false},
			"email": "ryan@kakao.com", "is_email_valid": true, "is_email_verified": true,
			"phone_number": "+82 10-1234-5678"
		}
	}`))
	return &http.Client{Transport: mt}
}

// A whole sign-in: the authorization URL, then the callback.
func Example() {
	ctx := context.Background()
	c, err := kakao.New(kakao.Config{ClientID: "my-rest-api-key", Scope: "profile_nickname,profile_image,account_email"},
		connector.WithHTTPClient(mockKakao()))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The host keeps auth.Flow (in a cookie, a database...) and redirects
	// the browser to auth.URL. Kakao sends the browser back with a code:
	callback := url.Values{"code": {"code-from-kakao"}, "state": {auth.Flow.State}}

	info, err := c.UserInfo(ctx, connector.Callback{Params: callback, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("id:", info.ID)
	fmt.Println("name:", info.Name)
	fmt.Println("email:", info.Email, "verified:", info.EmailVerified)
	fmt.Println("phone:", info.Phone)
	// Output:
	// id: 9223372036854775807
	// name: Ryan
	// email: ryan@kakao.com verified: true
	// phone: +821012345678
}

// A Go host builds the config in Go; every problem is named by its JSON
// path, as for a JSON config.
func ExampleNew() {
	_, err := kakao.New(kakao.Config{ClientID: "my rest api key", Scope: "profile_nickname;account_email"})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code)
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// invalid_config
	// clientId: must not contain whitespace (paste the REST API key alone)
	// scope: item "profile_nickname;account_email" is not a consent item ID (letters, digits, _ . : - only; items are comma-separated)
}

// A config pasted from a Logto console opens unchanged.
func ExampleOpen() {
	c, err := kakao.Open(json.RawMessage(`{"clientId":"my-rest-api-key","clientSecret":"my-client-secret"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: kakao-universal connector{ID:"kakao-universal" Target:"kakao" ClientID:"my-rest-api-key" Scope:""}
}

func ExampleFactory() {
	reg, err := connector.NewRegistry(kakao.Factory())
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := reg.OpenSocial("kakao-universal", json.RawMessage(`{"clientId":"my-rest-api-key"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := c.Metadata()
	fmt.Println(m.ID, m.Target, m.Platform, m.Name["en"], m.Name["ko"])
	// Output: kakao-universal kakao Universal Kakao 카카오
}

func ExampleConnector_AuthorizationURL() {
	c, err := kakao.Open(json.RawMessage(`{"clientId":"my-rest-api-key","scope":"profile_nickname,account_email"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{
		RedirectURI: "https://id.example.com/callback/kakao",
		State:       "host-state", // usually left empty: a random state is made
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(auth.URL)
	// Output: https://kauth.kakao.com/oauth/authorize?client_id=my-rest-api-key&redirect_uri=https%3A%2F%2Fid.example.com%2Fcallback%2Fkakao&response_type=code&scope=profile_nickname%2Caccount_email&state=host-state
}

func ExampleConnector_UserInfo() {
	c, err := kakao.Open(json.RawMessage(`{"clientId":"my-rest-api-key"}`), connector.WithHTTPClient(mockKakao()))
	if err != nil {
		fmt.Println(err)
		return
	}
	flow := connector.FlowState{State: "host-state", RedirectURI: "https://id.example.com/callback/kakao"}
	info, err := c.UserInfo(context.Background(), connector.Callback{
		Params:     url.Values{"code": {"code-from-kakao"}, "state": {"host-state"}},
		Flow:       flow,
		WantTokens: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID, info.Name, info.Avatar)
	fmt.Println(info.Tokens.RefreshToken != "")
	// Output:
	// 9223372036854775807 Ryan https://k.kakaocdn.net/dn/ryan.jpg
	// true
}

func ExampleConnector_UserInfo_error() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, kakao.TokenURL, httpmock.NewStringResponder(400,
		`{"error":"invalid_grant","error_description":"authorization code not found for code=code-from-kakao","error_code":"KOE320"}`))
	c, err := kakao.Open(json.RawMessage(`{"clientId":"my-rest-api-key"}`), connector.WithHTTPClient(&http.Client{Transport: mt}))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.UserInfo(context.Background(), connector.Callback{
		Params: url.Values{"code": {"code-from-kakao"}, "state": {"s"}},
		Flow:   connector.FlowState{State: "s", RedirectURI: "https://id.example.com/callback/kakao"},
	})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Status, ce.ProviderCode, ce.ProviderDetails["error_code"])
		fmt.Println(ce.ProviderMessage)
	}
	// Output:
	// social_auth_code_invalid 400 invalid_grant KOE320
	// authorization code not found for code=[REDACTED]
}

func ExampleConnector_Refresh() {
	now := func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }
	c, err := kakao.Open(json.RawMessage(`{"clientId":"my-rest-api-key"}`), connector.WithHTTPClient(mockKakao()), connector.WithClock(now))
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := c.Refresh(context.Background(), "example-refresh-token")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok) // tokens print redacted
	fmt.Println(tok.AccessToken)
	// Output:
	// Tokens{AccessToken:[REDACTED] TokenType:"bearer" RefreshToken:[REDACTED] IDToken:"" Expiry:2025-03-01T14:59:59Z Scope:[]}
	// example-access-token
}
