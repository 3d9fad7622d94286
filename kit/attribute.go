package kit

import (
	"errors"
	"maps"
	"slices"

	"github.com/connectorkit/connector"
)

// Attribute returns err naming connectorID, when err is (or wraps) an
// [*connector.Error] that names no connector. Connectors call it on the errors of
// shared code such as [DecodeConfig] and [ResolveOptions], and must use the
// error it returns:
//
//	return nil, kit.Attribute(err, id)
//
// It never modifies err or anything in its chain, so it is safe on a
// sentinel such as [connector.ErrNotImplemented] and from concurrent goroutines:
//
//   - When err is itself such an *connector.Error, Attribute returns a copy of it with
//     Connector set. The copy has its own Fields and ProviderDetails; the
//     cause (Err) is shared.
//   - When the *connector.Error is deeper in err's chain (fmt.Errorf("...: %w", e),
//     errors.Join), Attribute returns an error whose [errors.As] to an
//     *connector.Error gives such a copy, so that [connector.CodeOf], [connector.HTTPStatus] and
//     [connector.IsRetryable] see it, and which unwraps to err, so that [errors.Is]
//     and every other errors.As behave as on err. Its message is err's own,
//     unchanged: a wrapping error's text was written when it was made and
//     is not rewritten.
//   - Otherwise (err is nil, holds no *connector.Error, its first *connector.Error already names
//     a connector, or connectorID is empty) Attribute returns err itself.
func Attribute(err error, connectorID string) error {
	var e *connector.Error
	if connectorID == "" || !errors.As(err, &e) || e == nil || e.Connector != "" {
		return err
	}
	c := clone(e)
	c.Connector = connectorID
	if _, ok := err.(*connector.Error); ok {
		return c
	}
	return &attributedError{err: err, attributed: c}
}

// clone returns a copy of e that shares no mutable state with it: Fields and
// ProviderDetails are copied; the cause (Err) is shared, as errors are not
// modified once made.
func clone(e *connector.Error) *connector.Error {
	c := *e
	c.Fields = slices.Clone(e.Fields)
	c.ProviderDetails = maps.Clone(e.ProviderDetails)
	return &c
}

// attributedError is what [Attribute] returns for an error that wraps an
// [*connector.Error] naming no connector: err is the error it was given, unchanged,
// and attributed a copy of that *connector.Error naming the connector.
type attributedError struct {
	err        error
	attributed *connector.Error
}

// Error is err's own message.
func (a *attributedError) Error() string { return a.err.Error() }

// Unwrap returns err, so that errors.Is and errors.As see its whole chain.
func (a *attributedError) Unwrap() error { return a.err }

// As gives the attributed copy to errors.As with an **connector.Error target, before
// errors.As reaches the unattributed original in err's chain.
func (a *attributedError) As(target any) bool {
	p, ok := target.(**connector.Error)
	if ok {
		*p = a.attributed
	}
	return ok
}

// Sentinels, one per code, for errors.Is. Never modify them.
