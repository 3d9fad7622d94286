package conformance

import "context"

// TB is what the suites need of a test. *testing.T satisfies TB[*testing.T],
// so a connector's test passes its t as is:
//
//	func TestConformance(t *testing.T) { conformance.RunSocial(t, subject) }
//
// The type parameter lets Run hand the subtest's own type back. Any other
// implementation (a recorder that collects failures, as the kit's own tests
// use to prove that broken connectors fail) works the same way.
type TB[T any] interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
	Context() context.Context
	Name() string
	Failed() bool
	Parallel()
	Run(name string, f func(T)) bool
}

// tb is TB with the type parameter erased, for the suites' internals.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
	Context() context.Context
	Name() string
	Failed() bool
	Parallel()
	Run(name string, f func(tb)) bool
}

// erase adapts a TB[T] to tb.
type erase[T TB[T]] struct{ t T }

func (e erase[T]) Helper()                           { e.t.Helper() }
func (e erase[T]) Errorf(format string, args ...any) { e.t.Helper(); e.t.Errorf(format, args...) }
func (e erase[T]) Fatalf(format string, args ...any) { e.t.Helper(); e.t.Fatalf(format, args...) }
func (e erase[T]) Logf(format string, args ...any)   { e.t.Helper(); e.t.Logf(format, args...) }
func (e erase[T]) Cleanup(f func())                  { e.t.Cleanup(f) }
func (e erase[T]) Context() context.Context          { return e.t.Context() }
func (e erase[T]) Name() string                      { return e.t.Name() }
func (e erase[T]) Failed() bool                      { return e.t.Failed() }
func (e erase[T]) Parallel()                         { e.t.Parallel() }
func (e erase[T]) Run(name string, f func(tb)) bool {
	return e.t.Run(name, func(t T) { f(erase[T]{t}) })
}
