// Package netguard keeps a server from being steered into its own network:
// it refuses outbound connections to loopback, private, link-local
// (including the cloud metadata address 169.254.169.254), carrier-grade NAT,
// multicast and reserved addresses, checked on the IP address each
// connection is actually made to, after DNS resolution.
//
// A host needs it when tenants can set endpoint URLs: the generic OAuth 2.0
// connector's tokenEndpoint and userInfoEndpoint (and, later, OpenID Connect
// discovery and jwks_uri) are then chosen by someone other than the
// operator, who could otherwise make the server fetch
// http://169.254.169.254/, an admin port on 127.0.0.1 or a database on
// 10.0.0.5 and read the answer back through an error message. A host whose
// connector configs are written only by its own operators does not need it;
// neither does a provider that runs on the host's own network (use
// [Policy.Allow] for that one range, or no guard).
//
// The use, with a connector opened from a tenant's config:
//
//	client := netguard.NewClient() // refuses internal addresses, follows no redirect
//	c, err := reg.OpenSocial("oauth2", tenantConfig, connector.WithHTTPClient(client))
//	if err != nil { ... }
//	info, err := c.UserInfo(ctx, cb)
//	if errors.Is(err, netguard.ErrForbiddenAddress) { ... } // the tenant's endpoint points inside
//
// The check runs in the dialer's control hook ([net.Dialer.ControlContext]),
// which sees the resolved address of every connection attempt, so a name
// that resolves to a public address when a config is validated and to
// 127.0.0.1 when it is used (DNS rebinding) is still refused.
//
// The zero [Policy] refuses these ranges (from the IANA special-purpose
// address registries) and allows every other address:
//
//   - loopback 127.0.0.0/8, ::1; unspecified 0.0.0.0, ::
//   - private 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, and the
//     deprecated site-local fec0::/10
//   - link-local 169.254.0.0/16 (cloud metadata 169.254.169.254), fe80::/10
//   - carrier-grade NAT 100.64.0.0/10 (Alibaba Cloud metadata 100.100.100.200)
//   - multicast 224.0.0.0/4, ff00::/8; broadcast 255.255.255.255
//   - documentation 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//     2001:db8::/32, 3fff::/20; benchmarking 198.18.0.0/15, 2001:2::/48
//   - reserved 0.0.0.0/8, 192.0.0.0/24, 192.88.99.0/24, 240.0.0.0/4,
//     ::/96 (IPv4-compatible), 100::/64 (discard); local-use NAT64
//     64:ff9b:1::/48
//   - an IPv4 address of these ranges in an IPv6 form: IPv4-mapped
//     (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16)
//
// The guarded client dials directly: it ignores HTTP_PROXY and HTTPS_PROXY,
// because a proxy would connect on the client's behalf and the guard would
// only see the proxy's address. A host that must send its traffic through an
// egress proxy should enforce the same rules in the proxy instead.
package netguard

import (
	"errors"
	"net/netip"
	"slices"
)

// ErrForbiddenAddress is matched, with [errors.Is], by every refusal of this
// package: a [*ForbiddenAddressError] and the error of a dial to an address
// that is not an IP address.
var ErrForbiddenAddress = errors.New("netguard: forbidden address")

// ForbiddenAddressError is the refusal of one address. Its message names the
// address and why it was refused, such as
// "netguard: refusing to connect to 169.254.169.254 (link-local address)".
// It holds no part of the URL, so it is safe to log and to show a tenant.
type ForbiddenAddressError struct {
	// Addr is the address refused, as dialled (after DNS resolution).
	Addr netip.Addr
	// Category says why: "loopback", "unspecified", "private",
	// "link-local", "carrier-grade NAT", "multicast", "broadcast",
	// "documentation", "benchmarking", "local-use NAT64", "reserved" or
	// "invalid".
	Category string
	// Embedded is the IPv4 address refused when Addr is an IPv6 form of it
	// (IPv4-mapped, NAT64 or 6to4); the zero Addr otherwise.
	Embedded netip.Addr
}

func (e *ForbiddenAddressError) Error() string {
	if !e.Addr.IsValid() {
		return "netguard: refusing to connect to an invalid IP address"
	}
	s := "netguard: refusing to connect to " + e.Addr.String() + " (" + e.Category + " address"
	if e.Embedded.IsValid() {
		s += " " + e.Embedded.String() + " in " + embeddingForm(e.Addr) + " form"
	}
	return s + ")"
}

// Is makes errors.Is(err, ErrForbiddenAddress) true.
func (e *ForbiddenAddressError) Is(target error) bool { return target == ErrForbiddenAddress }

// Allowed returns nil when ip may be connected to under the default policy
// (the zero [Policy]), and a [*ForbiddenAddressError] saying why not
// otherwise. Public unicast addresses, such as 8.8.8.8 and 2606:4700::1111,
// are allowed.
func Allowed(ip netip.Addr) error { return Policy{}.Check(ip) }

// Policy says which addresses may be connected to. The zero Policy refuses
// every range listed in the package documentation and allows the rest.
// Copy it freely; its methods keep a copy of Allow, so changing the slice
// afterwards does not change a client or dialer already built.
type Policy struct {
	// Allow lists prefixes that are allowed although they fall in a refused
	// range: the escape hatch for a host whose providers run on one
	// internal network, such as netip.MustParsePrefix("10.20.0.0/16").
	// A prefix is compared with the address dialled and, for an
	// IPv4-mapped address, with the IPv4 address inside. Keep it as narrow
	// as the need: 169.254.169.254 is in 169.254.0.0/16.
	Allow []netip.Prefix
}

// Check returns nil when p allows ip, and a [*ForbiddenAddressError]
// otherwise. An IPv6 zone (fe80::1%eth0) is ignored.
func (p Policy) Check(ip netip.Addr) error {
	if !ip.IsValid() {
		return &ForbiddenAddressError{Addr: ip, Category: "invalid"}
	}
	bare := ip.WithZone("")
	if p.allows(bare) {
		return nil
	}
	if bare.Is4In6() {
		v4 := bare.Unmap()
		if p.allows(v4) {
			return nil
		}
		if c := category(v4); c != "" {
			return &ForbiddenAddressError{Addr: ip, Category: c, Embedded: v4}
		}
		return nil
	}
	if v4, ok := embeddedV4(bare); ok {
		if c := category(v4); c != "" {
			return &ForbiddenAddressError{Addr: ip, Category: c, Embedded: v4}
		}
		return nil
	}
	if c := category(bare); c != "" {
		return &ForbiddenAddressError{Addr: ip, Category: c}
	}
	return nil
}

func (p Policy) allows(ip netip.Addr) bool {
	for _, pr := range p.Allow {
		if pr.Contains(ip) {
			return true
		}
	}
	return false
}

// clone returns p with its own copy of Allow.
func (p Policy) clone() Policy {
	return Policy{Allow: slices.Clone(p.Allow)}
}

// rule is a refused range and its category. The first matching rule wins,
// so a narrower rule comes before a wider one that contains it.
type rule struct {
	prefix   netip.Prefix
	category string
}

func rules(cat string, prefixes ...string) []rule {
	out := make([]rule, len(prefixes))
	for i, s := range prefixes {
		out[i] = rule{netip.MustParsePrefix(s), cat}
	}
	return out
}

// Refused IPv4 ranges (IANA IPv4 Special-Purpose Address Registry, RFC 6890
// and successors, plus multicast and the reserved class E).
var v4Rules = slices.Concat(
	rules("unspecified", "0.0.0.0/32"),
	rules("reserved", "0.0.0.0/8"), // "this network"; Linux connects 0.x to the local host
	rules("private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	rules("carrier-grade NAT", "100.64.0.0/10"), // shared address space; Alibaba's metadata 100.100.100.200
	rules("loopback", "127.0.0.0/8"),
	rules("link-local", "169.254.0.0/16"), // cloud metadata 169.254.169.254
	rules("reserved",
		"192.0.0.0/24",   // IETF protocol assignments
		"192.88.99.0/24", // deprecated 6to4 relay anycast
	),
	rules("documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
	rules("benchmarking", "198.18.0.0/15"),
	rules("multicast", "224.0.0.0/4"),
	rules("broadcast", "255.255.255.255/32"),
	rules("reserved", "240.0.0.0/4"),
)

// Refused IPv6 ranges (IANA IPv6 Special-Purpose Address Registry and
// address architecture). IPv4-mapped, NAT64 and 6to4 addresses are judged
// by the IPv4 address they carry, before these rules.
var v6Rules = slices.Concat(
	rules("unspecified", "::/128"),
	rules("loopback", "::1/128"),
	rules("reserved",
		"::/96",    // deprecated IPv4-compatible addresses
		"100::/64", // discard-only
	),
	rules("local-use NAT64", "64:ff9b:1::/48"), // the embedded IPv4 address depends on the network
	rules("benchmarking", "2001:2::/48"),
	rules("documentation", "2001:db8::/32", "3fff::/20"),
	rules("private",
		"fc00::/7",  // unique local
		"fec0::/10", // deprecated site-local
	),
	rules("link-local", "fe80::/10"),
	rules("multicast", "ff00::/8"),
)

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// category returns the category of the first refused range holding ip (an
// unzoned, unmapped address), or "".
func category(ip netip.Addr) string {
	rs := v6Rules
	if ip.Is4() {
		rs = v4Rules
	}
	for _, r := range rs {
		if r.prefix.Contains(ip) {
			return r.category
		}
	}
	return ""
}

// embeddedV4 returns the IPv4 address carried by a NAT64 (64:ff9b::/96,
// the last 32 bits) or 6to4 (2002::/16, bits 16 to 47) address.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

func embeddingForm(ip netip.Addr) string {
	ip = ip.WithZone("")
	switch {
	case ip.Is4In6():
		return "IPv4-mapped"
	case nat64.Contains(ip):
		return "NAT64"
	case sixToFour.Contains(ip):
		return "6to4"
	}
	return "IPv6"
}
