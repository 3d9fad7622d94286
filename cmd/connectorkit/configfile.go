package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// The one rule for the config file of every command. configFileRule is
// the text each command's usage repeats; the README says the same.
const configFileRule = `A config file is a bare config (name its factory with the FACTORY argument
or --factory), an entry {"id", "factoryId", "config"}, or an array of
entries (pick one with --id). "-" reads standard input; a UTF-8 byte order
mark is skipped.`

// stdinName is the config file name that reads standard input.
const stdinName = "-"

// maxConfigFileBytes bounds what a command reads as a config file.
const maxConfigFileBytes = 8 << 20

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte("\xef\xbb\xbf")

// entry is one connector instance of a connectors.json file, in the shape
// Logto stores: the instance ID, the factory ID and the factory's config.
//
//	[
//	  {"id": "kakao", "factoryId": "kakao-universal", "config": {"clientId": "..."}},
//	  {"id": "sso", "factoryId": "oauth2", "target": "acme", "config": {...}}
//	]
//
// Target is optional and only for standard connectors (oauth2), whose
// instances each name their identity provider.
type entry struct {
	ID        string          `json:"id"`
	FactoryID string          `json:"factoryId"`
	Target    string          `json:"target,omitempty"`
	Config    json.RawMessage `json:"config"`

	at   string // where the entry is in its file: "[2]", or "" for the whole file
	bare bool   // the file is the config itself, without an entry around it
}

// idPattern is what an instance ID may hold: it becomes part of the
// callback URL (/callback/{id}).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

var entryKeys = []string{"id", "factoryId", "target", "config"}

// cmdError is a failure before any connector is involved: a mistake on the
// command line (exit 2) or a config file that cannot be read (exit 1).
type cmdError struct {
	Code string // codeUsage, codeUnknownFactory or codeUnreadable
	Msg  string
	Err  error // the cause, for codeUnreadable
}

// The codes of a cmdError, as validate --json prints them.
const (
	codeUsage          = "usage"
	codeUnknownFactory = string(connector.CodeUnknownFactory)
	codeUnreadable     = "unreadable"
)

func (e *cmdError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *cmdError) Unwrap() error { return e.Err }

// usageError is a mistake on the command line.
func usageError(format string, args ...any) error {
	return &cmdError{Code: codeUsage, Msg: fmt.Sprintf(format, args...)}
}

// isUsage reports whether err is a mistake on the command line, for which
// a command exits 2.
func isUsage(err error) bool {
	var ce *cmdError
	return errors.As(err, &ce) && (ce.Code == codeUsage || ce.Code == codeUnknownFactory)
}

// displayName is how messages name a config file.
func displayName(file string) string {
	if file == stdinName {
		return "(stdin)"
	}
	return file
}

// configError is the invalid_config error of a config file, naming each
// problem by its path in the file.
func configError(file string, fe connector.FieldErrors) error {
	return &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
		Message: fmt.Sprintf("%s: invalid config file", file), Fields: fe}
}

// readConfig reads a config file, or standard input for "-", without a
// leading byte order mark.
func (c *cli) readConfig(file string) ([]byte, error) {
	what := "the config file"
	var r io.Reader = c.stdin
	if file == stdinName {
		what = "the config from standard input"
		if r == nil {
			r = strings.NewReader("")
		}
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, &cmdError{Code: codeUnreadable, Msg: "cannot read " + what, Err: err}
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxConfigFileBytes+1))
	if err != nil {
		return nil, &cmdError{Code: codeUnreadable, Msg: "cannot read " + what, Err: err}
	}
	if len(raw) > maxConfigFileBytes {
		return nil, configError(displayName(file), connector.FieldErrors{{Path: "(file)",
			Message: fmt.Sprintf("is larger than %d MiB", maxConfigFileBytes>>20)}})
	}
	return bytes.TrimPrefix(raw, utf8BOM), nil
}

// decodeDoc decodes the JSON document of file, keeping numbers exact. A
// leading byte order mark is skipped.
func decodeDoc(file string, raw []byte) (any, error) {
	raw = bytes.TrimPrefix(raw, utf8BOM)
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "is empty: expected a config, an entry or an array of entries"}})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "is not valid JSON: " + syntaxMessage(raw, err)}})
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "has data after the JSON value"}})
	}
	return doc, nil
}

// syntaxMessage describes a JSON decoding error with its line and column.
func syntaxMessage(raw []byte, err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "the file ends in the middle of a value"
		}
		return msg
	}
	// Offset counts the bytes read, the offending one included.
	i := int(min(max(se.Offset-1, 0), int64(len(raw))))
	line := 1 + bytes.Count(raw[:i], []byte("\n"))
	col := 1 + utf8.RuneCount(raw[bytes.LastIndexByte(raw[:i], '\n')+1:i])
	return fmt.Sprintf("%s (line %d, column %d)", msg, line, col)
}

// parseEntries checks a decoded connectors.json document.
func parseEntries(file string, doc any, reg *connector.Registry) ([]entry, error) {
	list, ok := doc.([]any)
	if !ok {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "must be a JSON array of {id, factoryId, config} objects"}})
	}
	if len(list) == 0 {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "lists no connector"}})
	}
	var fe connector.FieldErrors
	entries := make([]entry, 0, len(list))
	seen := map[string]int{}
	for i, item := range list {
		e, errs := checkEntry(item, "["+strconv.Itoa(i)+"]", reg)
		fe = append(fe, errs...)
		if e.ID != "" {
			if j, dup := seen[e.ID]; dup {
				fe = append(fe, connector.FieldError{Path: fmt.Sprintf("[%d].id", i), Message: fmt.Sprintf("repeats the ID of [%d]", j)})
			}
			seen[e.ID] = i
		}
		entries = append(entries, e)
	}
	if len(fe) > 0 {
		return nil, configError(file, fe)
	}
	return entries, nil
}

// checkEntry checks one entry's shape; path prefixes the field paths.
func checkEntry(item any, path string, reg *connector.Registry) (entry, connector.FieldErrors) {
	e := entry{at: path}
	var fe connector.FieldErrors
	at := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	obj, ok := item.(map[string]any)
	if !ok {
		return e, connector.FieldErrors{{Path: orFile(path), Message: "must be an object with id, factoryId and config"}}
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(entryKeys, k) {
			msg := "is not a known field (an entry has id, factoryId, target, config)"
			if s := closest(k, entryKeys); s != "" {
				msg = fmt.Sprintf("is not a known field (did you mean %s?)", s)
			}
			fe = append(fe, connector.FieldError{Path: at(k), Message: msg})
		}
	}
	str := func(k string, required bool) string {
		v, present := obj[k]
		s, isStr := v.(string)
		switch {
		case !present || v == nil:
			if required {
				fe = append(fe, connector.FieldError{Path: at(k), Message: "is required"})
			}
		case !isStr:
			fe = append(fe, connector.FieldError{Path: at(k), Message: "must be a string"})
		case s == "":
			fe = append(fe, connector.FieldError{Path: at(k), Message: "must not be empty"})
		}
		return s
	}
	e.ID = str("id", true)
	e.FactoryID = str("factoryId", true)
	e.Target = str("target", false)
	if e.ID != "" && !idPattern.MatchString(e.ID) {
		fe = append(fe, connector.FieldError{Path: at("id"), Message: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"})
	}
	if e.FactoryID != "" {
		if _, known := reg.Factory(e.FactoryID); !known {
			fe = append(fe, connector.FieldError{Path: at("factoryId"), Message: "names no known factory " + knownHint(e.FactoryID, reg)})
		}
	}
	switch cfg := obj["config"].(type) {
	case map[string]any:
		e.Config, _ = json.Marshal(cfg)
	case nil:
		fe = append(fe, connector.FieldError{Path: at("config"), Message: "is required"})
	default:
		fe = append(fe, connector.FieldError{Path: at("config"), Message: "must be a JSON object"})
	}
	return e, fe
}

func orFile(path string) string {
	if path == "" {
		return "(file)"
	}
	return path
}

func factoryIDs(reg *connector.Registry) []string {
	var ids []string
	for _, m := range reg.Factories() {
		ids = append(ids, m.ID)
	}
	return ids
}

// knownHint is the parenthesis after an unknown factory ID: the closest
// known ID, or all of them.
func knownHint(id string, reg *connector.Registry) string {
	if s := closest(id, factoryIDs(reg)); s != "" {
		return fmt.Sprintf("(did you mean %s?)", s)
	}
	return fmt.Sprintf("(known: %s; see \"connectorkit list\")", joinIDs(reg))
}

// checkFactory returns the usage error for a factory named on the command
// line that is not registered, or nil.
func checkFactory(id string, reg *connector.Registry) error {
	if id == "" {
		return nil
	}
	if _, ok := reg.Factory(id); ok {
		return nil
	}
	return &cmdError{Code: codeUnknownFactory, Msg: fmt.Sprintf("unknown factory %q %s", id, knownHint(id, reg))}
}

// configArgs is what the command line says about the config file.
type configArgs struct {
	file    string // a path, or "-" for standard input
	factory string // FACTORY or --factory: the factory of a bare config; with entries, keep those of this factory
	id      string // --id: keep the entry with this ID
	// bareFactory is the factory of a bare config when factory is "" (the
	// default of send-test); "" for none.
	bareFactory string
}

// loadConfigs reads a config file by the rule every command follows (see
// [configFileRule]) and returns its connectors: the bare config, whose
// instance ID is its factory's ID; the entry; or the entries of the array,
// of which a.factory and a.id keep those they name. Every problem in the
// file is reported at once (exit 1); a factory or ID that selects nothing,
// or a bare config without a factory, is a usage error. The factories of
// a must be registered.
func (c *cli) loadConfigs(a configArgs, reg *connector.Registry) ([]entry, error) {
	file, factory, id := a.file, a.factory, a.id
	name := displayName(file)
	raw, err := c.readConfig(file)
	if err != nil {
		return nil, err
	}
	doc, err := decodeDoc(name, raw)
	if err != nil {
		return nil, err
	}
	var entries []entry
	switch v := doc.(type) {
	case []any:
		if entries, err = parseEntries(name, v, reg); err != nil {
			return nil, err
		}
	case map[string]any:
		_, hasFactoryID := v["factoryId"]
		_, hasID := v["id"]
		_, hasConfig := v["config"]
		if !hasFactoryID && !(hasID && hasConfig) {
			if factory == "" {
				factory = a.bareFactory
			}
			switch {
			case factory == "":
				return nil, usageError("%s holds a bare config: name its factory with the FACTORY argument or --factory (see \"connectorkit list\"), or wrap it as {\"id\": ..., \"factoryId\": ..., \"config\": {...}}", name)
			case id != "":
				return nil, usageError("--id picks an entry, and %s holds a bare config (without an id)", name)
			}
			return []entry{{ID: factory, FactoryID: factory, Config: json.RawMessage(bytes.TrimSpace(raw)), bare: true}}, nil
		}
		e, fe := checkEntry(v, "", reg)
		if len(fe) > 0 {
			return nil, configError(name, fe)
		}
		entries = []entry{e}
	default:
		return nil, configError(name, connector.FieldErrors{{Path: "(file)", Message: "must be a JSON object (a config or an entry) or an array of entries"}})
	}
	all := entries
	if factory != "" {
		entries = slices.DeleteFunc(slices.Clone(entries), func(e entry) bool { return e.FactoryID != factory })
		if len(entries) == 0 {
			return nil, usageError("%s has no connector of factory %s (it has %s)", name, factory, describe(all))
		}
	}
	if id != "" {
		for _, e := range entries {
			if e.ID == id {
				return []entry{e}, nil
			}
		}
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.ID
		}
		if s := closest(id, ids); s != "" {
			return nil, usageError("%s has no connector with id %q (did you mean %s?)", name, id, s)
		}
		return nil, usageError("%s has no connector with id %q (it has %s)", name, id, describe(entries))
	}
	return entries, nil
}

// describe lists entries as "kakao (kakao-universal), sso (oauth2)".
func describe(entries []entry) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = fmt.Sprintf("%s (%s)", e.ID, e.FactoryID)
	}
	return strings.Join(parts, ", ")
}

// pickOne chooses the connector of a command that needs one, of type want:
// the only entry, else the only one of type want.
func pickOne(file string, entries []entry, want connector.Type, reg *connector.Registry) (entry, error) {
	if len(entries) == 1 {
		return entries[0], nil
	}
	typed := slices.DeleteFunc(slices.Clone(entries), func(e entry) bool {
		f, _ := reg.Factory(e.FactoryID)
		return f.Metadata.Type != want
	})
	switch len(typed) {
	case 1:
		return typed[0], nil
	case 0:
		return entry{}, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: fmt.Sprintf("%s has no %s connector (it has %s)", displayName(file), kindNoun(want), describe(entries))}
	}
	ids := make([]string, len(typed))
	for i, e := range typed {
		ids[i] = e.ID
	}
	return entry{}, usageError("%s has several %s connectors (%s): choose one with --id", displayName(file), kindNoun(want), strings.Join(ids, ", "))
}

// fieldPath is the path in the file of a field the connector of e reports
// at p.
func (e entry) fieldPath(p string) string {
	if e.bare {
		return p
	}
	join := func(k string) string {
		if e.at == "" {
			return k
		}
		return e.at + "." + k
	}
	switch {
	case p == "(options).target":
		return join("target")
	case p == "(config)":
		return join("config")
	case strings.HasPrefix(p, "("):
		return join(p)
	}
	return join("config." + p)
}

// keyPath is the path in the file of the entry's key k ("factoryId").
func (e entry) keyPath(k string) string {
	switch {
	case e.bare:
		return "(config)"
	case e.at == "":
		return k
	}
	return e.at + "." + k
}

// problems lists what is wrong with e, as err from opening it says, at the
// paths in the file: the connector's field errors, or err as one problem
// of the whole entry.
func (e entry) problems(err error) connector.FieldErrors {
	var ce *connector.Error
	if errors.As(err, &ce) && len(ce.Fields) > 0 {
		fe := make(connector.FieldErrors, len(ce.Fields))
		for i, f := range ce.Fields {
			fe[i] = connector.FieldError{Path: e.fieldPath(f.Path), Message: f.Message}
		}
		return fe
	}
	path := orFile(e.at)
	if e.bare {
		path = "(config)"
	}
	return connector.FieldErrors{{Path: path, Message: err.Error()}}
}

// sortFields orders field problems by path, as a reader expects: indexes by
// their value ("[2]" before "[10]").
func sortFields(fe connector.FieldErrors) {
	slices.SortStableFunc(fe, func(a, b connector.FieldError) int { return comparePaths(a.Path, b.Path) })
}

// comparePaths compares runs of digits by value, everything else byte by
// byte; paths equal that way compare as strings.
func comparePaths(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		dx, dy := digitRun(x), digitRun(y)
		if dx > 0 && dy > 0 {
			nx, ny := strings.TrimLeft(x[:dx], "0"), strings.TrimLeft(y[:dy], "0")
			if c := cmp.Compare(len(nx), len(ny)); c != 0 {
				return c
			}
			if c := strings.Compare(nx, ny); c != 0 {
				return c
			}
			x, y = x[dx:], y[dy:]
			continue
		}
		if x[0] != y[0] {
			return cmp.Compare(x[0], y[0])
		}
		x, y = x[1:], y[1:]
	}
	if c := cmp.Compare(len(x), len(y)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// digitRun is the number of ASCII digits s starts with.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// kindNoun names a connector type in a sentence.
func kindNoun(t connector.Type) string {
	switch t {
	case connector.TypeSocial:
		return "social"
	case connector.TypeSMS:
		return "SMS"
	}
	return strings.ToLower(string(t))
}

// options returns the connector options an entry implies.
func (e entry) options() []connector.Option {
	opts := []connector.Option{connector.WithInstanceID(e.ID)}
	if e.Target != "" {
		opts = append(opts, connector.WithTarget(e.Target))
	}
	return opts
}

// endpointFlag collects repeated --endpoint NAME=URL flags as
// [connector.WithEndpoint] options.
type endpointFlag struct{ opts []connector.Option }

func (f *endpointFlag) String() string { return "" }

func (f *endpointFlag) Set(v string) error {
	name, u, ok := strings.Cut(v, "=")
	if !ok || name == "" || u == "" {
		return fmt.Errorf("want NAME=URL, such as token=https://auth.example.com/token")
	}
	if err := kit.CheckEndpoint(u); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	f.opts = append(f.opts, connector.WithEndpoint(name, u))
	return nil
}
