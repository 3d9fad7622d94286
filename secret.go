package connector

import (
	"fmt"
	"log/slog"
)

// Secret is a string that never shows itself in fmt or slog output: use it
// for client secrets, auth tokens and private keys in config structs. It
// decodes from a JSON string as a plain string does; [Secret.Reveal] returns
// the value for the one place that must send it.
//
// A Secret also marshals to JSON as "[REDACTED]", so a config struct logged
// through a JSON log handler reveals nothing. Hosts store the raw JSON config
// they were given, never a marshalled config struct.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is like String.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Format writes the redacted form whatever the verb, so %x or %q reveal
// nothing either.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalJSON writes "[REDACTED]" (or "" for an empty secret), never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
