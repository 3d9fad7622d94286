package web_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/web"
)

// New checks the whole Config at once: a bad one is an invalid_config
// error that names every field at fault.
func ExampleNew() {
	onSignIn := func(w http.ResponseWriter, r *http.Request, res *web.Result) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	cfg := web.Config{
		Keys:     [][]byte{secret("flow-key")}, // 32 random bytes from the host's secret store
		OnSignIn: onSignIn,
		TTL:      5 * time.Minute,
	}
	flows, err := web.New(cfg)
	fmt.Println(flows != nil, err)
	fmt.Println(cfg) // the keys are never printed, only their number

	_, err = web.New(web.Config{
		Keys:     [][]byte{[]byte("too-short")},
		OnSignIn: onSignIn,
		TTL:      2 * time.Hour,
	})
	fmt.Println(connector.CodeOf(err), errors.Is(err, connector.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true <nil>
	// web.Config{Keys:1 [REDACTED] TTL:5m0s CookieName:"" MaxPending:0 MaxFormBytes:0 ReplayGuard:false}
	// invalid_config true
	// config: invalid_config: web: invalid config: Keys[0]: must be at least 32 bytes, got 9; TTL: must be from 1m to 1h, got 2h0m0s
}

// One Flows serves every connector: each gets its own Handlers, bound to
// its callback URL, mounted on the host's mux. SignIn redirects the
// browser to the connector's provider.
func ExampleFlows_Handlers() {
	github, apple, _ := exampleConnectors()
	flows, err := web.New(web.Config{
		Keys:     [][]byte{secret("flow-key")},
		OnSignIn: func(w http.ResponseWriter, r *http.Request, res *web.Result) {},
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
		mux.HandleFunc("/callback/"+name, h.Callback)
	}

	for _, name := range []string{"github", "apple"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://id.example.com/signin/"+name, nil))
		loc, _ := url.Parse(rec.Header().Get("Location"))
		fmt.Println(name, rec.Code, loc.Host+loc.Path)
	}

	_, err = flows.Handlers(github, "http://id.example.com/callback/github") // plain http off loopback
	fmt.Println(err)
	// Output:
	// github 302 oauth2.mock.test/authorize
	// apple 302 apple.mock.test/auth/authorize
	// connector oauth2: config: invalid_config: web: invalid handlers: redirectURI: must be https (http only on a loopback host)
}

// WithTokens hands the provider tokens to OnSignIn, for a host that calls
// the provider's API on the user's behalf; without it User.Tokens is nil.
func ExampleWithTokens() {
	github, _, browser := exampleConnectors()
	flows, err := web.New(web.Config{
		Keys: [][]byte{secret("flow-key")},
		OnSignIn: func(w http.ResponseWriter, r *http.Request, res *web.Result) {
			// Store res.User.Tokens encrypted with the account; never log them.
			fmt.Println(res.User.ID, "tokens:", res.User.Tokens != nil)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, opts := range [][]web.Option{nil, {web.WithTokens()}} {
		h, err := flows.Handlers(github, "https://id.example.com/callback/github", opts...)
		if err != nil {
			log.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /signin/github", h.SignIn)
		mux.HandleFunc("GET /callback/github", h.Callback)
		browser.finish(mux, "github", "/signin/github")
	}
	// Output:
	// u-1001 tokens: false
	// u-1001 tokens: true
}

// WithFormPost makes the flow cookie SameSite=None (and Secure), so that
// it comes with a callback the provider posts from its own site.
func ExampleWithFormPost() {
	github, _, _ := exampleConnectors()
	flows, err := web.New(web.Config{
		Keys:     [][]byte{secret("flow-key")},
		OnSignIn: func(w http.ResponseWriter, r *http.Request, res *web.Result) {},
	})
	if err != nil {
		log.Fatal(err)
	}
	sameSite := map[http.SameSite]string{http.SameSiteLaxMode: "Lax", http.SameSiteNoneMode: "None"}
	for _, name := range []string{"default", "WithFormPost"} {
		var opts []web.Option
		if name == "WithFormPost" {
			opts = append(opts, web.WithFormPost())
		}
		h, err := flows.Handlers(github, "https://id.example.com/callback/github", opts...)
		if err != nil {
			log.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.SignIn(rec, httptest.NewRequest(http.MethodGet, "https://id.example.com/signin/github", nil))
		for _, c := range rec.Result().Cookies() {
			fmt.Printf("%s: SameSite=%s Secure=%t HttpOnly=%t\n", name, sameSite[c.SameSite], c.Secure, c.HttpOnly)
		}
	}
	// Output:
	// default: SameSite=Lax Secure=true HttpOnly=true
	// WithFormPost: SameSite=None Secure=true HttpOnly=true
}

// DefaultOnError is the error page when Config.OnError is nil: the status
// of the error's code and a plain-text line, with no secret in it.
func ExampleDefaultOnError() {
	rec := httptest.NewRecorder()
	err := &connector.Error{Code: connector.CodeStateMismatch, Step: connector.StepCallback,
		Message: "the flow cookie has expired", Err: web.ErrFlowExpired}
	web.DefaultOnError(rec, httptest.NewRequest(http.MethodGet, "https://id.example.com/callback/github", nil), err)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())

	rec = httptest.NewRecorder() // any other error: a 500 whose text is not shown
	web.DefaultOnError(rec, httptest.NewRequest(http.MethodGet, "https://id.example.com/callback/github", nil),
		errors.New("db: connection refused"))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())
	// Output:
	// 401 text/plain; charset=utf-8
	// sign-in failed: state_mismatch: the flow cookie has expired
	// 500 text/plain; charset=utf-8
	// sign-in failed: internal error
}
