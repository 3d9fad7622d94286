package main

import (
	"strings"

	"github.com/connectorkit/connector/internal/textdist"
)

// closest returns the candidate that the mistyped word was most likely meant
// to be, or "" when none is close. A candidate matches by its whole text or
// by any of its '-'-separated words ("kakoa" is one transposition from the
// "kakao" of "kakao-universal"), ignoring case, within a third of the
// word's length and at most 2 edits. Ties go to the first candidate in
// alphabetical order, so the hint is the same on every run.
func closest(word string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		for _, part := range append([]string{lc}, strings.Split(lc, "-")...) {
			d, ok := textdist.Close(word, part)
			if ok && (bestD < 0 || d < bestD || (d == bestD && c < best)) {
				best, bestD = c, d
			}
		}
	}
	return best
}
