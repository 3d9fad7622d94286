package mockprovider

// This file holds what the mocks that issue OpenID Connect id_tokens (Sign
// in with Apple and the generic OpenID Connect provider) share: the signing
// keys and their JWKS, key rotation, and the minting of id_tokens with the
// id_token faults applied.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
)

// idTokenModes are the id_token faults: the modes a mock that issues
// id_tokens renders wherever it hands one out.
var idTokenModes = []Mode{MissingID, WrongTypes, BadSignature, WrongIssuer, WrongAudience, Expired,
	WrongNonce, UnknownKey, AlgNone}

// idTokenTTL is how long an id_token is valid.
const idTokenTTL = 10 * time.Minute

// idTokenErrorCases are the id_token faults at e, each of which a connector
// must refuse with social_invalid_id_token.
func idTokenErrorCases(e Endpoint) []ErrorCase {
	out := make([]ErrorCase, 0, len(idTokenModes))
	for _, m := range idTokenModes {
		out = append(out, ErrorCase{Name: "id_token_" + string(m), Endpoint: e,
			Failure: Failure{Mode: m}, Code: connector.CodeSocialInvalidIDToken})
	}
	return out
}

// signingKey is one id_token signing key and its kid.
type signingKey struct {
	kid string
	key crypto.Signer // *rsa.PrivateKey or *ecdsa.PrivateKey
}

// keyring holds a mock's id_token signing keys, the current one first, all
// for one algorithm: RS256, PS256 (RSA 2048) or ES256 (P-256). A clone gets
// its own list of the same keys.
type keyring struct {
	alg     string
	keyMu   sync.Mutex
	keyList []signingKey
	rogue   *rogueKey // shared by clones
}

// rogueKey is a key of the keyring's kind that is never in the JWKS: what
// the BadSignature and UnknownKey faults sign with.
type rogueKey struct {
	alg  string
	once sync.Once
	key  crypto.Signer
}

func (r *rogueKey) get() crypto.Signer {
	r.once.Do(func() { r.key = mustSigningKey(r.alg) })
	return r.key
}

// keyAlgorithms are the algorithms a keyring can sign with.
var keyAlgorithms = []string{"RS256", "PS256", "ES256"}

// newKeyring returns a keyring with one fresh key for alg, one of
// keyAlgorithms.
func newKeyring(alg string) *keyring {
	return &keyring{alg: alg, keyList: []signingKey{newSigningKey(alg)}, rogue: &rogueKey{alg: alg}}
}

func newSigningKey(alg string) signingKey {
	return signingKey{kid: "mock-" + randHex(5), key: mustSigningKey(alg)}
}

// mustSigningKey generates a key for alg: P-256 for ES256, RSA 2048
// otherwise.
func mustSigningKey(alg string) crypto.Signer {
	var (
		k   crypto.Signer
		err error
	)
	if alg == "ES256" {
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		panic("mockprovider: cannot generate a signing key: " + err.Error())
	}
	return k
}

// clone returns a keyring with the same keys (and rogue key), rotated
// independently from then on.
func (k *keyring) clone() *keyring {
	k.keyMu.Lock()
	defer k.keyMu.Unlock()
	return &keyring{alg: k.alg, keyList: slices.Clone(k.keyList), rogue: k.rogue}
}

// RotateKey makes a new signing key current. With keepOld the previous
// keys stay in the JWKS; without, they are dropped (id_tokens signed before
// then no longer verify).
func (k *keyring) RotateKey(keepOld bool) {
	n := newSigningKey(k.alg)
	k.keyMu.Lock()
	defer k.keyMu.Unlock()
	if keepOld {
		k.keyList = append([]signingKey{n}, k.keyList...)
	} else {
		k.keyList = []signingKey{n}
	}
}

// KeyIDs lists the kids in the JWKS, the current signing key first.
func (k *keyring) KeyIDs() []string {
	k.keyMu.Lock()
	defer k.keyMu.Unlock()
	out := make([]string, len(k.keyList))
	for i, sk := range k.keyList {
		out[i] = sk.kid
	}
	return out
}

// publicKey returns the public half of the key kid, or nil.
func (k *keyring) publicKey(kid string) crypto.PublicKey {
	k.keyMu.Lock()
	defer k.keyMu.Unlock()
	for _, sk := range k.keyList {
		if sk.kid == kid {
			return sk.key.Public()
		}
	}
	return nil
}

func (k *keyring) current() signingKey {
	k.keyMu.Lock()
	defer k.keyMu.Unlock()
	return k.keyList[0]
}

// jwk renders the public half of sk as a JSON Web Key (RFC 7517, 7518).
func (k *keyring) jwk(sk signingKey) map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	m := map[string]any{"kid": sk.kid, "use": "sig", "alg": k.alg}
	switch pub := sk.key.Public().(type) {
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		// 0x04 || X || Y, each coordinate 32 bytes on P-256.
		raw, err := pub.Bytes()
		if err != nil || len(raw) != 65 {
			panic("mockprovider: cannot encode a P-256 key")
		}
		m["kty"], m["crv"], m["x"], m["y"] = "EC", "P-256", b64(raw[1:33]), b64(raw[33:])
	}
	return m
}

// handleJWKS serves the key set: GET only.
func (k *keyring) handleJWKS(w http.ResponseWriter, r *http.Request, _ Failure) {
	if !onlyGet(w, r) {
		return
	}
	k.keyMu.Lock()
	keys := make([]any, 0, len(k.keyList))
	for _, sk := range k.keyList {
		keys = append(keys, k.jwk(sk))
	}
	k.keyMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// onlyGet answers 405 to anything but GET and reports whether r is a GET.
func onlyGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet {
		return true
	}
	w.Header().Set("Allow", "GET")
	writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "method_not_allowed"})
	return false
}

// idTokenClaims are the claims of every id_token (OpenID Connect Core 2):
// iss, aud, sub, iat, exp and auth_time; nonce when withNonce and the
// authorization request had one; c_hash of code and at_hash of
// accessToken when they are not empty.
func idTokenClaims(iss string, g *grant, now, authTime time.Time, withNonce bool, code, accessToken string) jwt.MapClaims {
	claims := jwt.MapClaims{
		"iss":       iss,
		"aud":       g.clientID,
		"sub":       g.identity.ID,
		"iat":       now.Unix(),
		"exp":       now.Add(idTokenTTL).Unix(),
		"auth_time": authTime.Unix(),
	}
	if withNonce && g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if code != "" {
		claims["c_hash"] = halfHash(code)
	}
	if accessToken != "" {
		claims["at_hash"] = halfHash(accessToken)
	}
	return claims
}

// halfHash is the c_hash or at_hash of s (OpenID Connect Core 3.1.3.6):
// the left half of its hash, base64url. RS256, PS256 and ES256 all hash
// with SHA-256.
func halfHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// claimBool renders a boolean claim, as a string "true" or "false" when
// asString (as some providers send them).
func claimBool(b, asString bool) any {
	if !asString {
		return b
	}
	if b {
		return "true"
	}
	return "false"
}

// wrongParty is what the WrongIssuer and WrongAudience faults put in an
// id_token's iss and aud.
type wrongParty struct{ issuer, audience string }

// mintIDToken signs claims with k's current key after applying f's
// id_token fault, records the token as issued and returns it.
func (s *oauthServer) mintIDToken(k *keyring, claims jwt.MapClaims, f Failure, now time.Time, wrong wrongParty) string {
	cur := k.current()
	kid, key, method := cur.kid, cur.key, jwt.GetSigningMethod(k.alg)
	switch f.Mode {
	case MissingID:
		delete(claims, "sub")
	case WrongTypes:
		claims["sub"] = 12345
	case WrongIssuer:
		claims["iss"] = wrong.issuer
	case WrongAudience:
		claims["aud"] = wrong.audience
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["auth_time"] = claims["iat"]
		claims["exp"] = now.Add(-time.Hour).Unix()
	case WrongNonce:
		claims["nonce"] = "nonce-" + randHex(8)
	case BadSignature:
		key = k.rogue.get()
	case UnknownKey:
		kid, key = "rogue-"+randHex(4), k.rogue.get()
	}
	var signing any = key
	if f.Mode == AlgNone {
		method, signing = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	raw, err := tok.SignedString(signing)
	if err != nil {
		panic("mockprovider: cannot sign an id_token: " + err.Error())
	}
	s.mu.Lock()
	s.issued.IDTokens = append(s.issued.IDTokens, raw)
	s.mu.Unlock()
	return raw
}
