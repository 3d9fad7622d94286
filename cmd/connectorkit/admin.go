package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/connectorkit/connector"
)

func (c *cli) list(_ context.Context, args []string) int {
	fs := c.flagSet("list", "[--json]", `
Lists every built-in connector factory: its ID (the factoryId of a config),
type, target, platform, whether it is standard (several instances allowed)
and its name. With --json it prints the metadata as a JSON array (without the
config schemas: see "connectorkit schema FACTORY").`)
	asJSON := fs.Bool("json", false, "print the metadata as JSON")
	if _, code, ok := c.parse(fs, args, 0, 0); !ok {
		return code
	}
	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("list", err)
	}
	metas := reg.Factories()
	if *asJSON {
		for i := range metas {
			metas[i].ConfigSchema = nil
		}
		return c.printJSON("list", metas)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tTARGET\tPLATFORM\tSTANDARD\tNAME")
	for _, m := range metas {
		platform, standard := string(m.Platform), "no"
		if platform == "" {
			platform = "-"
		}
		if m.IsStandard {
			standard = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Type, m.Target, platform, standard, m.DisplayName())
	}
	if err := tw.Flush(); err != nil {
		return c.fail("list", err)
	}
	return exitOK
}

func (c *cli) schema(_ context.Context, args []string) int {
	fs := c.flagSet("schema", "FACTORY", `
Prints the JSON Schema (draft 2020-12) of a factory's config, derived from the
same rules "validate" and the connector apply. Admin UIs can render a form
from it; JSON Schema validators can check configs against it.`)
	pos, code, ok := c.parse(fs, args, 1, 1)
	if !ok {
		return code
	}
	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("schema", err)
	}
	if err := checkFactory(pos[0], reg); err != nil {
		return c.usageErr(fs, "%v", err)
	}
	f, _ := reg.Factory(pos[0])
	if len(f.Metadata.ConfigSchema) == 0 {
		return c.fail("schema", fmt.Errorf("factory %q publishes no config schema", pos[0]))
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, f.Metadata.ConfigSchema, "", "  "); err != nil {
		return c.fail("schema", fmt.Errorf("factory %q publishes an invalid config schema: %w", pos[0], err))
	}
	buf.WriteByte('\n')
	if _, err := c.stdout.Write(unescapeHTML(buf.Bytes())); err != nil {
		return c.fail("schema", err)
	}
	return exitOK
}

// validateResult is what validate --json prints, for every outcome: one
// JSON object on stdout, and nothing on stderr.
type validateResult struct {
	OK         bool               `json:"ok"`
	File       string             `json:"file"`       // the CONFIG argument as given ("-" for standard input), "" before it is known
	Connectors []validatedEntry   `json:"connectors"` // the connectors checked, in file order
	Error      *validateErrorJSON `json:"error"`      // null when ok
}

type validatedEntry struct {
	ID        string `json:"id"`
	FactoryID string `json:"factoryId"`
}

type validateErrorJSON struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Fields  []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

const validateHelp = `
Checks a config file: opens each connector it holds with its factory and
reports every problem at once, each with its JSON path in the file: unknown
or misspelt fields (with a "did you mean" hint), values of the wrong type,
missing required fields, invalid values. Nothing is sent to the provider.

` + configFileRule + `

validate checks every entry of an array unless --id picks one; FACTORY or
--factory, with an array, keeps the entries of that factory.

With --json it prints one JSON object for every outcome, and nothing else:

  {"ok": bool, "file": "CONFIG.json", "connectors": [{"id", "factoryId"}],
   "error": null | {"code", "message", "fields": [{"path", "message"}]}}

"connectors" lists the connectors checked; "fields", sorted by path, lists
every problem of an invalid config (and is empty for other errors). The
codes: invalid_config (exit 1: not JSON, not a config, or invalid),
unreadable (exit 1: the file cannot be read), unknown_factory (exit 2: the
factory named on the command line), usage (exit 2: any other command-line
mistake).`

func (c *cli) validate(_ context.Context, args []string) int {
	fs := c.flagSet("validate", "[FACTORY] CONFIG.json [flags]", validateHelp)
	asJSON := fs.Bool("json", false, "print the result as one JSON object (see above), whatever the outcome")
	factoryFlag := fs.String("factory", "", "factory `ID` of a bare config (the same as the FACTORY argument)")
	id := fs.String("id", "", "check only the entry with this `id`")
	res := validateResult{Connectors: []validatedEntry{}}
	pos, err := c.parseArgs(fs, args, 1, 2)
	if errors.Is(err, flag.ErrHelp) {
		return c.help(fs)
	}
	jsonOut := *asJSON || (err != nil && wantsJSON(args))
	if err != nil {
		if jsonOut {
			return c.validateJSON(res, err, exitUsage)
		}
		fmt.Fprintf(c.stderr, "%s: %v\n", fs.Name(), err)
		fs.Usage()
		return exitUsage
	}
	// end reports a failure before the config is checked.
	end := func(err error) int {
		code := exitFailure
		if isUsage(err) {
			code = exitUsage
		}
		if jsonOut {
			return c.validateJSON(res, err, code)
		}
		if code == exitUsage {
			return c.usageErr(fs, "%v", err)
		}
		return c.fail("validate", err)
	}
	reg, err := c.newRegistry()
	if err != nil {
		return end(err)
	}
	ca, err := factoryArg(pos, *factoryFlag, reg)
	res.File = ca.file
	if err != nil {
		return end(err)
	}
	ca.id = *id
	entries, err := c.loadConfigs(ca, reg)
	var ce *connector.Error
	if err != nil && !(errors.As(err, &ce) && len(ce.Fields) > 0) {
		return end(err)
	}
	var problems connector.FieldErrors
	if err != nil {
		// The file's shape: not JSON, not a config, bad entries.
		problems = append(problems, ce.Fields...)
	}
	for _, e := range entries {
		res.Connectors = append(res.Connectors, validatedEntry{ID: e.ID, FactoryID: e.FactoryID})
		if _, err := reg.Open(e.FactoryID, e.Config, e.options()...); err != nil {
			problems = append(problems, e.problems(err)...)
		}
	}
	sortFields(problems)
	count := fmt.Sprintf("%d %s", len(problems), plural(len(problems), "problem", "problems"))
	name := displayName(ca.file)
	what := "config file"
	if len(entries) == 1 && entries[0].bare {
		what = entries[0].FactoryID + " config"
	}
	if jsonOut {
		if len(problems) == 0 {
			res.OK = true
			return c.validateJSON(res, nil, exitOK)
		}
		return c.validateJSON(res, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: fmt.Sprintf("%s: invalid %s, %s", name, what, count), Fields: problems}, exitFailure)
	}
	if len(problems) == 0 {
		if len(entries) == 1 && entries[0].bare {
			fmt.Fprintf(c.stdout, "%s: valid %s\n", name, what)
		} else {
			fmt.Fprintf(c.stdout, "%s: valid %s: %s\n", name, what, describe(entries))
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "%s: invalid %s, %s:\n", name, what, count)
	for _, f := range problems {
		fmt.Fprintf(c.stdout, "  %s: %s\n", f.Path, f.Message)
	}
	return exitFailure
}

// validateJSON prints validate's JSON result, with err (nil when the config
// is valid), and returns code.
func (c *cli) validateJSON(res validateResult, err error, code int) int {
	if err != nil {
		ej := &validateErrorJSON{Code: string(connector.CodeOf(err)), Message: err.Error(), Fields: []fieldJSON{}}
		var ue *cmdError
		var ce *connector.Error
		switch {
		case errors.As(err, &ue):
			ej.Code = ue.Code
		case errors.As(err, &ce):
			ej.Message = headline(err)
			if ce.Err != nil {
				ej.Message += ": " + ce.Err.Error()
			}
			fe := slices.Clone(ce.Fields)
			sortFields(fe)
			for _, f := range fe {
				ej.Fields = append(ej.Fields, fieldJSON{Path: f.Path, Message: f.Message})
			}
		}
		res.OK, res.Error = false, ej
	}
	if c := c.printJSON("validate", res); c != exitOK {
		return c
	}
	return code
}

// wantsJSON reports whether args ask for --json, for the outcomes where the
// flags could not be parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "json" {
			continue
		}
		if !hasValue {
			return true
		}
		b, err := strconv.ParseBool(value)
		return err == nil && b
	}
	return false
}

// factoryArg reads the [FACTORY] CONFIG.json arguments and the --factory
// flag of a command. A factory named on the command line must be
// registered.
func factoryArg(pos []string, flagValue string, reg *connector.Registry) (configArgs, error) {
	if len(pos) == 1 {
		a := configArgs{file: pos[0], factory: flagValue}
		if _, isFactory := reg.Factory(a.file); isFactory {
			if _, err := os.Stat(a.file); err != nil {
				return configArgs{}, usageError("missing argument: the config file after the factory %s", a.file)
			}
		}
		return a, checkFactory(a.factory, reg)
	}
	a := configArgs{factory: pos[0], file: pos[1]}
	if flagValue != "" && flagValue != a.factory {
		return a, usageError("the FACTORY argument %q and --factory %q differ", a.factory, flagValue)
	}
	if err := checkFactory(a.factory, reg); err != nil {
		if _, swapped := reg.Factory(a.file); swapped {
			return a, &cmdError{Code: codeUnknownFactory,
				Msg: fmt.Sprintf("unknown factory %q (the factory comes first: FACTORY CONFIG.json)", a.factory)}
		}
		return a, err
	}
	return a, nil
}

func joinIDs(reg *connector.Registry) string { return strings.Join(factoryIDs(reg), ", ") }

func (c *cli) printJSON(name string, v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return c.fail(name, err)
	}
	return exitOK
}

// unescapeHTML undoes encoding/json's escaping of <, > and & inside strings
// (\u003c, \u003e, \u0026), so that schema descriptions read as written.
// It walks the escapes in order, so an escaped backslash followed by "u003e"
// is left alone.
func unescapeHTML(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "003c", "003C":
				out = append(out, '<')
				i += 5
				continue
			case "003e", "003E":
				out = append(out, '>')
				i += 5
				continue
			case "0026":
				out = append(out, '&')
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}
