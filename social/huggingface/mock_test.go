package huggingface

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// openOnMock opens a connector wired to the shared Hugging Face mock.
func openOnMock(t *testing.T, p *mockprovider.HuggingFace, scope string) *Connector {
	t.Helper()
	cfg := map[string]string{"clientId": p.ClientID(), "clientSecret": p.ClientSecret()}
	if scope != "" {
		cfg["scope"] = scope
	}
	raw, _ := json.Marshal(cfg)
	c, err := Open(raw, connector.WithHTTPClient(p.Client()),
		connector.WithEndpoint(EndpointAuthorization, p.URL(mockprovider.EndpointAuthorize)),
		connector.WithEndpoint(EndpointToken, p.URL(mockprovider.EndpointToken)),
		connector.WithEndpoint(EndpointUserInfo, p.URL(mockprovider.EndpointUserInfo)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn runs a whole flow as identity id.
func signIn(t *testing.T, c *Connector, p mockprovider.SocialProvider, id string) (*connector.UserInfo, error) {
	t.Helper()
	ctx := context.Background()
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/huggingface"})
	if err != nil {
		t.Fatal(err)
	}
	params, err := p.Approve(auth.URL, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow, WantTokens: true})
}

func TestMockProviderIdentities(t *testing.T) {
	t.Parallel()
	for _, id := range mockprovider.DefaultHuggingFaceIdentities {
		t.Run(id.Label, func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{RequirePKCE: true})
			c := openOnMock(t, p, "openid profile email")
			info, err := signIn(t, c, p, id.ID)
			if err != nil {
				t.Fatalf("UserInfo: %v (mock problems: %v)", err, p.Problems())
			}
			if probs := p.Problems(); len(probs) > 0 {
				t.Errorf("the mock refused requests: %v", probs)
			}
			wantName := id.Name
			if wantName == "" {
				wantName = id.Username
			}
			if info.ID != id.ID || info.Name != wantName || info.Avatar != id.Avatar || info.Email != id.Email ||
				info.EmailVerified != id.HasVerifiedEmail() || info.Phone != "" {
				t.Errorf("UserInfo = %+v for identity %+v", info, id)
			}
			if info.Tokens == nil || info.Tokens.AccessToken == "" || !json.Valid(info.Raw) {
				t.Errorf("Tokens = %v, Raw = %s", info.Tokens, info.Raw)
			}
		})
	}
}

func TestMockProviderErrorCases(t *testing.T) {
	t.Parallel()
	base := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{})
	for _, ec := range base.ErrorCases() {
		t.Run(ec.Name, func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{})
			c := openOnMock(t, p, "")
			p.SetFailure(ec.Endpoint, ec.Failure)
			_, err := signIn(t, c, p, "")
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *connector.Error", err)
			}
			if ce.Code != ec.Code || (ec.Status != 0 && ce.Status != ec.Status) ||
				(ec.ProviderCode != "" && ce.ProviderCode != ec.ProviderCode) || (ec.Retryable && !ce.Retryable) {
				t.Errorf("err = %v; want code %s, status %d, provider code %q", err, ec.Code, ec.Status, ec.ProviderCode)
			}
			for _, s := range p.Secrets() {
				if len(s) >= 4 && strings.Contains(err.Error(), s) {
					t.Errorf("error reveals a secret: %v", err)
				}
			}
		})
	}
}

func TestMockProviderFailureModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint  mockprovider.Endpoint
		mode      mockprovider.Mode
		code      connector.Code
		retryable bool
	}{
		{mockprovider.EndpointToken, mockprovider.InvalidGrant, connector.CodeSocialAuthCodeInvalid, false},
		{mockprovider.EndpointToken, mockprovider.Unauthorized, connector.CodeGeneral, false},
		{mockprovider.EndpointToken, mockprovider.MissingToken, connector.CodeSocialAuthCodeInvalid, false},
		{mockprovider.EndpointToken, mockprovider.RateLimited, connector.CodeRateLimitExceeded, true},
		{mockprovider.EndpointToken, mockprovider.TruncatedJSON, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.Unauthorized, connector.CodeSocialInvalidAccessToken, false},
		{mockprovider.EndpointUserInfo, mockprovider.ServerError, connector.CodeGeneral, true},
		{mockprovider.EndpointUserInfo, mockprovider.HTMLPage, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.Oversized, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.MissingID, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.WrongTypes, connector.CodeInvalidResponse, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.endpoint)+"/"+string(tt.mode), func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{})
			c := openOnMock(t, p, "")
			p.Fail(tt.endpoint, tt.mode)
			_, err := signIn(t, c, p, "")
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != tt.code || ce.Retryable != tt.retryable {
				t.Errorf("err = %v; want code %s, retryable %t", err, tt.code, tt.retryable)
			}
		})
	}
}

func TestMockProviderFlowFinishedByAnotherInstance(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{RequirePKCE: true})
	first, second := openOnMock(t, p, ""), openOnMock(t, p, "")
	auth, err := first.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://id.example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	params, err := p.Approve(auth.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	// The flow state travels through the host as JSON.
	stored, _ := json.Marshal(auth.Flow)
	var flow connector.FlowState
	if err := json.Unmarshal(stored, &flow); err != nil {
		t.Fatal(err)
	}
	info, err := second.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow})
	if err != nil {
		t.Fatalf("UserInfo on the second instance: %v (mock problems: %v)", err, p.Problems())
	}
	if info.ID != mockprovider.DefaultHuggingFaceIdentities[0].ID {
		t.Errorf("ID = %q", info.ID)
	}
}

func TestMockProviderHangHonoursDeadline(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{})
	c := openOnMock(t, p, "")
	p.Fail(mockprovider.EndpointToken, mockprovider.Hang)
	auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://id.example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	params, err := p.Approve(auth.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow})
	if !errors.Is(err, context.DeadlineExceeded) || !connector.IsRetryable(err) {
		t.Errorf("err = %v, want a retryable deadline error", err)
	}
}
