// Command connectorkit is the offline demo identity server and the admin
// tools of connectorkit.
//
//	go run ./cmd/connectorkit demo                  # every built-in connector on local mock providers
//	connectorkit demo --config connectors.json      # the same sign-in page for real providers
//	connectorkit list                               # factories and their metadata
//	connectorkit schema kakao-universal             # the JSON Schema of a factory's config
//	connectorkit validate oauth2 config.json        # every problem of a config, with its path
//	connectorkit validate --json connectors.json    # the same as one JSON object
//	connectorkit try kakao.json                     # a real sign-in through a local callback
//	connectorkit send-test twilio.json --to +14155550100
//
// Every command that reads a config file follows one rule: the file is a
// bare config (its factory named by the FACTORY argument or --factory), an
// entry {"id", "factoryId", "config"}, or an array of entries (--id picks
// one); "-" reads standard input, and a UTF-8 byte order mark is skipped.
//
// Exit codes, for scripts: 0 success; 1 failure: an invalid or unreadable
// config, or a failed operation (the error is printed); 2 a usage mistake:
// an unknown command, flag or factory, a missing or extra argument, an --id
// that names no connector, several connectors without --id, a malformed
// flag value. Every message names the command.
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
	stdin          io.Reader // read for the config file "-"
	stdout, stderr io.Writer
	getenv         func(string) string
	newRegistry    func() (*connector.Registry, error)
}

func newCLI(stdout, stderr io.Writer) *cli {
	return &cli{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, newRegistry: builtin.NewRegistry}
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
		{"validate", "[FACTORY] CONFIG.json [flags]", "check a config file and print every problem with its path", (*cli).validate},
		{"try", "[FACTORY] CONFIG.json [flags]", "sign in with a real provider through a local callback", (*cli).try},
		{"send-test", "[FACTORY] CONFIG.json --to NUMBER [flags]", "send a test SMS with a real provider config", (*cli).sendTest},
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
			fmt.Fprintf(c.stderr, "connectorkit help: unknown command %q%s\n\n", args[1], commandHint(args[1]))
			c.usage(c.stderr)
			return exitUsage
		}
		c.usage(c.stdout)
		return exitOK
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(c.stderr, "connectorkit: unknown command %q%s\n\n", name, commandHint(name))
		c.usage(c.stderr)
		return exitUsage
	}
	return cmd.run(c, ctx, args[1:])
}

// commandHint is " (did you mean NAME?)" for a mistyped command, or "".
func commandHint(name string) string {
	names := make([]string, len(commands))
	for i, cmd := range commands {
		names[i] = cmd.name
	}
	if s := closest(name, names); s != "" {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
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

Config files (validate, try, send-test, demo --config):
`+indent(configFileRule)+`

`+exitCodesText+`
`)
}

// exitCodesText ends every usage text.
const exitCodesText = `Exit codes: 0 success; 1 failure (an invalid or unreadable config, a failed
operation); 2 usage mistake (unknown command, flag or factory, missing or
extra argument, an --id that names nothing or is needed, a bad flag value).`

// indent indents every line of s by two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
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
		fmt.Fprintf(w, "\n%s\n", exitCodesText)
	}
	return fs
}

// parse parses flags that may come before, between or after the positional
// arguments ("send-test CONFIG.json --to N") and checks that there are
// minArgs to maxArgs positional arguments (maxArgs < 0: any number). It returns the exit
// code to use when parsing ends the command (--help: 0, a usage mistake:
// 2) and ok=false; it prints the usage itself.
func (c *cli) parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int) (pos []string, code int, ok bool) {
	pos, err := c.parseArgs(fs, args, minArgs, maxArgs)
	switch {
	case err == nil:
		return pos, exitOK, true
	case errors.Is(err, flag.ErrHelp):
		return nil, c.help(fs), false
	}
	fmt.Fprintf(c.stderr, "%s: %v\n", fs.Name(), err)
	fs.Usage()
	return nil, exitUsage, false
}

// help prints a subcommand's usage to stdout and returns exitOK.
func (c *cli) help(fs *flag.FlagSet) int {
	fs.SetOutput(c.stdout)
	defer fs.SetOutput(c.stderr)
	fs.Usage()
	return exitOK
}

// parseArgs is [cli.parse] without output: it returns the positional
// arguments, or flag.ErrHelp, or a usage [*cmdError].
func (c *cli) parseArgs(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	// flag prints its errors and the usage itself; the command prints
	// them once, with its name, to the right writer.
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError("%v", err)
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
	switch {
	case len(pos) < minArgs:
		return nil, usageError("missing argument")
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, usageError("unexpected argument %q", pos[maxArgs])
	}
	return pos, nil
}

// usageErr prints a usage error for a subcommand and returns exitUsage.
func (c *cli) usageErr(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(c.stderr, "Run \"%s --help\" for usage.\n", fs.Name())
	return exitUsage
}

// failErr ends a subcommand with err: exit 2 for a usage mistake, else
// [cli.fail].
func (c *cli) failErr(fs *flag.FlagSet, err error) int {
	if isUsage(err) {
		return c.usageErr(fs, "%v", err)
	}
	return c.fail(strings.TrimPrefix(fs.Name(), "connectorkit "), err)
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
