package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// storeReports is keytagd's report routes as a terminal of one store
// reads them, in memory (cmd/keytag's TestWindowReports runs the real
// server); down makes it answer as an unreachable server does.
type storeReports struct {
	l        pos.Liability
	days     []pos.DailyRow
	from, to pos.Day
	down     bool
}

func (s *storeReports) Liability(context.Context) (pos.Liability, error) {
	if s.down {
		return pos.Liability{}, pos.Errorf(pos.ENeedsServer, "the liability report needs the server")
	}
	return s.l, nil
}

func (s *storeReports) Daily(_ context.Context, from, to pos.Day) ([]pos.DailyRow, error) {
	s.from, s.to = from, to
	return s.days, nil
}

// The report side of Reports & close: the outstanding points and their
// value, and the last 30 days in the chart (days without rows at zero);
// offline, or with no server, the screen says the reports need keytagd.
func TestReportsScreen(t *testing.T) {
	row := pos.LiabilityRow{Store: "S1", Accounts: 12, Available: 4200, Pending: 300, Value: 4500}
	rep := &storeReports{l: pos.Liability{PointValue: 1, Stores: []pos.LiabilityRow{row}, Total: row},
		days: []pos.DailyRow{
			{Day: "2026-03-10", Store: "S1", Earned: 120, Redeemed: 500},
			{Day: "2026-02-20", Store: "S1", Earned: 80},
			{Day: "2026-01-01", Store: "S1", Earned: 999}, // before the 30 days
		}}
	f := newFixture(t, true, func(s *Services) { s.Reports = rep })
	inPlace(f)
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF2)
	v := f.u.closeV.rep
	want(t, "liability", v.liability.Text, "4,500 points, worth 45.00")
	want(t, "liability detail", v.note.Text, "4,200 available + 300 pending, on 12 accounts (customers enrolled at store S1)")
	if rep.from.String() != "2026-02-09" || rep.to.String() != "2026-03-10" {
		t.Errorf("asked for %s to %s, want the 30 days to today", rep.from, rep.to)
	}
	days := v.chart.days
	if len(days) != chartDays || days[29].Label != "Mar 10" || days[29].Earned != 120 || days[29].Redeemed != 500 ||
		days[11].Label != "Feb 20" || days[11].Earned != 80 || days[0].Earned != 0 {
		t.Fatalf("chart days %+v", days)
	}
	want(t, "period", v.period.Text, "200 points earned, 500 redeemed")
	if !v.chartBox.Visible() {
		t.Error("the chart is hidden")
	}

	// Offline: said so, no chart; F9 asks again once back.
	rep.down = true
	f.press(fyne.KeyF9)
	want(t, "offline", v.note.Text, "need keytagd, which cannot be reached now")
	if v.chartBox.Visible() {
		t.Error("the chart of before stays on show offline")
	}
	rep.down = false
	f.press(fyne.KeyF9)
	if !v.chartBox.Visible() {
		t.Error("back online, F9 did not bring the chart back")
	}

	// A terminal of no server.
	g := newFixture(t, true)
	g.signIn("Mia", "1234")
	g.press(fyne.KeyF10)
	g.press(fyne.KeyF2)
	want(t, "standalone", g.u.closeV.rep.note.Text, "need keytagd: this terminal is not joined to a server")
}
