package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/markbates/goth"
	gothapple "github.com/markbates/goth/providers/apple"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

const (
	appleClientID    = "com.example.web"
	appleTeamID      = "TEAM123456"
	appleKeyID       = "KEY1234567"
	appleSub         = "001234.5f1e2d3c4b5a69788796a5b4c3d2e1f0.1201"
	appleEmail       = "ada@privaterelay.appleid.com"
	appleNonce       = "n-0S6_WzA2Mj-a9ccb1d3e5f7"
	appleAccessToken = "a7f3c2e1d0b9a8f7e6d5c4b3a2f1e0d9.0.rsvw.kP3mT8xQ2nL5vB1cZ9yH4jG6fD0sA7wE"
	appleKeysHP      = "appleid.apple.com/auth/keys"
	appleTokenHP     = "appleid.apple.com/auth/token"
)

// appleWorld is a Sign in with Apple answering at Apple's own URLs (as
// social/apple's tests do with httpmock): its JWKS of three RS256 keys, a
// token endpoint whose id_token carries at_hash, and the id_token a
// callback form brings.
type appleWorld struct {
	p           *provider
	keys        map[string]*rsa.PublicKey // the floor's keys, parsed once
	callbackJWT string
	flow        connector.FlowState
	privatePEM  string // the client secret's ES256 key (.p8)
}

var appleSigningKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

var appleClientKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

func halfHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func newAppleWorld(tb testing.TB) *appleWorld {
	tb.Helper()
	signing := appleSigningKeys()
	w := &appleWorld{keys: map[string]*rsa.PublicKey{}}
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	kids := []string{"rs0M3kOV9p", "Sf2lFqwkpX", "E6Ff2vjGd9"}
	for i, k := range signing {
		w.keys[kids[i]] = &k.PublicKey
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Kid: kids[i], Use: "sig", Alg: "RS256",
			N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	claims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{
			"iss": apple.Issuer, "aud": appleClientID, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"sub": appleSub, "email": appleEmail, "email_verified": true, "is_private_email": true,
			"auth_time": now.Unix(), "nonce_supported": true, "nonce": appleNonce, "real_user_status": 2,
		}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	sign := func(c jwt.MapClaims) string {
		t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		t.Header["kid"] = kids[1]
		s, err := t.SignedString(signing[1])
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	w.callbackJWT = sign(claims(jwt.MapClaims{"c_hash": halfHash(authCode)}))
	token, err := json.Marshal(map[string]any{"access_token": appleAccessToken, "token_type": "Bearer", "expires_in": 3600,
		"refresh_token": "r8e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b.0.rsvw.Qm3nT7pL2xK9vB4cZ1yH6jG8fD5sA0wE",
		"id_token":      sign(claims(jwt.MapClaims{"at_hash": halfHash(appleAccessToken)}))})
	if err != nil {
		tb.Fatal(err)
	}
	w.p = newProvider(map[string]answer{
		appleKeysHP:  jsonAnswer(200, string(jwks)),
		appleTokenHP: jsonAnswer(200, string(token)),
	})
	w.flow = connector.FlowState{State: "st-7Qd2mX9kLp4vR8sT", RedirectURI: redirectURI, Nonce: appleNonce}
	der, err := x509.MarshalPKCS8PrivateKey(appleClientKey())
	if err != nil {
		tb.Fatal(err)
	}
	w.privatePEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return w
}

// formPost is the callback Apple posts (response_mode form_post).
func (w *appleWorld) formPost() url.Values {
	return url.Values{"state": {w.flow.State}, "code": {authCode}, "id_token": {w.callbackJWT}}
}

// appleCK is connectorkit's Sign in with Apple on the callback form: with
// exchange false (no private key) it verifies the callback's id_token
// alone; with exchange true it also exchanges the code, with the ES256
// client secret it mints and reuses, and verifies the token response's
// id_token (at_hash, same sub).
func (w *appleWorld) appleCK(tb testing.TB, exchange bool) func(context.Context) (profile, error) {
	tb.Helper()
	cfg := apple.Config{ClientID: appleClientID, Scope: "name email"}
	if exchange {
		cfg.TeamID, cfg.KeyID, cfg.PrivateKey = appleTeamID, appleKeyID, connector.Secret(w.privatePEM)
	}
	c, err := apple.New(cfg, connector.WithHTTPClient(w.p.memClient()))
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context) (profile, error) {
		info, err := c.UserInfo(ctx, connector.Callback{Params: w.formPost(), Flow: w.flow})
		if err != nil {
			return profile{}, err
		}
		return profile{ID: info.ID, Email: info.Email, Name: info.Name}, nil
	}
}

// appleGoth is goth's Apple provider: it exchanges the code (through
// http.DefaultClient: see swapDefaultClient), fetches the JWKS through the
// client it was given and verifies the token response's id_token (aud,
// iss, exp, at_hash, signature). It never looks at the callback's
// id_token or a nonce.
func (w *appleWorld) appleGoth(tb testing.TB) func(context.Context) (profile, error) {
	tb.Helper()
	now := time.Now()
	secret, err := gothapple.MakeSecret(gothapple.SecretParams{PKCS8PrivateKey: w.privatePEM, TeamId: appleTeamID,
		KeyId: appleKeyID, ClientId: appleClientID, Iat: int(now.Unix()), Exp: int(now.Add(time.Hour).Unix())})
	if err != nil {
		tb.Fatal(err)
	}
	p := gothapple.New(appleClientID, *secret, redirectURI, w.p.memClient(), gothapple.ScopeName, gothapple.ScopeEmail)
	swapDefaultClient(tb, w.p)
	g, err := newGoth(p, func(s goth.Session) goth.Session { c := *s.(*gothapple.Session); return &c })
	if err != nil {
		tb.Fatal(err)
	}
	return g.callback
}

// appleClaims is what the floor decodes.
type appleClaims struct {
	jwt.RegisteredClaims
	Nonce         string `json:"nonce"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
}

// appleFloor is a bare RS256 verification of the callback's id_token with
// golang-jwt (keys parsed once, picked by kid; exp, iss and aud by the
// parser) and the claims decoded, plus the nonce compared.
func (w *appleWorld) appleFloor() func(context.Context) (profile, error) {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(apple.Issuer),
		jwt.WithAudience(appleClientID), jwt.WithExpirationRequired())
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := w.keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}
	return func(context.Context) (profile, error) {
		form := w.formPost()
		var c appleClaims
		if _, err := parser.ParseWithClaims(form.Get("id_token"), &c, keyfunc); err != nil {
			return profile{}, err
		}
		if c.Nonce != w.flow.Nonce {
			return profile{}, errors.New("nonce mismatch")
		}
		return profile{ID: c.Subject, Email: c.Email}, nil
	}
}

// appleImpls are the variants of group 3, in order.
func (w *appleWorld) appleImpls(tb testing.TB) ([]string, map[string]func(context.Context) (profile, error)) {
	names := []string{"connectorkit-verify", "connectorkit-exchange", implGoth, implFloor}
	return names, map[string]func(context.Context) (profile, error){
		"connectorkit-verify":   w.appleCK(tb, false),
		"connectorkit-exchange": w.appleCK(tb, true),
		implGoth:                w.appleGoth(tb),
		implFloor:               w.appleFloor(),
	}
}

var appleWant = profile{ID: appleSub, Email: appleEmail}

// BenchmarkAppleIDToken is group 3: the callback of Sign in with Apple
// with warm keys. keyfetches/1000 counts the JWKS requests per 1,000
// sign-ins; reqs/op every request.
func BenchmarkAppleIDToken(b *testing.B) {
	w := newAppleWorld(b)
	names, impls := w.appleImpls(b)
	ctx := context.Background()
	for _, name := range names {
		run := impls[name]
		b.Run("impl="+name, func(b *testing.B) {
			// Warm: the first sign-in fetches the keys where it keeps them.
			if got, err := run(ctx); err != nil || got != appleWant {
				b.Fatalf("got %+v, %v; want %+v", got, err, appleWant)
			}
			keysBefore, tokenBefore := w.p.requests(appleKeysHP), w.p.requests(appleTokenHP)
			cpu := startCPU()
			b.ReportAllocs()
			for b.Loop() {
				if got, err := run(ctx); err != nil || got.ID != appleSub {
					b.Fatalf("got %+v, %v", got, err)
				}
			}
			cpu.report(b)
			fetches := w.p.requests(appleKeysHP) - keysBefore
			reqs := fetches + w.p.requests(appleTokenHP) - tokenBefore
			b.ReportMetric(1000*float64(fetches)/float64(b.N), "keyfetches/1000")
			b.ReportMetric(float64(reqs)/float64(b.N), "reqs/op")
		})
	}
}
