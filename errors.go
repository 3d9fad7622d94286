package connector

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Code is a stable, machine-readable error code. The wire strings of Logto's
// codes are kept unchanged; codes this library adds are marked.
type Code string

// Error codes.
const (
	CodeGeneral                       Code = "general"
	CodeInvalidMetadata               Code = "invalid_metadata"
	CodeUnexpectedType                Code = "unexpected_type"
	CodeInvalidConfigGuard            Code = "invalid_config_guard"
	CodeInvalidRequestParameters      Code = "invalid_request_parameters"
	CodeInsufficientRequestParameters Code = "insufficient_request_parameters"
	CodeInvalidConfig                 Code = "invalid_config"
	CodeInvalidCertificate            Code = "invalid_certificate"
	CodeInvalidResponse               Code = "invalid_response"
	CodeTemplateNotFound              Code = "template_not_found"
	CodeTemplateNotSupported          Code = "template_not_supported"
	CodeRateLimitExceeded             Code = "rate_limit_exceeded"
	CodeUsageLimitExceeded            Code = "usage_limit_exceeded"
	CodeNotImplemented                Code = "not_implemented"
	CodeSocialAuthCodeInvalid         Code = "social_auth_code_invalid"
	CodeSocialInvalidAccessToken      Code = "social_invalid_access_token"
	CodeSocialInvalidIDToken          Code = "social_invalid_id_token"
	CodeAuthorizationFailed           Code = "authorization_failed"

	// CodeStateMismatch (added by connectorkit): the callback's state does
	// not match the flow state, a possible cross-site request forgery.
	CodeStateMismatch Code = "state_mismatch"
	// CodeUnknownFactory (added by connectorkit): no factory is registered
	// under the requested ID.
	CodeUnknownFactory Code = "unknown_factory"
)

// Codes returns every code, Logto's first, in the order of their
// sentinels below (the one list of codes after the constants).
func Codes() []Code {
	out := make([]Code, len(sentinels))
	for i, e := range sentinels {
		out[i] = e.Code
	}
	return out
}

// HTTPStatus is the status a host answers with for this code, without the
// details an [*Error] carries (see [Error.HTTPStatus]): 429 for rate and
// usage limits, 501 for not_implemented, 401 for failed authorizations and
// invalid provider credentials, 502 for invalid_response (the provider
// answered something unusable), 500 for general (and for an unknown
// code), and 400 for the rest, which are the request's or the config's
// fault.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeRateLimitExceeded, CodeUsageLimitExceeded:
		return http.StatusTooManyRequests
	case CodeNotImplemented:
		return http.StatusNotImplemented
	case CodeSocialAuthCodeInvalid, CodeSocialInvalidAccessToken, CodeSocialInvalidIDToken,
		CodeAuthorizationFailed, CodeStateMismatch:
		return http.StatusUnauthorized
	case CodeInvalidResponse:
		return http.StatusBadGateway
	case CodeInvalidMetadata, CodeUnexpectedType, CodeInvalidConfigGuard, CodeInvalidRequestParameters,
		CodeInsufficientRequestParameters, CodeInvalidConfig, CodeInvalidCertificate, CodeTemplateNotFound,
		CodeTemplateNotSupported, CodeUnknownFactory:
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

// Step names the stage of an operation that failed.
type Step string

// Steps.
const (
	StepConfig        Step = "config"
	StepAuthorize     Step = "authorize"
	StepCallback      Step = "callback"
	StepTokenExchange Step = "token_exchange"
	StepIDToken       Step = "id_token"
	StepUserInfo      Step = "userinfo"
	StepRefresh       Step = "refresh"
	StepRevoke        Step = "revoke"
	StepSend          Step = "send"
)

// Error is the one error type of connectorkit. Every field is safe to log
// and to show an administrator: connectors never put a secret, token or
// authorization code in it.
//
// Use [errors.Is] with a sentinel ([ErrInvalidConfig], ...) to test the code
// and [errors.As] to read the fields.
type Error struct {
	// Code is the stable code.
	Code Code
	// Connector is the connector instance or factory ID.
	Connector string
	// Step is the stage that failed.
	Step Step
	// Message says what went wrong, in lower case.
	Message string
	// Status is the provider's HTTP status, 0 when no answer was received.
	Status int
	// ProviderCode and ProviderMessage are the provider's own error fields
	// (OAuth's error and error_description, Twilio's code and message).
	ProviderCode    string
	ProviderMessage string
	// ProviderDetails holds further provider error fields (Kakao's
	// error_code, Twilio's more_info...).
	ProviderDetails map[string]string
	// Retryable says a later retry of the same operation may succeed.
	Retryable bool
	// RetryAfter is the provider's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Fields lists every invalid config field, for invalid_config.
	Fields FieldErrors
	// Err is the underlying cause, if any.
	Err error
}

// Error implements error:
//
//	connector kakao-universal: token_exchange: social_auth_code_invalid: token endpoint refused the code (status 400; provider error invalid_grant: authorization code not found)
func (e *Error) Error() string {
	var b strings.Builder
	if e.Connector != "" {
		b.WriteString("connector ")
		b.WriteString(e.Connector)
		b.WriteString(": ")
	}
	if e.Step != "" {
		b.WriteString(string(e.Step))
		b.WriteString(": ")
	}
	if e.Code == "" {
		b.WriteString(string(CodeGeneral))
	} else {
		b.WriteString(string(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var extra []string
	if e.Status != 0 {
		extra = append(extra, "status "+strconv.Itoa(e.Status))
	}
	if e.ProviderCode != "" || e.ProviderMessage != "" {
		p := "provider error " + e.ProviderCode
		if e.ProviderMessage != "" {
			if e.ProviderCode != "" {
				p += ": "
			}
			p += e.ProviderMessage
		}
		extra = append(extra, strings.TrimSpace(p))
	}
	if e.RetryAfter > 0 {
		extra = append(extra, "retry after "+e.RetryAfter.String())
	}
	if len(extra) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(extra, "; "))
		b.WriteString(")")
	}
	if len(e.Fields) > 0 {
		b.WriteString(": ")
		b.WriteString(e.Fields.Error())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, connector.ErrInvalidConfig) tests the code. An empty code
// is general, as in [Error.Error] and [CodeOf].
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && codeOrGeneral(t.Code) == codeOrGeneral(e.Code)
}

func codeOrGeneral(c Code) Code {
	if c == "" {
		return CodeGeneral
	}
	return c
}

// HTTPStatus is the status a host answers with: [Code.HTTPStatus] of the
// code, except that a general error names the upstream failure when there
// is one: 503 when the provider answered 503, 502 when it answered another
// status (a 5xx, or a refusal the connector could not place), 504 when it
// did not answer in time, 502 when it could not be reached; a general
// error with no provider in it (a local failure) stays 500.
func (e *Error) HTTPStatus() int {
	if codeOrGeneral(e.Code) != CodeGeneral {
		return e.Code.HTTPStatus()
	}
	switch {
	case e.Status == http.StatusServiceUnavailable:
		return http.StatusServiceUnavailable
	case e.Status >= 300:
		return http.StatusBadGateway
	case e.Retryable && isTimeout(e.Err):
		return http.StatusGatewayTimeout
	case e.Retryable:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// LogValue implements slog.LogValuer with the error's fields.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("code", string(e.Code))}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	add("connector", e.Connector)
	add("step", string(e.Step))
	add("message", e.Message)
	if e.Status != 0 {
		attrs = append(attrs, slog.Int("status", e.Status))
	}
	add("provider_code", e.ProviderCode)
	add("provider_message", e.ProviderMessage)
	if len(e.ProviderDetails) > 0 {
		details := make([]any, 0, len(e.ProviderDetails))
		for _, k := range slices.Sorted(maps.Keys(e.ProviderDetails)) {
			details = append(details, slog.String(k, e.ProviderDetails[k]))
		}
		attrs = append(attrs, slog.Group("provider_details", details...))
	}
	if e.Retryable {
		attrs = append(attrs, slog.Bool("retryable", true))
	}
	if e.RetryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", e.RetryAfter))
	}
	if len(e.Fields) > 0 {
		add("fields", e.Fields.Error())
	}
	if e.Err != nil {
		add("cause", e.Err.Error())
	}
	return slog.GroupValue(attrs...)
}

var (
	ErrGeneral                       = sentinel(CodeGeneral)
	ErrInvalidMetadata               = sentinel(CodeInvalidMetadata)
	ErrUnexpectedType                = sentinel(CodeUnexpectedType)
	ErrInvalidConfigGuard            = sentinel(CodeInvalidConfigGuard)
	ErrInvalidRequestParameters      = sentinel(CodeInvalidRequestParameters)
	ErrInsufficientRequestParameters = sentinel(CodeInsufficientRequestParameters)
	ErrInvalidConfig                 = sentinel(CodeInvalidConfig)
	ErrInvalidCertificate            = sentinel(CodeInvalidCertificate)
	ErrInvalidResponse               = sentinel(CodeInvalidResponse)
	ErrTemplateNotFound              = sentinel(CodeTemplateNotFound)
	ErrTemplateNotSupported          = sentinel(CodeTemplateNotSupported)
	ErrRateLimitExceeded             = sentinel(CodeRateLimitExceeded)
	ErrUsageLimitExceeded            = sentinel(CodeUsageLimitExceeded)
	ErrNotImplemented                = sentinel(CodeNotImplemented)
	ErrSocialAuthCodeInvalid         = sentinel(CodeSocialAuthCodeInvalid)
	ErrSocialInvalidAccessToken      = sentinel(CodeSocialInvalidAccessToken)
	ErrSocialInvalidIDToken          = sentinel(CodeSocialInvalidIDToken)
	ErrAuthorizationFailed           = sentinel(CodeAuthorizationFailed)
	ErrStateMismatch                 = sentinel(CodeStateMismatch)
	ErrUnknownFactory                = sentinel(CodeUnknownFactory)
)

// sentinels holds the sentinels in declaration order (package variables
// without dependencies between them are initialised in that order).
var sentinels []*Error

func sentinel(c Code) *Error {
	e := &Error{Code: c}
	sentinels = append(sentinels, e)
	return e
}

// CodeOf returns the code of the first [*Error] in err's chain, or
// [CodeGeneral] for any other non-nil error, or "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return CodeGeneral
}

// IsRetryable reports whether err says a retry may succeed.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// HTTPStatus is the status a host answers with for err (see
// [Error.HTTPStatus]): 200 for nil (no error), and for an error that is
// not an [*Error] 500, the status of the general code [CodeOf] gives it.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.HTTPStatus()
	}
	return CodeGeneral.HTTPStatus()
}

// FieldError is one invalid config field.
type FieldError struct {
	// Path is the JSON path of the field: "clientId", "templates[2].usageType".
	Path string `json:"path"`
	// Message says what is wrong: "is required", "must be one of ...".
	Message string `json:"message"`
}

func (f FieldError) String() string { return f.Path + ": " + f.Message }

// FieldErrors is a list of invalid fields.
type FieldErrors []FieldError

// Error joins every field error with "; ".
// sort orders fe by path (stably: a path's problems keep their order).
func (fe FieldErrors) sort() {
	slices.SortStableFunc(fe, func(a, b FieldError) int { return strings.Compare(a.Path, b.Path) })
}

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}
