package twilio

import (
	"encoding/json"
	"regexp"
	"testing"
)

// The schema's SID patterns say what the config check accepts, so an admin
// UI refuses exactly what opening the connector would.
func TestSchemaSIDPatternsMatchTheCheck(t *testing.T) {
	var schema struct {
		Title      string `json:"title"`
		Properties map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(metadata().ConfigSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Title != "Twilio SMS connector config" {
		t.Errorf("title %q", schema.Title)
	}
	hex32 := "0123456789abcdef0123456789ABCDEF"
	for field, prefix := range map[string]string{"accountSID": "AC", "apiKeySID": "SK", "fromMessagingServiceSID": "MG"} {
		pat := schema.Properties[field].Pattern
		if pat == "" {
			t.Errorf("%s has no pattern", field)
			continue
		}
		re := regexp.MustCompile(pat)
		for _, v := range []string{prefix + hex32, prefix + hex32[:31], prefix + hex32 + "0", "XX" + hex32, prefix + hex32[:31] + "g", " " + prefix + hex32[1:], ""} {
			if got, want := re.MatchString(v), isSID(v, prefix); got != want {
				t.Errorf("%s: pattern says %v for %q, the check %v", field, got, v, want)
			}
		}
	}
}
