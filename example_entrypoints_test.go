package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/sms/twilio"
	"github.com/connectorkit/connector/social/kakao"
)

// CodeOf finds the code through any wrapping a host adds; any other error is
// general, and no error has no code.
func ExampleCodeOf() {
	err := fmt.Errorf("tenant acme: sign-in: %w", &connector.Error{
		Code: connector.CodeSocialAuthCodeInvalid, Connector: "kakao-universal", Step: connector.StepTokenExchange,
	})
	for _, err := range []error{err, errors.New("session store: connection refused"), nil} {
		fmt.Printf("%q\n", connector.CodeOf(err))
	}
	// Output:
	// "social_auth_code_invalid"
	// "general"
	// ""
}

// A provider outage may pass; a config an administrator must fix will not.
func ExampleIsRetryable() {
	outage := fmt.Errorf("send code: %w", &connector.Error{
		Code: connector.CodeGeneral, Connector: "twilio-short-message-service", Step: connector.StepSend,
		Status: 503, Retryable: true,
	})
	_, badConfig := kakao.New(kakao.Config{}) // no clientId
	for _, err := range []error{outage, badConfig} {
		fmt.Println(connector.CodeOf(err), connector.HTTPStatus(err), connector.IsRetryable(err))
	}
	// Output:
	// general 503 true
	// invalid_config 400 false
}

// Codes lists every code, Logto's first: a host checks a code read from a
// stored audit record or an API query before matching on it.
func ExampleCodes() {
	codes := connector.Codes()
	fmt.Println(len(codes), codes[:3])
	for _, input := range []string{"state_mismatch", "access_denied"} {
		fmt.Println(input, slices.Contains(codes, connector.Code(input)))
	}
	// Output:
	// 20 [general invalid_metadata unexpected_type]
	// state_mismatch true
	// access_denied false
}

// devSMS is a host's own connector, kept minimal: it only describes itself.
type devSMS struct{}

func (devSMS) Metadata() connector.Metadata {
	return connector.Metadata{ID: "dev-sms", Target: "dev-sms", Type: connector.TypeSMS,
		Name: map[string]string{"en": "Development SMS"}, Logo: "https://id.example.com/logos/dev-sms.svg"}
}

func openDevSMS(_ json.RawMessage, opts ...connector.Option) (devSMS, error) {
	_, err := kit.ResolveOptions(opts...) // a bad option fails, as in any connector
	return devSMS{}, kit.Attribute(err, "dev-sms")
}

// A host builds its own registry: here one custom factory and one provider
// package's, and nothing else. An ID registered twice is refused.
func ExampleNewRegistry() {
	reg, err := connector.NewRegistry()
	fmt.Println(len(reg.Factories()), err)
	devFactory := connector.NewFactory(devSMS{}.Metadata(), openDevSMS)
	for _, f := range []connector.Factory{devFactory, kakao.Factory(), devFactory} {
		if err := reg.Register(f); err != nil {
			fmt.Println(connector.CodeOf(err))
		}
	}
	for _, m := range reg.Factories() {
		fmt.Println(m.ID, m.Type)
	}
	// Output:
	// 0 <nil>
	// invalid_metadata
	// dev-sms Sms
	// kakao-universal Social
}

// OpenSender opens a message connector from the config an administrator
// pasted; opening makes no request, and a social factory is refused.
func ExampleRegistry_OpenSender() {
	reg, _ := builtin.NewRegistry()
	raw := json.RawMessage(`{"accountSID": "AC00000000000000000000000000000000", "authToken": "not-a-real-token",
		"fromMessagingServiceSID": "MG00000000000000000000000000000000",
		"templates": [{"usageType": "Generic", "content": "Your code is {{code}}."}]}`)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	sms, err := reg.OpenSender("twilio-short-message-service", raw, connector.WithHTTPClient(client))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sms.Metadata().ID, sms.Metadata().Type)
	_, err = reg.OpenSender("kakao-universal", json.RawMessage(`{"clientId": "rest-api-key"}`))
	fmt.Println(connector.CodeOf(err))
	// Output:
	// twilio-short-message-service Sms
	// unexpected_type
}

// Two Kakao apps (one per tenant) are two instances of one factory: each
// error names the instance it came from.
func ExampleWithInstanceID() {
	ctx := context.Background()
	for _, tenant := range []string{"acme", "globex"} {
		k, err := kakao.New(kakao.Config{ClientID: tenant + "-rest-api-key"}, connector.WithInstanceID("kakao-"+tenant))
		if err != nil {
			fmt.Println(err)
			return
		}
		auth, _ := k.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
		// The user pressed Cancel on Kakao's consent screen.
		denied := url.Values{"error": {"access_denied"}, "state": {auth.Flow.State}}
		_, err = k.UserInfo(ctx, connector.Callback{Params: denied, Flow: auth.Flow})
		var ce *connector.Error
		if errors.As(err, &ce) {
			fmt.Println(k.Metadata().ID, ce.Connector, ce.Code)
		}
	}
	// Output:
	// kakao-universal kakao-acme authorization_failed
	// kakao-universal kakao-globex authorization_failed
}

// recordingTransport answers every request with a network failure, after
// noting where it was going: the example stays offline.
type recordingTransport struct{ sent *[]string }

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*t.sent = append(*t.sent, r.Method+" "+r.URL.String())
	return nil, errors.New("network is unreachable")
}

// Every request goes through the host's client: its proxy, timeouts and
// transport.
func ExampleWithHTTPClient() {
	var sent []string
	client := &http.Client{Timeout: 10 * time.Second, Transport: recordingTransport{&sent}}
	k, err := kakao.New(kakao.Config{ClientID: "rest-api-key"}, connector.WithHTTPClient(client))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	auth, _ := k.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
	callback := url.Values{"code": {"authorization-code"}, "state": {auth.Flow.State}}
	_, err = k.UserInfo(ctx, connector.Callback{Params: callback, Flow: auth.Flow})
	fmt.Println(sent)
	fmt.Println(err, connector.IsRetryable(err))
	// Output:
	// [POST https://kauth.kakao.com/oauth/token]
	// connector kakao-universal: token_exchange: general: the token request failed: Post "https://kauth.kakao.com/oauth/token": network is unreachable true
}

// A fixed clock makes expiry and Retry-After rules testable; a nil one is
// refused when the connector is built.
func ExampleWithClock() {
	fixed := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	o, err := kit.ResolveOptions(connector.WithClock(fixed))
	fmt.Println(o.Now(), err)
	_, err = kakao.New(kakao.Config{ClientID: "rest-api-key"}, connector.WithClock(nil))
	fmt.Println(err)
	// Output:
	// 2030-01-02 03:04:05 +0000 UTC <nil>
	// connector kakao-universal: config: invalid_config: invalid option: WithClock: clock is nil
}

// Connectors log through the host's logger, scoped with their ID: here
// Twilio warns, when it is opened, that a template costs several SMS.
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	_, err := twilio.New(twilio.Config{
		AccountSID: "AC00000000000000000000000000000000", AuthToken: "not-a-real-token",
		FromMessagingServiceSID: "MG00000000000000000000000000000000",
		Templates: []twilio.Template{{UsageType: connector.UsageGeneric,
			Content: "[Acme] 인증번호는 {{code}} 입니다. 본인 확인을 위해 입력해 주세요. 이 번호는 타인에게 절대 알려주지 마세요. 문의: 1588-0000"}},
	}, connector.WithLogger(logger), connector.WithInstanceID("sms-kr"))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=WARN msg="template takes several SMS segments" connector.id=sms-kr connector.factory=twilio-short-message-service usage_type=Generic encoding=UCS-2 segments=2 max_segments=3
}

// Validate lists every problem of a custom factory's metadata, sorted by
// path, before a registry would refuse it.
func ExampleMetadata_Validate() {
	m := connector.Metadata{ID: "dev-sms", Type: connector.TypeSMS, Name: map[string]string{"fr": "SMS de test"}}
	var ce *connector.Error
	if errors.As(m.Validate(), &ce) {
		fmt.Println(ce.Code)
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	fmt.Println(devSMS{}.Metadata().Validate())
	// Output:
	// invalid_metadata
	// logo: is required
	// name.en: is required
	// target: is required
	// <nil>
}

// A message connector picks its template by usage type; an admin UI offers
// these, and a config's usage type must be one of them, exactly.
func ExampleUsageTypes() {
	fmt.Println(connector.UsageTypes())
	fmt.Println(connector.UsageType("SignIn").Valid(), connector.UsageType("signin").Valid())
	// Output:
	// [SignIn Register ForgotPassword OrganizationInvitation Generic UserPermissionValidation BindNewIdentifier MfaVerification BindMfa]
	// true false
}
