package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// The pages: templates, view models, rendering, and the helpers they use.

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"safeImage": safeImage}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// view is what every template receives: the layout's fields and the page's
// own data.
type view struct {
	Title string
	Mode  string
	Data  any
}

type signInView struct {
	Failures   []failureGroup
	Armed      string
	Social     []socialView
	SMS        *senderConn
	UsageTypes []connector.UsageType
	Phone      string
	Usage      string
	Error      string
	ErrorField string // the form field Error is about
	// HasOutbox is set when the SMS goes to the mock's outbox page.
	HasOutbox bool
}

type failureGroup struct {
	Name    string
	Options []failureOption
}

type socialView struct {
	ID, Name string
	Logo     template.URL
}

func (s *server) signInView() signInView {
	v := signInView{SMS: s.b.SMS, UsageTypes: connector.UsageTypes(), Usage: string(connector.UsageSignIn),
		HasOutbox: s.b.SMS != nil && s.b.Outbox != nil}
	for _, sc := range s.b.Social {
		v.Social = append(v.Social, socialView{ID: sc.ID, Name: sc.Meta.DisplayName(), Logo: safeImage(sc.Meta.Logo)})
	}
	for _, f := range s.b.Failures {
		name := f.Connector
		if sc, ok := s.byID[f.Connector]; ok {
			name = sc.Meta.DisplayName()
		} else if s.b.SMS != nil && s.b.SMS.ID == f.Connector {
			name = s.b.SMS.Meta.DisplayName()
		}
		if n := len(v.Failures); n == 0 || v.Failures[n-1].Name != name {
			v.Failures = append(v.Failures, failureGroup{Name: name})
		}
		g := &v.Failures[len(v.Failures)-1]
		g.Options = append(g.Options, f)
	}
	return v
}

type resultView struct {
	Heading   string
	Connector string
	Logo      template.URL
	OK        bool
	User      *connector.UserInfo
	Avatar    template.URL
	Initial   string // of the name, for an avatar placeholder
	Raw       string
	Extra     []detail
	Status    int
	Code      string
	Message   string
	Details   []detail
}

func (s *server) success(w http.ResponseWriter, r *http.Request, m connector.Metadata, heading string, info *connector.UserInfo, extra []detail) {
	v := resultView{Heading: heading, Connector: m.DisplayName(),
		Logo: safeImage(m.Logo), OK: true, User: info, Raw: prettyJSON(info.Raw), Extra: extra, Status: http.StatusOK}
	// The mock identities' avatars are on the providers' real CDNs, which
	// the offline demo does not reach: it shows their URLs only.
	if s.b.Mode != "mock" || isLocalImage(info.Avatar) {
		v.Avatar = safeImage(info.Avatar)
	}
	if r := []rune(strings.TrimSpace(info.Name)); len(r) > 0 {
		v.Initial = strings.ToUpper(string(r[0]))
	}
	s.render(w, r, http.StatusOK, "result", heading, v)
}

func (s *server) failure(w http.ResponseWriter, r *http.Request, sc *socialConn, err error) {
	s.failureMeta(w, r, sc.Meta, err)
}

// failureMeta renders a failed operation: the typed error's fields, with the
// HTTP status a host would answer with.
func (s *server) failureMeta(w http.ResponseWriter, r *http.Request, m connector.Metadata, err error) {
	status := connector.HTTPStatus(err)
	s.log.WarnContext(r.Context(), "operation failed", "connector", m.ID, "error", logValue(err))
	v := resultView{Heading: "Sign-in with " + m.DisplayName() + " failed",
		Connector: m.DisplayName(), Logo: safeImage(m.Logo), Status: status, Code: string(connector.CodeOf(err)),
		Message: capitalize(headline(err)), Details: errorDetails(err)}
	if m.Type == connector.TypeSMS {
		v.Heading = "Sending a code with " + m.DisplayName() + " failed"
	}
	s.render(w, r, status, "result", v.Heading, v)
}

// logValue is err as a structured log value: a connector error's fields
// (which never hold a secret), or its text.
func logValue(err error) slog.Value {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce.LogValue()
	}
	return slog.StringValue(err.Error())
}

func (s *server) problem(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "problem", title, struct {
		Message string
		Status  int
	}{Message: msg, Status: status})
}

// render writes the page name (a template) with title and data.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.tmpl[name]
	if !ok {
		http.Error(w, "internal error: no template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view{Title: title, Mode: s.b.Mode, Data: data}); err != nil {
		s.log.ErrorContext(r.Context(), "template failed", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// safeImage returns s as a URL html/template may put in an img src: an
// http(s) URL, or a data: URI of a raster or SVG image (an SVG in an img
// element runs no script). Anything else gives "".
func safeImage(s string) template.URL {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		mime, _, _ := strings.Cut(rest, ",")
		mime, _, _ = strings.Cut(mime, ";")
		switch strings.ToLower(mime) {
		case "image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml":
			return template.URL(s)
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return template.URL(u.String())
}

// isLocalImage reports whether s is a data: URI or a loopback URL.
func isLocalImage(s string) bool {
	if strings.HasPrefix(s, "data:") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && kit.IsLoopbackHost(u.Hostname())
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
