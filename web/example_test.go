package web_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/oauth2generic"
	appleconn "github.com/connectorkit/connector/social/apple"
	"github.com/connectorkit/connector/web"
)

// A host's sign-in with an OAuth 2.0 provider (GitHub-like, through the
// generic connector) and Sign in with Apple, whose callback is a cross-site
// form POST, in an http.ServeMux. The providers are mocks; a browser plays
// each sign-in.
func Example() {
	github, apple, browser := exampleConnectors()

	flows, err := web.New(web.Config{
		Keys: [][]byte{secret("flow-key-2"), secret("flow-key-1")}, // the first seals, every one opens
		OnSignIn: func(w http.ResponseWriter, r *http.Request, res *web.Result) {
			// Link the account by target and user ID (by email only when
			// verified), start the host's session, redirect.
			fmt.Fprintln(w, "signed in with", res.Connector.Metadata().Target, res.User.Email, res.User.EmailVerified)
		},
		// OnError: web.DefaultOnError, a plain page with the code and status.
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	for name, c := range map[string]connector.Social{"github": github, "apple": apple} {
		h, err := flows.Handlers(c, "https://id.example.com/callback/"+name)
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("GET /signin/"+name, h.SignIn)
		mux.HandleFunc("/callback/"+name, h.Callback) // GET, and Apple's form POST
	}

	fmt.Print(browser.signIn(mux, "github"))
	fmt.Print(browser.signIn(mux, "apple"))
	// Output:
	// flow cookie SameSite=Lax; callback GET: signed in with github ada@example.com true
	// flow cookie SameSite=None; callback POST: signed in with apple ada@example.com true
}

// WithPrepare forwards what the host allows from the request that starts a
// sign-in, and seals the page to return to with the flow.
func ExampleWithPrepare() {
	github, _, browser := exampleConnectors()
	flows, err := web.New(web.Config{
		Keys: [][]byte{secret("flow-key")},
		OnSignIn: func(w http.ResponseWriter, r *http.Request, res *web.Result) {
			// res.Data was checked when the flow started; still a local path.
			http.Redirect(w, r, res.Data, http.StatusSeeOther)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	prepare := func(r *http.Request, req *connector.AuthRequest) (string, error) {
		q := r.URL.Query()
		req.LoginHint = q.Get("login_hint")
		returnTo := q.Get("return_to")
		if !strings.HasPrefix(returnTo, "/") || strings.HasPrefix(returnTo, "//") || strings.Contains(returnTo, `\`) {
			returnTo = "/" // never an open redirect
		}
		return returnTo, nil
	}
	h, err := flows.Handlers(github, "https://id.example.com/callback/github", web.WithPrepare(prepare))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin/github", h.SignIn)
	mux.HandleFunc("GET /callback/github", h.Callback)

	fmt.Println(browser.redirect(mux, "github", "/signin/github?login_hint=ada&return_to=/settings"))
	fmt.Println(browser.redirect(mux, "github", "/signin/github?return_to=https://evil.example"))
	// Output:
	// /settings
	// /
}

// secret stands for the host's secret store: 32 random bytes that every
// replica shares.
func secret(string) []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// exampleConnectors returns the two connectors of the examples, over mock
// providers, and a browser that approves at those mocks.
func exampleConnectors() (github, apple connector.Social, b *exampleBrowser) {
	gh := mockprovider.NewOAuth2(mockprovider.OAuth2Options{ClientID: "demo", ClientSecret: "s3cret"})
	raw, _ := json.Marshal(map[string]any{"clientId": "demo", "clientSecret": "s3cret", "scope": "profile email",
		"authorizationEndpoint": gh.URL(mockprovider.EndpointAuthorize), "tokenEndpoint": gh.URL(mockprovider.EndpointToken),
		"userInfoEndpoint": gh.URL(mockprovider.EndpointUserInfo), "profileMap": map[string]string{"emailVerified": "email_verified"}})
	github, err := oauth2generic.Open(raw, connector.WithHTTPClient(gh.Client()), connector.WithTarget("github"))
	if err != nil {
		log.Fatal(err)
	}
	ap := mockprovider.NewApple(mockprovider.AppleOptions{ClientID: "com.example.web"})
	return github, appleOn(ap), &exampleBrowser{providers: map[string]mockprovider.SocialProvider{"github": gh, "apple": ap}}
}

// exampleBrowser signs in through a host's mux, approving at the mocks.
type exampleBrowser struct {
	providers map[string]mockprovider.SocialProvider
}

// finish starts the sign-in at path, approves as the provider's first
// identity and returns the host's answer to the callback (a GET, or the
// POST of a form_post provider, carrying the flow cookie), the callback's
// method and the flow cookie's SameSite.
func (b *exampleBrowser) finish(mux http.Handler, name, path string) (resp *http.Response, method, sameSite string) {
	start := httptest.NewRecorder()
	mux.ServeHTTP(start, httptest.NewRequest(http.MethodGet, "https://id.example.com"+path, nil))
	loc := start.Header().Get("Location")
	params, err := b.providers[name].Approve(loc, "")
	if err != nil {
		log.Fatal(err)
	}
	cb := httptest.NewRequest(http.MethodGet, "https://id.example.com/callback/"+name+"?"+params.Encode(), nil)
	if u, _ := url.Parse(loc); u.Query().Get("response_mode") == "form_post" {
		cb = httptest.NewRequest(http.MethodPost, "https://id.example.com/callback/"+name, strings.NewReader(params.Encode()))
		cb.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	sameSite = "?"
	for _, c := range start.Result().Cookies() {
		cb.AddCookie(c)
		sameSite = map[http.SameSite]string{http.SameSiteLaxMode: "Lax", http.SameSiteNoneMode: "None"}[c.SameSite]
	}
	done := httptest.NewRecorder()
	mux.ServeHTTP(done, cb)
	return done.Result(), cb.Method, sameSite
}

// signIn signs in with the connector mounted under name and describes it.
func (b *exampleBrowser) signIn(mux http.Handler, name string) string {
	resp, method, sameSite := b.finish(mux, name, "/signin/"+name)
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("flow cookie SameSite=%s; callback %s: %s", sameSite, method, body)
}

// redirect signs in from path and returns where the host sends the browser.
func (b *exampleBrowser) redirect(mux http.Handler, name, path string) string {
	resp, _, _ := b.finish(mux, name, path)
	return resp.Header.Get("Location")
}

// appleOn opens the Sign in with Apple connector on an Apple-shaped mock.
func appleOn(p *mockprovider.Apple) connector.Social {
	c, err := appleconn.New(appleconn.Config{ClientID: p.ClientID(), Scope: "name email"}, connector.WithHTTPClient(p.Client()),
		connector.WithEndpoints(connector.Endpoints{Authorization: p.URL(mockprovider.EndpointAuthorize), Token: p.URL(mockprovider.EndpointToken),
			Keys: p.URL(mockprovider.EndpointJWKS), Revocation: p.URL(mockprovider.EndpointRevoke)}))
	if err != nil {
		log.Fatal(err)
	}
	return c
}
