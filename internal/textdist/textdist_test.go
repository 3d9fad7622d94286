package textdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"", "abc", 3}, {"kakoa", "kakao", 1}, {"clientSecrett", "clientSecret", 1},
		{"scpoe", "scope", 1}, {"toekn", "token", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3}, {"한국", "한극", 1},
	} {
		if got := Distance([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClose(t *testing.T) {
	for _, tt := range []struct {
		word, cand string
		want       bool
	}{
		{"clientSecrett", "clientSecret", true}, {"CLIENTID", "clientId", true}, {"tokn", "token", true},
		{"id", "ip", false}, {"scope", "phone", false}, {"", "a", false}, {"abcdefghi", "abc", false},
	} {
		if _, got := Close(tt.word, tt.cand); got != tt.want {
			t.Errorf("Close(%q, %q) = %v, want %v", tt.word, tt.cand, got, tt.want)
		}
	}
}
