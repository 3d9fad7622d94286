package mockprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// bearerFor approves identity at p and returns the access token and the
// client to call p with.
func bearerFor(t *testing.T, p SocialProvider, identity string, form func(code string) url.Values) (string, *http.Client) {
	t.Helper()
	c := p.Client()
	code := codeFor(t, p, authURL(p, nil), identity)
	a := call(t, c, http.MethodPost, p.URL(EndpointToken), form(code), nil)
	at, _ := a.json(t)["access_token"].(string)
	if at == "" {
		t.Fatalf("token %d %s %v", a.status, a.body, p.Problems())
	}
	return at, c
}

func kakaoForm(p SocialProvider) func(string) url.Values {
	return func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {p.ClientID()},
			"redirect_uri": {"https://app.example.com/cb"}, "code": {code}}
	}
}

func TestCaseTwins(t *testing.T) {
	t.Parallel()
	t.Run("Flat", func(t *testing.T) {
		t.Parallel()
		p := NewOAuth2(OAuth2Options{})
		at, c := bearerFor(t, p, "u-1002", func(code string) url.Values { return tokenForm(p, code) })
		p.Fail(EndpointUserInfo, CaseTwins)
		a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
		for _, want := range []string{
			`"email_verified":false,"EMAIL_VERIFIED":true`,
			`"id":"u-1002","ID":"twin-u-1002"`,
			`"email":"charles@example.com","EMAIL":"twin-charles@example.com"`,
		} {
			if !strings.Contains(a.body, want) {
				t.Errorf("the profile has no %s: %s", want, a.body)
			}
		}
		// The original values are what a case-sensitive reader sees.
		if doc := a.json(t); doc["id"] != "u-1002" || doc["email_verified"] != false {
			t.Errorf("exact names read %v", doc)
		}
	})
	t.Run("KakaoNested", func(t *testing.T) {
		t.Parallel()
		p := NewKakao(KakaoOptions{})
		at, c := bearerFor(t, p, "2718281828", kakaoForm(p))
		p.Fail(EndpointUserInfo, CaseTwins)
		a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
		for _, want := range []string{
			`"id":2718281828,"ID":1`,
			`"is_email_verified":false,"IS_EMAIL_VERIFIED":true`,
			`"KAKAO_ACCOUNT":{`,
		} {
			if !strings.Contains(a.body, want) {
				t.Errorf("the profile has no %s: %s", want, a.body)
			}
		}
		var doc struct {
			KakaoAccount map[string]any `json:"kakao_account"`
		}
		if err := json.Unmarshal([]byte(a.body), &doc); err != nil {
			t.Fatal(err)
		}
		if _, ok := doc.KakaoAccount["IS_EMAIL_VERIFIED"]; !ok {
			t.Errorf("the twin of is_email_verified is not in kakao_account: %s", a.body)
		}
	})
}

func TestDuplicateNames(t *testing.T) {
	t.Parallel()
	t.Run("NestedUserInfo", func(t *testing.T) {
		t.Parallel()
		p := NewOAuth2(OAuth2Options{
			Profile: func(id Identity) map[string]any {
				return map[string]any{"data": map[string]any{"user": map[string]any{"id": json.Number("42"), "name": id.Name}}}
			},
			IDPath: "data.user.id",
		})
		at, c := bearerFor(t, p, "", func(code string) url.Values { return tokenForm(p, code) })
		p.Fail(EndpointUserInfo, DuplicateNames)
		a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
		if want := `{"data":{"user":{"id":42,"id":1,"name":"Ada Lovelace"}}}`; a.body != want {
			t.Errorf("profile %s, want %s", a.body, want)
		}
	})
	t.Run("KakaoUserInfo", func(t *testing.T) {
		t.Parallel()
		p := NewKakao(KakaoOptions{})
		at, c := bearerFor(t, p, "", kakaoForm(p))
		p.Fail(EndpointUserInfo, DuplicateNames)
		a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, map[string]string{"Authorization": "Bearer " + at})
		if !strings.Contains(a.body, `"id":3141592653,"id":1,`) {
			t.Errorf("the ID is not repeated in the top-level object: %s", a.body)
		}
	})
	t.Run("JSONToken", func(t *testing.T) {
		t.Parallel()
		p := NewOAuth2(OAuth2Options{})
		p.Fail(EndpointToken, DuplicateNames)
		code := codeFor(t, p, authURL(p, nil), "")
		a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil)
		if n := strings.Count(a.body, `"access_token":"at-`); n != 2 {
			t.Fatalf("access_token %d times: %s", n, a.body)
		}
		if is := p.Issued(); len(is.AccessTokens) != 2 {
			t.Errorf("issued %d access tokens, want both", len(is.AccessTokens))
		}
	})
	t.Run("FormToken", func(t *testing.T) {
		t.Parallel()
		p := NewOAuth2(OAuth2Options{FormTokenResponse: true})
		p.Fail(EndpointToken, DuplicateNames)
		code := codeFor(t, p, authURL(p, nil), "")
		a := call(t, p.Client(), http.MethodPost, p.URL(EndpointToken), tokenForm(p, code), nil)
		v, err := url.ParseQuery(a.body)
		if err != nil || len(v["access_token"]) != 2 || v["access_token"][0] == v["access_token"][1] {
			t.Errorf("form token response %q", a.body)
		}
	})
}

func TestCustomID(t *testing.T) {
	t.Parallel()
	p := NewKakao(KakaoOptions{})
	at, c := bearerFor(t, p, "", kakaoForm(p))
	bearer := map[string]string{"Authorization": "Bearer " + at}
	for _, tc := range []struct {
		id   any
		want string
	}{
		{json.Number("-0"), `"id":-0,`},
		{" ", `"id":" ",`},
		{"\u200b", "\"id\":\"\u200b\","},
	} {
		p.SetFailure(EndpointUserInfo, Failure{Mode: CustomID, UserID: tc.id})
		if a := call(t, c, http.MethodGet, p.URL(EndpointUserInfo), nil, bearer); !strings.Contains(a.body, tc.want) {
			t.Errorf("CustomID %q: %s", tc.id, a.body)
		}
	}
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	p := NewHuggingFace(HuggingFaceOptions{})
	if !p.Supports(EndpointToken, Redirect) || !p.Supports(EndpointUserInfo, Redirect) || p.Supports(EndpointAuthorize, Redirect) {
		t.Errorf("Supports(Redirect) is wrong")
	}
	if NewTwilio(TwilioOptions{}).Supports(EndpointMessages, Redirect) {
		t.Errorf("a mock without a redirect target claims to support Redirect")
	}
	if got := p.URL(EndpointRedirectTarget); got != "https://huggingface.mock.test/mock/redirect-target" {
		t.Errorf("redirect target %q", got)
	}
	for _, ep := range p.Endpoints() {
		if ep == EndpointRedirectTarget {
			t.Errorf("Endpoints lists the redirect target")
		}
	}
	p.Fail(EndpointUserInfo, Redirect)
	noFollow := p.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	a := call(t, noFollow, http.MethodGet, p.URL(EndpointUserInfo), nil, nil)
	if a.status != http.StatusFound || a.header.Get("Location") != p.URL(EndpointRedirectTarget) || !strings.Contains(a.body, RedirectBodyMarker) {
		t.Errorf("redirect %d %v %s", a.status, a.header, a.body)
	}
	if n := p.Requests(EndpointRedirectTarget); n != 0 {
		t.Errorf("the target counted %d requests before anyone followed", n)
	}
	// A client that follows lands on the target, which counts it.
	a = call(t, p.Client(), http.MethodGet, p.URL(EndpointUserInfo), nil, nil)
	if a.status != 200 || strings.Contains(a.body, RedirectBodyMarker) || p.Requests(EndpointRedirectTarget) != 1 {
		t.Errorf("followed: %d %s, %d target requests", a.status, a.body, p.Requests(EndpointRedirectTarget))
	}
	p.SetFailure(EndpointToken, Failure{Mode: Redirect, Status: http.StatusTemporaryRedirect,
		Header: http.Header{"Location": {"https://elsewhere.example/token"}}})
	a = call(t, noFollow, http.MethodPost, p.URL(EndpointToken), url.Values{"a": {"b"}}, nil)
	if a.status != http.StatusTemporaryRedirect || a.header.Get("Location") != "https://elsewhere.example/token" {
		t.Errorf("custom redirect %d %v", a.status, a.header)
	}
}
