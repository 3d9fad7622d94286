package kakao

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

// openOnMock opens a connector wired to the shared Kakao mock provider.
func openOnMock(t *testing.T, p *mockprovider.Kakao, scope string) *Connector {
	t.Helper()
	cfg := map[string]string{"clientId": p.ClientID()}
	if p.ClientSecret() != "" {
		cfg["clientSecret"] = p.ClientSecret()
	}
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
	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
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
	for _, secret := range []string{"", "kakao-mock-secret"} {
		for _, id := range mockprovider.DefaultKakaoIdentities {
			t.Run(id.Label+"/secret="+map[bool]string{true: "yes", false: "no"}[secret != ""], func(t *testing.T) {
				t.Parallel()
				p := mockprovider.NewKakao(mockprovider.KakaoOptions{ClientSecret: secret})
				c := openOnMock(t, p, "profile_nickname,profile_image,account_email,phone_number")
				info, err := signIn(t, c, p, id.ID)
				if err != nil {
					t.Fatalf("UserInfo: %v (mock problems: %v)", err, p.Problems())
				}
				if probs := p.Problems(); len(probs) > 0 {
					t.Errorf("the mock refused requests: %v", probs)
				}
				want := connector.UserInfo{ID: id.ID, Name: id.Name}
				if !id.DefaultAvatar {
					want.Avatar = id.Avatar
				}
				if id.Email != "" && !id.EmailInvalid {
					want.Email = id.Email
					want.EmailVerified = id.HasVerifiedEmail()
				}
				if id.Phone != "" {
					want.Phone = strings.NewReplacer(" ", "", "-", "").Replace(id.Phone)
				}
				got := *info
				if got.Tokens == nil || got.Tokens.AccessToken == "" || got.Tokens.RefreshToken == "" {
					t.Errorf("Tokens = %v", got.Tokens)
				}
				if !json.Valid(got.Raw) {
					t.Errorf("Raw is not JSON: %s", got.Raw)
				}
				got.Tokens, got.Raw = nil, nil
				if !equalInfo(got, want) {
					t.Errorf("UserInfo =\n %+v\nwant\n %+v", got, want)
				}
				// The refresh token works at the same mock.
				if _, err := c.Refresh(context.Background(), info.Tokens.RefreshToken); err != nil {
					t.Errorf("Refresh: %v (mock problems: %v)", err, p.Problems())
				}
			})
		}
	}
}

func equalInfo(a, b connector.UserInfo) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Avatar == b.Avatar && a.Email == b.Email &&
		a.EmailVerified == b.EmailVerified && a.Phone == b.Phone && a.PhoneVerified == b.PhoneVerified
}

func TestMockProviderErrorCases(t *testing.T) {
	t.Parallel()
	base := mockprovider.NewKakao(mockprovider.KakaoOptions{})
	for _, ec := range base.ErrorCases() {
		t.Run(ec.Name, func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewKakao(mockprovider.KakaoOptions{})
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
			if strings.HasPrefix(ec.Name, "KOE") && ce.ProviderDetails["error_code"] != ec.Name {
				t.Errorf("ProviderDetails = %v, want error_code %s", ce.ProviderDetails, ec.Name)
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
		{mockprovider.EndpointToken, mockprovider.ServerError, connector.CodeGeneral, true},
		{mockprovider.EndpointToken, mockprovider.HTMLPage, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.Unauthorized, connector.CodeSocialInvalidAccessToken, false},
		{mockprovider.EndpointUserInfo, mockprovider.RateLimited, connector.CodeRateLimitExceeded, true},
		{mockprovider.EndpointUserInfo, mockprovider.Unavailable, connector.CodeGeneral, true},
		{mockprovider.EndpointUserInfo, mockprovider.HTMLPage, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.TruncatedJSON, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.EmptyBody, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.Oversized, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.MissingID, connector.CodeInvalidResponse, false},
		{mockprovider.EndpointUserInfo, mockprovider.WrongTypes, connector.CodeInvalidResponse, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.endpoint)+"/"+string(tt.mode), func(t *testing.T) {
			t.Parallel()
			p := mockprovider.NewKakao(mockprovider.KakaoOptions{})
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

func TestMockProviderHangHonoursDeadline(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewKakao(mockprovider.KakaoOptions{})
	c := openOnMock(t, p, "")
	p.Fail(mockprovider.EndpointUserInfo, mockprovider.Hang)
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

func TestMockProviderConcurrentSignIns(t *testing.T) {
	t.Parallel()
	p := mockprovider.NewKakao(mockprovider.KakaoOptions{ClientSecret: "s3cret-value"})
	c := openOnMock(t, p, "")
	other := openOnMock(t, p, "") // a second replica finishes half of the flows
	ids := mockprovider.DefaultKakaoIdentities
	errs := make(chan error, 2*len(ids))
	for i := 0; i < 2*len(ids); i++ {
		go func() {
			id := ids[i%len(ids)]
			auth, err := c.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: "https://id.example.com/cb"})
			if err != nil {
				errs <- err
				return
			}
			params, err := p.Approve(auth.URL, id.ID)
			if err != nil {
				errs <- err
				return
			}
			finisher := c
			if i%2 == 1 {
				finisher = other
			}
			info, err := finisher.UserInfo(context.Background(), connector.Callback{Params: params, Flow: auth.Flow})
			if err == nil && info.ID != id.ID {
				err = errors.New("got ID " + info.ID + ", want " + id.ID)
			}
			errs <- err
		}()
	}
	for i := 0; i < 2*len(ids); i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("the mock refused requests: %v", probs)
	}
}
