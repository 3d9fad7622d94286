package mockprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// send posts body (a JSON or form document) to p's send endpoint through
// p's client, with header set, and reads the answer.
func send(t *testing.T, p *MessageAPI, method, contentType, body string, header http.Header) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, p.URL(EndpointMessages), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := p.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// errorCode reads the code of the default error body.
func errorCode(t *testing.T, a answer) string {
	t.Helper()
	var doc struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil || doc.Error.Code == "" || doc.Error.Message == "" {
		t.Fatalf("answer %d %q is not {\"error\":{\"code\",\"message\"}}", a.status, a.body)
	}
	return doc.Error.Code
}

func TestMessageDefaultSpec(t *testing.T) {
	t.Parallel()
	p := NewMessage(MessageSpec{})
	if p.Name() != "message" || p.URL(EndpointMessages) != "https://message.mock.test/v1/messages" {
		t.Fatalf("name %q, URL %q", p.Name(), p.URL(EndpointMessages))
	}
	if !slices.Equal(p.Endpoints(), []Endpoint{EndpointMessages}) {
		t.Errorf("Endpoints() = %v", p.Endpoints())
	}
	bearer := http.Header{"Authorization": {"Bearer " + p.APIKey()}}
	const jsonType = "application/json"
	for _, tc := range []struct {
		name        string
		method      string
		contentType string
		body        string
		header      http.Header
		status      int
		code        string // the error code; "" for a sent message
		problem     string // in Problems()
	}{
		{"sent", "POST", jsonType, `{"to":"+14155550100","text":"Your code is 123456"}`, bearer, 200, "", ""},
		{"scheme in lower case", "POST", jsonType + "; charset=utf-8", `{"to":"+821012345678","text":"코드 123456"}`,
			http.Header{"Authorization": {"bearer " + p.APIKey()}}, 200, "", ""},
		{"no key", "POST", jsonType, `{"to":"+14155550100","text":"x"}`, nil, 401, "unauthorized", "no Authorization header"},
		{"wrong key", "POST", jsonType, `{"to":"+14155550100","text":"x"}`, http.Header{"Authorization": {"Bearer nope-nope-nope"}},
			401, "unauthorized", "Bearer token is not the API key"},
		{"Basic instead of Bearer", "POST", jsonType, `{"to":"+14155550100","text":"x"}`,
			http.Header{"Authorization": {"Basic " + p.APIKey()}}, 401, "unauthorized", "does not use the Bearer scheme"},
		{"GET", "GET", "", "", bearer, 405, "invalid_request", "method GET is not allowed"},
		{"form body", "POST", "application/x-www-form-urlencoded", "to=%2B14155550100&text=x", bearer, 400, "invalid_request",
			`"application/x-www-form-urlencoded", want application/json`},
		{"not JSON", "POST", jsonType, `{"to":`, bearer, 400, "invalid_request", "not a JSON object"},
		{"JSON array", "POST", jsonType, `[]`, bearer, 400, "invalid_request", "not a JSON object"},
		{"no to", "POST", jsonType, `{"text":"x"}`, bearer, 400, "invalid_request", "to is missing"},
		{"to not a string", "POST", jsonType, `{"to":14155550100,"text":"x"}`, bearer, 400, "invalid_request", "to is not a JSON string"},
		{"digits-only to", "POST", jsonType, `{"to":"14155550100","text":"x"}`, bearer, 400, "invalid_recipient", "to is not a recipient"},
		{"two numbers", "POST", jsonType, `{"to":"+14155550100,+14155550101","text":"x"}`, bearer, 400, "invalid_recipient", "to is not a recipient"},
		{"no text", "POST", jsonType, `{"to":"+14155550100"}`, bearer, 400, "invalid_request", "text is missing"},
		{"long text", "POST", jsonType, `{"to":"+14155550100","text":"` + strings.Repeat("a", 1601) + `"}`, bearer, 400,
			"invalid_request", "text is longer than 1600 characters"},
		{"huge body", "POST", jsonType, `{"to":"+14155550100","text":"` + strings.Repeat("a", maxMessageRequest) + `"}`, bearer, 413,
			"invalid_request", "larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(p.Problems())
			a := send(t, p, tc.method, tc.contentType, tc.body, tc.header)
			if a.status != tc.status {
				t.Fatalf("status %d %s, want %d", a.status, a.body, tc.status)
			}
			problems := p.Problems()[before:]
			if tc.code == "" {
				id, _ := a.json(t)["id"].(string)
				if !regexp.MustCompile(`^msg_[0-9a-f]{32}$`).MatchString(id) || len(problems) > 0 {
					t.Fatalf("answer %s, problems %q", a.body, problems)
				}
				return
			}
			if got := errorCode(t, a); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			if len(problems) != 1 || !strings.Contains(problems[0], tc.problem) {
				t.Errorf("problems %q, want one holding %q", problems, tc.problem)
			}
			if tc.status == 401 && a.header.Get("WWW-Authenticate") != `Bearer realm="message"` {
				t.Errorf("WWW-Authenticate %q", a.header.Get("WWW-Authenticate"))
			}
			if tc.status == 405 && a.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
		})
	}
	box := p.Outbox()
	if len(box) != 2 {
		t.Fatalf("outbox %+v, want the 2 sent messages", box)
	}
	if m := box[0]; m.To != "+14155550100" || m.Body != "Your code is 123456" || m.Encoding != "GSM-7" || m.Segments != 1 ||
		m.Account != "" || m.From != "" || time.Since(m.Time) > time.Minute {
		t.Errorf("first message %+v", m)
	}
	if m := box[1]; m.Encoding != "UCS-2" || box[0].SID == m.SID {
		t.Errorf("second message %+v", m)
	}
	for _, pr := range p.Problems() {
		if strings.Contains(pr, p.APIKey()) || strings.Contains(pr, "nope-nope-nope") {
			t.Errorf("a problem holds a key: %q", pr)
		}
	}
}

func TestMessageUnknownPath(t *testing.T) {
	t.Parallel()
	p := NewMessage(MessageSpec{})
	a := call(t, p.Client(), http.MethodPost, p.BaseURL()+"/v1/mesages", url.Values{}, nil)
	if a.status != 404 || errorCode(t, a) != "invalid_request" {
		t.Fatalf("answer %d %s", a.status, a.body)
	}
	if ps := p.Problems(); len(ps) != 1 || !strings.Contains(ps[0], "no endpoint at POST /v1/mesages (the send endpoint is POST /v1/messages)") {
		t.Errorf("problems %q", ps)
	}
	if p.Requests(EndpointMessages) != 0 {
		t.Errorf("a request to another path counted as a send")
	}
}

// twilioLike describes Twilio's Messages resource as a MessageSpec: form
// body, Basic credentials, Twilio's error JSON.
func twilioLike() MessageSpec {
	return MessageSpec{
		Name: "twilio", Path: "/2010-04-01/Accounts/AC0123/Messages.json", Auth: BasicKey,
		Username: "AC0123", APIKey: "auth-token-0123456789", Form: true,
		ToField: "To", TextField: "Body", FromField: "MessagingServiceSid",
		Status: http.StatusCreated, IDField: "sid", IDPrefix: "SM", Answer: map[string]any{"status": "accepted"},
		ErrorCodes: map[Mode]string{Unauthorized: "20003", RateLimited: "20429", InvalidRecipient: "21211"},
		ErrorBody: func(e MessageErrorReply) (int, any) {
			code, _ := strconv.Atoi(e.Code)
			return 0, map[string]any{"code": code, "message": e.Message, "status": e.Status}
		},
	}
}

func TestMessageShapes(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded"
	tw := NewMessage(twilioLike())
	basic := func(user, pass string) http.Header {
		r, _ := http.NewRequest(http.MethodPost, "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header
	}
	ok := url.Values{"To": {"+14155550100"}, "MessagingServiceSid": {"MG1"}, "Body": {"hi"}}.Encode()
	a := send(t, tw, "POST", form, ok, basic("AC0123", "auth-token-0123456789"))
	var sent map[string]any
	if err := json.Unmarshal([]byte(a.body), &sent); err != nil || a.status != 201 || sent["status"] != "accepted" ||
		!strings.HasPrefix(sent["sid"].(string), "SM") {
		t.Fatalf("answer %d %s", a.status, a.body)
	}
	if box := tw.Outbox(); len(box) != 1 || box[0].Account != "AC0123" || box[0].From != "MG1" || box[0].SID != sent["sid"] {
		t.Fatalf("outbox %+v", box)
	}
	for _, tc := range []struct {
		name   string
		body   string
		header http.Header
		status int
		code   float64
	}{
		{"wrong user", ok, basic("AC9999", "auth-token-0123456789"), 401, 20003},
		{"no credentials", ok, nil, 401, 20003},
		{"no sender", url.Values{"To": {"+14155550100"}, "Body": {"hi"}}.Encode(), basic("AC0123", "auth-token-0123456789"), 400, 0},
		{"To twice", ok + "&To=%2B14155550199", basic("AC0123", "auth-token-0123456789"), 400, 0},
		{"bad To", url.Values{"To": {"call-me"}, "MessagingServiceSid": {"MG1"}, "Body": {"hi"}}.Encode(),
			basic("AC0123", "auth-token-0123456789"), 400, 21211},
	} {
		a := send(t, tw, "POST", form, tc.body, tc.header)
		m := a.json(t)
		if a.status != tc.status || m["code"] != tc.code || m["status"] != float64(tc.status) {
			t.Errorf("%s: answer %d %s, want %d with code %v", tc.name, a.status, a.body, tc.status, tc.code)
		}
	}
	if a := send(t, tw, "POST", form, ok, basic("AC9999", "x")); a.header.Get("WWW-Authenticate") != `Basic realm="twilio"` {
		t.Errorf("WWW-Authenticate %q", a.header.Get("WWW-Authenticate"))
	}

	// A named header, nested JSON fields, an email recipient.
	mail := NewMessage(MessageSpec{
		Name: "mailer", Path: "/send", Auth: HeaderKey, KeyHeader: "X-Mailer-Key",
		ToField: "message.to", TextField: "message.text", IDField: "data.id", Status: http.StatusAccepted,
		Recipient: func(to string) bool { return strings.Count(to, "@") == 1 },
	})
	key := http.Header{"X-Mailer-Key": {mail.APIKey()}}
	a = send(t, mail, "POST", "application/json", `{"message":{"to":"ada@example.com","text":"Your code is 1"}}`, key)
	var nested struct{ Data struct{ ID string } }
	if err := json.Unmarshal([]byte(a.body), &nested); err != nil || a.status != 202 || nested.Data.ID == "" {
		t.Fatalf("answer %d %s", a.status, a.body)
	}
	for _, tc := range []struct {
		name, body string
		header     http.Header
		status     int
		code       string
	}{
		{"no key header", `{"message":{"to":"ada@example.com","text":"x"}}`, nil, 401, "unauthorized"},
		{"key header twice", `{"message":{"to":"ada@example.com","text":"x"}}`, http.Header{"X-Mailer-Key": {mail.APIKey(), mail.APIKey()}}, 401, "unauthorized"},
		{"flat fields", `{"to":"ada@example.com","text":"x"}`, key, 400, "invalid_request"},
		{"message not an object", `{"message":"ada@example.com"}`, key, 400, "invalid_request"},
		{"phone number", `{"message":{"to":"+14155550100","text":"x"}}`, key, 400, "invalid_recipient"},
	} {
		a := send(t, mail, "POST", "application/json", tc.body, tc.header)
		if a.status != tc.status || errorCode(t, a) != tc.code {
			t.Errorf("%s: answer %d %s, want %d %s", tc.name, a.status, a.body, tc.status, tc.code)
		}
	}
	if box := mail.Outbox(); len(box) != 1 || box[0].To != "ada@example.com" || box[0].SID != nested.Data.ID {
		t.Errorf("outbox %+v", box)
	}
}

func TestMessageFailureModes(t *testing.T) {
	t.Parallel()
	spec := MessageSpec{ErrorCodes: map[Mode]string{InvalidRecipient: "invalid_number", ServerError: ""}}
	body := `{"to":"+14155550100","text":"hi"}`
	for _, tc := range []struct {
		f          Failure
		status     int
		code       string
		retryAfter string
	}{
		{Failure{Mode: Unauthorized}, 401, "unauthorized", ""},
		{Failure{Mode: RateLimited}, 429, "rate_limited", "7"},
		{Failure{Mode: RateLimited, RetryAfter: 90 * time.Second}, 429, "rate_limited", "90"},
		{Failure{Mode: ServerError}, 500, "server_error", ""},
		{Failure{Mode: Unavailable}, 503, "unavailable", ""},
		{Failure{Mode: InvalidRecipient}, 400, "invalid_number", ""},
		{Failure{Mode: ProviderError}, 400, "provider_error", ""},
		{Failure{Mode: ProviderError, Code: "insufficient_credit", Status: 402}, 402, "insufficient_credit", ""},
	} {
		t.Run(string(tc.f.Mode)+tc.f.Code, func(t *testing.T) {
			t.Parallel()
			p := NewMessage(spec)
			if !p.Supports(EndpointMessages, tc.f.Mode) {
				t.Fatalf("Supports(%s) is false", tc.f.Mode)
			}
			p.SetFailure(EndpointMessages, tc.f)
			a := send(t, p, "POST", "application/json", body, http.Header{"Authorization": {"Bearer " + p.APIKey()}})
			if a.status != tc.status || errorCode(t, a) != tc.code || a.header.Get("Retry-After") != tc.retryAfter {
				t.Errorf("answer %d (Retry-After %q) %s, want %d %s (Retry-After %q)", a.status, a.header.Get("Retry-After"),
					a.body, tc.status, tc.code, tc.retryAfter)
			}
			if len(p.Outbox()) != 0 || len(p.Problems()) != 0 {
				t.Errorf("a failure accepted a message or recorded a problem: %+v %q", p.Outbox(), p.Problems())
			}
		})
	}
	for _, m := range []Mode{HTMLPage, TruncatedJSON, Oversized, Hang, EmptyBody, Custom, Redirect} {
		if p := NewMessage(spec); !p.Supports(EndpointMessages, m) {
			t.Errorf("Supports(%s) is false", m)
		}
	}
	for _, m := range []Mode{InvalidGrant, MissingID, MissingToken, CaseTwins, BadSignature} {
		if p := NewMessage(spec); p.Supports(EndpointMessages, m) {
			t.Errorf("Supports(%s) is true: the mock has no shape for it", m)
		}
	}
	if p := NewMessage(spec); p.Supports(EndpointToken, OK) || p.Supports(EndpointRedirectTarget, Hang) {
		t.Errorf("Supports answers for endpoints the mock does not have, or fails its redirect target")
	}
}

func TestMessageBrokenAnswers(t *testing.T) {
	t.Parallel()
	body := `{"to":"+14155550100","text":"hi"}`
	t.Run("TruncatedJSON", func(t *testing.T) {
		t.Parallel()
		p := NewMessage(MessageSpec{IDField: "message_id"})
		p.Fail(EndpointMessages, TruncatedJSON)
		a := send(t, p, "POST", "application/json", body, http.Header{"Authorization": {"Bearer " + p.APIKey()}})
		if a.status != 200 || !strings.HasPrefix(a.body, `{"message_id":"msg_`) || json.Valid([]byte(a.body)) {
			t.Errorf("answer %d %q", a.status, a.body)
		}
	})
	t.Run("Redirect", func(t *testing.T) {
		t.Parallel()
		p := NewMessage(MessageSpec{})
		p.Fail(EndpointMessages, Redirect)
		// The client follows the redirect, as a careless connector's does.
		a := send(t, p, "POST", "application/json", body, http.Header{"Authorization": {"Bearer " + p.APIKey()}})
		if a.status != 200 || !strings.Contains(a.body, "mock_redirect_target") || p.Requests(EndpointRedirectTarget) != 1 {
			t.Errorf("answer %d %s; %d requests at the target", a.status, a.body, p.Requests(EndpointRedirectTarget))
		}
		if len(p.Outbox()) != 0 {
			t.Errorf("the redirected message was accepted")
		}
	})
	t.Run("Oversized", func(t *testing.T) {
		t.Parallel()
		p := NewMessage(MessageSpec{})
		p.Fail(EndpointMessages, Oversized)
		req, _ := http.NewRequest(http.MethodPost, p.URL(EndpointMessages), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+p.APIKey())
		resp, err := p.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 12)
		_, _ = io.ReadFull(resp.Body, head)
		resp.Body.Close()
		if string(head) != `{"padding":"` {
			t.Errorf("body starts with %q", head)
		}
	})
}

func TestMessageClone(t *testing.T) {
	t.Parallel()
	p := NewMessage(MessageSpec{Name: "acme", ErrorCases: []ErrorCase{{Name: "opted_out",
		Failure: Failure{Mode: ProviderError, Code: "opted_out"}, Code: "general", Status: 400}}})
	p.Fail(EndpointMessages, ServerError)
	p.SetHangLimit(time.Second)
	a := send(t, p, "POST", "application/json", `{"to":"+14155550100","text":"x"}`, http.Header{"Authorization": {"Bearer " + p.APIKey()}})
	if a.status != 500 {
		t.Fatalf("status %d", a.status)
	}
	n := p.Clone().(*MessageAPI)
	if n.APIKey() != p.APIKey() || n.Username() != p.Username() || n.Name() != "acme" {
		t.Errorf("the clone has other credentials or name")
	}
	if n.Requests(EndpointMessages) != 0 || len(n.Outbox()) != 0 {
		t.Errorf("the clone kept state")
	}
	a = send(t, n, "POST", "application/json", `{"to":"+14155550100","text":"x"}`, http.Header{"Authorization": {"Bearer " + n.APIKey()}})
	if a.status != 200 || len(n.Outbox()) != 1 || len(p.Outbox()) != 0 {
		t.Errorf("the clone kept the failure or shares the outbox: %d %s", a.status, a.body)
	}
	if !slices.Equal(n.Secrets(), []string{p.APIKey()}) || len(p.APIKey()) < 16 {
		t.Errorf("Secrets() = %d values", len(n.Secrets()))
	}
	cases := n.ErrorCases()
	if len(cases) != 1 || cases[0].Endpoint != EndpointMessages {
		t.Errorf("ErrorCases() = %+v, want the spec's with EndpointMessages", cases)
	}
	cases[0].Name = "changed"
	if p.ErrorCases()[0].Name != "opted_out" {
		t.Errorf("ErrorCases() shares its slice")
	}
}

func TestMessageErrorBodyNotJSON(t *testing.T) {
	t.Parallel()
	p := NewMessage(MessageSpec{ErrorBody: func(MessageErrorReply) (int, any) { return 0, func() {} }})
	p.Fail(EndpointMessages, Unauthorized)
	a := send(t, p, "POST", "application/json", `{}`, http.Header{"Authorization": {"Bearer " + p.APIKey()}})
	if a.status != 500 || errorCode(t, a) != "server_error" {
		t.Errorf("answer %d %s", a.status, a.body)
	}
}

// FuzzMessageRequest sends any body to the send endpoint: the mock answers
// with a status it documents and never panics.
func FuzzMessageRequest(f *testing.F) {
	f.Add(`{"to":"+14155550100","text":"hi"}`, false)
	f.Add(`{"message":{"to":[1,{"a":null}]}}`, false)
	f.Add("to=%2B14155550100&text=hi&to=x", true)
	f.Add("%zz", true)
	jsonAPI, formAPI := NewMessage(MessageSpec{ToField: "message.to"}), NewMessage(MessageSpec{Form: true})
	f.Fuzz(func(t *testing.T, body string, form bool) {
		p, ct := jsonAPI, "application/json"
		if form {
			p, ct = formAPI, "application/x-www-form-urlencoded"
		}
		req := httptest.NewRequest(http.MethodPost, p.spec.Path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+p.APIKey())
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer %q is not JSON", w.Body.String())
		}
	})
}

// The spec and the mock never print their API key, whatever the verb or
// log handler.
func TestMessageNeverPrintsKey(t *testing.T) {
	t.Parallel()
	spec := MessageSpec{Name: "acme", APIKey: "ak_live_0123456789abcdef"}
	p := NewMessage(spec)
	var out bytes.Buffer
	for _, v := range []any{spec, &spec, p} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%20.3v"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("mock", "v", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("mock", "v", v)
	}
	if strings.Contains(out.String(), spec.APIKey) || strings.Contains(out.String(), "0123456789abcdef") {
		t.Fatalf("the key was printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `mockprovider.MessageSpec{Name:"acme" Method:"" Path:"" Auth:"" APIKey:"[REDACTED]"}`) ||
		!strings.Contains(out.String(), "mockprovider.MessageAPI{acme POST https://acme.mock.test/v1/messages}") ||
		!strings.Contains(out.String(), `"v":{"name":"acme","endpoint":"POST https://acme.mock.test/v1/messages"}`) {
		t.Errorf("unexpected renderings:\n%s", out.String())
	}
}
