package conformance

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// twilioSpec describes Twilio's Messages resource as a MessageSpec, so that
// the reference sender (written for Twilio) runs against a NewMessage mock.
func twilioSpec() mockprovider.MessageSpec {
	const account = "AC0123456789abcdef0123456789abcdef"
	return mockprovider.MessageSpec{
		Name: "twilio-like", Path: "/2010-04-01/Accounts/" + account + "/Messages.json",
		Auth: mockprovider.BasicKey, Username: account, Form: true,
		ToField: "To", TextField: "Body", FromField: "MessagingServiceSid",
		Status: 201, IDField: "sid", IDPrefix: "SM",
		ErrorCodes: map[mockprovider.Mode]string{
			mockprovider.Unauthorized: "20003", mockprovider.RateLimited: "20429", mockprovider.ServerError: "20500",
			mockprovider.Unavailable: "20503", mockprovider.InvalidRecipient: "21211",
		},
		ErrorBody: func(e mockprovider.MessageErrorReply) (int, any) {
			code, _ := strconv.Atoi(e.Code)
			return 0, map[string]any{"code": code, "message": e.Message, "status": e.Status}
		},
		ErrorCases: []mockprovider.ErrorCase{{Name: "21614",
			Failure: mockprovider.Failure{Mode: mockprovider.ProviderError, Code: "21614"},
			Code:    connector.CodeInvalidRequestParameters, Status: 400, ProviderCode: "21614"}},
	}
}

// TestSenderOnMessageMock runs the sender suite on the reference sender
// against a MessageSpec mock: every check passes but the one the mock adds
// over Twilio's, Redirect, which the reference sender fails by following
// the redirect (it sends with the injected client as it is).
func TestSenderOnMessageMock(t *testing.T) {
	t.Parallel()
	api := mockprovider.NewMessage(twilioSpec())
	s := Sender{
		Factory:  refSenderFactory(sflawNone),
		Provider: api,
		Config: func(mockprovider.MessageProvider) json.RawMessage {
			return mustJSON(map[string]any{
				"accountSID": api.Username(), "authToken": api.APIKey(), "fromMessagingServiceSID": "MG1",
				"templates": []any{map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"}},
			})
		},
		Options: func(p mockprovider.MessageProvider) []connector.Option {
			return []connector.Option{connector.WithEndpoint("api", p.BaseURL())}
		},
		Deadline: 300 * time.Millisecond,
	}
	r := runRecorded(func(r *recorder) { runSender(r, s) })
	if f := r.failedTests(); !slices.Equal(f, []string{"ProviderFailure/Redirect"}) {
		t.Fatalf("failed %q, want only ProviderFailure/Redirect:\n%s", f, r.report())
	}
	assertCaught(t, r, "ProviderFailure/Redirect: the connector followed the redirect (1 requests reached its target)")
	assertRan(t, r, "Send/HappyPath", "Send/DigitsOnlyRecipient", "Send/Concurrent", "Templates/Placeholders",
		"InvalidRecipient/injection", "ProviderFailure/InvalidRecipient", "ProviderFailure/Unauthorized",
		"ProviderFailure/RateLimited", "ProviderFailure/ServerError", "ProviderFailure/Unavailable",
		"ProviderFailure/HTMLPage", "ProviderFailure/TruncatedJSON", "ProviderFailure/EmptyBody",
		"ProviderFailure/Oversized", "ProviderFailure/Hang", "ProviderErrors/21614", "Context/InjectedClient")
}

// TestKeysNoteOnlyWhenServed: the note that a sign-in does not call the
// keys endpoint is for mocks that serve one, not for every connector.
func TestKeysNoteOnlyWhenServed(t *testing.T) {
	t.Parallel()
	const note = "does not call the jwks endpoint"
	for _, tc := range []struct {
		name     string
		provider mockprovider.SocialProvider
		want     bool
	}{
		{"NoKeysEndpoint", mockprovider.NewOAuth2(mockprovider.OAuth2Options{}), false},
		{"UnusedKeysEndpoint", mockprovider.NewSocial(mockprovider.SocialSpec{
			Paths: map[mockprovider.Endpoint]string{mockprovider.EndpointJWKS: "/keys"}}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runRecorded(func(r *recorder) {
				// Only the endpoint checks: the note is theirs.
				run, err := newSocialRun(refSubject(flawNone, refVariant{name: tc.name, provider: tc.provider}))
				if err != nil {
					r.Fatalf("%v", err)
				}
				run.probe(r)
				run.endpointChecks(r)
			})
			r.root.mu.Lock()
			logs := strings.Join(r.root.logs, "\n")
			r.root.mu.Unlock()
			if got := strings.Contains(logs, note); got != tc.want {
				t.Errorf("the suite's notes hold %q: %t, want %t; notes:\n%s", note, got, tc.want, logs)
			}
			if f := r.failedTests(); len(f) > 0 {
				t.Errorf("the reference connector failed:\n%s", r.report())
			}
		})
	}
}
