package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/worker"
)

// Terminals hold what they need to serve a customer and no more: the
// name, a masked email (and a hash that finds the typed address), the
// tag, the balance and the birth month. The enrolling terminal gives up
// the address once the server has it; another store's terminal never
// gets the address, the phone or the birth date, and still finds the
// customer by the address typed at checkout.
func TestTerminalsHoldNoMoreThanTheyNeed(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		st, dbURL := b.Open(t, pos.SystemClock{})
		srv := startKeytagd(t, dbURL)
		dir := t.TempDir()
		var terms []*terminal
		for _, store := range []string{"S1", "S2"} {
			tm := newTerminal(t, dir, "till"+store)
			_, code, err := st.AddTerminal(ctx, store, "till")
			if err != nil {
				t.Fatal(err)
			}
			tm.cli("enroll", "--server", "http://"+srv.Addr, "--code", code)
			tm.reopen()
			terms = append(terms, tm)
		}
		t1, t2 := terms[0], terms[1]
		tag := newTag(t)
		if _, err := t1.DB.CreateAccount(ctx, t1.Cashier, pos.NewAccount{Email: "Dana.Park@Example.com", Name: "Dana Park",
			BirthDate: "1990-07-14", Phone: "+1 555 0100", OptIn: true, Tag: tag}); err != nil {
			t.Fatal(err)
		}
		for _, tm := range terms {
			settle(t, tm, tm.worker(worker.Options{}))
		}
		full, err := st.AccountByEmail(ctx, "dana.park@example.com")
		if err != nil || full.Name != "Dana Park" {
			t.Fatalf("the server lost the address: %+v %v", full, err)
		}
		for i, tm := range terms {
			var email, phone, birth string
			if err := tm.DB.SQL().QueryRowContext(ctx, `SELECT email, phone, birth_date FROM accounts WHERE name = 'Dana Park'`).Scan(&email, &phone, &birth); err != nil {
				t.Fatalf("terminal %d: %v", i+1, err)
			}
			if strings.Contains(strings.ToLower(email), "dana.park") || !strings.HasPrefix(email, "d***@example.com") {
				t.Errorf("terminal %d keeps the email as %q", i+1, email)
			}
			if i == 1 && (phone != "" || birth != "2000-07-01") {
				t.Errorf("another store's terminal keeps phone %q and birth date %q; want none and the month alone", phone, birth)
			}
			a, err := tm.DB.FindAccount(ctx, " DANA.PARK@example.com ")
			if err != nil || a.Name != "Dana Park" || a.MaskedEmail() != "d***@example.com" || a.Tag != tag {
				t.Errorf("terminal %d: find by the typed address: %+v %v", i+1, a, err)
			}
			july, march := pos.DayOf(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)), pos.DayOf(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			if !a.BirthdayMonth(july) || a.BirthdayMonth(march) {
				t.Errorf("terminal %d: the birthday banner shows in the wrong month (birth date kept as %q)", i+1, a.BirthDate)
			}
			if out := tm.cli("--staff", "Mia", "--pin", "4321", "account", "show", "dana.park@example.com"); !strings.Contains(out, "d***@example.com") || strings.Contains(out, "dana.park") {
				t.Errorf("terminal %d: account show printed %q", i+1, out)
			}
		}
		// A sale found by the typed address still earns on the right account.
		t2.mustSell("dana.park@example.com", 1000, 0)
		settle(t, t2, t2.worker(worker.Options{}))
		if got, _ := st.AccountByEmail(ctx, "dana.park@example.com"); got.Balance.Available != 110 {
			t.Errorf("server balance %d, want 110", got.Balance.Available)
		}
	})
}
