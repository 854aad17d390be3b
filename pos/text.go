package pos

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText normalises a name or a piece of free text a person typed
// (runs of white space become one space) and refuses what could spoof a
// screen, a receipt or a log line: bytes that are not UTF-8, NUL and
// other control characters, line and paragraph separators, and the bidi
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that
// make text read differently from how it is stored. what names the field
// in the message; max bounds its length in bytes (0: no bound). An empty
// result is allowed: the caller says whether the field is required.
func CheckText(what, s string, max int) (string, error) {
	if err := checkRunes(what, s); err != nil {
		return s, err
	}
	s = strings.Join(strings.Fields(s), " ")
	if max > 0 && len(s) > max {
		return s, Errorf(EInvalidInput, "the %s is longer than %d characters", what, max)
	}
	return s, nil
}

// checkRunes is CheckText's refusal without its normalising, for codes
// (SKUs, ids) that are kept exactly as written.
func checkRunes(what, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(EInvalidInput, "the %s is not valid UTF-8 text", what)
	}
	for _, r := range s {
		if bad := forbiddenRune(r); bad != "" {
			return Errorf(EInvalidInput, "the %s holds %s (U+%04X): type it again without it", what, bad, r)
		}
	}
	return nil
}

// forbiddenRune says what r is when text may not hold it, or "".
func forbiddenRune(r rune) string {
	switch {
	case r == 0:
		return "a NUL character"
	case r == '\t' || r == '\n' || r == '\r':
		// White space a paste may bring; CheckText folds it to a space.
		return ""
	case unicode.IsControl(r):
		return "a control character"
	case r == '\u2028' || r == '\u2029':
		return "a line separator"
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return "a bidi override"
	}
	return ""
}
