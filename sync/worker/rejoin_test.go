package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/worker"
)

// settle runs rounds until the terminal has nothing left to send.
func settle(t *testing.T, tm *terminal, w *worker.Worker) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := w.SyncOnce(ctx)
		if n, _ := tm.DB.Waiting(ctx); err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal did not settle within 60 s: %v", err)
		}
	}
}

// A terminal whose token was revoked rejoins with a new code: `keytag
// enroll` refuses while its token still works (and does not spend the
// code), then takes the code once the token is refused, and the sales
// made meanwhile reach the server exactly once, even when the answer to
// the first push after the rejoin is lost.
func TestRevokedTerminalRejoinsWithItsOutbox(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		st, dbURL := b.Open(t, pos.SystemClock{})
		srv := startKeytagd(t, dbURL)
		p := newProxy(t)
		p.to(srv)
		tm := newTerminal(t, t.TempDir(), "till1")
		first, code, err := st.AddTerminal(ctx, "S1", "till1")
		if err != nil {
			t.Fatal(err)
		}
		tm.cli("enroll", "--server", p.URL, "--code", code)
		tm.reopen()
		w := tm.worker(worker.Options{})
		tag := newTag(t)
		tm.enrol("ann@example.com", "Ann Lee", tag)
		tm.mustSell(tag, 10000, 0) // +100
		settle(t, tm, w)

		_, again, err := st.AddTerminal(ctx, "S1", "till1 again")
		if err != nil {
			t.Fatal(err)
		}
		out, code1, stderr := tm.cliCode("enroll", "--server", p.URL, "--code", again, "--json")
		if code1 != 1 || !strings.Contains(out, pos.EConflict) || !strings.Contains(stderr, "still works") {
			t.Fatalf("enroll while the token works: exit %d %q %q, want a conflict", code1, out, stderr)
		}

		// Offline sales, then the terminal is revoked before they are sent.
		tm.mustSell(tag, 5000, 0)  // +50
		tm.mustSell(tag, 2000, 30) // -30, and 19.70 cash earns +19
		if err := st.RevokeTerminal(ctx, first); err != nil {
			t.Fatal(err)
		}
		// keytagd keeps the tokens it checked and hears of a revocation
		// made by another process (this one) within a second.
		time.Sleep(ledgerdb.AuthRecheck + 100*time.Millisecond)
		if err := w.SyncOnce(ctx); err == nil || !strings.Contains(worker.Describe(err), "keytag enroll") {
			t.Fatalf("sync with a revoked token: %v", err)
		}
		waiting, _ := tm.DB.Waiting(ctx)
		if waiting == 0 {
			t.Fatal("nothing waits to be sent")
		}

		// The code refused above was not spent: it rejoins the terminal now.
		tm.cli("enroll", "--server", p.URL, "--code", again)
		tm.reopen()
		w = tm.worker(worker.Options{})
		p.dropPushes.Store(1)
		settle(t, tm, w)

		want := int64(100 + 100 + 50 - 30 + 19)
		a, err := tm.DB.FindAccount(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.AccountByEmail(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if a.Balance.Available != want || got.Balance.Available != want {
			t.Fatalf("balance: terminal %d, server %d; want %d on both (every sale once)", a.Balance.Available, got.Balance.Available, want)
		}
		if ms, err := st.Verify(ctx); err != nil || len(ms) != 0 {
			t.Fatalf("server ledger: %v %v", ms, err)
		}
	})
}
