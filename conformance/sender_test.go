package conformance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

func refSenderSubject(flaw senderFlaw) Sender {
	f := refSenderFactory(flaw)
	return Sender{
		Factory:  f,
		Provider: mockprovider.NewTwilio(mockprovider.TwilioOptions{}),
		Config: func(p mockprovider.MessageProvider) json.RawMessage {
			tw := p.(*mockprovider.Twilio)
			return mustJSON(map[string]any{
				"accountSID": tw.AccountSID(), "authToken": tw.AuthToken(),
				"fromMessagingServiceSID": tw.MessagingServiceSID(),
				"templates": []any{
					map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"},
					map[string]any{"usageType": "SignIn", "content": "Sign in with {{code}}"},
				},
			})
		},
		Options: func(p mockprovider.MessageProvider) []connector.Option {
			return []connector.Option{connector.WithEndpoint("api", p.BaseURL())}
		},
		InvalidConfigs: []InvalidConfig{
			{Name: "missing accountSID", Edit: func(c map[string]any) { delete(c, "accountSID") }, Field: "accountSID"},
			{Name: "unknown usage type", Edit: func(c map[string]any) {
				c["templates"] = []any{map[string]any{"usageType": "Login", "content": "x"}}
			}, Field: "templates[0].usageType"},
			{Name: "authToken not a string", Edit: func(c map[string]any) { c["authToken"] = 42 }, Field: "authToken"},
		},
		Deadline: 300 * time.Millisecond,
	}
}

// TestReferenceSender runs the suite through the exported RunSender, as a
// connector author does, and requires the reference sender to pass it
// (TestRecordedReferenceSender checks which checks ran).
func TestReferenceSender(t *testing.T) {
	t.Parallel()
	if !t.Run("RunSender", func(t *testing.T) { RunSender(t, refSenderSubject(sflawNone)) }) {
		t.Fatal("the reference sender fails the suite run through RunSender")
	}
}

func TestRecordedReferenceSender(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { runSender(r, refSenderSubject(sflawNone)) })
	if f := r.failedTests(); len(f) > 0 {
		t.Fatalf("the reference sender failed:\n%s", r.report())
	}
	assertRan(t, r,
		"Config/Valid", "Config/Invalid/missing_accountSID", "Config/Malformed", "Config/UnknownField", "Metadata", "Formatting",
		"Send/HappyPath", "Send/DigitsOnlyRecipient", "Send/Concurrent", "Templates/ExactUsage", "Templates/GenericFallback",
		"Templates/NotFound", "Templates/Placeholders", "InvalidRecipient/empty", "InvalidRecipient/injection",
		"ProviderFailure/InvalidRecipient", "ProviderFailure/Unauthorized", "ProviderFailure/RateLimited",
		"ProviderFailure/ServerError", "ProviderFailure/Oversized", "ProviderFailure/Hang", "ProviderErrors/21614",
		"ProviderErrors/20003", "ProviderErrors/21608", "Context/Canceled", "Context/InjectedClient",
	)
}

func TestSuiteCatchesBrokenSender(t *testing.T) {
	t.Parallel()
	// Each flaw lists the checks meant to catch it, with the words of the
	// check's own failure message.
	cases := []struct {
		name   string
		flaw   senderFlaw
		caught []string
	}{
		{"NoGenericFallback", sflawNoFallback, []string{
			"Templates/GenericFallback: without its own template failed"}},
		{"AlwaysGeneric", sflawAlwaysGeneric, []string{
			"Templates/ExactUsage: want the SignIn template's"}},
		{"NoRecipientCheck", sflawNoRecipientCheck, []string{
			"InvalidRecipient/letters: called the provider 1 times",
			"InvalidRecipient/too_short: called the provider 1 times",
			"InvalidRecipient/injection: called the provider 1 times"}},
		{"LeaksAuthToken", sflawLeaksToken, []string{
			"ProviderFailure/Unauthorized: redaction: Send error (Error()) holds a secret, the config field authToken",
			"ProviderErrors/21608: redaction: Send error (slog) holds a secret"}},
		{"AuthFailureAsGeneral", sflawAuthAsGeneral, []string{
			"ProviderFailure/Unauthorized: want invalid_config",
			"ProviderErrors/20003: want invalid_config"}},
		{"ExactPlaceholdersOnly", sflawExactPlaceholders, []string{
			"Templates/Placeholders: the template rendered as"}},
		{"DropsCallerContext", sflawBackgroundContext, []string{
			"ProviderFailure/Hang: still blocked",
			"Context/Canceled: with a canceled context succeeded",
			"Send/HappyPath: was sent without the caller's context"}},
		{"DetachesCallerDeadline", sflawDetachedDeadline, []string{
			"ProviderFailure/Hang: still blocked",
			"Context/Canceled: with a canceled context succeeded"}},
		{"UsesDefaultClient", sflawDefaultClient, []string{
			"Send/HappyPath: Send failed",
			"Context/InjectedClient: sent no request through the injected HTTP client"}},
		{"ReadsUnboundedBodies", sflawUnboundedRead, []string{
			"ProviderFailure/Oversized: the connector read 10485760 bytes"}},
		{"NoDigitsOnlyForm", sflawNoDigitsNormalization, []string{
			`Send/DigitsOnlyRecipient: Send to the digits-only form "14155550100" failed`}},
		{"NotFoundAsGeneral", sflawNotFoundAsGeneral, []string{
			"Templates/NotFound: want template_not_found"}},
		{"ServerErrorsNotRetryable", sflawNotRetryable, []string{
			"ProviderFailure/ServerError: not retryable",
			"ProviderErrors/20500: not retryable"}},
		{"FakeReceiptID", sflawFakeReceiptID, []string{
			"Send/HappyPath: want the provider's message ID",
			"Send/Concurrent: was returned twice"}},
		{"IgnoresRetryAfter", sflawIgnoresRetryAfter, []string{
			"ProviderFailure/RateLimited: RetryAfter 0s, want the provider's 7s",
			"ProviderErrors/20429: RetryAfter 0s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := refSenderSubject(tc.flaw)
			s.Deadline = 200 * time.Millisecond
			r := runRecorded(func(r *recorder) { runSender(r, s) })
			assertCaught(t, r, tc.caught...)
		})
	}
}

func TestSenderSubjectIncomplete(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { runSender(r, Sender{}) })
	if !strings.Contains(r.report(), "Open (or Factory), Provider, Config") {
		t.Fatalf("an empty subject was not refused clearly:\n%s", r.report())
	}
}

func TestSenderOpenReturnsWrongKind(t *testing.T) {
	t.Parallel()
	s := refSenderSubject(sflawNone)
	s.Factory = connector.Factory{}
	s.Open = func(json.RawMessage, ...connector.Option) (connector.Connector, error) { return refMetadataOnly{}, nil }
	r := runRecorded(func(r *recorder) { runSender(r, s) })
	assertCaught(t, r, "Send/HappyPath: not a connector.Sender")
	if !strings.Contains(r.report(), "not a connector.Sender") {
		t.Errorf("the report does not say the connector is not a sender:\n%s", r.report())
	}
}
