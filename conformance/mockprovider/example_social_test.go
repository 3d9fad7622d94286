package mockprovider_test

// A provider with a fixed shape, mocked from a SocialSpec, and a custom
// connector proved against it with the conformance suite. The provider is
// Octo, a GitHub-like API; the connector is written on net/http and
// encoding/json alone, and passes every check of conformance.RunSocial,
// the security rules included. Copy it as the start of your own.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/kit"
)

// octoSpec describes Octo as the mock serves it: GitHub's paths, client
// credentials in the token request's form, PKCE, numeric user IDs, and two
// error shapes (RFC 6749's with a link at the OAuth endpoints, {"message"}
// from the REST API).
var octoSpec = mockprovider.SocialSpec{
	Name: "octo", // https://octo.mock.test
	Paths: map[mockprovider.Endpoint]string{
		mockprovider.EndpointAuthorize: "/login/oauth/authorize",
		mockprovider.EndpointToken:     "/login/oauth/access_token",
		mockprovider.EndpointUserInfo:  "/user",
	},
	ClientAuth:  mockprovider.AuthClientSecretPost,
	RequirePKCE: true,
	TokenFields: map[string]any{"token_type": "bearer", "expires_in": nil}, // Octo's tokens do not expire
	Identities: []mockprovider.Identity{
		{ID: "583231", Label: "public email", Name: "The Octocat", Username: "octocat",
			Email: "octocat@octo.example", EmailVerified: true, Avatar: "https://avatars.octo.example/u/583231"},
		{ID: "9919", Label: "no public email, no name", Username: "hubot"},
		{ID: "9223372036854775807", Label: "largest 64-bit ID, unverified email", Name: "Mona Lisa",
			Username: "monalisa", Email: "mona@octo.example"},
	},
	Profile: func(id mockprovider.Identity) map[string]any {
		return map[string]any{
			"id":         json.Number(id.ID), // a JSON number, written digit for digit
			"login":      id.Username,
			"name":       nullIfEmpty(id.Name),
			"email":      nullIfEmpty(id.Email),
			"avatar_url": id.Avatar,
		}
	},
	ErrorBody: func(e mockprovider.ErrorReply) (int, any) {
		if e.Endpoint == mockprovider.EndpointUserInfo {
			return e.Status, map[string]any{"message": e.Description, "documentation_url": "https://docs.octo.example/rest"}
		}
		return e.Status, map[string]any{"error": e.Code, "error_description": e.Description,
			"error_uri": "https://docs.octo.example/oauth#" + e.Code}
	},
	CancelDescription: "The user has denied your application access.",
	ErrorCases: []mockprovider.ErrorCase{{
		Name: "incorrect_client_credentials", Endpoint: mockprovider.EndpointToken,
		Failure: mockprovider.Failure{Mode: mockprovider.ProviderError, Code: "incorrect_client_credentials", Status: http.StatusUnauthorized},
		Code:    connector.CodeInvalidConfig, Status: http.StatusUnauthorized, ProviderCode: "incorrect_client_credentials",
	}},
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestOctoConformance proves the Octo connector: it is the one test a
// connector author writes. The suite gets the connector's factory, the
// mock, a valid config for the mock's client and the options that point
// the connector's fixed endpoints at the mock.
func TestOctoConformance(t *testing.T) {
	t.Parallel()
	conformance.RunSocial(t, conformance.Social{
		Factory:  octoFactory(),
		Provider: mockprovider.NewSocial(octoSpec),
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			cfg, _ := json.Marshal(map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret()})
			return cfg
		},
		Endpoints: map[string]mockprovider.Endpoint{
			connector.EndpointAuthorization: mockprovider.EndpointAuthorize,
			connector.EndpointToken:         mockprovider.EndpointToken,
			connector.EndpointUserInfo:      mockprovider.EndpointUserInfo,
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "missing clientSecret", Edit: func(c map[string]any) { delete(c, "clientSecret") }, Field: "clientSecret"},
		},
		PKCE:         true,
		Scope:        "read:user user:email",
		RequestScope: "read:org",
	})
}

// A connector author whose provider has a fixed shape (here Octo, a
// GitHub-like API: see octoSpec in this file) describes it in a SocialSpec
// and gets a mock that checks every request as the provider would and
// fails on demand in the provider's own shape. The connector's test is
// then one call:
//
//	func TestConformance(t *testing.T) {
//		conformance.RunSocial(t, conformance.Social{
//			Factory:  octoFactory(),
//			Provider: mockprovider.NewSocial(octoSpec),
//			Config:   ..., // a valid config for the mock's client
//			Endpoints: map[string]mockprovider.Endpoint{
//				connector.EndpointToken: mockprovider.EndpointToken, ...
//			},
//			PKCE: true,
//		})
//	}
//
// Here the connector signs in on the mock directly, then meets a rate limit.
func ExampleNewSocial() {
	p := mockprovider.NewSocial(octoSpec)
	cfg, _ := json.Marshal(map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret()})
	c, err := octoFactory().Open(cfg, connector.WithHTTPClient(p.Client()), connector.WithEndpoints(connector.Endpoints{
		Authorization: p.URL(mockprovider.EndpointAuthorize),
		Token:         p.URL(mockprovider.EndpointToken),
		UserInfo:      p.URL(mockprovider.EndpointUserInfo),
	}))
	if err != nil {
		panic(err)
	}
	octo := c.(connector.Social)
	signIn := func(identity string) (*connector.UserInfo, error) {
		a, err := octo.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://app.example.com/cb"})
		if err != nil {
			return nil, err
		}
		cb, err := p.Approve(a.URL, identity) // the user's part
		if err != nil {
			return nil, err
		}
		return octo.UserInfo(context.Background(), connector.Callback{Params: cb, Flow: a.Flow})
	}

	info, _ := signIn("583231")
	fmt.Println(info.ID, info.Name, info.Email, info.EmailVerified)

	p.Fail(mockprovider.EndpointToken, mockprovider.RateLimited)
	_, err = signIn("583231")
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Status, ce.RetryAfter, ce.ProviderCode)
	}
	// Output:
	// 583231 The Octocat octocat@octo.example false
	// rate_limit_exceeded 429 7s rate_limit_exceeded
}

// --- the Octo connector ---

const octoID = "octo"

// octoConfig is the connector's JSON config.
type octoConfig struct {
	ClientID     string           `json:"clientId" validate:"required" doc:"The client ID of your Octo OAuth app."`
	ClientSecret connector.Secret `json:"clientSecret" validate:"required" doc:"The client secret of your Octo OAuth app."`
	Scope        string           `json:"scope" default:"read:user user:email" doc:"The scopes to request, space-separated."`
}

// octoConnector signs users in with Octo. It keeps nothing between the
// authorization URL and the callback (the flow state travels through the
// host), so one instance serves concurrent flows and any instance can
// finish a flow another one started.
type octoConnector struct {
	cfg    octoConfig
	id     string
	client *http.Client // the injected client, following no redirect
	now    func() time.Time

	authURL, tokenURL, userURL string
}

var _ connector.Social = (*octoConnector)(nil)

// maxBody is the most the connector reads of an answer.
const maxBody = 1 << 20

func octoFactory() connector.Factory {
	return connector.Factory{Metadata: octoMetadata(), Open: openOcto}
}

func octoMetadata() connector.Metadata {
	return connector.Metadata{
		ID: octoID, Target: "octo", Type: connector.TypeSocial, Platform: connector.PlatformUniversal,
		Name: map[string]string{"en": "Octo"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: kit.ConfigSchema(octoConfig{}, "Octo"),
	}
}

func openOcto(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
	o, err := kit.ResolveOptions(opts...)
	if err != nil {
		return nil, kit.Attribute(err, octoID)
	}
	if err := o.Restrict(octoID, false, connector.EndpointAuthorization, connector.EndpointToken, connector.EndpointUserInfo); err != nil {
		return nil, err
	}
	c := &octoConnector{
		id: o.ConnectorID(octoID), now: o.Now,
		authURL:  o.Endpoint(connector.EndpointAuthorization, "https://octo.example/login/oauth/authorize"),
		tokenURL: o.Endpoint(connector.EndpointToken, "https://octo.example/login/oauth/access_token"),
		userURL:  o.Endpoint(connector.EndpointUserInfo, "https://api.octo.example/user"),
	}
	if err := kit.DecodeConfig(raw, &c.cfg); err != nil {
		return nil, kit.Attribute(err, c.id)
	}
	// A redirect would carry the code, the client secret or the access
	// token wherever it points: never follow one.
	noFollow := *o.HTTPClient
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.client = &noFollow
	return c, nil
}

func (c *octoConnector) Metadata() connector.Metadata { return octoMetadata() }

// String and GoString keep fmt from printing the config (fmt does not call
// the Secret's own methods inside an unexported field).
func (c *octoConnector) String() string   { return "octo{" + c.id + "}" }
func (c *octoConnector) GoString() string { return c.String() }

// Format prints String for every verb, of the connector or of a copy of
// it: fmt would print the fields, the secret among them, for the verbs
// String does not serve (%d, %x...).
func (c octoConnector) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

func (c *octoConnector) AuthorizationURL(_ context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.RedirectURI == "" {
		return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepAuthorize, "the redirect URI is required")
	}
	flow := connector.FlowState{State: cmp.Or(req.State, random()), RedirectURI: req.RedirectURI, CodeVerifier: random()}
	challenge := sha256.Sum256([]byte(flow.CodeVerifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {c.cfg.ClientID}, "redirect_uri": {req.RedirectURI},
		"state": {flow.State}, "scope": {cmp.Or(req.Scope, c.cfg.Scope)},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(challenge[:])}, "code_challenge_method": {"S256"},
	}
	if req.Prompt != "" {
		q.Set("prompt", req.Prompt)
	}
	if req.LoginHint != "" {
		q.Set("login", req.LoginHint)
	}
	u, err := url.Parse(c.authURL)
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, connector.StepAuthorize, "the authorization endpoint is not a URL")
	}
	u.RawQuery = q.Encode() // every value escaped: a scope or a hint cannot add parameters
	return &connector.Authorization{URL: u.String(), Flow: flow}, nil
}

func (c *octoConnector) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	p := cb.Params
	for _, name := range []string{"state", "code", "error", "error_description"} {
		if len(p[name]) > 1 { // RFC 6749 section 3.1
			return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepCallback, "the callback repeats "+name)
		}
	}
	// The state first: anyone can send a user to the callback, with a code
	// or an error of their own.
	if cb.Flow.State == "" || subtle.ConstantTimeCompare([]byte(p.Get("state")), []byte(cb.Flow.State)) != 1 {
		return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the callback's state is not the flow's")
	}
	if code := p.Get("error"); code != "" {
		e := c.fail(connector.CodeAuthorizationFailed, connector.StepCallback, "the provider refused the authorization")
		e.ProviderCode, e.ProviderMessage = clean(code), clean(p.Get("error_description"))
		return nil, e
	}
	if p.Get("code") == "" {
		return nil, c.fail(connector.CodeAuthorizationFailed, connector.StepCallback, "the callback has no code")
	}
	tokens, err := c.exchange(ctx, p.Get("code"), cb.Flow)
	if err != nil {
		return nil, err
	}
	info, err := c.profile(ctx, tokens.AccessToken)
	if err != nil {
		return nil, err
	}
	if cb.WantTokens {
		info.Tokens = tokens
	}
	return info, nil
}

func (c *octoConnector) exchange(ctx context.Context, code string, flow connector.FlowState) (*connector.Tokens, error) {
	const step = connector.StepTokenExchange
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {flow.RedirectURI},
		"code_verifier": {flow.CodeVerifier}, "client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret.Reveal()},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, step, "the token endpoint is not usable")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	doc, _, err := c.call(req, step)
	if err != nil {
		return nil, err
	}
	tokens := &connector.Tokens{}
	tokens.AccessToken, _ = doc["access_token"].(string)
	tokens.TokenType, _ = doc["token_type"].(string)
	tokens.RefreshToken, _ = doc["refresh_token"].(string)
	if tokens.AccessToken == "" {
		return nil, c.fail(connector.CodeSocialAuthCodeInvalid, step, "the token response has no access_token")
	}
	return tokens, nil
}

func (c *octoConnector) profile(ctx context.Context, accessToken string) (*connector.UserInfo, error) {
	const step = connector.StepUserInfo
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.userURL, nil)
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, step, "the user endpoint is not usable")
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	doc, raw, err := c.call(req, step)
	if err != nil {
		return nil, err
	}
	// Octo's user IDs are positive integers sent as JSON numbers: anything
	// else (a string, an object, -0, 1.5) is not a user.
	n, _ := doc["id"].(json.Number)
	id, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || id <= 0 {
		return nil, c.fail(connector.CodeInvalidResponse, step, "the profile's id is not a positive integer")
	}
	info := &connector.UserInfo{ID: strconv.FormatInt(id, 10), Raw: raw}
	info.Name, _ = doc["name"].(string)
	info.Avatar, _ = doc["avatar_url"].(string)
	// The public email is the user's choice, not an address Octo vouches
	// for: it is never marked verified.
	info.Email, _ = doc["email"].(string)
	return info, nil
}

// call sends req and returns the JSON object it answers (and its bytes),
// or the error the answer stands for.
func (c *octoConnector) call(req *http.Request, step connector.Step) (map[string]any, []byte, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		e := c.fail(connector.CodeGeneral, step, "the request failed")
		e.Retryable, e.Err = true, err
		return nil, nil, e
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		e := c.fail(connector.CodeInvalidResponse, step, "the provider answered with a redirect, which is not followed")
		e.Status = resp.StatusCode
		return nil, nil, e
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		e := c.fail(connector.CodeGeneral, step, "the answer could not be read")
		e.Retryable, e.Err = true, err
		return nil, nil, e
	case len(body) > maxBody:
		return nil, nil, c.fail(connector.CodeInvalidResponse, step, "the answer is larger than 1 MiB")
	case resp.StatusCode/100 != 2:
		return nil, nil, c.httpError(step, resp, body)
	}
	doc, err := decodeObject(resp.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, nil, c.fail(connector.CodeInvalidResponse, step, "the answer "+err.Error())
	}
	return doc, body, nil
}

// httpError maps an error answer, keeping the provider's code and message.
func (c *octoConnector) httpError(step connector.Step, resp *http.Response, body []byte) *connector.Error {
	e := c.fail(connector.CodeGeneral, step, "the provider answered "+resp.Status)
	e.Status = resp.StatusCode
	var doc struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.ProviderCode, e.ProviderMessage = clean(doc.Error), clean(cmp.Or(doc.Description, doc.Message))
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
		e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case resp.StatusCode >= 500:
		e.Retryable = true
	case step == connector.StepTokenExchange && e.ProviderCode == "invalid_grant":
		e.Code = connector.CodeSocialAuthCodeInvalid
	case step == connector.StepTokenExchange && resp.StatusCode == http.StatusUnauthorized:
		e.Code = connector.CodeInvalidConfig // the client credentials
	case step == connector.StepUserInfo && resp.StatusCode == http.StatusUnauthorized:
		e.Code = connector.CodeSocialInvalidAccessToken
	}
	return e
}

func (c *octoConnector) fail(code connector.Code, step connector.Step, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: c.id, Step: step, Message: msg}
}

// decodeObject reads a JSON object strictly. Its member names are
// case-sensitive ("ID" is not "id"), so it is read into a map (encoding/json
// matches struct fields whatever the case); numbers stay json.Number; and a
// member name twice in one object is refused, since parsers disagree about
// which one counts (RFC 7493 section 2.3).
func decodeObject(contentType string, body []byte) (map[string]any, error) {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		return nil, fmt.Errorf("is not JSON (content type %q)", mt)
	}
	if err := checkNames(json.NewDecoder(bytes.NewReader(body))); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, errors.New("is not a JSON object")
	}
	return doc, nil
}

// checkNames reads one JSON value from dec, and what follows it, refusing
// invalid JSON and repeated member names.
func checkNames(dec *json.Decoder) error {
	var value func() error
	value = func() error {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("is not valid JSON: %w", err)
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				name, err := dec.Token()
				if err != nil {
					return fmt.Errorf("is not valid JSON: %w", err)
				}
				s, _ := name.(string)
				if seen[s] {
					return fmt.Errorf("has the member %q twice", s)
				}
				seen[s] = true
				if err := value(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := value(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if err := value(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("has more after the JSON value")
	}
	return nil
}

// clean drops control and invisible formatting characters (CR, LF, ESC,
// bidirectional overrides) from provider text kept in an error: they would
// forge log lines and terminal output.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// random returns 32 random bytes, base64url-encoded (43 characters): a
// state or a PKCE verifier.
func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
