package connector_test

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sync"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// Attribute on a package sentinel, as is or wrapped, returns an attributed
// copy and leaves the sentinel as it was.
func TestAttributeLeavesSentinelsUnchanged(t *testing.T) {
	t.Parallel()
	for _, code := range connector.Codes() {
		s := sentinels[code] // every package sentinel, by code (errors_test.go)
		t.Run(string(code), func(t *testing.T) {
			t.Parallel()
			if s == nil || s.Code != code {
				t.Fatalf("no sentinel for %s: %v", code, s)
			}
			before := *s
			for _, err := range []error{s, fmt.Errorf("wrapped: %w", s), errors.Join(errors.New("other"), s)} {
				got := kit.Attribute(err, "acme")
				var ce *connector.Error
				if !errors.As(got, &ce) || ce == s || ce.Connector != "acme" || ce.Code != s.Code {
					t.Errorf("Attribute(%v) = %#v, want a copy naming acme", err, ce)
				}
				if !errors.Is(got, s) {
					t.Errorf("errors.Is(Attribute(%v), sentinel) = false", err)
				}
			}
			if !reflect.DeepEqual(*s, before) {
				t.Errorf("sentinel changed: %#v, was %#v", *s, before)
			}
		})
	}
}

// Concurrent Attribute calls with different IDs each get their own ID and
// race on nothing (run with -race).
func TestAttributeConcurrent(t *testing.T) {
	t.Parallel()
	shared := &connector.Error{Code: connector.CodeInvalidResponse, Fields: connector.FieldErrors{{Path: "p", Message: "m"}},
		ProviderDetails: map[string]string{"k": "v"}}
	wrapped := fmt.Errorf("profile: %w", shared)
	var wg sync.WaitGroup
	for i := range 32 {
		id := fmt.Sprintf("conn-%d", i)
		for _, err := range []error{connector.ErrNotImplemented, shared, wrapped} {
			wg.Go(func() {
				var ce *connector.Error
				if got := kit.Attribute(err, id); !errors.As(got, &ce) || ce.Connector != id {
					t.Errorf("Attribute(%v, %s) names %q", err, id, ce.Connector)
				}
			})
		}
	}
	wg.Wait()
	if connector.ErrNotImplemented.Connector != "" || shared.Connector != "" {
		t.Errorf("Attribute changed its argument: %q %q", connector.ErrNotImplemented.Connector, shared.Connector)
	}
}

// An *Error given as is comes back as an attributed *Error copy that shares
// no Fields or ProviderDetails with the original.
func TestAttributeDirect(t *testing.T) {
	t.Parallel()
	orig := &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig, Message: "bad",
		Fields: connector.FieldErrors{{Path: "clientId", Message: "is required"}}, ProviderDetails: map[string]string{"k": "v"},
		Err: fs.ErrNotExist}
	got, ok := kit.Attribute(orig, "acme").(*connector.Error)
	if !ok || got == orig || got.Connector != "acme" {
		t.Fatalf("Attribute = %#v, want an *Error copy naming acme", got)
	}
	want := *orig
	want.Connector = "acme"
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("copy = %#v, want %#v", *got, want)
	}
	if got.Error() != "connector acme: "+orig.Error() || !errors.Is(got, fs.ErrNotExist) {
		t.Errorf("Error() = %q", got.Error())
	}
	got.Fields[0].Message = "changed"
	got.ProviderDetails["k"] = "changed"
	if orig.Fields[0].Message != "is required" || orig.ProviderDetails["k"] != "v" || orig.Connector != "" {
		t.Errorf("the copy shares state with the original: %#v", orig)
	}
}

// An *Error deeper in the chain: the result keeps err's message and chain,
// and errors.As finds the attributed copy.
func TestAttributeWrapped(t *testing.T) {
	t.Parallel()
	for name, wrap := range map[string]func(error) error{
		"Errorf":  func(e error) error { return fmt.Errorf("profile: %w", e) },
		"Errorf2": func(e error) error { return fmt.Errorf("a: %w", fmt.Errorf("b: %w", e)) },
		"Join":    func(e error) error { return errors.Join(errors.New("other"), e) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			orig := &connector.Error{Code: connector.CodeRateLimitExceeded, Step: connector.StepUserInfo, Message: "slow down",
				Retryable: true, Fields: connector.FieldErrors{{Path: "p", Message: "m"}}, ProviderDetails: map[string]string{"k": "v"},
				Err: fs.ErrPermission}
			err := wrap(orig)
			got := kit.Attribute(err, "acme")
			if got.Error() != err.Error() {
				t.Errorf("Error() = %q, want %q", got.Error(), err.Error())
			}
			var ce *connector.Error
			if !errors.As(got, &ce) || ce == orig || ce.Connector != "acme" || ce.Message != "slow down" {
				t.Fatalf("errors.As = %#v, want an attributed copy", ce)
			}
			for _, target := range []error{err, orig, connector.ErrRateLimitExceeded, fs.ErrPermission} {
				if !errors.Is(got, target) {
					t.Errorf("errors.Is(result, %v) = false", target)
				}
			}
			if errors.Unwrap(got) != err {
				t.Error("the result does not unwrap to err")
			}
			if connector.CodeOf(got) != connector.CodeRateLimitExceeded || connector.HTTPStatus(got) != 429 || !connector.IsRetryable(got) {
				t.Errorf("CodeOf/HTTPStatus/IsRetryable = %s %d %t", connector.CodeOf(got), connector.HTTPStatus(got), connector.IsRetryable(got))
			}
			ce.Fields[0].Message, ce.ProviderDetails["k"] = "changed", "changed"
			if orig.Connector != "" || orig.Fields[0].Message != "m" || orig.ProviderDetails["k"] != "v" {
				t.Errorf("the original changed: %#v", orig)
			}
			if again := kit.Attribute(got, "other"); again != got {
				t.Errorf("Attribute of an attributed error = %v, want it unchanged", again)
			}
		})
	}
}

// An error whose first *Error already names a connector is returned as is.
func TestAttributeKeepsNamedConnector(t *testing.T) {
	t.Parallel()
	named := &connector.Error{Code: connector.CodeGeneral, Connector: "first"}
	if got := kit.Attribute(named, "second"); got != named || named.Connector != "first" {
		t.Errorf("Attribute(named) = %v", got)
	}
	wrapped := fmt.Errorf("w: %w", named)
	if got := kit.Attribute(wrapped, "second"); got != wrapped || named.Connector != "first" {
		t.Errorf("Attribute(wrapped named) = %v", got)
	}
}

// nil, errors without an *Error, a nil *Error and an empty ID are returned
// unchanged.
func TestAttributeUnchanged(t *testing.T) {
	t.Parallel()
	if got := kit.Attribute(nil, "acme"); got != nil {
		t.Errorf("Attribute(nil) = %v", got)
	}
	plain := errors.New("plain")
	wrapped := fmt.Errorf("w: %w", plain)
	var nilErr *connector.Error
	unnamed := &connector.Error{Code: connector.CodeGeneral}
	for _, c := range []struct {
		err error
		id  string
	}{{plain, "acme"}, {wrapped, "acme"}, {nilErr, "acme"}, {unnamed, ""}} {
		if got := kit.Attribute(c.err, c.id); got != c.err {
			t.Errorf("Attribute(%#v, %q) = %#v, want it unchanged", c.err, c.id, got)
		}
	}
	if unnamed.Connector != "" {
		t.Errorf("Attribute(err, \"\") changed err: %#v", unnamed)
	}
}
