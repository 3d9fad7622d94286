package twilio_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

// echoed is what a provider or proxy that echoes the request saw of it.
type echoed struct {
	header   string // the Authorization header
	cred     string // its base64 credentials
	password string // the auth token or API key secret
	form     string // the form body, URL-encoded
	body     string // the rendered message body
	code     string // the one-time code
}

// formsOf lists s as sent and in the encodings a provider may echo it in.
func formsOf(s string) []string {
	j, _ := json.Marshal(s)
	return []string{s, url.QueryEscape(s), url.PathEscape(s), string(j[1 : len(j)-1]),
		base64.StdEncoding.EncodeToString([]byte(s))}
}

// leaks lists every form of every secret of a send.
func (e echoed) leaks() []string {
	var out []string
	for _, s := range []string{e.password, e.cred, e.body, e.code} {
		out = append(out, formsOf(s)...)
	}
	return out
}

// echoError answers 400 with Twilio's error document, its texts made by
// fields from what the request carried.
func echoError(fields func(e echoed) map[string]any) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(b))
		_, pass, _ := req.BasicAuth()
		h := req.Header.Get("Authorization")
		doc := map[string]any{"status": 400}
		for k, v := range fields(echoed{header: h, cred: strings.TrimPrefix(h, "Basic "), password: pass,
			form: string(b), body: form.Get("Body")}) {
			doc[k] = v
		}
		return httpmock.NewJsonResponse(http.StatusBadRequest, doc)
	}
}

// debugLogger logs every level as JSON into buf.
func debugLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestSendScrubsEchoedSecrets(t *testing.T) {
	t.Parallel()
	credentials := []struct {
		name    string
		changes map[string]any
	}{
		{"auth token", nil},
		{"api key", map[string]any{"authToken": nil, "apiKeySID": apiKeySID, "apiKeySecret": apiKeySecret}},
	}
	// A numeric code, and one whose URL and JSON encodings differ from it.
	codes := []string{"918273", `K7+q/9&<"x`}
	tests := []struct {
		name     string
		fields   func(e echoed) map[string]any
		provCode string
	}{
		{"authorization header in the message", func(e echoed) map[string]any {
			return map[string]any{"code": 21211, "message": "bad request; Authorization: " + e.header}
		}, "21211"},
		{"password in the message", func(e echoed) map[string]any {
			return map[string]any{"code": 20003, "message": "token " + e.password + " is wrong"}
		}, "20003"},
		{"query-escaped credentials in more_info", func(e echoed) map[string]any {
			return map[string]any{"code": 30001, "message": "see more_info",
				"more_info": "https://proxy.example/echo?auth=" + url.QueryEscape(e.header) + "&p=" + url.QueryEscape(e.password)}
		}, "30001"},
		{"base64 credentials alone", func(e echoed) map[string]any {
			return map[string]any{"code": 30001, "message": "credentials " + e.cred, "more_info": e.cred}
		}, "30001"},
		{"form body echoed", func(e echoed) map[string]any {
			return map[string]any{"code": 21602, "message": "cannot parse " + e.form}
		}, "21602"},
		{"raw code and body", func(e echoed) map[string]any {
			return map[string]any{"code": 30007, "message": "filtered: " + e.body, "more_info": "code=" + e.code}
		}, "30007"},
		{"url-encoded code", func(e echoed) map[string]any {
			return map[string]any{"code": 30007, "message": "code%3D" + url.QueryEscape(e.code) + " path /" + url.PathEscape(e.code)}
		}, "30007"},
		{"json-escaped code in a json message", func(e echoed) map[string]any {
			j, _ := json.Marshal(map[string]string{"body": e.body, "code": e.code})
			return map[string]any{"code": 30007, "message": string(j), "more_info": string(j)}
		}, "30007"},
		{"code in the code field", func(e echoed) map[string]any {
			return map[string]any{"code": e.code, "message": "unknown"}
		}, "[REDACTED]"},
		{"secrets in extra fields", func(e echoed) map[string]any {
			return map[string]any{"code": 21211, "message": "invalid", "detail": e.header, "request": e.form,
				"headers": map[string]any{"Authorization": e.header}, "body": e.body}
		}, "21211"},
	}
	for _, cr := range credentials {
		for _, code := range codes {
			for _, tt := range tests {
				t.Run(cr.name+"/"+code+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					var seen echoed
					m := newMock(t, echoError(func(e echoed) map[string]any {
						e.code = code
						seen = e
						return tt.fields(e)
					}))
					var logs bytes.Buffer
					c := m.open(config(t, cr.changes), connector.WithLogger(debugLogger(&logs)))
					_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
						Payload: map[string]any{"code": code}})
					var ce *connector.Error
					if !errors.As(err, &ce) {
						t.Fatalf("Send = %v, want a *connector.Error", err)
					}
					if seen.password == "" || !strings.Contains(seen.body, code) {
						t.Fatalf("the mock did not see the request: %+v", seen)
					}
					if ce.ProviderCode != tt.provCode {
						t.Errorf("ProviderCode %q, want %q", ce.ProviderCode, tt.provCode)
					}
					var details []string
					for k, v := range ce.ProviderDetails {
						details = append(details, k+"="+v)
					}
					outputs := map[string]string{
						"err.Error()":     err.Error(),
						"%+v":             fmt.Sprintf("%+v", err),
						"%#v":             fmt.Sprintf("%#v", ce),
						"ProviderCode":    ce.ProviderCode,
						"ProviderMessage": ce.ProviderMessage,
						"ProviderDetails": strings.Join(details, " "),
						"logs":            logs.String(),
					}
					if !strings.Contains(logs.String(), `"msg":"sms not sent"`) {
						t.Errorf("no debug log line for the failure:\n%s", logs.String())
					}
					for what, out := range outputs {
						for _, leak := range seen.leaks() {
							if strings.Contains(out, leak) {
								t.Errorf("%s reveals %q:\n%s", what, leak, out)
							}
						}
					}
				})
			}
		}
	}
}

func TestSendStripsControlCharacters(t *testing.T) {
	t.Parallel()
	const forged = "bad request\r\nlevel=ERROR msg=\"forged line\"\n\x1b[31mred\x1b[0m \u202eexe.txt\u2028end"
	m := newMock(t, httpmock.NewStringResponder(400, mustJSON(t, map[string]any{
		"code": "2121\n1", "message": forged, "more_info": "https://www.twilio.com/docs/errors/21211\r\nX-Injected: 1",
	})))
	var logs bytes.Buffer
	c := m.open(config(t, nil), connector.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": "123456"}})
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Send = %v", err)
	}
	if want := `bad request  level=ERROR msg="forged line"  [31mred [0m  exe.txt end`; ce.ProviderMessage != want {
		t.Errorf("ProviderMessage %q, want %q", ce.ProviderMessage, want)
	}
	for what, s := range map[string]string{"err.Error()": err.Error(), "ProviderCode": ce.ProviderCode,
		"ProviderMessage": ce.ProviderMessage, "more_info": ce.ProviderDetails["more_info"]} {
		if strings.ContainsAny(s, "\r\n\x1b\u202e\u2028") {
			t.Errorf("%s keeps a control character: %q", what, s)
		}
	}
	// One line per record: the provider's line breaks forged none.
	if n := strings.Count(strings.TrimSpace(logs.String()), "\n"); n != 0 || strings.Contains(logs.String(), "\x1b") {
		t.Errorf("log output has %d more lines or an escape:\n%s", n, logs.String())
	}
}

func TestSendScrubsTransportErrors(t *testing.T) {
	t.Parallel()
	// A proxy in the injected client that fails and repeats the request.
	m := newMock(t, func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		return nil, fmt.Errorf("proxy: cannot forward %q with %s: %w", b, req.Header.Get("Authorization"), io.ErrUnexpectedEOF)
	})
	var logs bytes.Buffer
	c := m.open(config(t, nil), connector.WithLogger(debugLogger(&logs)))
	_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": "918273"}})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeGeneral || !ce.Retryable {
		t.Fatalf("Send = %v, want a retryable general error", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) is false once scrubbed: %v", err)
	}
	if !strings.Contains(err.Error(), "proxy: cannot forward") {
		t.Errorf("the cause's text is lost: %v", err)
	}
	seen := echoed{password: authToken, cred: base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken)),
		body: "Your sign-in code is 918273", code: "918273"}
	for what, out := range map[string]string{"err.Error()": err.Error(), "%+v": fmt.Sprintf("%+v", err), "logs": logs.String()} {
		for _, leak := range seen.leaks() {
			if strings.Contains(out, leak) {
				t.Errorf("%s reveals %q:\n%s", what, leak, out)
			}
		}
	}
}

func TestSendLogScrubsTheMessageSID(t *testing.T) {
	t.Parallel()
	m := newMock(t, httpmock.NewStringResponder(201, `{"sid":"SM`+authToken+`-918273","status":"queued"}`))
	var logs bytes.Buffer
	c := m.open(config(t, nil), connector.WithLogger(debugLogger(&logs)))
	if _, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": "918273"}}); err != nil {
		t.Fatal(err)
	}
	if out := logs.String(); strings.Contains(out, authToken) || strings.Contains(out, "918273") || !strings.Contains(out, `"msg":"sms sent"`) {
		t.Errorf("logs:\n%s", out)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
