package msgtemplate

import (
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
)

// Entry is one template of a connector config: Logto's {usageType, content}.
type Entry struct {
	Usage   connector.UsageType
	Content string
}

// Set holds a connector's compiled templates by usage type. It is immutable
// and safe for concurrent use.
type Set struct {
	connectorID string
	byUsage     map[connector.UsageType]*Template
}

// NewSet compiles entries for the connector connectorID (named in errors).
// Every problem is reported at once in an invalid_config [*connector.Error]
// whose fields are named after Logto's config ("templates[2].usageType"): no
// entries, a missing or unknown usage type, a usage type listed twice, an
// empty content. A set without a Generic template is valid: usage types it
// does not cover fail at [Set.Lookup].
func NewSet(connectorID string, entries []Entry) (*Set, error) {
	fe := check(entries, true)
	if len(fe) > 0 {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: connectorID, Step: connector.StepConfig,
			Message: "invalid templates", Fields: fe}
	}
	s := &Set{connectorID: connectorID, byUsage: make(map[connector.UsageType]*Template, len(entries))}
	for _, e := range entries {
		s.byUsage[e.Usage] = Compile(e.Content)
	}
	return s, nil
}

// Check reports what per-field validation (the `validate:"required,usagetype"`
// tags of a config's template struct) cannot see: a known usage type listed
// twice, and content made only of white space. Paths are named after
// Logto's config ("templates[2].usageType"). [NewSet] checks this and more.
func Check(entries []Entry) connector.FieldErrors { return check(entries, false) }

// check reports the problems of entries in order; full adds those that
// per-field validation reports.
func check(entries []Entry, full bool) connector.FieldErrors {
	var fe connector.FieldErrors
	add := func(i int, field, msg string) {
		fe = append(fe, connector.FieldError{Path: "templates[" + strconv.Itoa(i) + "]." + field, Message: msg})
	}
	if full && len(entries) == 0 {
		fe = append(fe, connector.FieldError{Path: "templates", Message: "must have at least 1 item"})
	}
	first := map[connector.UsageType]int{}
	for i, e := range entries {
		j, dup := first[e.Usage]
		switch {
		case e.Usage == "":
			if full {
				add(i, "usageType", "is required")
			}
		case !e.Usage.Valid():
			if full {
				add(i, "usageType", "must be one of "+usageList())
			}
		case dup:
			add(i, "usageType", "repeats "+strconv.Quote(string(e.Usage))+" of templates["+strconv.Itoa(j)+"]")
		default:
			first[e.Usage] = i
		}
		switch {
		case e.Content == "":
			if full {
				add(i, "content", "is required")
			}
		case strings.TrimSpace(e.Content) == "":
			add(i, "content", "must not be only white space")
		}
	}
	return fe
}

func usageList() string {
	types := connector.UsageTypes()
	names := make([]string, len(types))
	for i, u := range types {
		names[i] = string(u)
	}
	return strings.Join(names, ", ")
}

// Lookup returns the template for usage: the exact match, else the Generic
// template. It fails with invalid_request_parameters for a usage type that
// is not one of the nine known ones, and with template_not_found, naming the
// usage type, when neither template exists.
func (s *Set) Lookup(usage connector.UsageType) (*Template, error) {
	if !usage.Valid() {
		msg := "unknown usage type " + strconv.Quote(string(usage)) + ": must be one of " + usageList()
		if usage == "" {
			msg = "usage type is required"
		}
		return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: s.connectorID,
			Step: connector.StepSend, Message: msg}
	}
	if t, ok := s.byUsage[usage]; ok {
		return t, nil
	}
	if t, ok := s.byUsage[connector.UsageGeneric]; ok {
		return t, nil
	}
	msg := "no template for usage type " + strconv.Quote(string(usage)) + " and no Generic template to fall back to"
	if usage == connector.UsageGeneric {
		msg = "no Generic template"
	}
	return nil, &connector.Error{Code: connector.CodeTemplateNotFound, Connector: s.connectorID, Step: connector.StepSend, Message: msg}
}

// Render looks the template for usage up (see [Set.Lookup]) and renders it
// with payload.
func (s *Set) Render(usage connector.UsageType, payload map[string]any) (string, error) {
	t, err := s.Lookup(usage)
	if err != nil {
		return "", err
	}
	return t.Render(payload), nil
}

// Usages returns the usage types that have their own template, in Logto's
// order.
func (s *Set) Usages() []connector.UsageType {
	var out []connector.UsageType
	for _, u := range connector.UsageTypes() {
		if _, ok := s.byUsage[u]; ok {
			out = append(out, u)
		}
	}
	return out
}
