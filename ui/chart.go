package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartDay is one day of the points chart: its label and the points
// earned and redeemed that day (both drawn upwards from zero).
type chartDay struct {
	Label            string
	Earned, Redeemed int64
}

// barChart draws points earned and redeemed per day as pairs of bars,
// with the scale's top on the left and every labelEvery-th day named
// underneath (the last day always). Drawn with canvas rectangles and
// text: Fyne has no chart widget, and this one is small.
type barChart struct {
	widget.BaseWidget
	days       []chartDay
	labelEvery int
}

func newBarChart(labelEvery int) *barChart {
	c := &barChart{labelEvery: max(labelEvery, 1)}
	c.ExtendBaseWidget(c)
	return c
}

// SetDays replaces the days shown, oldest first.
func (c *barChart) SetDays(days []chartDay) {
	c.days = days
	c.Refresh()
}

// chartMax is the top of the scale: the largest figure (0 when there is
// none, and every bar is then drawn flat).
func chartMax(days []chartDay) int64 {
	var m int64
	for _, d := range days {
		m = max(m, d.Earned, d.Redeemed)
	}
	return m
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barChartRenderer{c: c, axis: canvas.NewLine(color.Gray{Y: 0x80}), top: canvas.NewText("", theme.Color(theme.ColorNameForeground)),
		zero: canvas.NewText("0", theme.Color(theme.ColorNameForeground))}
	r.top.TextSize = theme.CaptionTextSize()
	r.zero.TextSize = theme.CaptionTextSize()
	r.top.Alignment, r.zero.Alignment = fyne.TextAlignTrailing, fyne.TextAlignTrailing
	r.Refresh()
	return r
}

// barChartRenderer keeps one rectangle per figure and one text per
// named day; Refresh remakes them when the days change.
type barChartRenderer struct {
	c                 *barChart
	earned, redeemed  []*canvas.Rectangle
	labels            []*canvas.Text
	labelDay          []int // the day each label names
	axis              *canvas.Line
	top, zero         *canvas.Text
	objects           []fyne.CanvasObject
	lastW, lastH      float32
	plotLeft, plotTop float32
	plotW, plotH      float32
}

func (r *barChartRenderer) Destroy() {}

func (r *barChartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *barChartRenderer) MinSize() fyne.Size { return fyne.NewSize(300, 160) }

func (r *barChartRenderer) Refresh() {
	days := r.c.days
	fg := theme.Color(theme.ColorNameForeground)
	earnC, redeemC := theme.Color(theme.ColorNamePrimary), theme.Color(theme.ColorNameWarning)
	r.earned, r.redeemed, r.labels, r.labelDay = nil, nil, nil, nil
	r.objects = []fyne.CanvasObject{r.axis, r.top, r.zero}
	for i, d := range days {
		e, x := canvas.NewRectangle(earnC), canvas.NewRectangle(redeemC)
		r.earned, r.redeemed = append(r.earned, e), append(r.redeemed, x)
		r.objects = append(r.objects, e, x)
		if (len(days)-1-i)%r.c.labelEvery == 0 {
			t := canvas.NewText(d.Label, fg)
			t.TextSize = theme.CaptionTextSize()
			t.Alignment = fyne.TextAlignCenter
			r.labels, r.labelDay = append(r.labels, t), append(r.labelDay, i)
			r.objects = append(r.objects, t)
		}
	}
	r.top.Text = fmt.Sprint(points(chartMax(days)))
	r.top.Color, r.zero.Color = fg, fg
	r.axis.StrokeColor = fg
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

// Layout puts the scale on the left, the names of days under the plot,
// and each day's pair of bars in its slot: a bar's height is its figure
// over the scale's top, times the plot's height.
func (r *barChartRenderer) Layout(size fyne.Size) {
	r.lastW, r.lastH = size.Width, size.Height
	ts := fyne.MeasureText(r.top.Text, r.top.TextSize, r.top.TextStyle)
	scaleW := ts.Width + 6
	r.plotLeft, r.plotTop = scaleW+2, ts.Height/2
	r.plotW = max(size.Width-r.plotLeft, 0)
	r.plotH = max(size.Height-r.plotTop-ts.Height-2, 0)
	base := r.plotTop + r.plotH
	r.top.Move(fyne.NewPos(0, 0))
	r.top.Resize(fyne.NewSize(scaleW, ts.Height))
	r.zero.Move(fyne.NewPos(0, base-ts.Height/2))
	r.zero.Resize(fyne.NewSize(scaleW, ts.Height))
	r.axis.Position1 = fyne.NewPos(r.plotLeft, base)
	r.axis.Position2 = fyne.NewPos(r.plotLeft+r.plotW, base)
	n := len(r.c.days)
	if n == 0 {
		return
	}
	top := chartMax(r.c.days)
	slot := r.plotW / float32(n)
	barW := slot * 0.4
	height := func(v int64) float32 {
		if top == 0 || v <= 0 {
			return 0
		}
		return r.plotH * float32(v) / float32(top)
	}
	for i, d := range r.c.days {
		x := r.plotLeft + slot*float32(i)
		he, hr := height(d.Earned), height(d.Redeemed)
		r.earned[i].Move(fyne.NewPos(x+slot*0.1, base-he))
		r.earned[i].Resize(fyne.NewSize(barW, he))
		r.redeemed[i].Move(fyne.NewPos(x+slot*0.5, base-hr))
		r.redeemed[i].Resize(fyne.NewSize(barW, hr))
	}
	for j, t := range r.labels {
		w := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width
		centre := r.plotLeft + slot*(float32(r.labelDay[j])+0.5)
		// Kept inside the chart: the last day's name would stick out.
		x := min(max(centre-w/2, r.plotLeft), size.Width-w)
		t.Move(fyne.NewPos(x, base+2))
		t.Resize(fyne.NewSize(w, ts.Height))
	}
}
