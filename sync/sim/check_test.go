package sim_test

import (
	"context"
	"database/sql"
	"sort"

	"keytag/sync/synctest"
)

// check runs the invariants that hold after every step, faults or not.
func (w *world) check() {
	w.t.Helper()
	ctx := context.Background()
	if w.store != nil {
		bad, err := w.store.Verify(ctx)
		w.must(err, "verify the server")
		if len(bad) > 0 {
			w.fail("the server's balances are not the sums of their entries: %+v", bad)
		}
		w.noDoubleCounts("server", w.store.SQL())
		w.ackedHeld(w.acked)
	}
	for _, tm := range w.terms {
		bad, err := tm.db.Verify(ctx)
		w.must(err, "verify "+tm.name)
		if len(bad) > 0 {
			w.fail("%s: balances are not the sums of their entries: %+v", tm.name, bad)
		}
		w.noDoubleCounts(tm.name, tm.db.SQL())
		w.offlineCap(tm)
	}
}

// noDoubleCounts fails when one sale, order or birthday was counted
// twice: entry ids are primary keys, so a double count would show as two
// entries of one kind for one receipt, order or year.
func (w *world) noDoubleCounts(node string, db *sql.DB) {
	w.t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT kind, ref, count(*) FROM entries
		WHERE kind IN ('earn', 'redeem', 'birthday') AND ref <> '' GROUP BY kind, ref HAVING count(*) > 1`)
	w.must(err, node+": read entries")
	defer rows.Close()
	for rows.Next() {
		var kind, ref string
		var n int
		w.must(rows.Scan(&kind, &ref, &n), "scan")
		w.fail("%s: %d %s entries for %s: counted more than once", node, n, kind, ref)
	}
	w.must(rows.Err(), node+": read entries")
}

// ackedHeld fails when a record the server answered for is not in its
// store any more (entries are kept in entries, other records in records).
func (w *world) ackedHeld(want map[string]string) {
	w.t.Helper()
	if len(want) == 0 {
		return
	}
	have := map[string]bool{}
	rows, err := w.store.SQL().QueryContext(context.Background(), `SELECT id FROM records UNION ALL SELECT id FROM entries`)
	w.must(err, "read the server's records")
	defer rows.Close()
	for rows.Next() {
		var id string
		w.must(rows.Scan(&id), "scan")
		have[id] = true
	}
	w.must(rows.Err(), "read the server's records")
	var missing []string
	for id, from := range want {
		if !have[id] {
			missing = append(missing, from+":"+id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		w.fail("the server acknowledged %d records it no longer holds: %v", len(missing), missing)
	}
}

// offlineCap fails when a terminal let an account redeem more unconfirmed
// points than the cap without a manager's recorded override.
func (w *world) offlineCap(tm *term) {
	w.t.Helper()
	limit := tm.db.Config().OfflineRedeemCap
	rows, err := tm.db.SQL().QueryContext(context.Background(), `SELECT e.account, -sum(e.points),
		sum(CASE WHEN e.override_by <> '' THEN 1 ELSE 0 END)
		FROM outbox o JOIN entries e ON e.id = o.id WHERE o.kind = 'entry' AND e.kind = 'redeem' GROUP BY e.account`)
	w.must(err, tm.name+": read the outbox")
	defer rows.Close()
	for rows.Next() {
		var account string
		var used, overrides int64
		w.must(rows.Scan(&account, &used, &overrides), "scan")
		if used > limit && overrides == 0 && !w.restored {
			w.fail("%s: account %s has %d unconfirmed points redeemed, past the cap of %d, and no override", tm.name, account, used, limit)
		}
	}
	w.must(rows.Err(), tm.name+": read the outbox")
}

// heal stops the faults, lets every held request arrive, syncs every
// terminal until nothing waits, and checks that they all agree with the
// server and that nothing the server once acknowledged is missing.
func (w *world) heal() {
	w.t.Helper()
	ctx := context.Background()
	w.step++
	w.tracef("heal: faults off, partitions healed")
	w.net.faults, w.net.all = false, false
	w.disarmDiskCrashes(false)
	clear(w.net.cut)
	for len(w.net.held) > 0 {
		w.net.deliverHeld()
	}
	for pass := 0; ; pass++ {
		for _, tm := range w.terms {
			w.sync(tm, true)
		}
		waiting := int64(0)
		for _, tm := range w.terms {
			n, err := tm.db.Waiting(ctx)
			w.must(err, "waiting")
			waiting += n
		}
		if waiting == 0 {
			break
		}
		if pass > 5 {
			w.fail("after %d rounds on a healed network, %d records still wait", pass+1, waiting)
		}
	}
	if w.restored {
		// The operators' part of a restore (README: "Restore a backup
		// safely"): the web shop posts its orders again, the birthday
		// run runs again; then the terminals pull the result.
		w.repostOrders()
		w.birthdays()
		for _, tm := range w.terms {
			w.sync(tm, true)
		}
	}
	// One more pass: each terminal pulls what the others pushed last.
	for _, tm := range w.terms {
		w.sync(tm, true)
	}
	w.check()
	all := map[string]string{}
	for id, from := range w.lost {
		all[id] = from
	}
	for id, from := range w.acked {
		all[id] = from
	}
	w.ackedHeld(all)

	sBal, sLed := snapshot(w, w.store.SQL(), ``)
	for _, tm := range w.terms {
		if n, err := tm.db.SyncOrphans(ctx); err != nil || n != 0 {
			w.fail("%s: %d pulled entries without their account (%v)", tm.name, n, err)
		}
		tBal, tLed := snapshot(w, tm.db.SQL(), ` WHERE email NOT LIKE 'merged:%'`)
		if d := synctest.Diff(sBal, tBal); d != "" {
			w.fail("%s: balances differ from the server's (server → terminal):\n%s", tm.name, d)
		}
		if d := synctest.Diff(sLed, tLed); d != "" {
			w.fail("%s: entries differ from the server's (server → terminal):\n%s", tm.name, d)
		}
	}
}

// snapshot reads balances by email key and entries by id: a merged account
// has two ids but one email.
func snapshot(w *world, db *sql.DB, where string) (map[string]synctest.Balance, map[string]synctest.Entry) {
	w.t.Helper()
	bal, led, err := synctest.Snapshot(context.Background(), db, where)
	w.must(err, "read balances and entries")
	return bal, led
}
