package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

func (c *cli) sendTest(ctx context.Context, args []string) int {
	fs := c.flagSet("send-test", "[FACTORY] CONFIG.json --to NUMBER [flags]", `
Sends a test SMS with a real provider config, as Logto's "send test message"
button does, to check the credentials, the sender and the templates.

`+configFileRule+`

send-test needs one SMS connector: --id picks it when an array has several.
A bare config without a factory is taken as a `+twilio.FactoryID+`
config (Logto's Twilio connector).

NUMBER is E.164 (+14155550100) or Logto's digits-only form (14155550100).

The Generic template is sent with the code `+twilio.TestCode+`.

Prints the provider's message ID. Exits 1 with the typed error (code, step,
the provider's status and error code) when the provider refuses the message.`)
	to := fs.String("to", "", "recipient phone `NUMBER` (required)")
	factoryFlag := fs.String("factory", "", "factory `ID` of a bare config, the same as the FACTORY argument (default "+twilio.FactoryID+")")
	id := fs.String("id", "", "`id` of the entry to use from an array of entries")
	timeout := fs.Duration("timeout", 30*time.Second, "how long the send may take")
	var endpoints endpointFlag
	fs.Var(&endpoints, "endpoint", "override the provider endpoint, `NAME=URL` (Twilio: api=https://api.twilio.com); repeatable")
	pos, code, ok := c.parse(fs, args, 1, 2)
	if !ok {
		return code
	}
	if *to == "" {
		return c.usageErr(fs, "--to is required")
	}
	if *timeout <= 0 {
		return c.usageErr(fs, "--timeout must be positive")
	}
	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("send-test", err)
	}
	ca, err := factoryArg(pos, *factoryFlag, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	// A bare config without a factory is Twilio's, as in Logto.
	ca.id, ca.bareFactory = *id, twilio.FactoryID
	entries, err := c.loadConfigs(ca, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	e, err := pickOne(ca.file, entries, connector.TypeSMS, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := append(e.options(), connector.WithLogger(logger))
	opts = append(opts, endpoints.opts...)
	receipt, err := testSend(ctx, reg, e, *to, opts)
	if err != nil {
		return c.fail("send-test", err)
	}
	fmt.Fprintf(c.stdout, "sent: message %s to %s", receipt.ID, *to)
	if receipt.Segments > 0 {
		fmt.Fprintf(c.stdout, " (%d %s", receipt.Segments, plural(receipt.Segments, "segment", "segments"))
		if receipt.Encoding != "" {
			fmt.Fprintf(c.stdout, ", %s", receipt.Encoding)
		}
		fmt.Fprint(c.stdout, ")")
	}
	fmt.Fprintln(c.stdout)
	return exitOK
}

// testSend sends the test message: Twilio's own [twilio.Connector.SendTest]
// for a Twilio config, the same message (Generic template, the test code)
// through any other SMS factory.
func testSend(ctx context.Context, reg *connector.Registry, e entry, to string, opts []connector.Option) (*connector.Receipt, error) {
	if e.FactoryID == twilio.FactoryID {
		c, err := twilio.Open(e.Config, opts...)
		if err != nil {
			return nil, err
		}
		return c.SendTest(ctx, to)
	}
	s, err := reg.OpenSender(e.FactoryID, e.Config, opts...)
	if err != nil {
		return nil, err
	}
	return s.Send(ctx, connector.Message{To: to, Usage: connector.UsageGeneric, Payload: map[string]any{"code": twilio.TestCode}})
}
