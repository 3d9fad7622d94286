package mockprovider

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
)

// authorizePage is what the authorization page shows.
type authorizePage struct {
	Provider    string
	ClientID    string
	Scope       string
	RedirectURI string
	Action      string
	Request     string
	Identities  []Identity
}

var pageTemplates = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {{.Provider}} (mock)</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font-size:1rem;text-align:left;cursor:pointer}
.cancel{text-align:center}.label{color:#555;font-size:.85rem}code{word-break:break-all}</style></head>
<body>
<h1>{{.Provider}} <small>(mock provider)</small></h1>
<p>The application <code>{{.ClientID}}</code> asks to sign you in{{if .Scope}} with the scope <code>{{.Scope}}</code>{{end}}.
It will be sent back to <code>{{.RedirectURI}}</code>.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
{{range .Identities}}<button type="submit" name="identity" value="{{.ID}}">Continue as {{if .Name}}{{.Name}}{{else}}{{.ID}}{{end}}{{if .Email}} &lt;{{.Email}}&gt;{{end}}
<br><span class="label">{{.Label}} · ID {{.ID}}</span></button>
{{end}}<button type="submit" name="cancel" value="1" class="cancel">Cancel</button>
</form>
</body></html>
{{define "error"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Provider}} (mock): error</title></head>
<body><h1>{{.Provider}} (mock provider)</h1><p>The authorization request was refused: {{.Message}}</p></body></html>
{{end}}
{{define "formpost"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Redirecting…</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
{{end}}`))

func renderAuthorizePage(w http.ResponseWriter, p authorizePage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = pageTemplates.ExecuteTemplate(w, "authorize", p)
}

func renderError(w http.ResponseWriter, status int, provider, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplates.ExecuteTemplate(w, "error", struct{ Provider, Message string }{provider, msg})
}

type formField struct{ Name, Value string }

// renderFormPost answers with a page that POSTs v to action at once.
func renderFormPost(w http.ResponseWriter, action string, v url.Values) {
	var fields []formField
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, x := range v[k] {
			fields = append(fields, formField{k, x})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = pageTemplates.ExecuteTemplate(w, "formpost", struct {
		Action string
		Fields []formField
	}{action, fields})
}
