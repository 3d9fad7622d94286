package conformance

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// endpointChecks are the TokenEndpoint, UserInfoEndpoint and KeysEndpoint
// subtests, for the endpoints a sign-in calls: every failure the mock can
// answer with, and how the connector reads the profile document.
func (r *socialRun) endpointChecks(t tb) {
	for _, ep := range probed {
		if !r.used[ep] {
			// Only worth a note when the mock serves the endpoint (the
			// keys of a provider whose id_token the connector could
			// verify); most mocks have no keys endpoint at all.
			if r.s.Provider.URL(ep) != "" {
				t.Logf("a sign-in does not call the %s endpoint: its failure checks do not apply", ep)
			}
			continue
		}
		r.group(t, endpointGroup(ep), func(t tb) {
			r.failureChecks(t, ep, failureCases(ep), func(e *env, c failureCase) { r.checkEndpointFailure(e, ep, c) })
			if ep == mockprovider.EndpointUserInfo {
				r.documentChecks(t)
			}
		})
	}
}

func endpointGroup(ep mockprovider.Endpoint) string {
	switch ep {
	case mockprovider.EndpointToken:
		return "TokenEndpoint"
	case mockprovider.EndpointUserInfo:
		return "UserInfoEndpoint"
	case mockprovider.EndpointJWKS:
		return "KeysEndpoint"
	}
	return string(ep)
}

// Rules of the failure cases, quoted in failure messages.
const (
	ruleRedirect = "a 3xx answer must never be followed, since the request carries the code, the client " +
		"credentials or the access token: refuse it with invalid_response"
	ruleKeysRedirect = "a 3xx answer from the keys endpoint must never be followed: the keys would come from " +
		"wherever it points; fail the sign-in"
	ruleDuplicateToken = "a token response with access_token twice must be refused with invalid_response: " +
		"parsers disagree about which one counts (RFC 7493 §2.3)"
	ruleDuplicateProfile = "a profile with the user ID member twice must be refused with invalid_response: " +
		"parsers disagree about which one counts, so the same bytes would sign in different users (RFC 7493 §2.3)"
)

// failureCases lists the generic failure checks of an endpoint.
func failureCases(ep mockprovider.Endpoint) []failureCase {
	if ep == mockprovider.EndpointJWKS {
		// A key set the connector cannot get fails the sign-in; the code
		// is the connector's choice.
		return []failureCase{
			{mode: mockprovider.ServerError}, {mode: mockprovider.Unavailable}, {mode: mockprovider.HTMLPage},
			{mode: mockprovider.TruncatedJSON}, {mode: mockprovider.EmptyBody},
			{mode: mockprovider.Oversized, bounded: true}, {mode: mockprovider.Hang, hang: true},
			{mode: mockprovider.Redirect, rule: ruleKeysRedirect, redirect: true},
		}
	}
	step := connector.StepTokenExchange
	unauthorized := want{codes: codes(connector.CodeGeneral, connector.CodeInvalidConfig)}
	if ep == mockprovider.EndpointUserInfo {
		step = connector.StepUserInfo
		unauthorized = want{codes: codes(connector.CodeSocialInvalidAccessToken), status: 401}
	}
	unauthorized.step = step
	bad := codes(connector.CodeInvalidResponse)
	cases := []failureCase{
		{mode: mockprovider.Unauthorized, want: unauthorized},
		{mode: mockprovider.RateLimited, want: want{codes: codes(connector.CodeRateLimitExceeded), step: step,
			status: 429, retryAfter: mockprovider.DefaultRetryAfter}},
		{mode: mockprovider.ServerError, want: want{codes: codes(connector.CodeGeneral), step: step, status: 500, retryable: true}},
		{mode: mockprovider.Unavailable, want: want{codes: codes(connector.CodeGeneral), step: step, status: 503, retryable: true}},
		{mode: mockprovider.HTMLPage, want: want{codes: bad, step: step}},
		{mode: mockprovider.TruncatedJSON, want: want{codes: bad, step: step}},
		{mode: mockprovider.Oversized, want: want{step: step}, bounded: true},
		{mode: mockprovider.Hang, want: want{}, hang: true},
	}
	if ep == mockprovider.EndpointToken {
		cases = append(cases,
			failureCase{mode: mockprovider.InvalidGrant, want: want{codes: codes(connector.CodeSocialAuthCodeInvalid),
				step: step, status: 400, providerCode: "invalid_grant"}},
			failureCase{mode: mockprovider.EmptyBody, want: want{codes: codes(connector.CodeInvalidResponse, connector.CodeSocialAuthCodeInvalid), step: step}},
			failureCase{mode: mockprovider.MissingToken, want: want{codes: codes(connector.CodeSocialAuthCodeInvalid, connector.CodeInvalidResponse)}},
			failureCase{mode: mockprovider.DuplicateNames, want: want{codes: bad, step: step}, rule: ruleDuplicateToken},
		)
	} else {
		cases = append(cases,
			failureCase{mode: mockprovider.EmptyBody, want: want{codes: bad, step: step}},
			failureCase{mode: mockprovider.MissingID, want: want{codes: bad}},
			failureCase{mode: mockprovider.WrongTypes, want: want{codes: bad}},
			failureCase{mode: mockprovider.DuplicateNames, want: want{codes: bad}, rule: ruleDuplicateProfile},
		)
	}
	return append(cases, failureCase{mode: mockprovider.Redirect, want: want{codes: bad, step: step}, rule: ruleRedirect, redirect: true})
}

// checkEndpointFailure signs in with ep answering c.mode.
func (r *socialRun) checkEndpointFailure(e *env, ep mockprovider.Endpoint, c failureCase) {
	err := r.checkFailure(e, ep, c, fmt.Sprintf("sign-in with the %s endpoint answering %s", ep, c.mode))
	if c.redirect {
		checkRedirect(e, fmt.Sprintf("sign-in with the %s endpoint answering a redirect", ep), err)
	}
}

// checkRedirect reports a redirect that was followed, and an error that
// kept the redirect's body; what names the call that met the redirect.
// The sender suite uses it too.
func checkRedirect(e *env, what string, err error) {
	e.t.Helper()
	if n := e.p.Requests(mockprovider.EndpointRedirectTarget); n > 0 {
		e.t.Errorf("%s: the connector followed the redirect (%d requests reached its target): never follow a redirect "+
			"from a provider's endpoint (the request carries credentials); send requests with a copy of the injected "+
			"client whose CheckRedirect returns http.ErrUseLastResponse, and refuse the 3xx answer", what, n)
	}
	if err == nil || err == errPanicked {
		return
	}
	texts := append(errorTexts(err), text{"the %+v form of the error", fmt.Sprintf("%+v", err)})
	for _, x := range texts {
		if strings.Contains(x.s, mockprovider.RedirectBodyMarker) {
			e.t.Errorf("%s: %s holds the redirect's body (%q): report the status and the Location host only, "+
				"never what a redirect carries", what, x.where, mockprovider.RedirectBodyMarker)
			return
		}
	}
}

// documentChecks are the checks of how the connector reads the profile
// document, for a mock that can shape it.
func (r *socialRun) documentChecks(t tb) {
	p := r.s.Provider
	if p.Supports(mockprovider.EndpointUserInfo, mockprovider.CaseTwins) {
		r.sub(t, "CaseFoldedNames", r.checkCaseFoldedNames)
	}
	if p.Supports(mockprovider.EndpointUserInfo, mockprovider.CustomID) {
		r.sub(t, "BlankID", r.checkBlankID)
		if numericIDs(p.Identities()) {
			r.sub(t, "NegativeZeroID", r.checkNegativeZeroID)
		}
	}
}

// numericIDs reports whether the provider's user IDs are integers (Kakao's).
func numericIDs(ids []mockprovider.Identity) bool {
	for _, id := range ids {
		if id.ID == "" || strings.Trim(id.ID, "0123456789") != "" {
			return false
		}
	}
	return len(ids) > 0
}

func (r *socialRun) checkCaseFoldedNames(e *env) {
	c := r.mustOpen(e)
	e.p.Fail(mockprovider.EndpointUserInfo, mockprovider.CaseTwins)
	for _, id := range r.mock(e).Identities() {
		what := fmt.Sprintf("sign-in as %s (%s) with a profile where each member has an upper-case twin holding "+
			"another value (JSON member names are case-sensitive: \"ID\" or \"EMAIL_VERIFIED\" is another member, "+
			"never \"id\" or \"email_verified\")", id.ID, id.Label)
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		if err != nil {
			e.t.Errorf("%s failed: %s%s", what, e.mask(err.Error()), e.problems())
			continue
		}
		r.checkUser(e, what, info, id)
	}
}

// blankIDs are user IDs that must never sign anyone in: blank, padded with
// space, or holding control or invisible characters.
var blankIDs = []string{" ", "\n", "\x00", "\u200b", " u1", "u1 "}

func (r *socialRun) checkBlankID(e *env) {
	c := r.mustOpen(e)
	for _, id := range blankIDs {
		e.p.SetFailure(mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.CustomID, UserID: id})
		what := fmt.Sprintf("sign-in with the user ID %q (an ID that is blank, has surrounding space or holds "+
			"control or invisible characters must never sign anyone in)", id)
		info, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
		if err == nil {
			e.t.Errorf("%s: signed in as %q, want invalid_response", what, info.ID)
			continue
		}
		e.check(what, err, want{codes: codes(connector.CodeInvalidResponse)})
	}
}

func (r *socialRun) checkNegativeZeroID(e *env) {
	c := r.mustOpen(e)
	e.p.SetFailure(mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.CustomID, UserID: json.Number("-0")})
	const what = "sign-in with the numeric user ID -0 (a numeric ID has one canonical form: -0 is the user \"0\"; " +
		"refusing it is fine too)"
	info, err := r.signIn(e, c, "", connector.AuthRequest{}, nil)
	if err != nil {
		e.check(what, err, want{})
		return
	}
	if info.ID != "0" {
		e.t.Errorf("%s: UserInfo.ID is %q, want \"0\"", what, info.ID)
	}
}
