package twilio

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/msgtemplate"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/kit"
)

// sdkBase is the base URL twilio-go's generated services put in front of
// every path; [api] replaces it with the configured endpoint.
const sdkBase = "https://api.twilio.com"

// maxProviderCode bounds Twilio's error code kept in an error; its other
// texts are bounded by [redact.MaxText].
const maxProviderCode = 32

// api is the connector's Twilio REST transport, built once in [New] and
// shared by every send: the HTTP client (its transport, and so its
// connection pool, is the injected one), the base URL and the Basic
// credentials, with the [redact.Scrubber] that keeps them out of every
// error. twilio-go's generated code reaches it through [call], a per-send
// binding of the caller's context and message.
type api struct {
	id         string
	http       *http.Client
	base       string // scheme://host[/path], without a trailing slash
	auth       string // "Basic ..." (secret)
	accountSID string
	userAgent  string
	now        func() time.Time
	// scrub replaces the password (auth token or API key secret) and the
	// Basic credentials in provider text.
	scrub redact.Scrubber
	// calls keeps idle bindings of twilio-go's Messages service to this
	// api, so that a send builds none (see [api.send]).
	calls sync.Pool
}

func newAPI(id, base, user, password, accountSID string, hc *http.Client, now func() time.Time) *api {
	c := *hc // a shallow copy shares the transport and its pooled connections
	c.Transport = httpx.CapTransport(hc.Transport, httpx.DefaultMaxBody)
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		// The Messages API never redirects: a redirect would resend the
		// credentials and turn the POST into a GET.
		return http.ErrUseLastResponse
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	return &api{
		id:         id,
		http:       &c,
		base:       strings.TrimRight(base, "/"),
		auth:       auth,
		accountSID: accountSID,
		userAgent:  "connectorkit-twilio twilio-go/" + twclient.LibraryVersion,
		now:        now,
		scrub:      redact.New(password, redact.BasicCredentials(auth)),
	}
}

// String hides the credentials.
func (a *api) String() string { return "twilio api " + a.base }

// GoString hides the credentials.
func (a *api) GoString() string { return a.String() }

// call binds the caller's context and the message to the shared [api] for
// one send. It implements twilio-go's client.BaseClient, whose SendRequest
// takes no context: this is how the context reaches the HTTP request. A
// call and the twilio-go service built on it are made once and reused by
// later sends (through api.calls), one send at a time.
type call struct {
	ctx context.Context
	*api
	// svc is twilio-go's Messages service, built once on this call.
	svc *openapi.ApiService
	// body and payload are the message sent: a provider that echoes the
	// request must not get them into an error (see [call.scrubber]).
	body    string
	payload map[string]any
	// sid is the message SID read from a 2xx answer, the one field a
	// receipt needs.
	sid string
}

var _ twclient.BaseClient = (*call)(nil)

// emptyDocument is what twilio-go decodes in place of a 2xx answer whose
// SID SendRequest has read: its reflection decoder then has nothing to do.
var emptyDocument = []byte("{}")

// send creates a message with twilio-go's Messages service, with ctx, and
// returns the SID of the answer.
func (a *api) send(ctx context.Context, params *openapi.CreateMessageParams, body string, payload map[string]any) (string, error) {
	c, _ := a.calls.Get().(*call)
	if c == nil {
		c = &call{api: a}
		c.svc = openapi.NewApiService(&twclient.RequestHandler{Client: c})
	}
	c.ctx, c.body, c.payload, c.sid = ctx, body, payload, ""
	_, err := c.svc.CreateMessage(params)
	sid := c.sid
	c.ctx, c.body, c.payload, c.sid = nil, "", nil, ""
	a.calls.Put(c)
	return sid, err
}

// scrubberFor is the [call.scrubber] of a send of body and payload.
func (a *api) scrubberFor(body string, payload map[string]any) redact.Scrubber {
	return a.scrub.With(messageSecrets(body, payload)...)
}

// AccountSid implements client.BaseClient.
func (c *call) AccountSid() string { return c.accountSID }

// SetTimeout implements client.BaseClient. The connector is immutable:
// deadlines come from the caller's context and the injected client.
func (c *call) SetTimeout(time.Duration) {}

// SetOauth implements client.BaseClient. The connector authenticates with
// Basic credentials only.
func (c *call) SetOauth(twclient.OAuth) {}

// OAuth implements client.BaseClient.
func (c *call) OAuth() twclient.OAuth { return nil }

// SendRequest implements client.BaseClient: it sends a form request of
// twilio-go's generated code with the caller's context, reads the answer
// whole (capped), so the connection goes back to the pool before twilio-go
// decodes it, and turns a failure into a [*connector.Error].
func (c *call) SendRequest(method, rawURL string, data url.Values, headers map[string]interface{}, _ ...byte) (*http.Response, error) {
	path, ok := strings.CutPrefix(rawURL, sdkBase)
	if !ok || method != http.MethodPost {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend,
			Message: "unexpected request from twilio-go: " + method + " to another host"}
	}
	req, err := http.NewRequestWithContext(c.ctx, method, c.base+path, strings.NewReader(data.Encode()))
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend,
			Message: "cannot build the request to twilio", Err: scrubCause(c.scrubber(), err)}
	}
	for k, v := range headers {
		if s, ok := v.(string); ok {
			req.Header.Set(k, s)
		}
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(err)
	}
	body, err := httpx.ReadResponse(resp, httpx.DefaultMaxBody)
	if err != nil {
		if errors.Is(err, httpx.ErrBodyTooLarge) {
			return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: c.id, Step: connector.StepSend,
				Status: resp.StatusCode, Message: "twilio's answer is larger than " + strconv.FormatInt(httpx.DefaultMaxBody>>20, 10) + " MiB"}
		}
		return nil, c.transportError(err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Only the SID is read (exact name, duplicates refused); twilio-go
		// decodes an empty document instead of the whole resource.
		var m struct {
			Sid *string `json:"sid"`
		}
		if err := jsonx.Unmarshal(body, &m); err != nil {
			return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: c.id, Step: connector.StepSend,
				Status: resp.StatusCode, Message: "twilio's answer is not a message resource: " + err.Error()}
		}
		if m.Sid != nil {
			c.sid = *m.Sid
		}
		resp.Body = io.NopCloser(bytes.NewReader(emptyDocument))
		return resp, nil
	}
	return nil, c.statusError(resp, body)
}

// scrubber extends the api's Scrubber with the message's values: the
// rendered body and every payload value that is text or a number (the
// one-time code among them), as the template renders it. It is built only
// when a send fails, so a successful send pays nothing for it.
func (c *call) scrubber() redact.Scrubber {
	return c.scrubberFor(c.body, c.payload)
}

// messageSecrets lists the body and the top-level text and number values
// of payload, in key order (payload values nested in maps, such as
// application.name, are not secrets). Values shorter than [redact.MinLen]
// are left to the Scrubber to skip.
func messageSecrets(body string, payload map[string]any) []string {
	out := make([]string, 0, 1+len(payload))
	out = append(out, body)
	for _, k := range slices.Sorted(maps.Keys(payload)) {
		switch v := payload[k]; reflect.ValueOf(v).Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			out = append(out, msgtemplate.Format(v))
		}
	}
	return out
}

// transportError maps a failure to get an answer. The caller's own
// deadline or cancellation is kept in the chain (errors.Is(err,
// context.DeadlineExceeded)) and is not retryable; a network failure is.
func (c *call) transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL; the cause is what matters
	}
	e := &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend,
		Message: "no answer from twilio", Retryable: true, Err: scrubCause(c.scrubber(), err)}
	if ctxErr := c.ctx.Err(); ctxErr != nil {
		e.Retryable = false
		if !errors.Is(err, ctxErr) {
			e.Err = errors.Join(ctxErr, e.Err)
		}
	}
	return e
}

// scrubCause returns err as it is when its text holds no secret and no
// control character, and otherwise an error with the scrubbed text that
// still answers errors.Is (context.DeadlineExceeded...) and Timeout as err
// does, without handing err itself out through Unwrap or errors.As.
func scrubCause(s redact.Scrubber, err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	clean := s.Text(text)
	if clean == text {
		return err
	}
	return &scrubbedError{text: clean, err: err}
}

// scrubbedError stands for a cause whose text held a secret.
type scrubbedError struct {
	text string
	err  error
}

func (e *scrubbedError) Error() string { return e.text }

// Is reports whether the hidden cause is target.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// Timeout reports whether the hidden cause is a timeout, as a net.Error
// does.
func (e *scrubbedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

// statusError maps a non-2xx answer, Twilio's {code, message, more_info,
// status} or anything else, to an error. The mapping reads Twilio's code as
// sent; every provider text kept in the error is scrubbed of the
// credentials and the message's values, and cleaned (see [redact]).
func (c *call) statusError(resp *http.Response, body []byte) error {
	e := &connector.Error{Connector: c.id, Step: connector.StepSend, Status: resp.StatusCode}
	pe, isTwilio := parseError(body)
	if isTwilio {
		s := c.scrubber()
		e.ProviderCode = truncate(s.Text(pe.code), maxProviderCode)
		e.ProviderMessage = s.Text(pe.message)
		if moreInfo := s.Text(pe.moreInfo); moreInfo != "" {
			e.ProviderDetails = map[string]string{"more_info": moreInfo}
		}
	}
	status := resp.StatusCode
	switch {
	case pe.code == "21211" || pe.code == "21614":
		e.Code, e.Message = connector.CodeInvalidRequestParameters, "twilio refused the recipient"
	case pe.code == "20003" || status == http.StatusUnauthorized:
		e.Code, e.Message = connector.CodeInvalidConfig, "twilio refused the credentials: check accountSID and authToken (or apiKeySID and apiKeySecret)"
	case pe.code == "20429" || status == http.StatusTooManyRequests:
		e.Code, e.Message = connector.CodeRateLimitExceeded, "twilio's rate limit is exceeded"
		e.Retryable = true
		e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case status >= 500:
		e.Code, e.Message = connector.CodeGeneral, "twilio failed to handle the message"
		e.Retryable = true
	case status >= 300 && status < 400:
		e.Code, e.Message = connector.CodeInvalidResponse, "twilio answered with a redirect"
	case !isTwilio:
		e.Code, e.Message = connector.CodeInvalidResponse, "twilio answered with an error that is not Twilio's JSON error"
	default:
		e.Code, e.Message = connector.CodeGeneral, "twilio refused the message"
	}
	return e
}

// providerError is Twilio's error document, as received: its texts are
// neither scrubbed nor bounded.
type providerError struct {
	code, message, moreInfo string
}

// parseError reads Twilio's {code, message, more_info, status}, leniently
// about the types it meets (a code as a number or a string). ok is false
// when body is not a JSON object with a code or a message.
func parseError(body []byte) (pe providerError, ok bool) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return pe, false
	}
	switch v := doc["code"].(type) {
	case json.Number:
		pe.code = v.String()
	case string:
		pe.code = v
	}
	pe.code = strings.TrimSpace(pe.code)
	pe.message, _ = doc["message"].(string)
	pe.moreInfo, _ = doc["more_info"].(string)
	return pe, pe.code != "" || pe.message != ""
}

// truncate cuts s, valid UTF-8, to at most n bytes on a character boundary,
// without trailing space.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimRightFunc(s, unicode.IsSpace)
}
