package oauthflow

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/connectorkit/connector"
)

func TestSignIn(t *testing.T) {
	p := newMockProvider()
	p.token(jsonResp(200, `{"access_token":"at-1","refresh_token":"rt-1","expires_in":60}`))
	p.userinfo("GET", jsonResp(200, `{"sub":"u-1"}`))
	e := mustNew(t, baseConfig(p))
	mapSub := func(doc []byte) (*connector.UserInfo, error) {
		var v struct{ Sub string }
		err := json.Unmarshal(doc, &v)
		return &connector.UserInfo{ID: v.Sub, Raw: doc}, err
	}

	cb := callback(testFlow())
	info, err := e.SignIn(context.Background(), cb, mapSub)
	if err != nil || info.ID != "u-1" || info.Tokens != nil {
		t.Fatalf("SignIn = %+v, %v; want u-1 without tokens", info, err)
	}
	cb.WantTokens = true
	info, err = e.SignIn(context.Background(), cb, mapSub)
	if err != nil || info.Tokens == nil || info.Tokens.AccessToken != "at-1" || info.Tokens.RefreshToken != "rt-1" {
		t.Fatalf("SignIn(WantTokens) = %+v, %v", info, err)
	}

	_, err = e.SignIn(context.Background(), cb, func([]byte) (*connector.UserInfo, error) {
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepUserInfo, Message: "no id"}
	})
	if ce := asError(t, err, connector.CodeInvalidResponse); ce.Connector != e.ConnectorID() {
		t.Errorf("mapping error not named with the connector: %q", ce.Connector)
	}

	p.token(jsonResp(400, `{"error":"invalid_grant"}`))
	calls := 0
	_, err = e.SignIn(context.Background(), cb, func([]byte) (*connector.UserInfo, error) { calls++; return nil, nil })
	asError(t, err, connector.CodeSocialAuthCodeInvalid)
	if calls != 0 {
		t.Error("mapProfile called after a failed exchange")
	}
}

func TestAuthorizeHonoursContext(t *testing.T) {
	e := mustNew(t, baseConfig(newMockProvider()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Authorize(ctx, connector.AuthRequest{RedirectURI: testRedirect})
	if ce := asError(t, err, connector.CodeGeneral); ce.Step != connector.StepAuthorize || !errors.Is(err, context.Canceled) {
		t.Errorf("Authorize(canceled) = %v", err)
	}
	auth, err := e.Authorize(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
	if err != nil || auth.URL == "" || auth.Flow.State == "" {
		t.Errorf("Authorize = %+v, %v", auth, err)
	}
}
