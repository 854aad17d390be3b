package pos

import (
	"strings"
	"time"
)

// Account is a customer of the loyalty program.
type Account struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	// BirthDate is YYYY-MM-DD or empty. Screens never show it, only the
	// birthday banner it causes.
	BirthDate string    `json:"birth_date,omitempty"`
	OptIn     bool      `json:"opt_in"`
	Phone     string    `json:"phone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Store     string    `json:"store,omitempty"`
	Terminal  string    `json:"terminal,omitempty"`
	// Tag is the active key tag, or empty.
	Tag     string  `json:"tag,omitempty"`
	Balance Balance `json:"balance"`
}

// MaskedEmail is the email as screens may show it.
func (a Account) MaskedEmail() string { return MaskEmail(a.Email) }

// BirthdayMonth reports whether the birthday banner shows today.
func (a Account) BirthdayMonth(today Day) bool {
	if a.BirthDate == "" {
		return false
	}
	b, err := ParseDay(a.BirthDate)
	return err == nil && BirthdayMonth(b, today)
}

// NewAccount is what enrolment asks for.
type NewAccount struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date,omitempty"`
	OptIn     bool   `json:"opt_in"`
	Phone     string `json:"phone,omitempty"`
	Tag       string `json:"tag,omitempty"`
}

// CheckNewAccount normalises an enrolment and refuses a bad one: the
// email (normalised), a name, a birth date that is a real past date, a
// phone of digits and the usual punctuation, and a tag of the program's
// format.
func (c Config) CheckNewAccount(n NewAccount, today Day) (NewAccount, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return n, err
	}
	n.Email = email
	if n.Name, err = CheckText("name", n.Name, 200); err != nil {
		return n, err
	}
	if n.Name == "" {
		return n, Errorf(EInvalidInput, "a name is required")
	}
	n.BirthDate = strings.TrimSpace(n.BirthDate)
	if n.BirthDate != "" {
		d, err := ParseDay(n.BirthDate)
		if err != nil {
			return n, Errorf(EInvalidInput, "birth date %q is not a date like 1990-04-17", n.BirthDate)
		}
		if d.After(today.Time) || d.Year() < today.Year()-130 {
			return n, Errorf(EInvalidInput, "birth date %s is not a plausible birth date", n.BirthDate)
		}
	}
	n.Phone = strings.TrimSpace(n.Phone)
	if n.Phone != "" {
		digits := 0
		for _, r := range n.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune("+-() .", r):
			default:
				return n, Errorf(EInvalidInput, "phone %q may hold only digits, spaces and + - ( ) .", n.Phone)
			}
		}
		if digits < 5 || digits > 15 {
			return n, Errorf(EInvalidInput, "phone %q needs 5 to 15 digits", n.Phone)
		}
	}
	n.Tag = strings.TrimSpace(n.Tag)
	if n.Tag != "" {
		if err := c.TagFormat.Check(n.Tag); err != nil {
			return n, err
		}
	}
	return n, nil
}

// IsEmailLookup reports whether a customer search is an email (it has an
// @) rather than a key tag.
func IsEmailLookup(s string) bool { return strings.Contains(s, "@") }
