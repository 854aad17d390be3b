package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// UI is the terminal's window. Its fields are the views of the screen on
// show; the state the domain owns (balances, sales, staff) is read from
// the services each time it is shown, and the only state kept here is the
// sale being built and who is signed in.
type UI struct {
	app  fyne.App
	svc  Services
	win  fyne.Window
	keys *keyRouter
	ctx  context.Context
	stop context.CancelFunc

	staff *pos.Staff // signed in, nil on the sign-in screens
	sale  sale       // the sale being built

	header *widget.Label
	hints  *widget.Label
	body   *fyne.Container
	status *statusBar

	// screen names the screen on show ("setup", "signin", "checkout",
	// "receipt", "enrol", "return", "manager"): for tests and logs.
	screen string
	// screenKey and screenScan are the screen's own keys and scans.
	screenKey  func(*fyne.KeyEvent) bool
	screenScan func(scanner.Scan) bool

	setup   *setupView
	signin  *signinView
	co      *checkoutView
	receipt *receiptView
	enrol   *enrolView
	ret     *returnView
	mgr     *managerView
	claims  *claimsView // the manager's claims (F9) while on show
	// settings is the manager's Settings while it is on show.
	settings *settingsView
	search   *searchView // the customer field's list (search.go)
	// closeV is "Reports & close" (close.go) and historyV a customer's
	// history (history.go) while on show.
	closeV   *closeView
	historyV *historyView
	// syncView is the sync detail (F11) while it is on show.
	syncView *syncDetailView
	syncOpen atomic.Bool
	// joined is whether the last status named a server, and synced the
	// LastSuccess (Unix ns) of the last status shown. Atomic: a test
	// driver's fyne.Do runs showStatus on the ticker's goroutine.
	joined atomic.Bool
	synced atomic.Int64
	// spawn runs a call to the server off Fyne's goroutine; it ends with
	// fyne.Do. Tests run it in place.
	spawn func(func())
	// accountEdit is the manager's form of a customer's details (F10
	// on the manager screen) while it is on show.
	accountEdit *accountEditView
}

// New builds the window on a and shows its first screen: creating the
// first manager on a new terminal, else sign-in. The caller shows it
// (Window().ShowAndRun()) and calls Close when done.
func New(a fyne.App, s Services) *UI {
	if s.Status == nil {
		s.Status = StandaloneStatus
	}
	if s.StatusEvery == 0 {
		s.StatusEvery = time.Second
	}
	a.Settings().SetTheme(newTheme())
	ctx, stop := context.WithCancel(context.Background())
	u := &UI{app: a, svc: s, ctx: ctx, stop: stop, spawn: func(f func()) { go f() }}
	u.keys = newKeyRouter(func() pos.TagFormat { return u.cfg().TagFormat })
	title := "keytag"
	if s.Place != "" {
		// The task bar names the till too, when a back office runs two.
		title += " · " + s.Place
	}
	u.win = a.NewWindow(title)
	u.win.Resize(fyne.NewSize(1024, 768))
	u.keys.onKey = u.handleKey
	u.keys.onScan = u.handleScan
	u.keys.onShortcut = func(s fyne.Shortcut) bool {
		if _, ok := s.(*fyne.ShortcutUndo); ok && u.screen == "checkout" {
			u.undo()
			return true
		}
		if u.takeHistoryShortcut(s) {
			return true
		}
		return false
	}
	u.keys.install(u.win.Canvas())

	u.header = widget.NewLabel("keytag")
	u.header.TextStyle.Bold = true
	u.hints = widget.NewLabel("")
	// One line in the smaller caption size: the keys of the busiest
	// screen fit 1024 pixels, so the bar's height never changes.
	u.hints.SizeName = theme.SizeNameCaptionText
	u.hints.Truncation = fyne.TextTruncateEllipsis
	u.body = container.NewStack()
	u.status = newStatusBar(u.toggleSyncDetail)
	top := container.NewVBox(u.header, widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), u.hints, u.status.object)
	u.win.SetContent(container.NewBorder(top, bottom, nil, nil, u.body))
	u.win.SetOnClosed(u.Close)

	u.refreshStatus()
	u.start()
	// The ticker starts once the first screen is up: its refresh reads
	// the screen and the sale, which start sets. (Fyne's test driver runs
	// fyne.Do on the caller's goroutine, so the order is the only thing
	// that keeps the two apart there.)
	if s.StatusEvery > 0 {
		go u.tickStatus(ctx, s.StatusEvery)
	}
	return u
}

// Window is the terminal's window.
func (u *UI) Window() fyne.Window { return u.win }

// Close stops the status ticker.
func (u *UI) Close() { u.stop() }

// start shows the first screen a terminal needs.
func (u *UI) start() {
	has, err := u.svc.Terminal.HasStaff(u.ctx)
	if err != nil {
		u.showSignIn(pos.ErrorMessage(err))
		return
	}
	if !has {
		u.showSetup()
		return
	}
	u.showSignIn("")
}

// show puts a screen in the window's body with its keys listed below it.
func (u *UI) show(name string, content fyne.CanvasObject, hints string, key func(*fyne.KeyEvent) bool, scan func(scanner.Scan) bool) {
	u.screen = name
	u.screenKey, u.screenScan = key, scan
	u.keys.onCanvasRune, u.keys.onCanvasKey = nil, nil
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
	u.hints.SetText(hints)
	u.win.Canvas().Unfocus()
	u.updateHeader()
}

func (u *UI) updateHeader() {
	parts := []string{"keytag"}
	if u.svc.Place != "" {
		parts = append(parts, u.svc.Place)
	}
	if u.staff != nil {
		parts = append(parts, fmt.Sprintf("%s (%s)", u.staff.Name, u.staff.Role))
	}
	u.header.SetText(strings.Join(parts, " · "))
}

func (u *UI) focus(f fyne.Focusable) { u.win.Canvas().Focus(f) }

// handleKey takes the window's keys before the focused field does.
func (u *UI) handleKey(k *fyne.KeyEvent) bool {
	if k.Name == fyne.KeyF11 {
		u.toggleSyncDetail()
		return true
	}
	if u.screenKey != nil && u.screenKey(k) {
		return true
	}
	if k.Name == fyne.KeyF12 && u.staff != nil {
		u.syncOpen.Store(false)
		u.syncView = nil
		u.signOut()
		return true
	}
	return false
}

func (u *UI) handleScan(s scanner.Scan) bool {
	took := u.keys.tookBack
	u.keys.tookBack = 0
	if u.screenScan == nil {
		return false
	}
	ok := u.screenScan(s)
	if u.svc.Events != nil {
		e := ScanEvent{Code: s.Code, Kind: string(s.Kind), TookBack: took, Screen: u.screen}
		if u.co != nil && (u.screen == "checkout" || u.screen == "receipt") {
			e.Item, e.Message = u.co.item.Text, u.co.msg.Text
			if c := u.sale.customer; c != nil {
				e.Customer = c.Name
			}
		}
		u.svc.Events(e)
	}
	return ok
}

// signOut ends the cashier's session. A sale in progress was parked (the
// checkout asked first) and the next cashier is told.
func (u *UI) signOut() {
	u.staff = nil
	u.showSignIn("")
}

// notify wakes the sync worker after new ledger entries.
func (u *UI) notify() {
	if u.svc.Notify != nil {
		u.svc.Notify()
	}
}

// today is the terminal's calendar day (its injected clock).
func (u *UI) today() pos.Day { return pos.DayOf(u.svc.Terminal.Now()) }

// message is a one-line note under a screen: an error in plain words or
// what just happened.
func setMessage(l *widget.Label, text string, imp widget.Importance) {
	l.Importance = imp
	l.SetText(text)
}

func setError(l *widget.Label, err error) {
	setMessage(l, pos.ErrorMessage(err), widget.DangerImportance)
}

// points writes a points count with thousands separators: 1,250.
func points(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// heading and value labels used on every screen.
func title(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func big(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameHeadingText
	return l
}

func right(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Alignment = fyne.TextAlignTrailing
	return l
}

// row puts a name on the left and its value right-aligned.
func row(name string, value *widget.Label) fyne.CanvasObject {
	value.Alignment = fyne.TextAlignTrailing
	return container.NewBorder(nil, nil, widget.NewLabel(name), nil, value)
}

// labelled puts a caption before a field and, under the field, the label
// for its errors (hidden while empty), so an error stands beside the
// field that caused it at any length.
func labelled(caption string, f fyne.CanvasObject, errl *widget.Label) fyne.CanvasObject {
	line := container.NewBorder(nil, nil, container.New(&fixedWidth{w: 130}, widget.NewLabel(caption)), nil, f)
	if errl == nil {
		return line
	}
	errl.Wrapping = fyne.TextWrapWord
	errl.Hide()
	return container.NewVBox(line, container.NewBorder(nil, nil, container.New(&fixedWidth{w: 130}), nil, errl))
}

// setFieldError shows text beside its field, or hides the label.
func setFieldError(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func isFKey(k *fyne.KeyEvent) bool {
	return strings.HasPrefix(string(k.Name), "F") && len(k.Name) <= 3 && k.Name != ""
}

// setOptional shows a label only when it has something to say, so empty
// lines do not push the panels below them off the screen.
func setOptional(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func fyneSize(w, h float32) fyne.Size { return fyne.NewSize(w, h) }
