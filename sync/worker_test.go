package sync_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/sqlite"
	possync "keytag/sync"
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
	st, err := sqlite.OpenServer(ctx, filepath.Join(t.TempDir(), "keytagd.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(possync.NewServer(st, quietLog(t)).Handler())
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
	_, code, err := st.AddTerminal(ctx, store, "till")
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.enrollCode(url, code)
}

func (tm *terminal) enrollCode(url, code string) {
	tm.t.Helper()
	ctx := context.Background()
	c, err := possync.NewClient(url, "", possync.ClientOptions{})
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

func (tm *terminal) worker(o possync.Options) *possync.Worker {
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
	w, err := possync.NewWorker(tm.DB, o)
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
	w1, w2 := t1.worker(possync.Options{}), t2.worker(possync.Options{})
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
