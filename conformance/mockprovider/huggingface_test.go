package mockprovider

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

func TestHuggingFaceSignIn(t *testing.T) {
	t.Parallel()
	p := NewHuggingFace(HuggingFaceOptions{RequirePKCE: true})
	c := p.Client()
	if _, err := p.Approve(authURL(p, nil), ""); err == nil {
		t.Fatalf("authorization without PKCE accepted")
	}
	u := authURL(p, url.Values{"scope": {"openid profile email"}, "code_challenge": {challenge(testVerifier)}, "code_challenge_method": {"S256"}})
	code := codeFor(t, p, u, "")
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example.com/cb"}, "code_verifier": {testVerifier}}
	// client_secret_post is refused: Hugging Face takes Basic.
	post := url.Values{"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}
	for k, v := range f {
		post[k] = v
	}
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), post, nil); a.status != 401 {
		t.Fatalf("client_secret_post: %d %s", a.status, a.body)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(p.ClientID())+":"+url.QueryEscape(p.ClientSecret())))
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), f, map[string]string{"Authorization": basic})
	if a.status != 200 {
		t.Fatalf("token %d %s %v", a.status, a.body, p.Problems())
	}
	at := a.json(t)["access_token"].(string)
	doc := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at}).json(t)
	if doc["sub"] != "64f1a2b3c4d5e6f708192a3b" || doc["isPro"] != true || doc["email_verified"] != true || doc["preferred_username"] != "ada" {
		t.Errorf("userinfo %v", doc)
	}
	if orgs, _ := doc["orgs"].([]any); len(orgs) != 1 {
		t.Errorf("orgs %v", doc["orgs"])
	}
	bad := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer nope"})
	if bad.status != 401 || bad.json(t)["error"] == nil {
		t.Errorf("bad token: %d %s", bad.status, bad.body)
	}
	p.Fail(EndpointUserInfo, Unauthorized)
	if a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at}); a.status != 401 {
		t.Errorf("Unauthorized: %d", a.status)
	}
	p.Fail(EndpointToken, InvalidGrant)
	if a := call(t, c, http.MethodPost, p.URL(EndpointToken), f, map[string]string{"Authorization": basic}); a.status != 400 {
		t.Errorf("InvalidGrant: %d", a.status)
	}
	third := huggingFaceProfile(p.Identities()[2])
	if _, ok := third["name"]; ok {
		t.Errorf("an identity without a display name has one: %v", third)
	}
	if n := p.Clone().(*HuggingFace); n.ClientSecret() != p.ClientSecret() || len(n.ErrorCases()) == 0 {
		t.Errorf("Clone or ErrorCases")
	}
}
