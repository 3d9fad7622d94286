package apple_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

// TestSignIn maps what Apple posts: the ID, the email and its flags from
// the signed id_token only, the name from the user field.
func TestSignIn(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, webConfig())
	tests := []struct {
		name    string
		edit    func(jwt.MapClaims)
		user    string
		want    connector.UserInfo
		rawWant []string
	}{
		{"verified email and name", nil, `{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"ada@example.com"}`,
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace"},
			[]string{`"real_user_status":2`, `"sub":"` + testSub + `"`}},
		{"claims as strings", func(c jwt.MapClaims) { c["email_verified"] = "true"; c["is_private_email"] = "true" }, "",
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true, PrivateEmail: true}, nil},
		{"email_verified false as a string", func(c jwt.MapClaims) { c["email_verified"] = "false" }, "",
			connector.UserInfo{ID: testSub, Email: "ada@example.com"}, nil},
		{"email_verified missing", func(c jwt.MapClaims) { delete(c, "email_verified") }, "",
			connector.UserInfo{ID: testSub, Email: "ada@example.com"}, nil},
		{"private relay by claim", func(c jwt.MapClaims) { c["is_private_email"] = true }, "",
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true, PrivateEmail: true}, nil},
		{"private relay by domain", func(c jwt.MapClaims) { c["email"] = "x7k2m9qp4r@PrivateRelay.AppleID.com" }, "",
			connector.UserInfo{ID: testSub, Email: "x7k2m9qp4r@PrivateRelay.AppleID.com", EmailVerified: true, PrivateEmail: true}, nil},
		{"is_private_email false", func(c jwt.MapClaims) { c["is_private_email"] = "false" }, "",
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true}, nil},
		{"no email", func(c jwt.MapClaims) { delete(c, "email"); c["is_private_email"] = true }, `{"name":{"firstName":"Ada"}}`,
			connector.UserInfo{ID: testSub, Name: "Ada"}, nil},
		{"user field with another email", func(c jwt.MapClaims) { delete(c, "email"); delete(c, "email_verified") },
			`{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"victim@example.com"}`,
			connector.UserInfo{ID: testSub, Name: "Ada Lovelace"}, nil},
		{"user field overriding the token's email", nil, `{"email":"victim@example.com"}`,
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true}, nil},
		{"c_hash of the code", func(c jwt.MapClaims) {
			sum := sha256.Sum256([]byte("c0de-from-apple-0123456789"))
			c["c_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
		}, "", connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true}, nil},
		{"user field not JSON", nil, `name=Ada`,
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true}, nil},
		{"user field with control characters", nil, `{"name":{"firstName":"Ada\u202e","lastName":"\r\nLovelace"}}`,
			connector.UserInfo{ID: testSub, Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flow := begin(t, c)
			claims := f.claims(flow.Nonce)
			if tt.edit != nil {
				tt.edit(claims)
			}
			params := post(flow, f.sign(claims))
			if tt.user != "" {
				params.Set("user", tt.user)
			}
			info, err := c.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow, WantTokens: true})
			if err != nil {
				t.Fatal(err)
			}
			raw := info.Raw
			info.Raw = nil
			if info.String() != tt.want.String() {
				t.Errorf("got  %v\nwant %v", info, tt.want)
			}
			if !json.Valid(raw) || bytes.Contains(raw, []byte(params.Get("id_token"))) || bytes.Contains(raw, []byte(params.Get("code"))) {
				t.Errorf("Raw is not the claims: %s", raw)
			}
			for _, w := range tt.rawWant {
				if !bytes.Contains(raw, []byte(w)) {
					t.Errorf("Raw lacks %s: %s", w, raw)
				}
			}
		})
	}
	t.Cleanup(func() {
		if n := f.requests(apple.TokenURL); n != 0 {
			t.Errorf("%d token requests without the client secret, want none", n)
		}
		if n := f.requests(apple.KeysURL); n != 1 {
			t.Errorf("%d key set fetches, want 1", n)
		}
	})
}

// TestUserFieldLogged: a user field that is not Apple's JSON is ignored,
// and the log says so without its content.
func TestUserFieldLogged(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var logs bytes.Buffer
	c := f.open(t, webConfig(), connector.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for _, user := range []string{`Ada Lovelace <ada-secret@example.com>`, `["Ada"]`, `{"name":"Ada-secret"}`, `{"name":{"firstName":1}}`,
		`{"name":{"firstName":"A"},"name":{"firstName":"B"}}`, strings.Repeat(" ", 9000) + "{}"} {
		flow := begin(t, c)
		params := post(flow, f.sign(f.claims(flow.Nonce)))
		params.Set("user", user)
		info, err := c.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow})
		if err != nil || info.Name != "" || info.Email != "ada@example.com" {
			t.Errorf("user %.40q: got %v, %v", user, info, err)
		}
	}
	out := logs.String()
	if strings.Count(out, "the user form field is ignored") != 6 {
		t.Errorf("logs:\n%s", out)
	}
	if strings.Contains(out, "ada-secret") || strings.Contains(out, "Ada") {
		t.Errorf("the log holds the user field's content:\n%s", out)
	}
}

// TestIDTokenRefused: every id_token that breaks a rule is refused with
// social_invalid_id_token naming the claim or header at fault, end to end
// through UserInfo.
func TestIDTokenRefused(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, apple.Config{ClientID: testClientID, Audiences: []string{testBundleID}})
	keys := rsaKeys()
	pubDER, _ := x509.MarshalPKIXPublicKey(&keys[0].PublicKey)
	now := testNow
	tests := []struct {
		name string
		tok  func(nonce string) string
		want string
	}{
		{"bad signature", func(n string) string { return signWith(jwt.SigningMethodRS256, keys[2], "apple-k1", f.claims(n)) }, "signature:"},
		{"alg none", func(n string) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, f.claims(n))
			tok.Header["kid"] = "apple-k1"
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}, "alg: none"},
		{"HS256 keyed with the public key", func(n string) string {
			return signWith(jwt.SigningMethodHS256, pubDER, "apple-k1", f.claims(n))
		}, "alg: HMAC"},
		{"RS512", func(n string) string { return signWith(jwt.SigningMethodRS512, keys[0], "apple-k1", f.claims(n)) }, "alg:"},
		{"kid absent with several keys", func(n string) string { return signWith(jwt.SigningMethodRS256, keys[0], "", f.claims(n)) }, "kid: missing"},
		{"expired", func(n string) string {
			cl := f.claims(n)
			cl["iat"], cl["exp"] = now.Add(-time.Hour).Unix(), now.Add(-2*time.Minute).Unix()
			return f.sign(cl)
		}, "exp:"},
		{"no exp", func(n string) string { cl := f.claims(n); delete(cl, "exp"); return f.sign(cl) }, "exp: missing"},
		{"no iat", func(n string) string { cl := f.claims(n); delete(cl, "iat"); return f.sign(cl) }, "iat: missing"},
		{"iat in the future", func(n string) string {
			cl := f.claims(n)
			cl["iat"] = now.Add(5 * time.Minute).Unix()
			return f.sign(cl)
		}, "iat:"},
		{"nbf in the future", func(n string) string {
			cl := f.claims(n)
			cl["nbf"] = now.Add(5 * time.Minute).Unix()
			return f.sign(cl)
		}, "nbf:"},
		{"wrong issuer", func(n string) string { cl := f.claims(n); cl["iss"] = "https://appleid.example.net"; return f.sign(cl) }, "iss:"},
		{"issuer with a trailing slash", func(n string) string { cl := f.claims(n); cl["iss"] = apple.Issuer + "/"; return f.sign(cl) }, "iss:"},
		{"wrong audience", func(n string) string { cl := f.claims(n); cl["aud"] = "com.example.other"; return f.sign(cl) }, "aud:"},
		{"audience list without azp", func(n string) string {
			cl := f.claims(n)
			cl["aud"] = []string{testClientID, "com.example.other"}
			return f.sign(cl)
		}, "azp: missing"},
		{"azp naming another party", func(n string) string {
			cl := f.claims(n)
			cl["aud"], cl["azp"] = []string{testClientID, "com.example.other"}, "com.example.other"
			return f.sign(cl)
		}, "azp:"},
		{"no sub", func(n string) string { cl := f.claims(n); delete(cl, "sub"); return f.sign(cl) }, "sub: missing"},
		{"blank sub", func(n string) string { cl := f.claims(n); cl["sub"] = " "; return f.sign(cl) }, "sub:"},
		{"nonce missing", func(string) string { return f.sign(f.claims("")) }, "nonce: missing"},
		{"nonce wrong", func(string) string { return f.sign(f.claims("another-flows-nonce")) }, "nonce: does not match"},
		{"nonce as its hash (web flow)", func(n string) string { return f.sign(f.claims(sha256Hex(n))) }, "nonce: does not match"},
		{"c_hash of another code", func(n string) string {
			cl := f.claims(n)
			sum := sha256.Sum256([]byte("another-code"))
			cl["c_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
			return f.sign(cl)
		}, "c_hash: does not match the callback's code"},
		{"not a JWT", func(string) string { return "not.a-jwt" }, "id_token:"},
		{"duplicate claim", func(n string) string {
			return jwtFromJSON(f, `{"iss":"https://appleid.apple.com","aud":"com.example.web","sub":"u1","sub":"u2","iat":`+
				itoa(now.Unix())+`,"exp":`+itoa(now.Add(time.Hour).Unix())+`,"nonce":"`+n+`"}`)
		}, "sub: appears more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flow := begin(t, c)
			raw := tt.tok(flow.Nonce)
			info, err := c.UserInfo(context.Background(), connector.Callback{Params: post(flow, raw), Flow: flow})
			if err == nil {
				t.Fatalf("signed in as %v", info)
			}
			ce := wantCode(t, err, connector.CodeSocialInvalidIDToken, tt.want)
			if ce.Step != connector.StepIDToken {
				t.Errorf("step = %s", ce.Step)
			}
			noSecret(t, err, raw, flow.Nonce)
		})
	}
	// The bad tokens cost Apple's keys endpoint one fetch.
	t.Cleanup(func() {
		if n := f.requests(apple.KeysURL); n != 1 {
			t.Errorf("%d key set fetches, want 1", n)
		}
	})
}

// TestUnknownKID: a token naming a key the set lacks causes one refetch
// (Apple may have rotated its keys), then is refused; within a minute of
// the last fetch it is refused without asking Apple again.
func TestUnknownKID(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ks, err := apple.NewKeySet(connector.WithHTTPClient(f.Client), connector.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ks.New(webConfig(), connector.WithHTTPClient(f.Client), connector.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(kid string) error {
		flow := begin(t, c)
		_, err := c.UserInfo(context.Background(), connector.Callback{
			Params: post(flow, signWith(jwt.SigningMethodRS256, rsaKeys()[0], kid, f.claims(flow.Nonce))), Flow: flow})
		return err
	}
	if err := signIn("apple-k1"); err != nil {
		t.Fatal(err)
	}
	if err := signIn("rotated-k9"); err == nil {
		t.Fatal("a token with an unknown kid signed in")
	} else {
		wantCode(t, err, connector.CodeSocialInvalidIDToken, "kid: no key in the key set has this kid")
	}
	if st := ks.Stats(); st.Fetches != 1 || st.Refusals != 1 {
		t.Errorf("within a minute of the fetch: %+v, want 1 fetch and 1 refusal", st)
	}
	f.clock.Advance(2 * time.Minute)
	if err := signIn("rotated-k9"); err == nil {
		t.Fatal("a token with an unknown kid signed in")
	}
	if err := signIn("rotated-k9"); err == nil {
		t.Fatal("a token with an unknown kid signed in")
	}
	if st := ks.Stats(); st.Fetches != 2 || st.Keys != 2 {
		t.Errorf("after the floor: %+v, want exactly one refetch", st)
	}
	if s := ks.String(); s != `apple.KeySet{URL:"https://appleid.apple.com/auth/keys" Keys:2}` {
		t.Errorf("String() = %s", s)
	}
}

// TestKeysEndpointFailures: a key set that cannot be had fails the
// sign-in with a typed error, never a sign-in.
func TestKeysEndpointFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		ct, body  string
		code      connector.Code
		retryable bool
		msg       string
	}{
		{"500", 500, "application/json", `{"error":"server_error"}`, connector.CodeGeneral, true, "key set endpoint failed"},
		{"HTML", 200, "text/html", `<!doctype html><title>Apple</title>`, connector.CodeInvalidResponse, false, "jwks:"},
		{"empty set", 200, "application/json", `{"keys":[]}`, connector.CodeInvalidResponse, false, "jwks:"},
		{"garbage", 200, "application/json", "\x00\x01garbage", connector.CodeInvalidResponse, false, "jwks:"},
		{"no keys member", 200, "application/json", `{"kids":[]}`, connector.CodeInvalidResponse, false, "jwks:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.setJWKS(func() (int, string, string) { return tt.status, tt.ct, tt.body })
			c := f.open(t, webConfig())
			flow := begin(t, c)
			info, err := c.UserInfo(context.Background(), connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow})
			if err == nil {
				t.Fatalf("signed in as %v", info)
			}
			ce := wantCode(t, err, tt.code, tt.msg)
			if ce.Retryable != tt.retryable || ce.Step != connector.StepIDToken {
				t.Errorf("retryable %t step %s, want %t id_token", ce.Retryable, ce.Step, tt.retryable)
			}
		})
	}
}

// TestCallbackRefusedBeforeAnyRequest: what the callback itself shows to
// be wrong is refused without asking Apple anything.
func TestCallbackRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, keyConfig())
	tests := []struct {
		name  string
		alter func(p url.Values, flow *connector.FlowState)
		code  connector.Code
		msg   string
	}{
		{"no id_token", func(p url.Values, _ *connector.FlowState) { p.Del("id_token") }, connector.CodeSocialInvalidIDToken,
			"id_token: the callback has none"},
		{"cancelled", func(p url.Values, _ *connector.FlowState) {
			p.Del("code")
			p.Del("id_token")
			p.Set("error", "user_cancelled_authorize")
		}, connector.CodeAuthorizationFailed, "user_cancelled_authorize"},
		{"another flow's state", func(p url.Values, _ *connector.FlowState) { p.Set("state", "forged") }, connector.CodeStateMismatch, ""},
		{"cross-site post without state", func(p url.Values, _ *connector.FlowState) { p.Del("state") }, connector.CodeStateMismatch, ""},
		{"two id_tokens", func(p url.Values, _ *connector.FlowState) { p.Add("id_token", "x.y.z") }, connector.CodeInvalidRequestParameters, "id_token"},
		{"two user fields", func(p url.Values, _ *connector.FlowState) { p.Add("user", "{}"); p.Add("user", "{}") },
			connector.CodeInvalidRequestParameters, "user"},
		{"no code", func(p url.Values, _ *connector.FlowState) { p.Del("code") }, connector.CodeAuthorizationFailed, "no authorization code"},
		{"flow without nonce", func(_ url.Values, flow *connector.FlowState) { flow.Nonce = "" }, connector.CodeInvalidRequestParameters,
			"flow state has no nonce"},
	}
	for _, tt := range tests {
		flow := begin(t, c)
		params := post(flow, "header.payload.signature")
		tt.alter(params, &flow)
		_, err := c.UserInfo(context.Background(), connector.Callback{Params: params, Flow: flow})
		wantCode(t, err, tt.code, tt.msg)
	}
	for _, u := range []string{apple.KeysURL, apple.TokenURL} {
		if n := f.requests(u); n != 0 {
			t.Errorf("%d requests to %s, want none", n, u)
		}
	}
}

// TestCanceledContext: the caller's context reaches Apple's keys endpoint.
func TestCanceledContext(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, webConfig())
	flow := begin(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.UserInfo(ctx, connector.Callback{Params: post(flow, f.sign(f.claims(flow.Nonce))), Flow: flow})
	ce := wantCode(t, err, connector.CodeGeneral)
	if ce.Retryable {
		t.Errorf("a canceled sign-in is retryable: %v", err)
	}
}
