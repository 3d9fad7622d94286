package oauthflow

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/kit"
)

// maxProviderDetails bounds how many extra provider fields an error keeps.
const maxProviderDetails = 12

// secretFields are never copied from a provider body into an error.
var secretFields = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
	"code_verifier": true, "client_assertion": true, "password": true, "token": true,
}

func stepAttr(step connector.Step) slog.Attr { return slog.String("step", string(step)) }

// statusError maps a non-2xx answer of endpoint ("token" or "userinfo").
func (e *Engine) statusError(step connector.Step, endpoint string, resp *http.Response, body []byte, secrets []string) *connector.Error {
	// Scrub the whole body before any of it is cut to size (the body
	// snippet, clipped fields): a secret straddling a cut would leave its
	// first bytes behind. Decoded fields are scrubbed again by
	// providerFailure, for secrets the body carries JSON-escaped.
	if len(body) > 0 {
		body = []byte(e.scrub.With(secrets...).Scrub(string(body)))
	}
	code, msg, details, ok := "", "", map[string]string(nil), false
	if e.providerErr != nil {
		code, msg, details, ok = e.providerErr(body)
	}
	if !ok {
		code, msg, details = defaultProviderError(body, resp.Header.Get("Content-Type"))
	}
	if code == "" && msg == "" {
		// OAuth bearer errors (RFC 6750 §3) come in WWW-Authenticate.
		if wa := resp.Header.Get("WWW-Authenticate"); wa != "" {
			code, msg = bearerChallenge(wa)
		}
	}
	ce := e.providerFailure(step, endpoint, resp, code, msg, details, secrets)
	e.log.Debug("oauth provider refused a request", stepAttr(step), "endpoint", endpoint, "status", resp.StatusCode,
		"code", string(ce.Code), "provider_code", ce.ProviderCode)
	return ce
}

// providerFailure builds the error for a provider answer that reports a
// failure, choosing the code from the step, the status and the provider's
// error code.
func (e *Engine) providerFailure(step connector.Step, endpoint string, resp *http.Response, code, msg string, details map[string]string, secrets []string) *connector.Error {
	status := resp.StatusCode
	ce := &connector.Error{Code: connector.CodeGeneral, Connector: e.id, Step: step, Status: status}
	// Scrub, then clean and clip (Text does both in that order): clipping
	// first could cut a secret in two and keep its first bytes.
	scrub := e.scrub.With(secrets...)
	ce.ProviderCode = scrub.Text(code)
	ce.ProviderMessage = scrub.Text(msg)
	for k, v := range details {
		if v == "" {
			continue
		}
		if ce.ProviderDetails == nil {
			ce.ProviderDetails = make(map[string]string, len(details))
		}
		ce.ProviderDetails[scrub.Text(k)] = scrub.Text(v)
	}
	switch {
	case status == http.StatusTooManyRequests || code == "slow_down" || code == "rate_limit_exceeded":
		ce.Code, ce.Retryable = connector.CodeRateLimitExceeded, true
		ce.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), e.now())
		ce.Message = "the " + endpoint + " endpoint is rate limiting requests"
	case code == "invalid_grant" && step == connector.StepTokenExchange:
		ce.Code = connector.CodeSocialAuthCodeInvalid
		ce.Message = "the token endpoint refused the authorization code"
	case code == "invalid_grant" && step == connector.StepRefresh:
		ce.Code = connector.CodeSocialInvalidAccessToken
		ce.Message = "the token endpoint refused the refresh token"
	case endpoint == "userinfo" && (status == http.StatusUnauthorized || code == "invalid_token"):
		ce.Code = connector.CodeSocialInvalidAccessToken
		ce.Message = "the userinfo endpoint refused the access token"
	case status >= 500:
		ce.Retryable = true
		ce.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), e.now())
		ce.Message = "the " + endpoint + " endpoint failed"
	case status >= 200 && status <= 299:
		ce.Message = "the " + endpoint + " endpoint answered with an error"
	default:
		ce.Message = "the " + endpoint + " endpoint refused the request"
	}
	return ce
}

// defaultProviderError reads the error fields of a provider body: OAuth's
// error, error_description and error_uri (JSON or form), and the common
// variants {"error": {"code", "message"}}, {"message"}, {"code", "msg"}.
// Other top-level scalar fields become details. A body in none of these
// shapes is kept, clipped, as the "body" detail.
func defaultProviderError(body []byte, contentType string) (code, msg string, details map[string]string) {
	first := firstByte(body)
	if first == '{' && jsonx.Valid(body) {
		root := gjson.Parse(string(body))
		root.ForEach(func(key, v gjson.Result) bool {
			k := key.Str
			switch k {
			case "error":
				switch v.Type {
				case gjson.String:
					code = v.Str
				case gjson.Number:
					code = v.Raw
				case gjson.JSON:
					if c := firstString(v, "code", "status", "type"); c != "" {
						code = c
					}
					if m := firstString(v, "message", "description"); m != "" && msg == "" {
						msg = m
					}
				}
			case "error_description", "message", "msg", "error_message":
				if v.Type == gjson.String && (msg == "" || k == "error_description") {
					msg = v.Str
				}
			default:
				if secretFields[k] || len(details) >= maxProviderDetails {
					return true
				}
				switch v.Type {
				case gjson.String:
					details = setDetail(details, k, v.Str)
				case gjson.Number:
					details = setDetail(details, k, v.Raw)
				case gjson.True, gjson.False:
					details = setDetail(details, k, v.Raw)
				case gjson.JSON:
					// A list of scalars (Kakao's required_scopes) tells an
					// administrator what is missing: keep it joined.
					if v.IsArray() {
						var items []string
						v.ForEach(func(_, item gjson.Result) bool {
							if item.Type == gjson.String || item.Type == gjson.Number {
								items = append(items, item.String())
							}
							return len(items) < 32
						})
						if len(items) > 0 {
							details = setDetail(details, k, strings.Join(items, ","))
						}
					}
				}
			}
			return true
		})
		if msg == "" && strings.ContainsAny(code, " \t") {
			// {"error": "Invalid credentials in Authorization header"}: a
			// sentence is a message, not a code.
			code, msg = "", code
		}
		if code == "" {
			// {"code": -401, "msg": "..."} (Kakao) and {"code": "..."}.
			if c, ok := details["code"]; ok {
				code = c
				delete(details, "code")
			}
		}
		return code, msg, details
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	if first != '<' && first != 0 && (strings.EqualFold(mt, "application/x-www-form-urlencoded") || strings.Contains(string(body), "error=")) {
		if vals, err := url.ParseQuery(strings.TrimSpace(string(body))); err == nil && vals.Get("error") != "" {
			code, msg = vals.Get("error"), vals.Get("error_description")
			if u := vals.Get("error_uri"); u != "" {
				details = map[string]string{"error_uri": u}
			}
			return code, msg, details
		}
	}
	if len(body) > 0 {
		snippet := body
		if len(snippet) > 256 {
			snippet = snippet[:256]
		}
		details = map[string]string{"body": strings.TrimSpace(strings.ToValidUTF8(string(snippet), ""))}
	}
	return "", "", details
}

func setDetail(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func detailsOf(k, v string) map[string]string {
	if v == "" {
		return nil
	}
	return map[string]string{k: v}
}

// bearerChallenge reads error and error_description from a
// WWW-Authenticate: Bearer challenge.
func bearerChallenge(h string) (code, msg string) {
	scheme, params, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ""
	}
	for params != "" {
		params = strings.TrimLeft(params, " ,")
		name, rest, ok := strings.Cut(params, "=")
		if !ok {
			break
		}
		name = strings.TrimSpace(name)
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			for end < len(rest) && rest[end] != '"' {
				if rest[end] == '\\' {
					end++
				}
				end++
			}
			if end > len(rest) {
				end = len(rest)
			}
			val = strings.ReplaceAll(rest[1:end], `\`, "")
			if end < len(rest) {
				end++
			}
			params = rest[end:]
		} else {
			val, params, _ = strings.Cut(rest, ",")
			val = strings.TrimSpace(val)
		}
		switch strings.ToLower(name) {
		case "error":
			code = val
		case "error_description":
			msg = val
		}
	}
	return code, msg
}
