package idtoken

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/netguard"
)

// Document names a provider document for [Fetch]'s messages.
type Document struct {
	// Label starts every message: "jwks", "discovery".
	Label string
	// Noun is what the URL serves: "key set", "discovery document".
	Noun string
	// Accept is the request's Accept header.
	Accept string
	// Step is the step errors carry.
	Step connector.Step
}

// Fetch GETs a provider document (a key set, a discovery document) with
// ctx through client, which must not follow redirects, and reads at most
// maxBody bytes of it. Failures are typed for the host: a redirect or an
// oversized body is invalid_response; 429 is rate_limit_exceeded with
// Retry-After; 5xx, a timeout or an unreachable host is a retryable
// general error; another status a general error carrying it; a URL the
// client's netguard refuses is invalid_config; the caller's cancellation
// is not retryable. The body is returned unparsed, with the response's
// header.
func Fetch(ctx context.Context, client *http.Client, url string, d Document, maxBody int64, now func() time.Time) ([]byte, http.Header, *connector.Error) {
	if err := kit.CheckEndpoint(url); err != nil {
		return nil, nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: d.Step,
			Message: d.Label + ": the " + d.Noun + " URL " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: d.Step,
			Message: d.Label + ": the " + d.Noun + " URL cannot be requested", Err: err}
	}
	req.Header.Set("Accept", d.Accept)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, d.transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		return nil, nil, d.statusError(resp, now)
	}
	body, err := httpx.ReadResponse(resp, maxBody)
	if err != nil {
		if errors.Is(err, httpx.ErrBodyTooLarge) {
			return nil, nil, &connector.Error{Code: connector.CodeInvalidResponse, Step: d.Step, Status: resp.StatusCode,
				Message: d.Label + ": the " + d.Noun + " is larger than " + strconv.FormatInt(maxBody, 10) + " bytes"}
		}
		ce := d.transportError(err)
		ce.Status = resp.StatusCode
		return nil, nil, ce
	}
	return body, resp.Header, nil
}

// statusError maps a non-2xx answer.
func (d Document) statusError(resp *http.Response, now func() time.Time) *connector.Error {
	status := resp.StatusCode
	ce := &connector.Error{Code: connector.CodeGeneral, Step: d.Step, Status: status}
	endpoint := d.Label + ": the " + d.Noun + " endpoint"
	switch {
	case status >= 300 && status <= 399:
		ce.Code = connector.CodeInvalidResponse
		ce.Message = endpoint + " answered with a redirect (" + strconv.Itoa(status) +
			"); redirects are not followed: configure the final URL"
	case status == http.StatusTooManyRequests:
		ce.Code, ce.Retryable = connector.CodeRateLimitExceeded, true
		ce.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), now())
		ce.Message = endpoint + " is rate limiting requests"
	case status >= 500:
		ce.Retryable = true
		ce.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), now())
		ce.Message = endpoint + " failed"
	default:
		ce.Message = endpoint + " refused the request"
	}
	return ce
}

// transportError maps a failed round trip or body read: the caller's
// cancellation is not retryable, a deadline or network failure is.
func (d Document) transportError(err error) *connector.Error {
	ce := &connector.Error{Code: connector.CodeGeneral, Step: d.Step, Err: err, Retryable: true}
	var t interface{ Timeout() bool }
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress):
		ce.Code, ce.Retryable = connector.CodeInvalidConfig, false
		ce.Message = d.Label + ": the " + d.Noun + " URL resolves to an address the HTTP client's guard refuses (netguard)"
	case errors.Is(err, context.Canceled):
		ce.Message, ce.Retryable = d.Label+": the "+d.Noun+" request was canceled", false
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout():
		ce.Message = d.Label + ": the " + d.Noun + " endpoint did not answer in time"
	default:
		ce.Message = d.Label + ": the " + d.Noun + " endpoint is unreachable"
	}
	return ce
}
