package apple_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/social/apple"
)

// keyLines are the base64 lines of the test key's PEM: none may show in
// an error.
func keyLines() []string {
	var out []string
	for _, l := range strings.Split(testKeyPEM(), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	body := strings.Join(keyLines(), "\n")
	// A .p8 cut short: its DER ends inside the key.
	damaged := "-----BEGIN PRIVATE KEY-----\n" + keyLines()[0] + "\n-----END PRIVATE KEY-----\n"
	withKey := func(pemText string) apple.Config {
		c := keyConfig()
		c.PrivateKey = connector.Secret(pemText)
		return c
	}
	tests := []struct {
		name string
		cfg  apple.Config
		want []string // "path: message"
	}{
		{"empty", apple.Config{}, []string{"clientId: is required"}},
		{"clientId with spaces", apple.Config{ClientID: "com.example web"}, []string{"clientId: must not contain whitespace"}},
		{"unknown scope", apple.Config{ClientID: testClientID, Scope: "name profile"},
			[]string{`scope: item "profile" is not one of name, email, openid (Apple's scopes are name and email)`}},
		{"teamId without keyId", apple.Config{ClientID: testClientID, TeamID: testTeamID},
			[]string{"keyId: is required when teamId or privateKey is set", "privateKey: is required when teamId or keyId is set"}},
		{"keyId alone", apple.Config{ClientID: testClientID, KeyID: testKeyID},
			[]string{"privateKey: is required when teamId or keyId is set", "teamId: is required when keyId or privateKey is set"}},
		{"privateKey alone", apple.Config{ClientID: testClientID, PrivateKey: connector.Secret(testKeyPEM())},
			[]string{"keyId: is required when teamId or privateKey is set", "teamId: is required when keyId or privateKey is set"}},
		{"teamId not alphanumeric", func() apple.Config { c := keyConfig(); c.TeamID = "TEAM-1234"; return c }(),
			[]string{"teamId: must contain only letters and digits"}},
		{"privateKey without PEM armour", withKey(body), []string{"privateKey: is not a PEM block"}},
		{"privateKey garbage", withKey("hunter2"), []string{"privateKey: is not a PEM block"}},
		{"privateKey damaged", withKey(damaged), []string{"privateKey: is a PEM block whose key cannot be parsed"}},
		{"privateKey RSA", withKey(rsaKeyPEM()), []string{"privateKey: is an RSA key: Sign in with Apple keys are ECDSA P-256"}},
		{"privateKey P-384", withKey(pemOf(p384)), []string{"privateKey: is an ECDSA key on P-384"}},
		{"privateKey Ed25519", withKey(pemOf(ed)), []string{"privateKey: is an Ed25519 key"}},
		{"privateKey a certificate", withKey("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			[]string{`privateKey: is a PEM block of type "CERTIFICATE"`}},
		{"privateKey two blocks", withKey(testKeyPEM() + testKeyPEM()), []string{"privateKey: holds more than one PEM block"}},
		{"audience blank", func() apple.Config { c := webConfig(); c.Audiences = []string{testBundleID, " x"}; return c }(),
			[]string{"audiences[1]: must be a client ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := apple.New(tt.cfg)
			ce := wantCode(t, err, connector.CodeInvalidConfig)
			var got []string
			for _, f := range ce.Fields {
				got = append(got, f.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("fields %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("field %q, want %q", got[i], tt.want[i])
				}
			}
			noSecret(t, err, keyLines()...)
			noSecret(t, err, "hunter2")
		})
	}
}

// TestPrivateKeyForms: the .p8 content as Apple gives it, with its line
// breaks escaped, with surrounding space, or as a SEC 1 "EC PRIVATE KEY".
func TestPrivateKeyForms(t *testing.T) {
	t.Parallel()
	der, _ := x509.MarshalECPrivateKey(testKey())
	sec1 := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	for name, text := range map[string]string{
		"p8":              testKeyPEM(),
		"escaped breaks":  strings.ReplaceAll(strings.TrimSpace(testKeyPEM()), "\n", `\n`),
		"surrounding":     "\n  " + testKeyPEM() + "  \n",
		"CRLF":            strings.ReplaceAll(testKeyPEM(), "\n", "\r\n"),
		"SEC 1 EC key":    sec1,
		"JSON round trip": mustRoundTrip(testKeyPEM()),
	} {
		cfg := keyConfig()
		cfg.PrivateKey = connector.Secret(text)
		if _, err := apple.New(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustRoundTrip(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// TestOpen: a Logto Apple config opens unchanged; our fields open too; a
// typo is refused.
func TestOpen(t *testing.T) {
	t.Parallel()
	c, err := apple.Open(json.RawMessage(`{"clientId":"com.example.web","scope":"name email"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != `apple-universal connector{ID:"apple-universal" Target:"apple" ClientID:"com.example.web" Audiences:[] ClientSecret:none}` {
		t.Errorf("String() = %s", got)
	}
	raw, _ := json.Marshal(map[string]any{"clientId": testClientID, "teamId": testTeamID, "keyId": testKeyID,
		"privateKey": testKeyPEM(), "audiences": []string{testBundleID}})
	c, err = apple.Open(raw, connector.WithInstanceID("tenant-7"))
	if err != nil {
		t.Fatal(err)
	}
	want := `apple-universal connector{ID:"tenant-7" Target:"apple" ClientID:"com.example.web" Audiences:["com.example.ios"] ClientSecret:ES256 "TEAM123456"/"KEY1234567"}`
	if got := fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c); got != strings.Repeat(want+"|", 3)+want {
		t.Errorf("formatting = %s", got)
	}
	noSecret(t, c, keyLines()...)

	_, err = apple.Open(json.RawMessage(`{"clientID":"com.example.web"}`), connector.WithInstanceID("tenant-8"))
	ce := wantCode(t, err, connector.CodeInvalidConfig)
	if ce.Connector != "tenant-8" || !strings.Contains(err.Error(), "clientID") {
		t.Errorf("a misspelt field: %v", err)
	}
	_, err = apple.Open(json.RawMessage(`{"clientId":"x","teamId":"T1","keyId":"K1","privateKey":"-----BEGIN PRIVATE KEY-----\nsecretkeymaterial\n-----END PRIVATE KEY-----"}`))
	wantCode(t, err, connector.CodeInvalidConfig, "privateKey: is not a PEM block")
	noSecret(t, err, "secretkeymaterial")
}

func TestConfigFormatting(t *testing.T) {
	t.Parallel()
	cfg := keyConfig()
	out := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg)
	noSecret(t, out, keyLines()...)
	if !strings.Contains(out, `apple.Config{ClientID:"com.example.web" Scope:"name email" TeamID:"TEAM123456" KeyID:"KEY1234567" PrivateKey:[REDACTED] Audiences:["com.example.ios"]}`) {
		t.Errorf("formatting = %s", out)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	_, err := apple.New(webConfig(), connector.WithTarget("apple-2"), connector.WithEndpoint("userinfo", "https://x.example/me"))
	ce := wantCode(t, err, connector.CodeInvalidConfig)
	var paths []string
	for _, f := range ce.Fields {
		paths = append(paths, f.Path)
	}
	if slices.Sort(paths); !slices.Equal(paths, []string{"(options).endpoint.userinfo", "(options).target"}) {
		t.Errorf("fields = %v", ce.Fields)
	}
	if _, err := apple.New(webConfig(), connector.WithEndpoints(connector.Endpoints{Authorization: "https://a.example/auth",
		Token: "https://a.example/token", Keys: "https://a.example/keys", Revocation: "https://a.example/revoke"})); err != nil {
		t.Errorf("Apple's four endpoints: %v", err)
	}
	_, err = apple.New(webConfig(), connector.WithHTTPClient(nil))
	wantCode(t, err, connector.CodeInvalidConfig, "WithHTTPClient: client is nil")

	ks, err := apple.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	_, err = ks.New(webConfig(), connector.WithEndpoint(apple.EndpointKeys, "https://a.example/keys"))
	wantCode(t, err, connector.CodeInvalidConfig, "(options).endpoint.keys: cannot be set on a connector that uses a shared key set")
	_, err = ks.Open(json.RawMessage(`{}`))
	wantCode(t, err, connector.CodeInvalidConfig, "clientId: is required")
	_, err = apple.NewKeySet(connector.WithEndpoint(apple.EndpointToken, "https://a.example/token"))
	wantCode(t, err, connector.CodeInvalidConfig, "(options).endpoint.token")
	_, err = apple.NewKeySet(connector.WithClock(nil))
	wantCode(t, err, connector.CodeInvalidConfig, "WithClock")
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	m := apple.Metadata()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != "apple-universal" || m.Target != "apple" || m.Platform != connector.PlatformUniversal || m.DisplayName() != "Apple" ||
		!strings.HasPrefix(m.Logo, "data:image/svg+xml;base64,") || !strings.HasPrefix(m.LogoDark, "data:image/svg+xml;base64,") || m.IsStandard {
		t.Errorf("metadata = %+v", m)
	}
	var schema struct {
		Properties map[string]map[string]any `json:"properties"`
		Required   []string                  `json:"required"`
	}
	if err := json.Unmarshal(m.ConfigSchema, &schema); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"clientId", "scope", "teamId", "keyId", "privateKey", "audiences"} {
		if schema.Properties[k]["description"] == nil {
			t.Errorf("schema property %s has no description", k)
		}
	}
	if schema.Properties["privateKey"]["writeOnly"] != true || len(schema.Required) != 1 || schema.Required[0] != "clientId" {
		t.Errorf("schema = %s", m.ConfigSchema)
	}
	reg, err := connector.NewRegistry(apple.Factory())
	if err != nil {
		t.Fatal(err)
	}
	c, err := reg.OpenSocial(apple.FactoryID, json.RawMessage(`{"clientId":"com.example.web"}`))
	if err != nil || c.Metadata().Target != "apple" {
		t.Errorf("OpenSocial = %v, %v", c, err)
	}
	if _, ok := c.(connector.Revoker); !ok {
		t.Error("the connector is not a connector.Revoker")
	}
	_, err = reg.Open(apple.FactoryID, json.RawMessage(`{"clientId":""}`))
	wantCode(t, err, connector.CodeInvalidConfig, "clientId: is required")
}

// TestAuthorizationURL: Apple's parameters, form_post always, spaces as
// %20, a fresh nonce in the URL and the flow; no request is made.
func TestAuthorizationURL(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.open(t, keyConfig())
	ctx := context.Background()
	a, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect, State: "host-state-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(a.URL)
	want := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "state": {"host-state-0123456789"},
		"nonce": {a.Flow.Nonce}, "response_type": {"code id_token"}, "response_mode": {"form_post"}, "scope": {"name email"}}
	if u.Scheme+"://"+u.Host+u.Path != apple.AuthorizationURL || u.Query().Encode() != want.Encode() {
		t.Errorf("URL %s\nwant query %s", a.URL, want.Encode())
	}
	if strings.Contains(a.URL, "+") || !strings.Contains(a.URL, "scope=name%20email") {
		t.Errorf("spaces not written as %%20: %s", a.URL)
	}
	if len(a.Flow.Nonce) < 32 || a.Flow.CodeVerifier != "" || a.Flow.RedirectURI != testRedirect {
		t.Errorf("flow = %+v", a.Flow)
	}
	b, _ := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect})
	if b.Flow.Nonce == a.Flow.Nonce || b.Flow.State == a.Flow.State {
		t.Error("two flows share a nonce or a state")
	}
	// Without a scope, form_post all the same (an id_token never travels
	// in a query).
	plain := f.open(t, apple.Config{ClientID: testClientID})
	a, _ = plain.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect})
	if q, _ := url.ParseQuery(a.URL[strings.IndexByte(a.URL, '?')+1:]); q.Get("response_mode") != "form_post" || q.Has("scope") {
		t.Errorf("URL without scope: %s", a.URL)
	}
	a, err = plain.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect, Scope: "email"})
	if err != nil || !strings.Contains(a.URL, "scope=email") {
		t.Errorf("request scope: %v %v", a, err)
	}
	_, err = plain.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: testRedirect, Scope: "email phone"})
	wantCode(t, err, connector.CodeInvalidRequestParameters, `"phone" is not one of name, email, openid`)
	if n := f.requests(apple.KeysURL) + f.requests(apple.TokenURL); n != 0 {
		t.Errorf("%d requests, want none: opening and redirecting ask Apple nothing", n)
	}
}

// TestSharedKeySet: connectors opened from one key set ask Apple for the
// keys once between them.
func TestSharedKeySet(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ks, err := apple.NewKeySet(connector.WithHTTPClient(f.Client), connector.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := connector.NewRegistry(ks.Factory())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		raw, _ := json.Marshal(map[string]any{"clientId": fmt.Sprintf("com.example.tenant%d", i)})
		sc, err := reg.OpenSocial(apple.FactoryID, raw, connector.WithHTTPClient(f.Client), connector.WithClock(f.clock.Now),
			connector.WithInstanceID(fmt.Sprintf("tenant-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		a, err := sc.AuthorizationURL(context.Background(), connector.AuthRequest{RedirectURI: testRedirect})
		if err != nil {
			t.Fatal(err)
		}
		cl := f.claims(a.Flow.Nonce)
		cl["aud"] = fmt.Sprintf("com.example.tenant%d", i)
		info, err := sc.UserInfo(context.Background(), connector.Callback{Params: post(a.Flow, f.sign(cl)), Flow: a.Flow})
		if err != nil || info.ID != testSub {
			t.Fatalf("tenant %d: %v, %v", i, info, err)
		}
		if i == 0 {
			// Another tenant's token is not this tenant's.
			cl["aud"] = "com.example.tenant1"
			_, err := sc.UserInfo(context.Background(), connector.Callback{Params: post(a.Flow, f.sign(cl)), Flow: a.Flow})
			wantCode(t, err, connector.CodeSocialInvalidIDToken, "aud:")
		}
	}
	if n := f.requests(apple.KeysURL); n != 1 || ks.Stats().Fetches != 1 || ks.Stats().Keys != 2 {
		t.Errorf("%d key fetches for 50 tenants (stats %+v), want 1", n, ks.Stats())
	}
}
