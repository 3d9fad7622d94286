package oauthflow

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/redact"
)

// FuzzParseToken feeds arbitrary bodies and content types to the token
// response parser in each format: it must never panic, and a success must
// hold an access token or an error code.
func FuzzParseToken(f *testing.F) {
	seeds := []struct{ body, ct string }{
		{okToken, "application/json"},
		{`{"access_token":"a","expires_in":"3600","scope":["a","b"]}`, ""},
		{"access_token=a&scope=x%2Cy&expires_in=10", "application/x-www-form-urlencoded"},
		{`{"error":{"code":401,"message":"m"}}`, "application/json"},
		{`{"error":"invalid_grant","error_description":"d"}`, "text/plain"},
		{"<html></html>", "text/html"},
		{`{"access_token":"a","o":{"deep":[1,2,{"x":null}]}}`, "application/json"},
		{`[[[[`, "application/json"},
		{"\xef\xbb\xbf{\"access_token\":\"bom\"}", ""},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.ct)
	}
	engines := map[string]*Engine{}
	for _, format := range []string{FormatAuto, FormatJSON, FormatForm} {
		e, err := New(Config{ClientID: "c", AuthURL: testAuthURL, TokenURL: testTokenURL, TokenResponseFormat: format})
		if err != nil {
			f.Fatal(err)
		}
		engines[format] = e
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		for _, e := range engines {
			tr, fail := e.parseToken(body, ct)
			if fail != nil {
				if fail.msg == "" || tr != nil {
					t.Fatalf("failure without a message or with a result")
				}
				continue
			}
			if tr == nil {
				t.Fatal("nil result without failure")
			}
			for _, s := range tr.tok.Scope {
				if s == "" || strings.ContainsAny(s, " ,") {
					t.Fatalf("bad scope item %q", s)
				}
			}
			if tr.expiresIn < 0 || tr.expiresIn > 1<<31 {
				t.Fatalf("expires_in %d out of range", tr.expiresIn)
			}
		}
		code, msg, details := defaultProviderError(body, ct)
		for _, s := range append([]string{code, msg}, mapValues(details)...) {
			_ = redact.Clean(s)
			if !utf8.ValidString(redact.Clean(s)) {
				t.Fatal("clip left invalid UTF-8")
			}
		}
		_, _ = bearerChallenge(string(body))
	})
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// FuzzProviderError feeds arbitrary error bodies, with the client secret
// and the authorization code spliced in at any place, to the mapping of a
// failed token response: it must never panic, always give a typed error,
// and never let either secret through, whole, in any field.
func FuzzProviderError(f *testing.F) {
	for _, s := range []struct {
		body, ct string
		at       uint16
		status   int
	}{
		{`{"error":"invalid_grant","error_description":"code  is unknown"}`, "application/json", 52, 400},
		{`{"msg":"bad","code":-401,"required_scopes":["a",""]}`, "application/json", 12, 401},
		{"error=invalid_client&error_description=secret+", "application/x-www-form-urlencoded", 44, 401},
		{"<html><body>upstream</body></html>", "text/html", 12, 502},
		{`{"error":{"code":429,"message":"slow "}}`, "application/json", 37, 429},
		{"plain text failure ", "text/plain", 19, 500},
	} {
		f.Add([]byte(s.body), s.ct, s.at, s.status)
	}
	const secret, code = "S3cr3t/VALUE+x=", "auth-CODE-0042"
	e, err := New(Config{ConnectorID: "fuzz", ClientID: "c", ClientSecret: secret, AuthURL: testAuthURL, TokenURL: testTokenURL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string, at uint16, status int) {
		if status < 400 || status > 599 {
			status = 400 + int(uint(status)%200)
		}
		pos := int(at) % (len(body) + 1)
		spliced := append(append(append([]byte{}, body[:pos]...), secret+" "+code...), body[pos:]...)
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}}
		ce := e.statusError(connector.StepTokenExchange, "token", resp, spliced, []string{code})
		if ce == nil || ce.Code == "" || ce.Connector != "fuzz" {
			t.Fatalf("statusError = %#v", ce)
		}
		out := ce.Error() + "\x00" + ce.ProviderCode + "\x00" + ce.ProviderMessage
		for k, v := range ce.ProviderDetails {
			out += "\x00" + k + "\x00" + v
		}
		for _, s := range []string{secret, code, url.QueryEscape(secret)} {
			if strings.Contains(out, s) {
				t.Fatalf("a secret survived: %q", out)
			}
		}
	})
}

// FuzzCallback throws arbitrary callback parameters at the callback checks:
// they never panic, never pass unless the state is the flow's (given once),
// and never put the authorization code into an error.
func FuzzCallback(f *testing.F) {
	f.Add("st-abc", "code-0123456789", "", "", false)
	f.Add("st-abc", "code-0123456789", "access_denied", "the user said no\r\nforged", false)
	f.Add("other", "code-0123456789", "access_denied", "", true)
	f.Add("", "", "", "", false)
	f.Add("st-abc", "", "server_error", "\x1b[31m", true)
	f.Fuzz(func(t *testing.T, state, code, perr, desc string, repeat bool) {
		e, err := New(Config{ConnectorID: "fuzz", ClientID: "id", ClientSecret: "secret", AuthURL: testAuthURL, TokenURL: testTokenURL})
		if err != nil {
			t.Fatal(err)
		}
		flow := testFlow()
		params := url.Values{}
		for k, v := range map[string]string{"state": state, "code": code, "error": perr, "error_description": desc} {
			if v != "" {
				params.Set(k, v)
			}
		}
		if repeat && code != "" {
			params.Add("code", code+"x")
		}
		err = e.CheckCallback(connector.Callback{Params: params, Flow: flow})
		if err == nil {
			if state != flow.State || code == "" || perr != "" || repeat {
				t.Fatalf("callback %v accepted", params)
			}
			return
		}
		var ce *connector.Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %T is not a *connector.Error", err)
		}
		if state != flow.State && ce.Code != connector.CodeStateMismatch && ce.Code != connector.CodeInvalidRequestParameters {
			t.Fatalf("wrong state gave %s", ce.Code)
		}
		out := fmt.Sprintf("%v %+v", err, ce)
		if len(code) >= 8 && strings.Contains(out, code) {
			t.Fatalf("the code is in the error: %s", out)
		}
		if strings.ContainsAny(ce.ProviderCode+ce.ProviderMessage, "\r\n\x1b") {
			t.Fatalf("control characters kept: %q %q", ce.ProviderCode, ce.ProviderMessage)
		}
	})
}
