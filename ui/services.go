// Package ui is the terminal's window: the cashier's checkout, enrolment,
// returns, the manager's screen, sign-in and the status bar, in Fyne.
//
// Screens are built by functions given the services (New(app, services)),
// so tests run them on fyne.io/fyne/v2/test with a real store and no
// display. The rules live in package pos; this package only shows them and
// turns keys into calls. It imports no store and no network code: cmd/keytag
// wires those in through Services.
package ui

import (
	"context"
	"time"

	"keytag/pos"
)

// Services is everything the window uses. cmd/keytag builds it; tests
// build it around a store in t.TempDir().
type Services struct {
	// Terminal is the store: staff, accounts, sales, returns.
	Terminal pos.Terminal
	// Status reports the sync state for the status bar. It is called from
	// a ticker goroutine, so it must be safe for that. Nil means a terminal
	// not joined to any server (StandaloneStatus).
	Status func() pos.SyncStatus
	// Notify wakes the sync worker after a sale, return or enrolment wrote
	// new ledger entries; nil when nothing syncs.
	Notify func()
	// Gifts reserves redemption gifts through the central server. Nil
	// means this terminal cannot reach one; the screens then say that gift
	// reservations need the server.
	Gifts GiftService
	// Sync is the store's sync bookkeeping for the manager screen and the
	// sync detail (F11): the server's verdicts to review, the offline
	// budget in use, the bootstrap's progress. Nil shows nothing to review.
	Sync SyncReview
	// Place names the store and till for the title bar ("Store S1 · Till 2").
	Place string
	// Events, when set, is told of every scan the window took and where it
	// went (cmd/keytag prints them with --json; the real-window test
	// counts them). Codes identify customers: nothing keeps them.
	Events func(ScanEvent)
	// Scanners, when set, says which of the scanners the window reads
	// (besides the keyboard) are connected; called like Status.
	Scanners func() []ScannerState
	// ScannerSettings, when set, lets a manager's Settings screen change
	// the scanners the window reads; nil shows them read-only.
	ScannerSettings ScannerSettings
	// StatusEvery is how often the status bar refreshes; default 1 s.
	StatusEvery time.Duration
	// Printer prints receipts and reports on the till's printer (keytag
	// --printer); nil when none is set. Its calls can take seconds (a
	// printer that is off is given up at a deadline), so the window
	// makes them off Fyne's goroutine and reports failures on the status
	// bar; a sale is complete before it prints.
	Printer Printer
	// PrinterSettings, when set, lets a manager's Settings screen choose
	// the till's printer, which Printer then becomes without a restart;
	// nil leaves the printer to the command line.
	PrinterSettings PrinterSettings
	// Till is this till's day (the X report) and its close (the Z
	// report), for the manager's "Reports & close" screen (F2 there).
	// Nil hides the close.
	Till Till
	// Reports reads the programme's reports from keytagd, off Fyne's
	// goroutine; nil on a terminal not joined to a server (the screen
	// then says the reports need keytagd).
	Reports Reports
	// Credit is the customer's store credit, held on the server: shown
	// beside the points and spent as the store_credit tender. Nil (not
	// joined to a server) refuses that tender.
	Credit CreditService
}

// Printer is the till's receipt printer.
type Printer interface {
	// Print prints a sale's or a return's stored receipt; copy marks it
	// COPY (a reprint).
	Print(ctx context.Context, receipt string, copy bool) error
	// PrintReport prints a laid-out report (an X or Z report).
	PrintReport(ctx context.Context, r pos.Receipt) error
}

// PrinterChoice is a receipt printer and its paper.
type PrinterChoice struct {
	// URI is as keytag --printer takes it: tcp://HOST:PORT,
	// file:/dev/usb/lp0, serial:/dev/ttyUSB0[@BAUD]; "" is none.
	URI string
	// PaperMM is the paper's width: 58 or 80.
	PaperMM int
}

// PrinterSettings is the till's receipt printer as the terminal keeps it.
// Its calls are made on Fyne's goroutine.
type PrinterSettings interface {
	// Saved is the printer kept in the terminal's database.
	Saved(ctx context.Context) (PrinterChoice, error)
	// Override is the printer this run's command line gave (keytag
	// --printer, KEYTAG_PRINTER), which wins over the saved one; its URI
	// is "" when none was given.
	Override() PrinterChoice
	// Save checks the URI with the parser --printer uses and keeps it
	// with the width; a bad one is refused, saying what is wrong, with
	// nothing kept. It answers the printer the window prints on from now
	// on: the override, the saved one, or nil for none.
	Save(ctx context.Context, c PrinterChoice) (Printer, error)
}

// Till is the terminal store's day close (pos/sqlite implements it).
type Till interface {
	// XReport is the day so far; it changes nothing.
	XReport(ctx context.Context, by pos.Staff, day pos.Day) (pos.CloseReport, error)
	// CloseDay makes, numbers and stores the day's Z report; a day
	// already closed is refused (EConflict) and its report is reprinted,
	// not redone.
	CloseDay(ctx context.Context, by pos.Staff, day pos.Day) (pos.CloseReport, error)
	// ZReport reads a stored Z report by its number.
	ZReport(ctx context.Context, number int64) (pos.CloseReport, error)
}

// Reports is keytagd's report routes as this terminal may read them: its
// own store's figures (sync/client implements it).
type Reports interface {
	Liability(ctx context.Context) (pos.Liability, error)
	Daily(ctx context.Context, from, to pos.Day) ([]pos.DailyRow, error)
}

// CreditService is the sync client's store credit for the window. Every
// call goes to the server; offline it fails with pos.ENeedsServer.
type CreditService interface {
	// Balance is the account's store credit now.
	Balance(ctx context.Context, account string) (pos.Money, error)
	// Spend is a checkout's pos.SaleRequest.SpendCredit for a sale by by:
	// it spends on the server and answers how to give the spend back
	// should the sale's own write fail.
	Spend(by pos.Staff) func(ctx context.Context, receipt, account string, amount pos.Money) (giveBack func(), err error)
}

// GiftService is the part of the sync client that reserves gifts. Stock is
// shared by all stores, so every call goes to the server; offline they fail
// with pos.ENeedsServer and change nothing.
type GiftService interface {
	Catalog(ctx context.Context) ([]pos.Gift, error)
	// Reservations lists an account's reservations (held ones are the gifts
	// waiting to be handed over).
	Reservations(ctx context.Context, account string) ([]pos.Reservation, error)
	Reserve(ctx context.Context, by pos.Staff, account, gift string) (pos.Reservation, error)
	// Change swaps a held reservation's gift for another, if the balance
	// covers the new cost with the old one refunded.
	Change(ctx context.Context, by pos.Staff, reservation, gift string) (pos.Reservation, error)
	// HandOver records that the customer has the gift.
	HandOver(ctx context.Context, by pos.Staff, reservation string) (pos.Reservation, error)
	// Forgo releases a held gift: points refunded, stock released.
	Forgo(ctx context.Context, by pos.Staff, reservation string) (pos.Reservation, error)
}

// SyncReview is what the terminal's store keeps about syncing that a
// manager reviews. Its calls are local reads, made on Fyne's goroutine.
type SyncReview interface {
	// Conflicts lists the server's verdicts other than plain accepted,
	// oldest first: records it rejected or judged again.
	Conflicts(ctx context.Context) ([]SyncConflict, error)
	// Budgets lists the accounts that redeemed points here that the
	// server has not confirmed yet, most used first.
	Budgets(ctx context.Context) ([]BudgetUse, error)
	// Progress is how far the pull from the server has come.
	Progress(ctx context.Context) (SyncProgress, error)
}

// SyncConflict is one verdict of the server on a record of this terminal
// that was not a plain "accepted" (an offline overspend, a tag or email
// another terminal took first).
type SyncConflict struct {
	Seq    int64
	ID     string
	Kind   string
	Status string
	Code   string
	Reason string
	At     time.Time
}

// BudgetUse is an account's use of the offline redemption cap here.
type BudgetUse struct {
	Account string
	Email   string // masked
	Used    int64
	Cap     int64
}

// SyncProgress is the pull's position: Cursor of Head changes (Head 0:
// not known yet), Pulled applied so far.
type SyncProgress struct {
	Cursor, Head, Pulled int64
}

// ScanEvent is one scan the window took, after it was routed.
type ScanEvent struct {
	Code     string `json:"code"`
	Kind     string `json:"kind"`
	TookBack int    `json:"took_back"` // keys taken back from fields
	Screen   string `json:"screen"`    // the screen it was routed on
	Customer string `json:"customer"`  // the customer on the sale after it
	Item     string `json:"item"`      // the item code field after it
	Message  string `json:"message"`   // the screen's message after it
}

// StandaloneStatus is the status of a terminal not joined to any server:
// its own ledger is the ledger of record and nothing waits to sync.
func StandaloneStatus() pos.SyncStatus { return pos.SyncStatus{} }

// ScannerSettings is the window's own scanners as the terminal keeps
// them. Its calls are made on Fyne's goroutine.
type ScannerSettings interface {
	// Scanners is the list read now: hid:VID:PID, serial:PATH[@BAUD].
	Scanners() []string
	// SetScanners checks every spec, keeps the list in the terminal's
	// database and reads it from now on; a bad spec refuses the whole
	// list, saying which and why, with nothing kept or changed.
	SetScanners(ctx context.Context, specs []string) error
}
