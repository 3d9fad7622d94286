package oauth2generic

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// fixedTransport is an in-memory provider serving fixed bytes: the token
// answer for POSTs, the userinfo answer for GETs. It drains request bodies
// as a real transport would.
type fixedTransport struct{ token, user []byte }

func (f fixedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	body := f.user
	if req.Method == http.MethodPost {
		body = f.token
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

var (
	benchToken = []byte(`{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","token_type":"bearer","expires_in":28800,` +
		`"refresh_token":"ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498","scope":"read:user user:email"}`)
	benchUser = []byte(`{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://avatars.githubusercontent.com/u/583231?v=4",` +
		`"gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false,` +
		`"name":"The Octocat","company":"@github","blog":"https://github.blog","location":"San Francisco","email":"octocat@github.com",` +
		`"hireable":null,"bio":null,"twitter_username":null,"public_repos":8,"public_gists":8,"followers":9999,"following":9,` +
		`"created_at":"2011-01-25T18:44:36Z","updated_at":"2024-01-22T12:00:00Z"}`)
)

const (
	benchTokenURL = "https://github.example/login/oauth/access_token"
	benchUserURL  = "https://api.github.example/user"
)

// BenchmarkUserInfo is the full callback through the connector: state
// check, code exchange with PKCE, userinfo fetch and profile mapping.
func BenchmarkUserInfo(b *testing.B) {
	client := &http.Client{Transport: fixedTransport{benchToken, benchUser}}
	c, err := Open(json.RawMessage(`{"authorizationEndpoint":"https://github.example/login/oauth/authorize",
		"tokenEndpoint":"`+benchTokenURL+`","userInfoEndpoint":"`+benchUserURL+`",
		"clientId":"Iv1.8a61f9b3a7aba766","clientSecret":"1f0f5d3c1e2a4b6c8d9e0f1a2b3c4d5e6f7a8b9c",
		"profileMap":{"avatar":"avatar_url"}}`), connector.WithHTTPClient(client))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://app.example/callback"})
	if err != nil {
		b.Fatal(err)
	}
	cb := connector.Callback{Params: url.Values{"code": {"a1b2c3d4e5f6a7b8c9d0"}, "state": {auth.Flow.State}}, Flow: auth.Flow}
	b.ReportAllocs()
	for b.Loop() {
		info, err := c.UserInfo(ctx, cb)
		if err != nil || info.ID != "583231" || info.Email != "octocat@github.com" {
			b.Fatal(info, err)
		}
	}
}

// BenchmarkFloor does the same two requests with bare net/http and
// encoding/json into structs, with no checks beyond the status, reading
// each body into a buffer of its Content-Length: the cost of the work
// itself, which the connector is measured against (bench/ compares it
// side by side with goth's).
func BenchmarkFloor(b *testing.B) {
	client := &http.Client{Transport: fixedTransport{benchToken, benchUser}}
	ctx := context.Background()
	flow := connector.FlowState{State: "st", RedirectURI: "https://app.example/callback", CodeVerifier: "0123456789012345678901234567890123456789abc"}
	b.ReportAllocs()
	for b.Loop() {
		info, err := floor(ctx, client, "a1b2c3d4e5f6a7b8c9d0", flow)
		if err != nil || info.ID != "583231" || info.Email != "octocat@github.com" {
			b.Fatal(info, err)
		}
	}
}

func floor(ctx context.Context, client *http.Client, code string, flow connector.FlowState) (*connector.UserInfo, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {flow.RedirectURI},
		"code_verifier": {flow.CodeVerifier},
		"client_id":     {"Iv1.8a61f9b3a7aba766"},
		"client_secret": {"1f0f5d3c1e2a4b6c8d9e0f1a2b3c4d5e6f7a8b9c"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, benchTokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readSized(resp)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, err
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return nil, err
	}

	req, err = http.NewRequestWithContext(ctx, http.MethodGet, benchUserURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err = readSized(resp)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, err
	}
	var u struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Email  string `json:"email"`
		Avatar string `json:"avatar_url"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, err
	}
	return &connector.UserInfo{ID: strconv.FormatInt(u.ID, 10), Name: u.Name, Email: u.Email, Avatar: u.Avatar, Raw: body}, nil
}

// readSized reads and closes a body into one buffer of its Content-Length
// (io.ReadAll when the length is unknown).
func readSized(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n > 0 && n <= 1<<20 {
		buf := make([]byte, n)
		_, err := io.ReadFull(resp.Body, buf)
		return buf, err
	}
	return io.ReadAll(resp.Body)
}
