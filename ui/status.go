package ui

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// statusBar is the line at the bottom of every screen: online or offline
// (amber), last sync, entries waiting, the offline redemption budget. Its
// text lives in bindings, set on Fyne's goroutine by the ticker through
// fyne.Do, so it changes by itself without the cashier doing anything.
type statusBar struct {
	state, sync, waiting, budget binding.String
	// scanners is a second line, on show only when the window reads
	// scanners of its own (scanners.go).
	scanners      binding.String
	scannersLabel *widget.Label
	// printer is a line on show after a print failed or while one runs
	// (print.go): "printer: …".
	printer    *widget.Label
	bg         *canvas.Rectangle
	stateLabel *widget.Label
	object     fyne.CanvasObject
}

func newStatusBar(onTap func()) *statusBar {
	b := &statusBar{state: binding.NewString(), sync: binding.NewString(),
		waiting: binding.NewString(), budget: binding.NewString(), scanners: binding.NewString()}
	b.stateLabel = widget.NewLabelWithData(b.state)
	b.stateLabel.TextStyle.Bold = true
	b.bg = canvas.NewRectangle(color.Transparent)
	// Fixed shares of the width, not an HBox: bound text changes after
	// layout, and an HBox would not make room for it (the labels would
	// overlap); here a long value is cut with an ellipsis instead.
	labels := []*widget.Label{b.stateLabel, widget.NewLabelWithData(b.sync),
		widget.NewLabelWithData(b.waiting), widget.NewLabelWithData(b.budget)}
	key := widget.NewLabel("F11 detail")
	key.Alignment = fyne.TextAlignTrailing
	key.SizeName = theme.SizeNameCaptionText
	labels = append(labels, key)
	line := container.New(&columns{weights: []float32{3.2, 2.6, 2.2, 4, 1.4}})
	for _, l := range labels {
		l.Truncation = fyne.TextTruncateEllipsis
		line.Add(l)
	}
	b.scannersLabel = widget.NewLabelWithData(b.scanners)
	b.scannersLabel.Truncation = fyne.TextTruncateEllipsis
	b.scannersLabel.Hide()
	b.printer = widget.NewLabel("")
	b.printer.Truncation = fyne.TextTruncateEllipsis
	b.printer.Hide()
	b.object = newTapArea(container.NewStack(b.bg, container.NewVBox(line, b.scannersLabel, b.printer)), onTap)
	return b
}

// statusText is what the bar says for a sync state, at now; budget is the
// current customer's offline budget (nil without a customer).
type statusText struct {
	State, Sync, Waiting, Budget string
	Offline                      bool
}

func describeStatus(s pos.SyncStatus, now time.Time, budget *pos.OfflineBudget) statusText {
	var t statusText
	switch {
	case s.Server == "":
		t.State = "● standalone · not syncing"
		t.Sync = "no server joined"
	case s.Online:
		t.State = "● online"
		if s.Bootstrapping {
			t.State = "● online · first sync running"
		}
		t.Sync = "synced " + ago(now, s.LastSuccess)
	default:
		t.Offline = true
		t.State = "● OFFLINE"
		if !s.OfflineSince.IsZero() {
			t.State += " since " + s.OfflineSince.Local().Format("15:04")
		}
		t.Sync = "last sync " + ago(now, s.LastSuccess)
	}
	t.Waiting = fmt.Sprintf("%s waiting", plural(s.Waiting, "entry", "entries"))
	switch {
	case budget == nil:
		t.Budget = ""
	case !budget.Applies:
		t.Budget = "no offline cap"
	case budget.Used > budget.Cap:
		// Only a manager's override lets a redemption past the cap.
		t.Budget = fmt.Sprintf("offline budget %s of %s pts used (over the cap by a manager's override)", points(budget.Used), points(budget.Cap))
	default:
		t.Budget = fmt.Sprintf("offline budget %s of %s pts used", points(budget.Used), points(budget.Cap))
	}
	return t
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0: // clocks of two machines disagree: say when, not how long
		return "at " + t.Local().Format("Jan 2 15:04")
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	default:
		return "at " + t.Local().Format("Jan 2 15:04")
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return points(n) + " " + many
}

// tickStatus refreshes the bar until ctx ends. Status may block on the
// sync worker's lock, so it is read here, off Fyne's goroutine.
func (u *UI) tickStatus(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s := u.svc.Status()
			fyne.Do(func() { u.showStatus(s) })
		}
	}
}

// refreshStatus reads the status now (on Fyne's goroutine).
func (u *UI) refreshStatus() { u.showStatus(u.svc.Status()) }

func (u *UI) showStatus(s pos.SyncStatus) {
	u.joined.Store(s.Server != "")
	// A sync round that ended since the last status may have brought
	// entries of the customer at the counter: their figures are read again.
	if !s.LastSuccess.IsZero() {
		at := s.LastSuccess.UnixNano()
		if u.synced.Swap(at) != at && u.screen == "checkout" && u.refreshCustomer() {
			u.refreshCheckout()
		}
	}
	var budget *pos.OfflineBudget
	if c := u.sale.customer; c != nil {
		if b, err := u.svc.Terminal.OfflineBudget(u.ctx, c.ID); err == nil {
			budget = &b
		}
	}
	t := describeStatus(s, u.svc.Terminal.Now(), budget)
	b := u.status
	b.state.Set(t.State)
	b.sync.Set(t.Sync)
	b.waiting.Set(t.Waiting)
	b.budget.Set(t.Budget)
	b.scanners.Set(u.scannerStatus())
	if show := u.svc.Scanners != nil; show != b.scannersLabel.Visible() {
		if show {
			b.scannersLabel.Show()
		} else {
			b.scannersLabel.Hide()
		}
		u.win.Content().Refresh() // the bar is a line taller, or shorter
	}
	imp := widget.MediumImportance
	var fill color.Color = color.Transparent
	if t.Offline {
		// Amber: the warning colour of the theme, faint behind the text so
		// the text keeps its contrast in light and dark variants.
		imp = widget.WarningImportance
		w := theme.Color(theme.ColorNameWarning)
		r, g, bl, _ := w.RGBA()
		fill = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x40}
	}
	if b.stateLabel.Importance != imp {
		b.stateLabel.Importance = imp
		b.stateLabel.Refresh()
	}
	b.bg.FillColor = fill
	b.bg.Refresh()
	if u.syncOpen.Load() { // atomic: a test driver's fyne.Do runs here on the ticker's goroutine
		u.refreshSyncDetail(s)
	}
}

// tapArea makes its content clickable: the status bar opens the sync
// detail on a click as on F11.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}
