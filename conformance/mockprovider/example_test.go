package mockprovider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// Through httpmock: the mock's Client reaches the mock and nothing else;
// Approve plays the browser.
func ExampleNewOAuth2() {
	p := mockprovider.NewOAuth2(mockprovider.OAuth2Options{})
	client := p.Client()

	authURL := p.URL(mockprovider.EndpointAuthorize) + "?" + url.Values{
		"client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"},
		"response_type": {"code"}, "state": {"xyz"},
	}.Encode()
	cb, _ := p.Approve(authURL, "u-1002") // sign in as the identity with an unverified email

	resp, _ := client.PostForm(p.URL(mockprovider.EndpointToken), url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {"https://app.example.com/cb"},
		"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()},
	})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, p.URL(mockprovider.EndpointUserInfo), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, _ = client.Do(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(cb.Get("state"), string(body))
	// Output: xyz {"email":"charles@example.com","email_verified":false,"id":"u-1002","name":"Charles Babbage","preferred_username":"charles"}
}

// As a real server on 127.0.0.1: a browser gets the authorization page with
// one button per identity.
func ExampleProvider_start() {
	p := mockprovider.NewKakao(mockprovider.KakaoOptions{})
	base, err := p.Start()
	if err != nil {
		panic(err)
	}
	defer p.Close()

	resp, _ := http.Get(base + "/oauth/authorize?" + url.Values{
		"client_id": {p.ClientID()}, "redirect_uri": {"http://127.0.0.1/cb"}, "response_type": {"code"}, "state": {"s"},
	}.Encode())
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.Count(string(page), "Continue as"), strings.HasPrefix(p.URL(mockprovider.EndpointToken), base))
	// Output: 200 5 true
}

// Failure switches make an endpoint misbehave; here Kakao's token endpoint
// refuses the code as Kakao does.
func ExampleProvider_Fail() {
	p := mockprovider.NewKakao(mockprovider.KakaoOptions{})
	p.Fail(mockprovider.EndpointToken, mockprovider.InvalidGrant)
	resp, _ := p.Client().PostForm(p.URL(mockprovider.EndpointToken), url.Values{})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output: 400 {"error":"invalid_grant","error_code":"KOE320","error_description":"authorization code not found for the code given"}
}

// Sign in with Apple posts the id_token back with the code; the first
// sign-in also carries the user's name.
func ExampleNewApple() {
	p := mockprovider.NewApple(mockprovider.AppleOptions{ClientID: "com.example.web"})
	cb, _ := p.Approve(p.URL(mockprovider.EndpointAuthorize)+"?"+url.Values{
		"client_id": {"com.example.web"}, "redirect_uri": {"https://app.example.com/apple"},
		"response_type": {"code id_token"}, "response_mode": {"form_post"}, "scope": {"name email"},
		"state": {"s"}, "nonce": {"n"},
	}.Encode(), "")
	fmt.Println(cb.Get("user"), strings.Count(cb.Get("id_token"), "."), len(p.KeyIDs()))
	// Output: {"email":"ada@example.com","name":{"firstName":"Ada","lastName":"Lovelace"}} 2 1
}

// The Hugging Face mock takes Basic client credentials, as Hugging Face does.
func ExampleNewHuggingFace() {
	p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{})
	resp, _ := p.Client().PostForm(p.URL(mockprovider.EndpointToken), url.Values{
		"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()},
	})
	resp.Body.Close()
	fmt.Println(resp.StatusCode, p.Problems()[0])
	// Output: 401 token: client authentication must use client_secret_basic, got client_secret_post
}

// The Twilio mock keeps every accepted message in its outbox.
func ExampleNewTwilio() {
	p := mockprovider.NewTwilio(mockprovider.TwilioOptions{})
	req, _ := http.NewRequest(http.MethodPost, p.URL(mockprovider.EndpointMessages), strings.NewReader(url.Values{
		"To": {"+14155550100"}, "MessagingServiceSid": {p.MessagingServiceSID()}, "Body": {"Your code is 123456"},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.AccountSID(), p.AuthToken())
	resp, _ := p.Client().Do(req)
	resp.Body.Close()
	m := p.Outbox()[0]
	fmt.Println(resp.StatusCode, m.To, m.Body, m.Segments, m.Encoding, len(m.SID))
	// Output: 201 +14155550100 Your code is 123456 1 GSM-7 34
}

// SMSSegments counts segments as Twilio bills them.
func ExampleSMSSegments() {
	fmt.Println(mockprovider.SMSSegments(strings.Repeat("a", 161)))
	fmt.Println(mockprovider.SMSSegments("인증 코드 123456"))
	// Output:
	// 2 GSM-7
	// 1 UCS-2
}

// Responder serves any handler through httpmock, streaming its body and
// passing the request's context.
func ExampleResponder() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, "https://api.example.test/hello", mockprovider.Responder(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello ", r.URL.Query().Get("name")) })))
	resp, _ := (&http.Client{Transport: mt}).Get("https://api.example.test/hello?name=ada")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(b))
	// Output: hello ada
}
