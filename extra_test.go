package connector_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

func TestLogValues(t *testing.T) {
	var buf bytes.Buffer
	o, _ := kit.ResolveOptions(connector.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))), connector.WithInstanceID("my-kakao"))
	l := o.ScopedLogger("kakao-universal")
	err := &connector.Error{Code: connector.CodeGeneral, Step: connector.StepUserInfo, Message: "provider failed"}
	err.Status, err.Retryable, err.ProviderCode, err.Err = 503, true, "busy", json.Unmarshal([]byte("{"), new(any))
	l.Info("sign-in failed", "err", err,
		"flow", connector.FlowState{State: "s", CodeVerifier: "VERIFIER"},
		"tokens", connector.Tokens{AccessToken: "ACCESS", RefreshToken: "REFRESH"},
		"secret", connector.Secret("SECRET"))
	out := buf.String()
	for _, want := range []string{`"connector":{"id":"my-kakao","factory":"kakao-universal"}`, `"code":"general"`, `"status":503`,
		`"retryable":true`, `"step":"userinfo"`, `"pkce":true`, `"refresh_token":true`, `"secret":"[REDACTED]"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	for _, secret := range []string{"VERIFIER", "ACCESS", "REFRESH", "SECRET\""} {
		if strings.Contains(out, secret) {
			t.Errorf("log reveals %s: %s", secret, out)
		}
	}
	if got := connector.Secret("x").GoString(); got != `"[REDACTED]"` {
		t.Errorf("GoString = %s", got)
	}
}

func TestMessageAndDetailsLogged(t *testing.T) {
	m := connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "918273", "application": map[string]any{"name": "Acme"}}}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("send", "msg", m, "err", &connector.Error{Code: connector.CodeSocialAuthCodeInvalid,
		ProviderDetails: map[string]string{"error_code": "KOE320"}})
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", m, m, m, m)
	if strings.Contains(out, "918273") {
		t.Errorf("the one-time code is shown: %s", out)
	}
	for _, want := range []string{`"payload_keys":["application","code"]`, `"provider_details":{"error_code":"KOE320"}`, `Payload keys:["application" "code"]`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
}
