package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/connectorkit/connector"
)

// The social sign-in flow: the redirect to the provider, the callback, and
// the relay of a form_post callback.

const (
	// flowTTL bounds a sign-in from the redirect to the callback.
	flowTTL = 10 * time.Minute
	// flowCookiePrefix + connector ID names the flow cookie; its path is the
	// connector's callback, so the browser sends it nowhere else.
	flowCookiePrefix = "ck_flow_"
	// relayParam marks a form_post callback the demo has relayed to itself
	// (see [server.relay]).
	relayParam = "_ck_relay"
)

// start begins a social sign-in: it asks the connector for the
// authorization URL, seals the flow state into a cookie scoped to the
// connector's callback, and redirects to the provider.
func (s *server) start(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.byID[r.PathValue("id")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Unknown connector", fmt.Sprintf("No connector is called %q here.", r.PathValue("id")))
		return
	}
	auth, err := sc.Conn.AuthorizationURL(r.Context(), connector.AuthRequest{RedirectURI: s.callbackURL(sc.ID)})
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	sealed, err := s.seal.seal(flowBinding(sc.ID), flowCookie{Flow: auth.Flow}, flowTTL)
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	http.SetCookie(w, s.cookie(r, flowCookiePrefix+sc.ID, "/callback/"+sc.ID, sealed, flowTTL))
	s.log.InfoContext(r.Context(), "sign-in started", "connector", sc.ID, "pkce", auth.Flow.CodeVerifier != "")
	http.Redirect(w, r, auth.URL, http.StatusFound)
}

// flowCookie is what the flow cookie seals.
type flowCookie struct {
	Flow connector.FlowState `json:"flow"`
}

func flowBinding(id string) string { return "flow:" + id }

// callback finishes a social sign-in: GET (query) or POST (form_post).
func (s *server) callback(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.byID[r.PathValue("id")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Unknown connector", fmt.Sprintf("No connector is called %q here.", r.PathValue("id")))
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.failure(w, r, sc, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: sc.ID,
				Step: connector.StepCallback, Message: "the callback form cannot be read", Err: err})
			return
		}
		params = r.PostForm
	}
	name := flowCookiePrefix + sc.ID
	c, err := r.Cookie(name)
	if err != nil && r.Method == http.MethodPost && params.Get(relayParam) == "" {
		s.relay(w, r, params)
		return
	}
	params.Del(relayParam)
	// The flow cookie is single use, whatever happens next.
	http.SetCookie(w, s.cookie(r, name, "/callback/"+sc.ID, "", -1))
	var fc flowCookie
	if err == nil {
		err = s.seal.open(flowBinding(sc.ID), c.Value, &fc)
	}
	if err != nil {
		s.failure(w, r, sc, flowError(sc.ID, err))
		return
	}
	info, err := sc.Conn.UserInfo(r.Context(), connector.Callback{Params: params, Flow: fc.Flow})
	if err != nil {
		s.failure(w, r, sc, err)
		return
	}
	s.log.InfoContext(r.Context(), "signed in", "connector", sc.ID, "email_verified", info.EmailVerified,
		"private_email", info.PrivateEmail)
	s.success(w, r, sc.Meta, "Signed in with "+sc.Meta.DisplayName(), info, nil)
}

// flowError explains why the flow cookie could not be used.
func flowError(id string, err error) error {
	msg := "no sign-in with this connector is in progress in this browser: start again from the sign-in page"
	switch {
	case errors.Is(err, errSealExpired):
		msg = "the sign-in took longer than " + flowTTL.String() + ": start again from the sign-in page"
	case errors.Is(err, errSealTampered), errors.Is(err, errSealMalformed):
		msg = "the flow cookie was not issued by this server for this connector"
	}
	return &connector.Error{Code: connector.CodeStateMismatch, Connector: id, Step: connector.StepCallback, Message: msg, Err: err}
}

// relay answers a form_post callback that arrived without the flow cookie.
//
// A provider that posts its answer (Sign in with Apple's response_mode
// form_post) makes a cross-site POST, on which browsers do not send
// SameSite=Lax cookies. The demo answers with a page that posts the same
// fields to the same URL from its own origin; that same-site POST carries
// the cookie. The alternative, SameSite=None, needs https.
func (s *server) relay(w http.ResponseWriter, r *http.Request, params url.Values) {
	type field struct{ Name, Value string }
	var fields []field
	for k, vs := range params {
		for _, v := range vs {
			fields = append(fields, field{k, v})
		}
	}
	fields = append(fields, field{relayParam, "1"})
	s.render(w, r, http.StatusOK, "relay", "Signing in", struct {
		Action string
		Fields []field
	}{Action: r.URL.Path, Fields: fields})
}
