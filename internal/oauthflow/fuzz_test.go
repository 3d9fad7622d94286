package oauthflow

import (
	"strings"
	"testing"
	"unicode/utf8"
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
			_ = clip(s)
			if !utf8.ValidString(clip(s)) {
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
