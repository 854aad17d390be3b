package worker_test

// End-to-end tests: the real keytagd and keytag binaries as child
// processes on loopback, real SQLite files, real HTTP, with a reverse
// proxy in between that can drop, record and delay traffic.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/worker"
)

var bins struct {
	once            sync.Once
	dir             string
	keytag, keytagd string
	err             error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

// binaries builds keytag and keytagd once per test run.
func binaries(t testing.TB) (keytag, keytagd string) {
	t.Helper()
	bins.once.Do(func() {
		bins.dir, bins.err = os.MkdirTemp("", "keytag-e2e-")
		if bins.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", bins.dir+string(os.PathSeparator), "keytag/cmd/keytag", "keytag/cmd/keytagd")
		out, err := cmd.CombinedOutput()
		if err != nil {
			bins.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		bins.keytag, bins.keytagd = filepath.Join(bins.dir, "keytag"), filepath.Join(bins.dir, "keytagd")
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.keytag, bins.keytagd
}

// lockedBuffer collects a child's output for the failure message.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// keytagd is the server as a child process.
type keytagd struct {
	// mu guards cmd and done: a fault hook kills from the proxy's goroutine.
	mu   sync.Mutex
	t    testing.TB
	bin  string
	DB   string
	Addr string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startKeytagd runs `keytagd --db DB --listen ADDR` and waits until
// /healthz answers.
func startKeytagd(t testing.TB, db string) *keytagd {
	t.Helper()
	_, bin := binaries(t)
	k := &keytagd{t: t, bin: bin, DB: db}
	k.start()
	t.Cleanup(k.kill)
	return k
}

func (k *keytagd) start() {
	k.t.Helper()
	k.Addr = freeAddr(k.t)
	k.out = &lockedBuffer{}
	cmd := exec.Command(k.bin, "--db", k.DB, "--listen", k.Addr)
	cmd.Stdout, cmd.Stderr = k.out, k.out
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	k.mu.Lock()
	k.cmd, k.done = cmd, done
	k.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + k.Addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-done:
			k.t.Fatalf("keytagd exited at start:\n%s", k.out)
		default:
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("keytagd did not answer /healthz within 30 s:\n%s", k.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// take hands the running server over to the one ending it (nil: none).
func (k *keytagd) take() (*exec.Cmd, chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	cmd, done := k.cmd, k.done
	k.cmd = nil
	return cmd, done
}

// kill ends the server at once, as a power cut would.
func (k *keytagd) kill() {
	cmd, done := k.take()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// stop ends the server cleanly.
func (k *keytagd) stop() {
	cmd, done := k.take()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		k.t.Errorf("keytagd did not stop on SIGTERM")
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// admin runs a keytagd admin command and returns its last stdout line.
func (k *keytagd) admin(args ...string) string {
	k.t.Helper()
	cmd := exec.Command(k.bin, append([]string{"--db", k.DB}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		k.t.Fatalf("keytagd %v: %v\n%s", args, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// serverDB opens the server's SQLite file for reading.
func (k *keytagd) serverDB() *sql.DB {
	k.t.Helper()
	db, err := sql.Open("sqlite", "file:"+k.DB+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		k.t.Fatal(err)
	}
	k.t.Cleanup(func() { db.Close() })
	return db
}

// proxy stands between the terminals and keytagd at a fixed address, so
// the server can restart elsewhere, and injects faults.
type proxy struct {
	URL    string
	srv    *httptest.Server
	target atomic.Pointer[url.URL]

	// dropPushes: this many push answers are lost after the server
	// committed them (the connection is cut before the answer).
	dropPushes atomic.Int64
	// pullDelay slows each pull answer.
	pullDelay atomic.Int64
	// onPush, if set, runs as a push request arrives.
	onPush atomic.Pointer[func(n int64)]
	pushes atomic.Int64

	mu       sync.Mutex
	recorded []recordedPush
}

type recordedPush struct {
	auth string
	body []byte
}

func newProxy(t testing.TB) *proxy {
	p := &proxy{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(p.target.Load())
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.URL.Path == "/v1/sync/push" && resp.StatusCode == 200 {
				for {
					n := p.dropPushes.Load()
					if n <= 0 {
						break
					}
					if p.dropPushes.CompareAndSwap(n, n-1) {
						return errors.New("answer lost")
					}
				}
			}
			if resp.Request.URL.Path == "/v1/sync/pull" {
				if d := p.pullDelay.Load(); d > 0 {
					time.Sleep(time.Duration(d))
				}
			}
			return nil
		},
		// An unreachable server, or a lost answer, looks to the terminal
		// like the network failing: the connection drops.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			panic(http.ErrAbortHandler)
		},
		ErrorLog: nil,
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.target.Load() == nil {
			panic(http.ErrAbortHandler)
		}
		if r.URL.Path == "/v1/sync/push" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			p.mu.Lock()
			p.recorded = append(p.recorded, recordedPush{auth: r.Header.Get("Authorization"), body: body})
			p.mu.Unlock()
			n := p.pushes.Add(1)
			if f := p.onPush.Load(); f != nil {
				(*f)(n)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	p.srv.Config.ErrorLog = nilLogger()
	p.srv.Start()
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

func (p *proxy) to(k *keytagd) {
	if k == nil {
		p.target.Store(nil)
		return
	}
	p.target.Store(&url.URL{Scheme: "http", Host: k.Addr})
}

// cluster is a server, a proxy and terminals enrolled through
// `keytag enroll`.
type cluster struct {
	t     testing.TB
	dir   string
	srv   *keytagd
	proxy *proxy
	terms []*terminal
}

func newCluster(t testing.TB, n int) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir()}
	c.srv = startKeytagd(t, filepath.Join(c.dir, "keytagd.db"))
	c.proxy = newProxy(t)
	c.proxy.to(c.srv)
	for i := range n {
		tm := newTerminal(t, c.dir, fmt.Sprintf("till%d", i+1))
		code := c.srv.admin("terminal", "add", "--store", fmt.Sprintf("S%d", i+1), "--name", fmt.Sprintf("till%d", i+1))
		out := tm.cli("enroll", "--server", c.proxy.URL, "--code", code, "--json")
		var got map[string]string
		if err := json.Unmarshal([]byte(out), &got); err != nil || got["terminal"] == "" {
			t.Fatalf("enroll --json printed %q (%v)", out, err)
		}
		if strings.Contains(out, "kt_") || strings.Contains(strings.ToLower(out), "token") {
			t.Fatalf("enroll printed something like a token: %q", out)
		}
		tm.reopen()
		c.terms = append(c.terms, tm)
	}
	return c
}

// cli runs the keytag binary on the terminal's database and returns
// stdout; a non-zero exit fails the test.
func (tm *terminal) cli(args ...string) string {
	tm.t.Helper()
	out, code, stderr := tm.cliCode(args...)
	if code != 0 {
		tm.t.Fatalf("keytag %v: exit %d\n%s", args, code, stderr)
	}
	return out
}

func (tm *terminal) cliCode(args ...string) (string, int, string) {
	tm.t.Helper()
	bin, _ := binaries(tm.t)
	cmd := exec.Command(bin, append([]string{"--db", tm.Path}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		tm.t.Fatal(err)
	}
	return stdout.String(), cmd.ProcessState.ExitCode(), stderr.String()
}

// reopen reopens the database after another process changed its
// identity (enrolment is read once, at open).
func (tm *terminal) reopen() {
	tm.t.Helper()
	tm.DB.Close()
	db, err := sqlite.Open(context.Background(), tm.Path, nil)
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.DB = db
	tm.t.Cleanup(func() { db.Close() })
}

// syncAll runs rounds on every terminal until each has nothing to send
// and a round on each brought nothing new, or the deadline passes.
func (c *cluster) syncAll(ws ...*worker.Worker) {
	c.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for round := 0; ; round++ {
		var errs []error
		for _, w := range ws {
			if err := w.SyncOnce(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == 0 && round >= 1 {
			quiet := true
			for _, tm := range c.terms {
				if n, _ := tm.DB.Waiting(ctx); n != 0 {
					quiet = false
				}
			}
			if quiet {
				// One more pass so each pulls what the last pushed.
				for _, w := range ws {
					if err := w.SyncOnce(ctx); err != nil {
						c.t.Fatal(err)
					}
				}
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the terminals did not settle within 60 s: %v", errs)
		}
	}
}

func (c *cluster) workers(o worker.Options) []*worker.Worker {
	ws := make([]*worker.Worker, len(c.terms))
	for i, tm := range c.terms {
		ws[i] = tm.worker(o)
	}
	return ws
}

// offlineDay: both terminals sell, enrol and redeem while the server is
// away, including the same customer enrolled at both.
func offlineDay(t testing.TB, t1, t2 *terminal) (tagA1, tagA2 string) {
	t.Helper()
	ctx := context.Background()
	tagA1, tagA2 = newTag(t), newTag(t)
	t1.enrol("dana@example.com", "Dana Park", tagA1)
	t2.enrol("dana@example.com", "Dana Park", tagA2)
	tagB := newTag(t)
	t1.enrol("ben@example.com", "Ben Ode", tagB)
	t2.enrol("cy@example.com", "Cy Young", "")
	t1.mustSell(tagA1, 12000, 0) // +120
	t1.mustSell(tagA1, 5000, 150)
	t2.mustSell(tagA2, 3000, 60)
	t2.mustSell("cy@example.com", 999, 0)
	t1.mustSell(tagB, 2500, 50)
	t1.mustSell("", 1000, 0)
	if _, err := t2.DB.Adjust(ctx, t2.Manager, "cy@example.com", 40, "goodwill"); err != nil {
		t.Fatal(err)
	}
	return tagA1, tagA2
}

func TestEndToEndOfflineTerminalsConverge(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, 2)
	t1, t2 := c.terms[0], c.terms[1]
	c.srv.stop()
	c.proxy.to(nil)

	tagA1, tagA2 := offlineDay(t, t1, t2)

	var st struct {
		Online        bool   `json:"online"`
		Waiting       int64  `json:"waiting"`
		Server        string `json:"server"`
		LastError     string `json:"last_error"`
		OfflineBudget []struct {
			Used int64 `json:"used"`
		} `json:"offline_budget"`
		OfflineBudgetUsed int64 `json:"offline_budget_used"`
	}
	// A round against the absent server fails and is recorded.
	if out, code, _ := t1.cliCode("sync", "--once"); code != 1 {
		t.Fatalf("sync --once with the server away: exit %d, %s", code, out)
	}
	if err := json.Unmarshal([]byte(t1.cli("status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Online || st.Waiting == 0 || st.Server != c.proxy.URL || st.LastError == "" || st.OfflineBudgetUsed != 200 {
		t.Fatalf("status while offline = %+v", st)
	}

	c.srv.start()
	c.proxy.to(c.srv)
	// One terminal through the CLI, then both through workers.
	t1.cli("sync", "--once")
	ws := c.workers(worker.Options{})
	c.syncAll(ws...)
	converged(t, c.srv.serverDB(), t1, t2)

	if err := json.Unmarshal([]byte(t1.cli("status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Online || st.Waiting != 0 || st.OfflineBudgetUsed != 0 {
		t.Fatalf("status after sync = %+v", st)
	}

	// Dana was enrolled at both tills: one account, both tags find it on
	// the till that enrolled her second (it holds both tags).
	a1, err := t2.DB.FindAccount(ctx, tagA1)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := t2.DB.FindAccount(ctx, tagA2)
	if err != nil {
		t.Fatal(err)
	}
	byEmail, err := t2.DB.FindAccount(ctx, "dana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if a1.ID != a2.ID || a1.ID != byEmail.ID {
		t.Fatalf("dana's tags find %s and %s, her email %s: want one account", a1.ID, a2.ID, byEmail.ID)
	}
	// t1: 100 sign-up, +120, −150 and +48 (cash 48.50); t2: its own
	// sign-up bonus and the server's taking it back, −60 and +29.
	if want := int64(100 + 120 - 150 + 48 + 100 - 100 - 60 + 29); a1.Balance.Available != want {
		t.Errorf("dana's balance on t2 = %d, want %d", a1.Balance.Available, want)
	}
	onT1, err := t1.DB.FindAccount(ctx, "dana@example.com")
	if err != nil || onT1.Balance != a1.Balance || onT1.ID != a1.ID {
		t.Errorf("dana on t1 = %+v, %v; on t2 %+v", onT1, err, a1)
	}
	// The manager's report lists the merge.
	var rep struct {
		Conflicts []struct{ Code, Kind string } `json:"conflicts"`
	}
	if err := json.Unmarshal([]byte(t2.cli("status", "--conflicts", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Conflicts {
		found = found || (c.Code == "merged" && c.Kind == "account")
	}
	if !found && len(rep.Conflicts) == 0 {
		// The till that pushed first holds the first account.
		if err := json.Unmarshal([]byte(t1.cli("status", "--conflicts", "--json")), &rep); err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Conflicts {
			found = found || (c.Code == "merged" && c.Kind == "account")
		}
	}
	if !found {
		t.Errorf("no terminal reports the merged enrolment: %+v", rep)
	}
}

func importAccounts(t testing.TB, tm *terminal, prefix string, n int) {
	t.Helper()
	rows := make([]pos.NewAccount, n)
	for i := range rows {
		rows[i] = pos.NewAccount{Email: fmt.Sprintf("%s%d@example.com", prefix, i), Name: fmt.Sprintf("Customer %d", i)}
	}
	errs, err := tm.DB.ImportAccounts(context.Background(), tm.Cashier, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		if e != nil {
			t.Fatal(e)
		}
	}
}

func TestServerKilledMidPush(t *testing.T) {
	c := newCluster(t, 2)
	t1, t2 := c.terms[0], c.terms[1]
	importAccounts(t, t1, "k", 800) // 1600 records: 4 pushes of 500
	offlineDay(t, t1, t2)
	var killed atomic.Bool
	kill := func(n int64) {
		if n == 2 && killed.CompareAndSwap(false, true) {
			c.srv.kill() // the second push may or may not reach the server
		}
	}
	c.proxy.onPush.Store(&kill)
	w1 := t1.worker(worker.Options{})
	if err := w1.SyncOnce(context.Background()); err == nil {
		t.Fatal("a round with the server killed under it succeeded")
	}
	c.proxy.onPush.Store(nil)
	c.srv.start()
	c.proxy.to(c.srv)
	c.syncAll(w1, t2.worker(worker.Options{}))
	converged(t, c.srv.serverDB(), t1, t2)
}

func TestAnswersLostAfterCommitAndReplayed(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, 2)
	t1, t2 := c.terms[0], c.terms[1]
	importAccounts(t, t1, "lost", 600)
	offlineDay(t, t1, t2)
	// More answers lost than the client retries: the first round fails
	// after the server committed; the next finds duplicates.
	c.proxy.dropPushes.Store(4)
	w1, w2 := t1.worker(worker.Options{}), t2.worker(worker.Options{})
	if err := w1.SyncOnce(ctx); err == nil {
		t.Fatal("a round whose answers were all lost succeeded")
	}
	c.syncAll(w1, w2)
	converged(t, c.srv.serverDB(), t1, t2)

	// Every push delivered again, newest first: all duplicates.
	c.proxy.mu.Lock()
	rec := append([]recordedPush(nil), c.proxy.recorded...)
	c.proxy.mu.Unlock()
	for i := len(rec) - 1; i >= 0; i-- {
		req, _ := http.NewRequest("POST", "http://"+c.srv.Addr+"/v1/sync/push", bytes.NewReader(rec[i].body))
		req.Header.Set("Authorization", rec[i].auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var pr pos.PushResponse
		json.NewDecoder(resp.Body).Decode(&pr)
		resp.Body.Close()
		for _, v := range pr.Verdicts {
			if v.Status != pos.VerdictDuplicate {
				t.Fatalf("replayed record %d answered %s (%s), want duplicate", v.Seq, v.Status, v.Code)
			}
		}
	}

	// Out of order: the second half of t1's new records first.
	importAccounts(t, t1, "ooo", 300)
	recs, err := t1.DB.PendingOutbox(ctx, 1000)
	if err != nil || len(recs) != 600 {
		t.Fatalf("outbox = %d records, %v", len(recs), err)
	}
	st, _ := t1.DB.SyncState(ctx)
	cl, err := client.New(c.proxy.URL, st.Token, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, half := range [][]pos.Record{recs[300:], recs[:300]} {
		req := pos.PushRequest{Epoch: st.Epoch}
		for _, r := range half {
			req.Records = append(req.Records, pos.Record{Seq: r.Seq, ID: r.ID, Kind: r.Kind, Body: r.Body})
		}
		resp, err := cl.Push(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var vs []pos.Verdict
		for _, v := range resp.Verdicts {
			vs = append(vs, pos.Verdict{Seq: v.Seq, ID: v.ID, Status: v.Status, Code: v.Code, Reason: v.Reason})
		}
		if _, err := t1.DB.Ack(ctx, resp.Epoch, resp.Acked, vs); err != nil {
			t.Fatal(err)
		}
	}
	c.syncAll(w1, w2)
	converged(t, c.srv.serverDB(), t1, t2)
	if st, _ := t1.DB.SyncState(ctx); st.Acked != recs[len(recs)-1].Seq {
		t.Errorf("acked = %d, want %d", st.Acked, recs[len(recs)-1].Seq)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		os.Remove(to)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestServerRestoredFromOlderBackup(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, 2)
	t1, t2 := c.terms[0], c.terms[1]
	tagA1, _ := offlineDay(t, t1, t2)
	ws := c.workers(worker.Options{})
	c.syncAll(ws...)

	// The backup: a copy of the stopped server's files.
	c.srv.stop()
	backup := filepath.Join(c.dir, "backup.db")
	for _, sfx := range []string{"", "-wal", "-shm"} {
		copyFile(t, c.srv.DB+sfx, backup+sfx)
	}
	c.srv.start()
	c.proxy.to(c.srv)

	// A day the backup does not hold.
	t1.mustSell(tagA1, 4000, 30)
	importAccounts(t, t1, "after", 50)
	t2.mustSell("cy@example.com", 2000, 10)
	t2.enrol("eve@example.com", "Eve Ng", "")
	c.syncAll(ws...)

	// The server comes back from the backup.
	c.srv.stop()
	for _, sfx := range []string{"", "-wal", "-shm"} {
		copyFile(t, backup+sfx, c.srv.DB+sfx)
	}
	c.srv.start()
	c.proxy.to(c.srv)
	c.syncAll(ws...)
	converged(t, c.srv.serverDB(), t1, t2)
	if _, err := c.srv.serverDB().ExecContext(ctx, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
}

func TestTerminalKilledMidPull(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, 2)
	t1, t2 := c.terms[0], c.terms[1]
	importAccounts(t, t1, "boot", 1500)
	c.syncAll(t1.worker(worker.Options{}))

	// t2 pulls as a child process, slowly, and is killed mid-way.
	c.proxy.pullDelay.Store(int64(40 * time.Millisecond))
	bin, _ := binaries(t)
	child := exec.Command(bin, "--db", t2.Path, "sync", "--page", "100")
	var out lockedBuffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := t2.DB.SyncState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pulled >= 500 && !st.Bootstrapped {
			break
		}
		if st.Bootstrapped || time.Now().After(deadline) {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("could not catch the pull mid-way: %+v\n%s", st, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	c.proxy.pullDelay.Store(0)

	// Half-bootstrapped: consistent, and usable under the offline rules.
	if bad, err := t2.DB.Verify(ctx); err != nil || len(bad) > 0 {
		t.Fatalf("after the kill: %v %v", bad, err)
	}
	status := t2.cli("status")
	if !strings.Contains(status, "bootstrap:     in progress") {
		t.Errorf("status mid-bootstrap:\n%s", status)
	}
	t2.mustSell("boot0@example.com", 1500, 80)
	if _, err := t2.sell("boot1@example.com", 100000, 2001); pos.ErrorCode(err) != pos.EInsufficientPoints && pos.ErrorCode(err) != pos.EOfflineCap {
		t.Errorf("a big redemption mid-bootstrap: %v", err)
	}

	t2.cli("sync", "--once")
	c.syncAll(t1.worker(worker.Options{}), t2.worker(worker.Options{}))
	converged(t, c.srv.serverDB(), t1, t2)
	if st, _ := t2.DB.SyncState(ctx); !st.Bootstrapped {
		t.Error("t2 still bootstrapping after a full pull")
	}
}

// nilLogger silences the proxy's "http: panic serving" lines: the drops
// are on purpose.
func nilLogger() *log.Logger { return log.New(io.Discard, "", 0) }
