package main

import (
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/connectorkit/connector"
)

// detail is one labelled line of an error report, shared by the terminal
// output and the demo's result page.
type detail struct {
	Label string
	Value string
}

// errorDetails lists the fields of the first [*connector.Error] in err's
// chain that are set, in the order an administrator reads them. Every field
// of a connector error is safe to show: connectors never put a secret, token
// or code in one. It returns nil for any other error.
func errorDetails(err error) []detail {
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return nil
	}
	var out []detail
	add := func(label, value string) {
		if value != "" {
			out = append(out, detail{label, value})
		}
	}
	add("code", string(connector.CodeOf(ce)))
	add("connector", ce.Connector)
	add("step", string(ce.Step))
	if ce.Status != 0 {
		add("provider status", strconv.Itoa(ce.Status))
	}
	add("provider error", ce.ProviderCode)
	add("provider message", ce.ProviderMessage)
	for _, k := range slices.Sorted(maps.Keys(ce.ProviderDetails)) {
		add("provider "+k, ce.ProviderDetails[k])
	}
	if ce.Retryable {
		add("retryable", "yes")
	}
	if ce.RetryAfter > 0 {
		add("retry after", ce.RetryAfter.String())
	}
	for _, f := range ce.Fields {
		add("field "+f.Path, f.Message)
	}
	if ce.Err != nil {
		add("cause", ce.Err.Error())
	}
	return out
}
