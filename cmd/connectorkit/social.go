package main

import (
	"fmt"
	"net/http"

	"github.com/connectorkit/connector/web"
)

// The social sign-in flow is the web package's: [web.Handlers.SignIn]
// redirects to the provider with the flow state sealed in a cookie, and
// [web.Handlers.Callback] opens it, finishes the flow and hands the result
// to [server.signedIn] or the error to [server.signInFailed]. This file
// routes /signin/{id} and /callback/{id} to the connector's handlers and
// renders the outcome.

// socialHandlers answers /signin/{id} and /callback/{id}: the handlers of
// the connector named by {id} (see [web.Handlers]), or the not-found page.
func (s *server) socialHandlers(handle func(h *web.Handlers, w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h, ok := s.handlers[r.PathValue("id")]
		if !ok {
			s.problem(w, r, http.StatusNotFound, "Unknown connector", fmt.Sprintf("No connector is called %q here.", r.PathValue("id")))
			return
		}
		handle(h, w, r)
	}
}

// signedIn renders a successful sign-in (web's OnSignIn).
func (s *server) signedIn(w http.ResponseWriter, r *http.Request, res *web.Result) {
	sc := s.byID[r.PathValue("id")]
	// web logs the sign-in (one line per outcome, scoped to the connector).
	s.success(w, r, sc.Meta, "Signed in with "+sc.Meta.DisplayName(), res.User, nil)
}

// signInFailed renders a failed sign-in (web's OnError): the typed error's
// code, step, message and cause.
func (s *server) signInFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.failure(w, r, s.byID[r.PathValue("id")], err)
}
