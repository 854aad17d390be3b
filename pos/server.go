package pos

import "time"

// The server's domain: who calls keytagd and what the web shop and the
// gift catalog ask of it. The server store implements them; the HTTP
// layer decodes requests into them.

// TokenRole is what a bearer token of keytagd may do.
type TokenRole string

const (
	RoleTerminal TokenRole = "terminal"
	RoleWebshop  TokenRole = "webshop"
	RoleAdmin    TokenRole = "admin"
)

// ParseTokenRole checks the role of a token an admin adds (terminal
// tokens come only from enrolment).
func ParseTokenRole(s string) (TokenRole, error) {
	switch r := TokenRole(s); r {
	case RoleWebshop, RoleAdmin:
		return r, nil
	}
	return "", Errorf(EInvalidInput, "role %q is unknown: use webshop or admin", s)
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
	OrderID      string     `json:"order_id"`
	Email        string     `json:"email"`
	PlacedAt     *time.Time `json:"placed_at,omitempty"`
	Lines        []Line     `json:"lines"`
	Shipping     Money      `json:"shipping"`
	Tenders      []Tender   `json:"tenders"`
	RedeemPoints int64      `json:"redeem_points,omitempty"`
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
	OrderID        string      `json:"order_id"`
	PointsEarned   int64       `json:"points_earned"`
	PointsRedeemed int64       `json:"points_redeemed"`
	Status         OrderStatus `json:"status"`
	Balance        Balance     `json:"balance"`
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
