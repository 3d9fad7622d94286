package msgtemplate_test

import (
	"errors"
	"fmt"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/msgtemplate"
)

func ExampleNewSet() {
	set, err := msgtemplate.NewSet("twilio-short-message-service", []msgtemplate.Entry{
		{Usage: connector.UsageSignIn, Content: "Your sign-in code for {{ application.name }} is {{code}}."},
		{Usage: connector.UsageGeneric, Content: "Your code is {{code}}."},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	payload := map[string]any{"code": "123456", "application": map[string]any{"name": "Acme"}}
	for _, usage := range []connector.UsageType{connector.UsageSignIn, connector.UsageRegister} {
		body, _ := set.Render(usage, payload)
		fmt.Println(body)
	}
	// Output:
	// Your sign-in code for Acme is 123456.
	// Your code is 123456.
}

func ExampleSet_Lookup() {
	set, _ := msgtemplate.NewSet("twilio-short-message-service", []msgtemplate.Entry{
		{Usage: connector.UsageSignIn, Content: "Your code is {{code}}"},
	})
	_, err := set.Lookup(connector.UsageRegister)
	fmt.Println(errors.Is(err, connector.ErrTemplateNotFound))
	fmt.Println(err)
	// Output:
	// true
	// connector twilio-short-message-service: send: template_not_found: no template for usage type "Register" and no Generic template to fall back to
}

func ExampleCompile() {
	tpl := msgtemplate.Compile("{{ code }} expires in {{ttl}} min ({{unknown}})")
	fmt.Println(tpl.Placeholders())
	fmt.Println(tpl.Render(map[string]any{"code": 123456, "ttl": 10.0}))
	// Output:
	// [code ttl unknown]
	// 123456 expires in 10 min ({{unknown}})
}

func ExampleFormat() {
	fmt.Println(msgtemplate.Format(1500000.0), msgtemplate.Format(float32(0.1)), msgtemplate.Format([]any{"a", 2, true}))
	// Output:
	// 1500000 0.1 a, 2, true
}
