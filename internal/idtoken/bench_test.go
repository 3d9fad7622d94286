package idtoken

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerify verifies an RS256 id_token with warm keys; fetches/op
// shows the key set is fetched once, not per verification.
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b, defaultJWKS())
	tok := token(b, claimsAt(t0, nil))
	if _, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err != nil {
		b.Fatal(err)
	}
	before := e.srv.hits.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.srv.hits.Load()-before)/float64(b.N), "fetches/op")
}

// BenchmarkVerifyParallel is BenchmarkVerify from every CPU, one shared
// key set.
func BenchmarkVerifyParallel(b *testing.B) {
	e := newEnv(b, defaultJWKS())
	tok := token(b, claimsAt(t0, nil))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.v.Verify(bg, tok, VerifyOptions{Nonce: testNonce}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(e.srv.hits.Load())/float64(b.N), "fetches/op")
}

// bareClaims is what a bare golang-jwt verification decodes.
type bareClaims struct {
	jwt.RegisteredClaims
	Nonce         string `json:"nonce"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
}

// BenchmarkBareRS256 is the floor: golang-jwt parsing the same token with
// a fixed key and decoding the claims, with no key set and none of the
// verifier's checks.
func BenchmarkBareRS256(b *testing.B) {
	tok := token(b, claimsAt(t0, nil))
	pub := &rsaKey().PublicKey
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
	b.ReportAllocs()
	for b.Loop() {
		var c bareClaims
		if _, err := p.ParseWithClaims(tok, &c, keyfunc); err != nil || c.Subject != testSub {
			b.Fatal(err)
		}
	}
}
