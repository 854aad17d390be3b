package pos

import "time"

// RecordAccountUpdate is a manager's change of an account's details at a
// store's counter; its body is a CounterUpdate. keytagd applies it by the
// rules of PATCH /v1/accounts/{id} and rejects it when the new email is
// another account's.
const RecordAccountUpdate RecordKind = "account_update"

// CounterUpdate is an account's details changed at the counter: which
// account, what changed (as AccountUpdate, the email in full), by whom.
type CounterUpdate struct {
	ID      string        `json:"id"`
	Account string        `json:"account"`
	Update  AccountUpdate `json:"update"`
	Staff   string        `json:"staff"`
	Store   string        `json:"store,omitempty"`
	At      time.Time     `json:"at"`
}

// CheckCounterUpdateRecord refuses an update record a terminal could not
// have made (the details themselves are checked by ApplyUpdate).
func CheckCounterUpdateRecord(id string, u CounterUpdate) error {
	switch {
	case u.ID != id:
		return Errorf(EInvalidInput, "the account update's id %q differs from the record's", u.ID)
	case u.Account == "" || len(u.Account) > 100:
		return Errorf(EInvalidInput, "the account update names no account")
	case u.Staff == "":
		return Errorf(EInvalidInput, "the account update names no manager")
	}
	_, err := CheckText("staff", u.Staff, 100)
	return err
}
