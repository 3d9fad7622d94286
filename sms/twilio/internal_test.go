package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/redact"
)

func testAPI() *api {
	return newAPI(FactoryID, "https://api.twilio.com/", "AC0123456789abcdef0123456789abcdef", "tok3n", "AC0123456789abcdef0123456789abcdef",
		&http.Client{}, time.Now)
}

func TestAPIPrintsNoCredentials(t *testing.T) {
	t.Parallel()
	a := testAPI()
	for _, s := range []string{a.String(), a.GoString(), fmt.Sprintf("%v %+v %#v", a, a, a)} {
		if strings.Contains(s, "tok3n") || strings.Contains(s, "Basic") {
			t.Fatalf("api prints %q", s)
		}
	}
	if a.base != "https://api.twilio.com" {
		t.Errorf("base %q keeps its trailing slash", a.base)
	}
	c := Connector{id: FactoryID, from: "Acme", api: a}
	if got := c.GoString(); got != "twilio.Connector{id: twilio-short-message-service, sender Acme, api: https://api.twilio.com}" {
		t.Errorf("GoString() = %q", got)
	}
	if got := (Connector{}).String(); !strings.Contains(got, "twilio.Connector{") {
		t.Errorf("zero Connector String() = %q", got)
	}
}

func TestZeroConnectorDoesNotPanic(t *testing.T) {
	t.Parallel()
	var c Connector
	_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn})
	if connector.CodeOf(err) != connector.CodeGeneral || !strings.Contains(err.Error(), "twilio.New") {
		t.Fatalf("Send on a zero Connector = %v", err)
	}
}

func TestCallIsAnImmutableBaseClient(t *testing.T) {
	t.Parallel()
	a := testAPI()
	c := call{ctx: context.Background(), api: a}
	c.SetTimeout(time.Nanosecond)
	c.SetOauth(nil)
	if a.http.Timeout != 0 || c.OAuth() != nil || c.AccountSid() != "AC0123456789abcdef0123456789abcdef" {
		t.Fatalf("call changed the shared client: timeout %s, oauth %v, sid %s", a.http.Timeout, c.OAuth(), c.AccountSid())
	}
}

func TestSendRequestRefusesUnexpectedRequests(t *testing.T) {
	t.Parallel()
	c := call{ctx: context.Background(), api: testAPI()}
	for _, tt := range []struct{ method, url string }{
		{http.MethodPost, "https://evil.example/2010-04-01/Accounts/AC/Messages.json"},
		{http.MethodGet, sdkBase + "/2010-04-01/Accounts/AC/Messages.json"},
	} {
		_, err := c.SendRequest(tt.method, tt.url, url.Values{}, nil)
		if connector.CodeOf(err) != connector.CodeGeneral || !strings.Contains(err.Error(), "unexpected request") {
			t.Errorf("SendRequest(%s %s) = %v", tt.method, tt.url, err)
		}
	}
	nilCtx := call{ctx: nil, api: testAPI()} // a nil context must fail cleanly
	if _, err := nilCtx.SendRequest(http.MethodPost, sdkBase+"/x", url.Values{}, nil); connector.CodeOf(err) != connector.CodeGeneral {
		t.Errorf("SendRequest with a nil context = %v", err)
	}
}

func TestTransportErrorKeepsTheContextCause(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := call{ctx: ctx, api: testAPI()}
	err := c.transportError(&url.Error{Op: "Post", URL: "https://api.twilio.com/secret-path", Err: errors.New("connection reset")})
	if !errors.Is(err, context.Canceled) || connector.IsRetryable(err) || strings.Contains(err.Error(), "secret-path") {
		t.Fatalf("transportError = %v", err)
	}
}

func TestSIDAndHostChecks(t *testing.T) {
	t.Parallel()
	sids := map[string]bool{
		"AC0123456789abcdef0123456789abcdef": true,
		"AC0123456789ABCDEF0123456789ABCDEF": true,
		"AC0123456789abcdef0123456789abcdeg": false,
		"AC0123456789abcdef0123456789abcde":  false,
		"MG0123456789abcdef0123456789abcdef": false,
		" AC0123456789abcdef0123456789abcde": false,
	}
	for s, want := range sids {
		if got := isSID(s, "AC"); got != want {
			t.Errorf("isSID(%q) = %v", s, got)
		}
	}
	hosts := map[string]bool{
		"api.twilio.com":                                  true,
		"API.TWILIO.COM":                                  true,
		"api.dublin.ie1.twilio.com":                       true,
		"api.sydney.au1.twilio.com":                       true,
		"twilio.com":                                      false,
		"api.twilio.com.evil.example":                     false,
		"apix.twilio.com":                                 false,
		"api..twilio.com":                                 false,
		"api.dub_lin.twilio.com":                          false,
		"api.dublin-.twilio.com":                          false,
		"api." + strings.Repeat("a", 64) + ".twilio.com":  false,
		"api." + strings.Repeat("a.", 130) + "twilio.com": false,
		"api.twilio.com:443":                              false,
	}
	for h, want := range hosts {
		if got := isTwilioHost(h); got != want {
			t.Errorf("isTwilioHost(%q) = %v", h, got)
		}
	}
	senders := map[string]string{
		"+14155550100": "+14155550100",
		"14155550100":  "+14155550100",
		"12345":        "12345",
		"123":          "123",
		"Acme":         "Acme",
		"A1 B2-C3_D&+": "",
		"A1 B2-C3_&":   "A1 B2-C3_&",
		"123 456":      "",
		"":             "",
		"Åcme":         "",
	}
	for in, want := range senders {
		got, msg := sender(in)
		if got != want || (want == "") != (msg != "") {
			t.Errorf("sender(%q) = %q, %q; want %q", in, got, msg, want)
		}
	}
}

func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"code":21211,"message":"Invalid 'To' Phone Number","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`,
		`{"code":"20003"}`, `{"message":null}`, `[]`, `<html>`, `{"code":1e400}`, `{"message":"\xff\xfe"}`,
		`{"code":" 123456 ","message":"tok3n \u001b[31m 123456\r\n","more_info":"` + strings.Repeat("é", 600) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pe, ok := parseError(body)
		if ok != (pe.code != "" || pe.message != "") {
			t.Fatalf("ok %v for %+v", ok, pe)
		}
		c := call{ctx: context.Background(), api: testAPI(), body: "Your code is 123456", payload: map[string]any{"code": "123456"}}
		err := c.statusError(&http.Response{StatusCode: 400, Header: http.Header{}}, body)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code == "" {
			t.Fatalf("statusError = %v, want a *connector.Error with a code", err)
		}
		if len(ce.ProviderCode) > maxProviderCode {
			t.Fatalf("provider code of %d bytes", len(ce.ProviderCode))
		}
		for _, s := range []string{ce.ProviderCode, ce.ProviderMessage, ce.ProviderDetails["more_info"]} {
			if len(s) > redact.MaxText || !utf8.ValidString(s) || s != redact.Clean(s) {
				t.Fatalf("unbounded, invalid or unclean text %q", s)
			}
			if strings.Contains(s, "tok3n") || strings.Contains(s, "123456") {
				t.Fatalf("text %q keeps a secret", s)
			}
		}
	})
}
