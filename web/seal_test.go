package web

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, MinKeyBytes) }

func mustSealer(t testing.TB, keys ...[]byte) *sealer {
	t.Helper()
	s, err := newSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testPayload() *payload {
	return &payload{expires: 1_700_000_600, binding: [bindingSize]byte{1, 2, 3}, state: strings.Repeat("s", 43),
		redirectURI: "https://id.example.com/callback/kakao", verifier: "verifier-secret-" + strings.Repeat("v", 27),
		nonce: "nonce-secret", data: "/account"}
}

func TestSealRoundTrip(t *testing.T) {
	t.Parallel()
	s := mustSealer(t, testKey(1))
	in := testPayload()
	sealed := s.seal("ck_flow_x", in)
	for _, secret := range []string{in.verifier, in.nonce, in.state, in.data, in.redirectURI} {
		if strings.Contains(sealed, secret) {
			t.Fatalf("the sealed value shows %q", secret)
		}
	}
	out, err := s.open("ck_flow_x", sealed)
	if err != nil {
		t.Fatal(err)
	}
	if out.id == "" || len(out.id) != 16 {
		t.Fatalf("id = %q", out.id)
	}
	firstID := out.id
	out.id = ""
	if *out != *in {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}
	// Every seal draws a new nonce: two seals differ, and so do their IDs.
	again := s.seal("ck_flow_x", in)
	if again == sealed {
		t.Fatal("two seals of one payload are equal")
	}
	if p, _ := s.open("ck_flow_x", again); p.id == firstID {
		t.Fatalf("two seals share the id %q", p.id)
	}
	// Empty strings round-trip too.
	empty := &payload{expires: -1}
	out, err = s.open("n", s.seal("n", empty))
	if err != nil || out.state != "" || out.expires != -1 {
		t.Fatalf("empty payload: %+v, %v", out, err)
	}
}

func TestSealRejects(t *testing.T) {
	t.Parallel()
	s := mustSealer(t, testKey(1))
	other := mustSealer(t, testKey(2))
	sealed := s.seal("ck_flow_x", testPayload())
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name, cookie, value string
	}{
		{"flipped version", "ck_flow_x", flip(0)},
		{"flipped nonce", "ck_flow_x", flip(1)},
		{"flipped ciphertext", "ck_flow_x", flip(len(raw) / 2)},
		{"flipped tag", "ck_flow_x", flip(len(raw) - 1)},
		{"another cookie name", "ck_flow_y", sealed},
		{"another key", "ck_flow_x", other.seal("ck_flow_x", testPayload())},
		{"truncated", "ck_flow_x", sealed[:len(sealed)-4]},
		{"too short", "ck_flow_x", "AQID"},
		{"empty", "ck_flow_x", ""},
		{"not base64url", "ck_flow_x", sealed[:10] + "+/" + sealed[12:]},
		{"padded", "ck_flow_x", sealed + "=="},
		{"too long", "ck_flow_x", sealed + strings.Repeat("A", maxCookieBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if p, err := s.open(tt.cookie, tt.value); !errors.Is(err, errSealed) {
				t.Fatalf("open = %+v, %v; want errSealed", p, err)
			}
		})
	}
}

func TestSealKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := testKey(1), testKey(2)
	before := mustSealer(t, oldKey)
	during := mustSealer(t, newKey, oldKey)
	after := mustSealer(t, newKey)
	old := before.seal("n", testPayload())
	if _, err := during.open("n", old); err != nil {
		t.Fatalf("the old key no longer opens during rotation: %v", err)
	}
	if _, err := after.open("n", old); !errors.Is(err, errSealed) {
		t.Fatalf("a removed key still opens: %v", err)
	}
	fresh := during.seal("n", testPayload())
	if _, err := after.open("n", fresh); err != nil {
		t.Fatalf("the first key does not seal: %v", err)
	}
	if _, err := before.open("n", fresh); !errors.Is(err, errSealed) {
		t.Fatalf("sealed under the old key: %v", err)
	}
}

func TestDecodePayloadRejects(t *testing.T) {
	t.Parallel()
	var valid []byte
	valid = binary.AppendVarint(valid, 5)
	valid = append(valid, make([]byte, bindingSize)...)
	for range 5 {
		valid = binary.AppendUvarint(valid, 1)
		valid = append(valid, 'x')
	}
	if _, err := decodePayload(valid); err != nil {
		t.Fatalf("valid: %v", err)
	}
	tests := map[string][]byte{
		"empty":            nil,
		"no binding":       valid[:5],
		"missing field":    valid[:len(valid)-2],
		"trailing byte":    append(bytes.Clone(valid), 0),
		"length too large": append(bytes.Clone(valid[:1+bindingSize]), 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'),
		"varint overflow":  bytes.Repeat([]byte{0xff}, 11),
	}
	for name, b := range tests {
		if p, err := decodePayload(b); !errors.Is(err, errSealed) {
			t.Errorf("%s: %+v, %v", name, p, err)
		}
	}
}

// FuzzOpen: no cookie value panics open, and none but a sealed one opens.
func FuzzOpen(f *testing.F) {
	s := mustSealer(f, testKey(1), testKey(2))
	want := testPayload()
	sealed := s.seal("ck_flow_x", want)
	f.Add(sealed)
	f.Add(sealed[:len(sealed)/2])
	f.Add("")
	f.Add("AQ")
	f.Add(strings.Repeat("A", 64))
	f.Fuzz(func(t *testing.T, value string) {
		p, err := s.open("ck_flow_x", value)
		if err != nil {
			return
		}
		p.id = ""
		if *p != *want {
			t.Fatalf("%q opened as %+v", value, p)
		}
	})
}

// FuzzDecodePayload: no plaintext panics the decoder.
func FuzzDecodePayload(f *testing.F) {
	var b []byte
	b = binary.AppendVarint(b, 1)
	b = append(b, make([]byte, bindingSize)...)
	b = append(b, 1, 'a', 0, 0, 0, 0)
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, plain []byte) {
		p, err := decodePayload(plain)
		if err == nil && len(p.state)+len(p.redirectURI)+len(p.verifier)+len(p.nonce)+len(p.data) > len(plain) {
			t.Fatalf("fields longer than the plaintext: %+v", p)
		}
	})
}

// BenchmarkSealOpen: the cookie work of one flow (seal at the sign-in, open
// at the callback), with a realistic flow state.
func BenchmarkSealOpen(b *testing.B) {
	s := mustSealer(b, testKey(1), testKey(2))
	p := testPayload()
	p.data = ""
	var size int
	b.ReportAllocs()
	for b.Loop() {
		sealed := s.seal("__Host-ck_flow_AAAAAAAAAAAAAAAA", p)
		size = len(sealed)
		if _, err := s.open("__Host-ck_flow_AAAAAAAAAAAAAAAA", sealed); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "cookie-bytes")
}

// BenchmarkOpenRotated: opening a cookie sealed under the second key (a
// rotation in progress) tries the first one too.
func BenchmarkOpenRotated(b *testing.B) {
	old := mustSealer(b, testKey(2))
	s := mustSealer(b, testKey(1), testKey(2))
	sealed := old.seal("n", testPayload())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.open("n", sealed); err != nil {
			b.Fatal(err)
		}
	}
}
