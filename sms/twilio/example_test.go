package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

// mockTwilioServer stands in for api.twilio.com so the examples run offline.
func mockTwilioServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.FormValue("To") == "+15005550001" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)
	}))
}

const exampleConfig = `{
	"accountSID": "AC0123456789abcdef0123456789abcdef",
	"authToken": "f00dfacef00dfacef00dfacef00dface",
	"fromMessagingServiceSID": "MG00112233445566778899aabbccddeeff",
	"templates": [
		{"usageType": "SignIn", "content": "Your {{ application.name }} sign-in code is {{code}}."},
		{"usageType": "Generic", "content": "Your verification code is {{code}}."}
	]
}`

func ExampleNew() {
	srv := mockTwilioServer()
	defer srv.Close()

	c, err := twilio.New([]byte(exampleConfig),
		connector.WithHTTPClient(srv.Client()),
		connector.WithEndpoint(twilio.EndpointAPI, srv.URL)) // omit to reach api.twilio.com
	if err != nil {
		fmt.Println(err)
		return
	}
	receipt, err := c.Send(context.Background(), connector.Message{
		To:      "14155550100", // Logto's digits-only form is accepted
		Usage:   connector.UsageSignIn,
		Payload: map[string]any{"code": "123456", "application": map[string]any{"name": "Acme"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(receipt.ID, receipt.Encoding, receipt.Segments)
	// Output:
	// SM0123456789abcdef0123456789abcdef GSM-7 1
}

func ExampleNew_invalidConfig() {
	_, err := twilio.New([]byte(`{"accountSID": "AC123", "templates": [{"usageType": "Test", "content": "{{code}}"}]}`))
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// templates[0].usageType: must be one of SignIn, Register, ForgotPassword, OrganizationInvitation, Generic, UserPermissionValidation, BindNewIdentifier, MfaVerification, BindMfa
	// accountSID: must be a Twilio account SID: AC followed by 32 hexadecimal digits
	// authToken: is required (or set apiKeySID and apiKeySecret instead)
	// fromMessagingServiceSID: is required (or set fromNumber instead)
}

func ExampleConnector_Send_errors() {
	srv := mockTwilioServer()
	defer srv.Close()
	c, _ := twilio.New([]byte(exampleConfig), connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))

	// Refused before any request.
	_, err := c.Send(context.Background(), connector.Message{To: "+1 800 FLOWERS", Usage: connector.UsageSignIn})
	fmt.Println(connector.CodeOf(err))

	// Refused by Twilio: its code, message and more_info are kept.
	_, err = c.Send(context.Background(), connector.Message{To: "+15005550001", Usage: connector.UsageSignIn})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Status, ce.ProviderCode, ce.ProviderDetails["more_info"])
		fmt.Println(ce.HTTPStatus(), ce.Retryable)
	}
	// Output:
	// invalid_request_parameters
	// invalid_request_parameters 400 21211 https://www.twilio.com/docs/errors/21211
	// 400 false
}

func ExampleTestSend() {
	srv := mockTwilioServer()
	defer srv.Close()

	// Sends the Generic template with the code 000000 from a config that is
	// not saved yet, as Logto's console "test" button does.
	receipt, err := twilio.TestSend(context.Background(), []byte(exampleConfig), "+14155550100",
		connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
	fmt.Println(receipt.ID, err)
	// Output:
	// SM0123456789abcdef0123456789abcdef <nil>
}

func ExampleFactory() {
	reg, err := connector.NewRegistry(twilio.Factory())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, md := range reg.Factories() {
		fmt.Println(md.ID, md.Target, md.Type, md.DisplayName())
	}
	sender, err := reg.OpenSender(twilio.FactoryID, []byte(exampleConfig))
	fmt.Println(sender != nil, err)
	// Output:
	// twilio-short-message-service twilio-sms Sms Twilio SMS
	// true <nil>
}
