package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	"github.com/connectorkit/connector/internal/phone"
)

//go:embed templates/*.html static/*
var assets embed.FS

const (
	// flowTTL bounds a sign-in from the redirect to the callback.
	flowTTL = 10 * time.Minute
	// flowCookiePrefix + connector ID names the flow cookie; its path is the
	// connector's callback, so the browser sends it nowhere else.
	flowCookiePrefix = "ck_flow_"
	// smsCookie holds the sealed SMS verification.
	smsCookie = "ck_sms"
	// relayParam marks a form_post callback the demo has relayed to itself
	// (see [server.relay]).
	relayParam = "_ck_relay"
	// maxFormBytes bounds a posted form (callback or SMS form).
	maxFormBytes = 64 << 10
)

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
	b       *backend
	byID    map[string]*socialConn
	log     *slog.Logger
	seal    *sealer
	codes   *codeStore
	tmpl    map[string]*template.Template
	baseURL *url.URL // where the demo is reached; callbacks hang off it
	// canonical, when set, redirects GET requests that arrive on another
	// host (localhost vs 127.0.0.1) to baseURL, so that cookies and
	// callbacks share one origin.
	canonical bool
}

type serverConfig struct {
	Backend   *backend
	Logger    *slog.Logger
	Sealer    *sealer
	BaseURL   *url.URL
	Canonical bool
	Now       func() time.Time
}

func newServer(cfg serverConfig) (*server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{
		b: cfg.Backend, byID: map[string]*socialConn{}, log: cfg.Logger, seal: cfg.Sealer,
		codes: newCodeStore(cfg.Now), baseURL: cfg.BaseURL, canonical: cfg.Canonical,
	}
	for i := range s.b.Social {
		sc := &s.b.Social[i]
		s.byID[sc.ID] = sc
	}
	var err error
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"safeImage": safeImage}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// handler returns the demo's routes wrapped in security headers and request
// logging.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.signIn)
	mux.HandleFunc("GET /signin/{id}", s.start)
	mux.HandleFunc("GET /callback/{id}", s.callback)
	mux.HandleFunc("POST /callback/{id}", s.callback)
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
	// Another site must not make a visitor's browser send an SMS (with real
	// Twilio credentials under --config) or arm a failure: cross-origin
	// POSTs are refused. The provider's form_post callback is cross-site by
	// design; the flow cookie and the connector's state check guard it.
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST /callback/{id}")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusForbidden, "Cross-site request refused", "This form can only be sent from the demo's own pages.")
	}))
	return s.logRequests(s.securityHeaders(s.canonicalHost(csrf.Handler(mux))))
}

// --- pages -------------------------------------------------------------

// view is what every template receives: the layout's fields and the page's
// own data.
type view struct {
	Title string
	Mode  string
	Nonce string // CSP nonce for the relay page's script
	Data  any
}

type signInView struct {
	Failures   []failureGroup
	Armed      string
	Social     []socialView
	SMS        *senderConn
	UsageTypes []connector.UsageType
	Phone      string
	Usage      string
	Error      string
}

type failureGroup struct {
	Name    string
	Options []failureOption
}

type socialView struct {
	ID, Name string
	Logo     template.URL
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

func (s *server) signInView() signInView {
	v := signInView{SMS: s.b.SMS, UsageTypes: connector.UsageTypes(), Usage: string(connector.UsageSignIn)}
	for _, sc := range s.b.Social {
		v.Social = append(v.Social, socialView{ID: sc.ID, Name: sc.Meta.DisplayName(), Logo: safeImage(sc.Meta.Logo)})
	}
	for _, f := range s.b.Failures {
		name := f.Connector
		if sc, ok := s.byID[f.Connector]; ok {
			name = sc.Meta.DisplayName()
		} else if s.b.SMS != nil && s.b.SMS.ID == f.Connector {
			name = s.b.SMS.Meta.DisplayName()
		}
		if n := len(v.Failures); n == 0 || v.Failures[n-1].Name != name {
			v.Failures = append(v.Failures, failureGroup{Name: name})
		}
		g := &v.Failures[len(v.Failures)-1]
		g.Options = append(g.Options, f)
	}
	return v
}

// start begins a social sign-in: it asks the connector for the
// authorization URL, seals the flow state into a cookie scoped to the
// connector's callback, and redirects to the provider.
func (s *server) start(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.byID[r.PathValue("id")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Unknown connector", fmt.Sprintf("No connector is called %q here.", r.PathValue("id")))
		return
	}
	auth, err := sc.Conn.AuthorizationURL(r.Context(), connector.AuthRequest{RedirectURI: s.callbackURL(sc.ID)})
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	sealed, err := s.seal.seal(flowBinding(sc.ID), flowCookie{Flow: auth.Flow}, flowTTL)
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	http.SetCookie(w, s.cookie(r, flowCookiePrefix+sc.ID, "/callback/"+sc.ID, sealed, flowTTL))
	s.log.InfoContext(r.Context(), "sign-in started", "connector", sc.ID, "pkce", auth.Flow.CodeVerifier != "")
	http.Redirect(w, r, auth.URL, http.StatusFound)
}

// flowCookie is what the flow cookie seals.
type flowCookie struct {
	Flow connector.FlowState `json:"flow"`
}

func flowBinding(id string) string { return "flow:" + id }

// callback finishes a social sign-in: GET (query) or POST (form_post).
func (s *server) callback(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.byID[r.PathValue("id")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Unknown connector", fmt.Sprintf("No connector is called %q here.", r.PathValue("id")))
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.failure(w, r, sc, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: sc.ID,
				Step: connector.StepCallback, Message: "the callback form cannot be read", Err: err})
			return
		}
		params = r.PostForm
	}
	name := flowCookiePrefix + sc.ID
	c, err := r.Cookie(name)
	if err != nil && r.Method == http.MethodPost && params.Get(relayParam) == "" {
		s.relay(w, r, params)
		return
	}
	params.Del(relayParam)
	// The flow cookie is single use, whatever happens next.
	http.SetCookie(w, s.cookie(r, name, "/callback/"+sc.ID, "", -1))
	var fc flowCookie
	if err == nil {
		err = s.seal.open(flowBinding(sc.ID), c.Value, &fc)
	}
	if err != nil {
		s.failure(w, r, sc, flowError(sc.ID, err))
		return
	}
	info, err := sc.Conn.UserInfo(r.Context(), connector.Callback{Params: params, Flow: fc.Flow})
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	s.log.InfoContext(r.Context(), "signed in", "connector", sc.ID, "email_verified", info.EmailVerified,
		"private_email", info.PrivateEmail)
	s.success(w, r, sc.Meta, "Signed in with "+sc.Meta.DisplayName(), info, nil)
}

// flowError explains why the flow cookie could not be used.
func flowError(id string, err error) error {
	msg := "no sign-in with this connector is in progress in this browser: start again from the sign-in page"
	switch {
	case errors.Is(err, errSealExpired):
		msg = "the sign-in took longer than " + flowTTL.String() + ": start again from the sign-in page"
	case errors.Is(err, errSealTampered), errors.Is(err, errSealMalformed):
		msg = "the flow cookie was not issued by this server for this connector"
	}
	return &connector.Error{Code: connector.CodeStateMismatch, Connector: id, Step: connector.StepCallback, Message: msg, Err: err}
}

// relay answers a form_post callback that arrived without the flow cookie.
//
// A provider that posts its answer (Sign in with Apple's response_mode
// form_post) makes a cross-site POST, on which browsers do not send
// SameSite=Lax cookies. The demo answers with a page that posts the same
// fields to the same URL from its own origin; that same-site POST carries
// the cookie. The alternative, SameSite=None, needs https.
func (s *server) relay(w http.ResponseWriter, r *http.Request, params url.Values) {
	type field struct{ Name, Value string }
	var fields []field
	for k, vs := range params {
		for _, v := range vs {
			fields = append(fields, field{k, v})
		}
	}
	fields = append(fields, field{relayParam, "1"})
	s.render(w, r, http.StatusOK, "relay", "Signing in", struct {
		Action string
		Fields []field
	}{Action: r.URL.Path, Fields: fields})
}

// --- SMS ---------------------------------------------------------------

// smsFlow is what the SMS cookie seals.
type smsFlow struct {
	Verification string `json:"v"`
	Phone        string `json:"phone"`
	Usage        string `json:"usage"`
	MessageID    string `json:"messageId"`
	Segments     int    `json:"segments,omitempty"`
	Encoding     string `json:"encoding,omitempty"`
}

func (s *server) smsBinding() string { return "sms:" + s.b.SMS.ID }

// smsSend sends a one-time code through the SMS connector.
func (s *server) smsSend(w http.ResponseWriter, r *http.Request) {
	if s.b.SMS == nil {
		s.problem(w, r, http.StatusNotFound, "No SMS connector", "This demo has no SMS connector configured.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, http.StatusBadRequest, "Bad request", "The form cannot be read.")
		return
	}
	to := strings.TrimSpace(r.PostForm.Get("phone"))
	usage := connector.UsageType(r.PostForm.Get("usage"))
	if usage == "" {
		usage = connector.UsageSignIn
	}
	formError := func(msg string) {
		v := s.signInView()
		v.Phone, v.Usage, v.Error = to, string(usage), msg
		s.render(w, r, http.StatusBadRequest, "signin", "Sign in", v)
	}
	if !usage.Valid() {
		formError("Choose one of the listed usage types.")
		return
	}
	if to == "" {
		formError("Enter a phone number, such as +14155550100.")
		return
	}
	id, code, err := s.codes.issue(to, string(usage))
	if err != nil {
		s.problem(w, r, http.StatusServiceUnavailable, "Cannot send a code", err.Error())
		return
	}
	receipt, err := s.b.SMS.Conn.Send(r.Context(), connector.Message{To: to, Usage: usage,
		Payload: map[string]any{"code": code, "application": map[string]any{"name": "connectorkit demo"}}})
	if err != nil {
		s.codes.discard(id)
		s.failureMeta(w, r, s.b.SMS.Meta, err)
		return
	}
	e164 := to
	if n, err := phone.ToE164(to); err == nil {
		e164 = n
	}
	sealed, err := s.seal.seal(s.smsBinding(), smsFlow{Verification: id, Phone: e164, Usage: string(usage),
		MessageID: receipt.ID, Segments: receipt.Segments, Encoding: receipt.Encoding}, codeTTL)
	if err != nil {
		s.failureMeta(w, r, s.b.SMS.Meta, err)
		return
	}
	http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", sealed, codeTTL))
	s.log.InfoContext(r.Context(), "code sent", "connector", s.b.SMS.ID, "usage", string(usage),
		"message_id", receipt.ID, "segments", receipt.Segments)
	http.Redirect(w, r, "/sms/verify", http.StatusSeeOther)
}

type verifyView struct {
	Flow      smsFlow
	Error     string
	Expired   bool
	HasOutbox bool
}

// smsFlow opens the SMS cookie; ok is false (and a page is written) when
// there is no usable one.
func (s *server) smsFlow(w http.ResponseWriter, r *http.Request) (smsFlow, bool) {
	var f smsFlow
	if s.b.SMS == nil {
		s.problem(w, r, http.StatusNotFound, "No SMS connector", "This demo has no SMS connector configured.")
		return f, false
	}
	c, err := r.Cookie(smsCookie)
	if err == nil {
		err = s.seal.open(s.smsBinding(), c.Value, &f)
	}
	if err != nil {
		msg := "No code is waiting to be entered in this browser. Send a code from the sign-in page."
		if errors.Is(err, errSealExpired) {
			msg = "The code has expired. Send a new one from the sign-in page."
		}
		http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
		s.render(w, r, http.StatusBadRequest, "verify", "Enter your code", verifyView{Error: msg, Expired: true})
		return f, false
	}
	return f, true
}

func (s *server) smsVerifyPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.smsFlow(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "verify", "Enter your code", verifyView{Flow: f, HasOutbox: s.b.Outbox != nil})
}

// smsVerify checks the entered code and signs the visitor in.
func (s *server) smsVerify(w http.ResponseWriter, r *http.Request) {
	f, ok := s.smsFlow(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, http.StatusBadRequest, "Bad request", "The form cannot be read.")
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	_, usage, left, err := s.codes.verify(f.Verification, code)
	if err != nil {
		v := verifyView{Flow: f, HasOutbox: s.b.Outbox != nil}
		status := http.StatusUnauthorized
		if errors.Is(err, errCodeWrong) {
			v.Error = fmt.Sprintf("That code is not correct. %d %s left.", left, plural(left, "attempt", "attempts"))
		} else {
			v.Error = capitalize(err.Error()) + "."
			v.Expired = true
			http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
		}
		s.log.InfoContext(r.Context(), "code refused", "connector", s.b.SMS.ID, "reason", err.Error())
		s.render(w, r, status, "verify", "Enter your code", v)
		return
	}
	http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
	raw, _ := json.Marshal(map[string]any{"to": f.Phone, "usageType": usage, "messageId": f.MessageID,
		"segments": f.Segments, "encoding": f.Encoding})
	info := &connector.UserInfo{ID: f.Phone, Phone: f.Phone, PhoneVerified: true, Raw: raw}
	s.log.InfoContext(r.Context(), "signed in", "connector", s.b.SMS.ID, "usage", usage)
	s.success(w, r, s.b.SMS.Meta, "Signed in with a code sent by "+s.b.SMS.Meta.DisplayName(), info, []detail{
		{"usage type", usage}, {"message ID", f.MessageID},
	})
}

func (s *server) outbox(w http.ResponseWriter, r *http.Request) {
	if s.b.Outbox == nil {
		s.problem(w, r, http.StatusNotFound, "No outbox", "Messages go to real phones: the outbox exists only with the mock SMS provider.")
		return
	}
	msgs, err := s.b.Outbox(r.Context())
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "Outbox unavailable", err.Error())
		return
	}
	// Newest first.
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	s.render(w, r, http.StatusOK, "outbox", "SMS outbox", msgs)
}

// --- results -----------------------------------------------------------

type resultView struct {
	Heading   string
	Connector string
	Logo      template.URL
	OK        bool
	User      *connector.UserInfo
	Avatar    template.URL
	Initial   string // of the name, for an avatar placeholder
	Raw       string
	Extra     []detail
	Status    int
	Code      string
	Message   string
	Details   []detail
}

func (s *server) success(w http.ResponseWriter, r *http.Request, m connector.Metadata, heading string, info *connector.UserInfo, extra []detail) {
	v := resultView{Heading: heading, Connector: m.DisplayName(),
		Logo: safeImage(m.Logo), OK: true, User: info, Raw: prettyJSON(info.Raw), Extra: extra, Status: http.StatusOK}
	// The mock identities' avatars are on the providers' real CDNs, which
	// the offline demo does not reach: it shows their URLs only.
	if s.b.Mode != "mock" || isLocalImage(info.Avatar) {
		v.Avatar = safeImage(info.Avatar)
	}
	if r := []rune(strings.TrimSpace(info.Name)); len(r) > 0 {
		v.Initial = strings.ToUpper(string(r[0]))
	}
	s.render(w, r, http.StatusOK, "result", heading, v)
}

func (s *server) failure(w http.ResponseWriter, r *http.Request, sc *socialConn, err error) {
	s.failureMeta(w, r, sc.Meta, err)
}

// failureMeta renders a failed operation: the typed error's fields, with the
// HTTP status a host would answer with.
func (s *server) failureMeta(w http.ResponseWriter, r *http.Request, m connector.Metadata, err error) {
	status := connector.HTTPStatus(err)
	s.log.WarnContext(r.Context(), "operation failed", "connector", m.ID, "error", logValue(err))
	v := resultView{Heading: "Sign-in with " + m.DisplayName() + " failed",
		Connector: m.DisplayName(), Logo: safeImage(m.Logo), Status: status, Code: string(connector.CodeOf(err)),
		Message: capitalize(headline(err)), Details: errorDetails(err)}
	if m.Type == connector.TypeSMS {
		v.Heading = "Sending a code with " + m.DisplayName() + " failed"
	}
	s.render(w, r, status, "result", v.Heading, v)
}

// logValue is err as a structured log value: a connector error's fields
// (which never hold a secret), or its text.
func logValue(err error) slog.Value {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce.LogValue()
	}
	return slog.StringValue(err.Error())
}

func (s *server) problem(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "problem", title, struct {
		Message string
		Status  int
	}{Message: msg, Status: status})
}

// render writes the page name (a template) with title and data.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.tmpl[name]
	if !ok {
		http.Error(w, "internal error: no template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view{Title: title, Mode: s.b.Mode, Nonce: nonceFrom(r), Data: data}); err != nil {
		s.log.ErrorContext(r.Context(), "template failed", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// --- plumbing ----------------------------------------------------------

func (s *server) callbackURL(id string) string {
	return s.baseURL.JoinPath("callback", id).String()
}

// cookie returns a cookie for the demo: HttpOnly, SameSite=Lax (sent on the
// provider's redirect back, a top-level GET), Secure when served over
// https. maxAge < 0 deletes it.
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

type ctxKey int

const nonceKey ctxKey = 0

func nonceFrom(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey).(string)
	return n
}

// securityHeaders sets a strict Content Security Policy (no external
// assets, no inline scripts except the relay page's, by nonce), and the
// usual hardening headers. Referrer-Policy no-referrer keeps callback
// parameters out of Referer headers.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce := base64.RawStdEncoding.EncodeToString(b)
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data: https: http://127.0.0.1:* http://localhost:*; "+
			"script-src 'nonce-"+nonce+"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey, nonce)))
	})
}

// canonicalHost sends GET requests that reached the demo under another host
// name (http://localhost:8080 for http://127.0.0.1:8080) to the base URL:
// cookies are per host, and the callback goes to the base URL. Other
// methods under another host name are refused: a page whose own domain
// resolves to the loopback address (DNS rebinding) looks same-origin to
// the browser, and must not reach the forms.
func (s *server) canonicalHost(next http.Handler) http.Handler {
	if !s.canonical {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "" && !strings.EqualFold(r.Host, s.baseURL.Host) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.problem(w, r, http.StatusMisdirectedRequest, "Wrong host", "Use the demo at "+s.baseURL.String()+".")
				return
			}
			u := *s.baseURL
			u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs each request's method, path (never the query: it holds
// authorization codes), status and duration.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}

// safeImage returns s as a URL html/template may put in an img src: an
// http(s) URL, or a data: URI of a raster or SVG image (an SVG in an img
// element runs no script). Anything else gives "".
func safeImage(s string) template.URL {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		mime, _, _ := strings.Cut(rest, ",")
		mime, _, _ = strings.Cut(mime, ";")
		switch strings.ToLower(mime) {
		case "image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml":
			return template.URL(s)
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return template.URL(u.String())
}

// isLocalImage reports whether s is a data: URI or a loopback URL.
func isLocalImage(s string) bool {
	if strings.HasPrefix(s, "data:") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && connector.IsLoopbackHost(u.Hostname())
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
