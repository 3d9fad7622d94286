package connector_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
)

// The secrets the redaction tests plant in every value.
const (
	secretVerifier = "verifier-S3CR3T-1"
	secretNonce    = "nonce-S3CR3T-2"
	secretAccess   = "access-S3CR3T-3"
	secretRefresh  = "refresh-S3CR3T-4"
	secretIDToken  = "idtoken-S3CR3T-5"
	secretCode     = "authcode-S3CR3T-6"
	secretOTP      = "otp-918273"
)

var plantedSecrets = []string{secretVerifier, secretNonce, secretAccess, secretRefresh, secretIDToken, secretCode, secretOTP}

// assertNoSecret fails when out holds a planted secret, as is or
// hex-encoded (what %x of the raw field would print).
func assertNoSecret(t *testing.T, where, out string) {
	t.Helper()
	for _, s := range plantedSecrets {
		for _, form := range []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))} {
			if strings.Contains(out, form) {
				t.Errorf("%s reveals %q: %s", where, form, out)
			}
		}
	}
}

type redactionCase struct {
	name string
	v    any
}

// mark is a text the String form of the case's value holds.
func (c redactionCase) mark() string {
	name, _, _ := strings.Cut(strings.TrimPrefix(c.name, "*"), "/")
	if name == "Secret" {
		return "[REDACTED]"
	}
	return name + "{"
}

// valueAndPointer returns v and a pointer to it, as two cases.
func valueAndPointer[T any](name string, v T) []redactionCase {
	return []redactionCase{{name, v}, {"*" + name, &v}}
}

func testFlow() connector.FlowState {
	return connector.FlowState{State: "st-1", RedirectURI: "https://app.example/cb", CodeVerifier: secretVerifier, Nonce: secretNonce}
}

func testTokens() connector.Tokens {
	return connector.Tokens{AccessToken: secretAccess, TokenType: "Bearer", RefreshToken: secretRefresh, IDToken: secretIDToken,
		Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Scope: []string{"openid", "email"}}
}

func testUserInfo() connector.UserInfo {
	tok := testTokens()
	return connector.UserInfo{ID: "u-1", Email: "ada@example.com", EmailVerified: true, Phone: "+14155550100", Name: "Ada",
		Avatar: "https://img.example/ada.png", Raw: json.RawMessage(`{"id": "u-1",
			"name": "Ada"}`), Tokens: &tok}
}

// redactionCases is one value of every type that holds a secret, every
// secret field set, and a pointer to each.
func redactionCases() []redactionCase {
	var cases []redactionCase
	cases = append(cases, valueAndPointer("FlowState", testFlow())...)
	cases = append(cases, valueAndPointer("Callback", connector.Callback{
		Params: url.Values{"code": {secretCode}, "id_token": {secretIDToken}, "access_token": {secretAccess},
			"refresh_token": {secretRefresh}, "state": {"st-1"}},
		Flow: testFlow(), WantTokens: true})...)
	cases = append(cases, valueAndPointer("Callback/nil-params", connector.Callback{Flow: testFlow()})...)
	cases = append(cases, valueAndPointer("Tokens", testTokens())...)
	cases = append(cases, valueAndPointer("Message", connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
		Payload: map[string]any{"code": secretOTP, "application": map[string]any{"name": "Acme", "code": secretOTP}}})...)
	cases = append(cases, valueAndPointer("UserInfo", testUserInfo())...)
	cases = append(cases, valueAndPointer("Authorization", connector.Authorization{
		URL: "https://idp.example/authorize?client_id=app&state=st-1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Flow: testFlow()})...)
	cases = append(cases, valueAndPointer("Secret", connector.Secret(secretAccess))...)
	return cases
}

// Every fmt verb, flag and width prints the redacted String form of a
// value that holds a secret, never its fields.
func TestRedactedEveryVerb(t *testing.T) {
	t.Parallel()
	extra := "x" // a format with no verb: fmt prints the argument after %!(EXTRA
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%#q", "%+q", "%x", "%X", "%d", "%o", "%O", "%b", "%t", "%e", "%f",
		"%g", "%c", "%U", "%10v", "%-8s", "%300v", "%-300s", "%08d", "% x", "%#x", "%!", "%z"}
	for _, c := range redactionCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, verb := range verbs {
				out := fmt.Sprintf(verb, c.v)
				assertNoSecret(t, verb, out)
				if !strings.Contains(out, c.mark()) {
					t.Errorf("%s does not print the redacted String form: %s", verb, out)
				}
			}
			for name, out := range map[string]string{
				"%*v":         fmt.Sprintf("%*v", 200, c.v),
				"%-*s":        fmt.Sprintf("%-*s", 200, c.v),
				"%.5s":        fmt.Sprintf("%.5s", c.v),
				"%[1]d %[1]x": fmt.Sprintf("%[1]d %[1]x", c.v),
				"Sprint":      fmt.Sprint(c.v),
				"Sprintln":    fmt.Sprintln(c.v, c.v),
				"EXTRA":       fmt.Sprintf(extra, c.v),
				"nested":      fmt.Sprintf("%d %+v %#v", struct{ V any }{c.v}, []any{c.v}, map[string]any{"v": c.v}),
			} {
				assertNoSecret(t, name, out)
			}
		})
	}
}

// Width, precision and the '-' flag apply to the redacted text.
func TestRedactedFormatWidth(t *testing.T) {
	t.Parallel()
	tok := testTokens()
	s := tok.String()
	for format, want := range map[string]string{
		"%300v|":  strings.Repeat(" ", 300-len(s)) + s + "|",
		"%-300s|": s + strings.Repeat(" ", 300-len(s)) + "|",
		"%300d|":  strings.Repeat(" ", 300-len(s)) + s + "|",
		"%.6v|":   s[:6] + "|",
		"%q":      fmt.Sprintf("%q", s),
		"%x":      s,
		"%#v":     tok.GoString(),
	} {
		if got := fmt.Sprintf(format, tok); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", format, got, want)
		}
	}
	if got := fmt.Sprintf("%*v|", -300, &tok); got != s+strings.Repeat(" ", 300-len(s))+"|" {
		t.Errorf("Sprintf(%%*v, -300) = %q", got)
	}
}

// The slog JSON and text handlers log none of the secrets, whether the value
// is logged as is, through a pointer, in a group, in a logger's With
// attributes or (text handler) inside a struct.
func TestRedactedSlog(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	}
	for _, c := range redactionCases() {
		for hname, newHandler := range handlers {
			t.Run(c.name+"/"+hname, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				l := slog.New(newHandler(&buf))
				l.Info("plain", "v", c.v)
				l.Info("attr", slog.Any("v", c.v))
				l.Info("group", slog.Group("outer", slog.Group("inner", slog.Any("v", c.v))))
				l.With("v", c.v).WithGroup("g").Info("with", "v", c.v)
				l.LogAttrs(t.Context(), slog.LevelWarn, "attrs", slog.Any("v", c.v))
				if hname == "text" {
					// The text handler prints other values with %+v.
					l.Info("struct", "v", struct{ V any }{c.v})
				}
				out := buf.String()
				assertNoSecret(t, hname+" handler", out)
				if hname == "json" {
					for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
						if !json.Valid([]byte(line)) {
							t.Errorf("invalid JSON line: %s", line)
						}
					}
				}
			})
		}
	}
}

// A UserInfo with tokens logged through the JSON handler shows the profile
// and what the tokens are, never their values.
func TestUserInfoLogJSON(t *testing.T) {
	t.Parallel()
	info := testUserInfo()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("signed in", "user", info, "ptr", &info)
	assertNoSecret(t, "log", buf.String())
	var line struct {
		User map[string]any `json:"user"`
		Ptr  map[string]any `json:"ptr"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line: %v: %s", err, buf.String())
	}
	for _, got := range []map[string]any{line.User, line.Ptr} {
		want := map[string]any{"id": "u-1", "email": "ada@example.com", "email_verified": true, "private_email": false,
			"phone": "+14155550100", "phone_verified": false, "name": "Ada", "avatar": "https://img.example/ada.png",
			"raw_bytes": float64(len(info.Raw))}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v (%s)", k, got[k], v, buf.String())
			}
		}
		tok, _ := got["tokens"].(map[string]any)
		if tok["token_type"] != "Bearer" || tok["refresh_token"] != true || tok["id_token"] != true {
			t.Errorf("tokens = %v", got["tokens"])
		}
	}

	buf.Reset()
	info.Tokens = nil
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("signed in", "user", info)
	if strings.Contains(buf.String(), "tokens") {
		t.Errorf("tokens logged when unset: %s", buf.String())
	}
}

// UserInfo's fmt output shows Raw as text, not as a list of bytes, and the
// tokens redacted.
func TestUserInfoString(t *testing.T) {
	t.Parallel()
	info := testUserInfo()
	want := `UserInfo{ID:"u-1" Email:"ada@example.com" EmailVerified:true PrivateEmail:false Phone:"+14155550100" ` +
		`PhoneVerified:false Name:"Ada" Avatar:"https://img.example/ada.png" Raw:{"id":"u-1","name":"Ada"} Tokens:` +
		info.Tokens.String() + `}`
	for _, format := range []string{"%v", "%+v", "%s", "%d"} {
		if got := fmt.Sprintf(format, info); got != want {
			t.Errorf("Sprintf(%q) =\n%s\nwant\n%s", format, got, want)
		}
	}
	info.Tokens, info.Raw = nil, json.RawMessage("not json\n\x1b[31m")
	if got := fmt.Sprint(info); !strings.HasSuffix(got, `Raw:"not json\n\x1b[31m" Tokens:<nil>}`) {
		t.Errorf("Sprint = %s", got)
	}
	info.Raw = nil
	if got := fmt.Sprint(info); !strings.Contains(got, `Raw:"" Tokens:<nil>}`) {
		t.Errorf("Sprint = %s", got)
	}
}

// Authorization shows its URL and the flow state redacted, in fmt and slog.
func TestAuthorizationRedacted(t *testing.T) {
	t.Parallel()
	a := connector.Authorization{URL: "https://idp.example/authorize?state=st-1", Flow: testFlow()}
	want := `Authorization{URL:"https://idp.example/authorize?state=st-1" Flow:` + a.Flow.String() + `}`
	if got := fmt.Sprintf("%+v", a); got != want {
		t.Errorf("%%+v = %s, want %s", got, want)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("redirect", "auth", &a)
	wantLog := `"auth":{"url":"https://idp.example/authorize?state=st-1","flow":{"state":"st-1",` +
		`"redirect_uri":"https://app.example/cb","pkce":true,"nonce":true}}`
	if !strings.Contains(buf.String(), wantLog) {
		t.Errorf("log = %s, want %s", buf.String(), wantLog)
	}
}
