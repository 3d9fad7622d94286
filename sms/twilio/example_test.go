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

// exampleConfig is a config as Logto's console saves it.
const exampleConfig = `{
	"accountSID": "AC0123456789abcdef0123456789abcdef",
	"authToken": "f00dfacef00dfacef00dfacef00dface",
	"fromMessagingServiceSID": "MG00112233445566778899aabbccddeeff",
	"disableRiskCheck": false,
	"templates": [
		{"usageType": "SignIn", "content": "Your {{ application.name }} sign-in code is {{code}}."},
		{"usageType": "Generic", "content": "Your verification code is {{code}}."}
	]
}`

func ExampleNew() {
	srv := mockTwilioServer()
	defer srv.Close()

	// A Go host fills the Config; unset fields take their defaults
	// (host api.twilio.com, maxSegments 3).
	c, err := twilio.New(twilio.Config{
		AccountSID: "AC0123456789abcdef0123456789abcdef",
		AuthToken:  connector.Secret("f00dfacef00dfacef00dfacef00dface"), // from your secret store
		FromNumber: "+14155550199",
		Templates: []twilio.Template{
			{UsageType: connector.UsageSignIn, Content: "Your {{ application.name }} sign-in code is {{code}}."},
			{UsageType: connector.UsageGeneric, Content: "Your verification code is {{code}}."},
		},
	},
		connector.WithHTTPClient(srv.Client()),
		connector.WithEndpoint(twilio.EndpointAPI, srv.URL)) // omit to reach api.twilio.com
	if err != nil {
		fmt.Println(err)
		return
	}
	receipt, err := c.Send(context.Background(), connector.Message{
		To:      "+14155550100",
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
	_, err := twilio.New(twilio.Config{
		AccountSID:              "AC0123456789abcdef0123456789abcdef",
		APIKeySID:               "SKfedcba9876543210fedcba9876543210", // without its apiKeySecret
		FromMessagingServiceSID: "MG00112233445566778899aabbccddeeff",
		FromNumber:              "+14155550199", // a second sender
		Templates:               []twilio.Template{{UsageType: connector.UsageGeneric, Content: "{{code}}"}},
		MaxSegments:             20,
	})
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// apiKeySecret: is required when apiKeySID is set
	// fromNumber: must not be set together with fromMessagingServiceSID
	// maxSegments: must be at most 10
}

func ExampleOpen() {
	srv := mockTwilioServer()
	defer srv.Close()

	// Logto's Twilio SMS config opens unchanged.
	c, err := twilio.Open([]byte(exampleConfig),
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

func ExampleOpen_invalidConfig() {
	_, err := twilio.Open([]byte(`{"accountSID": "AC123", "templates": [{"usageType": "Test", "content": "{{code}}"}]}`))
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// accountSID: must be a Twilio account SID: AC followed by 32 hexadecimal digits
	// authToken: is required (or set apiKeySID and apiKeySecret instead)
	// fromMessagingServiceSID: is required when fromNumber is not set
	// templates[0].usageType: must be one of SignIn, Register, ForgotPassword, OrganizationInvitation, Generic, UserPermissionValidation, BindNewIdentifier, MfaVerification, BindMfa
}

func ExampleConnector_Send_errors() {
	srv := mockTwilioServer()
	defer srv.Close()
	c, _ := twilio.Open([]byte(exampleConfig), connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))

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

func ExampleConnector_SendTest() {
	srv := mockTwilioServer()
	defer srv.Close()

	// Checks a config that is not saved yet, as Logto's console "send test
	// message" button does: the Generic template with the code 000000.
	c, err := twilio.Open([]byte(exampleConfig),
		connector.WithHTTPClient(srv.Client()), connector.WithEndpoint(twilio.EndpointAPI, srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	receipt, err := c.SendTest(context.Background(), "+14155550100")
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
