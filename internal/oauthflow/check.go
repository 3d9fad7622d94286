package oauthflow

import (
	"strings"

	"github.com/connectorkit/connector"
)

// CheckClient is the config check every provider with a client ID, an
// optional secret and a scope shares (a [kit.Checker] body): no white
// space in the credentials (a pasted key with a trailing newline fails at
// the provider with an opaque error), and a scope the provider's rule
// accepts. idHint ends the client ID's message ("paste the REST API key
// alone"); it may be empty.
func (p Provider) CheckClient(clientID string, secret connector.Secret, scope, idHint string) connector.FieldErrors {
	var fe connector.FieldErrors
	if strings.ContainsFunc(clientID, IsSpace) {
		msg := "must not contain whitespace"
		if idHint != "" {
			msg += " (" + idHint + ")"
		}
		fe = append(fe, connector.FieldError{Path: "clientId", Message: msg})
	}
	if strings.ContainsFunc(secret.Reveal(), IsSpace) {
		fe = append(fe, connector.FieldError{Path: "clientSecret", Message: "must not contain whitespace"})
	}
	if _, err := p.Scope.Normalize(scope); err != nil {
		fe = append(fe, connector.FieldError{Path: "scope", Message: err.Error()})
	}
	return fe
}

// Client returns the client of a provider whose config is a client ID, a
// secret and a scope written by the provider's rule (already checked by
// [Provider.CheckClient]).
func (p Provider) Client(clientID string, secret connector.Secret, scope string) Client {
	normalized, _ := p.Scope.Normalize(scope)
	return Client{ClientID: clientID, ClientSecret: secret, Scope: normalized}
}

// OpenJSON is a provider package's Open: the JSON config decoded with every
// problem reported at once (see [Decode]), then built by the package's
// typed constructor, so JSON and Go configs take one path.
func OpenJSON[C, T any](raw []byte, factoryID string, opts []connector.Option, build func(C, ...connector.Option) (T, error)) (T, error) {
	cfg, err := Decode[C](raw, factoryID, opts)
	if err != nil {
		var zero T
		return zero, err
	}
	return build(cfg, opts...)
}
