package main

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCodeStore(t *testing.T) {
	t.Parallel()
	t.Run("right code once", func(t *testing.T) {
		t.Parallel()
		s := newCodeStore(nil)
		id, code, err := s.issue("+14155550100", "SignIn")
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != codeDigits {
			t.Fatalf("code %q has %d digits", code, len(code))
		}
		phone, usage, _, err := s.verify(id, code)
		if err != nil || phone != "+14155550100" || usage != "SignIn" {
			t.Fatalf("verify = %q %q %v", phone, usage, err)
		}
		if _, _, _, err := s.verify(id, code); !errors.Is(err, errCodeUnknown) {
			t.Fatalf("second use = %v, want %v", err, errCodeUnknown)
		}
	})
	t.Run("wrong codes then lockout", func(t *testing.T) {
		t.Parallel()
		s := newCodeStore(nil)
		id, code, _ := s.issue("+14155550100", "SignIn")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 1; i < codeMaxAttempts; i++ {
			_, _, left, err := s.verify(id, wrong)
			if !errors.Is(err, errCodeWrong) || left != codeMaxAttempts-i {
				t.Fatalf("attempt %d: left %d, %v", i, left, err)
			}
		}
		if _, _, _, err := s.verify(id, wrong); !errors.Is(err, errCodeTooMany) {
			t.Fatalf("last attempt = %v, want %v", err, errCodeTooMany)
		}
		// The right code no longer works.
		if _, _, _, err := s.verify(id, code); !errors.Is(err, errCodeUnknown) {
			t.Fatalf("after lockout = %v, want %v", err, errCodeUnknown)
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
		s := newCodeStore(clock.now)
		id, code, _ := s.issue("+14155550100", "Register")
		clock.t = clock.t.Add(codeTTL)
		if _, _, _, err := s.verify(id, code); !errors.Is(err, errCodeExpired) {
			t.Fatalf("verify = %v, want %v", err, errCodeExpired)
		}
	})
	t.Run("discarded and unknown", func(t *testing.T) {
		t.Parallel()
		s := newCodeStore(nil)
		id, code, _ := s.issue("+14155550100", "SignIn")
		s.discard(id)
		if _, _, _, err := s.verify(id, code); !errors.Is(err, errCodeUnknown) {
			t.Fatalf("verify = %v", err)
		}
		if _, _, _, err := s.verify("nope", "123456"); !errors.Is(err, errCodeUnknown) {
			t.Fatalf("verify unknown = %v", err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
		s := newCodeStore(clock.now)
		for i := 0; i < maxPendingCodes; i++ {
			if _, _, err := s.issue(fmt.Sprint(i), "SignIn"); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.issue("x", "SignIn"); !errors.Is(err, errCodeStoreFull) {
			t.Fatalf("issue over the bound = %v, want %v", err, errCodeStoreFull)
		}
		// Expired codes make room.
		clock.t = clock.t.Add(codeTTL)
		if _, _, err := s.issue("x", "SignIn"); err != nil {
			t.Fatalf("issue after expiry: %v", err)
		}
		if n := len(s.pending); n != 1 {
			t.Fatalf("%d codes pending after the sweep, want 1", n)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		s := newCodeStore(nil)
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, code, err := s.issue("+14155550100", "SignIn")
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, _, err := s.verify(id, code); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	})
}

func TestRandomDigits(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		d, err := randomDigits(6)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d {
			if c < '0' || c > '9' {
				t.Fatalf("%q is not digits", d)
			}
		}
		seen[d] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct codes in 50", len(seen))
	}
}
