package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/httpapi"
	"keytag/sync/worker"
)

// quietLog keeps test output for failures only.
func quietLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// inProcServer is the real keytagd API on loopback, in this process: the
// quick tests use it; e2e_test.go runs the keytagd binary.
type inProcServer struct {
	URL   string
	Store *ledgerdb.Store
	srv   *httptest.Server
}

func newInProcServer(t testing.TB) *inProcServer {
	t.Helper()
	ctx := context.Background()
	st, err := ledgerdb.OpenSQLite(ctx, filepath.Join(t.TempDir(), "keytagd.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(st, quietLog(t)).Handler())
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &inProcServer{URL: srv.URL, Store: st, srv: srv}
}

// terminal is one till: its database, a manager and a cashier.
type terminal struct {
	t       testing.TB
	DB      *sqlite.DB
	Manager pos.Staff
	Cashier pos.Staff
	Path    string
}

func newTerminal(t testing.TB, dir, name string) *terminal {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, name+".db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := db.AddStaff(ctx, nil, "Mia", pos.RoleManager, "4321")
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.AddStaff(ctx, &m, "Cal", pos.RoleCashier, "1234")
	if err != nil {
		t.Fatal(err)
	}
	return &terminal{t: t, DB: db, Manager: m, Cashier: c, Path: path}
}

// enrollWith joins the terminal to the server through the client, as
// `keytag enroll` does.
func (tm *terminal) enrollWith(url string, st *ledgerdb.Store, store string) {
	tm.t.Helper()
	ctx := context.Background()
	_, code, err := st.AddTerminal(ctx, store, "till "+pos.NewID())
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.enrollCode(url, code)
}

func (tm *terminal) enrollCode(url, code string) {
	tm.t.Helper()
	ctx := context.Background()
	c, err := client.New(url, "", client.Options{})
	if err != nil {
		tm.t.Fatal(err)
	}
	res, err := c.Enroll(ctx, code, "test till")
	if err != nil {
		tm.t.Fatal(err)
	}
	if err := tm.DB.Enroll(ctx, c.Server(), res.Store, res.TerminalID, res.Token, res.Epoch); err != nil {
		tm.t.Fatal(err)
	}
}

func (tm *terminal) worker(o worker.Options) *worker.Worker {
	tm.t.Helper()
	if o.Logger == nil {
		o.Logger = quietLog(tm.t)
	}
	if o.Client.RequestTimeout == 0 {
		o.Client.RequestTimeout = 20 * time.Second
	}
	if o.Client.RetryWaitMin == 0 {
		o.Client.RetryWaitMin, o.Client.RetryWaitMax = 10*time.Millisecond, 50*time.Millisecond
	}
	w, err := worker.New(tm.DB, o)
	if err != nil {
		tm.t.Fatal(err)
	}
	return w
}

func (tm *terminal) enrol(email, name, tag string) pos.Account {
	tm.t.Helper()
	a, err := tm.DB.CreateAccount(context.Background(), tm.Cashier, pos.NewAccount{Email: email, Name: name, Tag: tag})
	if err != nil {
		tm.t.Fatalf("enrol %s: %v", email, err)
	}
	return a
}

// sell makes a cash sale of amount minor units to customer, redeeming
// points.
func (tm *terminal) sell(customer string, amount pos.Money, redeem int64) (pos.SaleResult, error) {
	r := pos.SaleRequest{Customer: customer, Order: pos.Order{
		Lines:        []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: amount}},
		Tenders:      []pos.Tender{{Type: pos.TenderCash, Amount: amount - pos.Money(redeem)}},
		RedeemPoints: redeem,
	}}
	return tm.DB.Checkout(context.Background(), tm.Cashier, r)
}

func (tm *terminal) mustSell(customer string, amount pos.Money, redeem int64) pos.SaleResult {
	tm.t.Helper()
	res, err := tm.sell(customer, amount, redeem)
	if err != nil {
		tm.t.Fatalf("sale to %s: %v", customer, err)
	}
	return res
}

var tagN = 100000000

// newTag mints a valid key tag.
func newTag(t testing.TB) string {
	tagN++
	code, err := pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", tagN))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestPushPullBetweenTwoTerminals(t *testing.T) {
	ctx := context.Background()
	srv := newInProcServer(t)
	dir := t.TempDir()
	t1, t2 := newTerminal(t, dir, "t1"), newTerminal(t, dir, "t2")
	t1.enrollWith(srv.URL, srv.Store, "S1")
	t2.enrollWith(srv.URL, srv.Store, "S2")

	tag := newTag(t)
	a := t1.enrol("ann@example.com", "Ann Lee", tag)
	t1.mustSell(tag, 5999, 0) // earns 59
	w1, w2 := t1.worker(worker.Options{}), t2.worker(worker.Options{})
	if err := w1.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w1.Status(); st.Waiting != 0 || !st.Online || st.Bootstrapping {
		t.Fatalf("after a round t1 status = %+v", st)
	}
	if err := w2.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := t2.DB.FindAccount(ctx, tag)
	if err != nil {
		t.Fatalf("t2 finds the tag t1 gave: %v", err)
	}
	if got.ID != a.ID || got.Balance.Available != 159 {
		t.Fatalf("t2 sees %+v, want account %s with 159 available", got, a.ID)
	}
	// t2 redeems; t1 learns of it.
	t2.mustSell("ann@example.com", 1000, 100)
	if err := w2.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w1.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	converged(t, srv.Store.SQL(), t1, t2)
}

// downable is the in-process server behind a switch: down, every
// connection drops as if the network were gone.
func downable(t testing.TB) (*inProcServer, *atomic.Bool) {
	srv := newInProcServer(t)
	var down atomic.Bool
	h := srv.srv.Config.Handler
	srv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
	})
	srv.srv.Config.ErrorLog = nilLogger()
	return srv, &down
}

func TestOfflineBudget(t *testing.T) {
	ctx := context.Background()
	srv, down := downable(t)
	tm := newTerminal(t, t.TempDir(), "till")
	tm.enrollWith(srv.URL, srv.Store, "S1")
	down.Store(true)

	tag := newTag(t)
	tm.enrol("max@example.com", "Max Roe", tag)
	if _, err := tm.DB.Adjust(ctx, tm.Manager, tag, 5000, "moved from the old card"); err != nil {
		t.Fatal(err)
	}
	tm.mustSell(tag, 20000, 1500)
	tm.mustSell(tag, 20000, 500) // 2000: the cap, exactly
	_, err := tm.sell(tag, 20000, 1)
	if pos.ErrorCode(err) != pos.EOfflineCap {
		t.Fatalf("one point past the cap offline: %v, want offline_cap", err)
	}
	// A manager's PIN lets it pass, and the entry says who.
	r := pos.SaleRequest{Customer: tag, OverrideBy: &tm.Manager, Order: pos.Order{
		Lines: []pos.Line{{SKU: "X", Qty: 1, UnitPrice: 20000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 19900}}, RedeemPoints: 100}}
	res, err := tm.DB.Checkout(ctx, tm.Cashier, r)
	if err != nil {
		t.Fatalf("override: %v", err)
	}
	es, err := tm.DB.Entries(ctx, *res.Account)
	if err != nil {
		t.Fatal(err)
	}
	var overridden int
	for _, e := range es {
		if e.Kind == pos.KindRedeem && e.OverrideBy == tm.Manager.Name && e.Points == -100 {
			overridden++
		}
	}
	if overridden != 1 {
		t.Fatalf("the overridden redemption is not recorded with the manager: %+v", es)
	}
	// A cashier cannot override.
	r.OverrideBy = &tm.Cashier
	if _, err := tm.DB.Checkout(ctx, tm.Cashier, r); pos.ErrorCode(err) != pos.EForbidden {
		t.Fatalf("a cashier's override: %v", err)
	}
	if b, _ := tm.DB.OfflineBudget(ctx, *res.Account); b.Used != 2100 || !b.Applies {
		t.Fatalf("budget before sync = %+v", b)
	}

	w := tm.worker(worker.Options{})
	if err := w.SyncOnce(ctx); err == nil || w.Status().Online {
		t.Fatalf("round while down = %v, status %+v", err, w.Status())
	}
	down.Store(false)
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := tm.DB.OfflineBudget(ctx, *res.Account); b.Used != 0 {
		t.Fatalf("budget after a successful push = %+v, want 0 used", b)
	}
	tm.mustSell(tag, 20000, 1999) // the budget is free again
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	converged(t, srv.Store.SQL(), tm)
}

func TestGiftReservationNeedsServer(t *testing.T) {
	ctx := context.Background()
	srv, down := downable(t)
	tm := newTerminal(t, t.TempDir(), "till")
	tm.enrollWith(srv.URL, srv.Store, "S1")
	g, err := srv.Store.AddGift(ctx, pos.Gift{Name: "Dice set", Cost: 800, Stock: 2})
	if err != nil {
		t.Fatal(err)
	}
	a := tm.enrol("gia@example.com", "Gia Bell", "")
	if _, err := tm.DB.Adjust(ctx, tm.Manager, a.Email, 1000, "welcome"); err != nil {
		t.Fatal(err)
	}
	w := tm.worker(worker.Options{})
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	if _, err := w.Client().ReserveGift(ctx, a.ID, g.ID, tm.Manager.Name); pos.ErrorCode(err) != pos.ENeedsServer {
		t.Fatalf("reserve offline: %v, want needs_server", err)
	}
	if _, err := w.Client().Gifts(ctx); pos.ErrorCode(err) != pos.ENeedsServer {
		t.Fatalf("catalog offline: %v, want needs_server", err)
	}
	down.Store(false)
	gs, err := w.Client().Gifts(ctx)
	if err != nil || len(gs) != 1 || gs[0].Stock != 2 {
		t.Fatalf("catalog = %+v, %v", gs, err)
	}
	res, err := w.Client().ReserveGift(ctx, a.ID, g.ID, tm.Manager.Name)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != pos.ReservationHeld || res.Balance.Available != 300 {
		t.Fatalf("reservation = %+v", res)
	}
	if _, err := w.Client().ReserveGift(ctx, a.ID, g.ID, ""); pos.ErrorCode(err) != pos.EInsufficientPoints {
		t.Fatalf("a second reservation beyond the balance: %v", err)
	}
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := tm.DB.FindAccount(ctx, a.Email)
	if got.Balance.Available != 300 {
		t.Fatalf("the till's balance after the pull = %d, want 300", got.Balance.Available)
	}
	if _, err := w.Client().ForgoGift(ctx, res.ID, tm.Manager.Name); err != nil {
		t.Fatal(err)
	}
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	converged(t, srv.Store.SQL(), tm)
}
