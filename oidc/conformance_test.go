package oidc_test

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oidc"
)

// The suite passes with discovery and with Logto's explicit config, for
// each signing algorithm.
func TestConformance(t *testing.T) {
	for _, alg := range []string{"RS256", "PS256", "ES256"} {
		for form, config := range map[string]func(*mockprovider.OIDC) json.RawMessage{"discovery": discoveryConfig, "explicit": explicitConfig} {
			t.Run(alg+"/"+form, func(t *testing.T) {
				conformance.RunSocial(t, conformance.Social{
					Factory:  oidc.Factory(),
					Provider: mockprovider.NewOIDC(mockprovider.OIDCOptions{Algorithm: alg, IssParameter: true, RequirePKCE: true, Revocation: true}),
					Config:   func(p mockprovider.SocialProvider) json.RawMessage { return config(p.(*mockprovider.OIDC)) },
					MoreConfigs: func(sp mockprovider.SocialProvider) []json.RawMessage {
						p := sp.(*mockprovider.OIDC)
						var out []json.RawMessage
						for _, m := range []string{"client_secret_post", "client_secret_basic", "client_secret_jwt"} {
							raw, _ := json.Marshal(map[string]any{"issuer": p.Issuer(), "clientId": p.ClientID(),
								"clientSecret": p.ClientSecret(), "tokenEndpointAuthMethod": m})
							out = append(out, raw)
						}
						return out
					},
					InvalidConfigs: []conformance.InvalidConfig{
						{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
						{Name: "scope without openid", Edit: func(c map[string]any) { c["scope"] = "profile email" }, Field: "scope"},
						{Name: "missing clientSecret", Edit: func(c map[string]any) { delete(c, "clientSecret") }, Field: "clientSecret"},
					},
					PKCE:  true,
					Nonce: true,
				})
			})
		}
	}
}
