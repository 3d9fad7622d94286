package mockprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

func TestNewSocialDefaults(t *testing.T) {
	t.Parallel()
	p := NewSocial(SocialSpec{})
	if p.Name() != "oauth2" || p.URL(EndpointToken) != "https://oauth2.mock.test/token" ||
		p.URL(EndpointUserInfo) != "https://oauth2.mock.test/userinfo" {
		t.Errorf("name %q, endpoints %s %s", p.Name(), p.URL(EndpointToken), p.URL(EndpointUserInfo))
	}
	if p.ClientID() == "" || p.ClientSecret() == "" || len(p.Identities()) != len(DefaultOAuth2Identities) {
		t.Errorf("credentials %q %q, %d identities", p.ClientID(), p.ClientSecret(), len(p.Identities()))
	}
	if len(p.ErrorCases()) != 0 {
		t.Errorf("a spec without error cases lists %v", p.ErrorCases())
	}
	n := p.Clone().(*OAuth2)
	if n.ClientID() != p.ClientID() || n.ClientSecret() != p.ClientSecret() {
		t.Errorf("Clone changed the credentials")
	}
	cb, err := p.Deny(authURL(p, nil))
	if err != nil || cb.Get("error") != "access_denied" || cb.Has("error_description") {
		t.Errorf("Deny: %v %v", cb, err)
	}
	public := NewSocial(SocialSpec{ClientAuth: AuthNone})
	if public.ClientSecret() != "" {
		t.Errorf("a public client got a secret")
	}
	if _, err := public.Approve(authURL(public, nil), ""); err == nil {
		t.Errorf("a public client's authorization request without PKCE was accepted")
	}
}

func TestNewSocialShapes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []ErrorReply
	p := NewSocial(SocialSpec{
		Name:  "acme",
		Paths: map[Endpoint]string{EndpointUserInfo: "/api/me"},
		ErrorBody: func(e ErrorReply) (int, any) {
			mu.Lock()
			seen = append(seen, e)
			mu.Unlock()
			switch {
			case e.Endpoint == EndpointUserInfo:
				return 0, json.RawMessage(`{"message":"` + e.Description + `"}`)
			case e.Failure.Mode == ProviderError:
				return http.StatusConflict, map[string]any{"code": e.Code}
			}
			return e.Status, map[string]any{"error": e.Code, "reason": e.Reason}
		},
		Profile: func(id Identity) map[string]any { return map[string]any{"user": map[string]any{"uid": id.ID}} },
		IDPath:  "user.uid",
	})
	c := p.Client()
	if p.URL(EndpointUserInfo) != "https://acme.mock.test/api/me" || p.URL(EndpointAuthorize) != "https://acme.mock.test/authorize" {
		t.Errorf("endpoints %s %s", p.URL(EndpointUserInfo), p.URL(EndpointAuthorize))
	}
	for _, tc := range []struct {
		name   string
		setup  func()
		ep     Endpoint
		status int
		body   string
	}{
		{"refused", func() {}, EndpointToken, 401, `{"error":"invalid_client","reason":"client"}`},
		{"bad token", func() {}, EndpointUserInfo, 401, `{"message":"the access token is invalid or expired"}`},
		{"rate limited", func() { p.Fail(EndpointToken, RateLimited) }, EndpointToken, 429, `{"error":"rate_limit_exceeded","reason":""}`},
		{"provider error", func() { p.SetFailure(EndpointToken, Failure{Mode: ProviderError, Code: "E42"}) }, EndpointToken, 409, `{"code":"E42"}`},
	} {
		p.ClearFailures()
		tc.setup()
		a := call(t, c, http.MethodPost, p.URL(tc.ep), url.Values{}, nil)
		if a.status != tc.status || a.body != tc.body || a.header.Get("Content-Type") != jsonType {
			t.Errorf("%s: %d %s %q, want %d %s", tc.name, a.status, a.header.Get("Content-Type"), a.body, tc.status, tc.body)
		}
	}
	mu.Lock()
	last := seen[len(seen)-1]
	mu.Unlock()
	if last.Failure.Code != "E42" || last.Code != "E42" || last.Status != http.StatusBadRequest {
		t.Errorf("the ErrorReply of a provider error: %+v", last)
	}
	p.ClearFailures()
	p.Fail(EndpointUserInfo, MissingID)
	code := codeFor(t, p, authURL(p, nil), "")
	tok := call(t, c, http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil).json(t)
	a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)})
	if a.status != 200 || a.body != `{"user":{}}` {
		t.Errorf("MissingID at user.uid: %d %s", a.status, a.body)
	}
}
