// Package smsenc tells how an SMS body travels: in the GSM 03.38 7-bit
// alphabet (GSM-7) or in UCS-2, and in how many segments. Carriers bill per
// segment, so a sender reports the count instead of silently sending several.
//
//	info := smsenc.Analyze("Your code is 123456")
//	fmt.Println(info.Encoding, info.Segments) // GSM-7 1
//
// A body that uses only the GSM-7 default alphabet and its extension table
// (where each character takes two septets: ^ { } \ [ ~ ] | € and form feed)
// is GSM-7: 160 septets fit one SMS, 153 each segment of a concatenated one.
// Any other character makes the whole body UCS-2: 70 UTF-16 code units fit
// one SMS, 67 each segment, and a character outside the Basic Multilingual
// Plane (most emoji) takes two units. A two-septet character or a surrogate
// pair is never split across segments, as handsets and Twilio do.
package smsenc

import "unicode/utf8"

// Encoding is how an SMS body is encoded on the air.
type Encoding string

// Encodings.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// Segment capacities, in septets (GSM-7) or UTF-16 code units (UCS-2).
const (
	GSM7Single    = 160
	GSM7Multipart = 153
	UCS2Single    = 70
	UCS2Multipart = 67
)

// Info describes an SMS body.
type Info struct {
	// Encoding is GSM-7 or UCS-2.
	Encoding Encoding
	// Units is the body's length in septets (GSM-7) or UTF-16 code units
	// (UCS-2).
	Units int
	// Segments is the number of SMS the body is sent as; 0 for an empty
	// body.
	Segments int
}

// Analyze returns the encoding, length and segment count of body. Invalid
// UTF-8 counts as U+FFFD, which makes the body UCS-2.
func Analyze(body string) Info {
	if body == "" {
		return Info{Encoding: GSM7}
	}
	septets := 0
	for _, r := range body {
		w := gsmSeptets(r)
		if w == 0 {
			units := 0
			for _, r := range body {
				units += ucs2Units(r)
			}
			return Info{Encoding: UCS2, Units: units, Segments: count(body, units, UCS2Single, UCS2Multipart, ucs2Units)}
		}
		septets += w
	}
	return Info{Encoding: GSM7, Units: septets, Segments: count(body, septets, GSM7Single, GSM7Multipart, gsmSeptets)}
}

// count packs the characters of body (total units long) into segments of
// multi units each, a character never straddling two, once the body
// exceeds single units.
func count(body string, total, single, multi int, width func(rune) int) int {
	if total <= single {
		return 1
	}
	segments, used := 1, 0
	for _, r := range body {
		w := width(r)
		if used+w > multi {
			segments++
			used = 0
		}
		used += w
	}
	return segments
}

// gsmSeptets returns how many septets r takes in GSM-7: 1 in the default
// alphabet, 2 in the extension table, 0 when GSM-7 cannot carry it.
func gsmSeptets(r rune) int {
	if r < utf8.RuneSelf {
		return int(asciiSeptets[r])
	}
	if r == '€' {
		return 2
	}
	if gsmBasic[r] {
		return 1
	}
	return 0
}

// ucs2Units returns how many UTF-16 code units r takes.
func ucs2Units(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// asciiSeptets is the GSM-7 width of each ASCII character: 1 in the default
// alphabet, 2 in the extension table, 0 when GSM-7 cannot carry it.
var asciiSeptets = func() [utf8.RuneSelf]byte {
	var t [utf8.RuneSelf]byte
	for c := ' '; c <= '~'; c++ {
		t[c] = 1
	}
	t['\n'], t['\r'] = 1, 1
	// Not in the default alphabet: ` (never carried), and the extension
	// characters.
	t['`'] = 0
	for _, c := range "^{}\\[~]|\f" {
		t[c] = 2
	}
	return t
}()

// gsmBasic holds the non-ASCII characters of the GSM 03.38 default alphabet
// (the extension table's only non-ASCII character, €, is in gsmSeptets).
var gsmBasic = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà" {
		m[r] = true
	}
	return m
}()
