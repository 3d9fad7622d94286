package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// signInChecks are the SignIn subtests: whole flows, and what the user
// info must be.
func (r *socialRun) signInChecks(t tb) {
	r.sub(t, "HappyPath", r.checkHappyPath)
	r.sub(t, "MoreConfigs", r.checkMoreConfigs)
	r.sub(t, "Tokens", r.checkTokens)
	r.sub(t, "EveryIdentity", r.checkEveryIdentity)
	r.sub(t, "UnverifiedEmail", r.checkUnverifiedEmail)
	r.sub(t, "FlowOnSecondInstance", r.checkSecondInstance)
	r.sub(t, "Concurrent", r.checkConcurrent)
}

func (r *socialRun) checkHappyPath(e *env) {
	c := r.mustOpen(e)
	id, ok := r.identityFor(e, mockprovider.Identity.HasVerifiedEmail)
	if !ok {
		id = r.mock(e).Identities()[0]
	}
	info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
	if err != nil {
		e.t.Fatalf("sign-in failed: %s%s", e.mask(err.Error()), e.problems())
	}
	r.checkUser(e, "sign-in", info, id)
	if info.Tokens != nil {
		e.t.Errorf("UserInfo.Tokens is set though the callback did not ask for tokens (WantTokens false)")
	}
	if e.guard.count() == 0 && r.used[mockprovider.EndpointToken] {
		e.t.Errorf("the sign-in made no request through the injected client")
	}
}

func (r *socialRun) checkMoreConfigs(e *env) {
	r.eachMoreConfig(e, func(i int, c connector.Social) {
		id := r.mock(e).Identities()[0]
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		if err != nil {
			e.t.Errorf("sign-in with config #%d of MoreConfigs failed: %s%s", i, e.mask(err.Error()), e.problems())
			return
		}
		r.checkUser(e, fmt.Sprintf("sign-in with config #%d of MoreConfigs", i), info, id)
	})
}

func (r *socialRun) checkTokens(e *env) {
	c := r.mustOpen(e)
	a := r.begin(e, c, connector.AuthRequest{})
	cb := r.approve(e, a, "")
	info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow, WantTokens: true})
	if err != nil {
		e.t.Fatalf("sign-in asking for tokens failed: %s%s", e.mask(err.Error()), e.problems())
	}
	if !r.used[mockprovider.EndpointToken] {
		return
	}
	if info.Tokens == nil {
		e.t.Fatalf("UserInfo.Tokens is nil though the callback asked for tokens (WantTokens true)")
	}
	if !slices.Contains(r.mock(e).Issued().AccessTokens, info.Tokens.AccessToken) {
		e.t.Errorf("UserInfo.Tokens.AccessToken is not the access token the provider issued")
	}
}

func (r *socialRun) checkEveryIdentity(e *env) {
	c := r.mustOpen(e)
	for _, id := range r.mock(e).Identities() {
		info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
		what := fmt.Sprintf("sign-in as %s (%s)", id.ID, id.Label)
		if err != nil {
			e.t.Errorf("%s failed: %s%s", what, e.mask(err.Error()), e.problems())
			continue
		}
		r.checkUser(e, what, info, id)
	}
}

func (r *socialRun) checkUnverifiedEmail(e *env) {
	id, ok := r.identityFor(e, func(i mockprovider.Identity) bool { return i.Email != "" && !i.HasVerifiedEmail() })
	if !ok {
		e.t.Logf("the mock has no identity with an unverified email: nothing to check")
		return
	}
	c := r.mustOpen(e)
	info, err := r.signIn(e, c, id.ID, connector.AuthRequest{}, nil)
	if err != nil {
		e.t.Fatalf("sign-in as %s (%s) failed: %s%s", id.ID, id.Label, e.mask(err.Error()), e.problems())
	}
	if info.EmailVerified {
		e.t.Errorf("EmailVerified is true for %s (%s): an address the provider did not verify must never look verified", id.ID, id.Label)
	}
}

func (r *socialRun) checkSecondInstance(e *env) {
	c1 := r.mustOpen(e)
	a := r.begin(e, c1, connector.AuthRequest{})
	b, err := json.Marshal(a.Flow)
	if err != nil {
		e.t.Fatalf("the flow state does not marshal to JSON: %v", err)
	}
	var flow connector.FlowState
	if err := json.Unmarshal(b, &flow); err != nil {
		e.t.Fatalf("the flow state does not unmarshal from JSON: %v", err)
	}
	if !reflect.DeepEqual(flow, a.Flow) {
		e.t.Errorf("the flow state changed in a JSON round trip")
	}
	cb := r.approve(e, a, "")
	c2 := r.mustOpen(e)
	info, err := r.userInfo(e, c2, e.ctx, connector.Callback{Params: cb, Flow: flow})
	if err != nil {
		e.t.Fatalf("a second instance from the same config could not finish the flow the first started: %s%s",
			e.mask(err.Error()), e.problems())
	}
	r.checkUser(e, "sign-in finished on a second instance", info, r.mock(e).Identities()[0])
}

func (r *socialRun) checkConcurrent(e *env) {
	c := r.mustOpen(e)
	ids := r.mock(e).Identities()
	var wg sync.WaitGroup
	var mu sync.Mutex
	states := map[string]bool{}
	for i := range parallelFlows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%len(ids)]
			a, err := r.authorize(e, c, e.ctx, connector.AuthRequest{})
			if err != nil {
				e.t.Errorf("flow %d: AuthorizationURL failed: %s", i, e.mask(err.Error()))
				return
			}
			mu.Lock()
			if states[a.Flow.State] {
				e.t.Errorf("flow %d: state %q was given to another concurrent flow", i, a.Flow.State)
			}
			states[a.Flow.State] = true
			mu.Unlock()
			cb, err := r.mock(e).Approve(a.URL, id.ID)
			if err != nil {
				e.t.Errorf("flow %d: the mock refused the authorization URL: %s", i, e.mask(err.Error()))
				return
			}
			info, err := r.userInfo(e, c, e.ctx, connector.Callback{Params: cb, Flow: a.Flow})
			if err != nil {
				e.t.Errorf("flow %d: UserInfo failed: %s%s", i, e.mask(err.Error()), e.problems())
				return
			}
			if info.ID != id.ID {
				e.t.Errorf("flow %d: UserInfo.ID is %q, want %q (flows mixed up?)", i, info.ID, id.ID)
			}
		}()
	}
	wg.Wait()
}
