package netguard_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/connectorkit/connector/netguard"
)

// TestAllowed runs the default policy over every refused range (its first
// and last address where that matters), the IPv6 forms that carry an IPv4
// address, and public addresses that must pass.
func TestAllowed(t *testing.T) {
	t.Parallel()
	refused := []struct {
		ip, category, embedded string
	}{
		// IPv4
		{"0.0.0.0", "unspecified", ""},
		{"0.1.2.3", "reserved", ""},
		{"10.0.0.0", "private", ""},
		{"10.255.255.255", "private", ""},
		{"100.64.0.0", "carrier-grade NAT", ""},
		{"100.100.100.200", "carrier-grade NAT", ""}, // Alibaba Cloud metadata
		{"100.127.255.255", "carrier-grade NAT", ""},
		{"127.0.0.1", "loopback", ""},
		{"127.255.255.254", "loopback", ""},
		{"169.254.0.1", "link-local", ""},
		{"169.254.169.254", "link-local", ""}, // AWS, GCP, Azure, Oracle metadata
		{"172.16.0.0", "private", ""},
		{"172.31.255.255", "private", ""},
		{"192.0.0.170", "reserved", ""},
		{"192.0.2.1", "documentation", ""},
		{"192.88.99.1", "reserved", ""},
		{"192.168.0.1", "private", ""},
		{"192.168.255.255", "private", ""},
		{"198.18.0.1", "benchmarking", ""},
		{"198.19.255.255", "benchmarking", ""},
		{"198.51.100.7", "documentation", ""},
		{"203.0.113.9", "documentation", ""},
		{"224.0.0.1", "multicast", ""},
		{"239.255.255.250", "multicast", ""},
		{"240.0.0.1", "reserved", ""},
		{"255.255.255.254", "reserved", ""},
		{"255.255.255.255", "broadcast", ""},
		// IPv6
		{"::", "unspecified", ""},
		{"::1", "loopback", ""},
		{"::7f00:1", "reserved", ""}, // deprecated IPv4-compatible ::127.0.0.1
		{"100::1", "reserved", ""},
		{"64:ff9b:1::a9fe:a9fe", "local-use NAT64", ""},
		{"2001:2::1", "benchmarking", ""},
		{"2001:db8::1", "documentation", ""},
		{"3fff::1", "documentation", ""},
		{"fc00::1", "private", ""},
		{"fd12:3456:789a::1", "private", ""},
		{"fe80::1", "link-local", ""},
		{"fe80::1%eth0", "link-local", ""},
		{"febf:ffff::1", "link-local", ""},
		{"fec0::1", "private", ""},
		{"ff02::1", "multicast", ""},
		{"fd00:ec2::254", "private", ""}, // AWS metadata over IPv6
		// IPv4 addresses in IPv6 forms
		{"::ffff:127.0.0.1", "loopback", "127.0.0.1"},
		{"::ffff:169.254.169.254", "link-local", "169.254.169.254"},
		{"::ffff:10.1.2.3", "private", "10.1.2.3"},
		{"::ffff:0.0.0.0", "unspecified", "0.0.0.0"},
		{"::ffff:100.100.100.200", "carrier-grade NAT", "100.100.100.200"},
		{"::ffff:255.255.255.255", "broadcast", "255.255.255.255"},
		{"64:ff9b::7f00:1", "loopback", "127.0.0.1"},
		{"64:ff9b::a9fe:a9fe", "link-local", "169.254.169.254"},
		{"64:ff9b::c0a8:101", "private", "192.168.1.1"},
		{"2002:7f00:1::", "loopback", "127.0.0.1"},
		{"2002:a9fe:a9fe::1", "link-local", "169.254.169.254"},
		{"2002:a00:1:1::1", "private", "10.0.0.1"},
	}
	for _, tc := range refused {
		t.Run(tc.ip, func(t *testing.T) {
			t.Parallel()
			ip := netip.MustParseAddr(tc.ip)
			err := netguard.Allowed(ip)
			if !errors.Is(err, netguard.ErrForbiddenAddress) {
				t.Fatalf("Allowed(%s) = %v, want a refusal", tc.ip, err)
			}
			var fe *netguard.ForbiddenAddressError
			if !errors.As(err, &fe) {
				t.Fatalf("Allowed(%s) = %T, want *ForbiddenAddressError", tc.ip, err)
			}
			if fe.Addr != ip || fe.Category != tc.category {
				t.Errorf("Allowed(%s): Addr %s, Category %q; want %s, %q", tc.ip, fe.Addr, fe.Category, ip, tc.category)
			}
			var want netip.Addr
			if tc.embedded != "" {
				want = netip.MustParseAddr(tc.embedded)
			}
			if fe.Embedded != want {
				t.Errorf("Allowed(%s): Embedded %s, want %s", tc.ip, fe.Embedded, want)
			}
		})
	}

	for _, s := range []string{
		"8.8.8.8",
		"1.1.1.1",
		"93.184.215.14",
		"100.63.255.255",  // just below carrier-grade NAT
		"100.128.0.0",     // just above
		"172.15.255.255",  // just below 172.16/12
		"172.32.0.0",      // just above
		"192.0.1.255",     // between 192.0.0/24 and 192.0.2/24
		"198.17.255.255",  // just below benchmarking
		"223.255.255.255", // just below multicast
		"2606:4700::1111",
		"2001:4860:4860::8888",
		"::ffff:8.8.8.8",       // IPv4-mapped public
		"64:ff9b::808:808",     // NAT64 of 8.8.8.8
		"2002:808:808::1",      // 6to4 of 8.8.8.8
		"2001:4:112::1",        // AS112, globally reachable
		"2a00:1450:4001::200e", // a public IPv6 address
	} {
		t.Run("allowed "+s, func(t *testing.T) {
			t.Parallel()
			if err := netguard.Allowed(netip.MustParseAddr(s)); err != nil {
				t.Fatalf("Allowed(%s) = %v, want nil", s, err)
			}
		})
	}

	t.Run("invalid", func(t *testing.T) {
		t.Parallel()
		err := netguard.Allowed(netip.Addr{})
		if !errors.Is(err, netguard.ErrForbiddenAddress) || err.Error() != "netguard: refusing to connect to an invalid IP address" {
			t.Fatalf("Allowed(zero Addr) = %v", err)
		}
	})
}

// TestErrorMessage pins the message of each form of refusal: deterministic,
// naming the address and the category.
func TestErrorMessage(t *testing.T) {
	t.Parallel()
	for ip, want := range map[string]string{
		"169.254.169.254":        "netguard: refusing to connect to 169.254.169.254 (link-local address)",
		"127.0.0.1":              "netguard: refusing to connect to 127.0.0.1 (loopback address)",
		"100.100.100.200":        "netguard: refusing to connect to 100.100.100.200 (carrier-grade NAT address)",
		"fe80::1%eth0":           "netguard: refusing to connect to fe80::1%eth0 (link-local address)",
		"::ffff:127.0.0.1":       "netguard: refusing to connect to ::ffff:127.0.0.1 (loopback address 127.0.0.1 in IPv4-mapped form)",
		"64:ff9b::a9fe:a9fe":     "netguard: refusing to connect to 64:ff9b::a9fe:a9fe (link-local address 169.254.169.254 in NAT64 form)",
		"2002:a00:1::":           "netguard: refusing to connect to 2002:a00:1:: (private address 10.0.0.1 in 6to4 form)",
		"::ffff:169.254.169.254": "netguard: refusing to connect to ::ffff:169.254.169.254 (link-local address 169.254.169.254 in IPv4-mapped form)",
	} {
		if got := netguard.Allowed(netip.MustParseAddr(ip)).Error(); got != want {
			t.Errorf("Allowed(%s):\n got %s\nwant %s", ip, got, want)
		}
	}
}

// TestPolicyAllow checks the escape hatch: an allowed prefix lets its
// addresses through (also in IPv4-mapped form) and nothing else.
func TestPolicyAllow(t *testing.T) {
	t.Parallel()
	p := netguard.Policy{Allow: []netip.Prefix{
		netip.MustParsePrefix("10.20.0.0/16"),
		netip.MustParsePrefix("fd00:1::/64"),
	}}
	for _, s := range []string{"10.20.0.1", "10.20.255.255", "::ffff:10.20.3.4", "fd00:1::5", "fd00:1::5%eth0", "8.8.8.8"} {
		if err := p.Check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("Check(%s) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{"10.21.0.1", "127.0.0.1", "169.254.169.254", "fd00:2::1", "64:ff9b::a14:1"} {
		if err := p.Check(netip.MustParseAddr(s)); !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Errorf("Check(%s) = %v, want a refusal", s, err)
		}
	}
	// An invalid (zero) prefix allows nothing.
	if err := (netguard.Policy{Allow: []netip.Prefix{{}}}).Check(netip.MustParseAddr("127.0.0.1")); err == nil {
		t.Error("a zero prefix in Allow let 127.0.0.1 through")
	}
}
