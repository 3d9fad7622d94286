package phone

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// corpus is every region's example numbers of every type, in E.164 and in
// international format, and mutations of them (a digit changed, dropped or
// added, a leading 0, separators), plus random digits after every calling
// code: numbers the fast path takes and numbers it must leave to the
// parser.
func corpus(t *testing.T) []string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var out []string
	add := func(s string) { out = append(out, s) }
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.PERSONAL_NUMBER}
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		for _, typ := range types {
			num := phonenumbers.GetExampleNumberForType(region, typ)
			if num == nil {
				continue
			}
			e164 := phonenumbers.Format(num, phonenumbers.E164)
			add(e164)
			add(phonenumbers.Format(num, phonenumbers.INTERNATIONAL))
			add(strings.TrimPrefix(e164, "+")) // Logto's digits-only form
			d := []byte(e164)
			i := 2 + r.IntN(len(d)-2)
			changed := append([]byte(nil), d...)
			changed[i] = byte('0' + r.IntN(10))
			add(string(changed))
			add(string(d[:len(d)-1]))
			add(string(d) + "7")
			cc := len(e164) - len(phonenumbers.GetNationalSignificantNumber(num)) // "+" and the code
			add(e164[:cc] + "0" + e164[cc:])
			add(e164[:cc] + " (" + e164[cc:cc+2] + ") " + e164[cc+2:])
		}
	}
	for cc := range 1000 {
		if phonenumbers.GetRegionCodeForCountryCode(cc) == "ZZ" {
			continue
		}
		for range 8 {
			var b strings.Builder
			b.WriteString("+" + strconv.Itoa(cc))
			for range 4 + r.IntN(10) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
			add(b.String())
		}
	}
	add("+82 10-1234-5678")
	add("+821012345678")
	add("+1 415 555 0100")
	add("+11 415 555 0100")
	return out
}

// The fast path answers exactly as the parser does, on every number it
// takes; and it takes most valid numbers.
func TestFastPathMatchesParser(t *testing.T) {
	t.Parallel()
	taken, valid := 0, 0
	for _, s := range corpus(t) {
		want, werr := parse(s)
		if werr == nil {
			valid++
		}
		got, ok := fastE164(s)
		if !ok {
			continue
		}
		taken++
		if werr != nil || got != want {
			t.Errorf("%q: fast path %q, parser %q (%v)", s, got, want, werr)
		}
	}
	if taken < valid/2 {
		t.Errorf("the fast path took %d of %d valid numbers", taken, valid)
	}
	t.Logf("fast path took %d numbers; %d were valid", taken, valid)
}

func BenchmarkFastPath(b *testing.B) {
	for _, n := range []string{"+14155550100", "+82 10-1234-5678"} {
		b.Run("fast/"+n, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ToE164(n); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("parser/"+n, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parse(n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
