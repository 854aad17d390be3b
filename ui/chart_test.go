package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The chart's geometry: bars stand on one baseline, their heights are
// proportional to the figures (the largest fills the plot), a day of
// zeros is drawn flat, the scale names the largest figure and every
// seventh day (counted back from the last) is named under its bars.
func TestBarChartGeometry(t *testing.T) {
	test.NewTempApp(t)
	days := make([]chartDay, 15)
	for i := range days {
		days[i].Label = "D" + string(rune('a'+i))
	}
	days[0] = chartDay{Label: "Da", Earned: 400, Redeemed: 100}
	days[3] = chartDay{Label: "Dd", Earned: 200}
	days[14] = chartDay{Label: "Do", Earned: 50, Redeemed: 1200}
	c := newBarChart(7)
	c.SetDays(days)
	c.Resize(fyne.NewSize(600, 240))
	r := test.WidgetRenderer(c).(*barChartRenderer)
	r.Layout(c.Size())

	base := r.plotTop + r.plotH
	if r.plotH < 100 {
		t.Fatalf("plot height %v of a 240 px chart", r.plotH)
	}
	near := func(what string, got, want float32) {
		t.Helper()
		if math.Abs(float64(got-want)) > 0.01 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	height := func(v int64) float32 { return r.plotH * float32(v) / 1200 }
	for i, d := range days {
		e, x := r.earned[i], r.redeemed[i]
		near("earned bar height of day "+d.Label, e.Size().Height, height(d.Earned))
		near("redeemed bar height of day "+d.Label, x.Size().Height, height(d.Redeemed))
		near("earned bar bottom of day "+d.Label, e.Position().Y+e.Size().Height, base)
		near("redeemed bar bottom of day "+d.Label, x.Position().Y+x.Size().Height, base)
		if e.Size().Width <= 0 || e.Position().X+e.Size().Width > x.Position().X+0.01 {
			t.Errorf("day %s: earned bar %v+%v overlaps the redeemed one at %v", d.Label, e.Position(), e.Size(), x.Position())
		}
		if i > 0 && e.Position().X <= r.earned[i-1].Position().X {
			t.Errorf("day %s is not right of the day before", d.Label)
		}
	}
	// Proportional: 400 is twice 200, and the largest fills the plot.
	near("400 against 200", r.earned[0].Size().Height, 2*r.earned[3].Size().Height)
	near("the largest figure", r.redeemed[14].Size().Height, r.plotH)
	if h := r.earned[5].Size().Height + r.redeemed[5].Size().Height; h != 0 {
		t.Errorf("a day of zeros is drawn %v high", h)
	}
	if r.top.Text != "1,200" {
		t.Errorf("scale top %q, want 1,200", r.top.Text)
	}
	var names []string
	for j, l := range r.labels {
		names = append(names, l.Text)
		if l.Position().Y < base {
			t.Errorf("label %s stands above the baseline", l.Text)
		}
		if l.Text != days[r.labelDay[j]].Label {
			t.Errorf("label %q under day %d", l.Text, r.labelDay[j])
		}
	}
	if len(names) != 3 || names[0] != "Da" || names[1] != "Dh" || names[2] != "Do" {
		t.Errorf("labels %v, want Da, Dh, Do", names)
	}
	last := r.labels[2]
	if last.Position().X+last.Size().Width > 600.01 {
		t.Errorf("the last label sticks out of the chart: %v + %v", last.Position(), last.Size())
	}

	// All zeros: every bar flat, nothing divided by zero.
	c.SetDays(make([]chartDay, 30))
	r = test.WidgetRenderer(c).(*barChartRenderer)
	r.Layout(c.Size())
	for i := range r.earned {
		if r.earned[i].Size().Height != 0 || r.redeemed[i].Size().Height != 0 {
			t.Fatalf("day %d of zeros drawn %v / %v high", i, r.earned[i].Size(), r.redeemed[i].Size())
		}
	}
}
