package pos

// AccountUpdate is a change of an account's own details: a nil field
// stays as it is. Points, tags and the enrolling store are not details.
type AccountUpdate struct {
	Name      *string `json:"name,omitempty"`
	Phone     *string `json:"phone,omitempty"`
	BirthDate *string `json:"birth_date,omitempty"`
	OptIn     *bool   `json:"opt_in,omitempty"`
	Email     *string `json:"email,omitempty"`
}

// ApplyUpdate checks u against the account a and returns a changed, its
// details checked as an enrolment's are (today is the day a birth date
// may not pass). A birth date change grants no second birthday gift:
// the gift's entry id is the account's and the year's (BirthdayEntryID).
func (c Config) ApplyUpdate(a Account, u AccountUpdate, today Day) (Account, error) {
	if u.Name == nil && u.Phone == nil && u.BirthDate == nil && u.OptIn == nil && u.Email == nil {
		return a, Errorf(EInvalidInput, "nothing to change: give a name, phone, birth date, opt-in or email")
	}
	n := NewAccount{Email: a.Email, Name: a.Name, BirthDate: a.BirthDate, OptIn: a.OptIn, Phone: a.Phone}
	if u.Name != nil {
		n.Name = *u.Name
	}
	if u.Phone != nil {
		n.Phone = *u.Phone
	}
	if u.BirthDate != nil {
		n.BirthDate = *u.BirthDate
	}
	if u.OptIn != nil {
		n.OptIn = *u.OptIn
	}
	if u.Email != nil {
		n.Email = *u.Email
	}
	n, err := c.CheckNewAccount(n, today)
	if err != nil {
		return a, err
	}
	a.Email, a.Name, a.BirthDate, a.OptIn, a.Phone = n.Email, n.Name, n.BirthDate, n.OptIn, n.Phone
	return a, nil
}
