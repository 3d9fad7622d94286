package main

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/web"
)

// This file holds the demo server: its backend, construction and routes,
// and the pages that belong to no flow (the sign-in page, the mock failure
// form). The flows are in social.go and sms.go, the middleware in
// middleware.go, the templates and view models in views.go.

//go:embed templates/*.html static/*
var assets embed.FS

// maxFormBytes bounds a posted form (the SMS and mock failure forms; web
// bounds the callback's).
const maxFormBytes = 64 << 10

// socialConn is a social connector the demo offers.
type socialConn struct {
	ID   string
	Meta connector.Metadata
	Conn connector.Social
}

// senderConn is the SMS connector the demo offers.
type senderConn struct {
	ID   string
	Meta connector.Metadata
	Conn connector.Sender
}

// outboxMessage is a message the mock Twilio received.
type outboxMessage struct {
	SID  string
	To   string
	From string
	Body string
	Sent time.Time
}

// backend is what the demo serves: connectors wired to mock providers or to
// real ones.
type backend struct {
	// Mode is "mock" (offline, the conformance kit's mock providers) or
	// "config" (real providers from a connectors file).
	Mode   string
	Social []socialConn
	// SMS is nil when no sender is configured.
	SMS *senderConn
	// Outbox lists what the mock SMS provider received; nil with real
	// providers.
	Outbox func(ctx context.Context) ([]outboxMessage, error)
	// Failures lists, in mock mode, the provider failures a visitor can
	// arm for the next request to a connector's mock; Arm arms one.
	Failures []failureOption
	Arm      func(connectorID, key string) (failureOption, error)
	// Close stops the mock providers.
	Close func()

	// mocks are the started mock providers by connector ID (mock mode),
	// for tests.
	mocks map[string]mockprovider.Provider
}

// failureOption is a provider failure the demo can simulate.
type failureOption struct {
	Connector string // connector ID
	Key       string // stable key within the connector
	Label     string
}

// server is the demo identity server's HTTP handler.
type server struct {
	b    *backend
	byID map[string]*socialConn
	log  *slog.Logger
	seal *sealer // the SMS cookie's
	// flows and handlers run the social sign-ins (social.go): handlers
	// by connector ID.
	flows    *web.Flows
	handlers map[string]*web.Handlers
	codes    *codeStore
	tmpl     map[string]*template.Template
	baseURL  *url.URL // where the demo is reached; callbacks hang off it
	// canonical, when set, redirects GET requests that arrive on another
	// host (localhost vs 127.0.0.1) to baseURL, so that cookies and
	// callbacks share one origin.
	canonical bool
}

type serverConfig struct {
	Backend *backend
	Logger  *slog.Logger
	// Sealer seals the SMS cookie; FlowKeys seal the social flow cookies
	// (see [web.Config.Keys]).
	Sealer    *sealer
	FlowKeys  [][]byte
	BaseURL   *url.URL
	Canonical bool
	Now       func() time.Time
}

func newServer(cfg serverConfig) (*server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{
		b: cfg.Backend, byID: map[string]*socialConn{}, handlers: map[string]*web.Handlers{}, log: cfg.Logger, seal: cfg.Sealer,
		codes: newCodeStore(cfg.Now), baseURL: cfg.BaseURL, canonical: cfg.Canonical,
	}
	var err error
	s.flows, err = web.New(web.Config{Keys: cfg.FlowKeys, OnSignIn: s.signedIn, OnError: s.signInFailed, Logger: s.log, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	for i := range s.b.Social {
		sc := &s.b.Social[i]
		s.byID[sc.ID] = sc
		if s.handlers[sc.ID], err = s.flows.Handlers(sc.Conn, s.callbackURL(sc.ID)); err != nil {
			return nil, fmt.Errorf("connector %q: %w", sc.ID, err)
		}
	}
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// handler returns the demo's routes wrapped in the middleware of
// middleware.go: cross-origin protection, the foreign-Host refusal (with
// canonical), security headers and request logging.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.signIn)
	mux.HandleFunc("GET /signin/{id}", s.socialHandlers((*web.Handlers).SignIn))
	mux.HandleFunc("GET /callback/{id}", s.socialHandlers((*web.Handlers).Callback))
	mux.HandleFunc("POST /callback/{id}", s.socialHandlers((*web.Handlers).Callback))
	mux.HandleFunc("POST /sms/send", s.smsSend)
	mux.HandleFunc("GET /sms/verify", s.smsVerifyPage)
	mux.HandleFunc("POST /sms/verify", s.smsVerify)
	mux.HandleFunc("GET /outbox", s.outbox)
	mux.HandleFunc("POST /mock/fail", s.arm)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is nothing at "+r.URL.Path+".")
	})
	return s.logRequests(s.securityHeaders(s.canonicalHost(s.crossOrigin(mux))))
}

func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	v := s.signInView()
	if armed := r.URL.Query().Get("armed"); armed != "" {
		for _, g := range v.Failures {
			for _, f := range g.Options {
				if f.Connector+"|"+f.Key == armed {
					v.Armed = g.Name + ": " + f.Label
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "signin", "Sign in", v)
}

// arm programs a mock provider to fail its next request (mock mode).
func (s *server) arm(w http.ResponseWriter, r *http.Request) {
	if s.b.Arm == nil {
		s.problem(w, r, http.StatusNotFound, "No mock providers", "Failures can be simulated only with the mock providers.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, http.StatusBadRequest, "Bad request", "The form cannot be read.")
		return
	}
	id, key, _ := strings.Cut(r.PostForm.Get("failure"), "|")
	f, err := s.b.Arm(id, key)
	if err != nil {
		s.problem(w, r, http.StatusBadRequest, "Unknown failure", err.Error())
		return
	}
	s.log.InfoContext(r.Context(), "failure armed", "connector", id, "failure", key)
	http.Redirect(w, r, "/?armed="+url.QueryEscape(f.Connector+"|"+f.Key), http.StatusSeeOther)
}

func (s *server) callbackURL(id string) string {
	return s.baseURL.JoinPath("callback", id).String()
}

// cookie returns a cookie of the demo's SMS flow (web sets the social flow
// cookies): HttpOnly, SameSite=Lax, Secure when served over https. maxAge
// < 0 deletes it.
func (s *server) cookie(r *http.Request, name, path, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || s.baseURL.Scheme == "https"}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}
