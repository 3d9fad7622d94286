package oauthflow

import "testing"

func TestProviderErrorSentenceAndLists(t *testing.T) {
	code, msg, _ := defaultProviderError([]byte(`{"error":"Invalid credentials in Authorization header"}`), "application/json")
	if code != "" || msg != "Invalid credentials in Authorization header" {
		t.Errorf("sentence: code %q msg %q", code, msg)
	}
	code, msg, details := defaultProviderError([]byte(`{"msg":"insufficient scopes","code":-402,"required_scopes":["account_email","phone_number"],"nested":[{"a":1}]}`), "application/json")
	if code != "-402" || msg != "insufficient scopes" || details["required_scopes"] != "account_email,phone_number" {
		t.Errorf("lists: code %q msg %q details %v", code, msg, details)
	}
	if _, ok := details["nested"]; ok {
		t.Errorf("a list of objects was kept: %v", details)
	}
}
