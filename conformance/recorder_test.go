package conformance

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// recorder is a tb that records failures instead of failing a test, so
// the kit's tests can assert that the suite fails a broken connector, and
// where. Subtests run one after another; Fatalf ends the subtest's
// goroutine as testing.T does.
type recorder struct {
	name   string
	root   *recordRoot
	parent *recorder

	mu       sync.Mutex
	failed   bool
	cleanups []func()
	ctx      context.Context
	cancel   context.CancelFunc
}

type recordRoot struct {
	mu       sync.Mutex
	failures []recorded
	logs     []string
	names    []string
}

type recorded struct{ test, msg string }

func newRecorder() *recorder {
	r := &recorder{name: "suite", root: &recordRoot{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

var _ tb = (*recorder)(nil)

func (r *recorder) Helper()                  {}
func (r *recorder) Parallel()                {}
func (r *recorder) Name() string             { return r.name }
func (r *recorder) Context() context.Context { return r.ctx }

func (r *recorder) Logf(format string, args ...any) {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	r.root.logs = append(r.root.logs, r.name+": "+fmt.Sprintf(format, args...))
}

func (r *recorder) Errorf(format string, args ...any) {
	r.root.mu.Lock()
	r.root.failures = append(r.root.failures, recorded{r.name, fmt.Sprintf(format, args...)})
	r.root.mu.Unlock()
	for p := r; p != nil; p = p.parent {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recorder) runCleanups() {
	r.cancel()
	for {
		r.mu.Lock()
		n := len(r.cleanups)
		if n == 0 {
			r.mu.Unlock()
			return
		}
		f := r.cleanups[n-1]
		r.cleanups = r.cleanups[:n-1]
		r.mu.Unlock()
		f()
	}
}

func (r *recorder) Run(name string, f func(tb)) bool {
	c := &recorder{name: r.name + "/" + name, root: r.root, parent: r}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	r.root.mu.Lock()
	r.root.names = append(r.root.names, c.name)
	r.root.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.runCleanups()
		defer func() {
			if v := recover(); v != nil {
				c.Errorf("panic: %v", v)
			}
		}()
		f(c)
	}()
	<-done
	return !c.Failed()
}

// finish runs the top-level cleanups.
func (r *recorder) finish() { r.runCleanups() }

// failedTests lists the subtests (without the "suite/" prefix) with a
// failure of their own.
func (r *recorder) failedTests() []string {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, f := range r.root.failures {
		n := strings.TrimPrefix(f.test, "suite/")
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (r *recorder) report() string {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	var b strings.Builder
	for _, f := range r.root.failures {
		fmt.Fprintf(&b, "  %s: %s\n", strings.TrimPrefix(f.test, "suite/"), f.msg)
	}
	return b.String()
}

func (r *recorder) ran(name string) bool {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	for _, n := range r.root.names {
		if n == "suite/"+name {
			return true
		}
	}
	return false
}

// assertRan checks the recorder ran each named subtest.
func assertRan(t *testing.T, r *recorder, names ...string) {
	t.Helper()
	for _, name := range names {
		if !r.ran(name) {
			t.Errorf("the suite did not run %s", name)
		}
	}
}

// runRecorded runs a suite on a recorder and returns it.
func runRecorded(run func(r *recorder)) *recorder {
	r := newRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer r.finish()
		run(r)
	}()
	<-done
	return r
}

// assertCaught checks the recorder failed each wanted subtest for the
// wanted reason. A want is "Subtest/Path: fragment": some failure of that
// subtest (or of one below it) must contain fragment, so a flaw counts as
// caught by a check only when that check's own message says so (a flawed
// connector fails many subtests through the suite-wide redaction and
// injected-client checks; those must not stand in for the check named).
func assertCaught(t *testing.T, r *recorder, wants ...string) {
	t.Helper()
	failed := r.failedTests()
	if len(failed) == 0 {
		t.Fatalf("the suite passed a broken connector")
	}
	r.root.mu.Lock()
	failures := slices.Clone(r.root.failures)
	r.root.mu.Unlock()
	for _, w := range wants {
		test, why, ok := strings.Cut(w, ": ")
		if !ok {
			t.Fatalf("want %q is not \"Subtest: reason\"", w)
		}
		caught := false
		for _, f := range failures {
			name := strings.TrimPrefix(f.test, "suite/")
			if (name == test || strings.HasPrefix(name, test+"/")) && strings.Contains(f.msg, why) {
				caught = true
				break
			}
		}
		if !caught {
			t.Errorf("the suite did not fail %s with %q; it failed:\n%s", test, why, r.report())
		}
	}
	t.Logf("%s caught by: %s", t.Name(), strings.Join(failed, ", "))
}
