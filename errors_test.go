package connector_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/connector"
)

var sentinels = map[connector.Code]*connector.Error{
	connector.CodeGeneral:                       connector.ErrGeneral,
	connector.CodeInvalidMetadata:               connector.ErrInvalidMetadata,
	connector.CodeUnexpectedType:                connector.ErrUnexpectedType,
	connector.CodeInvalidConfigGuard:            connector.ErrInvalidConfigGuard,
	connector.CodeInvalidRequestParameters:      connector.ErrInvalidRequestParameters,
	connector.CodeInsufficientRequestParameters: connector.ErrInsufficientRequestParameters,
	connector.CodeInvalidConfig:                 connector.ErrInvalidConfig,
	connector.CodeInvalidCertificate:            connector.ErrInvalidCertificate,
	connector.CodeInvalidResponse:               connector.ErrInvalidResponse,
	connector.CodeTemplateNotFound:              connector.ErrTemplateNotFound,
	connector.CodeTemplateNotSupported:          connector.ErrTemplateNotSupported,
	connector.CodeRateLimitExceeded:             connector.ErrRateLimitExceeded,
	connector.CodeUsageLimitExceeded:            connector.ErrUsageLimitExceeded,
	connector.CodeNotImplemented:                connector.ErrNotImplemented,
	connector.CodeSocialAuthCodeInvalid:         connector.ErrSocialAuthCodeInvalid,
	connector.CodeSocialInvalidAccessToken:      connector.ErrSocialInvalidAccessToken,
	connector.CodeSocialInvalidIDToken:          connector.ErrSocialInvalidIDToken,
	connector.CodeAuthorizationFailed:           connector.ErrAuthorizationFailed,
	connector.CodeStateMismatch:                 connector.ErrStateMismatch,
	connector.CodeUnknownFactory:                connector.ErrUnknownFactory,
}

// logtoCodes are the wire strings of Logto's 18 codes, which must never change.
var logtoCodes = []string{
	"general", "invalid_metadata", "unexpected_type", "invalid_config_guard", "invalid_request_parameters",
	"insufficient_request_parameters", "invalid_config", "invalid_certificate", "invalid_response",
	"template_not_found", "template_not_supported", "rate_limit_exceeded", "usage_limit_exceeded",
	"not_implemented", "social_auth_code_invalid", "social_invalid_access_token", "social_invalid_id_token",
	"authorization_failed",
}

func TestCodesCoverLogto(t *testing.T) {
	have := map[string]bool{}
	for _, c := range connector.Codes() {
		if have[string(c)] {
			t.Errorf("code %q listed twice", c)
		}
		have[string(c)] = true
		if sentinels[c] == nil {
			t.Errorf("code %q has no sentinel in this test's table", c)
		}
	}
	for _, c := range logtoCodes {
		if !have[c] {
			t.Errorf("Logto code %q missing from Codes()", c)
		}
	}
	if len(sentinels) != len(connector.Codes()) {
		t.Errorf("sentinel table has %d entries, Codes() %d", len(sentinels), len(connector.Codes()))
	}
}

func TestErrorRoundTripsEveryCode(t *testing.T) {
	for _, code := range connector.Codes() {
		t.Run(string(code), func(t *testing.T) {
			cause := io.ErrUnexpectedEOF
			e := &connector.Error{Code: code, Connector: "test", Step: connector.StepTokenExchange, Err: cause}
			wrapped := fmt.Errorf("signing in: %w", e)

			if !errors.Is(wrapped, sentinels[code]) {
				t.Fatalf("errors.Is(%v, sentinel %q) = false", wrapped, code)
			}
			for other, s := range sentinels {
				if other != code && errors.Is(wrapped, s) {
					t.Errorf("errors.Is matched the %q sentinel too", other)
				}
			}
			var got *connector.Error
			if !errors.As(wrapped, &got) || got != e {
				t.Fatalf("errors.As did not find the *Error")
			}
			if !errors.Is(wrapped, io.ErrUnexpectedEOF) {
				t.Errorf("cause lost: errors.Is(err, io.ErrUnexpectedEOF) = false")
			}
			if connector.CodeOf(wrapped) != code {
				t.Errorf("CodeOf = %q", connector.CodeOf(wrapped))
			}
			if !strings.Contains(e.Error(), string(code)) {
				t.Errorf("Error() %q does not name the code", e.Error())
			}
		})
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code connector.Code
		want int
	}{
		{connector.CodeGeneral, 500},
		{"", 500},
		{"no_such_code", 500},
		{connector.CodeInvalidResponse, 502},
		{connector.CodeInvalidConfig, 400},
		{connector.CodeInvalidRequestParameters, 400},
		{connector.CodeUnknownFactory, 400},
		{connector.CodeTemplateNotFound, 400},
		{connector.CodeRateLimitExceeded, 429},
		{connector.CodeUsageLimitExceeded, 429},
		{connector.CodeNotImplemented, 501},
		{connector.CodeSocialAuthCodeInvalid, 401},
		{connector.CodeSocialInvalidAccessToken, 401},
		{connector.CodeSocialInvalidIDToken, 401},
		{connector.CodeAuthorizationFailed, 401},
		{connector.CodeStateMismatch, 401},
	}
	for _, tt := range tests {
		if got := connector.HTTPStatus(fmt.Errorf("x: %w", &connector.Error{Code: tt.code})); got != tt.want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", tt.code, got, tt.want)
		}
	}
	if got := connector.HTTPStatus(errors.New("plain")); got != http.StatusInternalServerError || got != connector.CodeOf(errors.New("plain")).HTTPStatus() {
		t.Errorf("HTTPStatus(plain error) = %d, want 500, the status of its code", got)
	}
	if got := connector.HTTPStatus(nil); got != http.StatusOK {
		t.Errorf("HTTPStatus(nil) = %d, want 200", got)
	}
	// Every code has the status its Code.HTTPStatus says, on a bare *Error.
	for _, c := range connector.Codes() {
		if got, want := connector.HTTPStatus(&connector.Error{Code: c}), c.HTTPStatus(); got != want {
			t.Errorf("%s: HTTPStatus %d, Code.HTTPStatus %d", c, got, want)
		}
	}
	if connector.CodeOf(nil) != "" || connector.CodeOf(errors.New("x")) != connector.CodeGeneral {
		t.Errorf("CodeOf of nil / plain error wrong")
	}
	// An *Error without a code is a general error everywhere: its text,
	// CodeOf, and errors.Is.
	blank := fmt.Errorf("w: %w", &connector.Error{})
	if connector.CodeOf(blank) != connector.CodeGeneral || !errors.Is(blank, connector.ErrGeneral) || errors.Is(blank, connector.ErrInvalidConfig) {
		t.Errorf("an *Error without a code: CodeOf %q, errors.Is(ErrGeneral) %t", connector.CodeOf(blank), errors.Is(blank, connector.ErrGeneral))
	}
}

// A general error names the upstream failure for the host: the provider's
// 503, another provider status, a timeout, an unreachable provider; a
// local failure stays 500.
func TestHTTPStatusOfUpstreamFailures(t *testing.T) {
	timeout := &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}
	for _, tt := range []struct {
		name string
		err  *connector.Error
		want int
	}{
		{"provider 503", &connector.Error{Code: connector.CodeGeneral, Status: 503, Retryable: true}, 503},
		{"provider 500", &connector.Error{Code: connector.CodeGeneral, Status: 500, Retryable: true}, 502},
		{"provider 403", &connector.Error{Code: connector.CodeGeneral, Status: 403}, 502},
		{"deadline", &connector.Error{Code: connector.CodeGeneral, Retryable: true, Err: context.DeadlineExceeded}, 504},
		{"net timeout", &connector.Error{Code: connector.CodeGeneral, Retryable: true, Err: timeout}, 504},
		{"unreachable", &connector.Error{Code: connector.CodeGeneral, Retryable: true, Err: errors.New("connection refused")}, 502},
		{"local", &connector.Error{Code: connector.CodeGeneral, Message: "cannot build the request"}, 500},
		{"blank code, provider 502", &connector.Error{Status: 502}, 502},
		{"rate limit keeps 429", &connector.Error{Code: connector.CodeRateLimitExceeded, Status: 503}, 429},
		{"invalid response", &connector.Error{Code: connector.CodeInvalidResponse, Status: 200}, 502},
	} {
		if got := connector.HTTPStatus(fmt.Errorf("wrapped: %w", tt.err)); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &connector.Error{
		Code: connector.CodeSocialAuthCodeInvalid, Connector: "kakao-universal", Step: connector.StepTokenExchange,
		Message: "token endpoint refused the code", Status: 400, ProviderCode: "invalid_grant",
		ProviderMessage: "authorization code not found", RetryAfter: 3 * time.Second,
	}
	want := "connector kakao-universal: token_exchange: social_auth_code_invalid: token endpoint refused the code " +
		"(status 400; provider error invalid_grant: authorization code not found; retry after 3s)"
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if got := (&connector.Error{}).Error(); got != "general" {
		t.Errorf("zero Error() = %q, want %q", got, "general")
	}
	fe := &connector.Error{Code: connector.CodeInvalidConfig, Message: "invalid config",
		Fields: connector.FieldErrors{{Path: "clientId", Message: "is required"}, {Path: "scope", Message: "must be a string, got a number"}}}
	if got, want := fe.Error(), "invalid_config: invalid config: clientId: is required; scope: must be a string, got a number"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestRetryable(t *testing.T) {
	if !connector.IsRetryable(fmt.Errorf("w: %w", &connector.Error{Code: connector.CodeGeneral, Retryable: true})) {
		t.Error("IsRetryable = false for a retryable error")
	}
	if connector.IsRetryable(&connector.Error{Code: connector.CodeGeneral}) || connector.IsRetryable(errors.New("x")) {
		t.Error("IsRetryable = true for a non-retryable error")
	}
}
