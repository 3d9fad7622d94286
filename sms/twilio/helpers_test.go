package twilio_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

// Test credentials: shaped like Twilio's, never real.
const (
	accountSID   = "AC0123456789abcdef0123456789abcdef"
	authToken    = "f00dfacef00dfacef00dfacef00dface"
	serviceSID   = "MG00112233445566778899aabbccddeeff"
	apiKeySID    = "SKfedcba9876543210fedcba9876543210"
	apiKeySecret = "s3cr3tK3yV4lu3Th4tMu5tN3v3rL34k0"
	messagesURL  = "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	messageSID   = "SM0123456789abcdef0123456789abcdef"
)

// secrets must never appear in an error, a log line or fmt output.
var secrets = []string{
	authToken, apiKeySecret,
	base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken)),
	base64.StdEncoding.EncodeToString([]byte(apiKeySID + ":" + apiKeySecret)),
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Fatalf("%s reveals a secret: %s", what, s)
		}
	}
}

// config returns a valid config (auth token, messaging service, Generic and
// SignIn templates) with changes applied; a nil value deletes the key.
func config(t testing.TB, changes map[string]any) json.RawMessage {
	t.Helper()
	m := map[string]any{
		"accountSID":              accountSID,
		"authToken":               authToken,
		"fromMessagingServiceSID": serviceSID,
		"templates": []any{
			map[string]any{"usageType": "SignIn", "content": "Your sign-in code is {{code}}"},
			map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"},
		},
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sent is a request the mock Twilio received.
type sent struct {
	Method, URL, ContentType, Accept string
	User, Password                   string
	BasicOK                          bool
	Body                             string
}

// mockTwilio is Twilio's Messages API on httpmock, bound to its own client.
type mockTwilio struct {
	t      testing.TB
	mt     *httpmock.MockTransport
	client *http.Client
	mu     sync.Mutex
	reqs   []sent
}

// newMock answers every message creation with respond (201 and a message
// document when nil).
func newMock(t testing.TB, respond httpmock.Responder) *mockTwilio {
	m := &mockTwilio{t: t, mt: httpmock.NewMockTransport()}
	m.client = &http.Client{Transport: m.mt}
	if respond == nil {
		respond = created
	}
	record := func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b)) // respond may read it too
		u, p, ok := req.BasicAuth()
		m.mu.Lock()
		m.reqs = append(m.reqs, sent{Method: req.Method, URL: req.URL.String(), ContentType: req.Header.Get("Content-Type"),
			Accept: req.Header.Get("Accept"), User: u, Password: p, BasicOK: ok, Body: string(b)})
		m.mu.Unlock()
		return respond(req)
	}
	m.mt.RegisterResponder(http.MethodPost, "=~^https://api\\.twilio\\.com/", record)
	m.mt.RegisterResponder(http.MethodPost, "=~^https://api\\.dublin\\.ie1\\.twilio\\.com/", record)
	return m
}

func (m *mockTwilio) requests() []sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sent(nil), m.reqs...)
}

// open opens a connector on the mock.
func (m *mockTwilio) open(raw json.RawMessage, opts ...connector.Option) *twilio.Connector {
	m.t.Helper()
	c, err := twilio.Open(raw, append([]connector.Option{connector.WithHTTPClient(m.client)}, opts...)...)
	if err != nil {
		m.t.Fatalf("Open: %v", err)
	}
	return c
}

// created answers like Twilio's 201 Created.
func created(req *http.Request) (*http.Response, error) {
	_ = req.ParseForm()
	doc := map[string]any{
		"sid": messageSID, "account_sid": accountSID, "api_version": "2010-04-01", "status": "queued",
		"to": req.PostForm.Get("To"), "body": req.PostForm.Get("Body"), "num_segments": "1", "num_media": "0",
		"direction": "outbound-api", "error_code": nil, "error_message": nil, "price": nil,
		"messaging_service_sid": req.PostForm.Get("MessagingServiceSid"), "from": req.PostForm.Get("From"),
		"uri":              "/2010-04-01/Accounts/" + accountSID + "/Messages/" + messageSID + ".json",
		"subresource_uris": map[string]any{"media": "/media.json"},
		"date_created":     "Thu, 01 May 2025 10:00:00 +0000",
	}
	return httpmock.NewJsonResponse(http.StatusCreated, doc)
}

// twilioError answers with Twilio's error document.
func twilioError(status, code int, message string) httpmock.Responder {
	body, _ := json.Marshal(map[string]any{
		"code": code, "message": message, "status": status,
		"more_info": "https://www.twilio.com/docs/errors/" + jsonInt(code),
	})
	return httpmock.NewBytesResponder(status, body).HeaderSet(http.Header{"Content-Type": {"application/json"}})
}

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
