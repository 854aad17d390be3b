package ledgerdb_test

import (
	"context"
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
func waitLive(t *testing.T, s *ledgerdb.Store) <-chan struct{} {
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
