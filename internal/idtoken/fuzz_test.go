package idtoken

import (
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
)

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, and
// nothing but the one genuine token may verify.
func FuzzVerify(f *testing.F) {
	e := newEnv(f, defaultJWKS(), withAlgs("RS256", "PS256", "ES256"))
	good := token(f, claimsAt(t0, map[string]any{"exp": t0.Add(1000 * 24 * time.Hour).Unix()}))
	seeds := []string{
		good,
		good + "x",
		strings.Replace(good, ".", "..", 1),
		b64([]byte(`{"alg":"none"}`)) + ".e30.",
		b64([]byte(`{"alg":"HS256","kid":"rsa1"}`)) + ".e30.c2ln",
		b64([]byte(`{"alg":"RS256","kid":"rsa1","kid":"x"}`)) + ".e30.c2ln",
		b64([]byte(`{"alg":"RS256","kid":"unknown"}`)) + "." + b64([]byte(`{"sub":"a","sub":"b"}`)) + ".c2ln",
		b64([]byte(`{"alg":"ES256","kid":"ec1"}`)) + ".bnVsbA.c2ln",
		b64([]byte(`{"alg":"PS256"}`)) + "." + b64([]byte(`[[[[[[[[`)) + ".",
		"a.b.c.d.e",
		"",
		"....",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := e.v.Verify(bg, raw, VerifyOptions{Nonce: testNonce})
		if raw == good {
			if err != nil {
				t.Fatalf("the genuine token fails: %v", err)
			}
			return
		}
		if err == nil || c != nil {
			t.Fatalf("%q verified", raw)
		}
		if connector.CodeOf(err) != connector.CodeSocialInvalidIDToken {
			t.Fatalf("%q: code %s (%v)", raw, connector.CodeOf(err), err)
		}
	})
}

// FuzzParseJWKS feeds arbitrary key sets to the parser: it must never
// panic, and a set it accepts holds only usable keys.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(defaultJWKS()))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"a"},{"kid":"a"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		set, err := parseJWKS(body)
		if err != nil {
			return
		}
		if len(set.keys) == 0 {
			t.Fatal("accepted a set without keys")
		}
		for _, k := range set.keys {
			if !keyFits(k.Public, "RS256") && !keyFits(k.Public, "ES256") && !keyFits(k.Public, "ES384") && !keyFits(k.Public, "ES512") {
				t.Fatalf("key %+v fits no algorithm", k)
			}
		}
	})
}
