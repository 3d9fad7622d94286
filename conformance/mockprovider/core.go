package mockprovider

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jarcoal/httpmock"
)

// defaultHangLimit bounds a Hang whose request context never ends.
const defaultHangLimit = time.Minute

// handlerFunc serves one endpoint; f is the active failure for the modes the
// endpoint renders itself (MissingID, WrongTypes, MissingToken, id_token
// faults), the zero Failure otherwise.
type handlerFunc func(w http.ResponseWriter, r *http.Request, f Failure)

// errorShaper renders a provider-shaped error answer for a failure mode.
type errorShaper func(e Endpoint, f Failure) (status int, contentType string, body []byte)

// core is what every mock shares: the endpoint table, failure switches,
// counters, the httpmock responder and the local server.
type core struct {
	name  string
	self  http.Handler // the provider embedding this core
	paths map[Endpoint]string
	// modes lists, per endpoint, the modes the provider renders beyond the
	// generic ones (which every endpoint but authorize supports).
	modes map[Endpoint][]Mode
	shape errorShaper

	mu        sync.Mutex
	base      string
	failures  map[Endpoint]Failure
	requests  map[Endpoint]int
	bytes     map[Endpoint]int64
	canceled  map[Endpoint]int
	problems  []string
	hangLimit time.Duration
	release   chan struct{}
	srv       *http.Server
}

func newCore(name string, paths map[Endpoint]string, modes map[Endpoint][]Mode, shape errorShaper) *core {
	return &core{
		name: name, paths: paths, modes: modes, shape: shape,
		base:      "https://" + name + ".mock.test",
		failures:  map[Endpoint]Failure{},
		requests:  map[Endpoint]int{},
		bytes:     map[Endpoint]int64{},
		canceled:  map[Endpoint]int{},
		hangLimit: defaultHangLimit,
		release:   make(chan struct{}),
	}
}

// Name returns the provider's name.
func (c *core) Name() string { return c.name }

// BaseURL returns the fake host, or the local server's URL once started.
func (c *core) BaseURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base
}

// URL returns the address of endpoint e, or "" when the mock has none.
func (c *core) URL(e Endpoint) string {
	p, ok := c.paths[e]
	if !ok {
		return ""
	}
	return c.BaseURL() + p
}

// Endpoints lists the endpoints the mock serves, in a fixed order.
func (c *core) Endpoints() []Endpoint {
	var out []Endpoint
	for _, e := range []Endpoint{EndpointAuthorize, EndpointToken, EndpointUserInfo, EndpointJWKS, EndpointRevoke, EndpointMessages} {
		if _, ok := c.paths[e]; ok {
			out = append(out, e)
		}
	}
	return out
}

var genericModes = []Mode{Unauthorized, RateLimited, ServerError, Unavailable, HTMLPage, TruncatedJSON,
	Oversized, Hang, EmptyBody, ProviderError, Custom}

// Supports reports whether mode m can be rendered at endpoint e.
func (c *core) Supports(e Endpoint, m Mode) bool {
	if _, ok := c.paths[e]; !ok {
		return false
	}
	if m == OK {
		return true
	}
	if e == EndpointRedirectTarget {
		// The redirect target only counts the clients that reach it.
		return false
	}
	if m == Redirect {
		// Only a mock that serves the redirect target can tell whether a
		// client followed the redirect.
		_, ok := c.paths[EndpointRedirectTarget]
		return ok && e != EndpointAuthorize && e != EndpointRedirectTarget
	}
	for _, x := range c.modes[e] {
		if x == m {
			return true
		}
	}
	if e == EndpointAuthorize {
		return false
	}
	for _, x := range genericModes {
		if x == m {
			return true
		}
	}
	return false
}

// SetFailure switches endpoint e to f.
func (c *core) SetFailure(e Endpoint, f Failure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.Mode == OK {
		delete(c.failures, e)
		return
	}
	c.failures[e] = f
}

// Fail is SetFailure(e, Failure{Mode: m}).
func (c *core) Fail(e Endpoint, m Mode) { c.SetFailure(e, Failure{Mode: m}) }

// ClearFailures returns every endpoint to normal.
func (c *core) ClearFailures() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = map[Endpoint]Failure{}
}

// SetHangLimit bounds how long a Hang lasts.
func (c *core) SetHangLimit(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		d = defaultHangLimit
	}
	c.hangLimit = d
}

// Requests counts the HTTP requests endpoint e served.
func (c *core) Requests(e Endpoint) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[e]
}

// BytesSent counts the body bytes endpoint e wrote.
func (c *core) BytesSent(e Endpoint) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes[e]
}

// CanceledHangs counts the hangs at e ended by the request's context.
func (c *core) CanceledHangs(e Endpoint) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.canceled[e]
}

// Problems lists the requests the mock refused as wrong.
func (c *core) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}

// problem records a refused request; msg must never hold a secret value.
func (c *core) problem(e Endpoint, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.problems) < 1000 {
		c.problems = append(c.problems, string(e)+": "+fmt.Sprintf(format, args...))
	}
}

// take returns the active failure of e, counting one use of it, and counts
// the request when count is set.
func (c *core) take(e Endpoint, count bool) Failure {
	c.mu.Lock()
	defer c.mu.Unlock()
	if count {
		c.requests[e]++
	}
	f, ok := c.failures[e]
	if !ok {
		return Failure{}
	}
	if f.Times > 0 {
		if f.Times == 1 {
			delete(c.failures, e)
		} else {
			f2 := f
			f2.Times--
			c.failures[e] = f2
		}
	}
	return f
}

// endpointFor maps a request path to an endpoint.
func (c *core) endpointFor(path string) (Endpoint, bool) {
	for e, p := range c.paths {
		if p == path {
			return e, true
		}
	}
	return "", false
}

// handlerModes are rendered by the endpoint handler itself.
var handlerModes = map[Mode]bool{
	MissingID: true, WrongTypes: true, MissingToken: true, CaseTwins: true, DuplicateNames: true, CustomID: true,
	BadSignature: true, WrongIssuer: true, WrongAudience: true, Expired: true, WrongNonce: true, UnknownKey: true,
	AlgNone: true,
}

// serve runs endpoint e's handler h, or the endpoint's failure.
func (c *core) serve(w http.ResponseWriter, r *http.Request, e Endpoint, h handlerFunc) {
	cw := &countingWriter{ResponseWriter: w}
	defer func() { c.addBytes(e, cw.n) }()
	if e == EndpointAuthorize {
		// The authorization page applies its failures to the callback it
		// issues (see oauthServer.issue), not to the page.
		c.mu.Lock()
		c.requests[e]++
		c.mu.Unlock()
		h(cw, r, Failure{})
		return
	}
	f := c.take(e, true)
	switch {
	case f.Mode == OK || handlerModes[f.Mode]:
		h(cw, r, f)
	case f.Mode == Hang:
		c.hang(cw, r, e)
	case f.Mode == Redirect:
		c.redirect(cw, f)
	case f.Mode == HTMLPage:
		cw.Header().Set("Content-Type", "text/html; charset=utf-8")
		cw.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(cw, htmlFailurePage)
	case f.Mode == EmptyBody:
		cw.Header().Set("Content-Type", "application/json")
		cw.WriteHeader(http.StatusOK)
	case f.Mode == Custom:
		for k, vs := range f.Header {
			for _, v := range vs {
				cw.Header().Add(k, v)
			}
		}
		st := f.Status
		if st == 0 {
			st = http.StatusOK
		}
		cw.WriteHeader(st)
		_, _ = io.WriteString(cw, f.Body)
	case f.Mode == TruncatedJSON:
		rec := capture(r, func(w http.ResponseWriter, r *http.Request) { h(w, r, Failure{}) })
		copyHeader(cw.Header(), rec.header)
		cw.Header().Del("Content-Length")
		cw.WriteHeader(rec.status)
		b := rec.body.Bytes()
		_, _ = cw.Write(b[:len(b)/2])
	case f.Mode == Oversized:
		rec := capture(r, func(w http.ResponseWriter, r *http.Request) { h(w, r, Failure{}) })
		copyHeader(cw.Header(), rec.header)
		cw.Header().Del("Content-Length")
		cw.WriteHeader(rec.status)
		streamPadded(cw, rec.body.Bytes(), strings.HasPrefix(rec.header.Get("Content-Type"), "application/x-www-form-urlencoded"))
	default:
		status, ctype, body := c.shape(e, f)
		if status == 0 {
			// A mode this provider has no shape for: a generic 400.
			status, ctype, body = http.StatusBadRequest, "application/json", []byte(`{"error":"invalid_request"}`)
		}
		if f.Status != 0 && f.Mode == ProviderError {
			status = f.Status
		}
		if f.Mode == RateLimited || status == http.StatusTooManyRequests {
			ra := f.RetryAfter
			if ra == 0 {
				ra = DefaultRetryAfter
			}
			if ra > 0 {
				cw.Header().Set("Retry-After", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
			}
		}
		if ctype != "" {
			cw.Header().Set("Content-Type", ctype)
		}
		cw.WriteHeader(status)
		_, _ = cw.Write(body)
	}
}

const htmlFailurePage = `<!DOCTYPE html>
<html><head><title>Service temporarily unavailable</title></head>
<body><h1>We'll be back soon</h1><p>The service is undergoing maintenance.</p></body></html>
`

// redirectBody is the body of a Redirect answer, shaped as an OAuth error
// so that a client which reads it as one keeps RedirectBodyMarker.
var redirectBody = mustJSON(map[string]string{
	"error":             RedirectBodyMarker,
	"error_description": RedirectBodyMarker + ": this answer is a redirect, and its body must not reach the client's error",
})

// redirect answers f's redirect: 302 to the redirect target unless f says
// otherwise.
func (c *core) redirect(w http.ResponseWriter, f Failure) {
	loc := f.Header.Get("Location")
	if loc == "" {
		loc = c.URL(EndpointRedirectTarget)
	}
	st := f.Status
	if st == 0 {
		st = http.StatusFound
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	_, _ = w.Write(redirectBody)
}

// hang blocks until the request's context ends, the mock is closed or the
// hang limit passes; then it answers 504.
func (c *core) hang(w http.ResponseWriter, r *http.Request, e Endpoint) {
	// A server notices that the client went away only once the request
	// body has been read.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	c.mu.Lock()
	rel, limit := c.release, c.hangLimit
	c.mu.Unlock()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		c.mu.Lock()
		c.canceled[e]++
		c.mu.Unlock()
		return
	case <-rel:
	case <-t.C:
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusGatewayTimeout)
	_, _ = io.WriteString(w, `{"error":"timeout"}`)
}

func (c *core) addBytes(e Endpoint, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes[e] += n
}

// streamPadded writes doc padded to OversizedBytes with a leading field,
// chunk by chunk, stopping as soon as the client stops reading.
func streamPadded(w io.Writer, doc []byte, form bool) {
	var head, tail []byte
	switch {
	case form:
		head, tail = []byte("padding="), append([]byte("&"), doc...)
	case len(doc) > 1 && doc[0] == '{':
		head = []byte(`{"padding":"`)
		rest := bytes.TrimSpace(doc[1:])
		if len(rest) > 0 && rest[0] != '}' {
			tail = append([]byte(`",`), rest...)
		} else {
			tail = append([]byte(`"`), rest...)
		}
	default:
		head, tail = nil, doc
	}
	if _, err := w.Write(head); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	left := OversizedBytes - len(head) - len(tail)
	for left > 0 {
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write(tail)
}

// Register makes mt serve the mock for requests to its base URL.
func (c *core) Register(mt *httpmock.MockTransport) {
	rx := regexp.MustCompile("^" + regexp.QuoteMeta(c.BaseURL()) + `(?:[/?#]|$)`)
	resp := Responder(c.self)
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodHead, http.MethodOptions} {
		mt.RegisterRegexpResponder(m, rx, resp)
	}
}

// Bind makes client reach the given mocks, and nothing else, through a new
// httpmock transport (which it returns, to register more responders).
func Bind(client *http.Client, providers ...Provider) *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	for _, p := range providers {
		p.Register(mt)
	}
	client.Transport = mt
	return mt
}

// Client returns an *http.Client served by the mock through httpmock.
func (c *core) Client() *http.Client {
	mt := httpmock.NewMockTransport()
	c.Register(mt)
	return &http.Client{Transport: mt}
}

// Start serves the mock on 127.0.0.1 and returns its base URL.
func (c *core) Start() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		return "", errors.New("mockprovider: " + c.name + " is already started at " + c.base)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("mockprovider: %s: listen: %w", c.name, err)
	}
	c.srv = &http.Server{Handler: c.self, ReadHeaderTimeout: 10 * time.Second}
	c.base = "http://" + ln.Addr().String()
	srv := c.srv
	go func() { _ = srv.Serve(ln) }()
	return c.base, nil
}

// Close stops the server and releases every Hang.
func (c *core) Close() {
	c.mu.Lock()
	close(c.release)
	c.release = make(chan struct{})
	srv := c.srv
	c.srv = nil
	c.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// reset drops every piece of state (for clones).
func (c *core) cloneCore(self http.Handler) *core {
	n := newCore(c.name, c.paths, c.modes, c.shape)
	n.self = self
	c.mu.Lock()
	n.hangLimit = c.hangLimit
	c.mu.Unlock()
	return n
}

// Responder serves h through httpmock as a server would: the handler sees
// the client's request context (so a Hang ends with the caller's deadline),
// and the body is streamed through a pipe (so an Oversized body is never
// held in memory and the bytes a client reads can be counted).
func Responder(h http.Handler) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		ctx := req.Context()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sreq := serverRequest(req)
		pr, pw := io.Pipe()
		w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
		go func() {
			stop := context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
			defer stop()
			defer func() {
				if sreq.Body != nil {
					_ = sreq.Body.Close()
				}
				if v := recover(); v != nil {
					w.WriteHeader(http.StatusInternalServerError)
					pw.CloseWithError(fmt.Errorf("mockprovider: handler panicked: %v", v))
					return
				}
				w.WriteHeader(http.StatusOK)
				_ = pw.Close()
			}()
			h.ServeHTTP(w, sreq)
		}()
		select {
		case <-w.ready:
		case <-ctx.Done():
			_ = pr.CloseWithError(ctx.Err())
			return nil, ctx.Err()
		}
		resp := &http.Response{
			Status:     strconv.Itoa(w.status) + " " + http.StatusText(w.status),
			StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: w.sent, Body: pr, ContentLength: -1, Request: req,
		}
		if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
			resp.ContentLength = n
		}
		if req.Method == http.MethodHead {
			resp.Body = http.NoBody
			_ = pr.Close()
		}
		return resp, nil
	}
}

// serverRequest turns a client request into what a handler sees on a server.
func serverRequest(req *http.Request) *http.Request {
	s := req.Clone(req.Context())
	s.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	if s.Host == "" {
		s.Host = req.URL.Host
	}
	s.RequestURI = req.URL.RequestURI()
	s.RemoteAddr = "127.0.0.1:1"
	if s.Body == nil {
		s.Body = http.NoBody
	}
	if s.Header == nil {
		s.Header = http.Header{}
	}
	return s
}

// pipeWriter is an http.ResponseWriter whose body goes into a pipe.
type pipeWriter struct {
	header http.Header
	sent   http.Header
	status int
	pw     *io.PipeWriter
	ready  chan struct{}
	once   sync.Once
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	w.once.Do(func() {
		w.status = code
		w.sent = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(b)
}

// Flush implements http.Flusher (a pipe has nothing to flush).
func (w *pipeWriter) Flush() {}

// countingWriter counts the body bytes the client consumed.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// recorder captures a handler's answer in memory (small answers only).
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func capture(r *http.Request, h func(http.ResponseWriter, *http.Request)) *recorder {
	rec := &recorder{header: http.Header{}}
	h(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// writeAnswer writes an answer rendered by an errorShaper.
func writeAnswer(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// outbox keeps the messages a messaging mock accepted.
type outbox struct {
	mu   sync.Mutex
	msgs []Message
}

// Outbox lists the accepted messages, oldest first.
func (o *outbox) Outbox() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

// accept adds m to the outbox, with its SMS segments, encoding and time.
func (o *outbox) accept(m Message) Message {
	m.Segments, m.Encoding = SMSSegments(m.Body)
	m.Time = time.Now().UTC()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return m
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only reachable with a non-marshalable literal in this package
	}
	return b
}

// randHex returns n random bytes in hex.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
