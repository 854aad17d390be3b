package pos

import (
	"strings"
	"time"
)

// RecordReceiptEmail is a cashier's request to email a receipt to the
// customer; its body is a ReceiptEmail. It carries no address: keytagd
// sends it to the account's own email, which it looks up itself.
const RecordReceiptEmail RecordKind = "receipt_email"

// ReceiptEmail is a receipt to email: the sale's (or a return's) receipt
// as the terminal rendered it in text, queued with the sale.
type ReceiptEmail struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	// Receipt is the receipt's id (a return's is its own id), which the
	// subject names.
	Receipt string    `json:"receipt"`
	Text    string    `json:"text"`
	Store   string    `json:"store,omitempty"`
	At      time.Time `json:"at"`
}

// MaxReceiptText bounds a receipt's text (a sale of 1,000 lines renders
// to well under it).
const MaxReceiptText = 200 << 10

// Subject is the email's subject line.
func (e ReceiptEmail) Subject() string { return "Your receipt " + e.Receipt }

// CheckEmailReceipt refuses to email a receipt of a sale without a
// customer, or to a customer without an email, before anything is
// written.
func CheckEmailReceipt(customer *Account) error {
	switch {
	case customer == nil:
		return Errorf(EInvalidInput, "the receipt can be emailed only to a customer: scan their tag or type their email, or leave the email tick (--email-receipt) off")
	case strings.TrimSpace(customer.Email) == "":
		return Errorf(EInvalidInput, "this customer has no email to send the receipt to: leave the email tick (--email-receipt) off")
	}
	return nil
}

// CheckReceiptEmailRecord refuses an email request a terminal could not
// have made.
func CheckReceiptEmailRecord(id string, e ReceiptEmail) error {
	switch {
	case e.ID != id:
		return Errorf(EInvalidInput, "the receipt email's id %q differs from the record's", e.ID)
	case e.Account == "" || len(e.Account) > 100:
		return Errorf(EInvalidInput, "the receipt email names no account")
	case e.Receipt == "" || len(e.Receipt) > 100:
		return Errorf(EInvalidInput, "the receipt email names no receipt")
	case strings.TrimSpace(e.Text) == "" || len(e.Text) > MaxReceiptText:
		return Errorf(EInvalidInput, "the receipt email's text is empty or longer than %d bytes", MaxReceiptText)
	}
	return nil
}

// QueuedEmail is an email waiting in keytagd's queue, with the address it
// goes to (the account's own, in full) and how often it was tried.
type QueuedEmail struct {
	ID       string
	To       string
	Subject  string
	Text     string
	Attempts int
}
