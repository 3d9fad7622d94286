package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// echoSender is a minimal Sender used to exercise the registry.
type echoSender struct {
	cfg  echoConfig
	opts connector.Options
}

type echoConfig struct {
	Prefix string           `json:"prefix" validate:"required"`
	Token  connector.Secret `json:"token" validate:"required"`
}

func (s *echoSender) Metadata() connector.Metadata { return echoMetadata() }

func (s *echoSender) Send(_ context.Context, msg connector.Message) (*connector.Receipt, error) {
	return &connector.Receipt{ID: s.cfg.Prefix + msg.To}, nil
}

func echoMetadata() connector.Metadata {
	return connector.Metadata{
		ID: "echo-sms", Target: "echo", Type: connector.TypeSMS,
		Name: map[string]string{"en": "Echo"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: kit.ConfigSchema(echoConfig{}, "Echo"),
	}
}

func echoFactory() connector.Factory {
	return connector.Factory{
		Metadata: echoMetadata(),
		Open: func(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
			o, err := kit.ResolveOptions(opts...)
			if err != nil {
				return nil, err
			}
			var cfg echoConfig
			if err := kit.DecodeConfig(raw, &cfg); err != nil {
				return nil, err
			}
			return &echoSender{cfg: cfg, opts: o}, nil
		},
	}
}

func TestRegistryOpenListDuplicate(t *testing.T) {
	reg, err := connector.NewRegistry(echoFactory())
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(echoFactory()); !errors.Is(err, connector.ErrInvalidMetadata) || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate Register = %v, want invalid_metadata naming the duplicate", err)
	}
	if _, err := connector.NewRegistry(echoFactory(), echoFactory()); err == nil {
		t.Error("NewRegistry accepted a duplicate ID")
	}

	list := reg.Factories()
	if len(list) != 1 || list[0].ID != "echo-sms" || !json.Valid(list[0].ConfigSchema) {
		t.Fatalf("Factories() = %+v", list)
	}

	s, err := reg.OpenSender("echo-sms", json.RawMessage(`{"prefix":"msg-","token":"t0k"}`))
	if err != nil {
		t.Fatalf("OpenSender: %v", err)
	}
	rc, err := s.Send(context.Background(), connector.Message{To: "+1"})
	if err != nil || rc.ID != "msg-+1" {
		t.Fatalf("Send = %v, %v", rc, err)
	}

	_, err = reg.Open("echo-sms", json.RawMessage(`{"prefix":"","tokn":"t0k"}`))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) != 3 {
		t.Errorf("Open(bad config) = %v, want invalid_config with 3 fields", err)
	}

	if _, err := reg.Open("nope", nil); !errors.Is(err, connector.ErrUnknownFactory) || !strings.Contains(err.Error(), "echo-sms") {
		t.Errorf("Open(unknown) = %v, want unknown_factory listing known IDs", err)
	}
	if _, err := reg.OpenSocial("echo-sms", json.RawMessage(`{"prefix":"p","token":"t"}`)); !errors.Is(err, connector.ErrUnexpectedType) {
		t.Errorf("OpenSocial(sender) = %v, want unexpected_type", err)
	}
	if _, err := reg.Open("echo-sms", json.RawMessage(`{"prefix":"p","token":"t"}`), connector.WithHTTPClient(nil)); !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("Open with a bad option = %v, want invalid_config", err)
	}
}

func TestRegistryRefusesBadFactories(t *testing.T) {
	var reg connector.Registry // the zero value is usable
	noOpen := echoFactory()
	noOpen.Open = nil
	if err := reg.Register(noOpen); !errors.Is(err, connector.ErrInvalidMetadata) {
		t.Errorf("Register(no Open) = %v", err)
	}
	bad := echoFactory()
	bad.Metadata = connector.Metadata{Type: connector.TypeSocial, ConfigSchema: json.RawMessage(`{`)}
	err := reg.Register(bad)
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Register(bad metadata) = %v", err)
	}
	want := []string{"configSchema", "id", "logo", "name", "platform", "target"}
	if len(ce.Fields) != len(want) {
		t.Fatalf("fields = %v, want %v", ce.Fields, want)
	}
	for i, p := range want {
		if ce.Fields[i].Path != p {
			t.Errorf("field %d = %s, want %s", i, ce.Fields[i].Path, p)
		}
	}
	sms := echoFactory()
	sms.Metadata.Platform = connector.PlatformWeb
	if err := reg.Register(sms); err == nil {
		t.Error("message connector with a platform accepted")
	}
	sms.Metadata.Type = "Fax"
	if err := reg.Register(sms); err == nil {
		t.Error("unknown type accepted")
	}
	if len(reg.Factories()) != 0 {
		t.Error("a refused factory was registered")
	}
	if f := (connector.Metadata{ID: "x"}); f.DisplayName() != "x" {
		t.Errorf("DisplayName fallback = %q", f.DisplayName())
	}
}

func TestRegistryConcurrent(t *testing.T) {
	reg, _ := connector.NewRegistry()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			f := echoFactory()
			f.Metadata.ID = fmt.Sprintf("echo-%d", i)
			if err := reg.Register(f); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			_ = reg.Factories()
			_, _ = reg.Open("echo-0", json.RawMessage(`{"prefix":"p","token":"t"}`))
		}()
	}
	wg.Wait()
	if n := len(reg.Factories()); n != 16 {
		t.Errorf("%d factories, want 16", n)
	}
}

func TestResolveOptions(t *testing.T) {
	o, err := kit.ResolveOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o.HTTPClient == nil || o.HTTPClient == http.DefaultClient || o.HTTPClient.Timeout == 0 {
		t.Errorf("default client must be set, not http.DefaultClient, with a timeout: %+v", o.HTTPClient)
	}
	if o.HTTPClient != kit.DefaultHTTPClient() {
		t.Error("default client is not shared")
	}
	if o.Logger == nil || o.Now == nil {
		t.Fatal("logger or clock nil")
	}
	if o.Logger.Enabled(context.Background(), 12) {
		t.Error("default logger is not silent")
	}

	fixed := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	client := &http.Client{}
	o, err = kit.ResolveOptions(connector.WithHTTPClient(client), connector.WithClock(func() time.Time { return fixed }),
		connector.WithEndpoint("token", "http://127.0.0.1:9/token"), connector.WithInstanceID("inst-1"), connector.WithTarget("acme"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.HTTPClient != client || !o.Now().Equal(fixed) || o.Endpoint("token", "d") != "http://127.0.0.1:9/token" ||
		o.Endpoint("userinfo", "d") != "d" || o.ConnectorID("f") != "inst-1" || o.Target != "acme" {
		t.Errorf("options not applied: %+v", o)
	}

	_, err = kit.ResolveOptions(connector.WithEndpoint("token", "http://example.com/token"), connector.WithLogger(nil),
		connector.WithClock(nil), connector.WithTarget(""), connector.WithEndpoint("", "https://x"))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
		t.Fatalf("bad options = %v", err)
	}
	for _, want := range []string{"WithEndpoint(\"token\")", "WithLogger", "WithClock", "WithTarget", "name is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestFlowStateAndTokensRedacted(t *testing.T) {
	f := connector.FlowState{State: "st", RedirectURI: "https://app/cb", CodeVerifier: "verifier-SECRET", Nonce: "nonce-SECRET"}
	tok := connector.Tokens{AccessToken: "at-SECRET", RefreshToken: "rt-SECRET", IDToken: "id-SECRET", TokenType: "Bearer"}
	info := connector.UserInfo{ID: "1", Tokens: &tok}
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s", f, f, f, f), fmt.Sprintf("%v %+v %#v", tok, tok, &tok),
		fmt.Sprintf("%v %+v", info, &info),
	} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("secret revealed: %s", out)
		}
	}
	b, _ := json.Marshal(f)
	var back connector.FlowState
	if err := json.Unmarshal(b, &back); err != nil || back != f {
		t.Errorf("FlowState JSON round trip: %v %+v", err, back)
	}
	tb, _ := json.Marshal(tok)
	if !strings.Contains(string(tb), "at-SECRET") {
		t.Error("Tokens must marshal to JSON in full, for storage by the host")
	}
}

// A Callback holds the authorization code (and, for form_post providers,
// an id_token): printing or logging one must not reveal them.
func TestCallbackRedacted(t *testing.T) {
	cb := connector.Callback{
		Params: url.Values{"code": {"code-SECRET"}, "id_token": {"idt-SECRET"}, "access_token": {"at-SECRET"},
			"state": {"st-1"}, "error_description": {"cancelled"}},
		Flow:       connector.FlowState{State: "st-1", RedirectURI: "https://app/cb", CodeVerifier: "verifier-SECRET"},
		WantTokens: true,
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("callback", "cb", cb)
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s", cb, cb, cb, cb), fmt.Sprintf("%v %+v", &cb, &cb), logs.String(),
	} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("secret revealed: %s", out)
		}
		for _, want := range []string{"st-1", "cancelled"} {
			if !strings.Contains(out, want) {
				t.Errorf("%q missing from %s", want, out)
			}
		}
	}
	if got := cb.String(); !strings.Contains(got, "code:[[REDACTED]]") || !strings.Contains(got, "WantTokens:true") {
		t.Errorf("String() = %s", got)
	}
}

func TestUsageTypes(t *testing.T) {
	if n := len(connector.UsageTypes()); n != 9 {
		t.Fatalf("%d usage types, want 9", n)
	}
	for _, u := range connector.UsageTypes() {
		if !u.Valid() {
			t.Errorf("%s not valid", u)
		}
	}
	for _, u := range []connector.UsageType{"", "signin", "Login"} {
		if u.Valid() {
			t.Errorf("%q valid", u)
		}
	}
}

func TestRestrictAndAttribute(t *testing.T) {
	o, _ := kit.ResolveOptions(connector.WithTarget("x"), connector.WithEndpoint("tokn", "https://a/b"), connector.WithEndpoint("token", "https://a/c"))
	err := o.Restrict("kakao-universal", false, "authorization", "token")
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Connector != "kakao-universal" || len(ce.Fields) != 2 ||
		ce.Fields[0].Path != "(options).target" || ce.Fields[1].Path != "(options).endpoint.tokn" ||
		!strings.Contains(ce.Fields[1].Message, "use authorization, token") {
		t.Fatalf("Restrict = %v", err)
	}
	if err := o.Restrict("oauth2", true, "token", "tokn"); err != nil {
		t.Errorf("Restrict(standard, known endpoints) = %v", err)
	}
	plain := errors.New("x")
	if kit.Attribute(plain, "id") != plain {
		t.Error("Attribute changed a plain error")
	}
	e := &connector.Error{Code: connector.CodeGeneral}
	ce = nil
	if !errors.As(kit.Attribute(fmt.Errorf("w: %w", e), "inst"), &ce) || ce.Connector != "inst" || e.Connector != "" {
		t.Errorf("Attribute of a wrapped error: %v, original %q", ce, e.Connector)
	}
	named := &connector.Error{Code: connector.CodeGeneral, Connector: "first"}
	if got := kit.Attribute(named, "second"); got != named || named.Connector != "first" {
		t.Errorf("Attribute renamed a named error: %v", got)
	}
}

func TestNewFactoryNeverReturnsTypedNil(t *testing.T) {
	f := connector.NewFactory(echoMetadata(), func(json.RawMessage, ...connector.Option) (*echoSender, error) {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig, Message: "bad"}
	})
	c, err := f.Open(nil)
	if c != nil || !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("Open = %#v, %v; want a nil interface and the error", c, err)
	}
}
