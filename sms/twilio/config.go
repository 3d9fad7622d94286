package twilio

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/msgtemplate"
	"github.com/connectorkit/connector/internal/phone"
	"github.com/connectorkit/connector/internal/smsenc"
)

// Config is the connector's config: Logto's Twilio SMS config
// (accountSID, authToken, fromMessagingServiceSID, templates,
// disableRiskCheck, and the optional host of Logto 1.5), which opens here
// unchanged with [Open], plus what Logto lacks: a sender number or
// alphanumeric sender ID instead of the Messaging Service (fromNumber),
// API-key credentials instead of the auth token (apiKeySID + apiKeySecret),
// and a cap on the SMS segments of one message (maxSegments). A Go host
// fills it and calls [New]; a zero field counts as unset, and takes its
// default (Host api.twilio.com, MaxSegments 3).
//
// Exactly one of authToken and the API key pair, and exactly one of
// fromMessagingServiceSID and fromNumber, must be set. The `validate` tags
// say so where a tag can; [Config.CheckConfig] checks the rest.
type Config struct {
	AccountSID string `json:"accountSID" validate:"required" pattern:"^AC[0-9a-fA-F]{32}$" doc:"Account SID from the Twilio console: AC followed by 32 hexadecimal digits."`
	// AuthToken is required when neither APIKeySID nor APIKeySecret is set:
	// CheckConfig says so.
	AuthToken    connector.Secret `json:"authToken,omitempty" validate:"excluded_with=APIKeySID APIKeySecret" doc:"Auth token of the account. Leave empty when apiKeySID and apiKeySecret are set."`
	APIKeySID    string           `json:"apiKeySID,omitempty" validate:"required_with=APIKeySecret" pattern:"^SK[0-9a-fA-F]{32}$" doc:"SID of an API key (SK followed by 32 hexadecimal digits), used with apiKeySecret instead of the auth token."`
	APIKeySecret connector.Secret `json:"apiKeySecret,omitempty" validate:"required_with=APIKeySID" doc:"Secret of the API key named by apiKeySID."`

	FromMessagingServiceSID string `json:"fromMessagingServiceSID,omitempty" validate:"required_without=FromNumber" pattern:"^MG[0-9a-fA-F]{32}$" doc:"SID of the Messaging Service that sends the messages (MG followed by 32 hexadecimal digits). Leave empty when fromNumber is set."`
	FromNumber              string `json:"fromNumber,omitempty" validate:"excluded_with=FromMessagingServiceSID" doc:"Sender instead of a Messaging Service: a Twilio phone number (E.164, such as +14155550100), a short code, or an alphanumeric sender ID of up to 11 characters."`

	Templates []Template `json:"templates" validate:"required,min=1,dive" doc:"Message templates by usage type. A usage type without its own template uses the Generic one. Placeholders: {{code}} and any payload key, with dotted paths such as {{application.name}}."`

	DisableRiskCheck bool   `json:"disableRiskCheck" default:"false" doc:"Skip Twilio's built-in risk check (sends RiskCheck=disable)."`
	Host             string `json:"host,omitempty" default:"api.twilio.com" doc:"Twilio API host name, without scheme or path: api.twilio.com, or a regional host such as api.dublin.ie1.twilio.com."`

	MaxSegments int `json:"maxSegments,omitempty" default:"3" validate:"min=1,max=10" doc:"Most SMS segments one message may take, from 1 to 10 (default 3). A longer message is refused before it is sent, and so is a template that takes more with a 6-digit code: carriers bill each segment."`
}

// defaultMaxSegments is MaxSegments when the config does not set it (the
// `default` tag of [Config.MaxSegments]).
const defaultMaxSegments = 3

// maxSegments is MaxSegments, or its default for a Config that was not
// decoded (a zero value).
func (c *Config) maxSegments() int {
	if c.MaxSegments == 0 {
		return defaultMaxSegments
	}
	return c.MaxSegments
}

// Template is one message template: Logto's {usageType, content}.
type Template struct {
	UsageType connector.UsageType `json:"usageType" validate:"required,usagetype" doc:"What the message is for."`
	Content   string              `json:"content" validate:"required" doc:"Message text, with placeholders such as {{code}}."`
}

// CheckConfig implements [kit.Checker]: the rules the `validate`
// tags of [Config] cannot say (the shape of SIDs, senders and host names,
// the templates), and one they cannot say clearly: without an API key,
// authToken is required. It reports every problem with its JSON path, and
// leaves alone what a tag reports (a second sender, half an API key).
func (c *Config) CheckConfig() connector.FieldErrors {
	var fe connector.FieldErrors
	add := func(path, msg string) { fe = append(fe, connector.FieldError{Path: path, Message: msg}) }

	if c.AccountSID != "" && !isSID(c.AccountSID, "AC") {
		add("accountSID", "must be a Twilio account SID: AC followed by 32 hexadecimal digits")
	}

	if c.AuthToken.IsZero() && c.APIKeySID == "" && c.APIKeySecret.IsZero() {
		add("authToken", "is required (or set apiKeySID and apiKeySecret instead)")
	}
	if c.APIKeySID != "" && !isSID(c.APIKeySID, "SK") {
		add("apiKeySID", "must be a Twilio API key SID: SK followed by 32 hexadecimal digits")
	}
	// Pasting mistakes (a trailing newline) that Twilio would answer with
	// error 20003; reported without the value.
	if strings.ContainsAny(c.AuthToken.Reveal(), " \t\r\n:") {
		add("authToken", "must not contain spaces, line breaks or colons")
	}
	if strings.ContainsAny(c.APIKeySecret.Reveal(), " \t\r\n:") {
		add("apiKeySecret", "must not contain spaces, line breaks or colons")
	}

	// The sender in use is checked; a fromNumber set beside a Messaging
	// Service is reported by its excluded_with tag alone.
	switch {
	case c.FromMessagingServiceSID != "":
		if !isSID(c.FromMessagingServiceSID, "MG") {
			add("fromMessagingServiceSID", "must be a Twilio Messaging Service SID: MG followed by 32 hexadecimal digits")
		}
	case c.FromNumber != "":
		if _, msg := sender(c.FromNumber); msg != "" {
			add("fromNumber", msg)
		}
	}

	if c.Host != "" && !isTwilioHost(c.Host) {
		add("host", "must be a Twilio API host name such as api.twilio.com or api.dublin.ie1.twilio.com (no scheme, port or path)")
	}

	fe = append(fe, msgtemplate.Check(c.entries())...)
	fe = append(fe, c.checkSegments()...)
	return fe
}

// checkSegments refuses a template that takes more than maxSegments SMS
// segments once rendered with the code [TestCode] (placeholders of other
// payload keys count as written). A MaxSegments of 0 counts as unset; one
// out of range otherwise is left to validation, and nothing is checked.
func (c *Config) checkSegments() connector.FieldErrors {
	limit := c.maxSegments()
	if limit < 1 || limit > 10 { // the bounds of MaxSegments' validate tag
		return nil
	}
	var fe connector.FieldErrors
	for i, t := range c.Templates {
		if strings.TrimSpace(t.Content) == "" {
			continue // reported as required or blank
		}
		body := msgtemplate.Compile(t.Content).Render(map[string]any{"code": TestCode})
		if info := smsenc.Analyze(body); info.Segments > limit {
			fe = append(fe, connector.FieldError{Path: "templates[" + strconv.Itoa(i) + "].content",
				Message: fmt.Sprintf("takes %d SMS segments (%s) with a 6-digit code, more than maxSegments (%d): shorten it or raise maxSegments",
					info.Segments, info.Encoding, limit)})
		}
	}
	return fe
}

func (c *Config) entries() []msgtemplate.Entry {
	out := make([]msgtemplate.Entry, len(c.Templates))
	for i, t := range c.Templates {
		out[i] = msgtemplate.Entry{Usage: t.UsageType, Content: t.Content}
	}
	return out
}

// isSID reports whether s is a Twilio SID with the two-letter prefix: the
// prefix and 32 hexadecimal digits.
func isSID(s, prefix string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// sender normalises a fromNumber: a phone number becomes E.164, a short
// code (3 to 8 digits) and an alphanumeric sender ID stay as they are. msg
// says what is wrong when s is none of them.
func sender(s string) (from, msg string) {
	digits := strings.Trim(s, "0123456789") == ""
	switch {
	case digits && len(s) >= 3 && len(s) <= 8:
		return s, "" // short code
	case strings.HasPrefix(s, "+") || digits:
		e164, err := phone.ToE164(s)
		if err != nil {
			return "", "must be a valid phone number: " + strings.TrimPrefix(err.Error(), "invalid phone number: ")
		}
		return e164, ""
	case isAlphaSender(s):
		return s, ""
	}
	return "", "must be a phone number in E.164 form (+14155550100), a short code, or an alphanumeric sender ID " +
		"(1 to 11 letters, digits, spaces and + - _ &, with at least one letter)"
}

// isAlphaSender reports whether s is a valid alphanumeric sender ID: up to
// 11 characters among letters, digits, space, +, -, _ and &, at least one of
// them a letter.
func isAlphaSender(s string) bool {
	if len(s) == 0 || len(s) > 11 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == ' ', c == '+', c == '-', c == '_', c == '&':
		default:
			return false
		}
	}
	return letter
}

// isTwilioHost reports whether h is a Twilio API host name: "api", optional
// edge and region labels, then "twilio.com".
func isTwilioHost(h string) bool {
	h = strings.ToLower(h)
	if len(h) > 253 {
		return false
	}
	rest, ok := strings.CutSuffix(h, ".twilio.com")
	if !ok {
		return false
	}
	labels := strings.Split(rest, ".")
	if labels[0] != "api" {
		return false
	}
	for _, l := range labels[1:] {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
