// Package bench measures connectorkit's sign-in and message paths side by
// side with github.com/markbates/goth and with hand-written floors (bare
// net/http and encoding/json), so that every ratio comes from one
// benchmark process. It is its own module: goth never enters the
// library's go.mod.
//
// Everything is in the _test.go files; README.md says what each benchmark
// measures, gives the last figures and the command that reproduces them.
package bench
