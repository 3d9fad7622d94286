package main

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/connectorkit/connector"
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
// code, step, message and cause; or, when no sign-in is in progress for
// the callback, a page that says so in words.
func (s *server) signInFailed(w http.ResponseWriter, r *http.Request, err error) {
	sc := s.byID[r.PathValue("id")]
	if errors.Is(err, web.ErrNoFlow) {
		s.noFlow(w, r, sc, err)
		return
	}
	s.failure(w, r, sc, err)
}

type noFlowView struct {
	ID, Name string
	Logo     template.URL
	Host     string // the demo's host, whose cookies the flow needs
	Minutes  int    // how long a flow cookie lives
	Status   int
	Code     string
}

// noFlow renders the callback that finds no sign-in in progress in this
// browser: the flow cookie is gone (the sign-in was finished or started
// elsewhere) or never came back (cookies blocked). Its cause is the web
// package's, which a visitor has no use for: the page tells what happened
// and what to do.
func (s *server) noFlow(w http.ResponseWriter, r *http.Request, sc *socialConn, err error) {
	status := connector.HTTPStatus(err)
	s.log.WarnContext(r.Context(), "no sign-in in progress", "connector", sc.ID, "error", logValue(err))
	s.render(w, r, status, "noflow", "No sign-in in progress", noFlowView{
		ID: sc.ID, Name: sc.Meta.DisplayName(), Logo: safeImage(sc.Meta.Logo),
		Host: s.baseURL.Host, Minutes: int(web.DefaultTTL / time.Minute),
		Status: status, Code: string(connector.CodeOf(err)),
	})
}
