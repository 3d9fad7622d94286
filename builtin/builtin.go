// Package builtin gathers connectorkit's built-in connectors, so a host adds
// them all to its registry in one call:
//
//	reg, err := builtin.NewRegistry()
//	err = reg.Register(mycompany.Factory()) // custom connectors the same way
//	c, err := reg.OpenSocial("kakao-universal", rawConfig, connector.WithHTTPClient(client))
//
// The root package imports no provider; this package is the one place that
// imports them all. Import a provider package alone to link only that one.
//
// Each Sign in with Apple connector opened through [apple.Factory] keeps its
// own cache of Apple's keys. A host with many of them (one per tenant)
// registers the factory of one shared [apple.KeySet] instead, so that the
// keys are fetched once per process.
package builtin

import (
	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/oauth2generic"
	"github.com/connectorkit/connector/oidc"
	"github.com/connectorkit/connector/sms/twilio"
	"github.com/connectorkit/connector/social/apple"
	"github.com/connectorkit/connector/social/huggingface"
	"github.com/connectorkit/connector/social/kakao"
)

// Factories returns the factory of every built-in connector, sorted by ID.
func Factories() []connector.Factory {
	return []connector.Factory{
		apple.Factory(),
		huggingface.Factory(),
		kakao.Factory(),
		oauth2generic.Factory(),
		oidc.Factory(),
		twilio.Factory(),
	}
}

// Register adds every built-in factory to reg.
func Register(reg *connector.Registry) error {
	for _, f := range Factories() {
		if err := reg.Register(f); err != nil {
			return err
		}
	}
	return nil
}

// NewRegistry returns a registry holding every built-in connector.
func NewRegistry() (*connector.Registry, error) {
	return connector.NewRegistry(Factories()...)
}
