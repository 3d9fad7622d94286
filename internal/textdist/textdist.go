// Package textdist measures how far apart two words are, for the "did
// you mean" hints of config decoding and the command line.
package textdist

import "strings"

// Close reports whether word is close enough to candidate to suggest it,
// ignoring case: at most a third of word's length and at most 2 edits
// (see Distance). d is the distance when close.
func Close(word, candidate string) (d int, close bool) {
	w, c := []rune(strings.ToLower(word)), []rune(strings.ToLower(candidate))
	limit := min(len(w)/3, 2)
	if len(w) == 0 || len(c)-len(w) > limit || len(w)-len(c) > limit {
		return 0, false // each missing rune is an edit
	}
	d = Distance(w, c)
	return d, d <= limit
}

// Distance is the optimal string alignment distance of a and b: the
// number of rune insertions, deletions, substitutions and transpositions
// of two adjacent runes that turn a into b.
func Distance(a, b []rune) int {
	// Three rows of the usual dynamic-programming table: before last,
	// last and current.
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
