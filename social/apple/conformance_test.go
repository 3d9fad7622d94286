package apple_test

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/social/apple"
)

// subject describes the Apple connector on the Apple mock, with the client
// secret's key (the code is exchanged) or without (the id_token Apple posts
// is all there is).
func subject(withKey bool) conformance.Social {
	opts := mockprovider.AppleOptions{ClientID: "com.example.web"}
	if withKey {
		opts.TeamID, opts.KeyID, opts.ClientKey = testTeamID, testKeyID, &testKey().PublicKey
	}
	return conformance.Social{
		Factory:  apple.Factory(),
		Provider: mockprovider.NewApple(opts),
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			cfg := map[string]any{"clientId": p.ClientID(), "scope": "name email"}
			if withKey {
				cfg["teamId"], cfg["keyId"], cfg["privateKey"] = testTeamID, testKeyID, testKeyPEM()
			}
			raw, _ := json.Marshal(cfg)
			return raw
		},
		MoreConfigs: func(p mockprovider.SocialProvider) []json.RawMessage {
			// The iOS app's bundle ID beside the Services ID changes
			// nothing for the web flow.
			cfg := map[string]any{"clientId": p.ClientID(), "scope": "email", "audiences": []string{"com.example.ios"}}
			if withKey {
				cfg["teamId"], cfg["keyId"], cfg["privateKey"] = testTeamID, testKeyID, testKeyPEM()
			}
			raw, _ := json.Marshal(cfg)
			return []json.RawMessage{raw}
		},
		Endpoints: map[string]mockprovider.Endpoint{
			apple.EndpointAuthorization: mockprovider.EndpointAuthorize,
			apple.EndpointToken:         mockprovider.EndpointToken,
			apple.EndpointKeys:          mockprovider.EndpointJWKS,
			apple.EndpointRevocation:    mockprovider.EndpointRevoke,
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "clientId with spaces", Edit: func(c map[string]any) { c["clientId"] = "com.example web" }, Field: "clientId"},
			{Name: "unknown scope", Edit: func(c map[string]any) { c["scope"] = "name profile" }, Field: "scope"},
			{Name: "teamId without keyId", Edit: func(c map[string]any) { c["teamId"] = "TEAM123456"; delete(c, "keyId") }, Field: "keyId"},
			{Name: "privateKey not PEM", Edit: func(c map[string]any) {
				c["teamId"], c["keyId"], c["privateKey"] = testTeamID, testKeyID, "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg-not-a-pem"
			}, Field: "privateKey"},
			{Name: "privateKey RSA", Edit: func(c map[string]any) {
				c["teamId"], c["keyId"], c["privateKey"] = testTeamID, testKeyID, rsaKeyPEM()
			}, Field: "privateKey"},
			{Name: "empty audience", Edit: func(c map[string]any) { c["audiences"] = []string{""} }, Field: "audiences[0]"},
		},
		Nonce:        true,
		Scope:        "name email",
		RequestScope: "openid",
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("WithClientSecret", func(t *testing.T) {
		t.Parallel()
		conformance.RunSocial(t, subject(true))
	})
	t.Run("IDTokenOnly", func(t *testing.T) {
		t.Parallel()
		conformance.RunSocial(t, subject(false))
	})
}
