package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The state of an SMS sign-in (the verification sent, the phone number)
// lives in the browser, not in the server: the demo seals it into a cookie
// (the social flows' cookies are the web package's, which works the same
// way under a key it derives from the same one):
//
//   - encrypted and authenticated with AES-256-GCM, so the browser can
//     neither read it nor change a byte without the seal failing (GCM's tag
//     is the signature);
//   - bound to the connector: the binding is GCM's additional data, so a
//     cookie sealed for one connector does not open for another;
//   - expiring: the sealed payload carries its own expiry, checked on open
//     (the cookie's Max-Age is only a hint to the browser);
//   - cleared once the code is verified.
//
// Any replica that holds the same key can finish a flow another one started,
// so the host scales out with no shared session store. The key is random per
// process by default (restarting the demo forgets flows in progress); give
// every replica the same key with --cookie-key or CONNECTORKIT_COOKIE_KEY.

// keySize is the AES-256 key size.
const keySize = 32

// sealVersion prefixes every sealed value so the format can change.
const sealVersion = "v1."

var (
	errSealMalformed = errors.New("sealed value is malformed")
	errSealTampered  = errors.New("sealed value does not authenticate: tampered with, sealed with another key or for another connector")
	errSealExpired   = errors.New("sealed value has expired")
)

// sealer seals values with AES-256-GCM. It is safe for concurrent use.
type sealer struct {
	aead cipher.AEAD
	now  func() time.Time
}

// newSealer returns a sealer with key (32 bytes), or a random key when key
// is nil.
func newSealer(key []byte, now func() time.Time) (*sealer, error) {
	if key == nil {
		key = make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("cannot generate a cookie key: %w", err)
		}
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("cookie key must be %d bytes, got %d", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &sealer{aead: aead, now: now}, nil
}

// parseKey reads a 32-byte key written as 64 hex digits or as base64
// (standard or URL alphabet, padded or not).
func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == keySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == keySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("cookie key must be %d bytes written as 64 hex digits or base64 (e.g. the output of \"openssl rand -hex 32\")", keySize)
}

// envelope is what is encrypted: the payload, its expiry and its binding.
type envelope struct {
	Binding string          `json:"b"`
	Expires int64           `json:"e"`
	Payload json.RawMessage `json:"p"`
}

// seal encrypts v (any JSON value) for binding (e.g. "sms:twilio"), valid
// for ttl, as a cookie-safe string.
func (s *sealer) seal(binding string, v any, ttl time.Duration) (string, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(envelope{Binding: binding, Expires: s.now().Add(ttl).Unix(), Payload: payload})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := s.aead.Seal(nonce, nonce, plain, []byte(binding))
	return sealVersion + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// open decrypts a value sealed for binding into v. It fails with
// errSealMalformed, errSealTampered (any change, another key, another
// binding) or errSealExpired.
func (s *sealer) open(binding, sealed string, v any) error {
	body, ok := strings.CutPrefix(sealed, sealVersion)
	if !ok {
		return errSealMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return errSealMalformed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(binding))
	if err != nil {
		return errSealTampered
	}
	var env envelope
	if err := json.Unmarshal(plain, &env); err != nil {
		return errSealMalformed
	}
	// The binding is authenticated as additional data already; comparing
	// it again guards against a future change of the format.
	if env.Binding != binding {
		return errSealTampered
	}
	if !s.now().Before(time.Unix(env.Expires, 0)) {
		return errSealExpired
	}
	if err := json.Unmarshal(env.Payload, v); err != nil {
		return errSealMalformed
	}
	return nil
}
