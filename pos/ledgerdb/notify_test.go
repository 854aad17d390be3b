package ledgerdb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// Two stores on one PostgreSQL schema stand for two keytagd processes: a
// change committed through one rings the other's Changed channel.
func TestChangedHearsOtherProcesses(t *testing.T) {
	ctx := context.Background()
	a, url := ledgerdbtest.OpenPostgres(t, nil)
	b, err := ledgerdb.OpenPostgres(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	before, err := a.Pull(ctx, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	ch := waitLive(t, a)
	if _, err := b.CreateAccount(ctx, pos.NewAccount{Email: "nb@example.com", Name: "Through B"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("a change committed through another store on the same schema never rang Changed")
	}
	// Rung once B's change was there to read.
	if out, err := a.Pull(ctx, before.Head, 100); err != nil || len(out.Changes) == 0 {
		t.Fatalf("after the ring a pull past %d has %+v %v, want the account made through B", before.Head, out, err)
	}
}

// On SQLite no other process shares the file: Changed says it cannot
// tell, so waiters poll.
func TestChangedOnSQLiteIsNotLive(t *testing.T) {
	s, _ := ledgerdbtest.OpenSQLite(t, nil)
	if ch, live := s.Changed(); ch != nil || live {
		t.Fatalf("Changed on SQLite = %v, %v; want nil, false", ch, live)
	}
}

// waitLive returns s's Changed channel once s listens.
func waitLive(t testing.TB, s *ledgerdb.Store) <-chan struct{} {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		ch, live := s.Changed()
		if live {
			return ch
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("the store never started listening")
		}
	}
}

// BenchmarkChangedAcrossProcesses times a commit through one store until
// another store on the same schema (another keytagd process) hears of it,
// beside the bare commit alone in the same run.
func BenchmarkChangedAcrossProcesses(b *testing.B) {
	ctx := context.Background()
	a, url := ledgerdbtest.OpenPostgres(b, nil)
	other, err := ledgerdb.OpenPostgres(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close()
	n := 0
	write := func() {
		n++
		if _, err := other.CreateAccount(ctx, pos.NewAccount{Email: fmt.Sprintf("c%d@example.com", n), Name: "Customer"}); err != nil {
			b.Fatal(err)
		}
	}
	report := func(b *testing.B, took []time.Duration) {
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.Run("bare-commit", func(b *testing.B) {
		took := make([]time.Duration, 0, b.N)
		for range b.N {
			start := time.Now()
			write()
			took = append(took, time.Since(start))
		}
		report(b, took)
	})
	b.Run("commit-until-heard", func(b *testing.B) {
		waitLive(b, a)
		took := make([]time.Duration, 0, b.N)
		for range b.N {
			ch, live := a.Changed()
			if !live {
				b.Fatal("the listener went down")
			}
			start := time.Now()
			write()
			<-ch
			took = append(took, time.Since(start))
		}
		report(b, took)
	})
}

// BenchmarkReserveNotify is what the notice costs a write: a transaction
// that takes one sequence number and commits, with the pg_notify that
// keytagd runs (notify) and without it (bare), alternating in one loop so
// that both see the same load; one listener is up, as in keytagd.
func BenchmarkReserveNotify(b *testing.B) {
	ctx := context.Background()
	s, _ := ledgerdbtest.OpenPostgres(b, nil)
	waitLive(b, s)
	db := s.SQL()
	one := func(q string) time.Duration {
		start := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		var v int64
		if err := tx.QueryRowContext(ctx, q).Scan(&v); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	const bare = `UPDATE counters SET value = value + 1 WHERE name = 'changes' RETURNING value`
	const notify = `UPDATE counters SET value = value + 1
		FROM (SELECT pg_notify('keytag_changes', current_schema())) AS notified
		WHERE name = 'changes' RETURNING value`
	var tb, tn []time.Duration
	for range b.N {
		tb = append(tb, one(bare))
		tn = append(tn, one(notify))
	}
	for _, m := range []struct {
		name string
		took []time.Duration
	}{{"bare", tb}, {"notify", tn}} {
		slices.Sort(m.took)
		b.ReportMetric(float64(m.took[len(m.took)/2].Microseconds())/1000, m.name+"-p50-ms")
		b.ReportMetric(float64(m.took[len(m.took)*99/100].Microseconds())/1000, m.name+"-p99-ms")
	}
}
