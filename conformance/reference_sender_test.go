package conformance

// A small, correct Twilio-shaped SMS sender written on net/http, and flawed
// variants of it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/kit"
)

type senderFlaw int

const (
	sflawNone senderFlaw = iota
	sflawNoFallback
	sflawNoRecipientCheck
	sflawLeaksToken
	sflawAuthAsGeneral
	sflawExactPlaceholders
	sflawBackgroundContext
	sflawDefaultClient
	sflawUnboundedRead
	sflawNoDigitsNormalization
	sflawNotFoundAsGeneral
	sflawNotRetryable
	sflawFakeReceiptID
	sflawIgnoresRetryAfter
	sflawDetachedDeadline
	sflawAlwaysGeneric
)

const refSenderID = "reference-sms"

type refTemplate struct {
	UsageType string `json:"usageType" validate:"required,usagetype"`
	Content   string `json:"content" validate:"required"`
}

type refSenderConfig struct {
	AccountSID              string           `json:"accountSID" validate:"required,startswith=AC"`
	AuthToken               connector.Secret `json:"authToken" validate:"required"`
	FromMessagingServiceSID string           `json:"fromMessagingServiceSID" validate:"required"`
	Templates               []refTemplate    `json:"templates" validate:"required,min=1,dive"`
}

type refSender struct {
	cfg      refSenderConfig
	opts     connector.Options
	id       string
	endpoint string
	flaw     senderFlaw
}

var _ connector.Sender = (*refSender)(nil)

func refSenderMetadata() connector.Metadata {
	return connector.Metadata{
		ID: refSenderID, Target: "reference-sms", Type: connector.TypeSMS,
		Name: map[string]string{"en": "Reference SMS"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: kit.ConfigSchema(refSenderConfig{}, "Reference SMS"),
	}
}

func refSenderFactory(flaw senderFlaw) connector.Factory {
	return connector.Factory{Metadata: refSenderMetadata(), Open: func(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
		o, err := kit.ResolveOptions(opts...)
		if err != nil {
			return nil, err
		}
		c := &refSender{opts: o, id: o.ConnectorID(refSenderID), flaw: flaw}
		if err := kit.DecodeConfig(raw, &c.cfg); err != nil {
			var ce *connector.Error
			if errors.As(err, &ce) {
				ce.Connector = c.id
			}
			return nil, err
		}
		c.endpoint = o.Endpoint("api", "https://api.twilio.com") + "/2010-04-01/Accounts/" + url.PathEscape(c.cfg.AccountSID) + "/Messages.json"
		if flaw == sflawDefaultClient {
			c.opts.HTTPClient = offlineClient
		}
		return c, nil
	}}
}

func (c *refSender) Metadata() connector.Metadata { return refSenderMetadata() }
func (c *refSender) String() string               { return "refSender{" + c.id + "}" }
func (c *refSender) GoString() string             { return c.String() }

// Format prints String for every verb, of the connector or of a copy of
// it: fmt would print the fields, the secret among them, for the verbs
// String does not serve (%d, %x...).
func (c refSender) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

func (c *refSender) fail(code connector.Code, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: c.id, Step: connector.StepSend, Message: msg}
}

var refPhone = regexp.MustCompile(`^\+?[1-9][0-9]{6,14}$`)

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}`)

func (c *refSender) render(content string, payload map[string]any) string {
	if c.flaw == sflawExactPlaceholders {
		if code, ok := payload["code"].(string); ok {
			return strings.ReplaceAll(content, "{{code}}", code)
		}
		return content
	}
	return placeholder.ReplaceAllStringFunc(content, func(m string) string {
		path := placeholder.FindStringSubmatch(m)[1]
		var cur any = payload
		for _, k := range strings.Split(path, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				return m
			}
			if cur, ok = obj[k]; !ok {
				return m
			}
		}
		switch v := cur.(type) {
		case string:
			return v
		case int, int64, float64, json.Number, bool:
			return fmt.Sprint(v)
		}
		return m
	})
}

func (c *refSender) Send(ctx context.Context, msg connector.Message) (*connector.Receipt, error) {
	switch c.flaw {
	case sflawBackgroundContext:
		ctx = context.Background()
	case sflawDetachedDeadline:
		ctx = context.WithoutCancel(ctx)
	}
	var content string
	found := false
	for _, t := range c.cfg.Templates {
		if t.UsageType == string(msg.Usage) && c.flaw != sflawAlwaysGeneric {
			content, found = t.Content, true
		}
	}
	if !found && c.flaw != sflawNoFallback {
		for _, t := range c.cfg.Templates {
			if t.UsageType == string(connector.UsageGeneric) {
				content, found = t.Content, true
			}
		}
	}
	if !found {
		code := connector.CodeTemplateNotFound
		if c.flaw == sflawNotFoundAsGeneral {
			code = connector.CodeGeneral
		}
		return nil, c.fail(code, "no template for "+string(msg.Usage)+" and no Generic template")
	}
	to := msg.To
	if c.flaw != sflawNoRecipientCheck {
		if !refPhone.MatchString(to) {
			return nil, c.fail(connector.CodeInvalidRequestParameters, "the recipient is not a phone number")
		}
		if !strings.HasPrefix(to, "+") && c.flaw != sflawNoDigitsNormalization {
			to = "+" + to
		}
	}
	form := url.Values{"To": {to}, "MessagingServiceSid": {c.cfg.FromMessagingServiceSID}, "Body": {c.render(content, msg.Payload)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, c.fail(connector.CodeInvalidConfig, "the endpoint is not usable")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.cfg.AccountSID, c.cfg.AuthToken.Reveal())
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend, Retryable: true,
			Message: "the request failed", Err: err}
	}
	var body []byte
	if c.flaw == sflawUnboundedRead {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	} else {
		body, err = httpx.ReadResponse(resp, 0)
	}
	if err != nil {
		return nil, c.fail(connector.CodeInvalidResponse, "the answer cannot be read")
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.failure(resp, body)
	}
	var m struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.SID == "" {
		return nil, c.fail(connector.CodeInvalidResponse, "the answer has no message sid")
	}
	if c.flaw == sflawFakeReceiptID {
		m.SID = "SM-local"
	}
	return &connector.Receipt{ID: m.SID}, nil
}

func (c *refSender) failure(resp *http.Response, body []byte) error {
	e := &connector.Error{Code: connector.CodeGeneral, Connector: c.id, Step: connector.StepSend, Status: resp.StatusCode,
		Message: "twilio answered " + resp.Status}
	var te struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &te) == nil && te.Code != 0 {
		e.ProviderCode, e.ProviderMessage = strconv.Itoa(te.Code), te.Message
	}
	switch {
	case te.Code == 21211 || te.Code == 21614:
		e.Code = connector.CodeInvalidRequestParameters
	case (te.Code == 20003 || resp.StatusCode == http.StatusUnauthorized) && c.flaw != sflawAuthAsGeneral:
		e.Code = connector.CodeInvalidConfig
	case te.Code == 20429 || resp.StatusCode == http.StatusTooManyRequests:
		e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
		if c.flaw != sflawIgnoresRetryAfter {
			e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
		}
	case resp.StatusCode >= 500:
		e.Retryable = c.flaw != sflawNotRetryable
	}
	if c.flaw == sflawLeaksToken {
		e.Err = errors.New("request with credentials " + c.cfg.AccountSID + ":" + c.cfg.AuthToken.Reveal())
	}
	return e
}
