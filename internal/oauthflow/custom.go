package oauthflow

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"maps"

	"github.com/connectorkit/connector"
)

// CheckCustomConfig is the config check of Logto's customConfig (extra
// parameters of the authorization, token and refresh requests): no empty
// name, no parameter the engine sets itself (as written or as Logto would
// snake_case it), and no scope when the config's scope field is set. Its
// problems name "customConfig[\"key\"]", in key order.
func CheckCustomConfig(custom map[string]string, scope string) connector.FieldErrors {
	var fe connector.FieldErrors
	for _, k := range slices.Sorted(maps.Keys(custom)) {
		p := "customConfig[" + strconv.Quote(k) + "]"
		msg := ""
		switch {
		case strings.TrimSpace(k) == "":
			msg = "has an empty parameter name"
		case IsReserved(k):
			msg = fmt.Sprintf("would override the reserved parameter %s, which the connector sets itself; remove it", k)
		case IsReserved(SnakeCase(k)):
			msg = fmt.Sprintf("would override the reserved parameter %s (Logto sends this key as %s); remove it", SnakeCase(k), SnakeCase(k))
		case k == "scope" && scope != "":
			msg = "conflicts with scope; set the scope field only"
		}
		if msg != "" {
			fe = append(fe, connector.FieldError{Path: p, Message: msg})
		}
	}
	return fe
}

// CustomParams splits a checked customConfig into the extra authorization
// parameters and the extra token (and refresh) parameters; a "scope" key
// replaces scope and is not an authorization parameter. renamed is called
// for each key Logto would have sent snake_cased (they are sent as
// written), in key order.
func CustomParams(custom map[string]string, scope string, renamed func(key, logtoKey string)) (string, url.Values, url.Values) {
	var authParams, tokenParams url.Values
	for _, k := range slices.Sorted(maps.Keys(custom)) {
		v := custom[k]
		if k == "scope" {
			scope = v
		} else {
			if authParams == nil {
				authParams = url.Values{}
			}
			authParams.Set(k, v)
		}
		if tokenParams == nil {
			tokenParams = url.Values{}
		}
		tokenParams.Set(k, v)
		if sc := SnakeCase(k); sc != k && renamed != nil {
			renamed(k, sc)
		}
	}
	return scope, authParams, tokenParams
}

// SnakeCase converts "redirectUri" to "redirect_uri", as Logto does to
// customConfig keys.
func SnakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
