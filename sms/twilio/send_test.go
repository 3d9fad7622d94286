package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

// logtoTemplates are the templates Logto insists on.
var logtoTemplates = []any{
	map[string]any{"usageType": "SignIn", "content": "Sign-in code: {{code}}"},
	map[string]any{"usageType": "Register", "content": "Welcome to {{ application.name }}! Code {{ code }}"},
	map[string]any{"usageType": "ForgotPassword", "content": "Reset code {{code}} (valid {{ttl}} min)"},
	map[string]any{"usageType": "Generic", "content": "Your code is {{code}}"},
}

func TestSendFormBodyPerUsageType(t *testing.T) {
	t.Parallel()
	const tail = "&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B14155550100"
	payload := map[string]any{"code": "123456", "application": map[string]any{"name": "Acme & Co"}, "ttl": 10}
	tests := []struct {
		usage connector.UsageType
		body  string
	}{
		{connector.UsageSignIn, "Body=Sign-in+code%3A+123456" + tail},
		{connector.UsageRegister, "Body=Welcome+to+Acme+%26+Co%21+Code+123456" + tail},
		{connector.UsageForgotPassword, "Body=Reset+code+123456+%28valid+10+min%29" + tail},
		{connector.UsageGeneric, "Body=Your+code+is+123456" + tail},
		{connector.UsageOrganizationInvitation, "Body=Your+code+is+123456" + tail},
		{connector.UsageUserPermissionValidation, "Body=Your+code+is+123456" + tail},
		{connector.UsageBindNewIdentifier, "Body=Your+code+is+123456" + tail},
		{connector.UsageMfaVerification, "Body=Your+code+is+123456" + tail},
		{connector.UsageBindMfa, "Body=Your+code+is+123456" + tail},
	}
	for _, tt := range tests {
		t.Run(string(tt.usage), func(t *testing.T) {
			t.Parallel()
			m := newMock(t, nil)
			c := m.open(config(t, map[string]any{"templates": logtoTemplates}))
			r, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: tt.usage, Payload: payload})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if r.ID != messageSID {
				t.Errorf("receipt ID = %q, want %q", r.ID, messageSID)
			}
			reqs := m.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			got := reqs[0]
			if got.Method != http.MethodPost || got.URL != messagesURL {
				t.Errorf("request %s %s, want POST %s", got.Method, got.URL, messagesURL)
			}
			if got.ContentType != "application/x-www-form-urlencoded" || got.Accept != "application/json" {
				t.Errorf("Content-Type %q, Accept %q", got.ContentType, got.Accept)
			}
			if got.Body != tt.body {
				t.Errorf("form body\n got %s\nwant %s", got.Body, tt.body)
			}
		})
	}
}

func TestSendFormBodyPerSenderAndCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		changes        map[string]any
		to             string
		user, password string
		body           string
	}{
		{
			name:    "messaging service with auth token",
			changes: nil,
			to:      "+14155550100",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B14155550100",
		},
		{
			name:    "messaging service with api key",
			changes: map[string]any{"authToken": nil, "apiKeySID": apiKeySID, "apiKeySecret": apiKeySecret},
			to:      "+14155550100",
			user:    apiKeySID, password: apiKeySecret,
			body: "Body=Your+code+is+123456&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B14155550100",
		},
		{
			name:    "from number with auth token",
			changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "+1 (415) 555-0199"},
			to:      "+14155550100",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&From=%2B14155550199&RiskCheck=enable&To=%2B14155550100",
		},
		{
			name: "from number with api key",
			changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "+14155550199",
				"authToken": nil, "apiKeySID": apiKeySID, "apiKeySecret": apiKeySecret},
			to:   "+14155550100",
			user: apiKeySID, password: apiKeySecret,
			body: "Body=Your+code+is+123456&From=%2B14155550199&RiskCheck=enable&To=%2B14155550100",
		},
		{
			name:    "alphanumeric sender id",
			changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "Acme Inc"},
			to:      "+447911123456",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&From=Acme+Inc&RiskCheck=enable&To=%2B447911123456",
		},
		{
			name:    "short code",
			changes: map[string]any{"fromMessagingServiceSID": nil, "fromNumber": "12345"},
			to:      "+14155550100",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&From=12345&RiskCheck=enable&To=%2B14155550100",
		},
		{
			name:    "risk check disabled, logto digits-only recipient",
			changes: map[string]any{"disableRiskCheck": true},
			to:      "821012345678",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&MessagingServiceSid=" + serviceSID + "&RiskCheck=disable&To=%2B821012345678",
		},
		{
			name:    "formatted kakao-style recipient",
			changes: nil,
			to:      "+82 10-1234-5678",
			user:    accountSID, password: authToken,
			body: "Body=Your+code+is+123456&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B821012345678",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, nil)
			c := m.open(config(t, tt.changes))
			if _, err := c.Send(context.Background(), connector.Message{To: tt.to, Usage: connector.UsageGeneric,
				Payload: map[string]any{"code": "123456"}}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			reqs := m.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			got := reqs[0]
			if !got.BasicOK || got.User != tt.user || got.Password != tt.password {
				t.Errorf("Basic auth %v %q:%q, want %q:%q", got.BasicOK, got.User, got.Password, tt.user, tt.password)
			}
			if got.URL != messagesURL {
				t.Errorf("URL %s, want %s (the account SID is always in the path)", got.URL, messagesURL)
			}
			if got.Body != tt.body {
				t.Errorf("form body\n got %s\nwant %s", got.Body, tt.body)
			}
		})
	}
}

func TestSendReceiptSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
		segments      int
		encoding      string
	}{
		{"short gsm", "Your code is {{code}}", 1, "GSM-7"},
		{"long gsm", strings.Repeat("x", 150) + " code {{code}}", 2, "GSM-7"},
		{"extension characters count double", strings.Repeat("{}", 40) + "{{code}}", 2, "GSM-7"},
		{"short ucs-2", "Ваш код {{code}}", 1, "UCS-2"},
		{"long ucs-2", strings.Repeat("ж", 65) + "{{code}}", 2, "UCS-2"},
		{"emoji", strings.Repeat("🔐", 33) + "{{code}}", 2, "UCS-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, nil)
			c := m.open(config(t, map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": tt.content}}}))
			r, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
				Payload: map[string]any{"code": "123456"}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Segments != tt.segments || r.Encoding != tt.encoding {
				t.Fatalf("receipt %+v, want %d segments in %s", r, tt.segments, tt.encoding)
			}
		})
	}
}

func TestSendRefusesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		changes map[string]any
		msg     connector.Message
		code    connector.Code
		text    string
	}{
		{"empty recipient", nil, connector.Message{To: "", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "to: invalid phone number: is empty"},
		{"letters", nil, connector.Message{To: "+1 800 FLOWERS", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "to: invalid phone number"},
		{"too short", nil, connector.Message{To: "+1415555", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "too short"},
		{"national number", nil, connector.Message{To: "0101234567", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "country code"},
		{"invalid number", nil, connector.Message{To: "+10000000000", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "not a valid number"},
		{"email address", nil, connector.Message{To: "user@example.com", Usage: connector.UsageSignIn}, connector.CodeInvalidRequestParameters, "to: invalid phone number"},
		{"unknown usage type", nil, connector.Message{To: "+14155550100", Usage: "signin"}, connector.CodeInvalidRequestParameters, `unknown usage type "signin"`},
		{"no template and no generic", map[string]any{"templates": []any{map[string]any{"usageType": "SignIn", "content": "{{code}}"}}},
			connector.Message{To: "+14155550100", Usage: connector.UsageRegister}, connector.CodeTemplateNotFound, `usage type "Register"`},
		{"empty rendering", map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": "{{code}}"}}},
			connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": " "}}, connector.CodeInvalidRequestParameters, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, nil)
			c := m.open(config(t, tt.changes))
			r, err := c.Send(context.Background(), tt.msg)
			if r != nil {
				t.Errorf("receipt %+v with an error", r)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Send error = %v, want a *connector.Error", err)
			}
			if ce.Code != tt.code || ce.Step != connector.StepSend || ce.Connector != twilio.FactoryID || !strings.Contains(ce.Error(), tt.text) {
				t.Fatalf("error %q (code %s, step %s, connector %s), want code %s containing %q", ce, ce.Code, ce.Step, ce.Connector, tt.code, tt.text)
			}
			if n := len(m.requests()); n != 0 {
				t.Fatalf("%d requests sent to twilio, want none", n)
			}
		})
	}
}

func TestSendNilContext(t *testing.T) {
	t.Parallel()
	m := newMock(t, nil)
	c := m.open(config(t, nil))
	//lint:ignore SA1012 a nil context must fail cleanly, not panic
	_, err := c.Send(nil, connector.Message{To: "+14155550100", Usage: connector.UsageSignIn})
	if connector.CodeOf(err) != connector.CodeGeneral || !strings.Contains(err.Error(), "context is nil") {
		t.Fatalf("Send(nil ctx) = %v", err)
	}
}

func TestSendPlaceholders(t *testing.T) {
	t.Parallel()
	m := newMock(t, nil)
	c := m.open(config(t, map[string]any{"templates": []any{map[string]any{"usageType": "Generic",
		"content": "{{ code }} for {{application.name}} at {{ org.links.0 }}, ttl {{ttl}}, left {{unknown.root}}, empty [{{application.missing}}]"}}}))
	_, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageMfaVerification,
		Payload: map[string]any{"code": 123456, "application": map[string]any{"name": "Acme"},
			"org": map[string]any{"links": []any{"https://acme.example"}}, "ttl": 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	want := "Body=123456+for+Acme+at+https%3A%2F%2Facme.example%2C+ttl+1.5%2C+left+%7B%7Bunknown.root%7D%7D%2C+empty+%5B%5D" +
		"&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B14155550100"
	if got := m.requests()[0].Body; got != want {
		t.Fatalf("form body\n got %s\nwant %s", got, want)
	}
}

func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	m := newMock(t, nil)
	c := m.open(config(t, nil))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			usage := connector.UsageSignIn
			if i%2 == 0 {
				usage = connector.UsageRegister
			}
			if _, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: usage,
				Payload: map[string]any{"code": i}}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(m.requests()); n != 32 {
		t.Fatalf("%d requests, want 32", n)
	}
}

func TestSendTest(t *testing.T) {
	t.Parallel()
	t.Run("generic template with code 000000", func(t *testing.T) {
		t.Parallel()
		m := newMock(t, nil)
		c := m.open(config(t, map[string]any{"templates": logtoTemplates}))
		r, err := c.SendTest(context.Background(), "14155550100")
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != messageSID {
			t.Errorf("receipt %+v", r)
		}
		want := "Body=Your+code+is+000000&MessagingServiceSid=" + serviceSID + "&RiskCheck=enable&To=%2B14155550100"
		if got := m.requests()[0].Body; got != want {
			t.Fatalf("form body\n got %s\nwant %s", got, want)
		}
	})
	t.Run("no generic template", func(t *testing.T) {
		t.Parallel()
		m := newMock(t, nil)
		c := m.open(config(t, map[string]any{"templates": []any{map[string]any{"usageType": "SignIn", "content": "{{code}}"}}}))
		_, err := c.SendTest(context.Background(), "+14155550100")
		if !errors.Is(err, connector.ErrTemplateNotFound) {
			t.Fatalf("SendTest = %v, want template_not_found", err)
		}
		if len(m.requests()) != 0 {
			t.Fatal("a request was sent")
		}
	})
	t.Run("unsaved config is invalid", func(t *testing.T) {
		t.Parallel()
		c, err := twilio.Open(config(t, map[string]any{"authToken": nil}))
		if c != nil || !errors.Is(err, connector.ErrInvalidConfig) {
			t.Fatalf("Open = %v, %v; want invalid_config", c, err)
		}
	})
	t.Run("zero connector", func(t *testing.T) {
		t.Parallel()
		var c twilio.Connector
		if _, err := c.SendTest(context.Background(), "+14155550100"); connector.CodeOf(err) != connector.CodeGeneral {
			t.Fatalf("SendTest on a zero Connector = %v", err)
		}
	})
}
