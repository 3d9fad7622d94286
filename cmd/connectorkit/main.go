// Command connectorkit is the offline demo identity server and the admin
// tools of connectorkit.
//
//	go run ./cmd/connectorkit demo                  # every built-in connector on local mock providers
//	connectorkit demo --config connectors.json      # the same sign-in page for real providers
//	connectorkit list                               # factories and their metadata
//	connectorkit schema kakao-universal             # the JSON Schema of a factory's config
//	connectorkit validate oauth2 config.json        # every problem of a config, with its path
//	connectorkit try kakao.json                     # a real sign-in through a local callback
//	connectorkit send-test twilio.json --to +14155550100
//
// Exit codes, for scripts: 0 success; 1 an invalid config or a failed
// operation (the error is printed); 2 a usage error (unknown command or
// flag, missing argument).
//
// The demo server is also the reference for how a host should use the
// library: it opens connectors from Logto-shaped JSON configs through a
// [connector.Registry], keeps each sign-in's [connector.FlowState] in an
// encrypted, authenticated, expiring cookie bound to the connector (no
// server-side session), maps every [*connector.Error] to an HTTP status and
// a readable page, and never logs a secret, token or code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
)

// Exit codes.
const (
	exitOK      = 0 // success
	exitFailure = 1 // invalid config or failed operation
	exitUsage   = 2 // bad command line
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command: it parses args, runs a subcommand and returns
// the exit code. SIGINT and SIGTERM cancel the running subcommand (the demo
// server then shuts down gracefully).
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return newCLI(stdout, stderr).run(ctx, args)
}

// cli holds what every subcommand needs; tests build one with their own
// writers and environment.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	newRegistry    func() (*connector.Registry, error)
}

func newCLI(stdout, stderr io.Writer) *cli {
	return &cli{stdout: stdout, stderr: stderr, getenv: os.Getenv, newRegistry: builtin.NewRegistry}
}

type command struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string
	run     func(c *cli, ctx context.Context, args []string) int
}

// commands in the order the help lists them.
var commands []command

func init() {
	commands = []command{
		{"demo", "[flags]", "run the demo identity server (mock providers, or real ones with --config)", (*cli).demo},
		{"list", "[--json]", "list the connector factories and their metadata", (*cli).list},
		{"schema", "FACTORY", "print the JSON Schema of a factory's config", (*cli).schema},
		{"validate", "FACTORY CONFIG.json", "check a config and print every problem with its path", (*cli).validate},
		{"try", "CONFIG.json [flags]", "sign in with a real provider through a local callback", (*cli).try},
		{"send-test", "CONFIG.json --to NUMBER", "send a test SMS with a real Twilio config", (*cli).sendTest},
	}
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			if cmd, ok := lookup(args[1]); ok {
				return cmd.run(c, ctx, []string{"--help"})
			}
			fmt.Fprintf(c.stderr, "connectorkit: unknown command %q\n", args[1])
			c.usage(c.stderr)
			return exitUsage
		}
		c.usage(c.stdout)
		return exitOK
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(c.stderr, "connectorkit: unknown command %q\n\n", name)
		c.usage(c.stderr)
		return exitUsage
	}
	return cmd.run(c, ctx, args[1:])
}

func lookup(name string) (command, bool) {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd, true
		}
	}
	return command{}, false
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `connectorkit signs people in through social identity providers and sends
one-time codes by SMS, with Logto-compatible connector configs.

Usage:
  connectorkit COMMAND [ARGS]

Commands:
`)
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, `
Start here:
  go run ./cmd/connectorkit demo     then open the printed URL

Run "connectorkit COMMAND --help" for a command's flags.

Exit codes: 0 success, 1 invalid config or failed operation, 2 usage error.
`)
}

// flagSet returns a FlagSet for a subcommand whose --help text shows the
// synopsis, the description and the flags.
func (c *cli) flagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("connectorkit "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: connectorkit %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
		fmt.Fprint(w, "\nExit codes: 0 success, 1 invalid config or failed operation, 2 usage error.\n")
	}
	return fs
}

// parse parses flags that may come before, between or after the positional
// arguments ("send-test CONFIG.json --to N") and checks the number of
// positional arguments. It returns the exit code to use when parsing ends the
// command (--help: 0, a usage error: 2) and ok=false.
func (c *cli) parse(fs *flag.FlagSet, args []string, nargs int) (pos []string, code int, ok bool) {
	// flag prints the usage itself on -help and on errors; the command
	// prints it once, to stdout for -help and to stderr for an error.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(c.stdout)
				usage()
				return nil, exitOK, false
			}
			// flag has printed the error.
			usage()
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// flag stops at "--" (and drops it) or at the first positional
		// argument. After "--" everything is positional.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if nargs >= 0 && len(pos) != nargs {
		switch {
		case len(pos) < nargs:
			fmt.Fprintf(c.stderr, "%s: missing argument\n", fs.Name())
		default:
			fmt.Fprintf(c.stderr, "%s: unexpected argument %q\n", fs.Name(), pos[nargs])
		}
		usage()
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// usageErr prints a usage error for a subcommand and returns exitUsage.
func (c *cli) usageErr(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(c.stderr, "Run \"%s --help\" for usage.\n", fs.Name())
	return exitUsage
}

// fail prints err for a subcommand and returns exitFailure. A
// [*connector.Error] is printed with each of its fields on its own line.
func (c *cli) fail(name string, err error) int {
	fmt.Fprintf(c.stderr, "connectorkit %s: %s\n", name, headline(err))
	for _, l := range errorDetails(err) {
		fmt.Fprintf(c.stderr, "  %-17s %s\n", l.Label+":", l.Value)
	}
	return exitFailure
}

// headline is the one-line summary of err: the message of a connector error,
// the text of any other.
func headline(err error) string {
	var ce *connector.Error
	if errors.As(err, &ce) {
		if ce.Message != "" {
			return ce.Message
		}
		return string(connector.CodeOf(err))
	}
	return err.Error()
}
