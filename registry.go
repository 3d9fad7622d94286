package connector

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// OpenFunc builds a connector from its raw JSON config and options. It
// returns an invalid_config [*Error] naming every bad field.
type OpenFunc func(config json.RawMessage, opts ...Option) (Connector, error)

// Factory makes connectors of one kind: its metadata and its constructor.
// Built-in and custom connectors are registered the same way.
type Factory struct {
	Metadata Metadata
	Open     OpenFunc
}

// NewFactory makes a [Factory] from metadata and a typed constructor such as
// a provider package's New, so that a failed constructor never hands the
// registry a non-nil interface holding a nil pointer.
func NewFactory[C Connector](m Metadata, open func(config json.RawMessage, opts ...Option) (C, error)) Factory {
	return Factory{Metadata: m, Open: func(config json.RawMessage, opts ...Option) (Connector, error) {
		c, err := open(config, opts...)
		if err != nil {
			return nil, err
		}
		return c, nil
	}}
}

// Registry holds factories by ID. The zero value is an empty registry ready
// to use; a Registry is safe for concurrent use. There is no global
// registry: a host builds its own, with the built-ins it wants (see package
// builtin) and its custom connectors.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns a registry holding factories. It fails like
// [Registry.Register] on invalid metadata or a duplicate ID.
func NewRegistry(factories ...Factory) (*Registry, error) {
	r := &Registry{}
	for _, f := range factories {
		if err := r.Register(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a factory. It refuses a factory whose metadata is invalid,
// one without an Open function, and an ID that is already registered.
func (r *Registry) Register(f Factory) error {
	if err := f.Metadata.Validate(); err != nil {
		return err
	}
	if f.Open == nil {
		return &Error{Code: CodeInvalidMetadata, Connector: f.Metadata.ID, Step: StepConfig, Message: "factory has no Open function"}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[f.Metadata.ID]; dup {
		return &Error{Code: CodeInvalidMetadata, Connector: f.Metadata.ID, Step: StepConfig,
			Message: fmt.Sprintf("a factory with ID %q is already registered", f.Metadata.ID)}
	}
	if r.factories == nil {
		r.factories = map[string]Factory{}
	}
	r.factories[f.Metadata.ID] = f
	return nil
}

// Factory returns the factory registered under id.
func (r *Registry) Factory(id string) (Factory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.factories[id]
	return f, ok
}

// Factories returns the metadata of every registered factory, sorted by ID.
func (r *Registry) Factories() []Metadata {
	r.mu.RLock()
	out := make([]Metadata, 0, len(r.factories))
	for _, f := range r.factories {
		out = append(out, f.Metadata)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Metadata) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Open builds a connector of factory id from its JSON config. An unknown ID
// is an unknown_factory error; a bad config is an invalid_config error that
// names every bad field.
func (r *Registry) Open(id string, config json.RawMessage, opts ...Option) (Connector, error) {
	f, ok := r.Factory(id)
	if !ok {
		return nil, &Error{Code: CodeUnknownFactory, Connector: id, Step: StepConfig,
			Message: fmt.Sprintf("no factory is registered with ID %q (known: %s)", id, strings.Join(r.ids(), ", "))}
	}
	c, err := f.Open(config, opts...)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, &Error{Code: CodeGeneral, Connector: id, Step: StepConfig, Message: "factory returned no connector"}
	}
	return c, nil
}

// OpenSocial is [Registry.Open] for a factory that builds [Social]
// connectors; another kind is an unexpected_type error.
func (r *Registry) OpenSocial(id string, config json.RawMessage, opts ...Option) (Social, error) {
	return openAs[Social](r, id, "social", config, opts)
}

// OpenSender is [Registry.Open] for a factory that builds [Sender]
// connectors; another kind is an unexpected_type error.
func (r *Registry) OpenSender(id string, config json.RawMessage, opts ...Option) (Sender, error) {
	return openAs[Sender](r, id, "sender", config, opts)
}

func openAs[T Connector](r *Registry, id, kind string, config json.RawMessage, opts []Option) (T, error) {
	var zero T
	c, err := r.Open(id, config, opts...)
	if err != nil {
		return zero, err
	}
	t, ok := c.(T)
	if !ok {
		return zero, &Error{Code: CodeUnexpectedType, Connector: id, Step: StepConfig,
			Message: fmt.Sprintf("factory %q does not build a %s connector", id, kind)}
	}
	return t, nil
}

func (r *Registry) ids() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.factories))
	for id := range r.factories {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
