package mockprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestKakaoSignIn(t *testing.T) {
	t.Parallel()
	p := NewKakao(KakaoOptions{})
	c := p.Client()
	if p.URL(EndpointToken) != "https://kakao.mock.test/oauth/token" || p.URL(EndpointUserInfo) != "https://kakao.mock.test/v2/user/me" {
		t.Fatalf("endpoints %s %s", p.URL(EndpointToken), p.URL(EndpointUserInfo))
	}
	code := codeFor(t, p, authURL(p, url.Values{"scope": {"profile_nickname,account_email"}}), "9223372036854775807")
	f := url.Values{"grant_type": {"authorization_code"}, "client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"}, "code": {code}}
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), f, nil)
	tok := a.json(t)
	if a.status != 200 || tok["token_type"] != "bearer" || tok["refresh_token_expires_in"] == nil {
		t.Fatalf("token %d %s %v", a.status, a.body, p.Problems())
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		u := call(t, c, m, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)})
		if !strings.Contains(u.body, `"id":9223372036854775807`) {
			t.Errorf("%s /v2/user/me lost the 64-bit ID: %s", m, u.body)
		}
		var doc struct {
			KakaoAccount struct {
				Profile struct {
					IsDefaultImage bool `json:"is_default_image"`
				} `json:"profile"`
				PhoneNumber  string `json:"phone_number"`
				IsEmailValid bool   `json:"is_email_valid"`
			} `json:"kakao_account"`
		}
		if err := json.Unmarshal([]byte(u.body), &doc); err != nil || !doc.KakaoAccount.Profile.IsDefaultImage ||
			doc.KakaoAccount.PhoneNumber != "+82 10-1234-5678" || !doc.KakaoAccount.IsEmailValid {
			t.Errorf("profile %s", u.body)
		}
	}
	u := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer nope"})
	if u.status != 401 || u.json(t)["code"] != float64(-401) {
		t.Errorf("bad token: %d %s", u.status, u.body)
	}
	// Every identity renders; no email consent is flagged.
	for _, id := range p.Identities() {
		doc := kakaoProfile(id)
		acct := doc["kakao_account"].(map[string]any)
		if id.Email == "" && acct["email_needs_agreement"] != true {
			t.Errorf("%s: email_needs_agreement not set", id.Label)
		}
		if id.EmailInvalid && acct["is_email_valid"] != false {
			t.Errorf("%s: is_email_valid not false", id.Label)
		}
	}
	if thumbnail("") != "" {
		t.Errorf("thumbnail of nothing")
	}
}

func TestKakaoClientSecretRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		secret string
		alter  func(f url.Values, h map[string]string)
		status int
		koe    string
	}{
		{"undefined secret sent", "", func(f url.Values, _ map[string]string) { f.Set("client_secret", "undefined") }, 401, "KOE010"},
		{"secret missing", "s3cret-value", func(url.Values, map[string]string) {}, 401, "KOE010"},
		{"secret wrong", "s3cret-value", func(f url.Values, _ map[string]string) { f.Set("client_secret", "nope") }, 401, "KOE010"},
		{"secret right", "s3cret-value", func(f url.Values, _ map[string]string) { f.Set("client_secret", "s3cret-value") }, 200, ""},
		{"basic auth", "", func(_ url.Values, h map[string]string) { h["Authorization"] = "Basic eDp5" }, 401, "KOE010"},
		{"no client_id", "", func(f url.Values, _ map[string]string) { f.Del("client_id") }, 401, "KOE010"},
		{"other client_id", "", func(f url.Values, _ map[string]string) { f.Set("client_id", "x") }, 401, "KOE010"},
		{"unknown code", "", func(f url.Values, _ map[string]string) { f.Set("code", "x") }, 400, "KOE320"},
		{"redirect mismatch", "", func(f url.Values, _ map[string]string) { f.Set("redirect_uri", "https://x.example/") }, 400, "KOE303"},
		{"no grant type", "", func(f url.Values, _ map[string]string) { f.Del("grant_type") }, 400, "KOE001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := NewKakao(KakaoOptions{ClientSecret: tc.secret})
			code := codeFor(t, p, authURL(p, nil), "")
			f := url.Values{"grant_type": {"authorization_code"}, "client_id": {p.ClientID()}, "redirect_uri": {"https://app.example.com/cb"}, "code": {code}}
			h := map[string]string{}
			tc.alter(f, h)
			a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), f, h)
			if a.status != tc.status {
				t.Fatalf("status %d %s, want %d", a.status, a.body, tc.status)
			}
			if tc.koe != "" && a.json(t)["error_code"] != tc.koe {
				t.Errorf("error_code %v, want %s", a.json(t)["error_code"], tc.koe)
			}
		})
	}
}

func TestKakaoShapes(t *testing.T) {
	t.Parallel()
	p := NewKakao(KakaoOptions{})
	for _, tc := range []struct {
		e      Endpoint
		f      Failure
		status int
		field  string
		want   any
	}{
		{EndpointToken, Failure{Mode: InvalidGrant}, 400, "error_code", "KOE320"},
		{EndpointToken, Failure{Mode: Unauthorized}, 401, "error_code", "KOE010"},
		{EndpointUserInfo, Failure{Mode: Unauthorized}, 401, "code", float64(-401)},
		{EndpointUserInfo, Failure{Mode: RateLimited}, 429, "code", float64(-10)},
		{EndpointUserInfo, Failure{Mode: ServerError}, 500, "code", float64(-1)},
		{EndpointUserInfo, Failure{Mode: Unavailable}, 503, "code", float64(-9798)},
		{EndpointToken, Failure{Mode: ProviderError, Code: "KOE303"}, 400, "error", "invalid_grant"},
		{EndpointToken, Failure{Mode: ProviderError, Code: "KOE010"}, 401, "error", "invalid_client"},
		{EndpointToken, Failure{Mode: ProviderError, Code: "KOE006"}, 400, "error", "invalid_request"},
		{EndpointUserInfo, Failure{Mode: ProviderError, Code: "-401"}, 401, "code", float64(-401)},
		{EndpointUserInfo, Failure{Mode: ProviderError, Code: "-402"}, 400, "code", float64(-402)},
		{EndpointUserInfo, Failure{Mode: ProviderError, Code: "weird"}, 400, "code", "weird"},
		{EndpointUserInfo, Failure{Mode: ProviderError}, 400, "error_code", "KOE001"},
	} {
		st, _, body := p.failureAnswer(tc.e, tc.f)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil || st != tc.status || m[tc.field] != tc.want {
			t.Errorf("%s %s %s: %d %s", tc.e, tc.f.Mode, tc.f.Code, st, body)
		}
	}
	if st, _, _ := p.failureAnswer(EndpointToken, Failure{Mode: HTMLPage}); st != 0 {
		t.Errorf("the Kakao mock rendered HTMLPage itself")
	}
	if len(p.ErrorCases()) == 0 || p.Clone().(*Kakao).ClientID() != p.ClientID() {
		t.Errorf("ErrorCases or Clone")
	}
}
