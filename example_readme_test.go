package connector_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oidc"
	"github.com/connectorkit/connector/social/kakao"
)

// The README's quick start: a host's sign-in and callback handlers over a
// connector opened from the JSON config an administrator pasted. The
// provider is a mock; saveFlow and loadFlow stand for the host's session
// store (a sealed cookie, a database row).
func Example_quickStart() {
	provider := mockprovider.NewOAuth2(mockprovider.OAuth2Options{ClientID: "demo", ClientSecret: "s3cret"})
	httpClient := provider.Client()
	rawConfig := json.RawMessage(`{"clientId": "demo", "clientSecret": "s3cret", "scope": "profile email",
		"authorizationEndpoint": "` + provider.URL(mockprovider.EndpointAuthorize) + `",
		"tokenEndpoint": "` + provider.URL(mockprovider.EndpointToken) + `",
		"userInfoEndpoint": "` + provider.URL(mockprovider.EndpointUserInfo) + `",
		"profileMap": {"emailVerified": "email_verified"}}`)

	reg, err := builtin.NewRegistry() // oauth2, oidc, apple-universal, kakao-universal, huggingface-universal, twilio-short-message-service
	if err != nil {
		log.Fatal(err)
	}
	// The config an administrator pasted (Logto's field names), opened once.
	social, err := reg.OpenSocial("oauth2", rawConfig, connector.WithHTTPClient(httpClient))
	if err != nil {
		log.Fatal(err) // a *connector.Error naming every bad field by its JSON path
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) {
		auth, err := social.AuthorizationURL(r.Context(), connector.AuthRequest{RedirectURI: "https://id.example.com/callback"})
		if err != nil {
			http.Error(w, err.Error(), connector.HTTPStatus(err))
			return
		}
		saveFlow(w, auth.Flow) // small, plain JSON: keep it with the browser session
		http.Redirect(w, r, auth.URL, http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		info, err := social.UserInfo(r.Context(), connector.Callback{Params: r.URL.Query(), Flow: loadFlow(r)})
		if err != nil { // errors.Is(err, connector.ErrStateMismatch), connector.CodeOf(err)...
			http.Error(w, err.Error(), connector.HTTPStatus(err))
			return
		}
		// Link accounts by email only when info.EmailVerified is true.
		fmt.Fprintln(w, info.ID != "", info.Email, info.EmailVerified)
	})

	// The browser: sign in, approve at the provider, come back.
	start := httptest.NewRecorder()
	mux.ServeHTTP(start, httptest.NewRequest("GET", "/signin", nil))
	params, _ := provider.Approve(start.Header().Get("Location"), "")
	cb := httptest.NewRequest("GET", "/callback?"+params.Encode(), nil)
	for _, c := range start.Result().Cookies() {
		cb.AddCookie(c)
	}
	done := httptest.NewRecorder()
	mux.ServeHTTP(done, cb)
	fmt.Print(done.Body.String())
	// Output: true ada@example.com true
}

// saveFlow and loadFlow keep the flow state in a cookie as plain base64
// JSON, to keep the example short. A real host seals it (authenticated
// encryption, an expiry, bound to the connector), as cmd/connectorkit does,
// or keeps it server-side.
func saveFlow(w http.ResponseWriter, flow connector.FlowState) {
	b, _ := json.Marshal(flow)
	http.SetCookie(w, &http.Cookie{Name: "flow", Value: base64.RawURLEncoding.EncodeToString(b), HttpOnly: true, Secure: true})
}

func loadFlow(r *http.Request) connector.FlowState {
	var flow connector.FlowState
	if c, err := r.Cookie("flow"); err == nil {
		b, _ := base64.RawURLEncoding.DecodeString(c.Value)
		_ = json.Unmarshal(b, &flow)
	}
	return flow
}

// The README's typed constructor: a Go host builds a provider's config in
// Go, never as JSON.
func Example_typedConstructor() {
	ctx := context.Background()
	k, err := kakao.New(kakao.Config{ClientID: "my-rest-api-key", Scope: "profile_nickname,account_email"})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := k.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(auth.URL)
	fmt.Println(u.Host, u.Query().Get("scope"))
	// Output: kauth.kakao.com profile_nickname,account_email
}

// The README's one-time code by SMS, through a Twilio-shaped mock.
func Example_sendCode() {
	ctx := context.Background()
	tw := mockprovider.NewTwilio(mockprovider.TwilioOptions{})
	rawTwilioConfig, _ := json.Marshal(map[string]any{"accountSID": tw.AccountSID(), "authToken": tw.AuthToken(),
		"fromMessagingServiceSID": tw.MessagingServiceSID(),
		"templates":               []any{map[string]any{"usageType": "Generic", "content": "Your code is {{code}}."}}})
	reg, _ := builtin.NewRegistry()
	options := []connector.Option{connector.WithHTTPClient(tw.Client()), connector.WithEndpoint("api", tw.BaseURL())}

	sms, err := reg.OpenSender("twilio-short-message-service", rawTwilioConfig, options...)
	if err != nil {
		log.Fatal(err)
	}
	// The template is picked by usage type, else Generic.
	receipt, err := sms.Send(ctx, connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": "123456"}})
	if err != nil {
		log.Fatal(err) // connector.CodeOf(err): invalid_request_parameters for a bad number...
	}
	fmt.Println(receipt.ID != "", receipt.Segments) // the Twilio message SID; SMS segments billed
	// Output: true 1
}

// The README's OpenID Connect section: the issuer alone; the rest comes
// from the provider's discovery document at the first sign-in.
func Example_openIDConnect() {
	provider := mockprovider.NewOIDC(mockprovider.OIDCOptions{IssParameter: true})
	issuer, clientID, clientSecret := provider.Issuer(), provider.ClientID(), connector.Secret(provider.ClientSecret())
	opts := []connector.Option{connector.WithHTTPClient(provider.Client())}
	ctx := context.Background()

	c, err := oidc.New(oidc.Config{Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret}, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/oidc"})
	if err != nil {
		fmt.Println(err) // a discovery failure: typed, and retryable when a retry may help
		return
	}
	params, _ := provider.Approve(auth.URL, "")
	info, err := c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID, info.Email, info.EmailVerified)
	// Output:
	// 248289761001 ada@example.com true
}
