package smsenc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAnalyze(t *testing.T) {
	t.Parallel()
	a := strings.Repeat
	tests := []struct {
		name     string
		body     string
		enc      Encoding
		units    int
		segments int
	}{
		{"empty", "", GSM7, 0, 0},
		{"code", "Your code is 123456", GSM7, 19, 1},
		{"gsm punctuation and symbols", "@£$¥ èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà", GSM7, 66, 1},
		{"extension characters count double", "^{}\\[~]|€\f", GSM7, 20, 1},
		{"160 septets fit one sms", a("a", 160), GSM7, 160, 1},
		{"161 septets take two", a("a", 161), GSM7, 161, 2},
		{"306 septets take two", a("a", 306), GSM7, 306, 2},
		{"307 septets take three", a("a", 307), GSM7, 307, 3},
		{"euro pushes past 160", a("a", 159) + "€", GSM7, 161, 2},
		{"escape pair never split", a("a", 152) + "{" + a("a", 152), GSM7, 306, 3},
		{"escape pair fits exactly", a("a", 151) + "{" + a("a", 153), GSM7, 306, 2},
		{"cyrillic", "Ваш код 123456", UCS2, 14, 1},
		{"70 units fit one sms", a("ж", 70), UCS2, 70, 1},
		{"71 units take two", a("ж", 71), UCS2, 71, 2},
		{"134 units take two", a("ж", 134), UCS2, 134, 2},
		{"135 units take three", a("ж", 135), UCS2, 135, 3},
		{"one gsm-incompatible char switches everything", a("a", 100) + "ж", UCS2, 101, 2},
		{"emoji is a surrogate pair", "😀", UCS2, 2, 1},
		{"35 emoji fit one sms", a("😀", 35), UCS2, 70, 1},
		{"36 emoji take two", a("😀", 36), UCS2, 72, 2},
		{"surrogate pair never split", a("ж", 66) + "😀" + a("ж", 66), UCS2, 134, 3},
		{"lowercase c cedilla is not gsm", "ç", UCS2, 1, 1},
		{"backtick is not gsm", "`", UCS2, 1, 1},
		{"tab is not gsm", "a\tb", UCS2, 3, 1},
		{"invalid utf-8 is ucs-2", "code \xff", UCS2, 6, 1},
		{"cjk", "您的验证码是123456", UCS2, 12, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Analyze(tt.body)
			want := Info{Encoding: tt.enc, Units: tt.units, Segments: tt.segments}
			if got != want {
				t.Fatalf("Analyze(%.40q...) = %+v, want %+v", tt.body, got, want)
			}
		})
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "Your code is 123456", "€{}", "😀ж", "\xff\xfe", strings.Repeat("a{", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		info := Analyze(body)
		if body == "" {
			if info.Segments != 0 || info.Units != 0 {
				t.Fatalf("empty body: %+v", info)
			}
			return
		}
		single, multi := GSM7Single, GSM7Multipart
		if info.Encoding == UCS2 {
			single, multi = UCS2Single, UCS2Multipart
		} else if info.Encoding != GSM7 {
			t.Fatalf("encoding %q", info.Encoding)
		}
		if info.Units < utf8.RuneCountInString(body) {
			t.Fatalf("%d units for %d characters", info.Units, utf8.RuneCountInString(body))
		}
		switch {
		case info.Units <= single && info.Segments != 1:
			t.Fatalf("%d units in %d segments", info.Units, info.Segments)
		case info.Units > single && (info.Segments < (info.Units+multi-1)/multi || info.Segments > info.Units/(multi-1)+1):
			t.Fatalf("%d units in %d segments", info.Units, info.Segments)
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	for _, bm := range []struct{ name, body string }{
		{"gsm", "Your sign-in verification code is 123456. The code will remain active for 10 minutes."},
		{"ucs2", "您的验证码是 123456，10 分钟内有效。"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Analyze(bm.body)
			}
		})
	}
}
