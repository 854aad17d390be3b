package ledgerdb_test

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// ledgerDaily adds up the ledger itself, as exported, into the daily
// report's rows keyed "day store": what Daily must say.
func ledgerDaily(t *testing.T, s *ledgerdb.Store) map[string]pos.DailyRow {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ExportEntries(context.Background(), &buf, pos.Day{}, pos.Day{}); err != nil {
		t.Fatal(err)
	}
	out := map[string]pos.DailyRow{}
	refs := map[string]bool{}
	for _, e := range readCSV(t, buf.Bytes(), "id", "account", "kind", "points", "pending", "ref", "store", "terminal", "staff", "at", "reason", "override_by") {
		at, err := time.Parse(time.RFC3339, e["at"])
		if err != nil {
			t.Fatal(err)
		}
		day := at.UTC().Format(time.DateOnly)
		n, _ := strconv.ParseInt(e["points"], 10, 64)
		k := day + " " + e["store"]
		r := out[k]
		r.Day, r.Store = day, e["store"]
		switch pos.EntryKind(e["kind"]) {
		case pos.KindEarn:
			r.Earned += n
		case pos.KindRedeem:
			r.Redeemed -= n
		case pos.KindReturnClawback:
			r.ClawedBack -= n
		case pos.KindReturnCredit:
			r.Credited += n
		case pos.KindVoid:
			r.Voided -= n
		case pos.KindSignup:
			r.Signups++
		case pos.KindBirthday:
			r.Birthdays++
			r.BirthdayPoints += n
		}
		if e["kind"] == string(pos.KindReturnClawback) || e["kind"] == string(pos.KindReturnCredit) {
			if !refs[k+" "+e["ref"]] {
				refs[k+" "+e["ref"]] = true
				r.Returns++
			}
		}
		out[k] = r
	}
	return out
}

// checkDaily compares Daily over days with the ledger's own sums.
func checkDaily(t *testing.T, s *ledgerdb.Store, from, to pos.Day, what string) {
	t.Helper()
	want := ledgerDaily(t, s)
	rows, err := s.Daily(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]pos.DailyRow{}
	for _, r := range rows {
		got[r.Day+" "+r.Store] = r
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		d, _ := pos.ParseDay(want[k].Day)
		if d.Before(from.Time) || to.Before(d.Time) {
			continue
		}
		if got[k] != want[k] {
			t.Errorf("%s: %s: report %+v, ledger %+v", what, k, got[k], want[k])
		}
		delete(got, k)
	}
	if len(got) > 0 {
		t.Errorf("%s: report rows the ledger does not have: %+v", what, got)
	}
}

// Daily reads the daily totals, not the ledger: every way an entry is
// written (a terminal's push, the web shop's orders and returns, a
// sign-up, a birthday gift) keeps them equal to the ledger's own sums;
// a return's clawback and credit pushed apart count one return; and a
// ledger written beside the store (a bulk load) reads right once the
// totals are rebuilt, as migration 0010 first built them.
func TestDailyTotalsFollowTheLedger(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		day1 := time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)
		clock := ledgerdbtest.NewClock(day1)
		s, _ := b.Open(t, clock)
		from, _ := pos.ParseDay("2026-05-10")
		to, _ := pos.ParseDay("2026-05-13")

		ann, err := s.CreateAccount(ctx, pos.NewAccount{Email: "ann@example.com", Name: "Ann", BirthDate: "1990-05-12", OptIn: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PlaceOrder(ctx, pos.OrderRequest{OrderID: "W1", Email: "ann@example.com",
			Lines:   []pos.Line{{SKU: "MUG", Qty: 3, UnitPrice: 1000}},
			Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 2950}}, RedeemPoints: 50}); err != nil {
			t.Fatal(err)
		}
		checkDaily(t, s, from, to, "after a web order")

		clock.Set(day1.Add(24 * time.Hour))
		if _, err := s.ReturnOrder(ctx, "W1", pos.OrderReturnRequest{ReturnID: "RET1", Claim: pos.ClaimSatisfaction,
			Lines: []pos.ReturnLine{{SKU: "MUG", Qty: 3}}, ReceivedOn: pos.DayOf(clock.Now()).String(), Unopened: true}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GrantBirthdays(ctx, pos.DayOf(clock.Now())); err != nil || len(got) != 1 || got[0].Account != ann.Account {
			t.Fatalf("birthday: %+v %v", got, err)
		}
		// A till's sign-up, and a return whose clawback and credit come
		// in two pushes: one receipt.
		till := newReportTill(t, s, "S1")
		till.push(pos.RecordAccount, "c1", pos.Account{ID: "c1", Email: "c1@example.com", Name: "Cy", CreatedAt: clock.Now()})
		till.entry("c1", pos.KindSignup, 100, "", clock.Now())
		till.entry("c1", pos.KindReturnClawback, -10, "R-77", clock.Now())
		till.entry("c1", pos.KindReturnCredit, 4, "R-77", clock.Now().Add(time.Minute))
		checkDaily(t, s, from, to, "after returns, a birthday and a till's pushes")
		if rows, _ := s.Daily(ctx, from, to); !slices.ContainsFunc(rows, func(r pos.DailyRow) bool { return r.Store == "S1" && r.Returns == 1 }) {
			t.Errorf("S1's return of two entries counted %+v, want one return", rows)
		}

		// Entries loaded straight into the ledger are not in the totals
		// until they are rebuilt.
		if _, err := s.SQL().ExecContext(ctx, rebind(s, `INSERT INTO entries (id, account, kind, points, pending, ref, store, at, seq)
			VALUES ('bulk1', 'c1', 'earn', 9, FALSE, 'R-90', 'S2', ?, 1000001), ('bulk2', 'c1', 'return_clawback', -9, FALSE, 'R-90', 'S2', ?, 1000002)`),
			day1.UnixMilli(), day1.Add(48*time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if rows, _ := s.Daily(ctx, from, to); slices.ContainsFunc(rows, func(r pos.DailyRow) bool { return r.Store == "S2" }) {
			t.Fatalf("bulk-loaded entries in the totals before a rebuild: %+v", rows)
		}
		if err := s.RebuildDailyTotals(ctx); err != nil {
			t.Fatal(err)
		}
		checkDaily(t, s, from, to, "after a rebuild")
		// A range that cuts the days keeps to them.
		checkDaily(t, s, to, to, "the last day alone")
	})
}
