package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

const (
	// defaultDeadline is the context deadline of the hang checks.
	defaultDeadline = time.Second
	// maxBodyRead is the most a connector may read of a 10 MiB body.
	maxBodyRead = 4 << 20
	// parallelFlows is the number of concurrent flows (or sends) of the
	// concurrency checks.
	parallelFlows = 12
)

// suite is what the social and the sender suites share: the subject in
// the form the checks use (P is the kind of mock, C the kind of
// connector), a fresh env per subtest, opening the connector, and the
// checks whose logic is the same for both: config, metadata, formatting,
// failure modes, provider errors, hangs, context.
type suite[P mockprovider.Provider, C connector.Connector] struct {
	// kind is "Social" or "Sender": the subject's type and the connector
	// interface C.
	kind     string
	open     connector.OpenFunc
	factory  connector.Factory
	provider P
	config   func(p P) json.RawMessage
	more     func(p P) []json.RawMessage
	options  func(p P) []connector.Option
	invalid  []InvalidConfig
	secrets  []string
	deadline time.Duration
	// idents are identifiers of p that may stand beside a secret in Basic
	// credentials (the client ID).
	idents func(p P) []string
	// use names one use of the connector ("sign-in", "send"), useGroup
	// the subtests of its happy path ("SignIn", "Send") and call the
	// method that ends it ("UserInfo", "Send").
	use, useGroup, call string
	// prepare readies one use of c against e's mock (a fresh flow up to
	// the callback, a message, a refresh token from a sign-in) and
	// returns the call that makes it: the call the failure checks watch.
	// The checks program the failure after prepare, so that getting
	// ready meets every endpoint answering normally.
	prepare func(e *env, c C) attempt
}

// attempt is one call of a connector to its provider (UserInfo at the end
// of a flow, Send) with ctx.
type attempt func(ctx context.Context) error

// validate reports what the subject lacks, after taking Open from the
// factory, and defaults the deadline.
func (s *suite[P, C]) validate() error {
	if s.open == nil {
		s.open = s.factory.Open
	}
	var missing []string
	if s.open == nil {
		missing = append(missing, "Open (or Factory)")
	}
	if any(s.provider) == nil {
		missing = append(missing, "Provider")
	}
	if s.config == nil {
		missing = append(missing, "Config")
	}
	if len(missing) > 0 {
		return errors.New("conformance: the " + s.kind + " subject has no " + strings.Join(missing, ", "))
	}
	if s.deadline <= 0 {
		s.deadline = defaultDeadline
	}
	return nil
}

// mock is e's clone of the subject's mock.
func (s *suite[P, C]) mock(e *env) P { return e.p.(P) }

// newEnv returns a fresh env that knows the subject's secrets.
func (s *suite[P, C]) newEnv(t tb, strict bool) *env {
	e := newEnv(t, s.provider, strict)
	for _, x := range s.secrets {
		e.addSecret("subject secret", x)
	}
	p := s.mock(e)
	if s.idents != nil {
		for _, id := range s.idents(p) {
			e.addIdent(id)
		}
	}
	e.configSecrets(s.config(p))
	return e
}

// group runs f as a parallel subtest holding more subtests.
func (s *suite[P, C]) group(t tb, name string, f func(t tb)) {
	t.Run(name, func(t tb) {
		t.Parallel()
		f(t)
	})
}

// sub runs check as a parallel subtest on a fresh env.
func (s *suite[P, C]) sub(t tb, name string, check func(e *env)) {
	t.Run(name, func(t tb) {
		t.Parallel()
		check(s.newEnv(t, true))
	})
}

// configs returns the subject's valid configs for p, Config's first.
func (s *suite[P, C]) configs(p P) []json.RawMessage {
	out := []json.RawMessage{s.config(p)}
	if s.more != nil {
		out = append(out, s.more(p)...)
	}
	return out
}

// openAny opens raw in e with the injected client, the capturing logger and
// the subject's options, reporting a panic and noting the error and the
// connector for the redaction scan.
func (s *suite[P, C]) openAny(e *env, raw json.RawMessage) (c connector.Connector, err error) {
	defer e.recoverPanic("Open", &err)
	var extra []connector.Option
	if s.options != nil {
		extra = s.options(s.mock(e))
	}
	c, err = s.open(raw, e.options(extra)...)
	if err != nil {
		e.noteErr("Open", err)
	} else if c == nil {
		err = errors.New("conformance: Open returned a nil connector and no error")
	} else {
		e.notePrint("connector", c)
	}
	return c, err
}

// openAs opens raw as a C.
func (s *suite[P, C]) openAs(e *env, raw json.RawMessage) (C, error) {
	var none C
	c, err := s.openAny(e, raw)
	if err != nil {
		return none, err
	}
	sc, ok := c.(C)
	if !ok {
		return none, fmt.Errorf("conformance: Open returned a %T, which is not a connector.%s", c, s.kind)
	}
	return sc, nil
}

// mustOpen opens the subject's config or stops the subtest.
func (s *suite[P, C]) mustOpen(e *env) C {
	e.t.Helper()
	c, err := s.openAs(e, s.config(s.mock(e)))
	if err != nil {
		e.t.Fatalf("Open(valid config) failed: %s", e.mask(err.Error()))
	}
	return c
}

// eachMoreConfig opens every config of MoreConfigs and hands use those that
// open.
func (s *suite[P, C]) eachMoreConfig(e *env, use func(i int, c C)) {
	if s.more == nil {
		return
	}
	for i, raw := range s.more(s.mock(e)) {
		e.configSecrets(raw)
		c, err := s.openAs(e, raw)
		if err != nil {
			e.t.Errorf("config #%d of MoreConfigs was refused: %s", i, e.mask(err.Error()))
			continue
		}
		use(i, c)
	}
}

// --- checks both suites run ---

func (s *suite[P, C]) checkMetadata(e *env) {
	c := s.mustOpen(e)
	checkMetadata(e.t, c.Metadata(), s.factory, s.config(s.mock(e)), s.kind == "Social")
}

// checkFormatting prints the connector after one use (a lazily filled
// field must not leak either); run is that use.
func (s *suite[P, C]) checkFormatting(e *env, run func(c C) error) {
	c := s.mustOpen(e)
	if err := run(c); err != nil {
		e.t.Logf("the %s failed (see %s/HappyPath): %s", s.use, s.useGroup, e.mask(err.Error()))
	}
	e.notePrint("connector after a "+s.use, c)
	e.notePrint("connector metadata", c.Metadata())
}

// failureCase is a failure mode and what the connector must make of it.
type failureCase struct {
	mode mockprovider.Mode
	want want
	// rule, when set, says in failure messages why the answer must be
	// refused.
	rule string
	// bounded checks the body was not read to the end; hang checks the
	// deadline reached the request; redirect checks the redirect was not
	// followed and its body not kept.
	bounded, hang, redirect bool
}

// failureChecks runs check on each case the mock can render at ep.
func (s *suite[P, C]) failureChecks(t tb, ep mockprovider.Endpoint, cases []failureCase, check func(e *env, c failureCase)) {
	for _, c := range cases {
		if s.provider.Supports(ep, c.mode) {
			s.sub(t, string(c.mode), func(e *env) { check(e, c) })
		}
	}
}

// checkFailure makes one use of the connector with ep answering c.mode, and
// checks the error; it returns the error for further checks.
func (s *suite[P, C]) checkFailure(e *env, ep mockprovider.Endpoint, c failureCase, what string) error {
	conn := s.mustOpen(e)
	if c.rule != "" {
		what += " (" + c.rule + ")"
	}
	if c.hang {
		s.checkHang(e, conn, ep, what, c.want)
		return nil
	}
	call := s.prepare(e, conn)
	e.p.Fail(ep, c.mode)
	sent := e.p.BytesSent(ep)
	err := call(e.ctx)
	e.check(what, err, c.want)
	if c.bounded {
		if n := e.p.BytesSent(ep) - sent; n > maxBodyRead {
			e.t.Errorf("%s: the connector read %d bytes of a %d-byte body: cap what it reads (internal/httpx.ReadBody)", what, n, mockprovider.OversizedBytes)
		}
	}
	return err
}

// checkHang makes one use of conn with ep hanging and a context deadline,
// and reports a call still blocked well after the deadline, an error other
// than w, or a request whose context never ended at the mock. When the
// deadline passed before the request reached ep (a loaded machine), it
// tries again with a longer one.
func (s *suite[P, C]) checkHang(e *env, conn C, ep mockprovider.Endpoint, what string, w want) {
	d := s.deadline
	for try := 1; ; try++ {
		e.p.Fail(ep, mockprovider.OK)
		call := s.prepare(e, conn)
		e.p.Fail(ep, mockprovider.Hang)
		before := e.p.Requests(ep)
		err, returned := runWithDeadline(e.ctx, d, call)
		if !returned {
			e.t.Errorf("%s: %s still blocked %v after the context deadline: pass the caller's context to every request", what, s.call, hangGrace(d))
			return
		}
		e.check(what, err, w)
		if err == errPanicked {
			return
		}
		if e.p.Requests(ep) > before {
			if !e.waitCanceledHang(ep) {
				e.t.Errorf("%s: the request's context never ended at the provider: the caller's deadline did not reach the request", what)
			}
			return
		}
		if try == 3 {
			e.t.Errorf("%s: the connector never called the %s endpoint", what, ep)
			return
		}
		d *= 4
	}
}

// hangGrace is how long after a deadline d a call may take to return: a
// second plus four times d, generous for loaded machines, short next to a
// hang.
func hangGrace(d time.Duration) time.Duration { return time.Second + 4*d }

// runWithDeadline runs f with a context that ends after d, and reports
// whether it returned within d + hangGrace(d). f keeps running after a
// timeout; the mock's Close releases it.
func runWithDeadline(ctx context.Context, d time.Duration, f attempt) (error, bool) {
	ctx, cancel := context.WithTimeout(ctx, d)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- f(ctx)
	}()
	t := time.NewTimer(d + hangGrace(d))
	defer t.Stop()
	select {
	case err := <-done:
		return err, true
	case <-t.C:
		return nil, false
	}
}

// errorCaseChecks runs, as ProviderErrors/<name>, each error case of the
// mock that keep selects: one use of the connector with the case's
// failure set, whose error must be the case's (at step, when set).
func (s *suite[P, C]) errorCaseChecks(t tb, keep func(c mockprovider.ErrorCase) bool,
	what func(c mockprovider.ErrorCase) string, step connector.Step) {
	var cases []mockprovider.ErrorCase
	for _, c := range s.provider.ErrorCases() {
		if keep(c) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return
	}
	s.group(t, "ProviderErrors", func(t tb) {
		for _, c := range cases {
			s.sub(t, subtestName(c.Name), func(e *env) {
				conn := s.mustOpen(e)
				e.p.SetFailure(c.Endpoint, c.Failure)
				err := s.prepare(e, conn)(e.ctx)
				e.check(what(c), err, want{codes: codes(c.Code), step: step, retryable: c.Retryable,
					retryAfter: c.RetryAfter, status: c.Status, providerCode: c.ProviderCode})
			})
		}
	})
}

// contextChecks runs Context/Canceled and Context/InjectedClient. canceled,
// when set, checks more after the canceled call; wantRequests says a use of
// the connector must send requests.
func (s *suite[P, C]) contextChecks(t tb, canceled func(e *env), wantRequests bool) {
	s.group(t, "Context", func(t tb) {
		s.sub(t, "Canceled", func(e *env) {
			call := s.prepare(e, s.mustOpen(e))
			what := s.call + " with a canceled context"
			ctx, cancel := context.WithCancel(e.ctx)
			cancel()
			if err := call(ctx); err == nil {
				e.t.Errorf("%s succeeded: pass the caller's context to every request", what)
			} else {
				e.check(what, err, want{})
			}
			if canceled != nil {
				canceled(e)
			}
		})
		s.sub(t, "InjectedClient", func(e *env) {
			if err := s.prepare(e, s.mustOpen(e))(e.ctx); err != nil {
				e.t.Errorf("the %s failed: %s%s", s.use, e.mask(err.Error()), e.problems())
			}
			served := 0
			for _, ep := range e.p.Endpoints() {
				served += e.p.Requests(ep)
			}
			if wantRequests && e.guard.count() == 0 {
				e.t.Errorf("the connector sent no request through the injected HTTP client (connector.WithHTTPClient): it must use Options.HTTPClient for every request")
			}
			if served != e.guard.count() {
				e.t.Errorf("the mock served %d requests but %d went through the injected client", served, e.guard.count())
			}
		})
	})
}
