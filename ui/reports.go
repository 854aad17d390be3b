package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// chartDays is how many days the points chart shows, today included.
const chartDays = 30

// reportsView is the programme's side of "Reports & close": what the
// programme owes (outstanding points and their value) and a chart of the
// points earned and redeemed per day, read from keytagd (a terminal
// reads its own store's figures).
type reportsView struct {
	liability, period, note *widget.Label
	chart                   *barChart
	chartBox                *fyne.Container
	object                  fyne.CanvasObject
}

func (u *UI) newReportsView() *reportsView {
	v := &reportsView{liability: big(""), period: widget.NewLabel(""), note: widget.NewLabel(""), chart: newBarChart(7)}
	v.liability.Wrapping = fyne.TextWrapWord
	v.period.Wrapping = fyne.TextWrapWord
	v.note.Wrapping = fyne.TextWrapWord
	key := func(c color.Color, s string) fyne.CanvasObject {
		sq := canvas.NewRectangle(c)
		sq.SetMinSize(fyne.NewSize(14, 14))
		return container.NewHBox(container.NewCenter(sq), widget.NewLabel(s))
	}
	legend := container.NewHBox(key(theme.Color(theme.ColorNamePrimary), "earned"), key(theme.Color(theme.ColorNameWarning), "redeemed"))
	v.chartBox = container.NewBorder(container.NewVBox(title(fmt.Sprintf("Points per day, last %d days (UTC)", chartDays)), legend), v.period, nil, nil, v.chart)
	v.object = container.NewBorder(container.NewVBox(title("Programme (keytagd)"), widget.NewLabel("Outstanding points"), v.liability, v.note), nil, nil, nil, v.chartBox)
	return v
}

// loadReports asks keytagd for the liability and the last 30 days, off
// Fyne's goroutine. Offline, or on a terminal of no server, the screen
// says the reports need keytagd.
func (u *UI) loadReports() {
	cv := u.closeV
	v := cv.rep
	if u.svc.Reports == nil {
		u.reportsUnavailable(v, "The programme's reports need keytagd: this terminal is not joined to a server "+
			"(keytag enroll --server URL --code CODE joins one). The till's own day is on the left.")
		return
	}
	setOptional(v.note, "asking keytagd…")
	to := pos.DayOf(u.svc.Terminal.Now().UTC())
	from := to.AddDays(1 - chartDays)
	rep := u.svc.Reports
	u.spawn(func() {
		l, err := rep.Liability(u.ctx)
		var days []pos.DailyRow
		if err == nil {
			days, err = rep.Daily(u.ctx, from, to)
		}
		fyne.Do(func() {
			if u.closeV != cv {
				return // the screen was left meanwhile
			}
			if err != nil {
				msg := "The reports could not be read: " + pos.ErrorMessage(err)
				if pos.ErrorCode(err) == pos.ENeedsServer {
					msg = "The programme's reports need keytagd, which cannot be reached now: F9 tries again once the terminal is online."
				}
				u.reportsUnavailable(v, msg)
				return
			}
			u.showReports(v, l, chartSeries(from, to, days))
		})
	})
}

func (u *UI) reportsUnavailable(v *reportsView, why string) {
	v.liability.SetText("—")
	setOptional(v.note, why)
	v.note.Importance = widget.WarningImportance
	v.note.Refresh()
	v.chartBox.Hide()
}

func (u *UI) showReports(v *reportsView, l pos.Liability, days []chartDay) {
	t := l.Total
	v.liability.SetText(fmt.Sprintf("%s points, worth %s", points(t.Available+t.Pending), t.Value))
	who := "all stores"
	if len(l.Stores) == 1 && l.Stores[0].Store != "" {
		who = "customers enrolled at store " + l.Stores[0].Store
	}
	v.note.Importance = widget.MediumImportance
	setOptional(v.note, fmt.Sprintf("%s available + %s pending, on %s (%s); a point is worth %s.",
		points(t.Available), points(t.Pending), plural(t.Accounts, "account", "accounts"), who, l.PointValue))
	var earned, redeemed int64
	for _, d := range days {
		earned += d.Earned
		redeemed += d.Redeemed
	}
	v.period.SetText(fmt.Sprintf("%d days to %s: %s points earned, %s redeemed.", len(days), days[len(days)-1].Label, points(earned), points(redeemed)))
	v.chart.SetDays(days)
	v.chartBox.Show()
}

// chartSeries lays the report's rows out as one bar pair per day from
// from to to: a day without rows is a day of zeros, and the rows of the
// stores of a day add up.
func chartSeries(from, to pos.Day, rows []pos.DailyRow) []chartDay {
	at := map[string]int{}
	var out []chartDay
	for d := from; !d.After(to.Time); d = d.AddDays(1) {
		at[d.String()] = len(out)
		out = append(out, chartDay{Label: d.Format("Jan 2")})
	}
	for _, r := range rows {
		if i, ok := at[r.Day]; ok {
			out[i].Earned += r.Earned
			out[i].Redeemed += r.Redeemed
		}
	}
	return out
}
