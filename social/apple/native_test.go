package apple_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

const appNonce = "app-nonce-6b1f0c2e9d8a7f3e"

// appClaims are the claims of an id_token Apple gave the iOS app, whose
// request carried nonce.
func appClaims(f *fake, nonce string) jwt.MapClaims {
	c := f.claims(nonce)
	c["aud"] = testBundleID
	return c
}

func TestVerifyNative(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake(t)
	c := f.open(t, keyConfig())
	f.setToken(func(form url.Values) (int, string) { return tokenAnswer(f.sign(appClaims(f, "")))(form) })

	for _, tt := range []struct {
		name  string
		nonce string // in the token
	}{{"hashed nonce", sha256Hex(appNonce)}, {"raw nonce", appNonce}} {
		info, err := c.VerifyNative(ctx, apple.Native{IDToken: f.sign(appClaims(f, tt.nonce)), Nonce: appNonce})
		if err != nil || info.ID != testSub || info.Email != "ada@example.com" || !info.EmailVerified || info.Tokens != nil {
			t.Errorf("%s: VerifyNative = %v, %v", tt.name, info, err)
		}
	}
	if n := f.requests(apple.TokenURL); n != 0 {
		t.Errorf("%d token requests without a code", n)
	}

	// With the code: exchanged as the app (its bundle ID), without a
	// redirect URI.
	info, err := c.VerifyNative(ctx, apple.Native{IDToken: f.sign(appClaims(f, sha256Hex(appNonce))), Nonce: appNonce,
		Code: "c0de-from-the-app-0123456789", WantTokens: true})
	if err != nil || info.Tokens == nil || info.Tokens.RefreshToken != "rt-apple-0123456789" {
		t.Fatalf("VerifyNative(code) = %v, %v", info, err)
	}
	form := f.lastForm(apple.TokenURL)
	if form.Get("client_id") != testBundleID || form.Has("redirect_uri") || form.Get("code") != "c0de-from-the-app-0123456789" {
		t.Errorf("token request form %v", form)
	}
	checkClientSecret(t, form.Get("client_secret"), testBundleID, testNow)

	// The token response's id_token carries the app's hashed nonce; the
	// app's token names two audiences and itself as azp.
	f.setToken(func(form url.Values) (int, string) {
		return tokenAnswer(f.sign(appClaims(f, sha256Hex(appNonce))))(form)
	})
	cl := appClaims(f, sha256Hex(appNonce))
	cl["aud"], cl["azp"] = []string{testClientID, testBundleID}, testBundleID
	if _, err := c.VerifyNative(ctx, apple.Native{IDToken: f.sign(cl), Nonce: appNonce, Code: "c0de-0123456789"}); err != nil {
		t.Fatal(err)
	}
	if got := f.lastForm(apple.TokenURL).Get("client_id"); got != testBundleID {
		t.Errorf("client_id = %q, want the azp", got)
	}

	// The web Services ID's token with a code: exchanged as the website.
	if _, err := c.VerifyNative(ctx, apple.Native{IDToken: f.sign(f.claims(appNonce)), Nonce: appNonce, Code: "c0de-0123456789"}); err != nil {
		t.Fatal(err)
	}
	if got := f.lastForm(apple.TokenURL).Get("client_id"); got != testClientID {
		t.Errorf("client_id = %q, want the web client's", got)
	}
}

func TestVerifyNativeRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFake(t)
	c := f.open(t, keyConfig())
	plain := f.open(t, apple.Config{ClientID: testClientID, Audiences: []string{testBundleID}})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name  string
		c     *apple.Connector
		ctx   context.Context
		n     func() apple.Native
		token func(url.Values) (int, string)
		code  connector.Code
		msg   string
	}{
		{"no id_token", c, ctx, func() apple.Native { return apple.Native{Nonce: appNonce} }, nil,
			connector.CodeSocialInvalidIDToken, "id_token: empty"},
		{"no nonce", c, ctx, func() apple.Native { return apple.Native{IDToken: f.sign(appClaims(f, appNonce))} }, nil,
			connector.CodeInvalidRequestParameters, "nonce: required"},
		{"wrong nonce", c, ctx, func() apple.Native { return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: "another"} }, nil,
			connector.CodeSocialInvalidIDToken, "nonce: does not match"},
		{"token without nonce", c, ctx, func() apple.Native { return apple.Native{IDToken: f.sign(appClaims(f, "")), Nonce: appNonce} }, nil,
			connector.CodeSocialInvalidIDToken, "nonce: missing"},
		{"another app's token", c, ctx, func() apple.Native {
			cl := appClaims(f, appNonce)
			cl["aud"] = "com.example.other"
			return apple.Native{IDToken: f.sign(cl), Nonce: appNonce}
		}, nil, connector.CodeSocialInvalidIDToken, "aud:"},
		{"code without the client secret", plain, ctx, func() apple.Native {
			return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: appNonce, Code: "c0de-0123456789"}
		}, nil, connector.CodeNotImplemented, "exchanging the app's code needs Apple's client secret"},
		{"code for another user", c, ctx, func() apple.Native {
			return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: appNonce, Code: "c0de-0123456789"}
		}, func(form url.Values) (int, string) {
			cl := appClaims(f, "")
			cl["sub"] = "001234.someone-else.0001"
			return tokenAnswer(f.sign(cl))(form)
		}, connector.CodeSocialInvalidIDToken, "sub: the token response's id_token is for another user"},
		{"code refused", c, ctx, func() apple.Native {
			return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: appNonce, Code: "c0de-0123456789"}
		}, func(url.Values) (int, string) { return 400, `{"error":"invalid_grant"}` }, connector.CodeSocialAuthCodeInvalid, "invalid_grant"},
		{"client secret refused", c, ctx, func() apple.Native {
			return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: appNonce, Code: "c0de-0123456789"}
		}, func(url.Values) (int, string) { return 400, `{"error":"invalid_client"}` }, connector.CodeInvalidConfig, "check teamId, keyId and privateKey"},
		{"canceled", c, canceled, func() apple.Native { return apple.Native{IDToken: f.sign(appClaims(f, appNonce)), Nonce: appNonce} }, nil,
			connector.CodeGeneral, "canceled"},
	}
	for _, tt := range tests {
		f.setToken(tt.token)
		before := f.requests(apple.TokenURL)
		n := tt.n()
		info, err := tt.c.VerifyNative(tt.ctx, n)
		if err == nil {
			t.Errorf("%s: signed in as %v", tt.name, info)
			continue
		}
		wantCode(t, err, tt.code, tt.msg)
		noSecret(t, err, n.IDToken, n.Code, appNonce)
		if tt.token == nil && f.requests(apple.TokenURL) != before {
			t.Errorf("%s: a token request was sent", tt.name)
		}
	}
}

// TestNativeFormatting: a Native value never prints its token, code or
// nonce.
func TestNativeFormatting(t *testing.T) {
	t.Parallel()
	n := apple.Native{IDToken: "eyJ.secret-token.sig", Nonce: "secret-nonce", Code: "secret-code", WantTokens: true}
	for _, out := range []string{fmt.Sprint(n), fmt.Sprintf("%+v|%#v|%s|%q|%x|%d", n, n, n, n, n, n), fmt.Sprint(&n)} {
		if strings.Contains(out, "secret") {
			t.Errorf("output reveals a secret: %s", out)
		}
	}
	if got := fmt.Sprint(apple.Native{}); got != `apple.Native{IDToken:"" Nonce:"" Code:"" WantTokens:false}` {
		t.Errorf("Sprint(Native{}) = %s", got)
	}
}
