package oauthflow

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
)

// FetchUserInfo calls the userinfo endpoint with the access token as a
// Bearer token (GET, or POST when configured) and returns the raw JSON body,
// read with the size cap. 401 is social_invalid_access_token, 429
// rate_limit_exceeded with Retry-After, 5xx and transport failures retryable
// general errors, other non-2xx general errors with the provider's fields
// kept, and a body that is not JSON (HTML, truncated) or too large
// invalid_response.
func (e *Engine) FetchUserInfo(ctx context.Context, accessToken string) ([]byte, error) {
	doc, resp, err := e.fetchUserInfo(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	if perr := jsonx.Check(doc); perr != nil {
		return nil, e.userInfoInvalid(resp, "the userinfo response "+perr.Error())
	}
	return doc, nil
}

// userInfoInvalid is the invalid_response error of a userinfo answer,
// with its status and content type.
func (e *Engine) userInfoInvalid(resp *http.Response, msg string) *connector.Error {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		msg += " (content type " + redact.Clean(mt) + ")"
	}
	return &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: connector.StepUserInfo, Status: resp.StatusCode, Message: msg}
}

// MapUserInfo fetches the userinfo document and maps it, reading it once:
// the mapping's decoder is its validation. Only what is plainly not a JSON
// object (an HTML page, an empty or text answer) is refused before; a
// mapping's invalid_response gets the answer's status and content type.
func (e *Engine) MapUserInfo(ctx context.Context, accessToken string, mapProfile func(doc []byte) (*connector.UserInfo, error)) (*connector.UserInfo, error) {
	doc, resp, err := e.fetchUserInfo(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	switch firstByte(doc) {
	case '{':
	case 0:
		return nil, e.userInfoInvalid(resp, "the userinfo response is empty")
	default:
		return nil, e.userInfoInvalid(resp, "the userinfo response is not a JSON object")
	}
	info, err := mapProfile(doc)
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) && ce.Code == connector.CodeInvalidResponse && ce.Status == 0 {
			// The answer's status; its content type only when it does not
			// say JSON (then it explains the failure).
			if mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";"); isJSONType(mt) {
				cp := *ce
				cp.Connector, cp.Status = e.id, resp.StatusCode
				return nil, e.Stamp(&cp)
			}
			return nil, e.userInfoInvalid(resp, ce.Message)
		}
		return nil, e.Stamp(err)
	}
	return info, nil
}

// fetchUserInfo sends the userinfo request and returns the 2xx answer's
// body (capped, BOM removed) and the response, whose body is closed.
func (e *Engine) fetchUserInfo(ctx context.Context, accessToken string) ([]byte, *http.Response, error) {
	const step = connector.StepUserInfo
	if e.userInfoURL == "" {
		return nil, nil, e.errorf(connector.CodeNotImplemented, step, "this connector has no userinfo endpoint")
	}
	if accessToken == "" {
		return nil, nil, e.errorf(connector.CodeSocialInvalidAccessToken, step, "access token is empty")
	}
	method := http.MethodGet
	if e.userInfoPOST {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, e.userInfoURL, nil)
	if err != nil {
		return nil, nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step, Message: "cannot build the userinfo request", Err: err}
	}
	req.Header["Authorization"] = []string{"Bearer " + accessToken}
	req.Header["Accept"] = []string{"application/json"}
	if e.userInfoPOST {
		req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	}
	resp, err := e.httpClient(ctx).Do(req)
	if err != nil {
		return nil, nil, e.transportError(ctx, step, "userinfo", err)
	}
	if err := e.refuseRedirect(step, "userinfo", resp); err != nil {
		return nil, nil, err
	}
	body, err := readBody(resp, e.maxBody)
	if err != nil {
		return nil, nil, e.readError(ctx, step, "userinfo", resp, err, []string{accessToken})
	}
	body = trimBOM(body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, e.statusError(step, "userinfo", resp, body, []string{accessToken})
	}
	return body, resp, nil
}

// isJSONType reports whether a media type says JSON (application/json,
// application/*+json).
func isJSONType(mt string) bool {
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}
