package pos

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// What a terminal holds of a customer: the name, a masked email, the
// tag, the balance, the opt-in and the birth month (for the birthday
// banner). Not the email itself, the phone or the birth date: the server
// keeps those, and a stolen till gives away no more than its screens
// show. The email is kept as PrivateEmail, which the till can still find
// by the exact address a customer types.

// privateSep joins the masked email and the hash of the address.
const privateSep = "#sha256:"

// PrivateEmail is how a terminal keeps a normalised email: the masked
// form screens show and a hash of the address, so an exact lookup works
// (the typed address hashes the same) and the address is not kept.
func PrivateEmail(normalized string) string {
	if IsPrivateEmail(normalized) {
		return normalized
	}
	h := sha256.Sum256([]byte("keytag email\x00" + normalized))
	return MaskEmail(normalized) + privateSep + hex.EncodeToString(h[:16])
}

// IsPrivateEmail reports whether s is a PrivateEmail.
func IsPrivateEmail(s string) bool { return strings.Contains(s, privateSep) }

// birthMonthYear is the year a terminal's copy of a birth date carries:
// a leap year, so 29 February stays a date; the day is always the 1st.
const birthMonthYear = "2000"

// TerminalView is what a terminal is sent of an account made elsewhere:
// no phone, the email as PrivateEmail, and of the birth date only the
// month, written as 2000-MM-01 (which Account.BirthdayMonth reads).
func TerminalView(a Account) Account {
	if e, err := NormalizeEmail(a.Email); err == nil {
		a.Email = PrivateEmail(e)
	} else if !IsPrivateEmail(a.Email) {
		a.Email = MaskEmail(a.Email) + privateSep
	}
	a.Phone = ""
	if len(a.BirthDate) == len("2006-01-02") {
		a.BirthDate = birthMonthYear + a.BirthDate[4:8] + "01"
	}
	return a
}
