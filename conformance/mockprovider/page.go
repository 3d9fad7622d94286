package mockprovider

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"unicode"
	"unicode/utf8"
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

// pageTitles are the names the built-in mocks' pages show, written as the
// providers write them; another mock's page shows its name capitalised.
var pageTitles = map[string]string{
	"apple":       "Sign in with Apple",
	"kakao":       "Kakao",
	"huggingface": "Hugging Face",
	"oauth2":      "OAuth 2.0",
	"oidc":        "OpenID Connect",
	"twilio":      "Twilio",
}

// pageTitle is the name the pages of the mock called name show.
func pageTitle(name string) string {
	if t, ok := pageTitles[name]; ok {
		return t
	}
	r, n := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return name
	}
	return string(unicode.ToUpper(r)) + name[n:]
}

// pageTemplates are the pages a person sees at a mock. Their style is the
// connectorkit demo's (cmd/connectorkit/static/style.css): the same font
// stack, with CJK fallbacks for the Korean test identities, and the same
// colours. The demo's tests check that the two agree.
var pageTemplates = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Provider}} · mock provider</title>
{{template "style"}}</head>
<body>
<main class="card">
<p class="eyebrow"><span class="pill">Mock provider</span></p>
<h1>{{.Provider}}</h1>
<p class="lead">The application <code>{{.ClientID}}</code> asks to sign you in{{if .Scope}} with the scope <code>{{.Scope}}</code>{{end}}.
It will be sent back to <code>{{.RedirectURI}}</code>.</p>
<h2>Choose a test identity</h2>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
{{range .Identities}}<button type="submit" name="identity" value="{{.ID}}"><span class="who">Continue as {{if .Name}}{{.Name}}{{else if .Username}}{{.Username}}{{else}}{{.ID}}{{end}}{{if .Email}} &lt;{{.Email}}&gt;{{end}}</span>
<span class="label">{{.Label}} · ID {{.ID}}</span></button>
{{end}}<button type="submit" name="cancel" value="1" class="cancel">Cancel</button>
</form>
</main>
</body></html>
{{define "style"}}<style>
:root {
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial,
    "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --bg: #f5f6f8;
  --card: #ffffff;
  --text: #1c2230;
  --muted: #677085;
  --line: #e3e6ec;
  --accent: #3b5bdb;
  --err: #b42318;
  --radius: 10px;
}
* { box-sizing: border-box; }
body { margin: 0; padding: 40px 16px; font: 15px/1.5 var(--sans); color: var(--text); background: var(--bg); }
.card {
  max-width: 480px; margin: 0 auto; padding: 32px; background: var(--card);
  border: 1px solid var(--line); border-radius: var(--radius); box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
}
.eyebrow { margin: 0 0 8px; }
.pill { font-size: 12px; font-weight: 600; padding: 4px 10px; border-radius: 999px; background: #e8edff; color: var(--accent); }
h1 { font-size: 24px; line-height: 1.25; margin: 0 0 6px; }
h1.error { color: var(--err); }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 22px 0 10px; }
.lead { color: var(--muted); margin: 0; }
code { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
form { display: flex; flex-direction: column; gap: 10px; margin: 0; }
button {
  display: flex; flex-direction: column; gap: 2px; width: 100%; padding: 11px 16px; text-align: left;
  font: inherit; color: var(--text); background: var(--card); border: 1px solid var(--line); border-radius: 8px; cursor: pointer;
}
button:hover { background: #f0f2f6; }
button:focus-visible { outline: 3px solid #c5d0fa; outline-offset: 1px; }
.who { font-weight: 550; overflow-wrap: anywhere; }
.label { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
button.cancel { align-items: center; color: var(--muted); }
@media (max-width: 480px) { body { padding: 16px 10px; } .card { padding: 22px 18px; } }
</style>{{end}}
{{define "error"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Provider}} · mock provider: error</title>
{{template "style"}}</head>
<body><main class="card"><p class="eyebrow"><span class="pill">Mock provider</span></p>
<h1 class="error">{{.Provider}} refused the request</h1>
<p class="lead">The authorization request was refused: {{.Message}}</p></main></body></html>
{{end}}
{{define "formpost"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Redirecting…</title>
{{template "style"}}</head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
{{end}}`))

func renderAuthorizePage(w http.ResponseWriter, p authorizePage) {
	p.Provider = pageTitle(p.Provider)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = pageTemplates.ExecuteTemplate(w, "authorize", p)
}

func renderError(w http.ResponseWriter, status int, provider, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplates.ExecuteTemplate(w, "error", struct{ Provider, Message string }{pageTitle(provider), msg})
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
