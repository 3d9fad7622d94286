package oidc

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/idtoken"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/kit"
)

// DiscoveryPath is where a provider publishes its configuration, below
// its issuer (OpenID Connect Discovery 1.0 §4).
const DiscoveryPath = "/.well-known/openid-configuration"

// RetryDiscoveryAfter is the least time between two discovery attempts
// after a failure: sign-ins within it get the last failure without a
// request, so a provider that is down is not hammered.
const RetryDiscoveryAfter = 5 * time.Second

// maxDiscoveryBytes caps the discovery document; real ones are a few KiB.
const maxDiscoveryBytes = 256 << 10

// Document is what the connector reads of a provider's discovery
// document (OpenID Connect Discovery 1.0 §3, RFC 8414, RFC 9207).
type Document struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserInfoEndpoint      string `json:"userinfo_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	// SigningAlgorithms is id_token_signing_alg_values_supported.
	SigningAlgorithms []string `json:"id_token_signing_alg_values_supported"`
	// AuthMethods is token_endpoint_auth_methods_supported.
	AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	// CodeChallengeMethods is code_challenge_methods_supported.
	CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
	// IssParameter is authorization_response_iss_parameter_supported
	// (RFC 9207): every authorization response then carries iss.
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`
}

// discoveryDocument names the discovery document in fetch errors.
var discoveryDocument = idtoken.Document{Label: "discovery", Noun: "discovery document", Accept: "application/json"}

// discoverer fetches the discovery document on first use, once, and keeps
// what it built from it. Concurrent first uses wait for one fetch (each
// until its own context ends); a failure is kept for RetryDiscoveryAfter.
type discoverer struct {
	url    string
	issuer string
	client *http.Client // follows no redirect
	now    func() time.Time
	build  func(*Document) (*provider, error)

	ready   atomic.Pointer[provider]
	sem     chan struct{} // a one-slot lock a waiter can give up on
	mu      sync.Mutex    // guards failed, failedAt
	failed  error
	failAt  time.Time
	fetches atomic.Int64
}

func newDiscoverer(issuer string, client *http.Client, now func() time.Time, build func(*Document) (*provider, error)) *discoverer {
	cp := *client
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &discoverer{url: strings.TrimSuffix(issuer, "/") + DiscoveryPath, issuer: issuer, client: &cp, now: now,
		build: build, sem: make(chan struct{}, 1)}
}

// get returns the provider built from the discovery document, fetching
// it when no fetch has succeeded yet.
func (d *discoverer) get(ctx context.Context, step connector.Step) (*provider, error) {
	if p := d.ready.Load(); p != nil {
		return p, nil
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &connector.Error{Code: connector.CodeGeneral, Step: step, Err: ctx.Err(),
			Retryable: errors.Is(ctx.Err(), context.DeadlineExceeded),
			Message:   "discovery: gave up waiting for the discovery document fetch under way"}
	}
	defer func() { <-d.sem }()
	if p := d.ready.Load(); p != nil {
		return p, nil
	}
	d.mu.Lock()
	failed, at := d.failed, d.failAt
	d.mu.Unlock()
	if failed != nil && d.now().Sub(at) < RetryDiscoveryAfter {
		return nil, failed
	}
	p, err := d.fetch(ctx, step)
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) && errors.Is(ce.Err, context.Canceled) {
			return nil, err // the caller gave up: not the provider's failure
		}
		d.mu.Lock()
		d.failed, d.failAt = err, d.now()
		d.mu.Unlock()
		return nil, err
	}
	d.ready.Store(p)
	return p, nil
}

// fetch reads, checks and builds the discovery document.
func (d *discoverer) fetch(ctx context.Context, step connector.Step) (*provider, error) {
	d.fetches.Add(1)
	doc := discoveryDocument
	doc.Step = step
	body, _, ce := idtoken.Fetch(ctx, d.client, d.url, doc, maxDiscoveryBytes, d.now)
	if ce != nil {
		if ce.Status == http.StatusNotFound || ce.Status == http.StatusGone {
			ce.Code = connector.CodeInvalidConfig
			ce.Message = "discovery: no discovery document at " + d.url + " (" + http.StatusText(ce.Status) + "): check issuer"
		}
		return nil, ce
	}
	var dd Document
	if err := jsonx.Unmarshal(body, &dd); err != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Step: step, Status: http.StatusOK,
			Message: "discovery: the discovery document at " + d.url + " is not a valid JSON document: " + redact.Clean(err.Error())}
	}
	if err := d.check(&dd); err != nil {
		err.Step = step
		return nil, err
	}
	return d.build(&dd)
}

// check applies the rules a discovery document must meet before anything
// in it is used.
func (d *discoverer) check(dd *Document) *connector.Error {
	bad := func(msg string) *connector.Error {
		return &connector.Error{Code: connector.CodeInvalidResponse, Status: http.StatusOK, Message: "discovery: " + msg}
	}
	// OpenID Connect Discovery §4.3: exactly the issuer asked about, or
	// the document (and every key and token it leads to) may be another
	// provider's.
	if dd.Issuer != d.issuer {
		return bad("the document's issuer " + quote(dd.Issuer) + " is not the configured issuer " + quote(d.issuer) +
			" (they must be equal, character for character)")
	}
	for _, f := range []struct {
		name, url string
		required  bool
	}{
		{"authorization_endpoint", dd.AuthorizationEndpoint, true},
		{"token_endpoint", dd.TokenEndpoint, true},
		{"jwks_uri", dd.JWKSURI, true},
		{"userinfo_endpoint", dd.UserInfoEndpoint, false},
		{"revocation_endpoint", dd.RevocationEndpoint, false},
	} {
		if f.url == "" {
			if f.required {
				return bad("the document has no " + f.name)
			}
			continue
		}
		if err := kit.CheckEndpoint(f.url); err != nil {
			return bad(f.name + " " + quote(f.url) + " " + err.Error())
		}
	}
	if len(dd.SigningAlgorithms) > 0 && len(acceptedAlgorithms(dd.SigningAlgorithms)) == 0 {
		return bad("id_token_signing_alg_values_supported lists no algorithm this connector accepts (" +
			strings.Join(idtoken.Algorithms(), ", ") + "); none and HMAC are never accepted")
	}
	return nil
}

// acceptedAlgorithms keeps the algorithms of list the verifier supports.
func acceptedAlgorithms(list []string) []string {
	var out []string
	for _, a := range list {
		if checkAlgorithm(a) == "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// quote quotes provider text for a message, cleaned and clipped.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return `"` + redact.Clean(s) + `"`
}
