package pos

import (
	"time"

	"github.com/google/uuid"
)

// BirthdayIn returns the day an account born on birth celebrates in year:
// its birthday, or 28 February for a 29 February birthday in a year that
// has none.
func BirthdayIn(birth Day, year int) Day {
	m, d := birth.Month(), birth.Day()
	if m == time.February && d == 29 && !isLeap(year) {
		d = 28
	}
	return Day{time.Date(year, m, d, 0, 0, 0, 0, time.UTC)}
}

// BirthdayMonth reports whether today falls in the month a terminal shows
// the birthday banner.
func BirthdayMonth(birth Day, today Day) bool {
	return !birth.IsZero() && BirthdayIn(birth, today.Year()).Month() == today.Month()
}

// BirthdayDue reports whether an account gets its birthday gift for
// today's year: it has a birth date, opted in to the email list, and its
// birthday this year is today or has passed (the first sync on or after
// it grants the gift).
func BirthdayDue(birth Day, optIn bool, today Day) bool {
	return optIn && !birth.IsZero() && !today.Before(BirthdayIn(birth, today.Year()).Time)
}

// birthdayNamespace scopes the ids of birthday entries.
var birthdayNamespace = uuid.MustParse("6f2a4c1e-6a39-4d2b-9a7e-1b0f3f9d8c21")

// BirthdayEntryID is the ledger entry id of an account's birthday gift
// for a year. Being derived, not random, it makes a second grant for the
// same account and year a duplicate of the first wherever it is made.
func BirthdayEntryID(account string, year int) string {
	return uuid.NewSHA1(birthdayNamespace, []byte(account+"/"+itoa(year))).String()
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
