package conformance

import (
	"context"
	"testing"
)

// tb is what the suites need of a test: a *testing.T (through testingT),
// or the recorder with which this package's own tests prove that broken
// connectors fail the checks meant to catch them.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
	Context() context.Context
	Name() string
	Parallel()
	Run(name string, f func(tb)) bool
}

// testingT is a *testing.T as a tb. Its methods are *testing.T's own,
// promoted (so that Helper marks the suite's helpers and failures point
// at the check that failed), but Run.
type testingT struct{ *testing.T }

func (t testingT) Run(name string, f func(tb)) bool {
	return t.T.Run(name, func(t *testing.T) { f(testingT{t}) })
}
