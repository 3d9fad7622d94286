package apple

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
)

// The client secret's lifetime. Apple accepts up to six months; a day
// bounds what a leaked secret is worth, and minting one a day costs
// nothing.
const (
	// clientSecretLifetime is from the secret's iat to its exp.
	clientSecretLifetime = 24 * time.Hour
	// clientSecretRenewal is how long before its expiry a secret is
	// replaced, so that none expires between minting and Apple's check.
	clientSecretRenewal = time.Hour
	// clientSecretBackdate sets iat a little in the past: a clock a few
	// seconds ahead of Apple's must not make the secret "issued in the
	// future".
	clientSecretBackdate = time.Minute
)

// parsePrivateKey reads the .p8 file Apple gives for a Sign in with Apple
// key: one PEM block holding a PKCS #8 (or SEC 1) ECDSA P-256 private key.
// A value pasted with its line breaks escaped ("\n") is accepted too. No
// message ever holds any part of the key.
func parsePrivateKey(text string) (*ecdsa.PrivateKey, error) {
	text = strings.TrimSpace(text)
	if !strings.Contains(text, "\n") && strings.Contains(text, `\n`) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	block, rest := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("is not a PEM block: paste the whole content of the .p8 file Apple gave for the key, " +
			"from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("holds more than one PEM block: paste the .p8 file alone")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		name := block.Type
		if len(name) > 40 || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r > '~' }) {
			name = "another type"
		}
		return nil, errors.New("is a PEM block of type " + strconv.Quote(name) + ", not the PRIVATE KEY of a .p8 file")
	}
	if err != nil {
		return nil, errors.New("is a PEM block whose key cannot be parsed (a damaged or truncated .p8 file?)")
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("is an ECDSA key on " + k.Curve.Params().Name + ": Sign in with Apple keys are ECDSA P-256 (ES256)")
		}
		return k, nil
	case *rsa.PrivateKey:
		return nil, errors.New("is an RSA key: Sign in with Apple keys are ECDSA P-256 (ES256)")
	case ed25519.PrivateKey:
		return nil, errors.New("is an Ed25519 key: Sign in with Apple keys are ECDSA P-256 (ES256)")
	}
	return nil, errors.New("is not an ECDSA P-256 key: Sign in with Apple keys are ECDSA P-256 (ES256)")
}

// clientSecret mints the client secret Apple's token endpoint wants: a JWT
// signed ES256 with the Sign in with Apple key (header kid = the key ID;
// iss = the team ID, sub = the client ID, aud = https://appleid.apple.com,
// iat, exp). One is minted on first use and reused by every request until
// an hour before it expires, on the injected clock. It is safe for
// concurrent use.
type clientSecret struct {
	key                     *ecdsa.PrivateKey
	teamID, keyID, clientID string
	now                     func() time.Time

	mu       sync.Mutex
	value    connector.Secret
	issuedAt time.Time
	renewAt  time.Time
	mints    int
}

func newClientSecret(key *ecdsa.PrivateKey, teamID, keyID, clientID string, now func() time.Time) *clientSecret {
	return &clientSecret{key: key, teamID: teamID, keyID: keyID, clientID: clientID, now: now}
}

// get returns the current secret, minting one when there is none, when it
// is due for renewal, or when the clock went back before its iat.
func (s *clientSecret) get(context.Context) (connector.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.value != "" && now.Before(s.renewAt) && !now.Before(s.issuedAt) {
		return s.value, nil
	}
	iat := now.Add(-clientSecretBackdate).Truncate(time.Second)
	exp := iat.Add(clientSecretLifetime)
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": s.teamID,
		"sub": s.clientID,
		"aud": Issuer,
		"iat": iat.Unix(),
		"exp": exp.Unix(),
	})
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.key)
	if err != nil {
		// ECDSA signing fails only when the system's randomness does; the
		// cause names no key material.
		return "", errors.New("cannot sign the client secret with the private key")
	}
	s.value, s.issuedAt, s.renewAt = connector.Secret(signed), iat, exp.Add(-clientSecretRenewal)
	s.mints++
	return s.value, nil
}
