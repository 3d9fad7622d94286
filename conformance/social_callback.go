package conformance

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// callbackChecks are the Callback subtests: callbacks that must be refused
// before any request (a wrong state, a repeated parameter, the provider's
// error), and what an error may keep of the provider's words.
func (r *socialRun) callbackChecks(t tb) {
	r.sub(t, "ProviderError", r.checkProviderError)
	r.sub(t, "StateMismatch", r.checkStateMismatch)
	r.sub(t, "MissingState", r.checkMissingState)
	r.sub(t, "EmptyFlowState", r.checkEmptyFlow)
	r.sub(t, "ProviderErrorWithWrongState", r.checkProviderErrorWrongState)
	r.sub(t, "ProviderErrorControlCharacters", r.checkProviderErrorControls)
	r.sub(t, "RepeatedState", r.checkRepeatedState)
	if r.used[mockprovider.EndpointToken] {
		r.sub(t, "MissingCode", r.checkMissingCode)
		r.sub(t, "RepeatedCode", r.checkRepeatedCode)
	}
}

// callback builds an approved callback, alters it, and checks UserInfo
// refuses it without calling the token endpoint.
func (r *socialRun) refuses(e *env, what string, alter func(cb url.Values, flow *connector.FlowState), w want) {
	e.t.Helper()
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	flow := a.Flow
	alter(cb, &flow)
	_, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: flow})
	e.check(what, err, w)
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("%s: the connector called the token endpoint %d times: refuse the callback before any request", what, n)
	}
}

func (r *socialRun) checkProviderError(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb, err := r.mock(e).Deny(a.URL)
	if err != nil {
		e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
	}
	_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	e.check("callback with error="+cb.Get("error"), err, want{codes: []connector.Code{connector.CodeAuthorizationFailed},
		providerCode: cb.Get("error")})
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("callback with an error: the connector called the token endpoint %d times", n)
	}
}

func (r *socialRun) checkStateMismatch(e *env) {
	r.refuses(e, "callback with another flow's state", func(cb url.Values, _ *connector.FlowState) {
		cb.Set("state", "forged-"+cb.Get("state"))
	}, want{codes: []connector.Code{connector.CodeStateMismatch}})
}

func (r *socialRun) checkMissingState(e *env) {
	r.refuses(e, "callback without state", func(cb url.Values, _ *connector.FlowState) {
		cb.Del("state")
	}, want{codes: []connector.Code{connector.CodeStateMismatch, connector.CodeInvalidRequestParameters}})
}

func (r *socialRun) checkEmptyFlow(e *env) {
	r.refuses(e, "callback with an empty flow state", func(cb url.Values, flow *connector.FlowState) {
		cb.Del("state")
		*flow = connector.FlowState{}
	}, want{})
}

func (r *socialRun) checkMissingCode(e *env) {
	r.refuses(e, "callback without code", func(cb url.Values, _ *connector.FlowState) {
		cb.Del("code")
	}, want{codes: []connector.Code{connector.CodeAuthorizationFailed, connector.CodeInvalidRequestParameters}})
}

// forgedDescription is the error_description of callbacks whose state is
// not the flow's: whoever sent one must not get their words into the error
// a host shows its user.
const forgedDescription = "your account is locked: call +1 555 0100 to unlock it"

func (r *socialRun) checkProviderErrorWrongState(e *env) {
	c := r.mustOpen(e)
	for _, v := range []struct {
		what  string
		alter func(cb url.Values)
		codes []connector.Code
	}{
		{"a state that is not the flow's", func(cb url.Values) { cb.Set("state", "forged-"+cb.Get("state")) },
			codes(connector.CodeStateMismatch)},
		{"no state", func(cb url.Values) { cb.Del("state") },
			codes(connector.CodeStateMismatch, connector.CodeInvalidRequestParameters)},
	} {
		a := r.begin(e, c, connector.AuthRequest{})
		cb, err := r.mock(e).Deny(a.URL)
		if err != nil {
			e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
		}
		cb.Set("error_description", forgedDescription)
		v.alter(cb)
		what := fmt.Sprintf("a callback with error=%s and %s (the state must be checked before the provider's error "+
			"is believed: anyone can send a user to the callback with an error)", cb.Get("error"), v.what)
		_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
		ce := e.check(what, err, want{codes: v.codes})
		if ce == nil {
			continue
		}
		if ce.ProviderCode != "" || ce.ProviderMessage != "" || len(ce.ProviderDetails) > 0 ||
			strings.Contains(err.Error(), forgedDescription) {
			e.t.Errorf("%s: the error keeps the callback's error text (ProviderCode %q, ProviderMessage %q): "+
				"a callback that fails the state check carries no provider text", what, ce.ProviderCode, ce.ProviderMessage)
		}
	}
	if n := e.p.Requests(mockprovider.EndpointToken); n > 0 {
		e.t.Errorf("callback with an error and a wrong state: the connector called the token endpoint %d times", n)
	}
}

// controlDescription is a provider error_description with what forges log
// lines and terminal output: CR LF, ANSI escapes, a right-to-left override.
const controlDescription = "the user denied access\r\nlevel=INFO msg=\"sign-in succeeded\" \x1b[31mred\x1b[0m \u202eevil"

// controlChars are the characters of controlDescription that must go.
const controlChars = "\r\n\x1b\u202e"

func (r *socialRun) checkProviderErrorControls(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb, err := r.mock(e).Deny(a.URL)
	if err != nil {
		e.t.Fatalf("the mock refused the authorization URL: %s", e.mask(err.Error()))
	}
	cb.Set("error_description", controlDescription)
	what := fmt.Sprintf("a callback with error=%s and an error_description holding CR, LF, ESC and U+202E", cb.Get("error"))
	_, err = r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
	if e.check(what, err, want{codes: codes(connector.CodeAuthorizationFailed), providerCode: cb.Get("error")}) == nil {
		return
	}
	for _, x := range errorTexts(err) {
		if i := strings.IndexAny(x.s, controlChars); i >= 0 {
			ch, _ := utf8.DecodeRuneInString(x.s[i:])
			e.t.Errorf("%s: %s keeps the character %U of the provider's text: remove control and bidirectional "+
				"formatting characters from provider text kept in errors (they forge log lines and terminal output)",
				what, x.where, ch)
		}
	}
}

func (r *socialRun) checkRepeatedState(e *env) {
	r.refuses(e, "a callback with two state values, the flow's first (RFC 6749 §3.1: a parameter must not be "+
		"included more than once)", func(cb url.Values, _ *connector.FlowState) {
		cb["state"] = append(cb["state"], "forged-"+cb.Get("state"))
	}, want{codes: codes(connector.CodeInvalidRequestParameters)})
}

func (r *socialRun) checkRepeatedCode(e *env) {
	r.refuses(e, "a callback with two code values (RFC 6749 §3.1: a parameter must not be included more than once)",
		func(cb url.Values, _ *connector.FlowState) {
			cb["code"] = append(cb["code"], "forged-code-0123456789")
		}, want{codes: codes(connector.CodeInvalidRequestParameters)})
}
