package apple

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/kit"
)

// KeySet is Apple's public key set (https://appleid.apple.com/auth/keys),
// which every Apple id_token is verified with: fetched on first use, cached
// as Apple's Cache-Control says, fetched again once when a token names an
// unknown key (Apple rotated its keys), with concurrent fetches collapsed
// into one and at most one fetch a minute whatever the tokens say. The old
// keys keep serving when a fetch fails. No goroutine runs in the
// background.
//
// Every connector has a key set of its own unless it is built from a
// shared one: a host with an Apple connector per tenant makes one KeySet
// and opens every tenant's connector with [KeySet.Open] (or registers
// [KeySet.Factory]), so that Apple's keys are fetched once per process,
// not once per tenant. A KeySet is safe for concurrent use.
type KeySet struct {
	set *idtoken.KeySet
}

// NewKeySet returns a key set. It makes no network call. Options:
// [connector.WithHTTPClient] (the client every fetch uses),
// [connector.WithClock], [connector.WithLogger], and
// [connector.WithEndpoint] with [EndpointKeys].
func NewKeySet(opts ...connector.Option) (*KeySet, error) {
	o, err := kit.ResolveOptions(opts...)
	if err == nil {
		err = o.Restrict(FactoryID, false, EndpointKeys)
	}
	if err != nil {
		return nil, kit.Attribute(err, o.ConnectorID(FactoryID))
	}
	return newKeySet(o), nil
}

// newKeySet is a key set with the HTTP client, clock, logger and keys
// endpoint of o.
func newKeySet(o connector.Options) *KeySet {
	return &KeySet{set: idtoken.NewKeySet(o.Endpoint(EndpointKeys, KeysURL), idtoken.KeySetOptions{
		HTTPClient: o.HTTPClient, Now: o.Now, Logger: o.ScopedLogger(FactoryID),
	})}
}

// New is [New] for a connector whose id_tokens are verified with k's
// keys. Its HTTP client makes the token, refresh and revoke requests; k's
// own fetches the keys. [connector.WithEndpoint] with [EndpointKeys] is
// refused: the key set has its endpoint.
func (k *KeySet) New(cfg Config, opts ...connector.Option) (*Connector, error) {
	return newConnector(cfg, k, opts)
}

// Open is [Open] for a connector whose id_tokens are verified with k's
// keys.
func (k *KeySet) Open(raw json.RawMessage, opts ...connector.Option) (*Connector, error) {
	return openWith(raw, k, opts)
}

// Factory returns the factory of Sign in with Apple whose connectors all
// verify with k's keys: register it instead of [Factory].
func (k *KeySet) Factory() connector.Factory { return connector.NewFactory(Metadata(), k.Open) }

// KeySetStats are a key set's counters since it was made: export them as
// metrics, or check in tests that Apple is not asked too often.
type KeySetStats struct {
	// Fetches counts requests sent to the keys endpoint; FetchFailures
	// those that did not give a usable key set.
	Fetches, FetchFailures int64
	// Refusals counts tokens naming an unknown key that were refused
	// without a fetch, because the last one was less than a minute ago.
	Refusals int64
	// Keys is the number of keys held.
	Keys int
	// FetchedAt is when they were fetched (zero before any fetch), Expires
	// when they stop being fresh.
	FetchedAt, Expires time.Time
}

// Stats returns k's counters.
func (k *KeySet) Stats() KeySetStats {
	s := k.set.Stats()
	return KeySetStats{Fetches: s.Fetches, FetchFailures: s.FetchFailures, Refusals: s.Refusals, Keys: s.Keys,
		FetchedAt: s.FetchedAt, Expires: s.Expires}
}

// String describes the key set: its URL and how many keys it holds.
func (k *KeySet) String() string {
	return fmt.Sprintf("apple.KeySet{URL:%q Keys:%d}", k.set.URL(), k.set.Stats().Keys)
}
