package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// Sender describes a message connector under test and its provider.
type Sender struct {
	// Open builds the connector from a JSON config and options; the suite
	// adds connector.WithHTTPClient and connector.WithLogger before
	// Options. Factory.Open is used when Open is nil.
	Open connector.OpenFunc
	// Factory, when set, is checked too and supplies Open.
	Factory connector.Factory
	// Provider is the mock provider; every subtest works on a clone.
	Provider mockprovider.MessageProvider
	// Config returns a valid config for p. The suite replaces its templates
	// (see SetTemplates) in the template checks.
	Config func(p mockprovider.MessageProvider) json.RawMessage
	// MoreConfigs returns further valid configs (API key credentials, a
	// sender number...): each must open and send.
	MoreConfigs func(p mockprovider.MessageProvider) []json.RawMessage
	// Options returns extra options for p (endpoint overrides).
	Options func(p mockprovider.MessageProvider) []connector.Option
	// InvalidConfigs must each be refused with invalid_config.
	InvalidConfigs []InvalidConfig
	// SetTemplates returns cfg with its templates replaced by templates;
	// the default sets Logto's "templates": [{"usageType","content"}].
	SetTemplates func(cfg json.RawMessage, templates []Template) (json.RawMessage, error)
	// Recipient is a valid recipient in E.164 ("+14155550100" when empty).
	Recipient string
	// Secrets are more values that must never leak (see [Social.Secrets]).
	Secrets []string
	// Deadline is the context deadline of the hang check (1 s when zero).
	Deadline time.Duration
}

// Template is a message template as Logto's configs hold them.
type Template struct {
	UsageType connector.UsageType `json:"usageType"`
	Content   string              `json:"content"`
}

// RunSender runs the message connector suite: every check is a named
// subtest on a fresh connector and a fresh mock provider (see the package
// documentation for the list).
func RunSender[T TB[T]](t T, s Sender) {
	t.Helper()
	runSender(erase[T]{t}, s)
}

// LogtoTemplates is the default [Sender.SetTemplates]: it sets the
// "templates" field of cfg.
func LogtoTemplates(cfg json.RawMessage, templates []Template) (json.RawMessage, error) {
	return editConfig(cfg, func(m map[string]any) {
		list := make([]any, len(templates))
		for i, t := range templates {
			list[i] = map[string]any{"usageType": string(t.UsageType), "content": t.Content}
		}
		m["templates"] = list
	})
}

func (s *Sender) prepare() error {
	var missing []string
	if s.Open == nil {
		s.Open = s.Factory.Open
	}
	if s.Open == nil {
		missing = append(missing, "Open (or Factory)")
	}
	if s.Provider == nil {
		missing = append(missing, "Provider")
	}
	if s.Config == nil {
		missing = append(missing, "Config")
	}
	if len(missing) > 0 {
		return errors.New("conformance: the Sender subject has no " + strings.Join(missing, ", "))
	}
	if s.SetTemplates == nil {
		s.SetTemplates = LogtoTemplates
	}
	if s.Recipient == "" {
		s.Recipient = "+14155550100"
	}
	if s.Deadline <= 0 {
		s.Deadline = defaultDeadline
	}
	return nil
}

type senderRun struct{ s Sender }

// invalidRecipients are refused before any request.
var invalidRecipients = []struct{ name, to string }{
	{"empty", ""},
	{"letters", "call-me-maybe"},
	{"plus_only", "+"},
	{"too_short", "12"},
	{"leading_zero", "+0123456789"},
	{"too_long", "+1234567890123456789"},
	{"two_numbers", "+14155550100,+14155550101"},
	{"injection", "+14155550100&To=+14155550199"},
}

func runSender(t tb, s Sender) {
	t.Helper()
	if err := s.prepare(); err != nil {
		t.Fatalf("%v", err)
	}
	r := &senderRun{s: s}
	open := func(e *env, raw json.RawMessage) (connector.Connector, error) {
		return s.Open(raw, e.options(r.extra(e))...)
	}
	valid := func(p mockprovider.Provider) []json.RawMessage {
		mp := p.(mockprovider.MessageProvider)
		out := []json.RawMessage{s.Config(mp)}
		if s.MoreConfigs != nil {
			out = append(out, s.MoreConfigs(mp)...)
		}
		return out
	}
	runConfigChecks(t, s.Provider, open, valid, s.InvalidConfigs, s.Secrets)
	r.sub(t, "Metadata", r.checkMetadata)
	r.sub(t, "Formatting", r.checkFormatting)
	t.Run("Send", func(t tb) {
		t.Parallel()
		r.sub(t, "HappyPath", r.checkHappyPath)
		r.sub(t, "MoreConfigs", r.checkMoreConfigs)
		r.sub(t, "DigitsOnlyRecipient", r.checkDigitsOnly)
		r.sub(t, "Concurrent", r.checkConcurrent)
	})
	t.Run("Templates", func(t tb) {
		t.Parallel()
		r.sub(t, "ExactUsage", r.checkExactUsage)
		r.sub(t, "GenericFallback", r.checkGenericFallback)
		r.sub(t, "NotFound", r.checkNotFound)
		r.sub(t, "Placeholders", r.checkPlaceholders)
	})
	t.Run("InvalidRecipient", func(t tb) {
		t.Parallel()
		for _, c := range invalidRecipients {
			c := c
			r.sub(t, c.name, func(e *env) { r.checkInvalidRecipient(e, c.to) })
		}
	})
	t.Run("ProviderFailure", func(t tb) {
		t.Parallel()
		for _, c := range senderFailureCases() {
			if !s.Provider.Supports(mockprovider.EndpointMessages, c.mode) {
				continue
			}
			c := c
			r.sub(t, string(c.mode), func(e *env) { r.checkFailure(e, c) })
		}
	})
	var cases []mockprovider.ErrorCase
	for _, c := range s.Provider.ErrorCases() {
		if c.Endpoint == mockprovider.EndpointMessages {
			cases = append(cases, c)
		}
	}
	if len(cases) > 0 {
		t.Run("ProviderErrors", func(t tb) {
			t.Parallel()
			for _, c := range cases {
				c := c
				r.sub(t, subtestName(c.Name), func(e *env) { r.checkErrorCase(e, c) })
			}
		})
	}
	t.Run("Context", func(t tb) {
		t.Parallel()
		r.sub(t, "Canceled", r.checkCanceled)
		r.sub(t, "InjectedClient", r.checkInjectedClient)
	})
}

func (r *senderRun) sub(t tb, name string, check func(e *env)) {
	t.Run(name, func(t tb) {
		t.Parallel()
		e := newEnv(t, r.s.Provider, true)
		for _, x := range r.s.Secrets {
			e.addSecret("subject secret", x)
		}
		e.configSecrets(r.s.Config(r.mp(e)))
		check(e)
	})
}

func (r *senderRun) mp(e *env) mockprovider.MessageProvider {
	return e.p.(mockprovider.MessageProvider)
}

func (r *senderRun) extra(e *env) []connector.Option {
	if r.s.Options == nil {
		return nil
	}
	return r.s.Options(r.mp(e))
}

func (r *senderRun) open(e *env, raw json.RawMessage) (connector.Sender, error) {
	c, err := openChecked(e, func(e *env, raw json.RawMessage) (connector.Connector, error) {
		return r.s.Open(raw, e.options(r.extra(e))...)
	}, raw)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(connector.Sender)
	if !ok {
		return nil, fmt.Errorf("conformance: Open returned a %T, which is not a connector.Sender", c)
	}
	return sc, nil
}

// openWith opens the valid config with templates, or stops the subtest.
func (r *senderRun) openWith(e *env, templates []Template) connector.Sender {
	e.t.Helper()
	raw := r.s.Config(r.mp(e))
	if templates != nil {
		var err error
		if raw, err = r.s.SetTemplates(raw, templates); err != nil {
			e.t.Fatalf("SetTemplates: %v", err)
		}
	}
	c, err := r.open(e, raw)
	if err != nil {
		e.t.Fatalf("Open(valid config) failed: %s", e.mask(err.Error()))
	}
	return c
}

func (r *senderRun) send(e *env, c connector.Sender, ctx context.Context, msg connector.Message) (rc *connector.Receipt, err error) {
	defer e.recoverPanic("Send", &err)
	rc, err = c.Send(ctx, msg)
	if err != nil {
		e.noteErr("Send", err)
		return nil, err
	}
	if rc == nil {
		return nil, errors.New("conformance: Send returned neither a receipt nor an error")
	}
	e.notePrint("receipt", *rc)
	return rc, nil
}

func (r *senderRun) message(usage connector.UsageType) connector.Message {
	return connector.Message{To: r.s.Recipient, Usage: usage, Payload: map[string]any{"code": "123456"}}
}

// sent checks one more message reached the outbox and returns it.
func (r *senderRun) last(e *env, rc *connector.Receipt) (mockprovider.Message, bool) {
	e.t.Helper()
	box := r.mp(e).Outbox()
	if len(box) == 0 {
		e.t.Errorf("Send succeeded but the provider received no message")
		return mockprovider.Message{}, false
	}
	m := box[len(box)-1]
	if rc != nil && rc.ID != m.SID {
		e.t.Errorf("Receipt.ID is %q, want the provider's message ID %q", rc.ID, m.SID)
	}
	return m, true
}

// --- checks ---

func (r *senderRun) checkMetadata(e *env) {
	c := r.openWith(e, nil)
	checkMetadata(e.t, c.Metadata(), r.s.Factory, r.s.Config(r.mp(e)), false)
}

func (r *senderRun) checkFormatting(e *env) {
	c := r.openWith(e, nil)
	if _, err := r.send(e, c, e.ctx, r.message(connector.UsageSignIn)); err != nil {
		e.t.Logf("Send failed (see Send/HappyPath): %s", e.mask(err.Error()))
	}
	e.notePrint("connector after a send", c)
	e.notePrint("connector metadata", c.Metadata())
}

func (r *senderRun) checkHappyPath(e *env) {
	c := r.openWith(e, []Template{{connector.UsageGeneric, "Your code is {{code}}"}})
	rc, err := r.send(e, c, e.ctx, r.message(connector.UsageSignIn))
	if err != nil {
		e.t.Fatalf("Send failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if rc.ID == "" {
		e.t.Errorf("Receipt.ID is empty: return the provider's message ID")
	}
	if m, ok := r.last(e, rc); ok {
		if m.To != r.s.Recipient {
			e.t.Errorf("the provider received To %q, want %q", m.To, r.s.Recipient)
		}
		if m.Body != "Your code is 123456" {
			e.t.Errorf("the provider received the body %q, want %q", m.Body, "Your code is 123456")
		}
	}
}

func (r *senderRun) checkMoreConfigs(e *env) {
	if r.s.MoreConfigs == nil {
		return
	}
	for i, raw := range r.s.MoreConfigs(r.mp(e)) {
		e.configSecrets(raw)
		c, err := r.open(e, raw)
		if err != nil {
			e.t.Errorf("config #%d of MoreConfigs was refused: %s", i, e.mask(err.Error()))
			continue
		}
		rc, err := r.send(e, c, e.ctx, r.message(connector.UsageGeneric))
		if err != nil {
			e.t.Errorf("Send with config #%d of MoreConfigs failed: %s%s", i, e.mask(err.Error()), e.problems())
			continue
		}
		r.last(e, rc)
	}
}

func (r *senderRun) checkDigitsOnly(e *env) {
	c := r.openWith(e, []Template{{connector.UsageGeneric, "Your code is {{code}}"}})
	msg := r.message(connector.UsageSignIn)
	msg.To = strings.TrimPrefix(r.s.Recipient, "+")
	rc, err := r.send(e, c, e.ctx, msg)
	if err != nil {
		e.t.Fatalf("Send to the digits-only form %q failed: %s%s", msg.To, e.mask(err.Error()), e.problems())
	}
	if m, ok := r.last(e, rc); ok && m.To != r.s.Recipient {
		e.t.Errorf("the provider received To %q for %q, want %q", m.To, msg.To, r.s.Recipient)
	}
}

func (r *senderRun) checkConcurrent(e *env) {
	c := r.openWith(e, []Template{{connector.UsageGeneric, "Your code is {{code}}"}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]bool{}
	for i := range parallelFlows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := r.message(connector.UsageSignIn)
			msg.Payload = map[string]any{"code": fmt.Sprintf("%06d", i)}
			rc, err := r.send(e, c, e.ctx, msg)
			if err != nil {
				e.t.Errorf("send %d failed: %s", i, e.mask(err.Error()))
				return
			}
			mu.Lock()
			if ids[rc.ID] {
				e.t.Errorf("send %d: Receipt.ID %q was returned twice", i, rc.ID)
			}
			ids[rc.ID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	box := r.mp(e).Outbox()
	if len(box) != parallelFlows {
		e.t.Errorf("the provider received %d messages, want %d", len(box), parallelFlows)
	}
	bodies := map[string]bool{}
	for _, m := range box {
		if !ids[m.SID] {
			e.t.Errorf("message %s was sent but no Receipt returned its ID", m.SID)
		}
		bodies[m.Body] = true
	}
	if len(bodies) != len(box) {
		e.t.Errorf("concurrent sends mixed up their bodies: %d distinct bodies for %d messages", len(bodies), len(box))
	}
}

func (r *senderRun) checkExactUsage(e *env) {
	c := r.openWith(e, []Template{
		{connector.UsageSignIn, "sign-in {{code}}"},
		{connector.UsageRegister, "register {{code}}"},
		{connector.UsageGeneric, "generic {{code}}"},
	})
	for _, tc := range []struct {
		usage connector.UsageType
		body  string
	}{{connector.UsageSignIn, "sign-in 123456"}, {connector.UsageRegister, "register 123456"}, {connector.UsageGeneric, "generic 123456"}} {
		rc, err := r.send(e, c, e.ctx, r.message(tc.usage))
		if err != nil {
			e.t.Errorf("Send(%s) failed: %s%s", tc.usage, e.mask(err.Error()), e.problems())
			continue
		}
		if m, ok := r.last(e, rc); ok && m.Body != tc.body {
			e.t.Errorf("Send(%s) sent %q, want the %s template's %q", tc.usage, m.Body, tc.usage, tc.body)
		}
	}
}

func (r *senderRun) checkGenericFallback(e *env) {
	c := r.openWith(e, []Template{
		{connector.UsageSignIn, "sign-in {{code}}"},
		{connector.UsageGeneric, "generic {{code}}"},
	})
	for _, u := range []connector.UsageType{connector.UsageForgotPassword, connector.UsageMfaVerification, connector.UsageBindMfa} {
		rc, err := r.send(e, c, e.ctx, r.message(u))
		if err != nil {
			e.t.Errorf("Send(%s) without its own template failed: %s%s; want the Generic template", u, e.mask(err.Error()), e.problems())
			continue
		}
		if m, ok := r.last(e, rc); ok && m.Body != "generic 123456" {
			e.t.Errorf("Send(%s) sent %q, want the Generic template's %q", u, m.Body, "generic 123456")
		}
	}
}

func (r *senderRun) checkNotFound(e *env) {
	raw, err := r.s.SetTemplates(r.s.Config(r.mp(e)), []Template{{connector.UsageSignIn, "sign-in {{code}}"}})
	if err != nil {
		e.t.Fatalf("SetTemplates: %v", err)
	}
	c, err := r.open(e, raw)
	if err != nil {
		// Refusing a config without a Generic template is allowed.
		e.check("Open(config without a Generic template)", err, want{codes: codes(connector.CodeInvalidConfig)})
		return
	}
	_, err = r.send(e, c, e.ctx, r.message(connector.UsageRegister))
	e.check("Send(Register) with neither a Register nor a Generic template", err, want{codes: codes(connector.CodeTemplateNotFound)})
	if n := e.p.Requests(mockprovider.EndpointMessages); n > 0 {
		e.t.Errorf("Send without a template called the provider %d times", n)
	}
}

func (r *senderRun) checkPlaceholders(e *env) {
	c := r.openWith(e, []Template{{connector.UsageGeneric,
		"Code {{code}} | {{ code }} | {{  code}} | {{application.name}} | {{ application.name }} | {{unknown}} | {{unknown.path}}"}})
	msg := r.message(connector.UsageGeneric)
	msg.Payload = map[string]any{"code": "987654", "application": map[string]any{"name": "Acme"}}
	rc, err := r.send(e, c, e.ctx, msg)
	if err != nil {
		e.t.Fatalf("Send failed: %s%s", e.mask(err.Error()), e.problems())
	}
	want := "Code 987654 | 987654 | 987654 | Acme | Acme | {{unknown}} | {{unknown.path}}"
	if m, ok := r.last(e, rc); ok && m.Body != want {
		e.t.Errorf("the template rendered as %q, want %q ({{code}}, spaces inside braces, dotted paths; unknown roots left as written)", m.Body, want)
	}
}

func (r *senderRun) checkInvalidRecipient(e *env, to string) {
	c := r.openWith(e, nil)
	msg := r.message(connector.UsageGeneric)
	msg.To = to
	_, err := r.send(e, c, e.ctx, msg)
	e.check(fmt.Sprintf("Send to %q", to), err, want{codes: codes(connector.CodeInvalidRequestParameters)})
	if n := e.p.Requests(mockprovider.EndpointMessages); n > 0 {
		e.t.Errorf("Send to %q called the provider %d times: refuse what cannot be a phone number before any request", to, n)
	}
}

func senderFailureCases() []failureCase {
	step := connector.StepSend
	return []failureCase{
		{mode: mockprovider.InvalidRecipient, want: want{codes: codes(connector.CodeInvalidRequestParameters), step: step, status: 400}},
		{mode: mockprovider.Unauthorized, want: want{codes: codes(connector.CodeInvalidConfig), step: step, status: 401}},
		{mode: mockprovider.RateLimited, want: want{codes: codes(connector.CodeRateLimitExceeded), step: step,
			status: 429, retryAfter: mockprovider.DefaultRetryAfter}},
		{mode: mockprovider.ServerError, want: want{codes: codes(connector.CodeGeneral), step: step, status: 500, retryable: true}},
		{mode: mockprovider.Unavailable, want: want{codes: codes(connector.CodeGeneral), step: step, status: 503, retryable: true}},
		{mode: mockprovider.HTMLPage, want: want{step: step}},
		{mode: mockprovider.TruncatedJSON, want: want{step: step}},
		{mode: mockprovider.EmptyBody, want: want{step: step}},
		{mode: mockprovider.Oversized, want: want{step: step}, bounded: true},
		{mode: mockprovider.Hang, want: want{}, hang: true},
	}
}

func (r *senderRun) checkFailure(e *env, c failureCase) {
	conn := r.openWith(e, nil)
	e.p.Fail(mockprovider.EndpointMessages, c.mode)
	what := "Send with the provider answering " + string(c.mode)
	if c.hang {
		err, returned := runWithDeadline(e.ctx, r.s.Deadline, func(ctx context.Context) error {
			_, err := r.send(e, conn, ctx, r.message(connector.UsageGeneric))
			return err
		})
		if !returned {
			e.t.Errorf("%s: Send still blocked %v after the context deadline: pass the caller's context to every request", what, hangGrace(r.s.Deadline))
			return
		}
		e.check(what, err, c.want)
		switch {
		case e.p.Requests(mockprovider.EndpointMessages) == 0:
			if err != errPanicked {
				e.t.Errorf("%s: the connector never called the provider", what)
			}
		case !e.waitCanceledHang(mockprovider.EndpointMessages):
			e.t.Errorf("%s: the request's context never ended at the provider: the caller's deadline did not reach the request", what)
		}
		return
	}
	_, err := r.send(e, conn, e.ctx, r.message(connector.UsageGeneric))
	e.check(what, err, c.want)
	if c.bounded {
		if n := e.p.BytesSent(mockprovider.EndpointMessages); n > maxBodyRead {
			e.t.Errorf("%s: the connector read %d bytes of a %d-byte body: cap what it reads (internal/httpx)", what, n, mockprovider.OversizedBytes)
		}
	}
}

func (r *senderRun) checkErrorCase(e *env, c mockprovider.ErrorCase) {
	conn := r.openWith(e, nil)
	e.p.SetFailure(c.Endpoint, c.Failure)
	_, err := r.send(e, conn, e.ctx, r.message(connector.UsageGeneric))
	e.check("Send with the provider answering "+c.Name, err, want{
		codes: codes(c.Code), step: connector.StepSend, retryable: c.Retryable, retryAfter: c.RetryAfter,
		status: c.Status, providerCode: c.ProviderCode,
	})
}

func (r *senderRun) checkCanceled(e *env) {
	c := r.openWith(e, nil)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := r.send(e, c, ctx, r.message(connector.UsageGeneric)); err == nil {
		e.t.Errorf("Send with a canceled context succeeded: pass the caller's context to every request")
	} else {
		e.check("Send with a canceled context", err, want{})
	}
	if box := r.mp(e).Outbox(); len(box) > 0 {
		e.t.Errorf("Send with a canceled context delivered a message")
	}
}

func (r *senderRun) checkInjectedClient(e *env) {
	c := r.openWith(e, nil)
	if _, err := r.send(e, c, e.ctx, r.message(connector.UsageGeneric)); err != nil {
		e.t.Errorf("Send failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if e.guard.count() == 0 {
		e.t.Errorf("the connector sent no request through the injected HTTP client (connector.WithHTTPClient)")
	}
	if n := e.p.Requests(mockprovider.EndpointMessages); n != e.guard.count() {
		e.t.Errorf("the mock served %d requests but %d went through the injected client", n, e.guard.count())
	}
}
