package kit_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/connectorkit/connector/kit"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"99999999999", 365 * 24 * time.Hour},
		// A date is capped like a number of seconds.
		{"Fri, 31 Dec 9999 23:59:59 GMT", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := kit.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
