package conformance_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/sms/twilio"
)

// A third party proves its social connector with one test function (the
// body of TestConformance below). The connector here is the generic OAuth
// 2.0 one; yours is opened the same way, through its factory.
func ExampleRunSocial() {
	TestConformance := func(t *testing.T) {
		conformance.RunSocial(t, conformance.Social{
			Factory:  oauth2generic.Factory(),
			Provider: mockprovider.NewOAuth2(mockprovider.OAuth2Options{}),
			Config: func(p mockprovider.SocialProvider) json.RawMessage {
				cfg, _ := json.Marshal(map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret(),
					"authorizationEndpoint": p.URL(mockprovider.EndpointAuthorize),
					"tokenEndpoint":         p.URL(mockprovider.EndpointToken),
					"userInfoEndpoint":      p.URL(mockprovider.EndpointUserInfo)})
				return cfg
			},
			PKCE: true,
		})
	}
	_ = TestConformance
}

// A message connector is proven the same way against a messaging mock. The
// suite replaces the templates of the valid config in its template checks.
func ExampleRunSender() {
	TestConformance := func(t *testing.T) {
		conformance.RunSender(t, conformance.Sender{
			Factory:  twilio.Factory(),
			Provider: mockprovider.NewTwilio(mockprovider.TwilioOptions{}),
			Config: func(p mockprovider.MessageProvider) json.RawMessage {
				tw := p.(*mockprovider.Twilio)
				cfg, _ := json.Marshal(map[string]any{"accountSID": tw.AccountSID(), "authToken": tw.AuthToken(),
					"fromMessagingServiceSID": tw.MessagingServiceSID(),
					"templates":               []any{map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"}}})
				return cfg
			},
			Options: func(p mockprovider.MessageProvider) []connector.Option {
				return []connector.Option{connector.WithEndpoint(twilio.EndpointAPI, p.BaseURL())}
			},
		})
	}
	_ = TestConformance
}

// LogtoTemplates is the default way the sender suite sets the templates of
// a config: Logto's "templates" list.
func ExampleLogtoTemplates() {
	cfg, _ := conformance.LogtoTemplates(json.RawMessage(`{"accountSID":"AC1"}`), []conformance.Template{
		{UsageType: connector.UsageSignIn, Content: "Sign in with {{code}}"},
	})
	fmt.Println(string(cfg))
	// Output: {"accountSID":"AC1","templates":[{"content":"Sign in with {{code}}","usageType":"SignIn"}]}
}
