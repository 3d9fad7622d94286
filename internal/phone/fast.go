package phone

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// fastE164 is ToE164 for the numbers hosts see nearly always, an E.164
// number or an international one with separators ("+82 10-1234-5678"),
// without libphonenumber's parser (its extension and viability regular
// expressions are most of the cost of a send): the digits are split into
// the country code and the national number as the parser would, and the
// national number is validated by libphonenumber's own IsValidNumber. ok is
// false, and the caller takes the parser's path, whenever the parser could
// do anything else with the number: no leading "+", a national number that
// starts with 0 (Italian leading zeros) or that the country's national
// prefix rule (national_prefix_for_parsing) would strip or rewrite, or a
// number IsValidNumber refuses (the parser then says why). The results are
// identical (TestFastPathMatchesParser compares both on a corpus).
func fastE164(s string) (string, bool) {
	if s[0] != '+' {
		return "", false
	}
	var buf [maxInput]byte
	d := buf[:0]
	for i := 1; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			d = append(d, c)
		}
	}
	if len(d) < 4 || len(d) > 15 {
		return "", false
	}
	prefixes := nationalPrefixes()
	for ccLen := 1; ccLen <= 3; ccLen++ {
		cc, _ := strconv.Atoi(string(d[:ccLen]))
		np, known := prefixes[cc]
		if !known {
			continue
		}
		nsn := string(d[ccLen:])
		if len(nsn) < 2 || nsn[0] == '0' || np.unsure || (np.re != nil && np.re.MatchString(nsn)) {
			return "", false
		}
		n, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil {
			return "", false
		}
		cc32 := int32(cc)
		num := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &n}
		if !phonenumbers.IsValidNumber(num) {
			return "", false
		}
		return "+" + string(d), true
	}
	return "", false
}

// nationalPrefix is a calling code's national_prefix_for_parsing (else its
// national_prefix), compiled anchored at the start as the parser applies
// it; unsure is set when the rule cannot be compiled.
type nationalPrefix struct {
	re     *regexp.Regexp
	unsure bool
}

// nationalPrefixes maps every calling code libphonenumber knows to the
// national prefix rule its parser applies to numbers with that code: the
// rule of the code's main region (the first of its regions), read once
// from its metadata.
var nationalPrefixes = sync.OnceValue(func() map[int]nationalPrefix {
	out := map[int]nationalPrefix{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out // no fast path: every number takes the parser's
	}
	for _, md := range coll.GetMetadata() {
		cc := int(md.GetCountryCode())
		main := phonenumbers.GetRegionCodeForCountryCode(cc)
		if md.GetId() != main {
			continue // the parser reads the main region's rule only
		}
		rule := md.GetNationalPrefixForParsing()
		if rule == "" {
			rule = md.GetNationalPrefix()
		}
		if rule == "" {
			out[cc] = nationalPrefix{}
			continue
		}
		re, err := regexp.Compile("^(?:" + rule + ")")
		out[cc] = nationalPrefix{re: re, unsure: err != nil}
	}
	return out
})
