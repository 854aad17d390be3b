package pos

import (
	"context"
	"time"
)

// SaleRequest is a checkout at the counter.
type SaleRequest struct {
	// Customer is a key tag or an email; empty for a sale without points.
	Customer string
	// AccountID, when set, is the customer instead of Customer: the
	// account the window already found, so the checkout does not look
	// them up a second time (a tag replaced meanwhile cannot move the sale
	// to no one).
	AccountID string
	Order
	// OverrideBy is a manager, signed in with their PIN, who lets an
	// offline redemption pass the offline cap. It is recorded.
	OverrideBy *Staff
	// Items are catalog products by SKU or barcode, sold at the catalog's
	// price after the open-price Lines (which, while the catalog holds
	// any product, only a manager may ring up).
	Items []Item
	// SpendCredit spends the store_credit tenders' sum from the customer's
	// credit on the server, once the sale has its receipt and before it is
	// written (store credit is held on the server alone). It answers how to
	// give the spend back should the sale then fail. Nil (offline, not
	// joined, the window) refuses a store_credit tender with needs_server.
	SpendCredit func(ctx context.Context, receipt, account string, amount Money) (giveBack func(), err error)
	// Change is cash already handed back that the tenders do not show (the
	// window takes it off the cash tender as the cashier types it); cash
	// tenders over the amount due give change at checkout too (GiveChange).
	Change Money
	// EmailReceipt queues the receipt to be emailed to the customer, in
	// the sale's transaction; keytagd sends it to the account's own email.
	EmailReceipt bool
}

// Item asks for Qty of the product a code (SKU or barcode) finds.
type Item struct {
	Code string `json:"code"`
	Qty  int64  `json:"qty"`
}

// Sale is a completed checkout: what the receipt says.
type Sale struct {
	Receipt        string     `json:"receipt"`
	Account        string     `json:"account,omitempty"`
	Lines          []SoldLine `json:"lines"`
	Shipping       Money      `json:"shipping"`
	ShippingCost   Money      `json:"shipping_cost,omitempty"`
	Tenders        []Tender   `json:"tenders"`
	Merchandise    Money      `json:"merchandise"`
	PointsRedeemed int64      `json:"points_redeemed"`
	PointsEarned   int64      `json:"points_earned"`
	Store          string     `json:"store,omitempty"`
	Terminal       string     `json:"terminal,omitempty"`
	Staff          string     `json:"staff,omitempty"`
	At             time.Time  `json:"at"`
	// ClawedBack and Credited are what returns have reversed so far.
	ClawedBack int64 `json:"clawed_back"`
	Credited   int64 `json:"credited"`
	// Tax is the order's sales tax, contained in the prices when
	// TaxIncluded, else added to them; SettingsVersion is the program
	// settings' version the sale was made under.
	Tax             Money `json:"tax,omitempty"`
	TaxIncluded     bool  `json:"tax_included,omitempty"`
	SettingsVersion int64 `json:"settings_version,omitempty"`
	// CashTendered is the cash the customer handed over and Change what
	// went back (the cash tenders are what the order kept); both 0 on a
	// sale without change.
	CashTendered Money `json:"cash_tendered,omitempty"`
	Change       Money `json:"change,omitempty"`
}

// SaleResult is what a checkout answers (the CLI's `sale --json`).
type SaleResult struct {
	Receipt        string  `json:"receipt"`
	Account        *string `json:"account"`
	Merchandise    Money   `json:"merchandise"`
	Shipping       Money   `json:"shipping"`
	PointsRedeemed int64   `json:"points_redeemed"`
	PointsEarned   int64   `json:"points_earned"`
	Balance        Balance `json:"balance"`
	// Tax is the order's sales tax; Lines what was sold, line by line.
	Tax   Money      `json:"tax"`
	Lines []SaleLine `json:"lines"`
	// Change is the cash to hand back (0 when none).
	Change Money `json:"change,omitempty"`
}

// SaleLine is a line as a receipt shows it.
type SaleLine struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`
	UnitPrice Money  `json:"unit_price"`
	Tax       Money  `json:"tax"`
}

// Return is a completed return or claim.
type Return struct {
	ID       string       `json:"id"`
	Receipt  string       `json:"receipt"`
	Account  string       `json:"account,omitempty"`
	Claim    Claim        `json:"claim"`
	Outcome  Outcome      `json:"outcome"`
	Lines    []ReturnLine `json:"lines"`
	Refunded Money        `json:"refunded"`
	Refund   Money        `json:"refund"`
	Tax      Money        `json:"tax,omitempty"`
	// ShippingDeducted is the free shipping's cost taken off the refund;
	// RefundTenders the refund split over the order's tenders.
	ShippingDeducted Money    `json:"shipping_deducted,omitempty"`
	RefundTenders    []Tender `json:"refund_tenders,omitempty"`
	// ClaimID is the claim this return settles ("" at the counter).
	ClaimID    string    `json:"claim_id,omitempty"`
	ClawedBack int64     `json:"points_clawed_back"`
	Credited   int64     `json:"points_credited"`
	Received   string    `json:"received"`
	OverrideBy string    `json:"override_by,omitempty"`
	Staff      string    `json:"staff,omitempty"`
	Store      string    `json:"store,omitempty"`
	Terminal   string    `json:"terminal,omitempty"`
	At         time.Time `json:"at"`
}

// ReturnResult is what a return answers (the CLI's `return --json`).
type ReturnResult struct {
	Receipt          string  `json:"receipt"`
	Return           string  `json:"return"`
	Outcome          Outcome `json:"outcome"`
	Refund           Money   `json:"refund"`
	Tax              Money   `json:"tax"`
	PointsClawedBack int64   `json:"points_clawed_back"`
	PointsCredited   int64   `json:"points_credited"`
	Balance          Balance `json:"balance"`
	LastDay          string  `json:"last_day"`
}

// ReturnRefund is a return's result with its refund split over the
// order's tenders (the CLI's `return --json` and `claim refund --json`).
// The split is kept beside ReturnResult, which the server answers too and
// callers compare with ==.
type ReturnRefund struct {
	ReturnResult
	RefundTenders []Tender `json:"refund_tenders"`
}

// OfflineBudget is how much of the offline redemption cap an account has
// used on this terminal since the server last confirmed its entries.
type OfflineBudget struct {
	// Applies is false on a terminal that is not joined to a server: its
	// own ledger is then the ledger of record and no cap applies.
	Applies bool  `json:"applies"`
	Used    int64 `json:"used"`
	Cap     int64 `json:"cap"`
}

// Terminal is everything a store terminal does, for the window and the
// CLI. Every action is done by a signed-in staff member.
type Terminal interface {
	Config() Config
	Now() time.Time

	HasStaff(ctx context.Context) (bool, error)
	ListStaff(ctx context.Context) ([]Staff, error)
	// AddStaff adds a staff member; by is nil only while no staff exist,
	// and then the first must be a manager.
	AddStaff(ctx context.Context, by *Staff, name string, role Role, pin string) (Staff, error)
	// SignIn checks a PIN; 5 wrong in a row lock the login for 5 minutes.
	SignIn(ctx context.Context, name, pin string) (Staff, error)
	// RemoveStaff stops a staff member signing in here; a manager only,
	// and never the last manager.
	RemoveStaff(ctx context.Context, by Staff, name string) error
	// ResetPIN sets a staff member's new PIN and lifts a lock-out; a
	// manager only.
	ResetPIN(ctx context.Context, by Staff, name, pin string) (Staff, error)

	CreateAccount(ctx context.Context, by Staff, n NewAccount) (Account, error)
	// FindAccount finds a customer by active key tag or by email.
	FindAccount(ctx context.Context, tagOrEmail string) (Account, error)
	// Account is an account as the store has it now, by id (following a
	// merge to the account it lives on): the window reads balances again
	// with it after adjustments, syncs and returns.
	Account(ctx context.Context, id string) (Account, error)
	// SearchAccounts lists the first SearchLimit customers whose name
	// starts with text (case and accents aside), whose phone's digits
	// start with its digits, or whose email starts with it (ParseSearch).
	SearchAccounts(ctx context.Context, text string) ([]Account, error)
	ReplaceTag(ctx context.Context, by Staff, tagOrEmail, newCode string) (Account, error)
	// UpdateAccount changes a customer's details (a manager; the rules of
	// ApplyUpdate), queued for keytagd with the change.
	UpdateAccount(ctx context.Context, by Staff, tagOrEmail string, u AccountUpdate) (Account, error)
	Entries(ctx context.Context, account string) ([]Entry, error)
	OfflineBudget(ctx context.Context, account string) (OfflineBudget, error)

	// FindProduct finds a catalog product by barcode or SKU, for a
	// product scan; the sale then sells it as an Item (Product.Line gives
	// the line a live Quote needs).
	FindProduct(ctx context.Context, code string) (Product, error)
	Checkout(ctx context.Context, by Staff, r SaleRequest) (SaleResult, error)
	GetSale(ctx context.Context, receipt string) (Sale, error)
	QuoteReturn(ctx context.Context, by Staff, r ReturnRequest) (ReturnQuote, error)
	Return(ctx context.Context, by Staff, r ReturnRequest) (ReturnResult, error)
	// ReturnRefund is Return, answering the refund's split too.
	ReturnRefund(ctx context.Context, by Staff, r ReturnRequest) (ReturnRefund, error)
	// Adjust corrects a balance with a new entry: a manager and a reason.
	Adjust(ctx context.Context, by Staff, tagOrEmail string, points int64, reason string) (Entry, error)

	ClaimService
}
