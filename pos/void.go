package pos

import "time"

// KindVoid reverses a voided sale's points: one entry per balance
// (available, pending) the sale moved, the opposite of what it moved, so
// the ledger still only grows.
const KindVoid EntryKind = "void"

// RecordVoid is a void pushed by a terminal; its body is a Void.
const RecordVoid RecordKind = "void"

// Void is a completed sale cancelled the day it was made, by a manager
// with a reason. It is not a return: the sale is gone as if never rung up
// (no return may follow it), and the X/Z report shows it apart.
type Void struct {
	ID      string `json:"id"`
	Receipt string `json:"receipt"`
	Account string `json:"account,omitempty"`
	// Merchandise and Tenders are the sale's, given back whole.
	Merchandise Money    `json:"merchandise"`
	Tenders     []Tender `json:"tenders,omitempty"`
	// Earned and Redeemed are the sale's points as they were reversed:
	// Earned taken back, Redeemed given back.
	Earned   int64     `json:"points_earned"`
	Redeemed int64     `json:"points_redeemed"`
	Reason   string    `json:"reason"`
	Staff    string    `json:"staff"`
	Store    string    `json:"store,omitempty"`
	Terminal string    `json:"terminal,omitempty"`
	At       time.Time `json:"at"`
}

// CheckVoidReason refuses a void without a reason or with one no receipt
// could print; it returns the reason normalised.
func CheckVoidReason(reason string) (string, error) {
	reason, err := CheckText("reason", reason, 500)
	if err != nil {
		return reason, err
	}
	if reason == "" {
		return reason, Errorf(EInvalidInput, "a void needs a reason (--reason)")
	}
	return reason, nil
}

// CheckVoidRecord refuses a void a terminal could not have made.
func (c Config) CheckVoidRecord(id string, v Void) error {
	if v.ID != id {
		return Errorf(EInvalidInput, "the void's id %q differs from the record's", v.ID)
	}
	if v.Receipt == "" || len(v.Receipt) > 100 {
		return Errorf(EInvalidInput, "the void names no receipt")
	}
	if v.Earned < 0 || v.Earned > MaxEntryPoints || v.Redeemed < 0 || v.Redeemed > MaxEntryPoints {
		return Errorf(EInvalidInput, "the void's points are out of bounds")
	}
	if v.Merchandise < 0 || v.Merchandise > MaxAmount {
		return Errorf(EInvalidInput, "the void's merchandise is out of bounds")
	}
	if _, err := CheckVoidReason(v.Reason); err != nil {
		return err
	}
	if v.Staff == "" {
		return Errorf(EInvalidInput, "a void names the manager who made it")
	}
	return c.checkStaff(v.Staff)
}
