package mockprovider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// A connector author whose SMS or email provider has a fixed shape
// describes its send endpoint in a MessageSpec and gets a mock that checks
// every request as the provider would, keeps what it accepted in an
// outbox, and fails on demand in the provider's own shape. The
// connector's test is then one call of conformance.RunSender with the
// mock as its Provider (the root package's TestAcmePagerConformance does
// it for a whole connector).
//
// Here a client talks to the mock directly: a message is sent, a wrong key
// is refused (and the refusal says why in Problems), and a rate limit is
// switched on.
func ExampleNewMessage() {
	p := mockprovider.NewMessage(mockprovider.MessageSpec{
		Name:       "acme", // https://acme.mock.test
		Path:       "/v1/messages",
		Auth:       mockprovider.BearerKey, // Authorization: Bearer <key>
		ToField:    "to",
		TextField:  "text",
		Status:     http.StatusAccepted,
		IDField:    "message_id",
		ErrorCodes: map[mockprovider.Mode]string{mockprovider.InvalidRecipient: "invalid_number"},
	})
	client := p.Client() // reaches the mock, and nothing else
	post := func(key, body string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, p.URL(mockprovider.EndpointMessages), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	resp, body := post(p.APIKey(), `{"to":"+14155550100","text":"Your code is 123456"}`)
	var sent struct {
		MessageID string `json:"message_id"`
	}
	_ = json.Unmarshal([]byte(body), &sent)
	m := p.Outbox()[0]
	fmt.Println(resp.StatusCode, sent.MessageID == m.SID, m.To, m.Body, m.Segments, m.Encoding)

	_, body = post("not-the-key", `{"to":"+14155550100","text":"hi"}`)
	fmt.Println(body)
	fmt.Println(p.Problems())

	_, body = post(p.APIKey(), `{"to":"call-me","text":"hi"}`)
	fmt.Println(body)

	p.Fail(mockprovider.EndpointMessages, mockprovider.RateLimited)
	resp, body = post(p.APIKey(), `{"to":"+14155550100","text":"hi"}`)
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), body)
	// Output:
	// 202 true +14155550100 Your code is 123456 1 GSM-7
	// {"error":{"code":"unauthorized","message":"the Bearer token is not the API key"}}
	// [messages: the Bearer token is not the API key]
	// {"error":{"code":"invalid_number","message":"to is not a recipient the provider takes (an E.164 number unless MessageSpec.Recipient says otherwise)"}}
	// 429 7 {"error":{"code":"rate_limited","message":"too many requests"}}
}
