package idtoken

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/kit"
)

// Defaults of [KeySetOptions].
const (
	// DefaultMinRefetchInterval is the floor between two fetches of a key
	// set: an unknown kid seen sooner after the last fetch is refused
	// without asking the provider again.
	DefaultMinRefetchInterval = time.Minute
	// DefaultCacheAge is how long a key set is fresh when its response has
	// no Cache-Control max-age.
	DefaultCacheAge = 24 * time.Hour
	// DefaultCacheAgeCap bounds any max-age the provider sends.
	DefaultCacheAgeCap = 7 * 24 * time.Hour
)

// KeySetOptions tunes a [KeySet]. Zero values take the documented defaults.
type KeySetOptions struct {
	// HTTPClient fetches the key set; default kit.DefaultHTTPClient().
	// Redirects are never followed, whatever the client's CheckRedirect.
	HTTPClient *http.Client
	// Now is the clock of every cache decision; time.Now when nil.
	Now func() time.Time
	// MinRefetchInterval is the least time between two fetch attempts
	// (whatever their outcome); default DefaultMinRefetchInterval.
	MinRefetchInterval time.Duration
	// DefaultMaxAge is how long keys stay fresh when the response carries
	// no Cache-Control max-age; default DefaultCacheAge.
	DefaultMaxAge time.Duration
	// MaxAge caps the provider's max-age (and DefaultMaxAge); default
	// DefaultCacheAgeCap.
	MaxAge time.Duration
	// MaxBodyBytes caps the key set response; default httpx.DefaultMaxBody.
	MaxBodyBytes int64
	// Logger receives a line per fetch and per skipped key; silent when
	// nil. No token is ever logged.
	Logger *slog.Logger
}

// Key is one usable verification key of a key set. It is shared by every
// caller: do not modify it.
type Key struct {
	// ID is the key's kid ("" when the set gives none).
	ID string
	// Algorithm is the key's alg, "" when the set does not declare one.
	Algorithm string
	// Public is an *rsa.PublicKey or an *ecdsa.PublicKey.
	Public any
}

// KeySetStats are a key set's counters since it was made.
type KeySetStats struct {
	// Fetches counts fetch attempts (requests sent).
	Fetches int64
	// FetchFailures counts fetch attempts that did not give a usable set.
	FetchFailures int64
	// Refusals counts lookups refused without a fetch because the last
	// attempt was within the floor (MinRefetchInterval).
	Refusals int64
	// Keys is the number of usable keys held.
	Keys int
	// FetchedAt is when the keys held were fetched (zero before any).
	FetchedAt time.Time
	// Expires is when they stop being fresh.
	Expires time.Time
}

// KeySet is a provider's JSON Web Key Set (RFC 7517), fetched through the
// injected HTTP client on first use and cached. It is safe for concurrent
// use and meant to be shared: every verifier (every connector instance,
// every tenant) for one provider should use one KeySet, so that the keys
// are fetched once per process.
//
// A lookup returns the cached key while the set is fresh (Cache-Control
// max-age, capped; no-store and no-cache make it stale at once). A stale
// set is refetched by the caller that needs it, others keep using the old
// keys meanwhile. An unknown kid causes one refetch; concurrent refetches
// collapse into one that the other callers wait for (each until its own
// context ends), and no two attempts are closer than MinRefetchInterval on
// the injected clock: an unknown kid within that floor is refused without
// a request, so a flood of forged kids costs the provider at most one
// request per interval. A failed refetch keeps the old keys serving; its
// error is returned only when no usable key is found. No goroutine is ever
// left running: fetches run in the caller's goroutine, with its context.
type KeySet struct {
	url     string
	client  *http.Client
	now     func() time.Time
	floor   time.Duration
	defAge  time.Duration
	maxAge  time.Duration
	maxBody int64
	log     *slog.Logger

	snap atomic.Pointer[keySnapshot] // nil until a fetch succeeds

	mu          sync.Mutex
	inflight    *fetchCall       // the fetch under way, if any
	lastAttempt time.Time        // start of the last attempt counted by the floor
	lastErr     *connector.Error // the last attempt's error, nil after a success

	fetches, failures, refusals atomic.Int64
	waiting                     atomic.Int64 // callers waiting on inflight (tests read it)
}

// fetchCall is one fetch that concurrent callers wait on.
type fetchCall struct {
	done chan struct{}
	err  *connector.Error
	// abandoned is set when the fetch ended because its caller's context
	// did while no keys were held yet: it does not count for the floor,
	// and a waiting caller starts its own.
	abandoned bool
}

// keySnapshot is an immutable fetched key set.
type keySnapshot struct {
	byID     map[string]*Key
	all      []*Key
	unusable map[string]string // kid → why the key was skipped
	fetched  time.Time
	expires  time.Time
}

// NewKeySet returns the key set published at url (a jwks_uri). It makes no
// request: the keys are fetched on first use. The URL is checked then (an
// absolute https URL; http only for loopback hosts).
func NewKeySet(url string, opts KeySetOptions) *KeySet {
	s := &KeySet{
		url:     url,
		client:  opts.HTTPClient,
		now:     opts.Now,
		floor:   opts.MinRefetchInterval,
		defAge:  opts.DefaultMaxAge,
		maxAge:  opts.MaxAge,
		maxBody: opts.MaxBodyBytes,
		log:     opts.Logger,
	}
	if s.client == nil {
		s.client = kit.DefaultHTTPClient()
	}
	cp := *s.client
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &cp
	if s.now == nil {
		s.now = time.Now
	}
	if s.floor <= 0 {
		s.floor = DefaultMinRefetchInterval
	}
	if s.maxAge <= 0 {
		s.maxAge = DefaultCacheAgeCap
	}
	if s.defAge <= 0 {
		s.defAge = DefaultCacheAge
	}
	s.defAge = min(s.defAge, s.maxAge)
	if s.maxBody <= 0 {
		s.maxBody = httpx.DefaultMaxBody
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// URL returns the key set's URL.
func (s *KeySet) URL() string { return s.url }

// String describes the key set: its URL and how many keys it holds.
func (s *KeySet) String() string {
	n := 0
	if snap := s.snap.Load(); snap != nil {
		n = len(snap.all)
	}
	return fmt.Sprintf("idtoken.KeySet{URL:%q Keys:%d}", s.url, n)
}

// Stats returns the key set's counters.
func (s *KeySet) Stats() KeySetStats {
	st := KeySetStats{Fetches: s.fetches.Load(), FetchFailures: s.failures.Load(), Refusals: s.refusals.Load()}
	if snap := s.snap.Load(); snap != nil {
		st.Keys, st.FetchedAt, st.Expires = len(snap.all), snap.fetched, snap.expires
	}
	return st
}

// Key returns the key named kid, fit to verify alg (when alg is not
// empty: the key's type and curve match, and its declared alg, if any, is
// alg). An empty kid picks the set's only key and is refused when the set
// holds several (OpenID Connect Core §10.1).
//
// Key fetches the set on first use, when it is stale, and (once, subject
// to the floor) when kid is unknown; see [KeySet]. Errors are
// [*connector.Error]s at the id_token step: social_invalid_id_token for a
// kid or alg the set cannot serve; general (retryable), rate_limit_exceeded
// or invalid_response when the set cannot be fetched or read and no usable
// key is found.
func (s *KeySet) Key(ctx context.Context, kid, alg string) (Key, error) {
	if snap := s.snap.Load(); snap != nil && s.now().Before(snap.expires) {
		if k, refusal := snap.lookup(kid); k != nil {
			return k.fit(alg)
		} else if refusal != nil {
			return Key{}, refusal
		}
	}
	return s.slowKey(ctx, kid, alg)
}

// slowKey is Key when the fresh cache cannot answer: it fetches, waits
// for a fetch under way, or serves stale keys.
func (s *KeySet) slowKey(ctx context.Context, kid, alg string) (Key, error) {
	fetched := false // a fetch ended during this call (ours or one we waited on)
	var fetchErr *connector.Error
	for {
		s.mu.Lock()
		now := s.now()
		snap := s.snap.Load()
		var k *Key
		var refusal *connector.Error
		if snap != nil {
			k, refusal = snap.lookup(kid)
		}
		if k != nil || refusal != nil {
			// Known: serve it unless it is stale and this caller may
			// refresh the set now.
			fresh := now.Before(snap.expires)
			if fresh || fetched || s.inflight != nil || !s.floorAllows(now) {
				s.mu.Unlock()
				if refusal != nil {
					return Key{}, refusal
				}
				return k.fit(alg)
			}
		} else {
			// Unknown kid, or no keys yet.
			switch {
			case fetched:
				s.mu.Unlock()
				if fetchErr != nil {
					return Key{}, fetchErr
				}
				return Key{}, unknownKID(kid, "the key set was just fetched")
			case s.inflight != nil:
				call := s.inflight
				s.mu.Unlock()
				s.waiting.Add(1)
				select {
				case <-call.done:
					s.waiting.Add(-1)
				case <-ctx.Done():
					s.waiting.Add(-1)
					return Key{}, waitError(ctx.Err())
				}
				if !call.abandoned {
					fetched, fetchErr = true, call.err
				}
				continue
			case !s.floorAllows(now):
				lastErr := s.lastErr
				s.mu.Unlock()
				s.refusals.Add(1)
				if snap == nil && lastErr != nil {
					return Key{}, lastErr
				}
				return Key{}, unknownKID(kid, "the key set was fetched less than "+s.floor.String()+" ago and is not fetched again sooner")
			}
		}
		// This caller fetches; others wait for it.
		call := &fetchCall{done: make(chan struct{})}
		s.inflight = call
		s.mu.Unlock()

		next, err := s.fetch(ctx)

		s.mu.Lock()
		if err != nil {
			s.failures.Add(1)
			if ctx.Err() != nil && snap == nil {
				call.abandoned = true
			} else {
				s.lastAttempt, s.lastErr = now, err
			}
		} else {
			s.snap.Store(next)
			s.lastAttempt, s.lastErr = now, nil
		}
		call.err = err
		s.inflight = nil
		close(call.done)
		s.mu.Unlock()
		if call.abandoned {
			return Key{}, err
		}
		fetched, fetchErr = true, err
	}
}

// floorAllows reports whether a fetch may start at now; s.mu is held.
func (s *KeySet) floorAllows(now time.Time) bool {
	return s.lastAttempt.IsZero() || now.Sub(s.lastAttempt) >= s.floor
}

// lookup finds kid: a key; or a refusal that no refetch is needed for (an
// absent kid with several keys, a kid whose key was skipped as unusable);
// or neither when kid is unknown.
func (snap *keySnapshot) lookup(kid string) (*Key, *connector.Error) {
	if kid == "" {
		if len(snap.all) == 1 {
			return snap.all[0], nil
		}
		return nil, invalidToken("kid", "missing, and the key set holds "+strconv.Itoa(len(snap.all))+
			" keys: a token without kid is accepted only from a set of exactly one key")
	}
	if k := snap.byID[kid]; k != nil {
		return k, nil
	}
	if why, ok := snap.unusable[kid]; ok {
		return nil, invalidToken("kid", "the key set's key for this kid is unusable: "+why)
	}
	return nil, nil
}

// fit returns k when it can verify alg: RSA for RS* and PS*, EC on the
// matching curve for ES*, and alg equal to the key's declared alg.
func (k *Key) fit(alg string) (Key, error) {
	if alg == "" {
		return *k, nil
	}
	if k.Algorithm != "" && k.Algorithm != alg {
		return Key{}, invalidToken("alg", algName(alg)+" differs from the alg "+k.Algorithm+" the key set declares for this kid")
	}
	if !keyFits(k.Public, alg) {
		return Key{}, invalidToken("alg", algName(alg)+" cannot be verified with this kid's "+keyKind(k.Public)+" key")
	}
	return *k, nil
}

// keyFits reports whether pub can verify alg.
func keyFits(pub any, alg string) bool {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return p.Curve == elliptic.P256()
		case "ES384":
			return p.Curve == elliptic.P384()
		case "ES512":
			return p.Curve == elliptic.P521()
		}
	}
	return false
}

func keyKind(pub any) string {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC " + p.Curve.Params().Name
	}
	return "unknown"
}

// fetch requests and parses the key set.
func (s *KeySet) fetch(ctx context.Context) (*keySnapshot, *connector.Error) {
	s.fetches.Add(1)
	body, header, ce := Fetch(ctx, s.client, s.url, jwksDocument, s.maxBody, s.now)
	if ce != nil {
		return nil, s.failed(ce)
	}
	parsed, err := parseJWKS(body)
	if err != nil {
		return nil, s.failed(&connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepIDToken,
			Status: http.StatusOK, Message: "jwks: " + err.Error()})
	}
	for _, sk := range parsed.skipped {
		s.log.Warn("jwks key skipped", "url", s.url, "kid", sk.kid, "reason", sk.why)
	}
	now := s.now()
	age := cacheAge(header, s.defAge, s.maxAge)
	snap := &keySnapshot{byID: map[string]*Key{}, all: parsed.keys, unusable: parsed.unusable, fetched: now, expires: now.Add(age)}
	for _, k := range parsed.keys {
		if k.ID != "" {
			snap.byID[k.ID] = k
		}
	}
	s.log.Debug("jwks fetched", "url", s.url, "keys", len(parsed.keys), "max_age", age)
	return snap, nil
}

// jwksDocument names the key set in fetch errors.
var jwksDocument = Document{Label: "jwks", Noun: "key set", Accept: "application/jwk-set+json, application/json", Step: connector.StepIDToken}

// failed logs a failed fetch and returns ce.
func (s *KeySet) failed(ce *connector.Error) *connector.Error {
	s.log.Warn("jwks fetch failed", "url", s.url, "error", ce)
	return ce
}

// waitError is the error of a caller whose context ended while it waited
// for another caller's fetch.
func waitError(err error) *connector.Error {
	return &connector.Error{Code: connector.CodeGeneral, Step: connector.StepIDToken, Err: err,
		Retryable: errors.Is(err, context.DeadlineExceeded),
		Message:   "jwks: gave up waiting for the key set fetch under way"}
}

func unknownKID(kid, why string) *connector.Error {
	if kid == "" {
		return invalidToken("kid", "missing, and the key set holds no key ("+why+")")
	}
	return invalidToken("kid", "no key in the key set has this kid ("+why+")")
}

// cacheAge reads how long a response may be cached from its Cache-Control
// header: 0 for no-store or no-cache, the smallest max-age (capped at max),
// else def.
func cacheAge(h http.Header, def, max time.Duration) time.Duration {
	age, found := time.Duration(0), false
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
				if err != nil || n < 0 {
					continue
				}
				d := max
				if n < int64(max/time.Second) {
					d = time.Duration(n) * time.Second
				}
				if !found || d < age {
					age, found = d, true
				}
			}
		}
	}
	if !found {
		return def
	}
	return age
}
