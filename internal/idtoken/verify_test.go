package idtoken

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
)

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS(), withAlgs("RS256", "RS384", "PS256", "ES256"))
	now := t0
	hashed := sha256.Sum256([]byte(testNonce))
	tests := []struct {
		name string
		tok  func(t *testing.T) string
		opts VerifyOptions
		want func(t *testing.T, c *Claims)
	}{
		{"RS256", func(t *testing.T) string { return token(t, claimsAt(now, nil)) }, VerifyOptions{Nonce: testNonce},
			func(t *testing.T, c *Claims) {
				if c.Subject != testSub || c.Issuer != testIssuer || len(c.Audience) != 1 || c.Audience[0] != clientID ||
					c.Nonce != testNonce || !c.Expiry.Equal(now.Add(10*time.Minute)) || !c.IssuedAt.Equal(now.Add(-10*time.Second)) ||
					!c.NotBefore.IsZero() || c.Email != "u@privaterelay.appleid.com" || !c.EmailVerified {
					t.Errorf("claims %+v", c)
				}
			}},
		{"RS384 with a key declaring no alg", func(t *testing.T) string {
			return tokenWith(t, "RS384", "rsa-any", rsaKey2(), claimsAt(now, nil))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"PS256", func(t *testing.T) string { return tokenWith(t, "PS256", "rsa-any", rsaKey2(), claimsAt(now, nil)) },
			VerifyOptions{Nonce: testNonce}, nil},
		{"ES256", func(t *testing.T) string { return tokenWith(t, "ES256", "ec1", ecKey(), claimsAt(now, nil)) },
			VerifyOptions{Nonce: testNonce}, nil},
		{"exp within the skew", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"exp": now.Add(-59 * time.Second).Unix()}))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"iat within the skew", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"iat": now.Add(59 * time.Second).Unix()}))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"fractional dates", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"exp": float64(now.Unix()) + 600.5, "iat": float64(now.Unix()) - 0.25}))
		}, VerifyOptions{Nonce: testNonce}, func(t *testing.T, c *Claims) {
			if !c.Expiry.Equal(now.Add(600*time.Second + 500*time.Millisecond)) {
				t.Errorf("exp %v", c.Expiry)
			}
		}},
		{"nbf in the past", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"nbf": now.Add(-time.Minute).Unix()}))
		}, VerifyOptions{Nonce: testNonce}, func(t *testing.T, c *Claims) {
			if !c.NotBefore.Equal(now.Add(-time.Minute)) {
				t.Errorf("nbf %v", c.NotBefore)
			}
		}},
		{"second audience", func(t *testing.T) string { return token(t, claimsAt(now, map[string]any{"aud": bundleID})) },
			VerifyOptions{Nonce: testNonce}, nil},
		{"aud list of one without azp", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"aud": []string{clientID}}))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"aud list with azp", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"aud": []string{"other", clientID}, "azp": clientID}))
		}, VerifyOptions{Nonce: testNonce}, func(t *testing.T, c *Claims) {
			if c.AuthorizedParty != clientID || len(c.Audience) != 2 {
				t.Errorf("azp %q aud %q", c.AuthorizedParty, c.Audience)
			}
		}},
		{"hashed nonce when allowed", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"nonce": hex.EncodeToString(hashed[:])}))
		}, VerifyOptions{Nonce: testNonce, NonceHashed: true}, nil},
		{"raw nonce when hashed is allowed", func(t *testing.T) string { return token(t, claimsAt(now, nil)) },
			VerifyOptions{Nonce: testNonce, NonceHashed: true}, nil},
		{"no nonce when skipped", func(t *testing.T) string { return token(t, claimsAt(now, map[string]any{"nonce": nil})) },
			VerifyOptions{SkipNonce: true}, nil},
		{"any nonce when skipped", func(t *testing.T) string { return token(t, claimsAt(now, map[string]any{"nonce": "x"})) },
			VerifyOptions{SkipNonce: true}, nil},
		{"at_hash good", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"at_hash": tokenHash("RS256", "access-token-1")}))
		}, VerifyOptions{Nonce: testNonce, AccessToken: "access-token-1"}, nil},
		{"at_hash without an access token", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"at_hash": "whatever"}))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"access token without at_hash", func(t *testing.T) string { return token(t, claimsAt(now, nil)) },
			VerifyOptions{Nonce: testNonce, AccessToken: "access-token-1"}, nil},
		{"typ and unknown header members ignored", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":"rsa1","typ":"JWT","x5u":"https://evil.example/k"}`, mustJSON(claimsAt(now, nil)))
		}, VerifyOptions{Nonce: testNonce}, nil},
		{"name and picture of other types are dropped", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"name": map[string]any{"firstName": "A"}, "picture": 3}))
		}, VerifyOptions{Nonce: testNonce}, func(t *testing.T, c *Claims) {
			if c.Name != "" || c.Picture != "" {
				t.Errorf("name %q picture %q", c.Name, c.Picture)
			}
		}},
		{"standard profile claims", func(t *testing.T) string {
			return token(t, claimsAt(now, map[string]any{"name": "Ann", "picture": "https://p.example/a.png",
				"phone_number": "+15555550100", "phone_number_verified": true}))
		}, VerifyOptions{Nonce: testNonce}, func(t *testing.T, c *Claims) {
			if c.Name != "Ann" || c.Picture != "https://p.example/a.png" || c.PhoneNumber != "+15555550100" || !c.PhoneNumberVerified {
				t.Errorf("claims %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := tt.tok(t)
			c, err := e.v.Verify(bg, tok, tt.opts)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if string(c.Raw) == "" || strings.Contains(string(c.Raw), tok) {
				t.Errorf("Raw %q", c.Raw)
			}
			if tt.want != nil {
				tt.want(t, c)
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := e.srv.hits.Load(); n != 1 {
			t.Errorf("%d key set fetches, want 1", n)
		}
	})
}

// TestVerifyRefuses has one case per rule.
func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS(), withAlgs("RS256", "ES256"))
	now := t0
	c := func(mod map[string]any) string { return mustJSON(claimsAt(now, mod)) }
	pub := &rsaKey().PublicKey
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})
	rs := `{"alg":"RS256","kid":"rsa1"}`
	tests := []struct {
		name, rule string
		tok        func(t *testing.T) string
		opts       *VerifyOptions
	}{
		{"bad signature", "signature", func(t *testing.T) string { return sign(t, "RS256", rsaRogue(), rs, c(nil)) }, nil},
		{"payload changed after signing", "signature", func(t *testing.T) string {
			good := sign(t, "RS256", rsaKey(), rs, c(nil))
			parts := strings.Split(good, ".")
			parts[1] = b64([]byte(c(map[string]any{"sub": "admin"})))
			return strings.Join(parts, ".")
		}, nil},
		{"signature not base64url", "signature", func(t *testing.T) string {
			good := sign(t, "RS256", rsaKey(), rs, c(nil))
			return good[:strings.LastIndex(good, ".")+1] + "!!!!"
		}, nil},
		{"ES256 signature of the wrong length", "signature", func(t *testing.T) string {
			good := tokenWith(t, "ES256", "ec1", ecKey(), claimsAt(now, nil))
			return good + "AAAA"
		}, nil},
		{"alg none", "alg", func(t *testing.T) string {
			return b64([]byte(`{"alg":"none","kid":"rsa1"}`)) + "." + b64([]byte(c(nil))) + "."
		}, nil},
		{"alg None", "alg", func(t *testing.T) string {
			return b64([]byte(`{"alg":"None"}`)) + "." + b64([]byte(c(nil))) + "."
		}, nil},
		{"alg missing", "alg", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), `{"kid":"rsa1"}`, c(nil)) }, nil},
		{"alg not a string", "alg", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), `{"alg":256,"kid":"rsa1"}`, c(nil)) }, nil},
		{"HS256 keyed with the RSA public key PEM", "alg", func(t *testing.T) string {
			return sign(t, "HS256", pemBytes, `{"alg":"HS256","kid":"rsa1"}`, c(nil))
		}, nil},
		{"HS256 keyed with the RSA public key DER", "alg", func(t *testing.T) string {
			return sign(t, "HS256", der, `{"alg":"HS256","kid":"rsa1"}`, c(nil))
		}, nil},
		{"HS512 keyed with the PKCS#1 PEM, no kid", "alg", func(t *testing.T) string {
			return sign(t, "HS512", pkcs1PEM, `{"alg":"HS512"}`, c(nil))
		}, nil},
		{"alg not allowed", "alg", func(t *testing.T) string {
			return sign(t, "RS384", rsaKey(), `{"alg":"RS384","kid":"rsa-any"}`, c(nil))
		}, nil},
		{"unknown alg", "alg", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"XY999\n","kid":"rsa1"}`, c(nil))
		}, nil},
		{"ES256 header with an RSA key's kid", "alg", func(t *testing.T) string {
			return tokenWith(t, "ES256", "rsa-any", ecKey(), claimsAt(now, nil))
		}, nil},
		{"RS256 header with an EC key's kid", "alg", func(t *testing.T) string {
			return tokenWith(t, "RS256", "ec1", rsaKey(), claimsAt(now, nil))
		}, nil},
		{"alg differs from the key's declared alg", "alg", func(t *testing.T) string {
			return tokenWith(t, "ES256", "rsa1", ecKey(), claimsAt(now, nil))
		}, nil},
		{"crit header", "crit", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":"rsa1","crit":["exp"],"exp":1}`, c(nil))
		}, nil},
		{"kid not a string", "kid", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":1}`, c(nil)) }, nil},
		{"kid absent with several keys", "kid", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), `{"alg":"RS256"}`, c(nil)) }, nil},
		{"kid empty with several keys", "kid", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":""}`, c(nil))
		}, nil},
		{"duplicate alg in the header", "alg", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"none","alg":"RS256","kid":"rsa1"}`, c(nil))
		}, nil},
		{"duplicate kid in the header", "kid", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), `{"alg":"RS256","kid":"rsa1","kid":"ec1"}`, c(nil))
		}, nil},
		{"expired", "exp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"exp": now.Add(-61 * time.Second).Unix()}))
		}, nil},
		{"no exp", "exp", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"exp": nil})) }, nil},
		{"exp null", "exp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, strings.Replace(c(nil), `"exp":`, `"exp":null,"x":`, 1))
		}, nil},
		{"exp as a string", "exp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"exp": "1900000000"}))
		}, nil},
		{"exp negative", "exp", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"exp": -1})) }, nil},
		{"exp after year 9999", "exp", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"exp": 1e15})) }, nil},
		{"iat in the future", "iat", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iat": now.Add(61 * time.Second).Unix()}))
		}, nil},
		{"no iat", "iat", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iat": nil})) }, nil},
		{"iat as a string", "iat", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iat": "x"})) }, nil},
		{"nbf in the future", "nbf", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nbf": now.Add(2 * time.Minute).Unix()}))
		}, nil},
		{"nbf out of range", "nbf", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nbf": -5})) }, nil},
		{"issuer wrong", "iss", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iss": "https://evil.example"}))
		}, nil},
		{"issuer with a trailing slash", "iss", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iss": testIssuer + "/"}))
		}, nil},
		{"issuer in another case", "iss", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iss": strings.ToUpper(testIssuer)}))
		}, nil},
		{"no issuer", "iss", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iss": nil})) }, nil},
		{"issuer not a string", "iss", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"iss": 1})) }, nil},
		{"wrong audience", "aud", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": "com.other"}))
		}, nil},
		{"no audience", "aud", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": nil})) }, nil},
		{"empty audience list", "aud", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": []string{}})) }, nil},
		{"audience a number", "aud", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": 7})) }, nil},
		{"audience list of numbers", "aud", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": []int{7}})) }, nil},
		{"audience list without azp", "azp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": []string{clientID, "other"}}))
		}, nil},
		{"azp naming another party", "azp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"aud": []string{clientID, "other"}, "azp": "other"}))
		}, nil},
		{"azp naming another party with one aud", "azp", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"azp": "other"}))
		}, nil},
		{"azp empty", "azp", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"azp": ""})) }, nil},
		{"no sub", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"sub": nil})) }, nil},
		{"blank sub", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"sub": " "})) }, nil},
		{"empty sub", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"sub": ""})) }, nil},
		{"sub with a zero-width space", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"sub": "a\u200bb"})) }, nil},
		{"sub a number", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"sub": 12})) }, nil},
		{"nonce missing", "nonce", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nonce": nil})) }, nil},
		{"nonce wrong", "nonce", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nonce": "other"})) }, nil},
		{"nonce prefix", "nonce", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nonce": testNonce[:4]}))
		}, nil},
		{"hashed nonce not allowed", "nonce", func(t *testing.T) string {
			h := sha256.Sum256([]byte(testNonce))
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nonce": hex.EncodeToString(h[:])}))
		}, nil},
		{"hashed nonce of another value", "nonce", func(t *testing.T) string {
			h := sha256.Sum256([]byte("other"))
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"nonce": hex.EncodeToString(h[:])}))
		}, &VerifyOptions{Nonce: testNonce, NonceHashed: true}},
		{"duplicate sub", "sub", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, strings.Replace(c(nil), `"sub":`, `"sub":"a","sub":`, 1))
		}, nil},
		{"duplicate member in a nested object", `"x"`, func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, strings.Replace(c(nil), `{`, `{"x":{"a":1,"a":2},`, 1))
		}, nil},
		{"SUB is not sub", "sub", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, strings.Replace(c(nil), `"sub":`, `"SUB":`, 1))
		}, nil},
		{"email not a string", "email", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"email": true})) }, nil},
		{"at_hash bad", "at_hash", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"at_hash": tokenHash("RS256", "another-token")}))
		}, &VerifyOptions{Nonce: testNonce, AccessToken: "access-token-1"}},
		{"at_hash with the hash of another size", "at_hash", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"at_hash": tokenHash("RS512", "access-token-1")}))
		}, &VerifyOptions{Nonce: testNonce, AccessToken: "access-token-1"}},
		{"claims an array", "claims", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, `[1,2]`) }, nil},
		{"claims null", "claims", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, `null`) }, nil},
		{"claims not JSON", "claims", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, `{"sub":`) }, nil},
		{"claims with invalid UTF-8", "sub", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, "{\"sub\":\"\xff\"}") }, nil},
		{"claims not base64url", "claims", func(t *testing.T) string {
			return b64([]byte(rs)) + ".e30$." + b64([]byte("sig"))
		}, nil},
		{"claims base64 with padding", "claims", func(t *testing.T) string {
			return b64([]byte(rs)) + ".e30=." + b64([]byte("sig"))
		}, nil},
		{"header not base64url", "header", func(t *testing.T) string { return "e30*." + b64([]byte(c(nil))) + ".c2ln" }, nil},
		{"header not JSON", "header", func(t *testing.T) string { return b64([]byte("alg")) + "." + b64([]byte(c(nil))) + ".c2ln" }, nil},
		{"header an array", "header", func(t *testing.T) string { return b64([]byte(`["RS256"]`)) + "." + b64([]byte(c(nil))) + ".c2ln" }, nil},
		{"empty token", "id_token", func(*testing.T) string { return "" }, nil},
		{"two segments", "id_token", func(*testing.T) string { return "e30.e30" }, nil},
		{"four segments", "id_token", func(t *testing.T) string { return sign(t, "RS256", rsaKey(), rs, c(nil)) + ".e30" }, nil},
		{"five segments (JWE)", "id_token", func(*testing.T) string { return "a.b.c.d.e" }, nil},
		{"garbage", "id_token", func(*testing.T) string { return "not a token" }, nil},
		{"garbage with dots", "header", func(*testing.T) string { return "%%%.^^^.&&&" }, nil},
		{"huge token", "id_token", func(t *testing.T) string {
			return sign(t, "RS256", rsaKey(), rs, c(map[string]any{"pad": strings.Repeat("a", MaxTokenBytes)}))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := VerifyOptions{Nonce: testNonce}
			if tt.opts != nil {
				opts = *tt.opts
			}
			tok := tt.tok(t)
			claims, err := e.v.Verify(bg, tok, opts)
			if claims != nil {
				t.Errorf("claims %+v returned with an error", claims)
			}
			wantRule(t, err, tt.rule, tok)
			if ce := asError(t, err); ce.Connector != "apple-universal" || ce.Retryable {
				t.Errorf("connector %q retryable %t", ce.Connector, ce.Retryable)
			}
			if opts.AccessToken != "" && strings.Contains(err.Error(), opts.AccessToken) {
				t.Errorf("error %q quotes the access token", err)
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := e.srv.hits.Load(); n != 1 {
			t.Errorf("%d key set fetches, want 1", n)
		}
	})
}

// TestVerifyNoKidOneKey: a token without kid is verified against a set of
// exactly one key (OpenID Connect Core §10.1), and refused when the key
// does not fit the alg.
func TestVerifyNoKidOneKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jwks(rsaJWK("only", &rsaKey().PublicKey, nil)), withAlgs("RS256", "ES256"))
	for _, hdr := range []string{`{"alg":"RS256"}`, `{"alg":"RS256","kid":""}`} {
		tok := sign(t, "RS256", rsaKey(), hdr, mustJSON(claimsAt(t0, nil)))
		if _, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err != nil {
			t.Fatalf("%s: %v", hdr, err)
		}
	}
	tok := tokenWith(t, "ES256", "", ecKey(), claimsAt(t0, nil))
	_, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
	wantRule(t, err, "alg", tok)
}

// TestVerifyUnknownKid: an unknown kid causes one refetch, then is refused.
func TestVerifyUnknownKid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	if _, err := e.v.Verify(bg, token(t, claimsAt(t0, nil)), VerifyOptions{Nonce: testNonce}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(DefaultMinRefetchInterval)
	tok := tokenWith(t, "RS256", "rotated", rsaKey(), claimsAt(e.clock.Now(), nil))
	_, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
	wantRule(t, err, "kid", tok)
	if !strings.Contains(err.Error(), "just fetched") {
		t.Errorf("error %q does not say the set was refetched", err)
	}
	if n := e.srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (the first load and one refetch)", n)
	}
	_, err = e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
	wantRule(t, err, "kid", tok)
	if n := e.srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches after a second try within the floor, want 2", n)
	}
}

// TestVerifyEmailVerified: true and "true" are verified, anything else is
// not, for email_verified and phone_number_verified.
func TestVerifyEmailVerified(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	tests := []struct {
		name  string
		value any
		want  bool
	}{
		{"string true", "true", true},
		{"boolean true", true, true},
		{"string false", "false", false},
		{"boolean false", false, false},
		{"number 1", 1, false},
		{"string TRUE", "TRUE", false},
		{"string yes", "yes", false},
		{"object", map[string]any{"v": true}, false},
		{"absent", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := e.v.Verify(bg, token(t, claimsAt(t0, map[string]any{"email_verified": tt.value, "phone_number_verified": tt.value})),
				VerifyOptions{Nonce: testNonce})
			if err != nil {
				t.Fatal(err)
			}
			if c.EmailVerified != tt.want || c.PhoneNumberVerified != tt.want {
				t.Errorf("email_verified %v: EmailVerified %t PhoneNumberVerified %t, want %t", tt.value, c.EmailVerified, c.PhoneNumberVerified, tt.want)
			}
			got, present := c.Bool("email_verified")
			if got != tt.want || present != (tt.value != nil) {
				t.Errorf("Bool = %t, %t", got, present)
			}
		})
	}
}

// TestClaimsReaders: Apple's is_private_email and real_user_status, read
// over the raw claims.
func TestClaimsReaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	c, err := e.v.Verify(bg, token(t, claimsAt(t0, map[string]any{
		"is_private_email": "true", "real_user_status": 2, "transfer_sub": "t.1", "frac": 1.5, "nul": nil, "big": 9007199254740993,
	})), VerifyOptions{Nonce: testNonce})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Bool("is_private_email"); !v || !ok {
		t.Errorf("is_private_email = %t, %t", v, ok)
	}
	if v, ok := c.Bool("missing"); v || ok {
		t.Errorf("missing = %t, %t", v, ok)
	}
	if v, ok := c.Int("real_user_status"); v != 2 || !ok {
		t.Errorf("real_user_status = %d, %t", v, ok)
	}
	if v, ok := c.Int("big"); v != 9007199254740993 || !ok {
		t.Errorf("big = %d, %t", v, ok)
	}
	for _, name := range []string{"frac", "transfer_sub", "missing", "nul"} {
		if v, ok := c.Int(name); ok {
			t.Errorf("Int(%s) = %d, true", name, v)
		}
	}
	if v, ok := c.String("transfer_sub"); v != "t.1" || !ok {
		t.Errorf("transfer_sub = %q, %t", v, ok)
	}
	for _, name := range []string{"real_user_status", "missing", "nul"} {
		if v, ok := c.String(name); ok {
			t.Errorf("String(%s) = %q, true", name, v)
		}
	}
	if raw, ok := c.Lookup("real_user_status"); !ok || string(raw) != "2" {
		t.Errorf("Lookup = %s, %t", raw, ok)
	}
	if _, ok := c.Lookup("nul"); ok {
		t.Error("a null claim is present")
	}
	if _, ok := (&Claims{Raw: []byte("[")}).Lookup("x"); ok {
		t.Error("Lookup on broken Raw")
	}
}

// TestVerifyMisuse: an empty expected nonce is a programming error, not
// a bad token.
func TestVerifyMisuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	tok := token(t, claimsAt(t0, nil))
	for _, opts := range []VerifyOptions{{}, {Nonce: "x", SkipNonce: true}, {NonceHashed: true}} {
		_, err := e.v.Verify(bg, tok, opts)
		ce := asError(t, err)
		if ce.Code != connector.CodeGeneral || !strings.HasPrefix(ce.Message, "nonce:") {
			t.Errorf("%+v: %v", opts, err)
		}
	}
	if n := e.srv.hits.Load(); n != 0 {
		t.Errorf("%d fetches for misuse, want 0", n)
	}
}

// TestVerifyRefusesBeforeFetching: tokens refused by their shape or alg
// never cause a key fetch.
func TestVerifyRefusesBeforeFetching(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS())
	for _, tok := range []string{"", "a.b", b64([]byte(`{"alg":"none"}`)) + ".e30.", b64([]byte(`{"alg":"HS256"}`)) + ".e30.c2ln"} {
		if _, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err == nil {
			t.Fatalf("%q verified", tok)
		}
	}
	if n := e.srv.hits.Load(); n != 0 {
		t.Errorf("%d fetches, want 0", n)
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	ks := NewKeySet("https://appleid.apple.com/auth/keys", KeySetOptions{})
	good := Config{Issuer: testIssuer, Audiences: []string{clientID}, Algorithms: []string{"RS256"}, Keys: ks}
	tests := []struct {
		name  string
		mod   func(*Config)
		paths []string
	}{
		{"empty", func(c *Config) { *c = Config{} }, []string{"Algorithms", "Audiences", "Issuer", "Keys"}},
		{"HS256", func(c *Config) { c.Algorithms = []string{"RS256", "HS256"} }, []string{"Algorithms[1]"}},
		{"hs512 lower case", func(c *Config) { c.Algorithms = []string{"hs512"} }, []string{"Algorithms[0]"}},
		{"none", func(c *Config) { c.Algorithms = []string{"none"} }, []string{"Algorithms[0]"}},
		{"unknown", func(c *Config) { c.Algorithms = []string{"RS1", "EdDSA"} }, []string{"Algorithms[0]", "Algorithms[1]"}},
		{"blank audience", func(c *Config) { c.Audiences = []string{clientID, " "} }, []string{"Audiences[1]"}},
		{"issuer with space", func(c *Config) { c.Issuer = testIssuer + " " }, []string{"Issuer"}},
		{"plain http keys", func(c *Config) { c.Keys = NewKeySet("http://keys.example/jwks", KeySetOptions{}) }, []string{"Keys"}},
		{"negative skew", func(c *Config) { c.Skew = -time.Second }, []string{"Skew"}},
		{"huge skew", func(c *Config) { c.Skew = time.Hour }, []string{"Skew"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			cfg.ConnectorID = "oidc"
			tt.mod(&cfg)
			_, err := New(cfg)
			ce := asError(t, err)
			if ce.Code != connector.CodeInvalidConfig || ce.Step != connector.StepConfig {
				t.Fatalf("%v", err)
			}
			var paths []string
			for _, f := range ce.Fields {
				paths = append(paths, f.Path)
			}
			if strings.Join(paths, ",") != strings.Join(tt.paths, ",") {
				t.Errorf("fields %q, want %q", paths, tt.paths)
			}
		})
	}
	v, err := New(Config{Issuer: testIssuer, Audiences: []string{clientID}, Algorithms: []string{"RS256", "RS256", "ES256"}, Keys: ks})
	if err != nil {
		t.Fatal(err)
	}
	if v.skew != DefaultSkew || len(v.algs) != 2 || v.Keys() != ks {
		t.Errorf("defaults: skew %v algs %q", v.skew, v.algs)
	}
	if s := v.String(); !strings.Contains(s, testIssuer) || !strings.Contains(s, "RS256") {
		t.Errorf("String = %q", s)
	}
}

// TestVerifyConcurrent runs verifications of several keys from many
// goroutines under -race.
func TestVerifyConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultJWKS(), withAlgs("RS256", "ES256"))
	toks := []string{token(t, claimsAt(t0, nil)), tokenWith(t, "ES256", "ec1", ecKey(), claimsAt(t0, nil))}
	errs := make(chan error, 64)
	for i := range 64 {
		go func() {
			_, err := e.v.Verify(bg, toks[i%2], VerifyOptions{Nonce: testNonce})
			errs <- err
		}()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := e.srv.hits.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestTokenHash checks at_hash against the example of OpenID Connect Core
// §A.3 (RS256: access token jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y).
func TestTokenHash(t *testing.T) {
	t.Parallel()
	if got := tokenHash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"); got != "77QmUPtjPfzWtF2AnpK9RQ" {
		t.Errorf("at_hash = %q", got)
	}
	for alg, n := range map[string]int{"RS256": 22, "ES384": 32, "PS512": 43} {
		if got := tokenHash(alg, "x"); len(got) != n {
			t.Errorf("%s: %d characters, want %d", alg, len(got), n)
		}
	}
}

// TestErrorsNameConnector: key set errors are attributed to the verifier's
// connector without changing the shared key set error.
func TestErrorsNameConnector(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.srv.set(500, "oops")
	tok := token(t, claimsAt(t0, nil))
	_, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce})
	ce := asError(t, err)
	if ce.Connector != "apple-universal" || ce.Code != connector.CodeGeneral || !ce.Retryable || ce.Status != 500 {
		t.Fatalf("%v", err)
	}
	_, err = e.keys.Key(bg, "rsa1", "RS256")
	if ce := asError(t, err); ce.Connector != "" {
		t.Errorf("the key set's own error names %q", ce.Connector)
	}
	if !errors.Is(err, connector.ErrGeneral) {
		t.Error("errors.Is ErrGeneral")
	}
}

// Lookup finds exactly the member named, without folding case or reading
// path syntax, and refuses a claim set it could read two ways.
func TestClaimsLookupExact(t *testing.T) {
	c := &Claims{Raw: []byte(`{"email":"a@example.com","EMAIL":"b@example.com","a.b":1,"a":{"b":2},"n":null,"is_private_email":"true"}`)}
	for name, want := range map[string]string{"email": `"a@example.com"`, "EMAIL": `"b@example.com"`, "a.b": "1", "is_private_email": `"true"`} {
		if got, ok := c.Lookup(name); !ok || string(got) != want {
			t.Errorf("Lookup(%q) = %s, %v; want %s", name, got, ok, want)
		}
	}
	for _, name := range []string{"n", "Email", "missing", "", "a.*", "#"} {
		if got, ok := c.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %s, want absent", name, got)
		}
	}
	if v, present := c.Bool("is_private_email"); !v || !present {
		t.Errorf("Bool(is_private_email) = %v, %v", v, present)
	}
	dup := &Claims{Raw: []byte(`{"email":"a@example.com","email":"b@example.com"}`)}
	if got, ok := dup.Lookup("email"); ok {
		t.Errorf("Lookup on duplicate names = %s, want absent", got)
	}
}
