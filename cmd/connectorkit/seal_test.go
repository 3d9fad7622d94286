package main

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// sealedFlow and testBinding are a value to seal and its binding, for the
// sealer's tests: a flow state, the most sensitive thing a cookie holds.
type sealedFlow struct {
	Flow connector.FlowState `json:"flow"`
}

func testBinding(id string) string { return "flow:" + id }

func newTestSealer(t *testing.T, clock *fakeClock) *sealer {
	t.Helper()
	s, err := newSealer(nil, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s := newTestSealer(t, clock)
	in := sealedFlow{Flow: connector.FlowState{State: "st", RedirectURI: "http://127.0.0.1/callback/kakao", CodeVerifier: "verifier-secret", Nonce: "n"}}
	sealed, err := s.seal(testBinding("kakao"), in, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "verifier-secret") || strings.Contains(sealed, "st\"") {
		t.Fatalf("sealed value shows its content: %s", sealed)
	}
	var out sealedFlow
	if err := s.open(testBinding("kakao"), sealed, &out); err != nil {
		t.Fatalf("open: %v", err)
	}
	if out != in {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}
	// Two seals of the same value differ (random nonce).
	again, _ := s.seal(testBinding("kakao"), in, time.Minute)
	if again == sealed {
		t.Fatal("two seals of the same value are equal: the nonce is not random")
	}
}

func TestSealRejects(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s := newTestSealer(t, clock)
	other := newTestSealer(t, clock)
	sealed, err := s.seal(testBinding("kakao"), sealedFlow{Flow: connector.FlowState{State: "x"}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(sealed, sealVersion)
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return sealVersion + base64.RawURLEncoding.EncodeToString(b)
	}
	otherSealed, _ := other.seal(testBinding("kakao"), sealedFlow{}, time.Minute)

	tests := []struct {
		name    string
		s       *sealer
		binding string
		value   string
		want    error
	}{
		{"tampered ciphertext", s, testBinding("kakao"), flip(len(raw) / 2), errSealTampered},
		{"tampered nonce", s, testBinding("kakao"), flip(0), errSealTampered},
		{"tampered tag", s, testBinding("kakao"), flip(len(raw) - 1), errSealTampered},
		{"wrong connector", s, testBinding("huggingface"), sealed, errSealTampered},
		{"wrong purpose", s, "sms:twilio", sealed, errSealTampered},
		{"another key", s, testBinding("kakao"), otherSealed, errSealTampered},
		{"truncated", s, testBinding("kakao"), sealed[:len(sealed)/2], errSealTampered},
		{"too short", s, testBinding("kakao"), sealVersion + "AAAA", errSealMalformed},
		{"no version", s, testBinding("kakao"), body, errSealMalformed},
		{"not base64", s, testBinding("kakao"), sealVersion + "!!!", errSealMalformed},
		{"empty", s, testBinding("kakao"), "", errSealMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out sealedFlow
			err := tt.s.open(tt.binding, tt.value, &out)
			if !errors.Is(err, tt.want) {
				t.Fatalf("open = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSealExpiry(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s := newTestSealer(t, clock)
	sealed, err := s.seal("flow:kakao", "payload", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	clock.t = clock.t.Add(10*time.Minute - time.Second)
	if err := s.open("flow:kakao", sealed, &out); err != nil || out != "payload" {
		t.Fatalf("just before expiry: %q, %v", out, err)
	}
	clock.t = clock.t.Add(time.Second)
	if err := s.open("flow:kakao", sealed, &out); !errors.Is(err, errSealExpired) {
		t.Fatalf("at expiry: %v, want %v", err, errSealExpired)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"hex", "3031323334353637383961626364656630313233343536373839616263646566", true},
		{"base64", base64.StdEncoding.EncodeToString(key), true},
		{"base64url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"spaces around", "  " + base64.StdEncoding.EncodeToString(key) + "\n", true},
		{"too short", "abcd", false},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"not a key", "correct horse battery staple", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseKey(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("parseKey(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && string(got) != string(key) {
				t.Fatalf("parseKey(%q) = %x", tt.in, got)
			}
		})
	}
	if _, err := newSealer(key[:16], nil); err == nil {
		t.Fatal("newSealer accepted a 16-byte key")
	}
}

// A cookie sealed by one replica opens in another with the same key: the
// stateless pattern.
func TestSealSharedKey(t *testing.T) {
	t.Parallel()
	key, _ := parseKey(strings.Repeat("ab", 32))
	a, _ := newSealer(key, nil)
	b, _ := newSealer(key, nil)
	sealed, err := a.seal("flow:x", 42, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.open("flow:x", sealed, &n); err != nil || n != 42 {
		t.Fatalf("replica open = %d, %v", n, err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	s, _ := newSealer(nil, nil)
	v := sealedFlow{Flow: connector.FlowState{State: strings.Repeat("s", 43), RedirectURI: "http://127.0.0.1:8080/callback/kakao", CodeVerifier: strings.Repeat("v", 43)}}
	b.ReportAllocs()
	for b.Loop() {
		sealed, err := s.seal("flow:kakao", v, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		var out sealedFlow
		if err := s.open("flow:kakao", sealed, &out); err != nil {
			b.Fatal(err)
		}
	}
}
