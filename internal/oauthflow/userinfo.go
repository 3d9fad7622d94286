package oauthflow

import (
	"context"
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
	const step = connector.StepUserInfo
	if e.userInfoURL == "" {
		return nil, e.errorf(connector.CodeNotImplemented, step, "this connector has no userinfo endpoint")
	}
	if accessToken == "" {
		return nil, e.errorf(connector.CodeSocialInvalidAccessToken, step, "access token is empty")
	}
	method := http.MethodGet
	if e.userInfoPOST {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, e.userInfoURL, nil)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step, Message: "cannot build the userinfo request", Err: err}
	}
	req.Header["Authorization"] = []string{"Bearer " + accessToken}
	req.Header["Accept"] = []string{"application/json"}
	if e.userInfoPOST {
		req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	}
	resp, err := e.httpClient(ctx).Do(req)
	if err != nil {
		return nil, e.transportError(ctx, step, "userinfo", err)
	}
	if err := e.refuseRedirect(step, "userinfo", resp); err != nil {
		return nil, err
	}
	body, err := readBody(resp, e.maxBody)
	if err != nil {
		return nil, e.readError(ctx, step, "userinfo", resp, err, []string{accessToken})
	}
	body = trimBOM(body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, e.statusError(step, "userinfo", resp, body, []string{accessToken})
	}
	if perr := jsonx.Check(body); perr != nil {
		msg := "the userinfo response " + perr.Error()
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			mt, _, _ := strings.Cut(ct, ";")
			msg += " (content type " + redact.Clean(mt) + ")"
		}
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: e.id, Step: step, Status: resp.StatusCode, Message: msg}
	}
	return body, nil
}
