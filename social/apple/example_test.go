package apple_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/social/apple"
)

// exampleNow is the examples' fixed clock (Apple's id_tokens expire).
var exampleNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// offlineApple is the conformance kit's Apple mock, for the examples to
// run offline: the options point a connector at it.
func offlineApple(opts mockprovider.AppleOptions) (*mockprovider.Apple, []connector.Option) {
	opts.Now = func() time.Time { return exampleNow }
	p := mockprovider.NewApple(opts)
	return p, []connector.Option{
		connector.WithHTTPClient(p.Client()),
		connector.WithClock(opts.Now),
		connector.WithEndpoints(connector.Endpoints{
			Authorization: p.URL(mockprovider.EndpointAuthorize), Token: p.URL(mockprovider.EndpointToken),
			Keys: p.URL(mockprovider.EndpointJWKS), Revocation: p.URL(mockprovider.EndpointRevoke),
		}),
	}
}

// The web flow: the authorization URL, then Apple's form POST to the
// callback.
func Example() {
	mock, opts := offlineApple(mockprovider.AppleOptions{ClientID: "com.example.web"})
	ctx := context.Background()

	c, err := apple.New(apple.Config{ClientID: "com.example.web", Scope: "name email"}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/apple"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The host keeps auth.Flow (it holds the state and the nonce) in a
	// SameSite=None; Secure cookie or its session store, and redirects the
	// browser to auth.URL. Apple then POSTs the callback; the host reads
	// it with r.ParseForm() and passes r.PostForm:
	form, _ := mock.Approve(auth.URL, mockprovider.DefaultAppleIdentities[0].ID)

	info, err := c.UserInfo(ctx, connector.Callback{Params: form, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("id:", info.ID)
	fmt.Println("email:", info.Email, "verified:", info.EmailVerified, "private relay:", info.PrivateEmail)
	fmt.Println("name:", info.Name, "(first sign-in only: store it now)")
	// Output:
	// id: 001234.5f1e2d3c4b5a69788796a5b4c3d2e1f0.1201
	// email: ada@example.com verified: true private relay: false
	// name: Ada Lovelace (first sign-in only: store it now)
}

// A config pasted from a Logto console opens unchanged.
func ExampleOpen() {
	c, err := apple.Open(json.RawMessage(`{"clientId":"com.example.web","scope":"name email"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	// Output: apple-universal connector{ID:"apple-universal" Target:"apple" ClientID:"com.example.web" Audiences:[] ClientSecret:none}
}

// The client secret's key goes together: every missing piece is named.
func ExampleNew() {
	_, err := apple.New(apple.Config{ClientID: "com.example.web", TeamID: "TEAM123456"})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code)
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// invalid_config
	// keyId: is required when teamId or privateKey is set
	// privateKey: is required when teamId or keyId is set
}

// The native path: the iOS app signed the user in with Apple
// (AuthenticationServices), having sent Apple the SHA-256 of a nonce it
// made; it sends the server the credential's identityToken and the raw
// nonce (and its authorizationCode, which a connector with the client
// secret's key exchanges).
func ExampleConnector_VerifyNative() {
	// The app's side, played by the mock: Apple issues an id_token to the
	// app's bundle ID with the hashed nonce.
	mock, opts := offlineApple(mockprovider.AppleOptions{ClientID: "com.example.ios"})
	nonce := "3f9a0c1e-app-nonce"
	sum := sha256.Sum256([]byte(nonce))
	q := url.Values{"client_id": {"com.example.ios"}, "redirect_uri": {"https://app.example.com/"}, "state": {"s"},
		"response_type": {"code id_token"}, "response_mode": {"form_post"}, "scope": {"email"}, "nonce": {hex.EncodeToString(sum[:])}}
	credential, _ := mock.Approve(mock.URL(mockprovider.EndpointAuthorize)+"?"+q.Encode(), "")

	// The server: one connector for the website and the app.
	c, err := apple.New(apple.Config{ClientID: "com.example.web", Audiences: []string{"com.example.ios"}}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := c.VerifyNative(context.Background(), apple.Native{IDToken: credential.Get("id_token"), Nonce: nonce})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("id:", info.ID, "email:", info.Email)

	_, err = c.VerifyNative(context.Background(), apple.Native{IDToken: credential.Get("id_token"), Nonce: "another nonce"})
	fmt.Println(err)
	// Output:
	// id: 001234.5f1e2d3c4b5a69788796a5b4c3d2e1f0.1201 email: ada@example.com
	// connector apple-universal: id_token: social_invalid_id_token: nonce: does not match the flow's nonce
}

// Revoking the user's tokens when they delete their account, as App Store
// rules require: the host kept the refresh token of the sign-in.
func ExampleConnector_Revoke() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // the .p8 key Apple gave
	mock, opts := offlineApple(mockprovider.AppleOptions{ClientID: "com.example.web",
		TeamID: "TEAM123456", KeyID: "KEY1234567", ClientKey: &key.PublicKey})
	ctx := context.Background()

	c, err := apple.New(apple.Config{ClientID: "com.example.web", Scope: "email",
		TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: connector.Secret(pemOf(key))}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, _ := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/apple"})
	form, _ := mock.Approve(auth.URL, "")
	info, err := c.UserInfo(ctx, connector.Callback{Params: form, Flow: auth.Flow, WantTokens: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	refreshToken := info.Tokens.RefreshToken // stored with the account

	// Later, the user deletes their account:
	if err := c.Revoke(ctx, refreshToken, "refresh_token"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("revoked:", len(mock.Revoked()) == 1 && mock.Revoked()[0] == refreshToken)
	// Output: revoked: true
}

// A host with an Apple connector per tenant shares one key set: Apple's
// keys are fetched once for all of them.
func ExampleKeySet() {
	mock, _ := offlineApple(mockprovider.AppleOptions{ClientID: "com.example.web"})
	clock := func() time.Time { return exampleNow }
	// The key set's options: the HTTP client of every fetch, the clock
	// (and the endpoint, for the mock).
	keys, err := apple.NewKeySet(connector.WithHTTPClient(mock.Client()), connector.WithClock(clock),
		connector.WithEndpoint(apple.EndpointKeys, mock.URL(mockprovider.EndpointJWKS)))
	if err != nil {
		fmt.Println(err)
		return
	}
	reg, _ := connector.NewRegistry(keys.Factory())
	for _, tenant := range []string{"acme", "globex", "initech"} {
		c, err := reg.OpenSocial(apple.FactoryID, json.RawMessage(`{"clientId":"com.example.web","scope":"email"}`),
			connector.WithInstanceID("apple-"+tenant), connector.WithHTTPClient(mock.Client()),
			connector.WithEndpoint(apple.EndpointAuthorization, mock.URL(mockprovider.EndpointAuthorize)),
			connector.WithClock(clock))
		if err != nil {
			fmt.Println(err)
			return
		}
		auth, _ := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://" + tenant + ".example.com/callback"})
		form, _ := mock.Approve(auth.URL, "")
		if _, err := c.UserInfo(context.Background(), connector.Callback{Params: form, Flow: auth.Flow}); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("key fetches:", keys.Stats().Fetches)
	// Output: key fetches: 1
}
