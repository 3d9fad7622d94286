package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

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
}

// idPattern is what an instance ID may hold: it becomes part of the
// callback URL (/callback/{id}).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

var entryKeys = []string{"id", "factoryId", "target", "config"}

// configError is the invalid_config error of a config file, naming each
// problem by its path in the file.
func configError(file string, fe connector.FieldErrors) error {
	return &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
		Message: fmt.Sprintf("%s: invalid connectors file", file), Fields: fe}
}

// readJSON reads a JSON file into a generic value, keeping numbers exact.
func readJSON(file string) ([]byte, any, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: "cannot read the config file", Err: err}
	}
	doc, err := decodeDoc(file, raw)
	return raw, doc, err
}

// decodeDoc decodes the JSON document of file, keeping numbers exact.
func decodeDoc(file string, raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}})
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, configError(file, connector.FieldErrors{{Path: "(file)", Message: "has data after the JSON value"}})
	}
	return doc, nil
}

// loadEntries reads a connectors.json file: a list of entries. Every problem
// (shape, duplicate or malformed IDs, unknown factories) is reported at once.
// It does not open the connectors.
func loadEntries(file string, reg *connector.Registry) ([]entry, error) {
	_, doc, err := readJSON(file)
	if err != nil {
		return nil, err
	}
	return parseEntries(file, doc, reg)
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
	var e entry
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
	for k := range obj {
		if !slices.Contains(entryKeys, k) {
			fe = append(fe, connector.FieldError{Path: at(k), Message: "is not a known field (an entry has id, factoryId, target, config)"})
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
			fe = append(fe, connector.FieldError{Path: at("factoryId"), Message: fmt.Sprintf("names no known factory (known: %s)", joinIDs(reg))})
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

// loadOne reads the config file of "try" and "send-test": a connectors.json
// list (the entry is chosen by id, or is the only one of the wanted type), a
// single {id, factoryId, config} entry, or a bare config whose factory is
// given by factory. want is the connector type the command needs.
func loadOne(file, factory, id string, want connector.Type, reg *connector.Registry) (entry, error) {
	raw, doc, err := readJSON(file)
	if err != nil {
		return entry{}, err
	}
	var candidates []entry
	switch v := doc.(type) {
	case []any:
		if candidates, err = parseEntries(file, v, reg); err != nil {
			return entry{}, err
		}
	case map[string]any:
		if _, isEntry := v["factoryId"]; isEntry {
			e, fe := checkEntry(v, "", reg)
			if len(fe) > 0 {
				return entry{}, configError(file, fe)
			}
			candidates = []entry{e}
			break
		}
		if factory == "" {
			return entry{}, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
				Message: file + " holds a bare config: name its factory with --factory, or wrap it as {\"id\": ..., \"factoryId\": ..., \"config\": {...}}"}
		}
		if _, known := reg.Factory(factory); !known {
			return entry{}, &connector.Error{Code: connector.CodeUnknownFactory, Connector: factory, Step: connector.StepConfig,
				Message: fmt.Sprintf("no factory is registered with ID %q (known: %s)", factory, joinIDs(reg))}
		}
		return entry{ID: factory, FactoryID: factory, Config: json.RawMessage(bytes.TrimSpace(raw))}, nil
	default:
		return entry{}, configError(file, connector.FieldErrors{{Path: "(file)", Message: "must be a JSON object (a config or an entry) or an array of entries"}})
	}
	if factory != "" {
		candidates = slices.DeleteFunc(candidates, func(e entry) bool { return e.FactoryID != factory })
	}
	if id != "" {
		for _, e := range candidates {
			if e.ID == id {
				return e, nil
			}
		}
		return entry{}, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: fmt.Sprintf("%s has no connector with id %q", file, id)}
	}
	candidates = slices.DeleteFunc(candidates, func(e entry) bool {
		f, _ := reg.Factory(e.FactoryID)
		return f.Metadata.Type != want
	})
	switch len(candidates) {
	case 1:
		return candidates[0], nil
	case 0:
		return entry{}, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
			Message: fmt.Sprintf("%s has no %s connector", file, kindNoun(want))}
	}
	ids := make([]string, len(candidates))
	for i, e := range candidates {
		ids[i] = e.ID
	}
	return entry{}, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig,
		Message: fmt.Sprintf("%s has several %s connectors (%s): choose one with --id", file, kindNoun(want), strings.Join(ids, ", "))}
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
