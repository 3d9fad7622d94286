package main

import (
	"net/http"
	"strings"
	"time"
)

// The middleware around the routes (see [server.handler]), innermost first:
// cross-origin protection, the foreign-Host refusal, security headers,
// request logging.

// crossOrigin refuses cross-origin POSTs: another site must not make a
// visitor's browser send an SMS (with real Twilio credentials under
// --config) or arm a failure. The provider's form_post callback is
// cross-site by design; the flow cookie (SameSite=None for such a provider,
// see the web package) and the connector's state check guard it.
func (s *server) crossOrigin(next http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST /callback/{id}")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusForbidden, "Cross-site request refused", "This form can only be sent from the demo's own pages.")
	}))
	return csrf.Handler(next)
}

// securityHeaders sets a strict Content Security Policy (no external
// assets, no scripts), and the usual hardening headers. Referrer-Policy
// no-referrer keeps callback parameters out of Referer headers.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data: https: http://127.0.0.1:* http://localhost:*; "+
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// canonicalHost sends GET requests that reached the demo under another host
// name (http://localhost:8080 for http://127.0.0.1:8080) to the base URL:
// cookies are per host, and the callback goes to the base URL. Other
// methods under another host name are refused: a page whose own domain
// resolves to the loopback address (DNS rebinding) looks same-origin to
// the browser, and must not reach the forms.
func (s *server) canonicalHost(next http.Handler) http.Handler {
	if !s.canonical {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "" && !strings.EqualFold(r.Host, s.baseURL.Host) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.problem(w, r, http.StatusMisdirectedRequest, "Wrong host", "Use the demo at "+s.baseURL.String()+".")
				return
			}
			u := *s.baseURL
			u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs each request's method, path (never the query: it holds
// authorization codes), status and duration.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}
