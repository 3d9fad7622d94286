package idtoken_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
)

// now is the examples' clock.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// appleMock stands in for https://appleid.apple.com/auth/keys: a client
// bound to a mock transport serving one RS256 key, the number of requests
// it answered, and a function that signs claims with that key.
func appleMock() (client *http.Client, fetches *int, sign func(jwt.MapClaims) string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"W6WcOKB","use":"sig","alg":"RS256","n":%q,"e":%q}]}`,
		b64(key.N.Bytes()), b64(big.NewInt(int64(key.E)).Bytes()))
	fetches = new(int)
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, "https://appleid.apple.com/auth/keys", func(*http.Request) (*http.Response, error) {
		*fetches++
		return httpmock.NewStringResponse(200, jwks), nil
	})
	sign = func(c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = "W6WcOKB"
		s, err := tok.SignedString(key)
		if err != nil {
			panic(err)
		}
		return s
	}
	return &http.Client{Transport: mt}, fetches, sign
}

// Verify a Sign in with Apple id_token against the nonce kept in the flow
// state.
func ExampleVerifier_Verify() {
	client, _, sign := appleMock()
	keys := idtoken.NewKeySet("https://appleid.apple.com/auth/keys", idtoken.KeySetOptions{HTTPClient: client})
	v, err := idtoken.New(idtoken.Config{
		ConnectorID: "apple-universal",
		Issuer:      "https://appleid.apple.com",
		Audiences:   []string{"com.example.web", "com.example.ios"},
		Algorithms:  []string{"RS256"},
		Keys:        keys,
		Now:         func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	rawIDToken := sign(jwt.MapClaims{
		"iss": "https://appleid.apple.com", "aud": "com.example.web", "sub": "001234.abcdef.0042",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "nonce": "flow-nonce",
		"email": "x7@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true", "real_user_status": 2,
	})

	claims, err := v.Verify(context.Background(), rawIDToken, idtoken.VerifyOptions{Nonce: "flow-nonce"})
	if err != nil {
		panic(err)
	}
	private, _ := claims.Bool("is_private_email")
	status, _ := claims.Int("real_user_status")
	fmt.Println(claims.Subject, claims.Email, claims.EmailVerified, private, status)

	_, err = v.Verify(context.Background(), rawIDToken, idtoken.VerifyOptions{Nonce: "another-flow"})
	fmt.Println(connector.CodeOf(err))
	fmt.Println(err)
	// Output:
	// 001234.abcdef.0042 x7@privaterelay.appleid.com true true 2
	// social_invalid_id_token
	// connector apple-universal: id_token: social_invalid_id_token: nonce: does not match the flow's nonce
}

// One KeySet per provider, shared by every connector instance (here one
// per tenant): the keys are fetched once for the process.
func ExampleNewKeySet() {
	client, fetches, sign := appleMock()
	keys := idtoken.NewKeySet("https://appleid.apple.com/auth/keys", idtoken.KeySetOptions{HTTPClient: client})
	fmt.Println("fetches after NewKeySet:", *fetches)

	for _, tenant := range []string{"com.tenant-a.web", "com.tenant-b.web", "com.tenant-c.web"} {
		v, err := idtoken.New(idtoken.Config{ConnectorID: "apple-" + tenant, Issuer: "https://appleid.apple.com",
			Audiences: []string{tenant}, Algorithms: []string{"RS256"}, Keys: keys, Now: func() time.Time { return now }})
		if err != nil {
			panic(err)
		}
		for range 100 {
			tok := sign(jwt.MapClaims{"iss": "https://appleid.apple.com", "aud": tenant, "sub": "u1", "nonce": "n",
				"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
			if _, err := v.Verify(context.Background(), tok, idtoken.VerifyOptions{Nonce: "n"}); err != nil {
				panic(err)
			}
		}
	}
	fmt.Println("fetches after 300 sign-ins:", *fetches, "keys:", keys.Stats().Keys)
	// Output:
	// fetches after NewKeySet: 0
	// fetches after 300 sign-ins: 1 keys: 1
}
