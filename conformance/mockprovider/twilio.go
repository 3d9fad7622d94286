package mockprovider

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/connector/internal/smsenc"
)

// Facts of Twilio Programmable Messaging.
var (
	twilioMessagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	e164Number         = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	twilioAlphaSender  = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	twilioServiceSID   = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	twilioMaxBody      = 1600
	// twilioErrors are Twilio's error codes the mock answers with: HTTP
	// status and message (%s is the offending value).
	twilioErrors = map[int]struct {
		status  int
		message string
	}{
		20003: {http.StatusUnauthorized, "Authenticate"},
		20404: {http.StatusNotFound, "The requested resource %s was not found"},
		20429: {http.StatusTooManyRequests, "Too Many Requests"},
		20500: {http.StatusInternalServerError, "Internal Server Error"},
		20503: {http.StatusServiceUnavailable, "Service Unavailable"},
		21211: {http.StatusBadRequest, "The 'To' number %s is not a valid phone number."},
		21212: {http.StatusBadRequest, "The 'From' number %s is not a valid phone number, shortcode, or alphanumeric sender ID."},
		21602: {http.StatusBadRequest, "Message body is required."},
		21603: {http.StatusBadRequest, "A 'From' phone number is required."},
		21604: {http.StatusBadRequest, "A 'To' phone number is required."},
		21606: {http.StatusBadRequest, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination."},
		21608: {http.StatusBadRequest, "The number %s is unverified. Trial accounts cannot send messages to unverified numbers."},
		21610: {http.StatusBadRequest, "Attempt to send to unsubscribed recipient"},
		21614: {http.StatusBadRequest, "'To' number %s is not a valid mobile number"},
		21617: {http.StatusBadRequest, "The concatenated message body exceeds the 1600 character limit."},
		21701: {http.StatusBadRequest, "The Messaging Service does not exist"},
		21705: {http.StatusBadRequest, "The Messaging Service is invalid"},
	}
)

// TwilioOptions configures [NewTwilio]. Empty credentials are random.
type TwilioOptions struct {
	// AccountSID (AC + 32 hex) and AuthToken authenticate as the account.
	AccountSID, AuthToken string
	// APIKeySID (SK + 32 hex) and APIKeySecret authenticate as an API key
	// of the account.
	APIKeySID, APIKeySecret string
	// MessagingServiceSID (MG + 32 hex) is the account's Messaging
	// Service.
	MessagingServiceSID string
	// From lists the account's sender numbers; alphanumeric sender IDs are
	// accepted too. "+15005550006" when empty.
	From []string
}

// Twilio is a Twilio Programmable Messaging mock:
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json with Basic
// authentication (account SID + auth token, or API key SID + secret),
// answering 201 with the message resource, or Twilio's error JSON
// {code, message, more_info, status}. Accepted messages go to an outbox.
type Twilio struct {
	*core
	outbox
	opts TwilioOptions
}

var _ MessageProvider = (*Twilio)(nil)

// NewTwilio returns a Twilio mock.
func NewTwilio(opts TwilioOptions) *Twilio {
	if opts.AccountSID == "" {
		opts.AccountSID = "AC" + randHex(16)
	}
	if opts.AuthToken == "" {
		opts.AuthToken = randHex(16)
	}
	if opts.APIKeySID == "" {
		opts.APIKeySID = "SK" + randHex(16)
	}
	if opts.APIKeySecret == "" {
		opts.APIKeySecret = randHex(16)
	}
	if opts.MessagingServiceSID == "" {
		opts.MessagingServiceSID = "MG" + randHex(16)
	}
	if len(opts.From) == 0 {
		opts.From = []string{"+15005550006"}
	}
	p := &Twilio{opts: opts}
	p.core = newCore("twilio", map[Endpoint]string{
		EndpointMessages: "/2010-04-01/Accounts/" + opts.AccountSID + "/Messages.json",
	}, messageModes, twilioShape)
	p.core.self = p
	return p
}

// AccountSID returns the account SID.
func (p *Twilio) AccountSID() string { return p.opts.AccountSID }

// AuthToken returns the account's auth token.
func (p *Twilio) AuthToken() string { return p.opts.AuthToken }

// APIKey returns the API key SID and secret.
func (p *Twilio) APIKey() (sid, secret string) { return p.opts.APIKeySID, p.opts.APIKeySecret }

// MessagingServiceSID returns the Messaging Service SID.
func (p *Twilio) MessagingServiceSID() string { return p.opts.MessagingServiceSID }

// FromNumber returns the first sender number.
func (p *Twilio) FromNumber() string { return p.opts.From[0] }

// Secrets lists the auth token and the API key secret.
func (p *Twilio) Secrets() []string { return []string{p.opts.AuthToken, p.opts.APIKeySecret} }

// Clone returns a fresh mock with the same credentials and an empty outbox.
func (p *Twilio) Clone() Provider {
	n := NewTwilio(p.opts)
	n.core = p.core.cloneCore(n)
	return n
}

// ErrorCases lists Twilio's error codes and what a connector must make of
// them.
func (p *Twilio) ErrorCases() []ErrorCase {
	pe := func(code int) Failure { return Failure{Mode: ProviderError, Code: strconv.Itoa(code)} }
	return []ErrorCase{
		{Name: "21211", Endpoint: EndpointMessages, Failure: pe(21211), Code: "invalid_request_parameters", Status: 400, ProviderCode: "21211"},
		{Name: "21614", Endpoint: EndpointMessages, Failure: pe(21614), Code: "invalid_request_parameters", Status: 400, ProviderCode: "21614"},
		{Name: "20003", Endpoint: EndpointMessages, Failure: pe(20003), Code: "invalid_config", Status: 401, ProviderCode: "20003"},
		{Name: "20429", Endpoint: EndpointMessages, Failure: pe(20429), Code: "rate_limit_exceeded", Status: 429,
			ProviderCode: "20429", RetryAfter: DefaultRetryAfter},
		{Name: "21608", Endpoint: EndpointMessages, Failure: pe(21608), Code: "general", Status: 400, ProviderCode: "21608"},
		{Name: "21610", Endpoint: EndpointMessages, Failure: pe(21610), Code: "general", Status: 400, ProviderCode: "21610"},
		{Name: "20500", Endpoint: EndpointMessages, Failure: pe(20500), Code: "general", Status: 500, Retryable: true},
	}
}

// twilioError renders Twilio's error JSON.
func twilioError(code int, value string) (int, string, []byte) {
	e, ok := twilioErrors[code]
	if !ok {
		e.status, e.message = http.StatusBadRequest, "Error "+strconv.Itoa(code)
	}
	msg := e.message
	if strings.Contains(msg, "%s") {
		msg = fmt.Sprintf(msg, value)
	}
	return e.status, "application/json; charset=utf-8", mustJSON(map[string]any{
		"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": e.status,
	})
}

func twilioShape(_ Endpoint, f Failure) (int, string, []byte) {
	switch f.Mode {
	case Unauthorized:
		return twilioError(20003, "")
	case RateLimited:
		return twilioError(20429, "")
	case ServerError:
		return twilioError(20500, "")
	case Unavailable:
		return twilioError(20503, "")
	case InvalidRecipient:
		return twilioError(21211, formMark("To"))
	case ProviderError:
		code, err := strconv.Atoi(f.Code)
		if err != nil {
			code = 20500
		}
		field := "To"
		if code == 21212 {
			field = "From"
		}
		return twilioError(code, formMark(field))
	}
	return 0, "", nil
}

// formMark stands, in an error that [twilioShape] renders, for the value
// the request posted in the form field name: the shaper sees the failure,
// not the request, and [formValueWriter] puts the value in the mark's
// place. An error about the recipient then quotes the number that was
// sent, as Twilio's do.
func formMark(name string) string { return "\x00" + name + "\x00" }

// formValueWriter writes a response; in an error answer (status 400 and
// up) it replaces the JSON-encoded [formMark] of the To and From fields
// with the values r posted.
type formValueWriter struct {
	http.ResponseWriter
	r      *http.Request
	status int
}

func (w *formValueWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *formValueWriter) Write(b []byte) (int, error) {
	if w.status < http.StatusBadRequest || !bytes.Contains(b, []byte(`\u0000`)) {
		return w.ResponseWriter.Write(b)
	}
	// A failure answers before the handler reads the form: read it here.
	_ = w.r.ParseForm()
	out := b
	for _, name := range []string{"To", "From"} {
		out = bytes.ReplaceAll(out, jsonStringContent(formMark(name)), jsonStringContent(w.r.PostForm.Get(name)))
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// jsonStringContent is s encoded as a JSON string, without its quotes.
func jsonStringContent(s string) []byte {
	b := mustJSON(s)
	return b[1 : len(b)-1]
}

// ServeHTTP serves the Messages resource.
func (p *Twilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := twilioMessagesPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		st, ct, b := twilioError(20404, r.URL.Path)
		writeAnswer(w, st, ct, b)
		return
	}
	p.serve(&formValueWriter{ResponseWriter: w, r: r}, r, EndpointMessages, func(w http.ResponseWriter, r *http.Request, _ Failure) { p.handleMessages(w, r, m[1]) })
}

func (p *Twilio) fail(w http.ResponseWriter, code int, value, problem string) {
	p.problem(EndpointMessages, "%s (Twilio error %d)", problem, code)
	st, ct, b := twilioError(code, value)
	if st == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
	}
	writeAnswer(w, st, ct, b)
}

func (p *Twilio) authenticated(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	return (user == p.opts.AccountSID && secretEqual(pass, p.opts.AuthToken)) ||
		(user == p.opts.APIKeySID && secretEqual(pass, p.opts.APIKeySecret))
}

func (p *Twilio) handleMessages(w http.ResponseWriter, r *http.Request, account string) {
	if !p.authenticated(r) {
		msg := "the request has no Basic credentials"
		if r.Header.Get("Authorization") != "" {
			msg = "the Basic credentials are not the account SID + auth token nor an API key SID + secret"
		}
		p.fail(w, 20003, "", msg)
		return
	}
	if account != p.opts.AccountSID {
		p.fail(w, 20404, r.URL.Path, "the account SID in the path is not the account's")
		return
	}
	switch r.Method {
	case http.MethodGet:
		p.listMessages(w)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		p.fail(w, 20404, r.URL.Path, "method "+r.Method+" is not allowed")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		p.fail(w, 21604, "", "the request body must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		p.fail(w, 21604, "", "the form cannot be parsed")
		return
	}
	f := r.PostForm
	to, from, svc, body := f.Get("To"), f.Get("From"), f.Get("MessagingServiceSid"), f.Get("Body")
	switch {
	case to == "":
		p.fail(w, 21604, "", "To is missing")
		return
	case !e164Number.MatchString(to):
		p.fail(w, 21211, to, "To is not an E.164 number")
		return
	case from == "" && svc == "":
		p.fail(w, 21603, "", "neither From nor MessagingServiceSid is set")
		return
	case svc != "" && !twilioServiceSID.MatchString(svc):
		p.fail(w, 21705, "", "MessagingServiceSid is not a Messaging Service SID")
		return
	case svc != "" && svc != p.opts.MessagingServiceSID:
		p.fail(w, 21701, "", "MessagingServiceSid is not the account's Messaging Service")
		return
	case from != "" && !e164Number.MatchString(from) && !(twilioAlphaSender.MatchString(from) && strings.ContainsFunc(from, isLetter)):
		p.fail(w, 21212, from, "From is neither an E.164 number nor an alphanumeric sender ID")
		return
	case from != "" && e164Number.MatchString(from) && !slices.Contains(p.opts.From, from):
		p.fail(w, 21606, from, "From is not one of the account's numbers")
		return
	case body == "":
		p.fail(w, 21602, "", "Body is missing")
		return
	case len([]rune(body)) > twilioMaxBody:
		p.fail(w, 21617, "", "Body exceeds 1600 characters")
		return
	}
	if rc := f.Get("RiskCheck"); rc != "" && rc != "enable" && rc != "disable" {
		p.problem(EndpointMessages, "RiskCheck must be enable or disable")
	}
	msg := p.accept(Message{
		SID: "SM" + randHex(16), Account: account, To: to, From: from, MessagingService: svc, Body: body,
		RiskCheck: f.Get("RiskCheck"),
	})
	writeJSON(w, http.StatusCreated, twilioResource(msg))
}

func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }

func (p *Twilio) listMessages(w http.ResponseWriter) {
	box := p.Outbox()
	list := make([]any, 0, len(box))
	for i := len(box) - 1; i >= 0; i-- {
		list = append(list, twilioResource(box[i]))
	}
	uri := "/2010-04-01/Accounts/" + p.opts.AccountSID + "/Messages.json"
	writeJSON(w, http.StatusOK, map[string]any{
		"messages": list, "page": 0, "page_size": 50, "start": 0, "end": len(list) - 1,
		"uri": uri + "?PageSize=50&Page=0", "first_page_uri": uri + "?PageSize=50&Page=0",
		"next_page_uri": nil, "previous_page_uri": nil,
	})
}

// twilioResource renders a message as Twilio's Message resource.
func twilioResource(m Message) map[string]any {
	status := "queued"
	var from, svc any
	if m.From != "" {
		from = m.From
	}
	if m.MessagingService != "" {
		svc = m.MessagingService
		if m.From == "" {
			status = "accepted"
		}
	}
	date := m.Time.Format(time.RFC1123Z)
	base := "/2010-04-01/Accounts/" + m.Account + "/Messages/" + m.SID
	return map[string]any{
		"account_sid": m.Account, "api_version": "2010-04-01", "body": m.Body,
		"date_created": date, "date_updated": date, "date_sent": nil, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": from, "messaging_service_sid": svc,
		"num_media": "0", "num_segments": strconv.Itoa(m.Segments), "price": nil, "price_unit": "USD",
		"sid": m.SID, "status": status, "to": m.To, "uri": base + ".json",
		"subresource_uris": map[string]any{"media": base + "/Media.json"},
	}
}

// SMSSegments returns how many SMS segments body takes and its encoding,
// "GSM-7" or "UCS-2", as Twilio bills them: 160 septets in one segment or 153
// per segment when concatenated (an extension character counts two and is
// never split), 70 UTF-16 units or 67 per segment. The connectors count with
// the same code, so the mock's outbox and their receipts agree.
func SMSSegments(body string) (int, string) {
	info := smsenc.Analyze(body)
	return info.Segments, string(info.Encoding)
}
