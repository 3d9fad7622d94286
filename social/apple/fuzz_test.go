package apple

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseUserName: the user form field is outside data (unsigned, from
// the browser): it never panics, and a name it reads is valid UTF-8
// without control characters.
func FuzzParseUserName(f *testing.F) {
	for _, s := range []string{
		`{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"ada@example.com"}`,
		`{"name":{"firstName":"Ada"}}`, `{"email":"x@privaterelay.appleid.com"}`, `{}`, `[]`, `null`, `"Ada"`,
		`{"name":{"firstName":"A","firstName":"B"}}`, `{"name":{"firstName":"\u202eAda\r\n"}}`, `{"name":null}`,
		`{"Name":{"FirstName":"Eve"}}`, "{\"name\":{\"firstName\":\"\xff\"}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, user string) {
		name, err := parseUserName(user)
		if err != nil && name != "" {
			t.Fatalf("a name with an error: %q", name)
		}
		if !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n\x00\x1b\u202e") {
			t.Fatalf("name %q holds unsafe characters", name)
		}
		if strings.HasPrefix(user, `{"Name"`) && name != "" {
			t.Fatalf("a member name matched case-insensitively: %q", name)
		}
	})
}

// FuzzParsePrivateKey: the private key comes from a config: never a
// panic, and no message quotes it.
func FuzzParsePrivateKey(f *testing.F) {
	for _, s := range []string{
		"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n",
		"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\\nMIGH\\n-----END PRIVATE KEY-----", "MIGHAgEAMBMGByqGSM49", "",
		"-----BEGIN \x00\x01-----\nAAAA\n-----END \x00\x01-----\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		key, err := parsePrivateKey(text)
		if err == nil {
			if key == nil {
				t.Fatal("no key and no error")
			}
			return
		}
		msg := err.Error()
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			// A line of key material: base64 (a fixed phrase of the
			// message is not key material).
			base64ish := !strings.ContainsFunc(line, func(r rune) bool {
				return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
			})
			if len(line) >= 12 && base64ish && strings.Contains(msg, line) {
				t.Fatalf("the message quotes the key: %s", msg)
			}
		}
	})
}

// TestClientSecretClockBack: a clock set back before the secret's iat
// makes a new secret (Apple would refuse one issued in its future).
func TestClientSecretClockBack(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newClientSecret(key, "TEAM123456", "KEY1234567", "com.example.web", func() time.Time { return now })
	a, _ := s.get(t.Context())
	b, _ := s.get(t.Context())
	now = now.Add(-2 * time.Minute)
	c, _ := s.get(t.Context())
	if a != b || a == c || s.mints != 2 {
		t.Errorf("mints = %d; same secret reused: %t; new one after the clock went back: %t", s.mints, a == b, a != c)
	}
}
