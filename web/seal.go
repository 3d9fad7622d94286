package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// The sealed value of a flow cookie, base64url without padding:
//
//	version (1 byte) | GCM nonce (12) | ciphertext | GCM tag (16)
//
// The additional data is sealAD, the version and the cookie name. The
// plaintext is the expiry (Unix seconds, a varint), the binding (16 bytes)
// and five strings, each a uvarint length and its bytes: state, redirect
// URI, PKCE verifier, nonce, host data.

const (
	// sealVersion is the first byte of every sealed value.
	sealVersion byte = 1
	// keyInfo is the HKDF info of the AES key derived from a host key:
	// a host key reused elsewhere still yields a key of this use only.
	keyInfo = "connectorkit web flow cookie v1"
	// sealAD starts the additional data of every seal.
	sealAD = "connectorkit/web flow\x00"
	// bindingSize is the size of the connector binding digest.
	bindingSize = 16
	// maxCookieBytes bounds a flow cookie's name and value together:
	// browsers keep cookies of up to 4096 bytes.
	maxCookieBytes = 4000
	// gcmNonceSize is the random nonce NewGCMWithRandomNonce prepends.
	gcmNonceSize = 12
)

// errSealed is the one error of open: the value is malformed, changed,
// sealed under a key not in use or for another cookie name. Which one is
// not said (nor can it be, for the last three).
var errSealed = errors.New("sealed value does not open")

// sealer seals flow payloads with AES-256-GCM. It is immutable and safe for
// concurrent use.
type sealer struct {
	// aeads holds one AEAD per key, the sealing one first.
	aeads []cipher.AEAD
}

// newSealer derives an AES-256 key from each host key (at least
// [MinKeyBytes] each; the caller checks) with HKDF-SHA256.
func newSealer(keys [][]byte) (*sealer, error) {
	s := &sealer{}
	for i, k := range keys {
		dk, err := hkdf.Key(sha256.New, k, nil, keyInfo, 32)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		block, err := aes.NewCipher(dk)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// payload is what a flow cookie seals.
type payload struct {
	expires int64 // Unix seconds
	binding [bindingSize]byte
	state   string
	// redirectURI, verifier and nonce are the rest of the flow state.
	redirectURI, verifier, nonce string
	data                         string
	// id names the sealed value (its random GCM nonce, base64url); set by
	// open, not sealed.
	id string
}

// additionalData is the GCM additional data for a cookie called name.
func additionalData(name string) []byte {
	ad := make([]byte, 0, len(sealAD)+1+len(name))
	ad = append(ad, sealAD...)
	ad = append(ad, sealVersion)
	return append(ad, name...)
}

// seal encrypts p for the cookie called name under the first key.
func (s *sealer) seal(name string, p *payload) string {
	plain := make([]byte, 0, binary.MaxVarintLen64+bindingSize+5*2+
		len(p.state)+len(p.redirectURI)+len(p.verifier)+len(p.nonce)+len(p.data))
	plain = binary.AppendVarint(plain, p.expires)
	plain = append(plain, p.binding[:]...)
	for _, f := range [...]string{p.state, p.redirectURI, p.verifier, p.nonce, p.data} {
		plain = binary.AppendUvarint(plain, uint64(len(f)))
		plain = append(plain, f...)
	}
	aead := s.aeads[0]
	out := make([]byte, 1, 1+len(plain)+aead.Overhead())
	out[0] = sealVersion
	out = aead.Seal(out, nil, plain, additionalData(name))
	return base64.RawURLEncoding.EncodeToString(out)
}

// open decrypts the value of the cookie called name with any key. It fails
// with errSealed; it does not check the expiry or the binding.
func (s *sealer) open(name, value string) (*payload, error) {
	if len(value) > maxCookieBytes {
		return nil, errSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < 1+s.aeads[0].Overhead() || raw[0] != sealVersion {
		return nil, errSealed
	}
	ad := additionalData(name)
	for _, aead := range s.aeads {
		plain, err := aead.Open(nil, nil, raw[1:], ad)
		if err != nil {
			continue
		}
		p, err := decodePayload(plain)
		if err != nil {
			return nil, err
		}
		p.id = base64.RawURLEncoding.EncodeToString(raw[1 : 1+gcmNonceSize])
		return p, nil
	}
	return nil, errSealed
}

// decodePayload reads a plaintext written by seal. Only authenticated
// plaintexts reach it, but it checks every length anyway.
func decodePayload(plain []byte) (*payload, error) {
	p := &payload{}
	exp, n := binary.Varint(plain)
	if n <= 0 || len(plain)-n < bindingSize {
		return nil, errSealed
	}
	p.expires = exp
	copy(p.binding[:], plain[n:])
	// One string for the five fields, sliced: one allocation.
	rest := string(plain[n+bindingSize:])
	for _, f := range [...]*string{&p.state, &p.redirectURI, &p.verifier, &p.nonce, &p.data} {
		l, n := binary.Uvarint([]byte(rest[:min(len(rest), binary.MaxVarintLen64)]))
		if n <= 0 || l > uint64(len(rest)-n) {
			return nil, errSealed
		}
		*f = rest[n : n+int(l)]
		rest = rest[n+int(l):]
	}
	if rest != "" {
		return nil, errSealed
	}
	return p, nil
}
