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
// nothing either: %q quotes String, %#v writes GoString and every other verb
// writes String, padded to the width if one is given. (Only %p, which fmt
// handles before asking any Formatter, prints the value of a Secret that is
// not behind a pointer: never use %p on one.)
func (s Secret) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String(), s.GoString()) }

// MarshalJSON writes "[REDACTED]" (or "" for an empty secret), never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
