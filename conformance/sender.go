package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
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
func RunSender(t *testing.T, s Sender) {
	t.Helper()
	runSender(testingT{t}, s)
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

// senderRun is one run of the sender suite.
type senderRun struct {
	*suite[mockprovider.MessageProvider, connector.Sender]
	s Sender
}

func newSenderRun(s Sender) (*senderRun, error) {
	if s.SetTemplates == nil {
		s.SetTemplates = LogtoTemplates
	}
	if s.Recipient == "" {
		s.Recipient = "+14155550100"
	}
	r := &senderRun{s: s}
	r.suite = &suite[mockprovider.MessageProvider, connector.Sender]{
		kind: "Sender", open: s.Open, factory: s.Factory, provider: s.Provider,
		config: s.Config, more: s.MoreConfigs, options: s.Options,
		invalid: s.InvalidConfigs, secrets: s.Secrets, deadline: s.Deadline,
		use: "send", useGroup: "Send", call: "Send",
		prepare: func(e *env, c connector.Sender) attempt {
			return func(ctx context.Context) error {
				_, err := r.send(e, c, ctx, r.message(connector.UsageGeneric))
				return err
			}
		},
	}
	return r, r.validate()
}

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
	r, err := newSenderRun(s)
	if err != nil {
		t.Fatalf("%v", err)
	}
	r.configChecks(t)
	r.sub(t, "Metadata", r.checkMetadata)
	r.sub(t, "Formatting", func(e *env) {
		r.checkFormatting(e, func(c connector.Sender) error {
			_, err := r.send(e, c, e.ctx, r.message(connector.UsageSignIn))
			return err
		})
	})
	r.group(t, "Send", func(t tb) {
		r.sub(t, "HappyPath", r.checkHappyPath)
		r.sub(t, "MoreConfigs", r.checkMoreConfigs)
		r.sub(t, "DigitsOnlyRecipient", r.checkDigitsOnly)
		r.sub(t, "Concurrent", r.checkConcurrent)
	})
	r.group(t, "Templates", func(t tb) {
		r.sub(t, "ExactUsage", r.checkExactUsage)
		r.sub(t, "GenericFallback", r.checkGenericFallback)
		r.sub(t, "NotFound", r.checkNotFound)
		r.sub(t, "Placeholders", r.checkPlaceholders)
	})
	r.group(t, "InvalidRecipient", func(t tb) {
		for _, c := range invalidRecipients {
			r.sub(t, c.name, func(e *env) { r.checkInvalidRecipient(e, c.to) })
		}
	})
	r.group(t, "ProviderFailure", func(t tb) {
		r.failureChecks(t, mockprovider.EndpointMessages, senderFailureCases(), func(e *env, c failureCase) {
			what := "Send with the provider answering " + string(c.mode)
			err := r.checkFailure(e, mockprovider.EndpointMessages, c, what)
			if c.redirect {
				checkRedirect(e, what, err)
			}
		})
	})
	r.errorCaseChecks(t, func(c mockprovider.ErrorCase) bool {
		return c.Endpoint == mockprovider.EndpointMessages
	}, func(c mockprovider.ErrorCase) string {
		return "Send with the provider answering " + c.Name
	}, connector.StepSend)
	r.contextChecks(t, func(e *env) {
		if box := r.mock(e).Outbox(); len(box) > 0 {
			e.t.Errorf("Send with a canceled context delivered a message")
		}
	}, true)
}

// openWith opens the valid config with its templates replaced, or stops
// the subtest.
func (r *senderRun) openWith(e *env, templates []Template) connector.Sender {
	e.t.Helper()
	raw := r.config(r.mock(e))
	if templates != nil {
		var err error
		if raw, err = r.s.SetTemplates(raw, templates); err != nil {
			e.t.Fatalf("SetTemplates: %v", err)
		}
	}
	c, err := r.openAs(e, raw)
	if err != nil {
		e.t.Fatalf("Open(valid config) failed: %s", e.mask(err.Error()))
	}
	return c
}

// send calls Send, recording errors and the receipt.
func (r *senderRun) send(e *env, c connector.Sender, ctx context.Context, msg connector.Message) (*connector.Receipt, error) {
	rc, err := call(e, "Send", "a receipt", func() (*connector.Receipt, error) { return c.Send(ctx, msg) })
	if err != nil {
		return nil, err
	}
	e.notePrint("receipt", *rc)
	return rc, nil
}

func (r *senderRun) message(usage connector.UsageType) connector.Message {
	return connector.Message{To: r.s.Recipient, Usage: usage, Payload: map[string]any{"code": "123456"}}
}

// last checks a message reached the outbox and returns the latest.
func (r *senderRun) last(e *env, rc *connector.Receipt) (mockprovider.Message, bool) {
	e.t.Helper()
	box := r.mock(e).Outbox()
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
	r.eachMoreConfig(e, func(i int, c connector.Sender) {
		rc, err := r.send(e, c, e.ctx, r.message(connector.UsageGeneric))
		if err != nil {
			e.t.Errorf("Send with config #%d of MoreConfigs failed: %s%s", i, e.mask(err.Error()), e.problems())
			return
		}
		r.last(e, rc)
	})
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
	box := r.mock(e).Outbox()
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
	raw, err := r.s.SetTemplates(r.config(r.mock(e)), []Template{{connector.UsageSignIn, "sign-in {{code}}"}})
	if err != nil {
		e.t.Fatalf("SetTemplates: %v", err)
	}
	c, err := r.openAs(e, raw)
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
	c := r.mustOpen(e)
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
		// For mocks that serve a redirect target (NewMessage's, not
		// Twilio's).
		{mode: mockprovider.Redirect, want: want{codes: codes(connector.CodeInvalidResponse), step: step},
			rule: ruleSenderRedirect, redirect: true},
	}
}

// ruleSenderRedirect is quoted in the failure messages of the Redirect check.
const ruleSenderRedirect = "a 3xx answer must never be followed, since the request carries the API credentials " +
	"and the message: refuse it with invalid_response"
