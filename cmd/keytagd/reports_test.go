package main

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// The report and export commands print what the store adds up, as a
// table or CSV, and refuse a bad range with exit 2 before reading.
func TestReportCommands(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		clock := ledgerdbtest.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
		s, db := b.Open(t, clock)
		for _, n := range []pos.NewAccount{{Email: "ann@example.com", Name: `Ann "Nan" Lee, Jr.`}, {Email: "bob@example.com", Name: "Bob"}} {
			if _, err := s.CreateAccount(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		want := s.Config().SignupBonus * 2

		code, out, errOut := runMain(t, "--db", db, "report", "liability", "--csv")
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 0 || err != nil || len(recs) != 3 || recs[2][0] != "TOTAL" || recs[2][2] != itoa(want) {
			t.Fatalf("report liability --csv: %d %q %v %s", code, out, err, errOut)
		}
		if code, out, _ := runMain(t, "--db", db, "report", "liability"); code != 0 || !strings.Contains(out, "TOTAL") || strings.Contains(out, ",") {
			t.Fatalf("report liability: %d %q", code, out)
		}
		code, out, _ = runMain(t, "--db", db, "report", "daily", "--from", "2026-03-01", "--to", "2026-03-01", "--csv")
		recs, err = csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 0 || err != nil || len(recs) != 2 || recs[1][0] != "2026-03-01" || recs[1][8] != "2" {
			t.Fatalf("report daily --csv: %d %q %v", code, out, err)
		}
		code, out, _ = runMain(t, "--db", db, "export", "accounts")
		recs, err = csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 0 || err != nil || len(recs) != 3 || recs[1][2] != `Ann "Nan" Lee, Jr.` {
			t.Fatalf("export accounts: %d %q %v", code, out, err)
		}
		if code, out, _ := runMain(t, "--db", db, "export", "entries", "--from", "2026-03-02"); code != 0 || strings.Count(out, "\n") != 1 {
			t.Fatalf("export entries of days with none: %d %q", code, out)
		}
		for _, bad := range [][]string{
			{"report", "daily", "--from", "2026-03-01"},
			{"report", "daily", "--from", "2026-03-02", "--to", "2026-03-01"},
			{"report", "daily", "--from", "1 March", "--to", "2026-03-01"},
			{"export", "entries", "--csv"},
			{"report", "liability", "--from", "2026-03-01"},
		} {
			if code, out, errOut := runMain(t, append([]string{"--db", db}, bad...)...); code != 2 || out != "" || errOut == "" {
				t.Errorf("%v: exit %d, %q %q; want a usage error", bad, code, out, errOut)
			}
		}
	})
}
