package pos

import "time"

// Store credit (issue 12): a claim settled with the outcome credit gives
// the customer its refund as credit on their account, which they spend
// later at any store or online. It is money, not points: it is held on the
// server alone (like gift stock), so two stores can never spend the same
// credit offline, and paying with it never earns points, since that money
// earned them once already.

// TenderStoreCredit is the tender of a payment out of store credit.
const TenderStoreCredit TenderType = "store_credit"

// CreditKind says which way a credit move goes.
type CreditKind string

const (
	// CreditIssue adds to the account's credit (a claim's credit outcome).
	CreditIssue CreditKind = "issue"
	// CreditSpend takes from it (the store_credit tender).
	CreditSpend CreditKind = "spend"
)

// CreditMove is POST /v1/credit: credit issued to or spent from an
// account. Idempotent by id: the same body again answers the first
// answer, another body is a conflict.
type CreditMove struct {
	ID      string     `json:"id"`
	Account string     `json:"account"`
	Kind    CreditKind `json:"kind"`
	// Amount is in minor units, more than zero either way.
	Amount Money `json:"amount"`
	// Reference is what the move settles: the claim issued from, the
	// receipt or order paid.
	Reference string `json:"reference,omitempty"`
	Staff     string `json:"staff,omitempty"`
}

// CreditView answers a move: the move as recorded and the account's
// credit after it.
type CreditView struct {
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	Kind      CreditKind `json:"kind"`
	Amount    Money      `json:"amount"`
	Reference string     `json:"reference,omitempty"`
	Store     string     `json:"store"`
	At        time.Time  `json:"at"`
	// StoreCredit is the account's credit once the move is made.
	StoreCredit Money `json:"store_credit"`
}

// CreditBalance is GET /v1/credit/{account}.
type CreditBalance struct {
	Account     string `json:"account"`
	StoreCredit Money  `json:"store_credit"`
}

// MaxCreditMove caps one move (a million in major units), far above any
// refund, so a typo cannot mint a fortune.
const MaxCreditMove Money = 100_000_000

// Check refuses a move the server must not record, saying why.
func (m CreditMove) Check() error {
	switch {
	case m.Kind != CreditIssue && m.Kind != CreditSpend:
		return Errorf(EInvalidInput, "kind %q is unknown: use issue or spend", m.Kind)
	case m.Amount <= 0:
		return Errorf(EInvalidInput, "amount %s must be more than zero", m.Amount)
	case m.Amount > MaxCreditMove:
		return Errorf(EInvalidInput, "amount %s is more than one move may carry (%s)", m.Amount, MaxCreditMove)
	case len(m.Reference) > 200:
		return Errorf(EInvalidInput, "reference is %d characters long: keep it to 200", len(m.Reference))
	}
	return nil
}
