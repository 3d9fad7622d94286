package twilio_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

var now = time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)

func TestSendProviderErrors(t *testing.T) {
	t.Parallel()
	withHeader := func(r httpmock.Responder, k, v string) httpmock.Responder {
		return r.HeaderSet(http.Header{k: {v}})
	}
	tests := []struct {
		name       string
		respond    httpmock.Responder
		code       connector.Code
		status     int
		retryable  bool
		retryAfter time.Duration
		provCode   string
		provMsg    string
		moreInfo   string
	}{
		{
			name:    "21211 invalid to number",
			respond: twilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number."),
			code:    connector.CodeInvalidRequestParameters, status: 400,
			provCode: "21211", provMsg: "The 'To' number +15005550001 is not a valid phone number.",
			moreInfo: "https://www.twilio.com/docs/errors/21211",
		},
		{
			name:    "21614 not a mobile number",
			respond: twilioError(400, 21614, "'To' number is not a valid mobile number"),
			code:    connector.CodeInvalidRequestParameters, status: 400,
			provCode: "21614", provMsg: "'To' number is not a valid mobile number", moreInfo: "https://www.twilio.com/docs/errors/21614",
		},
		{
			name:    "20003 authentication",
			respond: twilioError(401, 20003, "Authenticate"),
			code:    connector.CodeInvalidConfig, status: 401,
			provCode: "20003", provMsg: "Authenticate", moreInfo: "https://www.twilio.com/docs/errors/20003",
		},
		{
			name:    "20429 with retry-after seconds",
			respond: withHeader(twilioError(429, 20429, "Too Many Requests"), "Retry-After", "30"),
			code:    connector.CodeRateLimitExceeded, status: 429, retryable: true, retryAfter: 30 * time.Second,
			provCode: "20429", provMsg: "Too Many Requests", moreInfo: "https://www.twilio.com/docs/errors/20429",
		},
		{
			name:    "http 429 without twilio body, retry-after date",
			respond: withHeader(httpmock.NewStringResponder(429, "slow down"), "Retry-After", now.Add(2*time.Minute).Format(http.TimeFormat)),
			code:    connector.CodeRateLimitExceeded, status: 429, retryable: true, retryAfter: 2 * time.Minute,
		},
		{
			name:    "20429 on another status",
			respond: twilioError(400, 20429, "Too Many Requests"),
			code:    connector.CodeRateLimitExceeded, status: 400, retryable: true,
			provCode: "20429", provMsg: "Too Many Requests", moreInfo: "https://www.twilio.com/docs/errors/20429",
		},
		{
			name:    "21608 unverified trial number",
			respond: twilioError(400, 21608, "The number is unverified. Trial accounts cannot send messages to unverified numbers."),
			code:    connector.CodeGeneral, status: 400,
			provCode: "21608", provMsg: "The number is unverified. Trial accounts cannot send messages to unverified numbers.",
			moreInfo: "https://www.twilio.com/docs/errors/21608",
		},
		{
			name:    "21610 unsubscribed recipient",
			respond: twilioError(400, 21610, "Attempt to send to unsubscribed recipient"),
			code:    connector.CodeGeneral, status: 400,
			provCode: "21610", provMsg: "Attempt to send to unsubscribed recipient", moreInfo: "https://www.twilio.com/docs/errors/21610",
		},
		{
			name:    "500 with twilio body",
			respond: twilioError(500, 20500, "Internal Server Error"),
			code:    connector.CodeGeneral, status: 500, retryable: true,
			provCode: "20500", provMsg: "Internal Server Error", moreInfo: "https://www.twilio.com/docs/errors/20500",
		},
		{
			name:    "503 html page",
			respond: httpmock.NewStringResponder(503, "<html><body>Service Unavailable</body></html>"),
			code:    connector.CodeGeneral, status: 503, retryable: true,
		},
		{
			name:    "401 without twilio body",
			respond: httpmock.NewStringResponder(401, ""),
			code:    connector.CodeInvalidConfig, status: 401,
		},
		{
			name:    "400 html page",
			respond: httpmock.NewStringResponder(400, "<html>Bad Request</html>"),
			code:    connector.CodeInvalidResponse, status: 400,
		},
		{
			name:    "redirect is not followed",
			respond: withHeader(httpmock.NewStringResponder(302, ""), "Location", "https://evil.example/steal"),
			code:    connector.CodeInvalidResponse, status: 302,
		},
		{
			name:    "code as a string",
			respond: httpmock.NewStringResponder(400, `{"code":"21211","message":"bad number","status":400}`),
			code:    connector.CodeInvalidRequestParameters, status: 400, provCode: "21211", provMsg: "bad number",
		},
		{
			name:    "hostile field types",
			respond: httpmock.NewStringResponder(400, `{"code":{"x":1},"message":["a"],"more_info":42,"status":"x"}`),
			code:    connector.CodeInvalidResponse, status: 400,
		},
		{
			name:    "json that is not an object",
			respond: httpmock.NewStringResponder(400, `[1,2,3]`),
			code:    connector.CodeInvalidResponse, status: 400,
		},
		{
			name:    "very long provider message is clipped",
			respond: httpmock.NewStringResponder(400, `{"code":30001,"message":"`+strings.Repeat("é", 2000)+`"}`),
			code:    connector.CodeGeneral, status: 400, provCode: "30001", provMsg: strings.Repeat("é", 256), // 512 bytes
		},
		{
			name:    "201 that is not json",
			respond: httpmock.NewStringResponder(201, "<xml/>"),
			code:    connector.CodeInvalidResponse, status: 201,
		},
		{
			name:    "201 without a sid",
			respond: httpmock.NewStringResponder(201, `{"status":"queued"}`),
			code:    connector.CodeInvalidResponse,
		},
		{
			name:    "201 with a sid of the wrong type",
			respond: httpmock.NewStringResponder(201, `{"sid":12}`),
			code:    connector.CodeInvalidResponse, status: 201,
		},
		{
			name:    "truncated 201",
			respond: httpmock.NewStringResponder(201, `{"sid":"SM`),
			code:    connector.CodeInvalidResponse, status: 201,
		},
		{
			name:    "oversized answer",
			respond: httpmock.NewStringResponder(201, `{"sid":"`+strings.Repeat("a", 2<<20)+`"}`),
			code:    connector.CodeInvalidResponse, status: 201,
		},
		{
			name:    "connection failure",
			respond: httpmock.ConnectionFailure,
			code:    connector.CodeGeneral, retryable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, tt.respond)
			c := m.open(config(t, nil), connector.WithClock(func() time.Time { return now }))
			r, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
				Payload: map[string]any{"code": "123456"}})
			if r != nil {
				t.Errorf("receipt %+v with an error", r)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Send error = %v, want a *connector.Error", err)
			}
			if ce.Code != tt.code || ce.Status != tt.status || ce.Retryable != tt.retryable || ce.RetryAfter != tt.retryAfter {
				t.Errorf("code %s status %d retryable %v retryAfter %s; want %s %d %v %s (%v)",
					ce.Code, ce.Status, ce.Retryable, ce.RetryAfter, tt.code, tt.status, tt.retryable, tt.retryAfter, ce)
			}
			if ce.ProviderCode != tt.provCode || ce.ProviderMessage != tt.provMsg || ce.ProviderDetails["more_info"] != tt.moreInfo {
				t.Errorf("provider fields %q %q %q; want %q %q %q", ce.ProviderCode, ce.ProviderMessage,
					ce.ProviderDetails["more_info"], tt.provCode, tt.provMsg, tt.moreInfo)
			}
			if ce.Step != connector.StepSend || ce.Connector != twilio.FactoryID || ce.Message == "" {
				t.Errorf("step %q connector %q message %q", ce.Step, ce.Connector, ce.Message)
			}
			if !errors.Is(err, &connector.Error{Code: tt.code}) {
				t.Error("errors.Is with the code's sentinel is false")
			}
			assertNoSecret(t, "error", err.Error())
			assertNoSecret(t, "error", strings.Join([]string{ce.ProviderMessage, ce.Message}, " "))
			if strings.Contains(err.Error(), "123456") {
				t.Errorf("error reveals the code: %v", err)
			}
			if n := len(m.requests()); n != 1 {
				t.Errorf("%d requests, want exactly 1 (no hidden retries)", n)
			}
		})
	}
}

// hangingServer never answers a request until the test ends.
func hangingServer(t *testing.T) *httptest.Server {
	srv, _ := hangingServerArrived(t)
	return srv
}

// hangingServerArrived is hangingServer, with a channel that receives once
// for each request it gets.
func hangingServerArrived(t *testing.T) (*httptest.Server, <-chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	arrived := make(chan struct{}, 16)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
		if hits.Load() == 0 {
			t.Error("the request never reached the server")
		}
	})
	return srv, arrived
}

func TestSendHonoursContextDeadline(t *testing.T) {
	t.Parallel()
	srv := hangingServer(t)
	// The injected client has no timeout of its own: only the caller's
	// deadline can end the send.
	client := &http.Client{Transport: srv.Client().Transport}
	c, err := twilio.Open(config(t, nil), connector.WithHTTPClient(client), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(ctx, connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "1"}})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Send ignored the context deadline")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeGeneral || ce.Step != connector.StepSend || ce.Retryable {
		t.Fatalf("error %+v, want a non-retryable general send error", ce)
	}
	assertNoSecret(t, "error", err.Error())
}

func TestSendHonoursCancellation(t *testing.T) {
	t.Parallel()
	srv, arrived := hangingServerArrived(t)
	c, err := twilio.Open(config(t, nil), connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the request is in flight, however slow the machine.
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
		}
		cancel()
	}()
	_, err = c.Send(ctx, connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "1"}})
	if !errors.Is(err, context.Canceled) || connector.IsRetryable(err) {
		t.Fatalf("Send = %v, want a non-retryable error wrapping context.Canceled", err)
	}
}

func TestSendClientTimeoutIsRetryable(t *testing.T) {
	t.Parallel()
	srv := hangingServer(t)
	client := &http.Client{Transport: srv.Client().Transport, Timeout: 200 * time.Millisecond}
	c, err := twilio.Open(config(t, nil), connector.WithHTTPClient(client), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "1"}})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeGeneral || !ce.Retryable {
		t.Fatalf("Send = %v, want a retryable general error", err)
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error repeats the URL: %v", err)
	}
}

// countingServer is a mock Twilio on 127.0.0.1 that counts the TCP
// connections it accepts.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestSendReusesConnections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		// JSON white space after the document: a decoder that stops at the
		// end of the value leaves it unread and loses the connection.
		{"created", http.StatusCreated, `{"sid":"` + messageSID + `","status":"queued"}` + strings.Repeat(" ", 4096) + "\n", true},
		{"twilio errors", http.StatusBadRequest, `{"code":21211,"message":"invalid","status":400}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/2010-04-01/Accounts/"+accountSID+"/Messages.json" || r.FormValue("To") != "+14155550100" {
					http.Error(w, "unexpected request", http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c, err := twilio.Open(config(t, nil), connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 200 {
				_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
					Payload: map[string]any{"code": "123456"}})
				if (err == nil) != tt.ok {
					t.Fatalf("send %d: %v", i, err)
				}
			}
			if n := conns.Load(); n > 2 {
				t.Fatalf("200 sequential sends opened %d connections, want at most 2", n)
			}
		})
	}
}

func TestEndpointOverrideKeepsPathPrefix(t *testing.T) {
	t.Parallel()
	var path atomic.Value
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid":"SMx"}`))
	})
	c, err := twilio.Open(config(t, nil), connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL+"/mock/twilio/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn}); err != nil {
		t.Fatal(err)
	}
	if got, want := path.Load(), "/mock/twilio/2010-04-01/Accounts/"+accountSID+"/Messages.json"; got != want {
		t.Fatalf("path %q, want %q", got, want)
	}
}

func TestRegionalHost(t *testing.T) {
	t.Parallel()
	m := newMock(t, nil)
	c := m.open(config(t, map[string]any{"host": "API.Dublin.IE1.twilio.com"}))
	if _, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn}); err != nil {
		t.Fatal(err)
	}
	if got, want := m.requests()[0].URL, "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/"+accountSID+"/Messages.json"; got != want {
		t.Fatalf("URL %s, want %s", got, want)
	}
}

// An admin UI that renders the schema may save the optional host as "":
// that is Twilio's default host, not an empty one.
func TestEmptyHostIsTheDefault(t *testing.T) {
	t.Parallel()
	m := newMock(t, nil)
	c := m.open(config(t, map[string]any{"host": ""}))
	if _, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn}); err != nil {
		t.Fatal(err)
	}
	if got := m.requests()[0].URL; got != messagesURL {
		t.Fatalf("URL %s, want %s", got, messagesURL)
	}
}
