package loadtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// Knobs of BenchmarkFleet.
const (
	EnvTerminals = "KEYTAG_LOAD_TERMINALS"  // simulated terminals (1000)
	EnvDuration  = "KEYTAG_LOAD_DURATION"   // how long they sell (2m)
	EnvSaleEvery = "KEYTAG_LOAD_SALE_EVERY" // each terminal's time between sales (30s)
	EnvPullWait  = "KEYTAG_LOAD_PULL_WAIT"  // the long-poll's ?wait= (20s, as the worker)
	// EnvPollEvery, set, replaces the long-polls with a plain pull every
	// so often (the worker's 30-second rounds before long-polls): the
	// same sales without a thousand held requests, to compare.
	EnvPollEvery = "KEYTAG_LOAD_POLL_EVERY"
)

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

// fleetTerminal is one simulated till: its token, the customers it sells
// to and the seq of its last record.
type fleetTerminal struct {
	id, store, token string
	accounts         []string
	seq              int64
}

// fleetStats is what the fleet saw, counted from every terminal at once.
type fleetStats struct {
	mu         sync.Mutex
	pushMillis []float64
	pushErrors atomic.Int64
	pullErrors atomic.Int64
	pulls      atomic.Int64
	held       atomic.Int64 // long-polls open right now
	maxHeld    atomic.Int64
	firstErr   atomic.Pointer[string]
}

func (st *fleetStats) fail(what string, err error) {
	msg := what + ": " + err.Error()
	st.firstErr.CompareAndSwap(nil, &msg)
}

// BenchmarkFleet runs a chain's fleet against one keytagd process on
// PostgreSQL over real HTTP on loopback: KEYTAG_LOAD_TERMINALS terminals
// (1,000), each ringing up a sale (a sale record and its earn entry, as
// a checkout queues them) every KEYTAG_LOAD_SALE_EVERY (30 s, the first
// at a random moment within it) and each holding a long-poll on
// /v1/sync/pull?wait=… between answers, as the worker does, for
// KEYTAG_LOAD_DURATION (2 minutes). keytagd is the real binary
// (cmd/keytagd) on a fresh schema of KEYTAG_TEST_POSTGRES. Reported:
// push latency p50/p99/max, push and pull errors, the long-polls held at
// once, and the most keytagd held: resident memory, open file
// descriptors (sockets and files) and PostgreSQL connections.
func BenchmarkFleet(b *testing.B) {
	n := int(envInt(EnvTerminals, 1000))
	dur := envDuration(EnvDuration, 2*time.Minute)
	every := envDuration(EnvSaleEvery, 30*time.Second)
	wait := envDuration(EnvPullWait, 20*time.Second)
	poll := envDuration(EnvPollEvery, 0)
	ctx := context.Background()
	dbURL := ledgerdbtest.PostgresURL(b) + "&application_name=keytagd-fleet"

	// The terminals are enrolled straight in the store, before keytagd
	// starts: enrolment is not what is measured.
	s, err := ledgerdb.OpenPostgres(ctx, dbURL, nil)
	if err != nil {
		b.Fatal(err)
	}
	terms := make([]*fleetTerminal, n)
	for i := range terms {
		store := "S" + strconv.Itoa(i%Stores)
		id, code, err := s.AddTerminal(ctx, store, "till "+strconv.Itoa(i))
		if err != nil {
			b.Fatal(err)
		}
		e, err := s.Enroll(ctx, code, "load")
		if err != nil {
			b.Fatal(err)
		}
		terms[i] = &fleetTerminal{id: id, store: store, token: e.Token}
	}
	s.Close()

	bin := buildKeytagd(b)
	addr := freeAddr(b)
	cmd := exec.Command(bin, "--db", dbURL, "--listen", addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}()
	base := "http://" + addr
	tr := &http.Transport{MaxIdleConns: 4 * n, MaxIdleConnsPerHost: 4 * n, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: wait + 30*time.Second}
	if err := waitHealthy(client, base); err != nil {
		b.Fatalf("%v\n%s", err, logs.String())
	}

	// Each terminal enrols five customers first, in one push.
	for _, t := range terms {
		var recs []pos.Record
		for j := range 5 {
			a := pos.Account{ID: t.id + "-c" + strconv.Itoa(j), Name: "Load", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
			a.Email = a.ID + "@example.com"
			t.accounts = append(t.accounts, a.ID)
			recs = append(recs, t.record(pos.RecordAccount, a.ID, a))
		}
		if _, err := push(client, base, t.token, recs); err != nil {
			b.Fatal(err)
		}
	}
	var head struct {
		Head int64 `json:"head"`
	}
	if err := getJSON(client, base+"/v1/sync/pull?cursor=0&limit=1", terms[0].token, &head); err != nil {
		b.Fatal(err)
	}

	var st fleetStats
	peak := watchProcess(cmd.Process.Pid, dbURL)
	runCtx, stop := context.WithTimeout(ctx, dur)
	defer stop()
	var wg sync.WaitGroup
	cfg := pos.DefaultConfig()
	scans := changeLogScans(b, dbURL)
	b.ResetTimer()
	for i, t := range terms {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if poll > 0 {
				t.poll(runCtx, client, base, head.Head, poll, &st)
			} else {
				t.longPoll(runCtx, client, base, head.Head, wait, &st)
			}
		}()
		go func() {
			defer wg.Done()
			t.sell(runCtx, client, base, every, cfg, rand.New(rand.NewPCG(uint64(i), 1)), &st)
		}()
	}
	wg.Wait()
	b.StopTimer()
	held := peak()
	// PostgreSQL's backends report their table statistics within some
	// seconds of going idle, not at once.
	time.Sleep(11 * time.Second)
	scans = changeLogScans(b, dbURL) - scans

	slices.Sort(st.pushMillis)
	q := func(p float64) float64 {
		if len(st.pushMillis) == 0 {
			return 0
		}
		return st.pushMillis[min(len(st.pushMillis)-1, int(p*float64(len(st.pushMillis))))]
	}
	b.ReportMetric(float64(len(st.pushMillis)), "pushes")
	b.ReportMetric(q(0.50), "p50-push-ms")
	b.ReportMetric(q(0.99), "p99-push-ms")
	b.ReportMetric(q(1), "max-push-ms")
	b.ReportMetric(float64(st.pushErrors.Load()), "push-errors")
	b.ReportMetric(float64(st.pulls.Load()), "pulls")
	b.ReportMetric(float64(st.pullErrors.Load()), "pull-errors")
	b.ReportMetric(float64(st.maxHeld.Load()), "max-longpolls-held")
	b.ReportMetric(float64(held.rssKB)/1024, "max-rss-MB")
	b.ReportMetric(float64(held.fds), "max-fds")
	b.ReportMetric(float64(held.pgConns), "max-pg-conns")
	b.ReportMetric(float64(scans)/dur.Seconds(), "changelog-scans/s")
	if e := st.firstErr.Load(); e != nil {
		b.Logf("first error: %s", *e)
	}
	how := "long-polls ?wait=" + wait.String()
	if poll > 0 {
		how = "a plain pull every " + poll.String()
	}
	b.Logf("%d terminals, a sale every %s each, %s, for %s; fd limit %s", n, every, how, dur, fdLimit())
}

// record numbers a record of the terminal's outbox.
func (t *fleetTerminal) record(kind pos.RecordKind, id string, body any) pos.Record {
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	t.seq++
	return pos.Record{Seq: t.seq, ID: id, Kind: kind, Body: raw}
}

// sell pushes a sale and its earn entry every interval, as a checkout
// queues them and the worker pushes them at once.
func (t *fleetTerminal) sell(ctx context.Context, c *http.Client, base string, every time.Duration, cfg pos.Config, rng *rand.Rand, st *fleetStats) {
	next := time.NewTimer(time.Duration(rng.Int64N(int64(every))))
	defer next.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-next.C:
		}
		next.Reset(every)
		now := time.Now().UTC().Truncate(time.Millisecond)
		acct := t.accounts[rng.IntN(len(t.accounts))]
		lines := []pos.Line{{SKU: "SKU-" + strconv.Itoa(rng.IntN(500)), Qty: 1 + rng.Int64N(3), UnitPrice: pos.Money(100 + rng.IntN(5000))}}
		order := pos.Order{Lines: lines, Tenders: []pos.Tender{{Type: pos.TenderCard}}}
		order.Tenders[0].Amount = lines[0].UnitPrice * pos.Money(lines[0].Qty)
		quote, err := cfg.CheckOrder(order, 0)
		if err != nil {
			st.pushErrors.Add(1)
			st.fail("quote", err)
			continue
		}
		receipt := t.id + "-" + strconv.Itoa(n)
		sale := pos.Sale{Receipt: receipt, Account: acct, Tenders: order.Tenders, Merchandise: quote.Merchandise,
			PointsEarned: quote.PointsEarned, Store: t.store, Terminal: t.id, Staff: "Load", At: now}
		for _, l := range lines {
			sale.Lines = append(sale.Lines, pos.SoldLine{Line: l})
		}
		recs := []pos.Record{t.record(pos.RecordSale, receipt, sale)}
		if quote.PointsEarned > 0 {
			e := pos.Entry{ID: pos.NewID(), Account: acct, Kind: pos.KindEarn, Points: quote.PointsEarned, Ref: receipt,
				Store: t.store, Terminal: t.id, Staff: "Load", At: now}
			recs = append(recs, t.record(pos.RecordEntry, e.ID, e))
		}
		t0 := time.Now()
		res, err := push(c, base, t.token, recs)
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if err == nil && res.Acked != t.seq {
			err = fmt.Errorf("acked %d, want %d: %+v", res.Acked, t.seq, res.Verdicts)
		}
		if err != nil {
			if ctx.Err() != nil {
				return // cut by the end of the run
			}
			st.pushErrors.Add(1)
			st.fail("push", err)
			continue
		}
		st.mu.Lock()
		st.pushMillis = append(st.pushMillis, ms)
		st.mu.Unlock()
	}
}

// longPoll holds GET /v1/sync/pull?wait=… as the worker does between
// rounds: one open at a time, the next from the cursor the last gave.
func (t *fleetTerminal) longPoll(ctx context.Context, c *http.Client, base string, cursor int64, wait time.Duration, st *fleetStats) {
	for ctx.Err() == nil {
		var out pos.PullResponse
		st.maxHeld.Store(max(st.maxHeld.Load(), st.held.Add(1)))
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/v1/sync/pull?cursor=%d&limit=%d&wait=%s", base, cursor, pullPage, wait), nil)
		err := doJSON(c, req, t.token, &out)
		st.held.Add(-1)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			st.pullErrors.Add(1)
			st.fail("pull", err)
			time.Sleep(time.Second)
			continue
		}
		st.pulls.Add(1)
		cursor = out.Cursor
	}
}

// poll pulls without waiting every interval, every page until none is
// left, as the worker's rounds did before long-polls.
func (t *fleetTerminal) poll(ctx context.Context, c *http.Client, base string, cursor int64, every time.Duration, st *fleetStats) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for more := true; more && ctx.Err() == nil; {
			var out pos.PullResponse
			req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/v1/sync/pull?cursor=%d&limit=%d", base, cursor, pullPage), nil)
			if err := doJSON(c, req, t.token, &out); err != nil {
				if ctx.Err() == nil {
					st.pullErrors.Add(1)
					st.fail("pull", err)
				}
				break
			}
			st.pulls.Add(1)
			cursor, more = out.Cursor, out.More
		}
	}
}

func push(c *http.Client, base, token string, recs []pos.Record) (pos.PushResponse, error) {
	raw, err := json.Marshal(pos.PushRequest{Records: recs})
	if err != nil {
		return pos.PushResponse{}, err
	}
	req, _ := http.NewRequest("POST", base+"/v1/sync/push", bytes.NewReader(raw))
	var out pos.PushResponse
	err = doJSON(c, req, token, &out)
	return out, err
}

func getJSON(c *http.Client, url, token string, out any) error {
	req, _ := http.NewRequest("GET", url, nil)
	return doJSON(c, req, token, out)
}

func doJSON(c *http.Client, req *http.Request, token string, out any) error {
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, body)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func waitHealthy(c *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("keytagd did not answer /healthz at %s", base)
}

// processPeak is the most a process held while it was watched.
type processPeak struct {
	rssKB, fds, pgConns int64
}

// watchProcess samples keytagd's resident memory, open descriptors and
// PostgreSQL connections (by its application_name) every 250 ms; the
// returned func stops and gives the peaks.
func watchProcess(pid int, dbURL string) func() processPeak {
	var peak processPeak
	done := make(chan struct{})
	stopped := make(chan struct{})
	db, _ := sql.Open("pgx", dbURL)
	go func() {
		defer close(stopped)
		defer db.Close()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				for _, l := range strings.Split(string(status), "\n") {
					if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
						kb, _ := strconv.ParseInt(f[1], 10, 64)
						peak.rssKB = max(peak.rssKB, kb)
					}
				}
			}
			if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
				peak.fds = max(peak.fds, int64(len(fds)))
			}
			var conns int64
			if db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'keytagd-fleet' AND pid <> pg_backend_pid()`).Scan(&conns) == nil {
				peak.pgConns = max(peak.pgConns, conns)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() processPeak {
		close(done)
		<-stopped
		return peak
	}
}

// fdLimit is this process's soft and hard limits on open files (keytagd,
// its child, has the same).
func fdLimit() string {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d/%d", l.Cur, l.Max)
}

// changeLogScans is how many scans of the change log the database has
// run (pg_stat_user_tables): every ledger Pull reads it once or twice, and
// nothing else a fleet does reads it, so its rise over a run is the
// pulls that reached the database.
func changeLogScans(b *testing.B, dbURL string) int64 {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND relname = 'changes'`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// buildKeytagd builds the real keytagd for this run.
func buildKeytagd(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "keytagd")
	if out, err := exec.Command("go", "build", "-o", bin, "keytag/cmd/keytagd").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
