package idtoken

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// TestParseJWKSKeys: which keys of a set are kept, skipped (and why), and
// which sets are refused.
func TestParseJWKSKeys(t *testing.T) {
	t.Parallel()
	rsaPub, ecPub := &rsaKey().PublicKey, &ecKey().PublicKey
	good := rsaJWK("good", rsaPub, nil)
	ecGood := ecJWK("ecgood", ecPub, nil)
	offCurve := ecJWK("off", ecPub, nil)
	// Flip a bit of the decoded coordinate (flipping a bit of its base64
	// text could make an invalid base64 character instead).
	y, err := base64.RawURLEncoding.DecodeString(offCurve["y"].(string))
	if err != nil {
		t.Fatal(err)
	}
	y[3] ^= 1
	offCurve["y"] = base64.RawURLEncoding.EncodeToString(y)
	tests := []struct {
		name    string
		key     map[string]any
		skipped string // "" = kept
	}{
		{"RSA", rsaJWK("k", rsaPub, nil), ""},
		{"RSA with alg PS512", rsaJWK("k", rsaPub, map[string]any{"alg": "PS512"}), ""},
		{"RSA without use", rsaJWK("k", rsaPub, map[string]any{"use": nil}), ""},
		{"RSA with key_ops verify", rsaJWK("k", rsaPub, map[string]any{"key_ops": []string{"verify"}}), ""},
		{"EC P-256", ecJWK("k", ecPub, nil), ""},
		{"EC P-384 with alg", ecJWK("k", &ecKey384().PublicKey, map[string]any{"alg": "ES384"}), ""},
		{"use enc", rsaJWK("k", rsaPub, map[string]any{"use": "enc"}), "use is not sig"},
		{"key_ops encrypt", rsaJWK("k", rsaPub, map[string]any{"key_ops": []string{"encrypt"}}), "key_ops"},
		{"oct", map[string]any{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}, "key type not supported"},
		{"OKP", map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AA", "kid": "k"}, "key type not supported"},
		{"no kty", map[string]any{"kid": "k"}, "key type not supported"},
		{"1024-bit RSA", rsaJWK("k", &rsaWeak().PublicKey, nil), "RSA modulus of 1024 bits"},
		{"RSA exponent 1", rsaJWK("k", rsaPub, map[string]any{"e": "AQ"}), "RSA exponent"},
		{"RSA even exponent", rsaJWK("k", rsaPub, map[string]any{"e": "AQAA"}), "RSA exponent"},
		{"RSA huge exponent", rsaJWK("k", rsaPub, map[string]any{"e": "AQAAAAAB"}), "RSA exponent"},
		{"RSA exponent missing", rsaJWK("k", rsaPub, map[string]any{"e": nil}), "RSA exponent"},
		{"RSA modulus not base64url", rsaJWK("k", rsaPub, map[string]any{"n": "a+b/"}), "RSA modulus n"},
		{"RSA modulus padded", rsaJWK("k", rsaPub, map[string]any{"n": rsaJWK("k", rsaPub, nil)["n"].(string) + "=="}), "RSA modulus n"},
		{"RSA modulus of 9000 bits", rsaJWK("k", rsaPub, map[string]any{"n": b64(append([]byte{1}, make([]byte, 1125)...))}), "9001 bits"},
		{"RSA private key published", rsaJWK("k", rsaPub, map[string]any{"d": "AQAB"}), "private key material"},
		{"RSA with alg ES256", rsaJWK("k", rsaPub, map[string]any{"alg": "ES256"}), "alg"},
		{"RSA with alg RSA-OAEP", rsaJWK("k", rsaPub, map[string]any{"alg": "RSA-OAEP"}), "alg"},
		{"EC P-256 with alg ES384", ecJWK("k", ecPub, map[string]any{"alg": "ES384"}), "alg"},
		{"EC secp256k1", ecJWK("k", ecPub, map[string]any{"crv": "secp256k1"}), "curve not supported"},
		{"EC point off the curve", offCurve, "not on the curve"},
		{"EC short coordinate", ecJWK("k", ecPub, map[string]any{"x": "AAAA"}), "32 bytes"},
		{"EC coordinate missing", ecJWK("k", ecPub, map[string]any{"y": nil}), "32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set, err := parseJWKS([]byte(jwks(good, tt.key)))
			if err != nil {
				t.Fatal(err)
			}
			if tt.skipped == "" {
				if len(set.keys) != 2 || len(set.skipped) != 0 {
					t.Fatalf("%d keys, skipped %v", len(set.keys), set.skipped)
				}
				return
			}
			if len(set.keys) != 1 || len(set.skipped) != 1 || !strings.Contains(set.skipped[0].why, tt.skipped) {
				t.Fatalf("%d keys, skipped %v, want one skipped for %q", len(set.keys), set.skipped, tt.skipped)
			}
			// Alone, the key leaves no usable key.
			_, err = parseJWKS([]byte(jwks(tt.key)))
			if err == nil || !strings.Contains(err.Error(), "no usable signature key") || !strings.Contains(err.Error(), tt.skipped) {
				t.Errorf("alone: %v", err)
			}
		})
	}
	t.Run("same key twice is one key", func(t *testing.T) {
		set, err := parseJWKS([]byte(jwks(good, ecGood, rsaJWK("good", rsaPub, nil))))
		if err != nil || len(set.keys) != 2 {
			t.Fatalf("%v", err)
		}
	})
	t.Run("refused sets", func(t *testing.T) {
		for name, body := range map[string]string{
			"different keys, one kid":       jwks(good, rsaJWK("good", &rsaKey2().PublicKey, nil)),
			"same key, different alg":       jwks(good, rsaJWK("good", rsaPub, map[string]any{"alg": "RS512"})),
			"a key and an unusable one":     jwks(good, rsaJWK("good", &rsaWeak().PublicKey, nil)),
			"an unusable key and a key":     jwks(rsaJWK("good", &rsaWeak().PublicKey, nil), good),
			"kid not a string":              `{"keys":[{"kty":"RSA","kid":7}]}`,
			"key not an object":             `{"keys":["RSA"]}`,
			"duplicate member in a key":     `{"keys":[{"kty":"RSA","kty":"EC"}]}`,
			"null keys":                     `{"keys":null}`,
			"several unusable keys, listed": jwks(rsaJWK("a", &rsaWeak().PublicKey, nil), rsaJWK("b", &rsaWeak().PublicKey, nil)),
		} {
			if _, err := parseJWKS([]byte(body)); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
	t.Run("no kid", func(t *testing.T) {
		set, err := parseJWKS([]byte(jwks(rsaJWK("", rsaPub, map[string]any{"kid": nil}), rsaJWK("", &rsaWeak().PublicKey, map[string]any{"kid": nil}))))
		if err != nil || len(set.keys) != 1 || len(set.unusable) != 0 || set.skipped[0].kid != "#1" {
			t.Fatalf("%v %+v", err, set)
		}
	})
}

// TestTokenClaimsInterface: the jwt.Claims methods describe the token.
func TestTokenClaimsInterface(t *testing.T) {
	t.Parallel()
	tc := &tokenClaims{}
	if err := tc.UnmarshalJSON([]byte(`{"iss":"i","sub":"s","aud":["a","b"],"exp":100,"iat":50.5,"nbf":-1}`)); err != nil {
		t.Fatal(err)
	}
	exp, _ := tc.GetExpirationTime()
	iat, _ := tc.GetIssuedAt()
	nbf, _ := tc.GetNotBefore()
	iss, _ := tc.GetIssuer()
	sub, _ := tc.GetSubject()
	aud, _ := tc.GetAudience()
	if !exp.Equal(time.Unix(100, 0)) || !iat.Equal(time.Unix(50, 0)) || nbf != nil || iss != "i" || sub != "s" || len(aud) != 2 {
		t.Errorf("exp %v iat %v nbf %v iss %q sub %q aud %q", exp, iat, nbf, iss, sub, aud)
	}
	empty := &tokenClaims{}
	if d, _ := empty.GetExpirationTime(); d != nil {
		t.Error("exp of empty claims")
	}
	if s, _ := empty.GetSubject(); s != "" {
		t.Error("sub of empty claims")
	}
	if _, err := (&tokenClaims{w: wireClaims{Aud: rawValue("{}")}}).GetAudience(); err == nil {
		t.Error("aud object accepted")
	}
}

func TestQuoteClean(t *testing.T) {
	t.Parallel()
	if got := quoteClean("a\nb"); got != `"a b"` {
		t.Errorf("%s", got)
	}
	if got := quoteClean(strings.Repeat("é", 80)); len(got) > 110 || !strings.HasSuffix(got, `..."`) {
		t.Errorf("%s", got)
	}
	if keyKind("x") != "unknown" {
		t.Error("keyKind")
	}
}
