package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"keytag/assets"
	"keytag/pos"
	"keytag/pos/escpos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/worker"
	"keytag/ui"
)

// windowServices wires the window to the store and, on a terminal joined
// to a server, to the sync worker: it starts the worker on d and gives the
// window its Status, its Notify (after every sale, return, enrolment and
// adjustment) and its client for gift reservations. The returned stop ends
// the worker; it runs when the window has closed, before d is closed. A
// terminal not joined to a server says "standalone · not syncing".
var windowServices = func(e *env, d *sqlite.DB) (ui.Services, func()) {
	id, _ := d.Identity(e.ctx)
	s := ui.Services{Terminal: d, Status: ui.StandaloneStatus, Place: place(id), Sync: syncReview{d}, Till: d}
	s.PrinterSettings = printerSettings{e: e, d: d}
	if p, err := e.windowPrinter(e.ctx, d); err != nil {
		fmt.Fprintf(e.stderr, "keytag: receipts are not printed: %v\n", pos.ErrorMessage(err))
	} else {
		s.Printer = p
	}
	if id.Server == "" {
		return s, func() {}
	}
	s.Credit = windowCredit{e: e, d: d}
	w, err := e.newWorker(d, slog.LevelInfo, worker.Options{})
	if err != nil {
		// Joined, but the worker cannot run (no token): the bar says so.
		server, why := id.Server, pos.ErrorMessage(err)
		fmt.Fprintf(e.stderr, "keytag: not syncing: %s\n", why)
		s.Status = func() pos.SyncStatus { return pos.SyncStatus{Server: server, LastError: why} }
		return s, func() {}
	}
	ctx, cancel := context.WithCancel(e.ctx)
	w.Start(ctx)
	s.Status, s.Notify = w.Status, w.Notify
	s.Gifts = &giftClient{c: w.Client(), d: d}
	// The terminal's token reads its own store's reports.
	s.Reports = w.Client()
	return s, func() {
		cancel()
		w.Stop()
	}
}

// windowPrinter is a printer as the window's ui.Printer: a sale's
// receipt as `keytag sale --printer` prints it, a copy as `keytag receipt
// print` does, and the close's reports as `keytag close --print`. paper
// is the width in mm, checked when it prints (as --paper is).
type windowPrinter struct {
	d     *sqlite.DB
	uri   string
	paper string
}

func (p windowPrinter) Print(ctx context.Context, receipt string, copy bool) error {
	r, err := p.d.AnyReceipt(ctx, receipt, copy)
	if err != nil {
		return err
	}
	return p.PrintReport(ctx, r)
}

func (p windowPrinter) PrintReport(ctx context.Context, r pos.Receipt) error {
	cols, err := paperColumns(p.paper)
	if err != nil {
		return err
	}
	return escpos.PrintReceipt(ctx, p.uri, r, cols)
}

// windowPrinter is the printer the window prints on: the --printer (or
// KEYTAG_PRINTER) for this run, else the one a manager saved in Settings;
// nil when there is neither.
func (e *env) windowPrinter(ctx context.Context, d *sqlite.DB) (ui.Printer, error) {
	if e.printer != "" {
		return windowPrinter{d: d, uri: e.printer, paper: e.paper}, nil
	}
	saved, err := d.ReceiptPrinter(ctx)
	if err != nil || saved.URI == "" {
		return nil, err
	}
	return windowPrinter{d: d, uri: saved.URI, paper: strconv.Itoa(saved.PaperMM)}, nil
}

// printerSettings is the printer the Settings screen chooses
// (ui.PrinterSettings), kept in the terminal's database for every window
// started without --printer.
type printerSettings struct {
	e *env
	d *sqlite.DB
}

func (s printerSettings) Saved(ctx context.Context) (ui.PrinterChoice, error) {
	p, err := s.d.ReceiptPrinter(ctx)
	return ui.PrinterChoice{URI: p.URI, PaperMM: p.PaperMM}, err
}

func (s printerSettings) Override() ui.PrinterChoice {
	if s.e.printer == "" {
		return ui.PrinterChoice{}
	}
	mm := 80
	if cols, _ := paperColumns(s.e.paper); cols == pos.Columns58mm {
		mm = 58
	}
	return ui.PrinterChoice{URI: s.e.printer, PaperMM: mm}
}

// Save checks the URI as --printer is checked (escpos.ParseURI), keeps
// it with the width, and answers the window's printer from now on.
func (s printerSettings) Save(ctx context.Context, c ui.PrinterChoice) (ui.Printer, error) {
	uri := strings.TrimSpace(c.URI)
	if uri != "" {
		if _, err := escpos.ParseURI(uri); err != nil {
			return nil, err
		}
	}
	if err := s.d.SetReceiptPrinter(ctx, sqlite.ReceiptPrinter{URI: uri, PaperMM: c.PaperMM}); err != nil {
		return nil, err
	}
	return s.e.windowPrinter(ctx, s.d)
}

// windowCredit is store credit for the window, asked of the server as
// the CLI asks it (credit.go): online only, a spend given back should the
// sale's own write fail.
type windowCredit struct {
	e *env
	d *sqlite.DB
}

func (c windowCredit) Balance(ctx context.Context, account string) (pos.Money, error) {
	credit, err := c.e.storeCredit(c.d, account)
	if err != nil {
		return 0, err
	}
	return *credit, nil
}

func (c windowCredit) Spend(by pos.Staff) func(ctx context.Context, receipt, account string, amount pos.Money) (func(), error) {
	return c.e.spendCredit(c.d, by)
}

// syncReview shows the window the store's sync bookkeeping.
type syncReview struct{ d *sqlite.DB }

func (r syncReview) Conflicts(ctx context.Context) ([]ui.SyncConflict, error) {
	cs, err := r.d.SyncConflicts(ctx)
	out := make([]ui.SyncConflict, len(cs))
	for i, c := range cs {
		out[i] = ui.SyncConflict{Seq: c.Seq, ID: c.ID, Kind: c.Kind, Status: c.Status, Code: c.Code, Reason: c.Reason, At: c.At}
	}
	return out, err
}

func (r syncReview) Budgets(ctx context.Context) ([]ui.BudgetUse, error) {
	bs, err := r.d.OfflineBudgets(ctx)
	out := make([]ui.BudgetUse, len(bs))
	for i, b := range bs {
		out[i] = ui.BudgetUse{Account: b.Account, Email: b.Email, Used: b.Used, Cap: b.Cap}
	}
	return out, err
}

func (r syncReview) Progress(ctx context.Context) (ui.SyncProgress, error) {
	st, err := r.d.SyncState(ctx)
	return ui.SyncProgress{Cursor: st.Cursor, Head: st.Head, Pulled: st.Pulled}, err
}

// giftClient is the worker's client as the window's GiftService. Offline
// every call answers needs_server and changes nothing.
type giftClient struct {
	c *client.Client
	d *sqlite.DB

	mu sync.Mutex
	// made remembers, per account, the reservations made from this window
	// that the terminal may not have pulled the entries of yet.
	made map[string][]string
}

func (g *giftClient) Catalog(ctx context.Context) ([]pos.Gift, error) {
	all, err := g.c.Gifts(ctx)
	if err != nil {
		return nil, err
	}
	var active []pos.Gift
	for _, x := range all {
		if x.Active {
			active = append(active, x)
		}
	}
	return active, nil
}

// Reservations lists an account's reservations. The server lists none by
// account, so their ids come from the account's gift entries (pulled from
// the server) and from the reservations made here since, and each is read
// from the server for where it stands now.
func (g *giftClient) Reservations(ctx context.Context, account string) ([]pos.Reservation, error) {
	es, err := g.d.Entries(ctx, account)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range es {
		if e.Kind == pos.KindGiftReserve || e.Kind == pos.KindGiftRelease {
			add(e.Ref)
		}
	}
	g.mu.Lock()
	for _, id := range g.made[account] {
		add(id)
	}
	g.mu.Unlock()
	out := make([]pos.Reservation, 0, len(ids))
	for _, id := range ids {
		r, err := g.c.GetReservation(ctx, id)
		if pos.ErrorCode(err) == pos.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.Reservation)
	}
	slices.SortFunc(out, func(a, b pos.Reservation) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (g *giftClient) Reserve(ctx context.Context, by pos.Staff, account, gift string) (pos.Reservation, error) {
	r, err := g.c.ReserveGift(ctx, account, gift, by.Name)
	if err != nil {
		return pos.Reservation{}, err
	}
	g.mu.Lock()
	if g.made == nil {
		g.made = map[string][]string{}
	}
	g.made[account] = append(g.made[account], r.ID)
	g.mu.Unlock()
	return r.Reservation, nil
}

func (g *giftClient) Change(ctx context.Context, by pos.Staff, reservation, gift string) (pos.Reservation, error) {
	r, err := g.c.ChangeGift(ctx, reservation, gift, by.Name)
	return r.Reservation, err
}

func (g *giftClient) HandOver(ctx context.Context, by pos.Staff, reservation string) (pos.Reservation, error) {
	r, err := g.c.HandOverGift(ctx, reservation, by.Name)
	return r.Reservation, err
}

func (g *giftClient) Forgo(ctx context.Context, by pos.Staff, reservation string) (pos.Reservation, error) {
	r, err := g.c.ForgoGift(ctx, reservation, by.Name)
	return r.Reservation, err
}

func place(id sqlite.Identity) string {
	switch {
	case id.Store != "" && id.Name != "":
		// The name the admin gave the till is what staff call it; the
		// code is what its receipts start with.
		return "Store " + id.Store + " · " + id.Name + " (till " + id.Code + ")"
	case id.Store != "" && id.Terminal != "":
		return "Store " + id.Store + " · Till " + id.Code
	case id.Store != "":
		return "Store " + id.Store
	}
	return "Till " + id.Code
}

// runWindow opens the cashier's window on the terminal database (a
// throw-away demo one with --demo) and returns when it is closed.
func runWindow(e *env) int {
	if e.demo {
		path, cleanup, err := makeDemo(e)
		if err != nil {
			return e.fail(fmt.Errorf("demo data: %w", err))
		}
		defer cleanup()
		e.dbPath = path
	}
	d, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer d.Close()
	svc, stop := windowServices(e, d)
	defer stop()
	if e.json {
		// One object per scan, where it went: for tests and scanner
		// set-up. It runs on Fyne's goroutine, so no lock is needed.
		enc := json.NewEncoder(e.stdout)
		svc.Events = func(ev ui.ScanEvent) { enc.Encode(map[string]ui.ScanEvent{"scan": ev}) }
	}

	attach := windowScanners(e, d, &svc)

	a := app.NewWithID("app.keytag.terminal")
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	u := ui.New(a, svc)
	defer u.Close()
	defer attach(u)()
	w := u.Window()
	w.SetIcon(icon)
	w.SetMaster()
	if os.Getenv("KEYTAG_FULLSCREEN") == "1" {
		w.SetFullScreen(true)
	}
	w.ShowAndRun()
	return 0
}
