package builtin_test

import (
	"encoding/json"
	"fmt"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
	"github.com/connectorkit/connector/kit"
)

// staffSSO is a host's own connector (its employees' sign-in), kept
// minimal: it only describes itself.
type staffSSO struct{}

func (staffSSO) Metadata() connector.Metadata {
	return connector.Metadata{ID: "acme-staff-sso", Target: "acme-staff", Type: connector.TypeSocial,
		Platform: connector.PlatformWeb, Name: map[string]string{"en": "Acme staff"},
		Logo: "https://id.example.com/logos/acme-staff.svg"}
}

func openStaffSSO(_ json.RawMessage, opts ...connector.Option) (staffSSO, error) {
	_, err := kit.ResolveOptions(opts...) // a bad option fails, as in any connector
	return staffSSO{}, kit.Attribute(err, "acme-staff-sso")
}

// A host's registry holds its own connectors and the built-in ones side by
// side; Register adds the built-ins to a registry that already exists.
func ExampleRegister() {
	reg, err := connector.NewRegistry(connector.NewFactory(staffSSO{}.Metadata(), openStaffSSO))
	if err != nil {
		panic(err)
	}
	if err := builtin.Register(reg); err != nil {
		panic(err)
	}
	for _, m := range reg.Factories() { // sorted by ID
		fmt.Println(m.ID, m.Type)
	}
	// A second Register finds every ID taken.
	fmt.Println(connector.CodeOf(builtin.Register(reg)))
	// Output:
	// acme-staff-sso Social
	// apple-universal Social
	// huggingface-universal Social
	// kakao-universal Social
	// oauth2 Social
	// oidc Social
	// twilio-short-message-service Sms
	// invalid_metadata
}
