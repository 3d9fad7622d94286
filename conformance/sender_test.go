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
		Factory:  &f,
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

func TestReferenceSender(t *testing.T) {
	t.Parallel()
	RunSender(t, refSenderSubject(sflawNone))
}

func TestRecordedReferenceSender(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { RunSender(r, refSenderSubject(sflawNone)) })
	if f := r.failedTests(); len(f) > 0 {
		t.Fatalf("the reference sender failed:\n%s", r.report())
	}
	for _, name := range []string{
		"Config/Valid", "Config/Invalid/missing_accountSID", "Config/Malformed", "Config/UnknownField", "Metadata", "Formatting",
		"Send/HappyPath", "Send/DigitsOnlyRecipient", "Send/Concurrent", "Templates/ExactUsage", "Templates/GenericFallback",
		"Templates/NotFound", "Templates/Placeholders", "InvalidRecipient/empty", "InvalidRecipient/injection",
		"ProviderFailure/InvalidRecipient", "ProviderFailure/Unauthorized", "ProviderFailure/RateLimited",
		"ProviderFailure/ServerError", "ProviderFailure/Oversized", "ProviderFailure/Hang", "ProviderErrors/21614",
		"ProviderErrors/20003", "ProviderErrors/21608", "Context/Canceled", "Context/InjectedClient",
	} {
		if !r.ran(name) {
			t.Errorf("the suite did not run %s", name)
		}
	}
}

func TestSuiteCatchesBrokenSender(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		flaw   senderFlaw
		caught []string
	}{
		{"NoGenericFallback", sflawNoFallback, []string{"Templates/GenericFallback"}},
		{"NoRecipientCheck", sflawNoRecipientCheck, []string{"InvalidRecipient/letters", "InvalidRecipient/too_short", "InvalidRecipient/injection"}},
		{"LeaksAuthToken", sflawLeaksToken, []string{"ProviderFailure/Unauthorized", "ProviderErrors/21608"}},
		{"AuthFailureAsGeneral", sflawAuthAsGeneral, []string{"ProviderFailure/Unauthorized", "ProviderErrors/20003"}},
		{"ExactPlaceholdersOnly", sflawExactPlaceholders, []string{"Templates/Placeholders"}},
		{"DropsCallerContext", sflawBackgroundContext, []string{"ProviderFailure/Hang", "Context/Canceled", "Send/HappyPath"}},
		{"UsesDefaultClient", sflawDefaultClient, []string{"Send/HappyPath", "Context/InjectedClient"}},
		{"ReadsUnboundedBodies", sflawUnboundedRead, []string{"ProviderFailure/Oversized"}},
		{"NoDigitsOnlyForm", sflawNoDigitsNormalization, []string{"Send/DigitsOnlyRecipient"}},
		{"NotFoundAsGeneral", sflawNotFoundAsGeneral, []string{"Templates/NotFound"}},
		{"ServerErrorsNotRetryable", sflawNotRetryable, []string{"ProviderFailure/ServerError", "ProviderErrors/20500"}},
		{"FakeReceiptID", sflawFakeReceiptID, []string{"Send/HappyPath", "Send/Concurrent"}},
		{"IgnoresRetryAfter", sflawIgnoresRetryAfter, []string{"ProviderFailure/RateLimited", "ProviderErrors/20429"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := refSenderSubject(tc.flaw)
			s.Deadline = 200 * time.Millisecond
			r := runRecorded(func(r *recorder) { RunSender(r, s) })
			assertCaught(t, r, tc.caught...)
		})
	}
}

func TestSenderSubjectIncomplete(t *testing.T) {
	t.Parallel()
	r := runRecorded(func(r *recorder) { RunSender(r, Sender{}) })
	if !strings.Contains(r.report(), "Open (or Factory), Provider, Config") {
		t.Fatalf("an empty subject was not refused clearly:\n%s", r.report())
	}
}

func TestSenderOpenReturnsWrongKind(t *testing.T) {
	t.Parallel()
	s := refSenderSubject(sflawNone)
	s.Factory = nil
	s.Open = func(json.RawMessage, ...connector.Option) (connector.Connector, error) { return refMetadataOnly{}, nil }
	r := runRecorded(func(r *recorder) { RunSender(r, s) })
	assertCaught(t, r, "Send/HappyPath")
	if !strings.Contains(r.report(), "not a connector.Sender") {
		t.Errorf("the report does not say the connector is not a sender:\n%s", r.report())
	}
}
