package pos

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// SearchLimit is how many customers a search lists at most: the first
// screenful. A cashier who does not see the customer types more.
const SearchLimit = 20

// Search is what a cashier typed to find a customer, read as the store
// looks it up. Every part is a prefix: each is one range of one index.
type Search struct {
	// Name is the typed text as a name key (NameKey); empty when the text
	// cannot be a name (it holds an @ or is a phone number).
	Name string
	// Email is the typed text lower-cased, a prefix of the address from
	// its first letter ("ann.l", "ann@exa"); empty when it holds a space
	// or is a phone number. Text from the middle of an address finds
	// nothing: only a prefix is one range of the email index, and the
	// local part's start is what a customer says first.
	Email string
	// Phone is the typed digits when the text is a phone number (only
	// digits and + - ( ) . and spaces, three digits or more): a prefix of
	// the digits of the phone as it was enrolled.
	Phone string
}

// ParseSearch reads what a cashier typed to find a customer.
func ParseSearch(text string) (Search, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return Search{}, Errorf(EInvalidInput, "type the start of a name, a phone number or the start of an email to search")
	}
	if digits := PhoneDigits(t); isPhoneLike(t) && len(digits) >= 3 {
		return Search{Phone: digits}, nil
	}
	var s Search
	if !strings.Contains(t, "@") {
		s.Name = NameKey(t)
	}
	if !strings.ContainsFunc(t, unicode.IsSpace) {
		s.Email = strings.ToLower(t)
	}
	if s.Name == "" && s.Email == "" {
		return s, Errorf(EInvalidInput, "%q is not the start of a name, a phone number or the start of an email", t)
	}
	return s, nil
}

// isPhoneLike reports whether s holds only what a phone number is written
// with (as CheckNewAccount allows it).
func isPhoneLike(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789+-(). ", r) {
			return false
		}
	}
	return true
}

// foldAccents takes the accents off letters that carry them as combining
// marks (é = e + ´ once decomposed). A chain keeps state between calls, so
// each call makes its own: the window, the sync worker and the server's
// handlers fold names at once.
func foldAccents() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}

// noMarks spells the letters that do not decompose the way a person
// without them on the keyboard types them.
var noMarks = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d", "ð", "d", "þ", "th", "ı", "i")

// NameKey is a name as searches compare it: accents taken off, lower
// case, runs of spaces made one: "  Zoë  Ångström" → "zoe angstrom". The
// terminal's store keeps it beside each name, indexed, so a search by the
// start of a name is one range of one index.
func NameKey(name string) string {
	s := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if folded, _, err := transform.String(foldAccents(), s); err == nil {
		s = folded
	}
	return noMarks.Replace(s)
}

// PhoneDigits is a phone number's digits alone: "+1 (555) 010-4477" →
// "15550104477", as the store indexes phones for search.
func PhoneDigits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaskPhone shows only a phone's last digits, the rest as *, keeping how
// it is written: "+1 (555) 010-4477" → "+* (***) ***-4477". Four digits
// stay when there are at least eight, else two; the screen and the CLI
// never show more.
func MaskPhone(phone string) string {
	n := len(PhoneDigits(phone))
	if n == 0 {
		return ""
	}
	keep := 2
	if n >= 8 {
		keep = 4
	}
	var b strings.Builder
	seen := 0
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= n-keep {
				r = '*'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaskedPhone is the phone as screens may show it.
func (a Account) MaskedPhone() string { return MaskPhone(a.Phone) }
