package idtoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"math/big"
	"slices"
	"strconv"

	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
)

// Bounds on RSA keys: smaller moduli are breakable, larger ones only make
// each verification slower; the exponent must fit crypto/rsa's int and be
// odd (Apple, Google and Microsoft use 65537).
const (
	minRSABits = 2048
	maxRSABits = 8192
	maxRSAExp  = 1<<31 - 1
)

// jwkWire is one member of a key set as published. Only the members used
// here are decoded; each must have its JSON type.
type jwkWire struct {
	Kty    string    `json:"kty"`
	Use    string    `json:"use"`
	KeyOps *[]string `json:"key_ops"`
	Alg    string    `json:"alg"`
	Kid    string    `json:"kid"`
	N      string    `json:"n"`
	E      string    `json:"e"`
	Crv    string    `json:"crv"`
	X      string    `json:"x"`
	Y      string    `json:"y"`
	D      *string   `json:"d"` // private material: never in a public set
}

// parsedSet is a parsed key set.
type parsedSet struct {
	keys     []*Key
	unusable map[string]string // kid → why, for keys that are ours but unusable
	skipped  []skippedKey      // every key left out, for the log
}

type skippedKey struct{ kid, why string }

// parseJWKS reads a key set strictly. The document is refused when it is
// not one JSON object with no duplicate member names, when "keys" is not
// an array of objects whose members have their JSON types, when two keys
// share a kid but differ, or when no key is usable. A single key is
// skipped (and its kid remembered as unusable) when it is not meant for
// signatures (use other than "sig", key_ops without "verify"), of a type
// not supported (only RSA and EC are), or unsafe or malformed: an RSA
// modulus under 2048 or over 8192 bits, an exponent that is even, below 3
// or above 2^31-1, a curve other than P-256, P-384 and P-521, a point not
// on its curve, private key material, an alg its type cannot serve.
func parseJWKS(body []byte) (*parsedSet, error) {
	if err := jsonx.CheckObject(body); err != nil {
		var p *jsonx.Problem
		if errors.As(err, &p) && p.Duplicate {
			return nil, errors.New("the key set " + p.Error())
		}
		return nil, errors.New("the key set is not a JSON object (" + err.Error() + ")")
	}
	var doc struct {
		Keys *[]jwkWire `json:"keys"`
	}
	if err := jsonx.Unmarshal(body, &doc); err != nil {
		return nil, errors.New("the key set " + err.Error())
	}
	if doc.Keys == nil {
		return nil, errors.New("the key set has no keys member")
	}
	set := &parsedSet{unusable: map[string]string{}}
	claimed := map[string]*Key{} // kid → key, among keys meant for signatures
	for i, w := range *doc.Keys {
		kid := w.Kid
		name := kid
		if name == "" {
			name = "#" + strconv.Itoa(i)
		}
		skip := func(why string) { set.skipped = append(set.skipped, skippedKey{kid: redact.Clean(name), why: why}) }
		switch {
		case w.Use != "" && w.Use != "sig":
			skip("use is not sig")
			continue
		case w.KeyOps != nil && !slices.Contains(*w.KeyOps, "verify"):
			skip("key_ops does not include verify")
			continue
		case w.Kty != "RSA" && w.Kty != "EC":
			skip("key type not supported")
			continue
		}
		k, err := parseKey(w)
		if kid != "" {
			if prev, dup := claimed[kid]; dup || set.unusable[kid] != "" {
				if err != nil || prev == nil || !sameKey(prev, k) {
					return nil, errors.New("the key set has two different keys with the kid " + strconv.Quote(redact.Clean(kid)))
				}
				continue // the same key twice
			}
		}
		if err != nil {
			skip(err.Error())
			if kid != "" {
				set.unusable[kid] = err.Error()
			}
			continue
		}
		if kid != "" {
			claimed[kid] = k
		}
		set.keys = append(set.keys, k)
	}
	if len(set.keys) == 0 {
		why := "the key set has no usable signature key"
		if len(set.skipped) > 0 {
			why += " (" + set.skipped[0].kid + ": " + set.skipped[0].why
			if len(set.skipped) > 1 {
				why += ", and " + strconv.Itoa(len(set.skipped)-1) + " more"
			}
			why += ")"
		}
		return nil, errors.New(why)
	}
	return set, nil
}

// sameKey reports whether a and b are one key published twice.
func sameKey(a, b *Key) bool {
	eq, ok := a.Public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && a.Algorithm == b.Algorithm && eq.Equal(b.Public)
}

// parseKey builds the public key of an RSA or EC JWK.
func parseKey(w jwkWire) (*Key, error) {
	if w.D != nil {
		return nil, errors.New("the key holds private key material (d), so anyone may sign with it")
	}
	k := &Key{ID: w.Kid, Algorithm: w.Alg}
	var err error
	if w.Kty == "RSA" {
		k.Public, err = parseRSA(w)
	} else {
		k.Public, err = parseEC(w)
	}
	if err != nil {
		return nil, err
	}
	if w.Alg != "" && !keyFits(k.Public, w.Alg) {
		return nil, errors.New("its alg is not one this key type can verify")
	}
	return k, nil
}

func parseRSA(w jwkWire) (*rsa.PublicKey, error) {
	n, err := decodeB64(w.N)
	if err != nil || len(n) == 0 {
		return nil, errors.New("RSA modulus n is missing or not base64url")
	}
	e, err := decodeB64(w.E)
	if err != nil || len(e) == 0 {
		return nil, errors.New("RSA exponent e is missing or not base64url")
	}
	mod := new(big.Int).SetBytes(n)
	if bits := mod.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, errors.New("RSA modulus of " + strconv.Itoa(bits) + " bits (2048 to 8192 accepted)")
	}
	exp := new(big.Int).SetBytes(e)
	if !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > maxRSAExp || exp.Bit(0) == 0 {
		return nil, errors.New("RSA exponent e is not an odd number from 3 to 2^31-1")
	}
	return &rsa.PublicKey{N: mod, E: int(exp.Int64())}, nil
}

func parseEC(w jwkWire) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch w.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, errors.New("EC curve not supported (P-256, P-384, P-521 are)")
	}
	size := (curve.Params().BitSize + 7) / 8
	x, errX := decodeB64(w.X)
	y, errY := decodeB64(w.Y)
	if errX != nil || errY != nil || len(x) != size || len(y) != size {
		return nil, errors.New("EC coordinates x and y must be base64url of " + strconv.Itoa(size) + " bytes each")
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("EC point is not on the curve " + w.Crv)
	}
	return pub, nil
}

// decodeB64 decodes unpadded base64url, refusing non-canonical forms.
func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(s)
}
