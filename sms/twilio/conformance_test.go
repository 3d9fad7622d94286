package twilio_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/sms/twilio"
)

func TestConformance(t *testing.T) {
	mock := func(p mockprovider.MessageProvider) *mockprovider.Twilio { return p.(*mockprovider.Twilio) }
	cfg := func(m map[string]any) json.RawMessage {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	templates := []any{map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"}}
	conformance.RunSender(t, conformance.Sender{
		Factory:  twilio.Factory(),
		Provider: mockprovider.NewTwilio(mockprovider.TwilioOptions{}),
		Config: func(p mockprovider.MessageProvider) json.RawMessage {
			tw := mock(p)
			return cfg(map[string]any{
				"accountSID": tw.AccountSID(), "authToken": tw.AuthToken(),
				"fromMessagingServiceSID": tw.MessagingServiceSID(), "templates": templates,
			})
		},
		MoreConfigs: func(p mockprovider.MessageProvider) []json.RawMessage {
			tw := mock(p)
			sid, secret := tw.APIKey()
			return []json.RawMessage{
				// API key credentials.
				cfg(map[string]any{"accountSID": tw.AccountSID(), "apiKeySID": sid, "apiKeySecret": secret,
					"fromMessagingServiceSID": tw.MessagingServiceSID(), "templates": templates}),
				// A sender number instead of the Messaging Service.
				cfg(map[string]any{"accountSID": tw.AccountSID(), "authToken": tw.AuthToken(),
					"fromNumber": tw.FromNumber(), "templates": templates, "disableRiskCheck": true}),
				// An alphanumeric sender ID with API key credentials.
				cfg(map[string]any{"accountSID": tw.AccountSID(), "apiKeySID": sid, "apiKeySecret": secret,
					"fromNumber": "Acme", "templates": templates}),
			}
		},
		Options: func(p mockprovider.MessageProvider) []connector.Option {
			return []connector.Option{connector.WithEndpoint(twilio.EndpointAPI, p.BaseURL())}
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing accountSID", Edit: func(c map[string]any) { delete(c, "accountSID") }, Field: "accountSID"},
			{Name: "malformed accountSID", Edit: func(c map[string]any) { c["accountSID"] = "AC123" }, Field: "accountSID"},
			{Name: "no credentials", Edit: func(c map[string]any) { delete(c, "authToken") }, Field: "authToken"},
			{Name: "api key sid without secret", Edit: func(c map[string]any) {
				delete(c, "authToken")
				c["apiKeySID"] = "SK0123456789abcdef0123456789abcdef"
			}, Field: "apiKeySecret"},
			{Name: "no sender", Edit: func(c map[string]any) { delete(c, "fromMessagingServiceSID") }, Field: "fromMessagingServiceSID"},
			{Name: "two senders", Edit: func(c map[string]any) { c["fromNumber"] = "+15005550006" }, Field: "fromNumber"},
			{Name: "invalid fromNumber", Edit: func(c map[string]any) {
				delete(c, "fromMessagingServiceSID")
				c["fromNumber"] = "not a sender!"
			}, Field: "fromNumber"},
			{Name: "no templates", Edit: func(c map[string]any) { c["templates"] = []any{} }, Field: "templates"},
			{Name: "unknown usage type", Edit: func(c map[string]any) {
				c["templates"] = []any{map[string]any{"usageType": "Test", "content": "{{code}}"}}
			}, Field: "templates[0].usageType"},
			{Name: "repeated usage type", Edit: func(c map[string]any) {
				c["templates"] = []any{
					map[string]any{"usageType": "Generic", "content": "a {{code}}"},
					map[string]any{"usageType": "Generic", "content": "b {{code}}"},
				}
			}, Field: "templates[1].usageType"},
			{Name: "empty template content", Edit: func(c map[string]any) {
				c["templates"] = []any{map[string]any{"usageType": "Generic", "content": ""}}
			}, Field: "templates[0].content"},
			{Name: "host that is not twilio's", Edit: func(c map[string]any) { c["host"] = "api.example.com" }, Field: "host"},
			{Name: "maxSegments out of range", Edit: func(c map[string]any) { c["maxSegments"] = 0 }, Field: "maxSegments"},
			{Name: "template over maxSegments", Edit: func(c map[string]any) {
				c["maxSegments"] = 1
				c["templates"] = []any{map[string]any{"usageType": "Generic", "content": strings.Repeat("x", 160) + "{{code}}"}}
			}, Field: "templates[0].content"},
		},
	})
}
