package pos

import (
	"context"
	"strings"
	"time"
)

// A claim's life, as the returns page runs it: the customer notifies the
// store (the claim is opened: the day, a reason, which lines); the goods
// come back (shipped by the customer within 5 business days of notifying
// for a satisfaction return, picked up by the store for damage and
// defect, brought back by the carrier when undelivered); the store
// receives them, verifies them (for satisfaction: new in the original
// packaging) and then refunds or replaces; or it rejects the claim with a
// reason. A missing item has nothing to send back: it goes from opened
// to verified. The window is judged by the day the claim was opened, and
// points move only at the refund.

// ClaimState is where a claim stands.
type ClaimState string

const (
	ClaimOpened   ClaimState = "opened"
	ClaimReceived ClaimState = "received"
	ClaimVerified ClaimState = "verified"
	ClaimRefunded ClaimState = "refunded"
	ClaimReplaced ClaimState = "replaced"
	// ClaimCredited is refunded as store credit (credit.go), on the server.
	ClaimCredited ClaimState = "credited"
	ClaimRejected ClaimState = "rejected"
)

// Closed reports whether nothing more happens to a claim in state s.
func (s ClaimState) Closed() bool {
	return s == ClaimRefunded || s == ClaimReplaced || s == ClaimCredited || s == ClaimRejected
}

// ClaimStep is what a member of staff does to a claim.
type ClaimStep string

const (
	StepReceive ClaimStep = "receive"
	StepVerify  ClaimStep = "verify"
	StepRefund  ClaimStep = "refund"
	StepReplace ClaimStep = "replace"
	StepReject  ClaimStep = "reject"
	// StepCredit settles like a refund, the money paid as store credit.
	StepCredit ClaimStep = "credit"
)

// ComesBack says how a claim's goods reach the store, as the page says.
func (c Claim) ComesBack() string {
	switch c {
	case ClaimSatisfaction:
		return "shipped back by the customer"
	case ClaimDefect, ClaimDamage:
		return "picked up by the store"
	case ClaimUndelivered:
		return "brought back by the carrier"
	default:
		return "nothing comes back"
	}
}

// receives reports whether the goods of a claim come back to be received.
func (c Claim) receives() bool { return c != ClaimMissing }

// CustomerShips reports whether the customer ships the goods back, and so
// has a ship-by day.
func (c Claim) CustomerShips() bool { return c == ClaimSatisfaction }

// Waiting is the step a claim in state s waits for ("" once closed).
func (c Claim) Waiting(s ClaimState) ClaimStep {
	switch {
	case s == ClaimOpened && c.receives():
		return StepReceive
	case s == ClaimOpened, s == ClaimReceived:
		return StepVerify
	case s == ClaimVerified && (c == ClaimSatisfaction || c == ClaimUndelivered):
		return StepRefund
	case s == ClaimVerified:
		return StepRefund + " or " + StepReplace
	}
	return ""
}

// CheckStep refuses a step out of order with the code claim_state:
// verify before receive, a second refund, anything after a rejection.
func (c Claim) CheckStep(s ClaimState, step ClaimStep) error {
	ok := false
	switch step {
	case StepReceive:
		ok = s == ClaimOpened && c.receives()
	case StepVerify:
		ok = s == ClaimReceived || (s == ClaimOpened && !c.receives())
	case StepRefund, StepCredit:
		ok = s == ClaimVerified
	case StepReplace:
		ok = s == ClaimVerified && c != ClaimSatisfaction && c != ClaimUndelivered
	case StepReject:
		ok = !s.Closed()
	}
	if ok {
		return nil
	}
	switch {
	case s.Closed():
		return Errorf(EClaimState, "the claim was already %s: nothing more can be done to it", s)
	case step == StepReceive && !c.receives():
		return Errorf(EClaimState, "a %s claim has nothing to receive: verify it", c)
	case step == StepReplace && (c == ClaimSatisfaction || c == ClaimUndelivered):
		return Errorf(EClaimState, "a %s claim is refunded, not replaced", c)
	}
	return Errorf(EClaimState, "the claim is %s and must be %s next: it cannot be %s yet", s, c.Waiting(s).done(), step.done())
}

// done is the step as a state: "received", "refunded or replaced".
func (s ClaimStep) done() string {
	r := strings.NewReplacer("receive", "received", "verify", "verified", "refund", "refunded", "replace", "replaced", "reject", "rejected", "credit", "credited")
	return r.Replace(string(s))
}

// ClaimRequest opens a claim: the customer notified the store.
type ClaimRequest struct {
	Receipt string       `json:"receipt"`
	Kind    Claim        `json:"kind"`
	Lines   []ReturnLine `json:"lines"`
	// Notified is the day the customer notified the store (zero: today).
	// The claim's window is judged on it.
	Notified Day    `json:"-"`
	Reason   string `json:"reason"`
	// Unopened is the customer's word that the items are unopened; the
	// store checks it at the verify step.
	Unopened bool `json:"unopened"`
	// Received is the day the customer received the goods, for a shipped
	// order (zero: the sale's own day), as for a return.
	Received Day `json:"-"`
	// OverrideBy is a manager who accepts the claim outside its window.
	OverrideBy *Staff `json:"-"`
}

// ClaimCase is a claim and where it stands.
type ClaimCase struct {
	ID       string       `json:"id"`
	Receipt  string       `json:"receipt"`
	Account  string       `json:"account,omitempty"`
	Kind     Claim        `json:"kind"`
	State    ClaimState   `json:"state"`
	Lines    []ReturnLine `json:"lines"`
	Reason   string       `json:"reason,omitempty"`
	Unopened bool         `json:"unopened"`
	// Notified is the day the claim was opened; Received the day the
	// customer received the goods; LastDay the window's last day ("" for
	// an undelivered order); ShipBy the day the customer must have
	// shipped the goods back by ("" when they do not ship).
	Notified string `json:"notified"`
	Received string `json:"received"`
	LastDay  string `json:"last_day,omitempty"`
	ShipBy   string `json:"ship_by,omitempty"`
	// OverrideBy is the manager who accepted the claim outside its
	// window, OverrideAt when ("" and zero: no override).
	OverrideBy string    `json:"override_by,omitempty"`
	OverrideAt time.Time `json:"override_at,omitzero"`
	// ReceivedOn is the day the goods came back to the store.
	ReceivedOn string `json:"received_on,omitempty"`
	// Verified says the items were found as described (for satisfaction:
	// new in the original packaging).
	Verified     bool   `json:"verified"`
	RejectReason string `json:"reject_reason,omitempty"`
	// Return is the return the refund or replacement made.
	Return   string    `json:"return,omitempty"`
	OpenedBy string    `json:"opened_by"`
	OpenedAt time.Time `json:"opened_at"`
	// Waiting is the next step ("" once closed); Overdue says the ship-by
	// day passed and the goods have not come back.
	Waiting ClaimStep `json:"waiting,omitempty"`
	Overdue bool      `json:"overdue"`
	// Steps are what happened, in order.
	Steps []ClaimEvent `json:"steps"`
}

// ClaimEvent is one step of a claim's life.
type ClaimEvent struct {
	Step  ClaimStep `json:"step"`
	Staff string    `json:"staff"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Describe fills a claim's Waiting and Overdue for today.
func (k *ClaimCase) Describe(today Day) {
	k.Waiting = k.Kind.Waiting(k.State)
	k.Overdue = false
	if k.State == ClaimOpened && k.ShipBy != "" {
		if by, err := ParseDay(k.ShipBy); err == nil && today.After(by.Time) {
			k.Overdue = true
		}
	}
}

// ClaimRefund is what a claim's refund answers (`claim refund --json`).
type ClaimRefund struct {
	Claim string `json:"claim"`
	ReturnRefund
}

// ClaimService is a claim's life on a terminal. Every step is one transaction:
// a step out of order is refused with claim_state and writes nothing.
type ClaimService interface {
	OpenClaim(ctx context.Context, by Staff, r ClaimRequest) (ClaimCase, error)
	// ReceiveClaim records the goods back in the store on day on (zero:
	// today).
	ReceiveClaim(ctx context.Context, by Staff, id string, on Day) (ClaimCase, error)
	// VerifyClaim records the items as described; unopened is the store's
	// finding, which a satisfaction return needs.
	VerifyClaim(ctx context.Context, by Staff, id string, unopened bool) (ClaimCase, error)
	// SettleClaim refunds or replaces a verified claim: the return, its
	// points and its refund split over the tenders, in one transaction.
	SettleClaim(ctx context.Context, by Staff, id string, outcome Outcome) (ClaimRefund, error)
	RejectClaim(ctx context.Context, by Staff, id, reason string) (ClaimCase, error)
	GetClaim(ctx context.Context, id string) (ClaimCase, error)
	// ListClaims lists claims, newest first; waiting: only those not
	// closed.
	ListClaims(ctx context.Context, waiting bool) ([]ClaimCase, error)
}
