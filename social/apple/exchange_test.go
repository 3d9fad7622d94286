package apple_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

// checkClientSecret verifies a client secret as Apple does and returns its
// claims.
func checkClientSecret(t *testing.T, secret, clientID string, now time.Time) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(secret, claims, func(*jwt.Token) (any, error) { return &testKey().PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(testTeamID), jwt.WithSubject(clientID),
		jwt.WithAudience(apple.Issuer), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("the client secret does not verify: %v", err)
	}
	if kid, _ := tok.Header["kid"].(string); kid != testKeyID {
		t.Errorf("client secret kid = %q", kid)
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if life := exp.Sub(iat.Time); life <= 0 || life > 15777000*time.Second {
		t.Errorf("client secret lives %v, want at most six months", life)
	}
	return claims
}

// TestCodeExchange: with the client secret's key the code is exchanged
// through the engine, the secret is Apple's ES256 JWT, the token
// response's id_token is verified too, and the tokens are handed back when
// asked for.
func TestCodeExchange(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var logs bytes.Buffer
	c := f.open(t, keyConfig(), connector.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	sub := ""
	f.setToken(func(form url.Values) (int, string) {
		cl := f.claims("")
		if sub != "" {
			cl["sub"] = sub
		}
		return tokenAnswer(f.sign(cl))(form)
	})
	flow := begin(t, c)
	params := post(flow, f.sign(f.claims(flow.Nonce)))
	info, err := c.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow})
	if err != nil || info.ID != testSub || info.Tokens != nil {
		t.Fatalf("UserInfo = %v, %v", info, err)
	}
	form := f.lastForm(apple.TokenURL)
	if form.Get("client_id") != testClientID || form.Get("code") != params.Get("code") || form.Get("grant_type") != "authorization_code" ||
		form.Get("redirect_uri") != testRedirect || form.Has("code_verifier") {
		t.Errorf("token request form %v", form)
	}
	checkClientSecret(t, form.Get("client_secret"), testClientID, f.clock.Now())

	flow = begin(t, c)
	info, err = c.UserInfo(context.Background(), connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow, WantTokens: true})
	if err != nil || info.Tokens == nil || info.Tokens.RefreshToken != "rt-apple-0123456789" || info.Tokens.IDToken == "" {
		t.Fatalf("UserInfo(WantTokens) = %v, %v", info, err)
	}
	noSecret(t, info, "rt-apple-0123456789", "at-apple-0123456789")

	// The token endpoint's id_token names another user.
	sub = "001234.someone-else.0001"
	flow = begin(t, c)
	_, err = c.UserInfo(context.Background(), connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow})
	wantCode(t, err, connector.CodeSocialInvalidIDToken, "sub: the token response's id_token is for another user")

	secret := form.Get("client_secret")
	for _, s := range []string{logs.String(), c.String(), err.Error()} {
		if bytes.Contains([]byte(s), []byte(secret)) || bytes.Contains([]byte(s), []byte(params.Get("code"))) {
			t.Errorf("the client secret or the code leaked: %s", s)
		}
	}
}

// TestTokenResponseIDToken: the token response's id_token obeys the same
// rules; a nonce in it must be the flow's; none is fine.
func TestTokenResponseIDToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(f *fake, nonce string) func(url.Values) (int, string)
		code   connector.Code
		msg    string
	}{
		{"nonce absent", func(f *fake, _ string) func(url.Values) (int, string) { return tokenAnswer(f.sign(f.claims(""))) }, "", ""},
		{"nonce the flow's", func(f *fake, n string) func(url.Values) (int, string) { return tokenAnswer(f.sign(f.claims(n))) }, "", ""},
		{"nonce another", func(f *fake, _ string) func(url.Values) (int, string) {
			return tokenAnswer(f.sign(f.claims("other-nonce")))
		},
			connector.CodeSocialInvalidIDToken, "nonce: the token response's id_token carries another nonce"},
		{"expired", func(f *fake, _ string) func(url.Values) (int, string) {
			cl := f.claims("")
			cl["exp"] = testNow.Add(-time.Hour).Unix()
			return tokenAnswer(f.sign(cl))
		}, connector.CodeSocialInvalidIDToken, "exp: the id_token expired"},
		{"wrong audience", func(f *fake, _ string) func(url.Values) (int, string) {
			cl := f.claims("")
			cl["aud"] = "com.example.other"
			return tokenAnswer(f.sign(cl))
		}, connector.CodeSocialInvalidIDToken, "(in the token response's id_token)"},
		{"no id_token", func(*fake, string) func(url.Values) (int, string) {
			return func(url.Values) (int, string) {
				return 200, `{"access_token":"at-apple-0123456789","token_type":"Bearer"}`
			}
		}, connector.CodeInvalidResponse, "token response has no id_token"},
		{"invalid_grant", func(*fake, string) func(url.Values) (int, string) {
			return func(url.Values) (int, string) { return 400, `{"error":"invalid_grant"}` }
		}, connector.CodeSocialAuthCodeInvalid, "invalid_grant"},
		{"invalid_client", func(*fake, string) func(url.Values) (int, string) {
			return func(url.Values) (int, string) { return 400, `{"error":"invalid_client"}` }
		}, connector.CodeInvalidConfig, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			c := f.open(t, keyConfig())
			flow := begin(t, c)
			f.setToken(tt.answer(f, flow.Nonce))
			info, err := c.UserInfo(context.Background(), connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow})
			if tt.code == "" {
				if err != nil || info.ID != testSub {
					t.Fatalf("UserInfo = %v, %v", info, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("signed in as %v", info)
			}
			wantCode(t, err, tt.code, tt.msg)
		})
	}
}

// TestClientSecretMintedOnce: one client secret serves every request until
// an hour before it expires, on the injected clock, however many sign-ins
// run at once; then exactly one new one is minted.
func TestClientSecretMintedOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, keyConfig())
	f.setToken(func(form url.Values) (int, string) { return tokenAnswer(f.sign(f.claims("")))(form) })
	signIn := func() {
		flow := begin(t, c)
		if _, err := c.UserInfo(context.Background(), connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow}); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); signIn() }()
	}
	wg.Wait()
	f.clock.Advance(22*time.Hour + 58*time.Minute)
	signIn()
	distinct := func() []string {
		var out []string
		for _, form := range f.formsOf(apple.TokenURL) {
			if s := form.Get("client_secret"); len(out) == 0 || out[len(out)-1] != s {
				out = append(out, s)
			}
		}
		return out
	}
	if d := distinct(); len(d) != 1 {
		t.Fatalf("%d client secrets for 51 sign-ins within 23 hours, want 1", len(d))
	}
	first := checkClientSecret(t, distinct()[0], testClientID, testNow)
	if iat, _ := first.GetIssuedAt(); iat.After(testNow) {
		t.Errorf("iat %v is after the mint time %v", iat, testNow)
	}
	f.clock.Advance(2 * time.Minute) // within the last hour of the secret
	signIn()
	signIn()
	d := distinct()
	if len(d) != 2 {
		t.Fatalf("%d client secrets, want exactly one more near expiry", len(d))
	}
	checkClientSecret(t, d[1], testClientID, f.clock.Now())
}

// TestRefreshAndRevoke: with the client secret, refresh and revoke reach
// Apple with the client ID the tokens were issued to; without, they fail
// before any request.
func TestRefreshAndRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake(t)
	c := f.open(t, keyConfig())
	f.setToken(func(url.Values) (int, string) {
		return 200, `{"access_token":"at-new-0123456789","token_type":"Bearer","expires_in":3600,"id_token":"h.p.s"}`
	})
	tok, err := c.Refresh(ctx, "rt-apple-0123456789")
	if err != nil || tok.AccessToken != "at-new-0123456789" || tok.RefreshToken != "rt-apple-0123456789" {
		t.Fatalf("Refresh = %v, %v", tok, err)
	}
	form := f.lastForm(apple.TokenURL)
	if form.Get("grant_type") != "refresh_token" || form.Get("client_id") != testClientID {
		t.Errorf("refresh form %v", form)
	}
	checkClientSecret(t, form.Get("client_secret"), testClientID, testNow)
	if _, err := c.RefreshFor(ctx, testBundleID, "rt-app-0123456789"); err != nil {
		t.Fatal(err)
	}
	form = f.lastForm(apple.TokenURL)
	if form.Get("client_id") != testBundleID {
		t.Errorf("refresh for the app: client_id %q", form.Get("client_id"))
	}
	checkClientSecret(t, form.Get("client_secret"), testBundleID, testNow)

	if err := c.Revoke(ctx, "rt-apple-0123456789", "refresh_token"); err != nil {
		t.Fatal(err)
	}
	form = f.lastForm(apple.RevocationURL)
	if form.Get("token") != "rt-apple-0123456789" || form.Get("token_type_hint") != "refresh_token" || form.Get("client_id") != testClientID {
		t.Errorf("revoke form %v", form)
	}
	checkClientSecret(t, form.Get("client_secret"), testClientID, testNow)
	if err := c.RevokeFor(ctx, testBundleID, "rt-app-0123456789", ""); err != nil {
		t.Fatal(err)
	}
	if got := f.lastForm(apple.RevocationURL).Get("client_id"); got != testBundleID {
		t.Errorf("revoke for the app: client_id %q", got)
	}
	f.setToken(func(url.Values) (int, string) { return 400, `{"error":"invalid_grant"}` })
	_, err = c.Refresh(ctx, "rt-apple-0123456789")
	wantCode(t, err, connector.CodeSocialInvalidAccessToken, "refused the refresh token")
	noSecret(t, err, "rt-apple-0123456789")

	err = c.RevokeFor(ctx, "com.example.unknown", "rt-app-0123456789", "")
	wantCode(t, err, connector.CodeInvalidRequestParameters, `"com.example.unknown" is neither clientId nor one of audiences`)
	err = c.Revoke(ctx, "", "")
	wantCode(t, err, connector.CodeInvalidRequestParameters, "token is empty")

	// Without the client secret's key.
	f2 := newFake(t)
	plain := f2.open(t, webConfig())
	_, err = plain.Refresh(ctx, "rt-apple-0123456789")
	wantCode(t, err, connector.CodeNotImplemented, "refreshing a token needs Apple's client secret")
	err = plain.Revoke(ctx, "rt-apple-0123456789", "refresh_token")
	ce := wantCode(t, err, connector.CodeNotImplemented, "set teamId, keyId and privateKey")
	if ce.Step != connector.StepRevoke {
		t.Errorf("step = %s", ce.Step)
	}
	if n := f2.requests(apple.TokenURL) + f2.requests(apple.RevocationURL); n != 0 {
		t.Errorf("%d requests without a client secret", n)
	}
}
