package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

var (
	binDir   string
	buildBin = gosync.OnceValues(func() (string, error) {
		bin := filepath.Join(binDir, "keytagd")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %w\n%s", err, out)
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "keytagd-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// buildKeytagd builds the real binary once per test run.
func buildKeytagd(t *testing.T) string {
	t.Helper()
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// proc is keytagd running as a child process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startProc(t *testing.T, bin, db string) *proc {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--db", db, "--listen", addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("keytagd did not answer /healthz")
	return nil
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		p.done <- nil // let a second kill return too
	}
}

func adminCmd(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("keytagd %v: %v", args, err)
	}
	return lastLine(string(out))
}

func enrol(t *testing.T, url, code string) string {
	t.Helper()
	var e pos.EnrollResponse
	if st := postJSON(t, url+"/v1/enroll", "", pos.EnrollRequest{Code: code, Name: "crash"}, &e); st != 200 {
		t.Fatalf("enroll: %d", st)
	}
	return e.Token
}

// crashBatches makes batches of 550 records: 50 new accounts each, with
// their sign-up bonus, a sale and its earns and redeem, numbered without
// gaps.
func crashBatches(n int) ([][]pos.Record, map[string]int64) {
	var batches [][]pos.Record
	want := map[string]int64{}
	seq := int64(0)
	rec := func(kind pos.RecordKind, id string, body any) pos.Record {
		seq++
		raw, _ := json.Marshal(body)
		return pos.Record{Seq: seq, ID: id, Kind: kind, Body: raw}
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for b := range n {
		var recs []pos.Record
		for a := range 50 {
			acct := fmt.Sprintf("acct-%d-%d", b, a)
			recs = append(recs, rec(pos.RecordAccount, acct, pos.Account{ID: acct, Email: acct + "@example.com", Name: "C", CreatedAt: at}))
			// The sale the earns and the redeem draw on: 2+3+4+6+7+8+9.
			receipt := "R-" + acct
			recs = append(recs, rec(pos.RecordSale, receipt, ledgerdbtest.Sale(pos.DefaultConfig(), receipt, acct, 39, 30, at)))
			for e := range 9 {
				kind, points := pos.KindEarn, int64(e+1)
				switch e {
				case 0:
					kind, points = pos.KindSignup, 100
				case 4:
					kind, points = pos.KindRedeem, -30
				}
				id := pos.NewID()
				recs = append(recs, rec(pos.RecordEntry, id, pos.Entry{ID: id, Account: acct, Kind: kind, Points: points, Ref: receipt, At: at}))
				want[acct] += points
			}
		}
		batches = append(batches, recs)
	}
	return batches, want
}

func pushBatch(url, token string, recs []pos.Record) (pos.PushResponse, error) {
	raw, _ := json.Marshal(pos.PushRequest{Records: recs})
	req, _ := http.NewRequest("POST", url+"/v1/sync/push", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return pos.PushResponse{}, err
	}
	defer resp.Body.Close()
	var out pos.PushResponse
	if resp.StatusCode != 200 {
		return out, fmt.Errorf("status %d", resp.StatusCode)
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// TestCrashMidPushLeavesTheLedgerWhole kills keytagd with SIGKILL while it
// stores pushes, at random moments, and checks after a restart that every
// batch is all there or not there at all, every balance is the sum of its
// entries, and pushing everything again doubles nothing.
func TestCrashMidPushLeavesTheLedgerWhole(t *testing.T) {
	bin := buildKeytagd(t)
	batches, want := crashBatches(4)
	total := int64(0)
	for _, b := range batches {
		total += int64(len(b))
	}
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "keytagd.db")
			code := adminCmd(t, bin, "--db", db, "terminal", "add", "--store", "S1", "--name", "till")
			p := startProc(t, bin, db)
			token := enrol(t, p.url, code)
			pushed := make(chan int, 1)
			go func() {
				n := 0
				for _, b := range batches {
					if _, err := pushBatch(p.url, token, b); err != nil {
						break
					}
					n++
				}
				pushed <- n
			}()
			time.Sleep(time.Duration(5+rand.IntN(120)) * time.Millisecond)
			p.kill()
			confirmed := <-pushed

			// Whole after the crash: each batch all or nothing.
			store, err := ledgerdb.OpenSQLite(context.Background(), db, nil)
			if err != nil {
				t.Fatal(err)
			}
			stored := 0
			for i, b := range batches {
				ids := make([]string, 0, len(b))
				for _, r := range b {
					ids = append(ids, "'"+r.ID+"'")
				}
				var n int
				in := strings.Join(ids, ",")
				err := store.SQL().QueryRow(`SELECT (SELECT count(*) FROM entries WHERE id IN (` + in + `)) + (SELECT count(*) FROM records WHERE id IN (` + in + `))`).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
				if n != 0 && n != len(b) {
					t.Errorf("batch %d is half stored: %d of %d records", i, n, len(b))
				}
				if n > 0 {
					stored++
				}
			}
			if stored < confirmed {
				t.Errorf("%d batches were confirmed but only %d are stored", confirmed, stored)
			}
			if ms, err := store.Verify(context.Background()); err != nil || len(ms) > 0 {
				t.Errorf("after the crash: %+v %v", ms, err)
			}
			store.Close()
			t.Logf("killed after %d confirmed batches, %d stored", confirmed, stored)

			// Restart and push everything again.
			p = startProc(t, bin, db)
			var acked int64
			for i, b := range batches {
				res, err := pushBatch(p.url, token, b)
				if err != nil {
					t.Fatalf("re-push %d: %v", i, err)
				}
				for _, v := range res.Verdicts {
					if v.Status != pos.VerdictAccepted && v.Status != pos.VerdictDuplicate {
						t.Fatalf("re-push %d: %+v", i, v)
					}
				}
				acked = res.Acked
			}
			if acked != total {
				t.Errorf("acked %d, want %d", acked, total)
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if err := <-p.done; err != nil {
				t.Errorf("keytagd after SIGTERM: %v", err)
			}
			p.done <- nil
			store, err = ledgerdb.OpenSQLite(context.Background(), db, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if ms, err := store.Verify(context.Background()); err != nil || len(ms) > 0 {
				t.Errorf("after the re-push: %+v %v", ms, err)
			}
			for acct, points := range want {
				v, err := store.AccountByID(context.Background(), acct)
				if err != nil || v.Balance.Available != points {
					t.Fatalf("%s: %+v %v, want %d: something was lost or doubled", acct, v.Balance, err, points)
				}
			}
		})
	}
}

// TestSIGTERMLetsRequestsInFlightFinish sends SIGTERM while a push is half
// uploaded: the push still succeeds and keytagd then exits 0.
func TestSIGTERMLetsRequestsInFlightFinish(t *testing.T) {
	bin := buildKeytagd(t)
	db := filepath.Join(t.TempDir(), "keytagd.db")
	code := adminCmd(t, bin, "--db", db, "terminal", "add", "--store", "S1", "--name", "till")
	p := startProc(t, bin, db)
	token := enrol(t, p.url, code)
	batches, _ := crashBatches(1)
	raw, _ := json.Marshal(pos.PushRequest{Records: batches[0]})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", p.url+"/v1/sync/push", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.ContentLength = int64(len(raw))
	type answer struct {
		status int
		err    error
		body   pos.PushResponse
	}
	answers := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var a answer
		a.status = resp.StatusCode
		a.err = json.NewDecoder(resp.Body).Decode(&a.body)
		answers <- a
	}()
	half := len(raw) / 2
	if _, err := pw.Write(raw[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	pw.Write(raw[half:])
	pw.Close()
	a := <-answers
	if a.err != nil || a.status != 200 || a.body.Acked != int64(len(batches[0])) {
		t.Fatalf("the push in flight: %d %v %+v", a.status, a.err, a.body.Acked)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
		p.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("keytagd did not exit after SIGTERM")
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
}
