// Package jsonx checks provider JSON before it is read with gjson, which
// recurses without a depth limit: a hostile document nested a million levels
// deep must be refused, not followed.
package jsonx

import "github.com/tidwall/gjson"

// MaxDepth bounds the nesting of a provider document; no token response or
// profile nests anywhere near this deep.
const MaxDepth = 512

// Valid reports whether doc is one valid JSON value nested at most MaxDepth
// levels deep.
func Valid(doc []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return false
			}
		case '}', ']':
			depth--
		}
	}
	return gjson.ValidBytes(doc)
}

// ValidObject is Valid for a document that must be a JSON object.
func ValidObject(doc []byte) bool {
	for _, c := range doc {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return Valid(doc)
		}
		return false
	}
	return false
}
