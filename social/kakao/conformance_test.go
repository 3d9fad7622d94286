package kakao_test

import (
	"encoding/json"
	"testing"

	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/social/kakao"
)

// subject describes the Kakao connector on a Kakao-shaped mock provider,
// with or without a client secret enabled for the app.
func subject(clientSecret string) conformance.Social {
	return conformance.Social{
		Factory:  kakao.Factory(),
		Provider: mockprovider.NewKakao(mockprovider.KakaoOptions{ClientSecret: clientSecret}),
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			cfg := map[string]string{"clientId": p.ClientID(), "scope": "profile_nickname,profile_image,account_email,phone_number"}
			if p.ClientSecret() != "" {
				cfg["clientSecret"] = p.ClientSecret()
			}
			raw, _ := json.Marshal(cfg)
			return raw
		},
		Endpoints: map[string]mockprovider.Endpoint{
			kakao.EndpointAuthorization: mockprovider.EndpointAuthorize,
			kakao.EndpointToken:         mockprovider.EndpointToken,
			kakao.EndpointUserInfo:      mockprovider.EndpointUserInfo,
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "empty clientId", Edit: func(c map[string]any) { c["clientId"] = "" }, Field: "clientId"},
			{Name: "clientId with spaces", Edit: func(c map[string]any) { c["clientId"] = "rest api key" }, Field: "clientId"},
			{Name: "clientId not a string", Edit: func(c map[string]any) { c["clientId"] = 12345 }, Field: "clientId"},
			{Name: "scope with a bad item", Edit: func(c map[string]any) { c["scope"] = "profile_nickname;account_email" }, Field: "scope"},
			{Name: "scope not a string", Edit: func(c map[string]any) { c["scope"] = []string{"account_email"} }, Field: "scope"},
		},
		Scope:        "profile_nickname,profile_image,account_email,phone_number",
		RequestScope: "talk_message",
	}
}

func TestConformance(t *testing.T) {
	t.Run("WithClientSecret", func(t *testing.T) {
		t.Parallel()
		conformance.RunSocial(t, subject("kakao-conformance-secret"))
	})
	t.Run("WithoutClientSecret", func(t *testing.T) {
		t.Parallel()
		conformance.RunSocial(t, subject(""))
	})
}
