package twilio_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/sms/twilio"
)

// memTransport answers every request in memory with Twilio's 201.
type memTransport struct{}

const createdBody = `{"sid":"` + messageSID + `","account_sid":"` + accountSID + `","status":"queued","num_segments":"1",` +
	`"direction":"outbound-api","api_version":"2010-04-01","error_code":null,"error_message":null,"price":null}`

func (memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusCreated, Status: "201 Created", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(createdBody)),
		ContentLength: int64(len(createdBody)),
		Request:       req,
	}, nil
}

func BenchmarkSend(b *testing.B) {
	c, err := twilio.Open(config(b, nil), connector.WithHTTPClient(&http.Client{Transport: memTransport{}}))
	if err != nil {
		b.Fatal(err)
	}
	msg := connector.Message{To: "+14155550100", Usage: connector.UsageSignIn, Payload: map[string]any{"code": "123456"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendParallel(b *testing.B) {
	c, err := twilio.Open(config(b, nil), connector.WithHTTPClient(&http.Client{Transport: memTransport{}}))
	if err != nil {
		b.Fatal(err)
	}
	msg := connector.Message{To: "+14155550100", Usage: connector.UsageRegister, Payload: map[string]any{"code": "123456"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
