package conformance

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/connector"
)

// want is what an error must be.
type want struct {
	codes        []connector.Code
	step         connector.Step
	status       int
	retryable    bool
	retryAfter   time.Duration
	providerCode string
}

func (w want) String() string {
	parts := []string{}
	for _, c := range w.codes {
		parts = append(parts, string(c))
	}
	s := "an error"
	if len(parts) > 0 {
		s = strings.Join(parts, " or ")
	}
	if w.retryable {
		s += " (retryable)"
	}
	return s
}

// check reports how err differs from w, and returns the *connector.Error.
func (e *env) check(what string, err error, w want) *connector.Error {
	e.t.Helper()
	if err == errPanicked {
		return nil
	}
	if err == nil {
		e.t.Errorf("%s: succeeded, want %s", what, w)
		return nil
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		e.t.Errorf("%s: returned %T %q, want a *connector.Error", what, err, e.mask(err.Error()))
		return nil
	}
	msg := e.mask(err.Error())
	if len(w.codes) > 0 && !slices.Contains(w.codes, ce.Code) {
		e.t.Errorf("%s: code %q, want %s (error: %s)", what, ce.Code, w, msg)
	}
	if ce.Connector == "" {
		e.t.Errorf("%s: Error.Connector is empty (error: %s)", what, msg)
	}
	if ce.Step == "" {
		e.t.Errorf("%s: Error.Step is empty (error: %s)", what, msg)
	} else if w.step != "" && ce.Step != w.step {
		e.t.Errorf("%s: step %q, want %q (error: %s)", what, ce.Step, w.step, msg)
	}
	if w.status != 0 && ce.Status != w.status {
		e.t.Errorf("%s: Error.Status %d, want the provider's %d (error: %s)", what, ce.Status, w.status, msg)
	}
	if w.retryable && !ce.Retryable {
		e.t.Errorf("%s: not retryable, want Retryable (error: %s)", what, msg)
	}
	if w.retryAfter != 0 && ce.RetryAfter != w.retryAfter {
		e.t.Errorf("%s: RetryAfter %v, want the provider's %v (error: %s)", what, ce.RetryAfter, w.retryAfter, msg)
	}
	if w.providerCode != "" && ce.ProviderCode != w.providerCode {
		e.t.Errorf("%s: ProviderCode %q, want the provider's %q (error: %s)", what, ce.ProviderCode, w.providerCode, msg)
	}
	return ce
}

func codes(cs ...connector.Code) []connector.Code { return cs }

// errorTexts returns what an error shows a host: its Error() and, for a
// *connector.Error, the provider fields.
func errorTexts(err error) []text {
	out := []text{{"Error()", err.Error()}}
	var ce *connector.Error
	if errors.As(err, &ce) {
		out = append(out, text{"Error.ProviderCode", ce.ProviderCode}, text{"Error.ProviderMessage", ce.ProviderMessage})
		for _, k := range slices.Sorted(maps.Keys(ce.ProviderDetails)) {
			out = append(out, text{"Error.ProviderDetails[" + strconv.Quote(k) + "]", ce.ProviderDetails[k]})
		}
	}
	return out
}
