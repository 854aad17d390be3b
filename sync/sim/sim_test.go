package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/httpapi"
	"keytag/sync/worker"
)

var (
	seedFlag  = flag.Uint64("seed", 0, "replay this one seed (0: run -seeds seeds)")
	seedsFlag = flag.Int("seeds", defaultSeeds, "how many seeds to run, from -first (default 200, 3 under -race)")
	firstFlag = flag.Int("first", 1, "the first seed of -seeds, so that a long run can go in parts")
	stepsFlag = flag.Int("steps", 40, "steps of the fault phase per seed")
	// Restores from a backup are on: terminals notice them and set aside
	// what the restored server lost (docs/SIMULATION.md); -restore=false
	// leaves them out.
	restoreFlag = flag.Bool("restore", true, "also restore the server from older backups")
)

// regressionSeeds found bugs once; they run on every test run.
var regressionSeeds = []uint64{
	12351, // a till's own sign-up bonus, sent after another till's merge, was refused (killed while it saved verdicts)
	// A different web order under an order id a restore made the server
	// forget took the ids of entries a terminal still held.
	40597, 68003, 71266, 74472, 80255, 86258, 90197, 94209,
}

// restoreRegressions found bugs once with restores on (-restore -steps
// 60); they run on every test run with restores, whatever the flags.
var restoreRegressions = []uint64{
	47,  // the restored server merged the same email the other way round: a second takeback
	155, // an account the restored server lost held a record back: the outbox had holes
	24,  // a return after a merge, on the surviving account, was refused its sale's allowance
}

const serverURL = "http://keytagd.sim"

func TestSim(t *testing.T) {
	if *seedFlag != 0 {
		runSeed(t, *seedFlag)
		return
	}
	for _, s := range restoreRegressions {
		t.Run(fmt.Sprint("restore-", s), func(t *testing.T) {
			t.Parallel()
			runSeedWith(t, s, 60, true)
		})
	}
	// Parallel subtests run after this function returns; the summary
	// waits for them.
	t.Cleanup(func() {
		t.Logf("killed in the middle of a write: %d terminals, %d servers", terminalKills.Load(), serverKills.Load())
		// Should the hooks stop matching the files (a new DSN, other
		// names), every seed would pass without a single kill.
		if *seedsFlag >= 100 && (terminalKills.Load() == 0 || serverKills.Load() == 0) {
			t.Errorf("%d seeds and no terminal or no server was killed in the middle of a write: the kill hooks do not fire", *seedsFlag)
		}
	})
	seeds := append([]uint64{}, regressionSeeds...)
	for s := *firstFlag; s < *firstFlag+*seedsFlag; s++ {
		seeds = append(seeds, uint64(s))
	}
	// Seeds share nothing, so they run side by side (go test -parallel).
	for _, s := range seeds {
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			t.Parallel()
			runSeed(t, s)
		})
	}
}

// TestMain keeps the fresh databases every seed starts from (see
// templates) for the whole run, and removes them after it.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp(shmOrTemp(), "keytag-sim-templates-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	templates.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// shmOrTemp is tmpfs when the machine has one, else the temp directory.
func shmOrTemp() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// templates are the databases a seed's nodes start from: a migrated
// server store and, per terminal place, a migrated terminal store with
// its manager and cashier. They are made once per run and copied for
// each seed, because migrating four databases and hashing six PINs was
// more than half of a seed's time, and every seed made them the same.
// Each terminal place has its own, so the tills of one seed do not share
// staff ids.
var templates struct {
	dir    string
	mu     sync.Mutex
	server string
	terms  []termTemplate
}

type termTemplate struct {
	path      string
	mgr, cash pos.Staff
}

// serverTemplate is the path of a freshly migrated server store.
func serverTemplate(t testing.TB) string {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if templates.server != "" {
		return templates.server
	}
	ctx := context.Background()
	st, err := ledgerdb.OpenSQLite(ctx, filepath.Join(templates.dir, "work-keytagd.db"), nil)
	if err != nil {
		t.Fatalf("make the server template: %v", err)
	}
	defer st.Close()
	path := filepath.Join(templates.dir, "keytagd.db")
	if _, err := st.SQL().ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		t.Fatalf("make the server template: %v", err)
	}
	templates.server = path
	return path
}

// terminalTemplate is terminal place i's fresh store with its staff.
func terminalTemplate(t testing.TB, i int) termTemplate {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	for len(templates.terms) <= i {
		ctx := context.Background()
		n := len(templates.terms)
		db, err := sqlite.Open(ctx, filepath.Join(templates.dir, fmt.Sprintf("work-t%d.db", n+1)), nil)
		if err != nil {
			t.Fatalf("make a terminal template: %v", err)
		}
		tt := termTemplate{path: filepath.Join(templates.dir, fmt.Sprintf("t%d.db", n+1))}
		tt.mgr, err = db.AddStaff(ctx, nil, "Mia", pos.RoleManager, "4321")
		if err == nil {
			tt.cash, err = db.AddStaff(ctx, &tt.mgr, "Cal", pos.RoleCashier, "1234")
		}
		if err == nil {
			_, err = db.SQL().ExecContext(ctx, `VACUUM INTO ?`, tt.path)
		}
		db.Close()
		if err != nil {
			t.Fatalf("make a terminal template: %v", err)
		}
		templates.terms = append(templates.terms, tt)
	}
	return templates.terms[i]
}

// copyFile puts a template in place of a node's database.
func (w *world) copyFile(from, to string) {
	b, err := os.ReadFile(from)
	w.must(err, "read "+from)
	w.must(os.WriteFile(to, b, 0o600), "write "+to)
}

// simDir is where a seed's databases live: on tmpfs when the machine has
// one. The simulator crashes processes, not the machine, so the fsync of
// every commit (three quarters of a seed's time on a shared disk) proves
// nothing here; the files are still real SQLite files of the real stores.
func simDir(t *testing.T) string {
	if dir, err := os.MkdirTemp(shmOrTemp(), "keytag-sim-"); err == nil {
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return t.TempDir()
}

// world is one simulated fleet.
type world struct {
	t     testing.TB
	seed  uint64
	rng   *rand.Rand
	dir   string
	now   time.Time
	net   *network
	step  int
	trace []string

	srvPath string
	store   *ledgerdb.Store
	api     http.Handler
	backup  string
	web     *http.Client

	terms  []*term
	gifts  []string
	emails []string
	tagN   int
	orders []string
	// placed and processed are the web shop's orders the server said
	// yes to, which it posts again after a restore (README: "Restore a
	// backup safely").
	placed    map[string]pos.OrderRequest
	processed map[string]bool

	// acked is every record id the server answered accepted or
	// duplicate (with the terminal that sent it); lost is what a restore
	// from a backup took from the server, which the terminals must send
	// again before the end.
	acked, lost map[string]string
	// restored says a restore happened: pulled changes the server lost
	// with it may linger on terminals.
	restored bool
	// restore lets the fault phase restore the server from a backup.
	restore bool
}

// term is one terminal: its store on disk and its worker.
type term struct {
	name   string
	path   string
	db     *sqlite.DB
	w      *worker.Worker
	offset time.Duration
	mgr    pos.Staff
	cash   pos.Staff
	sales  []saleMade
}

type saleMade struct {
	receipt string
	sku     string
}

func (w *world) float() float64 { return w.rng.Float64() }

func (w *world) tracef(format string, args ...any) {
	w.trace = append(w.trace, fmt.Sprintf("%4d ", w.step)+fmt.Sprintf(format, args...))
}

// fail stops the seed with what broke, its last steps and how to
// replay it.
func (w *world) fail(format string, args ...any) {
	w.t.Helper()
	tr := w.trace
	if len(tr) > 40 && !testing.Verbose() {
		tr = tr[len(tr)-40:]
	}
	replay := fmt.Sprintf("go test ./sync/sim -run 'TestSim$' -seed %d -steps %d", w.seed, *stepsFlag)
	if !*restoreFlag {
		replay += " -restore=false"
	}
	w.t.Fatalf("seed %d, step %d: %s\nlast steps:\n%s\nreplay: %s -v",
		w.seed, w.step, fmt.Sprintf(format, args...), strings.Join(tr, "\n"), replay)
}

func (w *world) must(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.fail("%s: %v", what, err)
	}
}

func runSeed(t *testing.T, seed uint64) { runSeedWith(t, seed, *stepsFlag, *restoreFlag) }

// runSeedWith runs one seed for steps steps of the fault phase, with
// restores from a backup or without.
func runSeedWith(t *testing.T, seed uint64, steps int, restore bool) {
	w := &world{t: t, seed: seed, restore: restore, rng: rand.New(rand.NewPCG(seed, 0x6b65797461670001)), dir: simDir(t),
		now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), acked: map[string]string{}, lost: map[string]string{},
		placed: map[string]pos.OrderRequest{}, processed: map[string]bool{}}
	w.net = &network{w: w, cut: map[string]bool{}, crash: map[string]bool{}}
	w.setup(2 + w.rng.IntN(2))
	defer w.close()

	w.net.faults = true
	for w.step = 1; w.step <= steps; w.step++ {
		w.now = w.now.Add(time.Duration(1+w.rng.IntN(600)) * time.Second)
		w.act()
		w.restartKilled()
		w.check()
	}
	w.heal()
}

func (w *world) serverClock() pos.Clock { return pos.ClockFunc(func() time.Time { return w.now }) }

func (w *world) setup(terminals int) {
	ctx := context.Background()
	w.srvPath = filepath.Join(w.dir, "keytagd.db")
	w.copyFile(serverTemplate(w.t), w.srvPath)
	w.startServer()
	for i := range 2 {
		g, err := w.store.AddGift(ctx, pos.Gift{Name: fmt.Sprintf("Mug %d", i), Cost: 800 + int64(i)*400, Stock: int64(1 + w.rng.IntN(3)), Active: true})
		w.must(err, "add gift")
		w.gifts = append(w.gifts, g.ID)
	}
	_, token, err := w.store.AddToken(ctx, pos.RoleWebshop, "shop")
	w.must(err, "add web-shop token")
	w.web = &http.Client{Transport: bearer{link{w.net, "web"}, token}}
	for i := range terminals {
		tm := &term{name: fmt.Sprintf("t%d", i+1)}
		tm.path = filepath.Join(w.dir, tm.name+".db")
		if i == 0 && w.rng.IntN(3) == 0 {
			// A till whose clock runs hours off, either way.
			tm.offset = time.Duration(w.rng.IntN(13)-6) * time.Hour
		}
		tt := terminalTemplate(w.t, i)
		w.copyFile(tt.path, tm.path)
		w.openTerm(tm)
		tm.mgr, tm.cash = tt.mgr, tt.cash
		_, code, err := w.store.AddTerminal(ctx, fmt.Sprintf("S%d", i+1), tm.name)
		w.must(err, "add terminal")
		c, err := client.New(serverURL, "", client.Options{Transport: link{w.net, tm.name}, RetryMax: -1})
		w.must(err, "client")
		res, err := c.Enroll(ctx, code, tm.name)
		w.must(err, "enrol terminal")
		w.must(tm.db.Enroll(ctx, c.Server(), res.Store, res.TerminalID, res.Token, res.Epoch), "save enrolment")
		w.newWorker(tm)
		w.terms = append(w.terms, tm)
	}
}

// bearer adds the web shop's token to its requests.
type bearer struct {
	next  http.RoundTripper
	token string
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func (w *world) startServer() {
	st, err := ledgerdb.OpenSQLite(context.Background(), w.srvPath, w.serverClock())
	w.must(err, "open the server store")
	// As keytagd serve does: a start of its own, which every pull names.
	// A server killed while it records it is restarted after the step.
	if err := st.Started(context.Background()); err != nil && !killed(w.srvPath) {
		w.fail("record the server's start: %v", err)
	}
	w.store = st
	w.api = httpapi.New(st, slog.New(slog.DiscardHandler)).Handler()
}

func (w *world) stopServer() {
	w.net.mu.Lock()
	defer w.net.mu.Unlock()
	w.api = nil
	w.must(w.store.Close(), "close the server store")
	w.store = nil
}

func (w *world) openTerm(tm *term) {
	db, err := sqlite.Open(context.Background(), tm.path, pos.ClockFunc(func() time.Time { return w.now.Add(tm.offset) }))
	w.must(err, "open "+tm.name)
	tm.db = db
}

func (w *world) newWorker(tm *term) {
	wk, err := worker.New(tm.db, worker.Options{
		Client: client.Options{Transport: link{w.net, tm.name}, RetryMax: -1, RequestTimeout: time.Minute},
		Logger: slog.New(slog.DiscardHandler),
		Clock:  pos.ClockFunc(func() time.Time { return w.now.Add(tm.offset) }),
		Rand:   func() float64 { return 0.5 },
		// Small pages, so a pull takes several and a crash can fall
		// between them.
		PullLimit: 50, BatchSize: 20,
	})
	w.must(err, "worker for "+tm.name)
	tm.w = wk
}

func (w *world) close() {
	w.disarmDiskCrashes(true)
	for _, tm := range w.terms {
		if tm.db != nil {
			tm.db.Close()
		}
	}
	if w.store != nil {
		w.store.Close()
	}
}

// act makes one step: an operation or a fault, as the seed says.
func (w *world) act() {
	tm := w.terms[w.rng.IntN(len(w.terms))]
	switch r := w.rng.IntN(100); {
	case r < 25:
		w.sale(tm)
	case r < 31:
		w.returnSale(tm)
	case r < 40:
		w.enrol(tm)
	case r < 43:
		w.replaceTag(tm)
	case r < 47:
		w.reserveGift(tm)
	case r < 53:
		w.webOrder()
	case r < 55:
		w.birthdays()
	case r < 75:
		w.sync(tm, false)
	case r < 80:
		if w.net.cut[tm.name] {
			w.tracef("%s: partition healed", tm.name)
			delete(w.net.cut, tm.name)
		} else {
			w.tracef("%s: partitioned", tm.name)
			w.net.cut[tm.name] = true
		}
	case r < 82:
		w.net.all = !w.net.all
		w.tracef("all terminals cut off: %v", w.net.all)
	case r < 85:
		w.crashTerm(tm)
	case r < 87:
		w.tracef("server crashes and restarts")
		w.stopServer()
		w.startServer()
	case r < 89:
		w.takeBackup()
	case r < 90:
		if w.restore {
			w.restoreBackup()
		}
	case r < 92:
		w.armDiskCrash(tm.name, tm.path, 1+w.rng.IntN(60))
	case r < 93:
		w.armDiskCrash("server", w.srvPath, 1+w.rng.IntN(60))
	default:
		w.net.deliverHeld()
	}
}

// outcome treats a refusal (a pos error: a cap, a closed window, a taken
// email) and a network failure as what a cashier would see, and anything
// else as a failure of the seed.
func (w *world) outcome(what string, err error) bool {
	w.t.Helper()
	if err == nil {
		w.tracef("%s", what)
		return true
	}
	var pe *pos.Error
	var he *client.HTTPError
	switch {
	case errors.As(err, &pe):
		w.tracef("%s: refused (%s)", what, pe.Code)
	case errors.Is(err, client.ErrOffline), errors.As(err, &he):
		w.tracef("%s: %v", what, err)
	case w.killedFor(what):
		w.tracef("%s: %v (killed in the middle of a write)", what, err)
	default:
		w.fail("%s: %v", what, err)
	}
	return false
}

// customer picks a customer the terminal knows, by tag or email.
func (w *world) customer(tm *term) (pos.Account, bool) {
	if len(w.emails) == 0 {
		return pos.Account{}, false
	}
	a, err := tm.db.FindAccount(context.Background(), w.emails[w.rng.IntN(len(w.emails))])
	return a, err == nil
}

func (w *world) sale(tm *term) {
	ctx := context.Background()
	a, ok := w.customer(tm)
	amount := pos.Money(100 + w.rng.IntN(20000))
	var redeem int64
	req := pos.SaleRequest{}
	if ok {
		req.AccountID = a.ID
		if a.Balance.Available > 0 && w.rng.IntN(2) == 0 {
			redeem = min(1+w.rng.Int64N(a.Balance.Available), int64(amount))
		}
		if w.rng.IntN(10) == 0 {
			req.OverrideBy = &tm.mgr
		}
	}
	sku := fmt.Sprintf("SKU-%d", w.rng.IntN(5))
	req.Order = pos.Order{Lines: []pos.Line{{SKU: sku, Qty: 1, UnitPrice: amount}},
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: amount - pos.Money(redeem)}}, RedeemPoints: redeem}
	res, err := tm.db.Checkout(ctx, tm.cash, req)
	if w.outcome(fmt.Sprintf("%s: sale %d to %q redeeming %d (override %v)", tm.name, amount, a.Email, redeem, req.OverrideBy != nil), err) {
		tm.sales = append(tm.sales, saleMade{res.Receipt, sku})
		tm.w.Notify()
	}
}

func (w *world) returnSale(tm *term) {
	if len(tm.sales) == 0 {
		return
	}
	s := tm.sales[w.rng.IntN(len(tm.sales))]
	_, err := tm.db.Return(context.Background(), tm.cash, pos.ReturnRequest{Receipt: s.receipt,
		Lines: []pos.ReturnLine{{SKU: s.sku, Qty: 1}}, Claim: pos.ClaimSatisfaction, Outcome: pos.OutcomeRefund, Unopened: true})
	w.outcome(fmt.Sprintf("%s: return of %s", tm.name, s.receipt), err)
}

func (w *world) newTag() string {
	w.tagN++
	code, err := pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", 100000000+w.tagN))
	w.must(err, "make a tag")
	return code
}

func (w *world) enrol(tm *term) {
	email := fmt.Sprintf("c%d@example.com", len(w.emails)+1)
	if len(w.emails) > 0 && w.rng.IntN(3) == 0 {
		// The same customer signs up again at another store, perhaps
		// before the first sign-up reached it.
		email = w.emails[w.rng.IntN(len(w.emails))]
	}
	n := pos.NewAccount{Email: email, Name: "Cust " + email[:strings.IndexByte(email, '@')], Tag: w.newTag()}
	if w.rng.IntN(2) == 0 {
		n.BirthDate = w.now.AddDate(-30, 0, w.rng.IntN(3)).Format("2006-01-02")
	}
	_, err := tm.db.CreateAccount(context.Background(), tm.cash, n)
	if w.outcome(fmt.Sprintf("%s: enrol %s", tm.name, email), err) {
		if !contains(w.emails, email) {
			w.emails = append(w.emails, email)
		}
		tm.w.Notify()
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (w *world) replaceTag(tm *term) {
	a, ok := w.customer(tm)
	if !ok {
		return
	}
	_, err := tm.db.ReplaceTag(context.Background(), tm.mgr, a.Email, w.newTag())
	w.outcome(fmt.Sprintf("%s: replace the tag of %s", tm.name, a.Email), err)
}

func (w *world) reserveGift(tm *term) {
	a, ok := w.customer(tm)
	if !ok {
		return
	}
	g := w.gifts[w.rng.IntN(len(w.gifts))]
	_, err := tm.w.Client().ReserveGift(context.Background(), a.ID, g, tm.cash.Name)
	w.outcome(fmt.Sprintf("%s: reserve gift %s for %s", tm.name, g, a.Email), err)
	w.afterRound(tm)
}

// webDo calls the HTTP API as the web shop.
func (w *world) webDo(method, path string, in any) error {
	b, err := json.Marshal(in)
	w.must(err, "encode")
	req, err := http.NewRequest(method, serverURL+path, bytes.NewReader(b))
	w.must(err, "request")
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.web.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", client.ErrOffline, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		var eb pos.ErrorBody
		json.Unmarshal(raw, &eb)
		if resp.StatusCode >= 500 {
			return fmt.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, raw)
		}
		return pos.Errorf(eb.Error.Code, "%s", eb.Error.Message)
	}
	return nil
}

func (w *world) webOrder() {
	if len(w.emails) > 0 && len(w.orders) > 0 && w.rng.IntN(3) == 0 {
		id := w.orders[w.rng.IntN(len(w.orders))]
		if w.outcome("web: order "+id+" processed", w.webDo("POST", "/v1/orders/"+id+"/processed", struct{}{})) {
			w.processed[id] = true
		}
		return
	}
	if len(w.emails) == 0 {
		return
	}
	id := fmt.Sprintf("W%d", len(w.orders)+1)
	if len(w.orders) > 0 && w.rng.IntN(5) == 0 {
		id = w.orders[w.rng.IntN(len(w.orders))] // the shop retries an order
	}
	amount := pos.Money(500 + w.rng.IntN(10000))
	email := w.emails[w.rng.IntN(len(w.emails))]
	req := pos.OrderRequest{OrderID: id, Email: email, Lines: []pos.Line{{SKU: "WEB-1", Qty: 1, UnitPrice: amount}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: amount}}}
	if w.outcome("web: order "+id+" for "+email, w.webDo("POST", "/v1/orders", req)) {
		if _, ok := w.placed[id]; !ok {
			w.placed[id] = req
		}
		if !contains(w.orders, id) {
			w.orders = append(w.orders, id)
		}
	}
}

// repostOrders is the web shop's part of a restore: it posts again, in
// the order it placed them, every order the server had said yes to, and
// marks processed again those it had processed; order ids make that
// safe. Orders refused now (the customer's account was lost too and not
// yet sent again) are left: the heal posts them again later.
func (w *world) repostOrders() {
	for _, id := range w.orders {
		req, ok := w.placed[id]
		if !ok {
			continue
		}
		if w.outcome("web: order "+id+" posted again", w.webDo("POST", "/v1/orders", req)) && w.processed[id] {
			w.outcome("web: order "+id+" processed again", w.webDo("POST", "/v1/orders/"+id+"/processed", struct{}{}))
		}
	}
}

func (w *world) birthdays() {
	if w.store == nil {
		return
	}
	g, err := w.store.GrantBirthdays(context.Background(), pos.DayOf(w.now))
	w.outcome(fmt.Sprintf("server: %d birthday gifts", len(g)), err)
}

// sync runs one worker round; must says the network is healed and the
// round has to succeed.
func (w *world) sync(tm *term, must bool) {
	err := tm.w.SyncOnce(context.Background())
	if must && err != nil {
		w.fail("%s: a round on a healed network failed: %v", tm.name, err)
	}
	w.outcome(tm.name+": sync round", err)
	w.afterRound(tm)
}

// afterRound crashes the terminal when the network decided it died in
// the middle of the round.
func (w *world) afterRound(tm *term) {
	if w.net.crash[tm.name] {
		delete(w.net.crash, tm.name)
		w.crashTerm(tm)
	}
}

// crashTerm closes the terminal's database and opens it again from the
// file: what was committed is all that is left.
func (w *world) crashTerm(tm *term) {
	w.tracef("%s: crash and restart", tm.name)
	w.must(tm.db.Close(), "close "+tm.name)
	w.openTerm(tm)
	w.newWorker(tm)
}

// takeBackup copies the server's database as it is now.
func (w *world) takeBackup() {
	if w.store == nil {
		return
	}
	path := filepath.Join(w.dir, fmt.Sprintf("backup-%d.db", w.step))
	_, err := w.store.SQL().ExecContext(context.Background(), `VACUUM INTO ?`, path)
	w.must(err, "back up the server")
	w.backup = path
	w.tracef("server backed up")
}

// restoreBackup puts the last backup back in place of the server's
// database: everything the server acknowledged since is lost to it, and
// the terminals must send it again.
func (w *world) restoreBackup() {
	if w.backup == "" {
		return
	}
	w.tracef("server restored from the backup")
	w.stopServer()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(w.srvPath + suffix); err != nil && !os.IsNotExist(err) {
			w.fail("remove the server's database: %v", err)
		}
	}
	b, err := os.ReadFile(w.backup)
	w.must(err, "read the backup")
	w.must(os.WriteFile(w.srvPath, b, 0o600), "restore the backup")
	w.startServer()
	for id, from := range w.acked {
		w.lost[id] = from
	}
	w.acked = map[string]string{}
	w.restored = true
}
