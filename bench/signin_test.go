package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/markbates/goth"
	gothgithub "github.com/markbates/goth/providers/github"
	gothkakao "github.com/markbates/goth/providers/kakao"
	"github.com/nyaruka/phonenumbers"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/profilemap"
	"github.com/connectorkit/connector/social/huggingface"
	"github.com/connectorkit/connector/social/kakao"
)

// profile is what the comparison checks: the fields every implementation
// returns for the same provider answers.
type profile struct{ ID, Email, Name, Phone string }

// signIn is one implementation of one provider's sign-in.
type signIn interface {
	// full builds the authorization URL (with whatever per-flow values the
	// implementation makes), then runs the callback the provider would
	// send back: state check, code exchange, userinfo request, mapping.
	full(ctx context.Context) (profile, error)
	// callback runs the callback alone, for a flow started once.
	callback(ctx context.Context) (profile, error)
}

const (
	redirectURI = "https://id.example.com/callback"
	authCode    = "SplxlOBeZQQYbYS6WxSbIA-7v3x9q2Ktz1"
)

// callbackParams is the query the browser brings back; every
// implementation builds it per sign-in, as a host's handler gets it.
func callbackParams(state string) url.Values {
	return url.Values{"code": {authCode}, "state": {state}}
}

// ---- connectorkit ----

type ckSignIn struct {
	c       connector.Social
	started connector.FlowState
}

func newCK(c connector.Social) (*ckSignIn, error) {
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: redirectURI})
	if err != nil {
		return nil, err
	}
	return &ckSignIn{c: c, started: auth.Flow}, nil
}

func (s *ckSignIn) full(ctx context.Context) (profile, error) {
	auth, err := s.c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: redirectURI})
	if err != nil {
		return profile{}, err
	}
	return s.finish(ctx, auth.Flow)
}

func (s *ckSignIn) callback(ctx context.Context) (profile, error) { return s.finish(ctx, s.started) }

func (s *ckSignIn) finish(ctx context.Context, flow connector.FlowState) (profile, error) {
	info, err := s.c.UserInfo(ctx, connector.Callback{Params: callbackParams(flow.State), Flow: flow})
	if err != nil {
		return profile{}, err
	}
	return profile{ID: info.ID, Email: info.Email, Name: info.Name, Phone: info.Phone}, nil
}

// ---- goth ----

// gothSignIn drives a goth provider the way gothic does, without the
// cookie store: BeginAuth with a random state, and on the callback the
// state check against the session's authorization URL, Authorize, then
// FetchUser. Storing the session (gothic) and the flow state
// (connectorkit) is the host's cost in both cases and is left out.
type gothSignIn struct {
	p       goth.Provider
	started goth.Session
	authURL string
	state   string
	// fresh copies a started session: Authorize writes into it.
	fresh func(goth.Session) goth.Session
}

func newGoth(p goth.Provider, fresh func(goth.Session) goth.Session) (*gothSignIn, error) {
	state := gothState()
	sess, err := p.BeginAuth(state)
	if err != nil {
		return nil, err
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return nil, err
	}
	return &gothSignIn{p: p, started: sess, authURL: authURL, state: state, fresh: fresh}, nil
}

// gothState is a state as gothic makes one when the request has none: 64
// random bytes, base64url with padding.
func gothState() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return base64.URLEncoding.EncodeToString(b)
}

func (s *gothSignIn) full(ctx context.Context) (profile, error) {
	state := gothState()
	sess, err := s.p.BeginAuth(state)
	if err != nil {
		return profile{}, err
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return profile{}, err
	}
	return s.finish(sess, authURL, state)
}

func (s *gothSignIn) callback(ctx context.Context) (profile, error) {
	return s.finish(s.fresh(s.started), s.authURL, s.state)
}

func (s *gothSignIn) finish(sess goth.Session, authURL, state string) (profile, error) {
	params := callbackParams(state)
	// gothic reads the state back from the session's authorization URL.
	u, err := url.Parse(authURL)
	if err != nil {
		return profile{}, err
	}
	if want := u.Query().Get("state"); want != "" && want != params.Get("state") {
		return profile{}, errors.New("state mismatch")
	}
	if _, err := sess.Authorize(s.p, params); err != nil {
		return profile{}, err
	}
	user, err := s.p.FetchUser(sess)
	if err != nil {
		return profile{}, err
	}
	name := user.Name
	if name == "" {
		name = user.NickName // goth's Kakao puts the nickname there
	}
	return profile{ID: user.UserID, Email: user.Email, Name: name}, nil
}

// ---- the floors ----

// floorSpec is a provider as the floors see it.
type floorSpec struct {
	authURL, tokenURL, userInfoURL string
	clientID, clientSecret, scope  string
	// basic sends the client credentials as client_secret_basic; else
	// client_secret_post.
	basic bool
	// decode maps the userinfo body, read into a typed struct.
	decode func(body []byte) (profile, error)
}

// floorSignIn is the cost of the work itself: bare net/http and
// encoding/json, each body read with its Content-Length into a typed
// struct, the authorization URL concatenated with a fixed state, and no
// check beyond the status and an equal state. With plus set it also does
// what a correct client must: a random state and PKCE verifier with its
// S256 challenge, the authorization URL built with url.Values, and the
// state compared in constant time.
type floorSignIn struct {
	spec     floorSpec
	client   *http.Client
	plus     bool
	authBase string // the fixed part of the authorization URL (floor)
	formTail string // redirect_uri and client authentication, encoded
	basic    string // Authorization header for client_secret_basic
	// started is a flow begun once, for the callback alone.
	startedState, startedVerifier string
}

const floorState = "af0ifjsldkj"

func newFloor(spec floorSpec, client *http.Client, plus bool) *floorSignIn {
	f := &floorSignIn{spec: spec, client: client, plus: plus}
	f.authBase = spec.authURL + "?response_type=code&client_id=" + url.QueryEscape(spec.clientID) +
		"&redirect_uri=" + url.QueryEscape(redirectURI) + "&scope=" + url.QueryEscape(spec.scope) + "&state="
	f.formTail = "&redirect_uri=" + url.QueryEscape(redirectURI)
	if spec.basic {
		f.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(spec.clientID)+":"+url.QueryEscape(spec.clientSecret)))
	} else {
		f.formTail += "&client_id=" + url.QueryEscape(spec.clientID) + "&client_secret=" + url.QueryEscape(spec.clientSecret)
	}
	f.startedState = floorState
	if plus {
		_, f.startedState, f.startedVerifier = f.authorizationPlus()
	}
	return f
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorizationPlus is floor+'s authorization URL, state and verifier.
func (f *floorSignIn) authorizationPlus() (authURL, state, verifier string) {
	state, verifier = randomToken(), randomToken()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {f.spec.clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {f.spec.scope},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	return f.spec.authURL + "?" + q.Encode(), state, verifier
}

func (f *floorSignIn) full(ctx context.Context) (profile, error) {
	if f.plus {
		authURL, state, verifier := f.authorizationPlus()
		if authURL == "" {
			return profile{}, errors.New("no authorization URL")
		}
		return f.finish(ctx, state, verifier)
	}
	if authURL := f.authBase + floorState; len(authURL) == 0 {
		return profile{}, errors.New("no authorization URL")
	}
	return f.finish(ctx, floorState, "")
}

func (f *floorSignIn) callback(ctx context.Context) (profile, error) {
	return f.finish(ctx, f.startedState, f.startedVerifier)
}

func (f *floorSignIn) finish(ctx context.Context, state, verifier string) (profile, error) {
	params := callbackParams(state)
	got := params.Get("state")
	if f.plus {
		if subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
			return profile{}, errors.New("state mismatch")
		}
	} else if got != state {
		return profile{}, errors.New("state mismatch")
	}
	form := "grant_type=authorization_code&code=" + url.QueryEscape(params.Get("code")) + f.formTail
	if verifier != "" {
		form += "&code_verifier=" + verifier
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.spec.tokenURL, strings.NewReader(form))
	if err != nil {
		return profile{}, err
	}
	req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	req.Header["Accept"] = []string{"application/json"}
	if f.basic != "" {
		req.Header["Authorization"] = []string{f.basic}
	}
	body, err := f.do(req)
	if err != nil {
		return profile{}, err
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return profile{}, err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, f.spec.userInfoURL, nil)
	if err != nil {
		return profile{}, err
	}
	req.Header["Authorization"] = []string{"Bearer " + tok.AccessToken}
	req.Header["Accept"] = []string{"application/json"}
	if body, err = f.do(req); err != nil {
		return profile{}, err
	}
	return f.spec.decode(body)
}

// do sends req and reads the body with its Content-Length.
func (f *floorSignIn) do(req *http.Request) ([]byte, error) {
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: status %d", req.URL.Path, resp.StatusCode)
	}
	if resp.ContentLength < 0 || resp.ContentLength > 1<<20 {
		return nil, fmt.Errorf("%s: content length %d", req.URL.Path, resp.ContentLength)
	}
	body := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

// ---- the providers ----

// providerCase is one provider with its answers and its three (or four)
// implementations.
type providerCase struct {
	name    string
	answers func() map[string]answer
	spec    floorSpec
	ck      func(*http.Client) (connector.Social, error)
	// goth is nil when goth has no such provider.
	goth  func(*http.Client) (*gothSignIn, error)
	want  profile
	gothW profile // what goth returns: see the README for the gaps
}

// impl names, in the order the benchmarks run them.
const (
	implCK        = "connectorkit"
	implGoth      = "goth"
	implFloor     = "floor"
	implFloorPlus = "floor+"
)

func (pc providerCase) impls(client *http.Client) ([]string, map[string]signIn, error) {
	ck, err := pc.ck(client)
	if err != nil {
		return nil, nil, err
	}
	ckSI, err := newCK(ck)
	if err != nil {
		return nil, nil, err
	}
	names := []string{implCK}
	m := map[string]signIn{implCK: ckSI}
	if pc.goth != nil {
		g, err := pc.goth(client)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, implGoth)
		m[implGoth] = g
	}
	names = append(names, implFloor, implFloorPlus)
	m[implFloor] = newFloor(pc.spec, client, false)
	m[implFloorPlus] = newFloor(pc.spec, client, true)
	return names, m, nil
}

// wantFor returns the profile impl must return.
func (pc providerCase) wantFor(impl string) profile {
	if impl == implGoth {
		return pc.gothW
	}
	return pc.want
}

// ---- Kakao ----

const (
	kakaoClientID = "4f1a7c2e9b3d5a6c8e0f1b2d3c4e5f6a"
	kakaoSecret   = "Zk8sQ2mV7xN4pR1tY6wB3cF9hJ5lD0gA"
	kakaoScope    = "profile_nickname,profile_image,account_email"
	kakaoToken    = `{"access_token":"AbCdEfGh1234_kakao_access_token_IjKlMnOp5678QrStUvWx","token_type":"bearer",` +
		`"refresh_token":"kakao_refresh_token_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b","expires_in":21599,` +
		`"scope":"account_email profile_image profile_nickname","refresh_token_expires_in":5183999}`
	kakaoPhoneRaw  = "+82 10-1234-5678"
	kakaoPhoneE164 = "+821012345678"
)

// kakaoUser is GET /v2/user/me as Kakao answers it, with the phone number
// when phone is set.
func kakaoUser(phone bool) string {
	phoneField := ""
	if phone {
		phoneField = `"has_phone_number":true,"phone_number_needs_agreement":false,"phone_number":"` + kakaoPhoneRaw + `",`
	}
	return `{"id":3141592653,"connected_at":"2024-05-01T08:30:00Z",` +
		`"properties":{"nickname":"홍길동","profile_image":"https://k.kakaocdn.net/dn/bz9Xq/btsA1/img_640x640.jpg",` +
		`"thumbnail_image":"https://k.kakaocdn.net/dn/bz9Xq/btsA1/img_110x110.jpg"},` +
		`"kakao_account":{"profile_nickname_needs_agreement":false,"profile_image_needs_agreement":false,` +
		`"profile":{"nickname":"홍길동","thumbnail_image_url":"https://k.kakaocdn.net/dn/bz9Xq/btsA1/img_110x110.jpg",` +
		`"profile_image_url":"https://k.kakaocdn.net/dn/bz9Xq/btsA1/img_640x640.jpg","is_default_image":false,"is_default_nickname":false},` +
		`"has_email":true,"email_needs_agreement":false,"is_email_valid":true,"is_email_verified":true,"email":"gildong@kakao.example",` +
		phoneField + `"has_age_range":false}}`
}

func kakaoAnswers(phone bool) func() map[string]answer {
	return func() map[string]answer {
		return map[string]answer{
			"kauth.kakao.com/oauth/token": jsonAnswer(200, kakaoToken),
			"kapi.kakao.com/v2/user/me":   jsonAnswer(200, kakaoUser(phone)),
		}
	}
}

// kakaoDecode is the floor's mapping of /v2/user/me, with the same E.164
// normalisation as the connector (github.com/nyaruka/phonenumbers, as
// internal/phone uses it).
func kakaoDecode(body []byte) (profile, error) {
	var u struct {
		ID           int64 `json:"id"`
		KakaoAccount struct {
			Profile struct {
				Nickname        string `json:"nickname"`
				ProfileImageURL string `json:"profile_image_url"`
			} `json:"profile"`
			Email        string `json:"email"`
			IsEmailValid bool   `json:"is_email_valid"`
			PhoneNumber  string `json:"phone_number"`
		} `json:"kakao_account"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return profile{}, err
	}
	p := profile{ID: strconv.FormatInt(u.ID, 10), Name: u.KakaoAccount.Profile.Nickname}
	if u.KakaoAccount.IsEmailValid {
		p.Email = u.KakaoAccount.Email
	}
	if raw := u.KakaoAccount.PhoneNumber; raw != "" {
		if num, err := phonenumbers.Parse(raw, ""); err == nil && phonenumbers.IsValidNumber(num) {
			p.Phone = phonenumbers.Format(num, phonenumbers.E164)
		}
	}
	return p, nil
}

func kakaoCase(phone bool) providerCase {
	want := profile{ID: "3141592653", Email: "gildong@kakao.example", Name: "홍길동"}
	if phone {
		want.Phone = kakaoPhoneE164
	}
	return providerCase{
		name:    "kakao",
		answers: kakaoAnswers(phone),
		spec: floorSpec{authURL: kakao.AuthorizationURL, tokenURL: kakao.TokenURL, userInfoURL: kakao.UserInfoURL,
			clientID: kakaoClientID, clientSecret: kakaoSecret, scope: kakaoScope, decode: kakaoDecode},
		ck: func(hc *http.Client) (connector.Social, error) {
			return kakao.New(kakao.Config{ClientID: kakaoClientID, ClientSecret: kakaoSecret, Scope: kakaoScope},
				connector.WithHTTPClient(hc))
		},
		goth: func(hc *http.Client) (*gothSignIn, error) {
			p := gothkakao.New(kakaoClientID, kakaoSecret, redirectURI, strings.Split(kakaoScope, ",")...)
			p.HTTPClient = hc
			return newGoth(p, func(s goth.Session) goth.Session { c := *s.(*gothkakao.Session); return &c })
		},
		want: want,
		// goth's Kakao reads id and properties.nickname only: no email,
		// no phone.
		gothW: profile{ID: want.ID, Name: want.Name},
	}
}

// ---- Hugging Face ----

const (
	hfClientID = "5b0c1f7e-3a2d-4c8b-9e6f-0a1b2c3d4e5f"
	hfSecret   = "8c2f6a1e-7d3b-4f9a-b5c0-e1d2f3a4b5c6"
	hfScope    = "openid profile email"
	hfToken    = `{"access_token":"hf_oauth_eyJhbGciOiJFZERTQSJ9.huggingface.access","token_type":"bearer","expires_in":28800,` +
		`"scope":"openid profile email"}`
	hfUser = `{"sub":"6523f1c7a9b8e4d2c0f1a2b3","name":"Ada Lovelace","preferred_username":"ada","profile":"https://huggingface.co/ada",` +
		`"picture":"https://cdn-avatars.huggingface.co/v1/production/uploads/6523f1c7a9b8e4d2c0f1a2b3/avatar.png",` +
		`"website":"https://ada.example","email":"ada@example.com","email_verified":true,"isPro":false,"canPay":false,` +
		`"orgs":[{"sub":"64b9c2d1e0f1a2b3c4d5e6f7","name":"Analytical Engines","preferred_username":"analytical",` +
		`"picture":"https://cdn-avatars.huggingface.co/v1/production/uploads/org/avatar.png","isEnterprise":false}]}`
)

func hfDecode(body []byte) (profile, error) {
	var u struct {
		Sub               string `json:"sub"`
		Name              string `json:"name"`
		PreferredUsername string `json:"preferred_username"`
		Picture           string `json:"picture"`
		Email             string `json:"email"`
		EmailVerified     bool   `json:"email_verified"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return profile{}, err
	}
	name := u.Name
	if name == "" {
		name = u.PreferredUsername
	}
	return profile{ID: u.Sub, Email: u.Email, Name: name}, nil
}

func hfCase() providerCase {
	return providerCase{
		name: "huggingface",
		answers: func() map[string]answer {
			return map[string]answer{
				"huggingface.co/oauth/token":    jsonAnswer(200, hfToken),
				"huggingface.co/oauth/userinfo": jsonAnswer(200, hfUser),
			}
		},
		spec: floorSpec{authURL: huggingface.AuthorizationURL, tokenURL: huggingface.TokenURL, userInfoURL: huggingface.UserInfoURL,
			clientID: hfClientID, clientSecret: hfSecret, scope: hfScope, basic: true, decode: hfDecode},
		ck: func(hc *http.Client) (connector.Social, error) {
			return huggingface.New(huggingface.Config{ClientID: hfClientID, ClientSecret: hfSecret, Scope: hfScope},
				connector.WithHTTPClient(hc))
		},
		want: profile{ID: "6523f1c7a9b8e4d2c0f1a2b3", Email: "ada@example.com", Name: "Ada Lovelace"},
	}
}

// ---- the generic connector, set up for a GitHub-like provider ----

const (
	ghAuthURL  = "https://github.example/login/oauth/authorize"
	ghTokenURL = "https://github.example/login/oauth/access_token"
	ghUserURL  = "https://api.github.example/user"
	ghEmailURL = "https://api.github.example/user/emails"
	ghClientID = "Iv1.8a61f9b3a7aba766"
	ghSecret   = "1f0f5d3c1e2a4b6c8d9e0f1a2b3c4d5e6f7a8b9c"
	ghScope    = "read:user user:email"
	ghToken    = `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","token_type":"bearer","scope":"read:user,user:email"}`
	ghUser     = `{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://avatars.github.example/u/583231?v=4",` +
		`"gravatar_id":"","url":"https://api.github.example/users/octocat","html_url":"https://github.example/octocat","type":"User",` +
		`"site_admin":false,"name":"The Octocat","company":"@github","blog":"https://github.blog","location":"San Francisco",` +
		`"email":"octocat@github.example","hireable":null,"bio":null,"twitter_username":null,"public_repos":8,"public_gists":8,` +
		`"followers":9999,"following":9,"created_at":"2011-01-25T18:44:36Z","updated_at":"2024-01-22T12:00:00Z"}`
)

func ghDecode(body []byte) (profile, error) {
	var u struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Email  string `json:"email"`
		Avatar string `json:"avatar_url"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return profile{}, err
	}
	return profile{ID: strconv.FormatInt(u.ID, 10), Email: u.Email, Name: u.Name}, nil
}

func genericCase() providerCase {
	want := profile{ID: "583231", Email: "octocat@github.example", Name: "The Octocat"}
	return providerCase{
		name: "oauth2generic",
		answers: func() map[string]answer {
			return map[string]answer{
				"github.example/login/oauth/access_token": jsonAnswer(200, ghToken),
				"api.github.example/user":                 jsonAnswer(200, ghUser),
			}
		},
		spec: floorSpec{authURL: ghAuthURL, tokenURL: ghTokenURL, userInfoURL: ghUserURL,
			clientID: ghClientID, clientSecret: ghSecret, scope: ghScope, decode: ghDecode},
		ck: func(hc *http.Client) (connector.Social, error) {
			return oauth2generic.New(oauth2generic.Config{
				AuthorizationEndpoint: ghAuthURL, TokenEndpoint: ghTokenURL, UserInfoEndpoint: ghUserURL,
				ClientID: ghClientID, ClientSecret: ghSecret, Scope: ghScope,
				ProfileMap: profilemap.Map{Avatar: "avatar_url"},
			}, connector.WithHTTPClient(hc))
		},
		// goth has no generic OAuth 2.0 provider; its GitHub provider with
		// custom URLs is the nearest thing.
		goth: func(hc *http.Client) (*gothSignIn, error) {
			p := gothgithub.NewCustomisedURL(ghClientID, ghSecret, redirectURI, ghAuthURL, ghTokenURL, ghUserURL, ghEmailURL,
				strings.Fields(ghScope)...)
			p.HTTPClient = hc
			return newGoth(p, func(s goth.Session) goth.Session { c := *s.(*gothgithub.Session); return &c })
		},
		want:  want,
		gothW: want,
	}
}

// signInCases are the providers of benchmark group 1, in order.
func signInCases() []providerCase { return []providerCase{kakaoCase(false), hfCase(), genericCase()} }

// checkSame fails unless every implementation returns its expected
// profile for the provider's answers, both ways (full and callback).
func checkSame(tb testing.TB, pc providerCase, names []string, impls map[string]signIn) {
	tb.Helper()
	ctx := context.Background()
	for _, name := range names {
		for _, way := range []struct {
			what string
			run  func(context.Context) (profile, error)
		}{{"full", impls[name].full}, {"callback", impls[name].callback}} {
			got, err := way.run(ctx)
			if err != nil {
				tb.Fatalf("%s/%s %s: %v", pc.name, name, way.what, err)
			}
			if want := pc.wantFor(name); got != want {
				tb.Fatalf("%s/%s %s: got %+v, want %+v", pc.name, name, way.what, got, want)
			}
		}
	}
}
