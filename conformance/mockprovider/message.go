package mockprovider

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// KeyAuth is how a client presents its API key to a messaging API built
// from a [MessageSpec].
type KeyAuth string

// API key authentication methods.
const (
	// BearerKey sends "Authorization: Bearer <key>".
	BearerKey KeyAuth = "bearer"
	// HeaderKey sends the key alone in the header [MessageSpec.KeyHeader]
	// ("X-API-Key: <key>").
	HeaderKey KeyAuth = "header"
	// BasicKey sends HTTP Basic credentials: [MessageSpec.Username] and
	// the key as the password.
	BasicKey KeyAuth = "basic"
)

// MessageSpec describes a messaging API with a fixed shape (an SMS or
// email provider's "send a message" endpoint) for [NewMessage]: where the
// endpoint is, how the client authenticates, the request it takes, the
// answer it gives and the shape of its error bodies. The mock built from it
// checks every request as the provider would (the API key, the content
// type, the recipient and the text), keeps each accepted message in its
// outbox, and renders every failure [Mode] in the provider's shape.
//
// Every field is optional: the zero MessageSpec is an API that takes
// POST /v1/messages with "Authorization: Bearer <key>" and a JSON body
// {"to": "+14155550100", "text": "..."}, answers 200 {"id": "msg_..."}, and
// fails with {"error": {"code": "...", "message": "..."}}.
type MessageSpec struct {
	// Name is the provider's name and the first label of the mock's fake
	// host: "acme" serves https://acme.mock.test. "message" when empty.
	Name string
	// Method and Path are the send endpoint ([EndpointMessages]): "POST"
	// and "/v1/messages" when empty.
	Method, Path string
	// Auth is how the client presents the API key: [BearerKey] when
	// empty, [HeaderKey] or [BasicKey].
	Auth KeyAuth
	// KeyHeader is the header of [HeaderKey]: "X-API-Key" when empty.
	KeyHeader string
	// APIKey is the key the client must present; random when empty.
	APIKey string
	// Username is the Basic user name of [BasicKey] (an account ID, not a
	// secret), kept as [Message.Account]; random when empty.
	Username string
	// Form makes the request body application/x-www-form-urlencoded
	// instead of a JSON object.
	Form bool
	// ToField and TextField name the recipient and the text in the
	// request: "to" and "text" when empty. In a JSON body a dotted name
	// ("message.to") is a member of a nested object.
	ToField, TextField string
	// FromField, when set, names a sender field the request must carry,
	// kept as [Message.From].
	FromField string
	// Recipient reports whether the provider takes a recipient: an E.164
	// phone number (+14155550100) when nil. An email API gives its own.
	Recipient func(to string) bool
	// MaxText is the longest text accepted, in characters: 1600 when zero.
	MaxText int
	// Status is the status of a sent message's answer: 200 when zero.
	Status int
	// IDField is the member of the answer holding the message ID: "id"
	// when empty; a dotted name ("data.id") puts it in a nested object.
	IDField string
	// IDPrefix starts every message ID: "msg_" when empty.
	IDPrefix string
	// Answer holds further members of a sent message's answer
	// ({"status": "queued"}).
	Answer map[string]any
	// ErrorCodes are the provider's error codes of the failure modes
	// [Unauthorized], [RateLimited], [ServerError], [Unavailable],
	// [InvalidRecipient] and of a [ProviderError] without Failure.Code:
	// "unauthorized", "rate_limited", "server_error", "unavailable",
	// "invalid_recipient" and "provider_error" for those it does not give.
	// A refused request has the code of what was wrong: Unauthorized's for
	// the API key, InvalidRecipient's for the recipient, "invalid_request"
	// otherwise.
	ErrorCodes map[Mode]string
	// ErrorBody renders each error answer in the provider's shape: it
	// returns the HTTP status (0 keeps e.Status) and the document, sent as
	// JSON (a json.RawMessage as it is). nil sends
	// {"error": {"code": e.Code, "message": e.Message}}.
	ErrorBody func(e MessageErrorReply) (status int, body any)
	// ErrorCases are the provider's own failures and what a connector must
	// make of each ([Provider.ErrorCases]); an empty Endpoint is
	// [EndpointMessages].
	ErrorCases []ErrorCase
}

// Format prints the spec's name, endpoint and authentication whatever the
// verb, never its API key.
func (s MessageSpec) Format(f fmt.State, _ rune) {
	key := ""
	if s.APIKey != "" {
		key = "[REDACTED]"
	}
	fmt.Fprintf(f, "mockprovider.MessageSpec{Name:%q Method:%q Path:%q Auth:%q APIKey:%q}", s.Name, s.Method, s.Path, s.Auth, key)
}

// LogValue logs what Format prints.
func (s MessageSpec) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.Name), slog.String("method", s.Method), slog.String("path", s.Path),
		slog.String("auth", string(s.Auth)))
}

// MessageErrorReply is an error answer a mock built from a [MessageSpec] is
// about to send, for [MessageSpec.ErrorBody] to render in the provider's
// shape.
type MessageErrorReply struct {
	// Failure is the failure set on the endpoint, or the zero Failure when
	// the mock refused a wrong request.
	Failure Failure
	// Status is the HTTP status the mock means to send: 401, 429, 500,
	// 503, 400 for an invalid recipient or a provider error
	// (Failure.Status when set), and 400, 404, 405 or 413 for a refused
	// request.
	Status int
	// Code is the provider's error code ([MessageSpec.ErrorCodes],
	// Failure.Code for a [ProviderError]); Message says what went wrong.
	Code, Message string
	// Reason says what the mock found wrong in a refused request: "auth"
	// (the API key), "method", "path", "request" (the body, a missing or
	// repeated field), "recipient", "text"; empty for a failure.
	Reason string
}

// Defaults of a MessageSpec.
var (
	defaultMessageCodes = map[Mode]string{
		Unauthorized: "unauthorized", RateLimited: "rate_limited", ServerError: "server_error",
		Unavailable: "unavailable", InvalidRecipient: "invalid_recipient", ProviderError: "provider_error",
	}
	// messageModes are the modes a messaging mock renders beyond the
	// generic ones.
	messageModes = map[Endpoint][]Mode{EndpointMessages: {InvalidRecipient}}
)

// maxMessageRequest bounds the request body a messaging mock reads.
const maxMessageRequest = 1 << 20

// MessageAPI is a messaging provider mock built from a [MessageSpec]; see
// [NewMessage]. Accepted messages go to its outbox.
type MessageAPI struct {
	*core
	outbox
	spec MessageSpec
}

var _ MessageProvider = (*MessageAPI)(nil)

// NewMessage returns a mock of the messaging API spec describes. A
// connector author whose SMS or email provider has a fixed shape proves
// the connector against it with conformance.RunSender (see the example).
func NewMessage(spec MessageSpec) *MessageAPI {
	spec.Name = cmp.Or(spec.Name, "message")
	spec.Method = cmp.Or(strings.ToUpper(spec.Method), http.MethodPost)
	spec.Path = cmp.Or(spec.Path, "/v1/messages")
	spec.Auth = cmp.Or(spec.Auth, BearerKey)
	spec.KeyHeader = cmp.Or(spec.KeyHeader, "X-API-Key")
	spec.APIKey = cmp.Or(spec.APIKey, "key-"+randHex(16))
	spec.Username = cmp.Or(spec.Username, "acct-"+randHex(8))
	spec.ToField = cmp.Or(spec.ToField, "to")
	spec.TextField = cmp.Or(spec.TextField, "text")
	spec.MaxText = cmp.Or(spec.MaxText, 1600)
	spec.Status = cmp.Or(spec.Status, http.StatusOK)
	spec.IDField = cmp.Or(spec.IDField, "id")
	spec.IDPrefix = cmp.Or(spec.IDPrefix, "msg_")
	spec.Answer = maps.Clone(spec.Answer)
	codes := maps.Clone(defaultMessageCodes)
	for m, c := range spec.ErrorCodes {
		if c != "" {
			codes[m] = c
		}
	}
	spec.ErrorCodes = codes
	spec.ErrorCases = slices.Clone(spec.ErrorCases)
	for i := range spec.ErrorCases {
		spec.ErrorCases[i].Endpoint = cmp.Or(spec.ErrorCases[i].Endpoint, EndpointMessages)
	}
	p := &MessageAPI{spec: spec}
	p.core = newCore(spec.Name, map[Endpoint]string{
		EndpointMessages:       spec.Path,
		EndpointRedirectTarget: redirectTargetPath,
	}, messageModes, spec.failureAnswer)
	p.core.self = p
	return p
}

// Format prints the mock's name and send endpoint whatever the verb, never
// its API key.
func (p *MessageAPI) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "mockprovider.MessageAPI{%s %s %s}", p.Name(), p.spec.Method, p.URL(EndpointMessages))
}

// LogValue logs what Format prints.
func (p *MessageAPI) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", p.Name()), slog.String("endpoint", p.spec.Method+" "+p.URL(EndpointMessages)))
}

// APIKey returns the API key the client must present.
func (p *MessageAPI) APIKey() string { return p.spec.APIKey }

// Username returns the Basic user name of [BasicKey].
func (p *MessageAPI) Username() string { return p.spec.Username }

// Secrets lists the API key.
func (p *MessageAPI) Secrets() []string { return []string{p.spec.APIKey} }

// ErrorCases lists the provider's own failures ([MessageSpec.ErrorCases]).
func (p *MessageAPI) ErrorCases() []ErrorCase { return slices.Clone(p.spec.ErrorCases) }

// Clone returns a fresh mock with the same spec (the API key included) and
// an empty outbox.
func (p *MessageAPI) Clone() Provider {
	n := NewMessage(p.spec)
	n.core = p.core.cloneCore(n)
	return n
}

// ServeHTTP serves the send endpoint and the redirect target.
func (p *MessageAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch e, _ := p.endpointFor(r.URL.Path); e {
	case EndpointMessages:
		p.serve(w, r, e, func(w http.ResponseWriter, r *http.Request, _ Failure) { p.handleSend(w, r) })
	case EndpointRedirectTarget:
		p.serve(w, r, e, handleRedirectTarget)
	default:
		p.refuse(w, http.StatusNotFound, "path", fmt.Sprintf("no endpoint at %s %s (the send endpoint is %s %s)",
			r.Method, r.URL.Path, p.spec.Method, p.spec.Path))
	}
}

// handleSend checks a send request as the provider would and accepts its
// message.
func (p *MessageAPI) handleSend(w http.ResponseWriter, r *http.Request) {
	if problem := p.checkKey(r); problem != "" {
		p.refuse(w, http.StatusUnauthorized, "auth", problem)
		return
	}
	if r.Method != p.spec.Method {
		w.Header().Set("Allow", p.spec.Method)
		p.refuse(w, http.StatusMethodNotAllowed, "method", "method "+r.Method+" is not allowed: send "+p.spec.Method)
		return
	}
	fields, status, problem := p.readFields(r)
	if problem != "" {
		p.refuse(w, status, "request", problem)
		return
	}
	to, from, text := fields[0], fields[1], fields[2]
	switch {
	case to == "":
		p.refuse(w, http.StatusBadRequest, "request", p.spec.ToField+" is missing or empty")
	case !p.recipientOK(to):
		p.refuse(w, http.StatusBadRequest, "recipient", p.spec.ToField+" is not a recipient the provider takes (an E.164 number unless MessageSpec.Recipient says otherwise)")
	case p.spec.FromField != "" && from == "":
		p.refuse(w, http.StatusBadRequest, "request", p.spec.FromField+" is missing or empty")
	case text == "":
		p.refuse(w, http.StatusBadRequest, "request", p.spec.TextField+" is missing or empty")
	case len([]rune(text)) > p.spec.MaxText:
		p.refuse(w, http.StatusBadRequest, "text", fmt.Sprintf("%s is longer than %d characters", p.spec.TextField, p.spec.MaxText))
	default:
		id := p.spec.IDPrefix + randHex(16)
		account := ""
		if p.spec.Auth == BasicKey {
			account = p.spec.Username
		}
		p.accept(Message{SID: id, Account: account, To: to, From: from, Body: text})
		doc := maps.Clone(p.spec.Answer)
		if doc == nil {
			doc = map[string]any{}
		}
		setPath(doc, strings.Split(p.spec.IDField, "."), id)
		writeJSON(w, p.spec.Status, doc)
	}
}

// checkKey says what is wrong with the request's API key, or "".
func (p *MessageAPI) checkKey(r *http.Request) string {
	key := p.spec.APIKey
	switch p.spec.Auth {
	case BasicKey:
		user, pass, ok := r.BasicAuth()
		switch {
		case !ok:
			return "the request has no Basic credentials"
		case user != p.spec.Username || !secretEqual(pass, key):
			return "the Basic credentials are not the username and the API key"
		}
	case HeaderKey:
		switch vs := r.Header.Values(p.spec.KeyHeader); {
		case len(vs) == 0:
			return "the request has no " + p.spec.KeyHeader + " header"
		case len(vs) > 1:
			return "the request has the " + p.spec.KeyHeader + " header twice"
		case !secretEqual(vs[0], key):
			return "the " + p.spec.KeyHeader + " header is not the API key"
		}
	default:
		h := r.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(h, " ")
		switch {
		case h == "":
			return "the request has no Authorization header"
		case !strings.EqualFold(scheme, "Bearer"):
			return "the Authorization header does not use the Bearer scheme"
		case !secretEqual(token, key):
			return "the Bearer token is not the API key"
		}
	}
	return ""
}

// readFields reads the recipient, the sender and the text from the request
// body, or says what is wrong with it (and the status to answer).
func (p *MessageAPI) readFields(r *http.Request) (fields [3]string, status int, problem string) {
	names := [3]string{p.spec.ToField, p.spec.FromField, p.spec.TextField}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	want := "application/json"
	if p.spec.Form {
		want = "application/x-www-form-urlencoded"
	}
	if mt != want {
		return fields, http.StatusBadRequest, fmt.Sprintf("the request body is %q, want %s", mt, want)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxMessageRequest+1))
	switch {
	case err != nil:
		return fields, http.StatusBadRequest, "the request body cannot be read"
	case len(body) > maxMessageRequest:
		return fields, http.StatusRequestEntityTooLarge, "the request body is larger than 1 MiB"
	}
	if p.spec.Form {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return fields, http.StatusBadRequest, "the form cannot be parsed"
		}
		for i, name := range names {
			if len(form[name]) > 1 {
				return fields, http.StatusBadRequest, name + " is given twice"
			}
			fields[i] = form.Get(name)
		}
		return fields, 0, ""
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return fields, http.StatusBadRequest, "the request body is not a JSON object"
	}
	for i, name := range names {
		if name == "" {
			continue
		}
		v, ok := getPath(doc, strings.Split(name, "."))
		s, isString := v.(string)
		if ok && !isString {
			return fields, http.StatusBadRequest, name + " is not a JSON string"
		}
		fields[i] = s
	}
	return fields, 0, ""
}

// recipientOK applies the spec's recipient rule.
func (p *MessageAPI) recipientOK(to string) bool {
	if p.spec.Recipient != nil {
		return p.spec.Recipient(to)
	}
	return e164Number.MatchString(to)
}

// refuse records a wrong request and answers it in the provider's shape.
func (p *MessageAPI) refuse(w http.ResponseWriter, status int, reason, problem string) {
	p.problem(EndpointMessages, "%s", problem)
	code := "invalid_request"
	switch reason {
	case "auth":
		code = p.spec.ErrorCodes[Unauthorized]
		if p.spec.Auth == BasicKey {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+p.spec.Name+`"`)
		} else if p.spec.Auth == BearerKey {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+p.spec.Name+`"`)
		}
	case "recipient":
		code = p.spec.ErrorCodes[InvalidRecipient]
	}
	st, ct, b := p.spec.errorAnswer(MessageErrorReply{Status: status, Code: code, Message: problem, Reason: reason})
	writeAnswer(w, st, ct, b)
}

// failureAnswer renders the failure modes the spec has a shape for; other
// modes get 0 (core's generic answer).
func (s MessageSpec) failureAnswer(_ Endpoint, f Failure) (int, string, []byte) {
	r := MessageErrorReply{Failure: f, Code: s.ErrorCodes[f.Mode]}
	switch f.Mode {
	case Unauthorized:
		r.Status, r.Message = http.StatusUnauthorized, "the API key is not valid"
	case RateLimited:
		r.Status, r.Message = http.StatusTooManyRequests, "too many requests"
	case ServerError:
		r.Status, r.Message = http.StatusInternalServerError, "internal server error"
	case Unavailable:
		r.Status, r.Message = http.StatusServiceUnavailable, "the service is temporarily unavailable"
	case InvalidRecipient:
		r.Status, r.Message = http.StatusBadRequest, "the recipient is not valid"
	case ProviderError:
		r.Status, r.Code = cmp.Or(f.Status, http.StatusBadRequest), cmp.Or(f.Code, r.Code)
		r.Message = "provider error " + r.Code
	default:
		return 0, "", nil
	}
	return s.errorAnswer(r)
}

// errorAnswer renders r in the provider's shape.
func (s MessageSpec) errorAnswer(r MessageErrorReply) (status int, contentType string, body []byte) {
	var doc any = map[string]any{"error": map[string]any{"code": r.Code, "message": r.Message}}
	status = r.Status
	if s.ErrorBody != nil {
		status, doc = s.ErrorBody(r)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return http.StatusInternalServerError, jsonType, []byte(`{"error":{"code":"server_error","message":"the mock's ErrorBody is not JSON"}}`)
	}
	return cmp.Or(status, r.Status), jsonType, b
}

// getPath returns the value at a dotted path of doc.
func getPath(doc map[string]any, path []string) (any, bool) {
	var cur any = doc
	for _, k := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
