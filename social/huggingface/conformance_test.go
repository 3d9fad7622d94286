package huggingface_test

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/social/huggingface"
)

func TestConformance(t *testing.T) {
	conformance.RunSocial(t, conformance.Social{
		Factory: huggingface.Factory(),
		// The mock checks the Basic credentials and, with RequirePKCE,
		// refuses an authorization request without a challenge.
		Provider: mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{RequirePKCE: true}),
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			raw, _ := json.Marshal(map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret(), "scope": "openid profile email"})
			return raw
		},
		MoreConfigs: func(p mockprovider.SocialProvider) []json.RawMessage {
			// Logto's shape without scope: the default, profile.
			raw, _ := json.Marshal(map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret()})
			return []json.RawMessage{raw}
		},
		Endpoints: map[string]mockprovider.Endpoint{
			huggingface.EndpointAuthorization: mockprovider.EndpointAuthorize,
			huggingface.EndpointToken:         mockprovider.EndpointToken,
			huggingface.EndpointUserInfo:      mockprovider.EndpointUserInfo,
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "missing clientSecret", Edit: func(c map[string]any) { delete(c, "clientSecret") }, Field: "clientSecret"},
			{Name: "empty clientSecret", Edit: func(c map[string]any) { c["clientSecret"] = "" }, Field: "clientSecret"},
			{Name: "clientSecret not a string", Edit: func(c map[string]any) { c["clientSecret"] = true }, Field: "clientSecret"},
			{Name: "scope with a quote", Edit: func(c map[string]any) { c["scope"] = `profile "email"` }, Field: "scope"},
		},
		PKCE:  true,
		Scope: "openid profile email",
	})
}
