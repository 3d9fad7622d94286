package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestToE164(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"e164", "+14155550100", "+14155550100"},
		{"logto digits only", "14155550100", "+14155550100"},
		{"kakao formatted", "+82 10-1234-5678", "+821012345678"},
		{"surrounding spaces", "  +447911123456\t", "+447911123456"},
		{"parentheses and dots", "+1 (415) 555.0100", "+14155550100"},
		{"korean digits only", "821012345678", "+821012345678"},
		{"twilio magic number", "+15005550006", "+15005550006"},
		{"china mobile", "+86 138 0013 8000", "+8613800138000"},
		{"germany mobile", "4915112345678", "+4915112345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ToE164(tt.in)
			if err != nil {
				t.Fatalf("ToE164(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ToE164(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestToE164Refused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "is empty"},
		{"spaces only", "   ", "is empty"},
		{"letters", "+1 800 FLOWERS", "may hold only digits"},
		{"extension", "+14155550100 ext. 12", "may hold only digits"},
		{"plus inside", "1+4155550100", `"+" that is not at the start`},
		{"double plus", "++14155550100", `"+" that is not at the start`},
		{"no digits", "+ ( ) -", "has no digits"},
		{"unknown country code", "+999123456", "known country code"},
		{"too short", "+1415555", "too short for country code +1"},
		{"one digit", "+1", "is not a phone number"},
		{"invalid for country", "+10000000000", "not a valid number for country code +1"},
		{"national number without country code", "0101234567", "known country code"},
		{"too long", "+1415555010012345678", "too long"},
		{"huge input", "+" + strings.Repeat("1", 100), "longer than 64"},
		{"script", "<script>", "may hold only digits"},
		{"fullwidth digits", "+１４１５５５５０１００", "may hold only digits"},
		{"nul byte", "+1415555\x000100", "may hold only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ToE164(tt.in)
			if err == nil {
				t.Fatalf("ToE164(%q) = %q, want an error", tt.in, got)
			}
			if got != "" {
				t.Errorf("ToE164(%q) returned %q with its error", tt.in, got)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), "invalid phone number: ") || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q, want it to say %q", err, tt.reason)
			}
			if d := strings.Trim(tt.in, " +"); len(d) > 4 && strings.Contains(err.Error(), d) {
				t.Errorf("error %q repeats the number", err)
			}
		})
	}
}

func FuzzToE164(f *testing.F) {
	for _, s := range []string{"+14155550100", "14155550100", "+82 10-1234-5678", "", "+", "((((", "+0", "+1 (", "+999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ToE164(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || got != "" {
				t.Fatalf("ToE164(%q) = %q, %v", in, got, err)
			}
			return
		}
		if len(got) < 3 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("ToE164(%q) = %q, not E.164", in, got)
		}
		again, err := ToE164(got)
		if err != nil || again != got {
			t.Fatalf("ToE164(%q) = %q, %v: not idempotent", got, again, err)
		}
	})
}

func BenchmarkToE164(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToE164("+82 10-1234-5678"); err != nil {
			b.Fatal(err)
		}
	}
}
