package pos

import (
	"context"
	"time"
)

// The server's domain: who calls keytagd and what the web shop and the
// gift catalog ask of it. The server store implements them; the HTTP
// layer decodes requests into them.

// TokenRole is what a bearer token of keytagd may do.
type TokenRole string

const (
	RoleTerminal TokenRole = "terminal"
	RoleWebshop  TokenRole = "webshop"
	RoleAdmin    TokenRole = "admin"
	// RoleClaimsManager is a store manager's token for web orders' claims:
	// it does what the web shop does with claims, and a claim it opens
	// outside its window is accepted as the manager's override, recorded.
	RoleClaimsManager TokenRole = "manager"
)

// ParseTokenRole checks the role of a token an admin adds (terminal
// tokens come only from enrolment).
func ParseTokenRole(s string) (TokenRole, error) {
	switch r := TokenRole(s); r {
	case RoleWebshop, RoleAdmin, RoleClaimsManager:
		return r, nil
	}
	return "", Errorf(EInvalidInput, "role %q is unknown: use webshop, manager or admin", s)
}

// Principal is who a request to keytagd comes from.
type Principal struct {
	TokenID string
	Role    TokenRole
	Name    string
	// Terminal and Store are set for a terminal.
	Terminal string
	Store    string
}

// OrderRequest is POST /v1/orders: a web-shop order for a customer.
type OrderRequest struct {
	OrderID  string     `json:"order_id"`
	Email    string     `json:"email"`
	PlacedAt *time.Time `json:"placed_at,omitempty"`
	Lines    []Line     `json:"lines"`
	Shipping Money      `json:"shipping"`
	// ShippingCost is what the shop paid to ship an order that went out
	// free (shipping 0): satisfaction and undelivered refunds deduct it,
	// once over the order's returns.
	ShippingCost Money    `json:"shipping_cost,omitempty"`
	Tenders      []Tender `json:"tenders"`
	RedeemPoints int64    `json:"redeem_points,omitempty"`
}

// OrderStatus is where a web-shop order stands.
type OrderStatus string

// Order statuses: pending until the shop says it shipped, when the earned
// points become available.
const (
	OrderPending   OrderStatus = "pending"
	OrderProcessed OrderStatus = "processed"
)

// OrderResult answers an order.
type OrderResult struct {
	OrderID        string `json:"order_id"`
	PointsEarned   int64  `json:"points_earned"`
	PointsRedeemed int64  `json:"points_redeemed"`
	// Tax is the order's sales tax (left out when none: see PlaceOrder).
	Tax     Money       `json:"tax,omitempty"`
	Status  OrderStatus `json:"status"`
	Balance Balance     `json:"balance"`
}

// OrderReturnRequest is POST /v1/orders/{id}/returns: a return or claim
// against a web-shop order, its window counted from ReceivedOn.
type OrderReturnRequest struct {
	ReturnID   string       `json:"return_id"`
	Claim      Claim        `json:"claim"`
	Lines      []ReturnLine `json:"lines"`
	ReceivedOn string       `json:"received_on"`
	Unopened   bool         `json:"unopened,omitempty"`
	Outcome    Outcome      `json:"outcome,omitempty"`
}

// GiftUpdate changes a catalog entry; nil fields stay.
type GiftUpdate struct {
	Name   *string
	Cost   *int64
	Stock  *int64
	Active *bool
}

// ReserveRequest is POST /v1/gifts/reservations. The account is named by
// id or (from the web shop) by email. ReservationID, when given, makes a
// retry return the first answer.
type ReserveRequest struct {
	ReservationID string `json:"reservation_id,omitempty"`
	Account       string `json:"account,omitempty"`
	Email         string `json:"email,omitempty"`
	Gift          string `json:"gift"`
}

// ReservationView is a reservation and the account's balance after it.
type ReservationView struct {
	Reservation
	Balance Balance `json:"balance"`
}

// Actor is who made a gift change, for its ledger entries.
type Actor struct {
	Store, Terminal, Staff string
}

// AccountView is an account as the web shop sees it: the same shape as
// `keytag account show --json`, with the email masked.
type AccountView struct {
	Account string  `json:"account"`
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Tag     *string `json:"tag"`
	OptIn   bool    `json:"opt_in"`
	Balance Balance `json:"balance"`
}

// Flag is something an admin should look at: an offline overspend, a tag
// conflict, a merged enrolment, or a rejected record kept for review.
type Flag struct {
	ID       string    `json:"id"`
	Code     string    `json:"code"`
	Record   string    `json:"record"`
	Account  string    `json:"account,omitempty"`
	Terminal string    `json:"terminal,omitempty"`
	Detail   string    `json:"detail"`
	At       time.Time `json:"at"`
}

// ServerTerminal is a store terminal known to the server.
type ServerTerminal struct {
	ID         string    `json:"id"`
	Store      string    `json:"store"`
	Name       string    `json:"name"`
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	Acked      int64     `json:"acked"`
}

// Ledger is the server's ledger of record as keytagd's HTTP API uses it
// (pos/ledgerdb's Store implements it on SQLite and on PostgreSQL).
type Ledger interface {
	// Epoch identifies the database: a restore from a backup changes it.
	Epoch() string
	Ping(ctx context.Context) error
	Authenticate(ctx context.Context, token string) (Principal, error)

	// Terminals: enrolment, push and pull.
	Enroll(ctx context.Context, code, deviceName string) (EnrollResponse, error)
	// EnrollAs is Enroll for a terminal that names itself with a key: the
	// same key may spend the same code again while it lives.
	EnrollAs(ctx context.Context, req EnrollRequest) (EnrollResponse, error)
	Push(ctx context.Context, p Principal, recs []Record) (PushResponse, error)
	Pull(ctx context.Context, cursor int64, limit int) (PullResponse, error)

	// The web shop: accounts, orders and their returns.
	CreateAccount(ctx context.Context, n NewAccount) (AccountView, error)
	UpdateAccount(ctx context.Context, id string, u AccountUpdate) (AccountView, error)
	AccountByEmail(ctx context.Context, email string) (AccountView, error)
	// AccountEntries is a page of an account's history, newest first
	// (the web shop and admins: GET /v1/accounts/{id}/entries).
	AccountEntries(ctx context.Context, id string, limit int, after string) (EntryPage, error)
	PlaceOrder(ctx context.Context, r OrderRequest) (OrderResult, error)
	ProcessOrder(ctx context.Context, id string) (OrderResult, error)
	// ReturnOrder answers the refund split over the order's tenders (a
	// store_credit part is given back as credit).
	ReturnOrder(ctx context.Context, orderID string, r OrderReturnRequest) (ReturnRefund, error)
	// Claims on web orders, one step at a time (claim.go): opened when the
	// customer notifies the shop, judged on that day, points moved only
	// at the refund.
	OpenOrderClaim(ctx context.Context, r OrderClaimRequest) (OrderClaimView, error)
	StepOrderClaim(ctx context.Context, id string, step ClaimStep, r ClaimStepRequest) (OrderClaimView, error)
	GetOrderClaim(ctx context.Context, id string) (OrderClaimView, error)

	// Gifts: the catalog and reservations, for terminals and the web shop.
	Gifts(ctx context.Context, all bool) ([]Gift, error)
	Reserve(ctx context.Context, by Actor, r ReserveRequest) (ReservationView, error)
	GetReservation(ctx context.Context, id string) (ReservationView, error)
	ChangeGift(ctx context.Context, by Actor, id, gift string) (ReservationView, error)
	Handover(ctx context.Context, by Actor, id string) (ReservationView, error)
	Forgo(ctx context.Context, by Actor, id string) (ReservationView, error)

	// Store credit (credit.go): issued by a claim's credit outcome, spent
	// as a tender at any store or online; held here alone.
	MoveCredit(ctx context.Context, by Actor, m CreditMove) (CreditView, error)
	CreditBalance(ctx context.Context, account string) (CreditBalance, error)

	// Admin: what to look at, and the terminals.
	Flags(ctx context.Context, code string, limit int) ([]Flag, error)
	Terminals(ctx context.Context) ([]ServerTerminal, error)

	// Reports (report.go): what the programme owes, per enrolling store,
	// and the ledger per store per UTC day.
	Liability(ctx context.Context) (Liability, error)
	Daily(ctx context.Context, from, to Day) ([]DailyRow, error)
}

// OrderClaimRequest is POST /v1/claims: the customer of a web order
// notified the shop. Idempotent by claim_id.
type OrderClaimRequest struct {
	ClaimID string       `json:"claim_id"`
	OrderID string       `json:"order_id"`
	Kind    Claim        `json:"kind"`
	Lines   []ReturnLine `json:"lines"`
	// ReceivedOn is the day the customer received the goods; NotifiedOn
	// the day they notified the shop (default today), on which the
	// claim's window is judged.
	ReceivedOn string `json:"received_on"`
	NotifiedOn string `json:"notified_on,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Unopened   bool   `json:"unopened,omitempty"`
	// Override is a manager accepting a claim outside its window (see
	// ClaimOverride). Nil: the window stands.
	Override *ClaimOverride `json:"override,omitempty"`
	// By is who called (set by the API from the token).
	By Principal `json:"-"`
}

// ClaimOverride is a manager's override on a web order's claim, as the
// CLI's --override is the signed-in manager's. keytagd holds no staff or
// PINs (those live on each terminal), so it accepts the override from a
// token that stands for a manager: a "manager" token (the manager is the
// token), or a store's terminal naming the manager signed in there, whose
// PIN the terminal checked. Anything else is refused with forbidden.
type ClaimOverride struct {
	// Staff is the manager, named by a terminal.
	Staff string `json:"staff,omitempty"`
	// PIN is refused: the server cannot check one (see above).
	PIN string `json:"pin,omitempty"`
}

// ClaimStepRequest is the body of a claim's step: the day the goods came
// back (received), the finding (verified), the outcome (settled:
// refund, the default, or replacement) or why (rejected).
type ClaimStepRequest struct {
	On       string  `json:"on,omitempty"`
	Unopened bool    `json:"unopened,omitempty"`
	Outcome  Outcome `json:"outcome,omitempty"`
	Reason   string  `json:"reason,omitempty"`
	// Staff is who did the step at a store's counter.
	Staff string `json:"staff,omitempty"`
	// By is who called (set by the API from the token): a credited
	// claim's credit is recorded as issued by it.
	By Actor `json:"-"`
	// Override accepts the settling of a claim whose window has closed
	// since it was opened (the settings changed), as on opening. A claim
	// opened with an override is settled under it without another.
	Override *ClaimOverride `json:"override,omitempty"`
	// Caller is the token that called (set by the API), for Override.
	Caller Principal `json:"-"`
}

// OrderClaimView is a web order's claim as it stands, with the return its
// refund or replacement made (at that step, and after).
type OrderClaimView struct {
	ClaimCase
	Result *ReturnRefund `json:"result,omitempty"`
	// Credit is the store credit a credited claim issued: the refund.
	Credit *CreditView `json:"credit,omitempty"`
}
