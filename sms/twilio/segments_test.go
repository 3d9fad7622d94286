package twilio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/sms/twilio"
)

func TestSendMaxSegments(t *testing.T) {
	t.Parallel()
	// "Code 123456. " is 13 characters; note makes up the rest.
	const template = "Code {{code}}. {{note}}"
	tests := []struct {
		name     string
		max      any // maxSegments in the config; nil leaves it out
		note     string
		segments int  // of the body
		refused  bool // with "more than maxSegments (limit)"
		limit    int
	}{
		{name: "default allows 3 segments", note: strings.Repeat("x", 459-13), segments: 3, limit: 3},
		{name: "default refuses 4 segments", note: strings.Repeat("x", 460-13), segments: 4, refused: true, limit: 3},
		{name: "default refuses 4 ucs-2 segments", note: strings.Repeat("ж", 202-13), segments: 4, refused: true, limit: 3},
		{name: "explicit null is the default", max: json.RawMessage("null"), note: strings.Repeat("x", 460-13), segments: 4, refused: true, limit: 3},
		{name: "1 allows one sms", max: 1, note: strings.Repeat("x", 160-13), segments: 1, limit: 1},
		{name: "1 refuses two", max: 1, note: strings.Repeat("x", 161-13), segments: 2, refused: true, limit: 1},
		{name: "1 refuses a short ucs-2 body of two", max: 1, note: "🔐" + strings.Repeat("ж", 57), segments: 2, refused: true, limit: 1},
		{name: "10 allows 10 segments", max: 10, note: strings.Repeat("x", 1530-13), segments: 10, limit: 10},
		{name: "10 refuses 11 segments", max: 10, note: strings.Repeat("x", 1531-13), segments: 11, refused: true, limit: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			changes := map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": template}}}
			if tt.max != nil {
				changes["maxSegments"] = tt.max
			}
			m := newMock(t, nil)
			c := m.open(config(t, changes))
			r, err := c.Send(context.Background(), connector.Message{To: "+14155550100", Usage: connector.UsageSignIn,
				Payload: map[string]any{"code": "123456", "note": tt.note}})
			if !tt.refused {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if r.Segments != tt.segments || len(m.requests()) != 1 {
					t.Fatalf("receipt %+v after %d requests, want %d segments and 1 request", r, len(m.requests()), tt.segments)
				}
				return
			}
			var ce *connector.Error
			if !errors.As(err, &ce) || r != nil {
				t.Fatalf("Send = %+v, %v; want a *connector.Error", r, err)
			}
			if ce.Code != connector.CodeInvalidRequestParameters || ce.Step != connector.StepSend || ce.Connector != twilio.FactoryID ||
				!errors.Is(err, connector.ErrInvalidRequestParameters) {
				t.Errorf("error %v: code %s step %s connector %s", err, ce.Code, ce.Step, ce.Connector)
			}
			if want := "takes " + strconv.Itoa(tt.segments) + " SMS segments"; !strings.Contains(ce.Message, want) ||
				!strings.Contains(ce.Message, "more than maxSegments ("+strconv.Itoa(tt.limit)+")") {
				t.Errorf("message %q, want it to name %q and the limit %d", ce.Message, want, tt.limit)
			}
			if n := len(m.requests()); n != 0 {
				t.Fatalf("%d requests sent to twilio, want none", n)
			}
			if s := err.Error(); strings.Contains(s, "123456") || strings.Contains(s, tt.note[:8]) {
				t.Errorf("error reveals the message: %v", err)
			}
		})
	}
}

func TestMaxSegmentsTemplatesAtOpen(t *testing.T) {
	t.Parallel()
	threeSegments := strings.Repeat("x", 453) + "{{code}}"   // 459 septets with the test code
	fourSegments := strings.Repeat("x", 454) + "{{code}}"    // 460
	longPlaceholder := strings.Repeat("x", 440) + "{{note}}" // checked as written: 448
	tests := []struct {
		name    string
		changes map[string]any
		warned  bool // the several-segments warning
	}{
		{"3 segments open under the default", map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": threeSegments}}}, true},
		{"4 segments open under maxSegments 4", map[string]any{"maxSegments": 4, "templates": []any{map[string]any{"usageType": "Generic", "content": fourSegments}}}, true},
		{"a placeholder counts as written", map[string]any{"templates": []any{map[string]any{"usageType": "Generic", "content": longPlaceholder}}}, true},
		{"one segment, no warning", map[string]any{"maxSegments": 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			_, err := twilio.Open(config(t, tt.changes), connector.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := strings.Contains(logs.String(), "template takes several SMS segments"); got != tt.warned {
				t.Errorf("warned %v, want %v:\n%s", got, tt.warned, logs.String())
			}
		})
	}
}

func TestMaxSegmentsSchema(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties map[string]struct {
			Type        string `json:"type"`
			Minimum     *int   `json:"minimum"`
			Maximum     *int   `json:"maximum"`
			Default     any    `json:"default"`
			Description string `json:"description"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(twilio.Factory().Metadata.ConfigSchema, &schema); err != nil {
		t.Fatal(err)
	}
	p, ok := schema.Properties["maxSegments"]
	if !ok || p.Type != "integer" || p.Minimum == nil || *p.Minimum != 1 || p.Maximum == nil || *p.Maximum != 10 ||
		p.Default != float64(3) || !strings.Contains(p.Description, "SMS segments") {
		t.Fatalf("maxSegments schema %+v", p)
	}
	for _, r := range schema.Required {
		if r == "maxSegments" {
			t.Error("maxSegments is required")
		}
	}
	// The decoded default is the schema's.
	var cfg twilio.Config
	if err := kit.DecodeConfig(config(t, nil), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.MaxSegments != 3 {
		t.Errorf("decoded MaxSegments %d, want 3", cfg.MaxSegments)
	}
}
