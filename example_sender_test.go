package connector_test

// A custom message connector, complete: Acme Pager, an SMS API with a
// bearer API key and a JSON body. Its config is decoded and validated by
// package kit, it sends through the injected HTTP client with the caller's
// context, reads at most 64 KiB of an answer, maps every failure to a
// connector.Error code, and passes conformance.RunSender against a mock of
// its API from mockprovider.NewMessage (TestAcmePagerConformance). The
// README quotes it; in a real module it is a package of its own
// (acmepager.New, acmepager.Factory...).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/kit"
)

// --- the connector ---

const pagerID = "acme-pager"

// Config is the connector's config, in the JSON an administrator pastes.
// The struct tags drive decoding, defaults, validation and the JSON Schema.
type Config struct {
	APIKey    connector.Secret `json:"apiKey" validate:"required" doc:"The API key of your Acme Pager account."`
	Sender    string           `json:"sender" default:"Acme" validate:"max=11" doc:"The sender name shown on the phone."`
	Templates []Template       `json:"templates" validate:"required,min=1,dive" doc:"The text of each usage type; Generic serves the others."`
}

// Template is the text sent for one usage type, with placeholders such as
// {{code}} filled from the message's payload.
type Template struct {
	UsageType connector.UsageType `json:"usageType" validate:"required,usagetype" doc:"What the message is for."`
	Content   string              `json:"content" validate:"required,max=1600" doc:"The text, with {{code}}."`
}

// Pager sends one-time codes through Acme Pager. It is immutable and safe
// for concurrent use; build it with New or Open.
type Pager struct {
	id     string
	cfg    Config
	client *http.Client // the injected client, following no redirect
	url    string       // the send endpoint
	now    func() time.Time
}

var _ connector.Sender = (*Pager)(nil)

// New validates cfg and returns the connector: the constructor for Go
// hosts. Options: WithHTTPClient, WithClock, WithInstanceID, and
// WithEndpoint(connector.EndpointAPI, ...) to move the API (a regional
// host, a test's mock).
func New(cfg Config, opts ...connector.Option) (*Pager, error) {
	o, err := kit.ResolveOptions(opts...)
	if err != nil {
		return nil, kit.Attribute(err, pagerID)
	}
	id := o.ConnectorID(pagerID)
	if err := o.Restrict(pagerID, false, connector.EndpointAPI); err != nil {
		return nil, err
	}
	if err := kit.ValidateConfig(&cfg); err != nil {
		return nil, kit.Attribute(err, id)
	}
	// A copy of the injected client that never follows a redirect: one
	// would carry the API key wherever it points.
	client := *o.HTTPClient
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	api := o.Endpoint(connector.EndpointAPI, "https://api.acme-pager.example")
	return &Pager{id: id, cfg: cfg, client: &client, url: api + "/v1/messages", now: o.Now}, nil
}

// Open decodes the JSON config an administrator pasted, reporting every
// problem at once, and opens it with New.
func Open(raw json.RawMessage, opts ...connector.Option) (*Pager, error) {
	var cfg Config
	if err := kit.DecodeConfig(raw, &cfg); err != nil {
		o, _ := kit.ResolveOptions(opts...)
		return nil, kit.Attribute(err, o.ConnectorID(pagerID))
	}
	return New(cfg, opts...)
}

// Factory is what the connector's package exports for a
// connector.Registry: its metadata and Open.
func Factory() connector.Factory {
	return connector.NewFactory(pagerMetadata(), Open)
}

func pagerMetadata() connector.Metadata {
	return connector.Metadata{
		ID:           pagerID,
		Target:       pagerID,
		Type:         connector.TypeSMS,
		Name:         map[string]string{"en": "Acme Pager"},
		Logo:         "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
		ConfigSchema: kit.ConfigSchema(Config{}, "Acme Pager"),
	}
}

// Metadata implements connector.Connector.
func (p *Pager) Metadata() connector.Metadata { return pagerMetadata() }

// Format prints the connector's ID whatever the verb (fmt would print the
// API key of the unexported config); LogValue logs the same.
func (p Pager) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "acmepager.Pager{id: %s}", p.id) }

// LogValue implements slog.LogValuer.
func (p Pager) LogValue() slog.Value { return slog.GroupValue(slog.String("id", p.id)) }

// maxAnswer is the most Send reads of an answer.
const maxAnswer = 64 << 10

// Send renders the template of msg.Usage (else the Generic one) and sends
// it to msg.To, through the injected client and with the caller's context.
func (p *Pager) Send(ctx context.Context, msg connector.Message) (*connector.Receipt, error) {
	content, ok := p.template(msg.Usage)
	if !ok {
		return nil, p.fail(connector.CodeTemplateNotFound, "no template for "+string(msg.Usage)+" and no Generic one")
	}
	to, ok := toE164(msg.To)
	if !ok {
		return nil, p.fail(connector.CodeInvalidRequestParameters, "the recipient is not a phone number (+14155550100)")
	}
	body, _ := json.Marshal(map[string]string{"to": to, "from": p.cfg.Sender, "text": render(content, msg.Payload)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, p.fail(connector.CodeInvalidConfig, "the API endpoint is not usable")
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.APIKey.Reveal())
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil { // the caller's deadline, a network failure
		e := p.fail(connector.CodeGeneral, "the request failed")
		e.Retryable, e.Err = true, err
		return nil, e
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		e := p.fail(connector.CodeInvalidResponse, "acme pager answered with a redirect, which is not followed")
		e.Status = resp.StatusCode
		return nil, e
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		e := p.fail(connector.CodeGeneral, "the answer could not be read")
		e.Retryable, e.Err = true, err
		return nil, e
	case len(answer) > maxAnswer:
		return nil, p.fail(connector.CodeInvalidResponse, "the answer is larger than 64 KiB")
	case resp.StatusCode/100 != 2:
		return nil, p.failure(resp, answer)
	}
	var sent struct {
		MessageID string `json:"message_id"`
	}
	if json.Unmarshal(answer, &sent) != nil || sent.MessageID == "" {
		return nil, p.fail(connector.CodeInvalidResponse, "the answer has no message_id")
	}
	return &connector.Receipt{ID: sent.MessageID}, nil
}

// failure maps an error answer to its code, keeping Acme's error fields.
func (p *Pager) failure(resp *http.Response, answer []byte) *connector.Error {
	e := p.fail(connector.CodeGeneral, "acme pager answered "+strconv.Itoa(resp.StatusCode))
	e.Status = resp.StatusCode
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(answer, &doc) == nil {
		e.ProviderCode, e.ProviderMessage = printable(doc.Error.Code), printable(doc.Error.Message)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.Code = connector.CodeInvalidConfig // the API key
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
		e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), p.now())
	case resp.StatusCode >= 500:
		e.Retryable = true
	case doc.Error.Code == "invalid_number":
		e.Code = connector.CodeInvalidRequestParameters
	}
	return e
}

func (p *Pager) fail(code connector.Code, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: p.id, Step: connector.StepSend, Message: msg}
}

// template returns the content for usage, else the Generic one.
func (p *Pager) template(usage connector.UsageType) (string, bool) {
	generic, found := "", false
	for _, t := range p.cfg.Templates {
		switch t.UsageType {
		case usage:
			return t.Content, true
		case connector.UsageGeneric:
			generic, found = t.Content, true
		}
	}
	return generic, found
}

var (
	e164        = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}\}`)
)

// toE164 returns to in E.164, taking Logto's digits-only form too.
func toE164(to string) (string, bool) {
	if !strings.HasPrefix(to, "+") {
		to = "+" + to
	}
	return to, e164.MatchString(to)
}

// render fills {{code}}, {{ code }} and dotted {{application.name}} from
// payload; a placeholder whose first key is not in the payload stays as
// written.
func render(content string, payload map[string]any) string {
	return placeholder.ReplaceAllStringFunc(content, func(m string) string {
		keys := strings.Split(placeholder.FindStringSubmatch(m)[1], ".")
		if _, ok := payload[keys[0]]; !ok {
			return m
		}
		var v any = payload
		for _, k := range keys {
			obj, _ := v.(map[string]any)
			v = obj[k]
		}
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	})
}

// printable drops control and invisible formatting characters from
// provider text kept in an error, where they would forge log lines.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
}

// --- its proof ---

// acmeAPI is Acme Pager's API as the mock serves it: POST /v1/messages
// with "Authorization: Bearer <key>" and a JSON body, 202
// {"message_id": "..."}, and {"error": {"code", "message"}} on failure.
var acmeAPI = mockprovider.MessageSpec{
	Name:       "acme", // https://acme.mock.test
	Path:       "/v1/messages",
	Auth:       mockprovider.BearerKey,
	ToField:    "to",
	FromField:  "from",
	TextField:  "text",
	Status:     http.StatusAccepted,
	IDField:    "message_id",
	ErrorCodes: map[mockprovider.Mode]string{mockprovider.InvalidRecipient: "invalid_number"},
	ErrorCases: []mockprovider.ErrorCase{{
		Name:    "opted_out",
		Failure: mockprovider.Failure{Mode: mockprovider.ProviderError, Code: "opted_out"},
		Code:    connector.CodeGeneral, Status: http.StatusBadRequest, ProviderCode: "opted_out",
	}},
}

func TestAcmePagerConformance(t *testing.T) {
	t.Parallel()
	api := mockprovider.NewMessage(acmeAPI) // each check runs on a clone with the same API key
	conformance.RunSender(t, conformance.Sender{
		Factory:  Factory(),
		Provider: api,
		Config: func(mockprovider.MessageProvider) json.RawMessage {
			cfg, _ := json.Marshal(map[string]any{"apiKey": api.APIKey(),
				"templates": []any{map[string]any{"usageType": "Generic", "content": "Your Acme code is {{code}}"}}})
			return cfg
		},
		Options: func(p mockprovider.MessageProvider) []connector.Option {
			return []connector.Option{connector.WithEndpoint(connector.EndpointAPI, p.BaseURL())}
		},
		InvalidConfigs: []conformance.InvalidConfig{
			{Name: "missing apiKey", Edit: func(c map[string]any) { delete(c, "apiKey") }, Field: "apiKey"},
			{Name: "long sender", Edit: func(c map[string]any) { c["sender"] = "Acme Pager Inc" }, Field: "sender"},
			{Name: "unknown usage type", Edit: func(c map[string]any) {
				c["templates"] = []any{map[string]any{"usageType": "Login", "content": "{{code}}"}}
			}, Field: "templates[0].usageType"},
		},
	})
}

// The typed constructor refuses a config built in Go as Open refuses its
// JSON form: every problem at once, by JSON path, naming the instance.
func TestAcmePagerNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Sender: "Acme Pager Inc", Templates: []Template{{UsageType: "Login"}}},
		connector.WithInstanceID("tenant-7-sms"))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || ce.Connector != "tenant-7-sms" {
		t.Fatalf("New: %v, want invalid_config naming tenant-7-sms", err)
	}
	var paths []string
	for _, f := range ce.Fields {
		paths = append(paths, f.Path)
	}
	want := "apiKey sender templates[0].content templates[0].usageType"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("fields %q, want %q", got, want)
	}
	_, err = Open(json.RawMessage(`{"apiKey":"k","templates":[{"usageType":"Generic","content":"{{code}}"}]}`),
		connector.WithEndpoint(connector.EndpointToken, "https://acme.example/token"))
	if connector.CodeOf(err) != connector.CodeInvalidConfig || !strings.Contains(err.Error(), "(options).endpoint.token") {
		t.Errorf("Open with a token endpoint: %v, want invalid_config naming (options).endpoint.token", err)
	}
}

// Neither the connector nor its config prints the API key, whatever the
// verb or log handler.
func TestAcmePagerNeverPrintsKey(t *testing.T) {
	t.Parallel()
	const key = "ak_live_0123456789abcdef"
	cfg := Config{APIKey: key, Templates: []Template{{UsageType: connector.UsageGeneric, Content: "{{code}}"}}}
	pager, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, v := range []any{pager, *pager, cfg, &cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%10.4v"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("pager", "v", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("pager", "v", v)
	}
	if strings.Contains(out.String(), "0123456789abcdef") {
		t.Fatalf("the API key was printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "acmepager.Pager{id: acme-pager}") || !strings.Contains(out.String(), `"v":{"id":"acme-pager"}`) {
		t.Errorf("unexpected renderings:\n%s", out.String())
	}
}

// The README's custom sender at work: opened from JSON, it sends a code
// through the injected client to a mock of Acme's API, and its failures
// carry their codes.
func Example_customSender() {
	api := mockprovider.NewMessage(acmeAPI)
	raw := json.RawMessage(`{"apiKey":"` + api.APIKey() + `",
		"templates":[{"usageType":"Generic","content":"Your {{application.name}} code is {{code}}"}]}`)
	pager, err := Open(raw, connector.WithHTTPClient(api.Client()), connector.WithEndpoint(connector.EndpointAPI, api.BaseURL()))
	if err != nil {
		panic(err)
	}
	msg := connector.Message{To: "14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": "123456", "application": map[string]any{"name": "Acme"}}}
	receipt, err := pager.Send(context.Background(), msg)
	sent := api.Outbox()[0]
	fmt.Println(err, receipt.ID == sent.SID, sent.To, sent.From, sent.Body)
	fmt.Printf("%v %+v\n", pager, *pager)

	api.Fail(mockprovider.EndpointMessages, mockprovider.RateLimited)
	_, err = pager.Send(context.Background(), msg)
	fmt.Println(err, connector.IsRetryable(err))
	_, err = pager.Send(context.Background(), connector.Message{To: "call-me", Usage: connector.UsageSignIn})
	fmt.Println(err)
	// Output:
	// <nil> true +14155550100 Acme Your Acme code is 123456
	// acmepager.Pager{id: acme-pager} acmepager.Pager{id: acme-pager}
	// connector acme-pager: send: rate_limit_exceeded: acme pager answered 429 (status 429; provider error rate_limited: too many requests; retry after 7s) true
	// connector acme-pager: send: invalid_request_parameters: the recipient is not a phone number (+14155550100)
}
