package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	if _, code, ok := c.parse(fs, args, 0); !ok {
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
	pos, code, ok := c.parse(fs, args, 1)
	if !ok {
		return code
	}
	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("schema", err)
	}
	f, err := factory(reg, pos[0])
	if err != nil {
		return c.fail("schema", err)
	}
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

func (c *cli) validate(_ context.Context, args []string) int {
	fs := c.flagSet("validate", "FACTORY CONFIG.json", `
Opens CONFIG.json (a config as Logto stores it, e.g. {"clientId": "..."}) with
the factory FACTORY and reports every problem at once, each with its JSON
path: unknown or misspelt fields, values of the wrong type, missing required
fields, invalid values. Nothing is sent to the provider.

Exits 0 when the config is valid and 1 when it is not.`)
	asJSON := fs.Bool("json", false, `print the result as JSON: {"valid": bool, "factory", "file", "problems": [{"path", "message"}], "error"}`)
	pos, code, ok := c.parse(fs, args, 2)
	if !ok {
		return code
	}
	factoryID, file := pos[0], pos[1]
	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("validate", err)
	}
	if _, err := factory(reg, factoryID); err != nil {
		return c.fail("validate", err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return c.fail("validate", fmt.Errorf("cannot read the config: %w", err))
	}
	_, err = reg.Open(factoryID, raw)
	problems := connector.FieldErrors{}
	var ce *connector.Error
	if errors.As(err, &ce) {
		problems = append(problems, ce.Fields...)
	}
	if *asJSON {
		out := struct {
			Valid    bool                  `json:"valid"`
			Factory  string                `json:"factory"`
			File     string                `json:"file"`
			Problems connector.FieldErrors `json:"problems"`
			Error    string                `json:"error,omitempty"`
		}{Valid: err == nil, Factory: factoryID, File: file, Problems: problems}
		if err != nil {
			out.Error = err.Error()
		}
		if code := c.printJSON("validate", out); code != exitOK {
			return code
		}
		if err != nil {
			return exitFailure
		}
		return exitOK
	}
	if err == nil {
		fmt.Fprintf(c.stdout, "%s: valid %s config\n", file, factoryID)
		return exitOK
	}
	switch n := len(problems); n {
	case 0:
		// Not a field problem (e.g. a key that does not parse): print the
		// whole error.
		fmt.Fprintf(c.stdout, "%s: invalid %s config: %s\n", file, factoryID, headline(err))
		for _, d := range errorDetails(err) {
			fmt.Fprintf(c.stdout, "  %s: %s\n", d.Label, d.Value)
		}
	default:
		noun := "problems"
		if n == 1 {
			noun = "problem"
		}
		fmt.Fprintf(c.stdout, "%s: invalid %s config, %d %s:\n", file, factoryID, n, noun)
		for _, f := range problems {
			fmt.Fprintf(c.stdout, "  %s: %s\n", f.Path, f.Message)
		}
	}
	return exitFailure
}

// factory returns the factory registered as id, or an unknown_factory error
// listing the known IDs.
func factory(reg *connector.Registry, id string) (connector.Factory, error) {
	f, ok := reg.Factory(id)
	if !ok {
		return f, &connector.Error{Code: connector.CodeUnknownFactory, Connector: id, Step: connector.StepConfig,
			Message: fmt.Sprintf("no factory is registered with ID %q (known: %s; see \"connectorkit list\")", id, joinIDs(reg))}
	}
	return f, nil
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
