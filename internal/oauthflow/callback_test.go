package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// The state is checked before the provider's error parameter is believed:
// anyone can send a victim's browser to the callback with error=... and a
// message of their choosing; without the flow's state that is a
// state_mismatch, never an authorization_failed carrying their text.
func TestStateCheckedBeforeProviderError(t *testing.T) {
	t.Parallel()
	e := mustNew(t, baseConfig(newMockProvider()))
	flow := testFlow()
	for name, params := range map[string]url.Values{
		"wrong state":    {"error": {"access_denied"}, "error_description": {"Your account is locked, call +1 555 0100"}, "state": {"not-the-state"}},
		"no state":       {"error": {"access_denied"}, "error_description": {"phish"}},
		"empty state":    {"error": {"server_error"}, "state": {""}},
		"code and error": {"error": {"access_denied"}, "code": {"c"}, "state": {"x"}},
	} {
		err := e.CheckCallback(connector.Callback{Params: params, Flow: flow})
		ce := asError(t, err, connector.CodeStateMismatch)
		if ce.ProviderCode != "" || ce.ProviderMessage != "" {
			t.Errorf("%s: the unauthenticated provider text was kept: %+v", name, ce)
		}
	}
	// With the right state the provider's error is reported.
	err := e.CheckCallback(connector.Callback{Params: url.Values{"error": {"access_denied"}, "state": {flow.State}}, Flow: flow})
	if ce := asError(t, err, connector.CodeAuthorizationFailed); ce.ProviderCode != "access_denied" {
		t.Errorf("provider code = %q", ce.ProviderCode)
	}
}

// Control characters in provider text kept in an error are replaced: a CR
// or LF would forge log lines, an ESC drive a terminal, U+202E reorder
// what an administrator reads.
func TestProviderTextControlCharactersStripped(t *testing.T) {
	t.Parallel()
	e := mustNew(t, baseConfig(newMockProvider()))
	flow := testFlow()
	err := e.CheckCallback(connector.Callback{Flow: flow, Params: url.Values{"state": {flow.State},
		"error": {"access_denied\r\nlevel=ERROR msg=forged"}, "error_description": {"\x1b[31mred\x1b[0m \u202eevil"},
		"error_uri": {"https://x.example/\n"}}})
	ce := asError(t, err, connector.CodeAuthorizationFailed)
	for _, s := range []string{ce.ProviderCode, ce.ProviderMessage, ce.ProviderDetails["error_uri"], ce.Error()} {
		if strings.ContainsAny(s, "\r\n\x1b\u202e") {
			t.Errorf("control character kept: %q", s)
		}
	}
	// The token endpoint's error text too.
	p := newMockProvider()
	p.token(jsonResp(400, `{"error":"invalid_grant\r\nx","error_description":"bad\u001b[2Jcode","extra":"a\nb"}`))
	e = mustNew(t, baseConfig(p))
	_, err = e.Exchange(context.Background(), callback(testFlow()))
	ce = asError(t, err, connector.CodeGeneral)
	for _, s := range []string{ce.ProviderCode, ce.ProviderMessage, ce.ProviderDetails["extra"], ce.Error()} {
		if strings.ContainsAny(s, "\r\n\x1b") {
			t.Errorf("control character kept: %q", s)
		}
	}
}

// A callback that repeats a parameter the flow reads is refused (RFC 6749
// §3.1), before the state is compared or a code is used: which of two codes
// would be exchanged, and which of two states checked, is left to chance
// otherwise.
func TestRepeatedCallbackParametersRefused(t *testing.T) {
	t.Parallel()
	p := newMockProvider()
	e := mustNew(t, baseConfig(p))
	flow := testFlow()
	for _, name := range singleParams {
		params := url.Values{"state": {flow.State}, "code": {testCode}}
		params[name] = append(params[name], "v1")
		if len(params[name]) < 2 {
			params[name] = append(params[name], "v2")
		}
		_, err := e.Exchange(context.Background(), connector.Callback{Params: params, Flow: flow})
		ce := asError(t, err, connector.CodeInvalidRequestParameters)
		if !strings.Contains(ce.Message, name) {
			t.Errorf("%s: message %q does not name the parameter", name, ce.Message)
		}
	}
	if n := p.rec.count(); n != 0 {
		t.Errorf("%d requests sent for refused callbacks", n)
	}
}

// A token_type other than Bearer is refused rather than used as a bearer
// token.
func TestNonBearerTokenTypeRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []string{"mac", "DPoP", "N_A", "bearer2"} {
		p := newMockProvider()
		p.token(jsonResp(200, fmt.Sprintf(`{"access_token":"at-123456","token_type":%q}`, tt)))
		e := mustNew(t, baseConfig(p))
		_, err := e.Exchange(context.Background(), callback(testFlow()))
		ce := asError(t, err, connector.CodeInvalidResponse)
		if !strings.Contains(ce.Message, "token_type") || strings.Contains(ce.Error(), "at-123456") {
			t.Errorf("%s: %v", tt, ce)
		}
	}
	for _, tt := range []string{"Bearer", "bearer", "BEARER", ""} {
		p := newMockProvider()
		p.token(jsonResp(200, fmt.Sprintf(`{"access_token":"at-123456","token_type":%q}`, tt)))
		e := mustNew(t, baseConfig(p))
		if _, err := e.Exchange(context.Background(), callback(testFlow())); err != nil {
			t.Errorf("%q: %v", tt, err)
		}
	}
}

// A token response naming a member twice is refused: which access_token
// wins differs between parsers.
func TestDuplicateTokenResponseMembersRefused(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"access_token":"a1","access_token":"a2"}`,
		`{"access_token":"a1","token_type":"Bearer","token_type":"mac"}`,
	} {
		p := newMockProvider()
		p.token(jsonResp(200, body))
		_, err := mustNew(t, baseConfig(p)).Exchange(context.Background(), callback(testFlow()))
		if ce := asError(t, err, connector.CodeInvalidResponse); !strings.Contains(ce.Message, "more than once") {
			t.Errorf("%s: %v", body, ce)
		}
	}
	p := newMockProvider()
	p.token(respond(200, "application/x-www-form-urlencoded", "access_token=a1&access_token=a2"))
	_, err := mustNew(t, baseConfig(p)).Exchange(context.Background(), callback(testFlow()))
	if ce := asError(t, err, connector.CodeInvalidResponse); !strings.Contains(ce.Message, "more than once") {
		t.Errorf("form: %v", ce)
	}
	p = newMockProvider()
	p.userinfo(http.MethodGet, jsonResp(200, `{"id":"u1","id":"admin"}`))
	_, err = mustNew(t, baseConfig(p)).FetchUserInfo(context.Background(), "at-123456")
	if ce := asError(t, err, connector.CodeInvalidResponse); !strings.Contains(ce.Message, "more than once") {
		t.Errorf("userinfo: %v", ce)
	}
}

// Redirect URIs: https, http on loopback, and RFC 8252 private-use schemes
// only.
func TestRedirectURISchemes(t *testing.T) {
	t.Parallel()
	e := mustNew(t, baseConfig(newMockProvider()))
	for _, ok := range []string{"https://app.example/cb", "http://127.0.0.1:8080/cb", "http://localhost/cb", "http://[::1]:9/cb",
		"com.example.app:/oauth2redirect", "com.example.app://cb"} {
		if _, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: ok}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"javascript:alert(1)//", "data:text/html,<script>x</script>", "file:///etc/passwd", "vbscript:msgbox",
		"http://app.example/cb", "https:///cb", "https://app.example/cb#frag", "https://user:pw@app.example/cb", "myapp:/cb", "/relative", "JAVASCRIPT:alert(1)"} {
		_, err := e.AuthorizationURL(connector.AuthRequest{RedirectURI: bad})
		if ce := asError(t, err, connector.CodeInvalidRequestParameters); !strings.Contains(ce.Message, "redirect URI") {
			t.Errorf("%s: %v", bad, ce)
		}
	}
}

// Blank and odd user IDs never sign anybody in, whatever the mapping lets
// through.
func TestSignInRefusesOddUserIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", " ", "\n", "\x00", " u1", "u1\t", "admin\u202e", "u\u200b1"} {
		p := newMockProvider()
		p.token(jsonResp(200, `{"access_token":"at-123456"}`))
		p.userinfo(http.MethodGet, jsonResp(200, `{}`))
		e := mustNew(t, baseConfig(p))
		_, err := e.SignIn(context.Background(), callback(testFlow()), func([]byte) (*connector.UserInfo, error) {
			return &connector.UserInfo{ID: id}, nil
		})
		ce := asError(t, err, connector.CodeInvalidResponse)
		if ce.Connector != "test" || ce.Step != connector.StepUserInfo || !strings.Contains(ce.Message, "user ID") {
			t.Errorf("%q: %+v", id, ce)
		}
	}
}

// RFC 9207: with an issuer configured, a callback's iss must be that
// issuer exactly, and must be there when the provider promised it; the
// check comes after the state and before the provider's error or code is
// used, so a mix-up (an answer of another authorization server) ends with
// no request sent.
func TestCallbackIssuer(t *testing.T) {
	t.Parallel()
	const issuer = "https://idp.example.com"
	flow := testFlow()
	for _, tt := range []struct {
		name    string
		require bool
		iss     []string // nil: absent
		want    connector.Code
	}{
		{"absent, not promised", false, nil, ""},
		{"absent, promised", true, nil, connector.CodeInvalidRequestParameters},
		{"equal", true, []string{issuer}, ""},
		{"equal, not promised", false, []string{issuer}, ""},
		{"other issuer", false, []string{"https://evil.example.com"}, connector.CodeInvalidRequestParameters},
		{"trailing slash", true, []string{issuer + "/"}, connector.CodeInvalidRequestParameters},
		{"case differs", true, []string{"https://IDP.example.com"}, connector.CodeInvalidRequestParameters},
		{"empty", false, []string{""}, connector.CodeInvalidRequestParameters},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newMockProvider()
			cfg := baseConfig(p)
			cfg.Issuer, cfg.RequireIssuer = issuer, tt.require
			e := mustNew(t, cfg)
			for _, params := range []url.Values{
				{"state": {flow.State}, "code": {testCode}},
				{"state": {flow.State}, "error": {"access_denied"}},
			} {
				if tt.iss != nil {
					params["iss"] = tt.iss
				}
				err := e.CheckCallback(connector.Callback{Params: params, Flow: flow})
				switch {
				case tt.want == "" && params.Has("error"):
					asError(t, err, connector.CodeAuthorizationFailed)
				case tt.want == "" && err != nil:
					t.Fatalf("refused: %v", err)
				case tt.want != "":
					ce := asError(t, err, tt.want)
					if !strings.Contains(ce.Message, "iss") || !strings.Contains(ce.Message, "RFC 9207") {
						t.Errorf("message %q does not say why", ce.Message)
					}
				}
			}
			// A wrong state is still reported as such first.
			bad := url.Values{"state": {"other"}, "code": {testCode}, "iss": {"https://evil.example.com"}}
			asError(t, e.CheckCallback(connector.Callback{Params: bad, Flow: flow}), connector.CodeStateMismatch)
			if n := p.rec.count(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
	// RequireIssuer without an issuer is a config error.
	cfg := baseConfig(newMockProvider())
	cfg.RequireIssuer = true
	if _, err := New(cfg); connector.CodeOf(err) != connector.CodeInvalidConfig {
		t.Errorf("RequireIssuer without Issuer: %v", err)
	}
}
