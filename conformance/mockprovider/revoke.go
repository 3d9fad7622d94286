package mockprovider

import (
	"net/http"
	"slices"
	"sync"
)

// revocations records what a mock's revoke endpoint revoked.
type revocations struct {
	revMu   sync.Mutex
	revoked []string
}

// Revoked lists the tokens revoked at the revoke endpoint, oldest first.
func (v *revocations) Revoked() []string {
	v.revMu.Lock()
	defer v.revMu.Unlock()
	return slices.Clone(v.revoked)
}

// revokeHandler serves a token revocation endpoint (RFC 7009): a POST form
// with the client's credentials (checked as at the token endpoint) and the
// token, which is dropped if the mock issued it and recorded in v whether
// or not it did. Errors are rendered in the provider's shape.
func (s *oauthServer) revokeHandler(v *revocations) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ Failure) {
		fail := func(oe *oauthErr) {
			s.problem(EndpointRevoke, "%s", oe.desc)
			st, ct, body := s.errorAnswer(ErrorReply{Endpoint: EndpointRevoke, Status: oe.status,
				Code: oe.code, Description: oe.desc, Reason: oe.reason})
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(st)
			_, _ = w.Write(body)
		}
		bad := func(code, desc, reason string) {
			fail(&oauthErr{status: http.StatusBadRequest, code: code, desc: desc, reason: reason})
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			fail(&oauthErr{status: http.StatusMethodNotAllowed, code: "invalid_request",
				desc: "the revoke endpoint takes POST", reason: "method"})
			return
		}
		if err := r.ParseForm(); err != nil {
			bad("invalid_request", "the form cannot be parsed", "form")
			return
		}
		if _, oe := s.authenticate(r, r.PostForm); oe != nil {
			fail(oe)
			return
		}
		tok := r.PostForm.Get("token")
		if tok == "" {
			bad("invalid_request", "token is missing", "token")
			return
		}
		if h := r.PostForm.Get("token_type_hint"); h != "" && h != "access_token" && h != "refresh_token" {
			bad("unsupported_token_type", "token_type_hint must be access_token or refresh_token", "token_type_hint")
			return
		}
		s.mu.Lock()
		delete(s.access, tok)
		delete(s.refresh, tok)
		s.mu.Unlock()
		v.revMu.Lock()
		v.revoked = append(v.revoked, tok)
		v.revMu.Unlock()
		w.WriteHeader(http.StatusOK)
	}
}
