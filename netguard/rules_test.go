package netguard

import (
	"net/netip"
	"testing"
)

// TestRulesEdges checks the first and the last address of every refused
// range, so that no range is shadowed by a mistyped prefix or lost in the
// order of the rules, and that each rule's prefix is written in its
// canonical (masked) form.
func TestRulesEdges(t *testing.T) {
	t.Parallel()
	for _, r := range append(append([]rule{}, v4Rules...), v6Rules...) {
		if r.prefix != r.prefix.Masked() {
			t.Errorf("%s is not masked", r.prefix)
		}
		first := r.prefix.Addr()
		last := lastAddr(r.prefix)
		for _, ip := range []netip.Addr{first, last} {
			if Allowed(ip) == nil {
				t.Errorf("%s (edge of %s, %s) is allowed", ip, r.prefix, r.category)
			}
		}
		if c := category(last); c != r.category && !(r.prefix.Bits() < 32 && last == netip.MustParseAddr("255.255.255.255")) {
			t.Errorf("%s, last address of %s (%s), has category %q", last, r.prefix, r.category, c)
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
