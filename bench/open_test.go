package bench

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/oidc"
	"github.com/connectorkit/connector/sms/twilio"
	"github.com/connectorkit/connector/social/apple"
	"github.com/connectorkit/connector/social/huggingface"
	"github.com/connectorkit/connector/social/kakao"
)

// openConfigs are a realistic JSON config for every built-in factory, as
// an administrator pastes it.
func openConfigs(tb testing.TB) map[string]json.RawMessage {
	tb.Helper()
	appleCfg, err := json.Marshal(map[string]any{"clientId": appleClientID, "scope": "name email", "teamId": appleTeamID,
		"keyId": appleKeyID, "privateKey": newAppleWorld(tb).privatePEM})
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]json.RawMessage{
		apple.FactoryID: appleCfg,
		huggingface.FactoryID: json.RawMessage(`{"clientId":"` + hfClientID + `","clientSecret":"` + hfSecret +
			`","scope":"` + hfScope + `"}`),
		kakao.FactoryID: json.RawMessage(`{"clientId":"` + kakaoClientID + `","clientSecret":"` + kakaoSecret +
			`","scope":"` + kakaoScope + `"}`),
		oauth2generic.FactoryID: json.RawMessage(`{"authorizationEndpoint":"` + ghAuthURL + `","tokenEndpoint":"` + ghTokenURL +
			`","userInfoEndpoint":"` + ghUserURL + `","clientId":"` + ghClientID + `","clientSecret":"` + ghSecret +
			`","scope":"` + ghScope + `","tokenEndpointAuthMethod":"client_secret_basic",` +
			`"profileMap":{"id":"id","avatar":"avatar_url","emailVerified":"email_verified"}}`),
		oidc.FactoryID: json.RawMessage(`{"issuer":"https://accounts.google.com",` +
			`"clientId":"1234567890-abc123def456.apps.googleusercontent.com","clientSecret":"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"}`),
		twilio.FactoryID: json.RawMessage(`{"accountSID":"` + twAccountSID + `","authToken":"` + twAuthToken +
			`","fromMessagingServiceSID":"` + twServiceSID + `","templates":[` +
			`{"usageType":"SignIn","content":"Your sign-in code is {{code}}"},` +
			`{"usageType":"Register","content":"Your registration code is {{code}}"},` +
			`{"usageType":"Generic","content":"Your code is {{code}}"}]}`),
	}
}

// BenchmarkOpen is group 5: Registry.Open of a JSON config, for each
// built-in factory (decoding, validation, option resolution and whatever
// the constructor builds once: engine, key set, templates, profile map).
// None makes a network call.
func BenchmarkOpen(b *testing.B) {
	reg, err := builtin.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	configs := openConfigs(b)
	for _, m := range reg.Factories() {
		raw, ok := configs[m.ID]
		if !ok {
			b.Fatalf("no config for the built-in factory %q: add one to openConfigs", m.ID)
		}
		b.Run("factory="+m.ID, func(b *testing.B) {
			if _, err := reg.Open(m.ID, raw); err != nil {
				b.Fatal(err)
			}
			cpu := startCPU()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := reg.Open(m.ID, raw); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}
