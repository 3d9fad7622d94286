package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"math/big"
	"sync"
	"time"
)

// One-time SMS codes are the one piece of server-side state in the demo: a
// code must not travel to the browser, even encrypted, or a user could skip
// the SMS. A real host keeps them in its database or Redis with the same
// rules: random, short-lived, few attempts, single use, compared in constant
// time. The browser only holds a sealed cookie naming the verification.

const (
	codeDigits      = 6
	codeTTL         = 10 * time.Minute
	codeMaxAttempts = 5
	// maxPendingCodes bounds the memory a flood of sends can take.
	maxPendingCodes = 10000
)

var (
	errCodeUnknown   = errors.New("no code is pending for this verification: it was used, replaced or never sent; send a new code")
	errCodeExpired   = errors.New("the code has expired: send a new code")
	errCodeWrong     = errors.New("the code is not correct")
	errCodeTooMany   = errors.New("too many wrong codes: send a new code")
	errCodeStoreFull = errors.New("too many codes are pending: try again in a few minutes")
)

// pendingCode is a code sent and not yet used.
type pendingCode struct {
	phone    string
	usage    string
	code     string
	expires  time.Time
	attempts int
}

// codeStore keeps the pending codes in memory. It is safe for concurrent use.
type codeStore struct {
	mu      sync.Mutex
	now     func() time.Time
	pending map[string]*pendingCode // by verification ID
}

func newCodeStore(now func() time.Time) *codeStore {
	if now == nil {
		now = time.Now
	}
	return &codeStore{now: now, pending: map[string]*pendingCode{}}
}

// issue creates a code for phone and usage and returns the verification ID
// (for the browser's sealed cookie) and the code (for the SMS).
func (s *codeStore) issue(phone, usage string) (id, code string, err error) {
	code, err = randomDigits(codeDigits)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	id = base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.pending) >= maxPendingCodes {
		for k, p := range s.pending {
			if !now.Before(p.expires) {
				delete(s.pending, k)
			}
		}
		if len(s.pending) >= maxPendingCodes {
			return "", "", errCodeStoreFull
		}
	}
	s.pending[id] = &pendingCode{phone: phone, usage: usage, code: code, expires: now.Add(codeTTL)}
	return id, code, nil
}

// discard forgets a verification (its SMS could not be sent).
func (s *codeStore) discard(id string) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// verify checks code for the verification id. A correct code is consumed; a
// wrong one counts an attempt and returns errCodeWrong with the attempts
// left; after codeMaxAttempts wrong codes the verification is dropped.
func (s *codeStore) verify(id, code string) (phone, usage string, left int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[id]
	if !ok {
		return "", "", 0, errCodeUnknown
	}
	if !s.now().Before(p.expires) {
		delete(s.pending, id)
		return "", "", 0, errCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(code), []byte(p.code)) != 1 {
		p.attempts++
		if p.attempts >= codeMaxAttempts {
			delete(s.pending, id)
			return "", "", 0, errCodeTooMany
		}
		return "", "", codeMaxAttempts - p.attempts, errCodeWrong
	}
	delete(s.pending, id)
	return p.phone, p.usage, 0, nil
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(n int) (string, error) {
	out := make([]byte, n)
	ten := big.NewInt(10)
	for i := range out {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			return "", err
		}
		out[i] = byte('0' + d.Int64())
	}
	return string(out), nil
}
