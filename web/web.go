package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/connector"
)

// Defaults and limits.
const (
	// DefaultTTL is how long a sign-in may take from the redirect to the
	// callback.
	DefaultTTL = 10 * time.Minute
	// DefaultCookieName starts the name of every flow cookie.
	DefaultCookieName = "ck_flow"
	// DefaultMaxPending is how many unfinished flows a browser may hold.
	DefaultMaxPending = 5
	// DefaultMaxFormBytes bounds the body of a POST callback.
	DefaultMaxFormBytes = 64 << 10
	// MinKeyBytes is the least length of a key of [Config.Keys].
	MinKeyBytes = 32
	// MaxDataBytes bounds the host data sealed with a flow ([WithPrepare]).
	MaxDataBytes = 1024
)

// The causes of a state_mismatch error: errors.Is(err, web.ErrFlowExpired)
// tells why the callback's flow cookie was refused.
var (
	// ErrNoFlow: the callback came without the flow cookie of its state (no
	// sign-in started in this browser, cleared by an earlier callback, or
	// expired and dropped by the browser).
	ErrNoFlow = errors.New("web: no flow cookie for the callback's state")
	// ErrFlowInvalid: the cookie does not open (changed, malformed, sealed
	// under a key no longer in [Config.Keys], or under another name).
	ErrFlowInvalid = errors.New("web: the flow cookie does not open")
	// ErrFlowExpired: the cookie's sealed expiry has passed.
	ErrFlowExpired = errors.New("web: the flow cookie has expired")
	// ErrFlowForeign: the cookie was sealed for another connector or
	// redirect URI.
	ErrFlowForeign = errors.New("web: the flow cookie belongs to another connector")
	// ErrFlowReplayed: [Config.ReplayGuard] has seen this flow already.
	ErrFlowReplayed = errors.New("web: the flow was already used")
)

// Config configures [New]. Keys and OnSignIn are required.
type Config struct {
	// Keys seal and open the flow cookies: the first seals, every one
	// opens. Each is at least [MinKeyBytes] random bytes (openssl rand
	// -base64 32) that every replica shares; keep them with the host's
	// secrets. To rotate, put the new key first and drop the old one a TTL
	// later.
	Keys [][]byte
	// OnSignIn receives a successful sign-in. It answers the browser:
	// typically it links or creates the account, starts the host's session
	// and redirects. The headers the callback set (the flow cookie's
	// deletion, Cache-Control: no-store, Referrer-Policy: no-referrer) go
	// out with its answer.
	OnSignIn func(w http.ResponseWriter, r *http.Request, res *Result)
	// OnError receives every failure of both handlers; [DefaultOnError]
	// when nil. Render it with [connector.HTTPStatus] and [connector.CodeOf].
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// TTL bounds a flow, from one minute to an hour; [DefaultTTL] when zero.
	TTL time.Duration
	// CookieName starts the flow cookies' names (letters, digits, '-' and
	// '_'); [DefaultCookieName] when empty.
	CookieName string
	// MaxPending bounds the unfinished flows one browser holds, from 1 to
	// 20; [DefaultMaxPending] when zero. Starting one more drops the
	// oldest.
	MaxPending int
	// MaxFormBytes bounds the body of a POST callback;
	// [DefaultMaxFormBytes] when zero.
	MaxFormBytes int64
	// ReplayGuard, when set, makes each flow strictly single use (see the
	// package documentation).
	ReplayGuard ReplayGuard
	// Logger receives a line per sign-in started, finished or failed,
	// scoped per connector; silent when nil. No line holds a secret, token,
	// code or profile field.
	Logger *slog.Logger
	// Now is the clock of the expiry; time.Now when nil.
	Now func() time.Time
}

// String describes the config without its keys: their number only.
func (c Config) String() string {
	return fmt.Sprintf("web.Config{Keys:%d [REDACTED] TTL:%s CookieName:%q MaxPending:%d MaxFormBytes:%d ReplayGuard:%t}",
		len(c.Keys), c.TTL, c.CookieName, c.MaxPending, c.MaxFormBytes, c.ReplayGuard != nil)
}

// GoString is like String, so %#v reveals no key either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb: fmt would print the key bytes for
// the verbs String does not serve (%d, %x...).
func (c Config) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue logs String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ReplayGuard records used flows, for hosts that need strict single use
// beyond what the provider enforces.
type ReplayGuard interface {
	// Consume records the flow id as used and reports whether this was
	// its first use. It must be atomic across replicas (Redis SET NX, an
	// insert into a unique column); the record may be dropped after
	// expires. An error fails the callback as retryable.
	Consume(ctx context.Context, id string, expires time.Time) (first bool, err error)
}

// Result is a successful sign-in, handed to [Config.OnSignIn].
type Result struct {
	// Connector signed the user in. Link accounts by
	// Connector.Metadata().Target and User.ID.
	Connector connector.Social
	// User is the normalized profile (with the provider tokens only under
	// [WithTokens]). Link by email only when User.EmailVerified is true.
	User *connector.UserInfo
	// Data is what the [WithPrepare] function returned when the flow
	// started, "" otherwise.
	Data string
}

// Flows holds what every connector's handlers share: the keys, the host's
// callbacks, the limits. It is immutable and safe for concurrent use.
type Flows struct {
	seal       *sealer
	onSignIn   func(http.ResponseWriter, *http.Request, *Result)
	onError    func(http.ResponseWriter, *http.Request, error)
	ttl        time.Duration
	cookieName string
	maxPending int
	maxForm    int64
	guard      ReplayGuard
	log        *slog.Logger
	now        func() time.Time
}

// New checks cfg and returns the flows it describes. Every invalid field is
// reported at once, in a [*connector.Error] with code invalid_config.
func New(cfg Config) (*Flows, error) {
	var fe connector.FieldErrors
	bad := func(path, msg string) { fe = append(fe, connector.FieldError{Path: path, Message: msg}) }
	if len(cfg.Keys) == 0 {
		bad("Keys", "needs at least one key of "+strconv.Itoa(MinKeyBytes)+" random bytes")
	}
	for i, k := range cfg.Keys {
		if len(k) < MinKeyBytes {
			bad("Keys["+strconv.Itoa(i)+"]", fmt.Sprintf("must be at least %d bytes, got %d", MinKeyBytes, len(k)))
		}
	}
	if cfg.OnSignIn == nil {
		bad("OnSignIn", "is required")
	}
	if cfg.TTL != 0 && (cfg.TTL < time.Minute || cfg.TTL > time.Hour) {
		bad("TTL", "must be from 1m to 1h, got "+cfg.TTL.String())
	}
	if cfg.CookieName != "" && !validCookieName(cfg.CookieName) {
		bad("CookieName", "must be letters, digits, '-' and '_', not starting with '_'")
	}
	if cfg.MaxPending < 0 || cfg.MaxPending > 20 {
		bad("MaxPending", "must be from 1 to 20, got "+strconv.Itoa(cfg.MaxPending))
	}
	if cfg.MaxFormBytes < 0 {
		bad("MaxFormBytes", "must not be negative")
	}
	if len(fe) > 0 {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: "web: invalid config", Fields: fe}
	}
	s, err := newSealer(cfg.Keys)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: "web: the keys cannot be used", Err: err}
	}
	f := &Flows{seal: s, onSignIn: cfg.OnSignIn, onError: cfg.OnError, ttl: cmp.Or(cfg.TTL, DefaultTTL),
		cookieName: cmp.Or(cfg.CookieName, DefaultCookieName), maxPending: cmp.Or(cfg.MaxPending, DefaultMaxPending),
		maxForm: cmp.Or(cfg.MaxFormBytes, DefaultMaxFormBytes), guard: cfg.ReplayGuard, log: cfg.Logger, now: cfg.Now}
	if f.onError == nil {
		f.onError = DefaultOnError
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

func validCookieName(s string) bool {
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok || i == 0 && r == '_' {
			return false
		}
	}
	return true
}

// hostPrefix starts the name of a cookie that only a secure origin may set,
// for its own host only, with path "/".
const hostPrefix = "__Host-"

// flowCookieName names the cookie of the flow whose state is state: a hash,
// so that any state a connector or host picks gives a valid, short name.
func (f *Flows) flowCookieName(secure bool, state string) string {
	sum := sha256.Sum256([]byte(state))
	name := f.cookieName + "_" + base64.RawURLEncoding.EncodeToString(sum[:12])
	if secure {
		return hostPrefix + name
	}
	return name
}

// isFlowCookie reports whether name is a flow cookie of f's.
func (f *Flows) isFlowCookie(name string) bool {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, hostPrefix), f.cookieName+"_")
	return ok && len(rest) == 16
}

// Option tunes the [Handlers] of one connector.
type Option func(*options)

// options are the settings of [Option]s.
type options struct {
	formPost   bool
	wantTokens bool
	prepare    func(*http.Request, *connector.AuthRequest) (string, error)
}

// WithTokens asks the connector for the provider tokens, handed to
// [Config.OnSignIn] in Result.User.Tokens (see [connector.Callback]).
func WithTokens() Option { return func(o *options) { o.wantTokens = true } }

// WithFormPost sets SameSite=None (and Secure) on every flow cookie of the
// connector, for a provider that posts its callback from its own site even
// when the authorization URL has no response_mode=form_post (which the
// handler detects by itself).
func WithFormPost() Option { return func(o *options) { o.formPost = true } }

// WithPrepare lets the host shape each sign-in from the request that starts
// it. prepare may set req's State (the host's own state value: unique and
// unguessable per flow), Scope, Prompt and LoginHint; the redirect URI is
// always the handler's. The data it returns (at most [MaxDataBytes]: a page
// to return to, an interaction ID) is sealed with the flow and handed back
// in [Result.Data]; it is the host's to validate, then and there. An error
// goes to [Config.OnError] as given.
//
// Without it the request is not read: the connector's configured scope
// applies and the state is random. Forward only what the host allows, e.g.
// a login_hint from the query, or a prompt from a fixed list.
func WithPrepare(prepare func(r *http.Request, req *connector.AuthRequest) (data string, err error)) Option {
	return func(o *options) { o.prepare = prepare }
}

// Handlers are the sign-in and callback handlers of one connector. They are
// immutable and safe for concurrent use.
type Handlers struct {
	f           *Flows
	c           connector.Social
	meta        connector.Metadata
	redirectURI string
	binding     [bindingSize]byte
	// secure: the redirect URI is https, so cookies are Secure and
	// __Host- prefixed; else it is http on a loopback host.
	secure bool
	opts   options
	log    *slog.Logger
}

// Handlers returns the handlers of connector c, whose callback is
// redirectURI (the URL registered with the provider, where the host mounts
// [Handlers.Callback]). redirectURI must be an absolute https URL, or http
// on a loopback host for development. Mount [Handlers.SignIn] on the same
// host: the flow cookie is a host-only cookie.
func (f *Flows) Handlers(c connector.Social, redirectURI string, opts ...Option) (*Handlers, error) {
	h := &Handlers{f: f, c: c, redirectURI: redirectURI}
	var fe connector.FieldErrors
	if c == nil {
		fe = append(fe, connector.FieldError{Path: "connector", Message: "is required"})
	} else {
		h.meta = c.Metadata()
	}
	u, err := url.Parse(redirectURI)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" || u.User != nil:
		fe = append(fe, connector.FieldError{Path: "redirectURI", Message: "must be an absolute URL with a host and no fragment or user info"})
	case u.Scheme == "https":
		h.secure = true
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		fe = append(fe, connector.FieldError{Path: "redirectURI", Message: "must be https (http only on a loopback host)"})
	}
	if len(fe) > 0 {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: h.meta.ID, Step: connector.StepConfig,
			Message: "web: invalid handlers", Fields: fe}
	}
	for _, o := range opts {
		o(&h.opts)
	}
	sum := sha256.Sum256([]byte("connectorkit/web binding\x00" + h.meta.ID + "\x00" + h.meta.Target + "\x00" + redirectURI))
	copy(h.binding[:], sum[:])
	h.log = f.log.With(slog.Group("connector", slog.String("id", h.meta.ID), slog.String("target", h.meta.Target)))
	return h, nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SignIn starts a sign-in: it asks the connector for the authorization URL,
// seals the flow into a cookie and redirects the browser to the provider.
// It answers any method (mount it on GET, or POST for a form button).
func (h *Handlers) SignIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req connector.AuthRequest
	var data string
	if h.opts.prepare != nil {
		var err error
		if data, err = h.opts.prepare(r, &req); err != nil {
			h.fail(w, r, err)
			return
		}
		if len(data) > MaxDataBytes {
			h.fail(w, r, h.newError(connector.CodeInvalidRequestParameters, connector.StepAuthorize,
				fmt.Sprintf("the prepared data is %d bytes, more than %d", len(data), MaxDataBytes), nil))
			return
		}
	}
	req.RedirectURI = h.redirectURI
	auth, err := h.c.AuthorizationURL(ctx, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if auth == nil || auth.URL == "" || auth.Flow.State == "" {
		h.fail(w, r, h.newError(connector.CodeGeneral, connector.StepAuthorize, "the connector returned no URL or no state", nil))
		return
	}
	crossSite := h.opts.formPost || isFormPost(auth.URL)
	now := h.f.now()
	h.prune(w, r, now)
	name := h.f.flowCookieName(h.secure, auth.Flow.State)
	value := h.f.seal.seal(name, &payload{expires: now.Add(h.f.ttl).Unix(), binding: h.binding, state: auth.Flow.State,
		redirectURI: auth.Flow.RedirectURI, verifier: auth.Flow.CodeVerifier, nonce: auth.Flow.Nonce, data: data})
	if len(name)+len(value) > maxCookieBytes {
		h.fail(w, r, h.newError(connector.CodeGeneral, connector.StepAuthorize, "the flow cookie would be larger than browsers keep", nil))
		return
	}
	c := &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(h.f.ttl / time.Second), HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode}
	if crossSite {
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
	w.Header().Set("Cache-Control", "no-store")
	h.log.LogAttrs(ctx, slog.LevelInfo, "sign-in started", slog.Bool("form_post", crossSite), slog.Bool("pkce", auth.Flow.CodeVerifier != ""))
	status := http.StatusFound
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status = http.StatusSeeOther
	}
	http.Redirect(w, r, auth.URL, status)
}

// isFormPost reports whether the authorization URL asks the provider to
// post its answer (response_mode form_post, or JARM's form_post.jwt).
func isFormPost(authURL string) bool {
	u, err := url.Parse(authURL)
	if err != nil {
		return false
	}
	mode := u.Query().Get("response_mode")
	return mode == "form_post" || mode == "form_post.jwt"
}

// prune drops the browser's flow cookies that are expired or do not open,
// and the oldest live ones beyond MaxPending-1, to make room for one more.
func (h *Handlers) prune(w http.ResponseWriter, r *http.Request, now time.Time) {
	type pending struct {
		name    string
		expires int64
	}
	var live []pending
	for _, c := range r.Cookies() {
		if !h.f.isFlowCookie(c.Name) {
			continue
		}
		p, err := h.f.seal.open(c.Name, c.Value)
		if err != nil || now.Unix() >= p.expires {
			h.clear(w, c.Name)
			continue
		}
		live = append(live, pending{c.Name, p.expires})
	}
	if extra := len(live) - (h.f.maxPending - 1); extra > 0 {
		slices.SortFunc(live, func(a, b pending) int { return cmp.Compare(a.expires, b.expires) })
		for _, p := range live[:extra] {
			h.clear(w, p.name)
		}
	}
}

// clear deletes the flow cookie called name.
func (h *Handlers) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.secure || strings.HasPrefix(name, hostPrefix), SameSite: http.SameSiteLaxMode})
}

// maxClearedStates bounds the cookies a callback with several states clears.
const maxClearedStates = 4

// Callback finishes a sign-in: the provider's redirect (GET, parameters in
// the query) or form post (POST, parameters in an
// application/x-www-form-urlencoded body of at most [Config.MaxFormBytes]).
// It answers other methods with 405. It clears the flow cookie of the
// callback's state whatever the outcome, then hands the user to
// [Config.OnSignIn] or the error to [Config.OnError]. A callback with no
// state cannot name its flow (some providers omit it on an error): its
// cookie is left to expire. Its responses are not stored (Cache-Control:
// no-store) and send no Referer (the URL holds the authorization code).
func (h *Handlers) Callback(w http.ResponseWriter, r *http.Request) {
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, h.f.maxForm)
		if err := r.ParseForm(); err != nil {
			h.fail(w, r, h.newError(connector.CodeInvalidRequestParameters, connector.StepCallback,
				fmt.Sprintf("the callback form is malformed or larger than %d bytes", h.f.maxForm), nil))
			return
		}
		params = r.PostForm
	}
	states := params["state"]
	for i, s := range states {
		if i == maxClearedStates {
			break
		}
		if name := h.f.flowCookieName(h.secure, s); hasCookie(r, name) {
			h.clear(w, name)
		}
	}
	switch {
	case len(states) == 0 || len(states) == 1 && states[0] == "":
		h.fail(w, r, h.newError(connector.CodeInvalidRequestParameters, connector.StepCallback, "the callback has no state", nil))
		return
	case len(states) > 1:
		h.fail(w, r, h.newError(connector.CodeInvalidRequestParameters, connector.StepCallback, "the callback has several states", nil))
		return
	}
	p, err := h.openFlow(r, states[0])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if h.f.guard != nil {
		first, err := h.f.guard.Consume(ctx, p.id, time.Unix(p.expires, 0))
		if err != nil {
			e := h.newError(connector.CodeGeneral, connector.StepCallback, "the replay guard failed", err)
			e.Retryable = true
			h.fail(w, r, e)
			return
		}
		if !first {
			h.fail(w, r, h.flowError(ErrFlowReplayed))
			return
		}
	}
	flow := connector.FlowState{State: p.state, RedirectURI: p.redirectURI, CodeVerifier: p.verifier, Nonce: p.nonce}
	info, err := h.c.UserInfo(ctx, connector.Callback{Params: params, Flow: flow, WantTokens: h.opts.wantTokens})
	if err == nil && info == nil {
		err = h.newError(connector.CodeGeneral, connector.StepCallback, "the connector returned no user", nil)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "signed in", slog.Bool("email_verified", info.EmailVerified), slog.Bool("tokens", info.Tokens != nil))
	h.f.onSignIn(w, r, &Result{Connector: h.c, User: info, Data: p.data})
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// openFlow opens the flow cookie of state and checks its binding, expiry
// and state.
func (h *Handlers) openFlow(r *http.Request, state string) (*payload, error) {
	name := h.f.flowCookieName(h.secure, state)
	c, err := r.Cookie(name)
	if err != nil {
		return nil, h.flowError(ErrNoFlow)
	}
	p, err := h.f.seal.open(name, c.Value)
	switch {
	case err != nil:
		return nil, h.flowError(ErrFlowInvalid)
	case subtle.ConstantTimeCompare(p.binding[:], h.binding[:]) != 1:
		return nil, h.flowError(ErrFlowForeign)
	case h.f.now().Unix() >= p.expires:
		return nil, h.flowError(ErrFlowExpired)
	case subtle.ConstantTimeCompare([]byte(p.state), []byte(state)) != 1:
		// The name is a hash of the state and authenticated with the
		// value: only a hash collision gets here.
		return nil, h.flowError(ErrFlowInvalid)
	}
	return p, nil
}

// flowError is the state_mismatch error of a refused flow cookie.
func (h *Handlers) flowError(cause error) *connector.Error {
	var msg string
	switch cause {
	case ErrNoFlow:
		msg = "no sign-in with this connector is in progress in this browser for this callback: start again"
	case ErrFlowExpired:
		msg = "the sign-in took longer than " + spoken(h.f.ttl) + ": start again"
	case ErrFlowForeign:
		msg = "the flow cookie was issued for another connector: start again"
	case ErrFlowReplayed:
		msg = "this callback was used already: start again"
	default:
		msg = "the flow cookie was not issued by this server or was changed: start again"
	}
	return h.newError(connector.CodeStateMismatch, connector.StepCallback, msg, cause)
}

// spoken writes d as a person would say it ("10 minutes", "1 hour",
// "90 seconds"); a duration of no whole unit keeps Go's form.
func spoken(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d > 0 && d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return d.String()
}

func (h *Handlers) newError(code connector.Code, step connector.Step, msg string, cause error) *connector.Error {
	return &connector.Error{Code: code, Connector: h.meta.ID, Step: step, Message: msg, Err: cause}
}

// fail logs err and hands it to OnError.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "sign-in failed", slog.String("method", r.Method),
		slog.String("code", string(connector.CodeOf(err))), slog.Any("error", err))
	h.f.onError(w, r, err)
}

// DefaultOnError answers with the status of [connector.HTTPStatus] and a
// short plain-text page: the error's code and, for a [*connector.Error],
// its message (never a secret, by the contract of that type). Any other
// error is a 500 whose text is not shown: it may come from the host.
func DefaultOnError(w http.ResponseWriter, r *http.Request, err error) {
	msg := "sign-in failed: internal error"
	var ce *connector.Error
	if errors.As(err, &ce) {
		msg = "sign-in failed: " + string(connector.CodeOf(ce))
		if ce.Message != "" {
			msg += ": " + ce.Message
		}
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(connector.HTTPStatus(err))
	fmt.Fprintln(w, msg)
}
