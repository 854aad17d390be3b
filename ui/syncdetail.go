package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// syncDetailView is F11 (or a click on the status bar): everything the
// status bar sums up, in full. It lies over the screen it was opened on,
// which Esc or F11 brings back as it was (a sale half rung up stays).
type syncDetailView struct {
	server, state, last, waiting, lastErr, bootstrap *widget.Label
	budget, conflicts                                *widget.Label
	// note says what F5 (sync now) did.
	note   *widget.Label
	under  savedScreen
	scroll *container.Scroll
}

// savedScreen is a screen put aside while the sync detail is shown.
type savedScreen struct {
	screen     string
	content    []fyne.CanvasObject
	hints      string
	key        func(*fyne.KeyEvent) bool
	scan       func(scanner.Scan) bool
	canvasRune func(rune)
	canvasKey  func(*fyne.KeyEvent)
	focused    fyne.Focusable
}

const syncDetailHints = "F5 sync now   Esc or F11 back to where you were   (the sync worker runs by itself; this view refreshes every second)"

// syncNow wakes the sync worker for a round at once, instead of at its
// next tick (after the network came back, before closing the shop).
func (u *UI) syncNow() {
	v := u.syncView
	if !u.joined.Load() || u.svc.Notify == nil {
		setMessage(v.note, "Nothing to sync: this terminal is not joined to a server.", widget.WarningImportance)
		return
	}
	u.notify()
	setMessage(v.note, "Sync round asked for at "+u.svc.Terminal.Now().Local().Format("15:04:05")+": the lines above change when it is done.", widget.MediumImportance)
}

// toggleSyncDetail opens the sync detail over the screen on show, or
// closes it.
func (u *UI) toggleSyncDetail() {
	if u.screen == "sync" {
		u.closeSyncDetail()
		return
	}
	c := u.win.Canvas()
	v := &syncDetailView{
		server: widget.NewLabel(""), state: widget.NewLabel(""), last: widget.NewLabel(""),
		waiting: widget.NewLabel(""), lastErr: widget.NewLabel(""), bootstrap: widget.NewLabel(""),
		budget: widget.NewLabel(""), conflicts: widget.NewLabel(""), note: widget.NewLabel(""),
		under: savedScreen{screen: u.screen, content: u.body.Objects, hints: u.hints.Text,
			key: u.screenKey, scan: u.screenScan, canvasRune: u.keys.onCanvasRune, canvasKey: u.keys.onCanvasKey,
			focused: c.Focused()},
	}
	for _, l := range []*widget.Label{v.server, v.state, v.last, v.waiting, v.lastErr, v.bootstrap, v.budget, v.conflicts} {
		l.Wrapping = fyne.TextWrapWord
	}
	v.state.TextStyle.Bold = true
	u.syncView = v
	line := func(name string, l *widget.Label) fyne.CanvasObject {
		return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 170}, widget.NewLabel(name)), nil, l)
	}
	box := container.NewVBox(
		big("Sync detail"),
		line("server", v.server),
		line("state", v.state),
		line("last success", v.last),
		line("waiting", v.waiting),
		line("last error", v.lastErr),
		line("first sync", v.bootstrap),
		widget.NewSeparator(),
		line("offline budget", v.budget),
		line("conflicts", v.conflicts),
		v.note,
	)
	v.scroll = container.NewVScroll(container.NewPadded(box))
	u.show("sync", v.scroll, syncDetailHints,
		func(k *fyne.KeyEvent) bool {
			if k.Name == fyne.KeyF5 {
				u.syncNow()
				return true
			}
			if k.Name == fyne.KeyEscape {
				u.closeSyncDetail()
				return true
			}
			return false
		},
		func(scanner.Scan) bool { return true }) // a scan here finds nothing and types nothing
	u.syncOpen.Store(true)
	u.refreshSyncDetail(u.svc.Status())
}

// closeSyncDetail puts the screen under the detail back as it was.
func (u *UI) closeSyncDetail() {
	v := u.syncView
	if v == nil || u.screen != "sync" {
		return
	}
	s := v.under
	u.syncOpen.Store(false)
	u.syncView = nil
	var content fyne.CanvasObject = container.NewStack(s.content...)
	if len(s.content) == 1 {
		content = s.content[0]
	}
	u.show(s.screen, content, s.hints, s.key, s.scan)
	u.keys.onCanvasRune, u.keys.onCanvasKey = s.canvasRune, s.canvasKey
	if s.focused != nil {
		u.focus(s.focused)
	}
}

// refreshSyncDetail fills the detail from a status and the store's
// bookkeeping (local reads).
func (u *UI) refreshSyncDetail(s pos.SyncStatus) {
	v := u.syncView
	if v == nil {
		return
	}
	now := u.svc.Terminal.Now()
	if s.Server == "" {
		v.server.SetText("none: this terminal keeps its own ledger (keytag enroll --server URL --code CODE joins one)")
		setMessage(v.state, "standalone · not syncing", widget.MediumImportance)
	} else {
		v.server.SetText(s.Server)
		switch {
		case s.Online:
			setMessage(v.state, "online (as of the last sync round)", widget.SuccessImportance)
		case s.OfflineSince.IsZero():
			setMessage(v.state, "OFFLINE: no round has reached the server yet", widget.WarningImportance)
		default:
			setMessage(v.state, fmt.Sprintf("OFFLINE since %s (%s)", s.OfflineSince.Local().Format("2006-01-02 15:04:05"),
				strings.TrimPrefix(ago(now, s.OfflineSince), "at ")), widget.WarningImportance)
		}
	}
	if s.LastSuccess.IsZero() {
		v.last.SetText("never")
	} else {
		v.last.SetText(fmt.Sprintf("%s (%s)", s.LastSuccess.Local().Format("2006-01-02 15:04:05"), ago(now, s.LastSuccess)))
	}
	v.waiting.SetText(fmt.Sprintf("%s to send to the server", plural(s.Waiting, "entry", "entries")))
	if s.LastError == "" {
		v.lastErr.SetText("none")
	} else {
		v.lastErr.SetText(s.LastError)
	}
	v.bootstrap.SetText(u.bootstrapText(s))
	v.budget.SetText(u.budgetText())
	v.conflicts.SetText(u.conflictsText(3, "F10 manager lists them all"))
	v.scroll.Refresh() // wrapped lines may have changed height
}

func (u *UI) bootstrapText(s pos.SyncStatus) string {
	if s.Server == "" {
		return "—"
	}
	var p SyncProgress
	if u.svc.Sync != nil {
		p, _ = u.svc.Sync.Progress(u.ctx)
	}
	if !s.Bootstrapping {
		return fmt.Sprintf("done (%s changes pulled from the server)", points(p.Cursor))
	}
	text := fmt.Sprintf("in progress: %s changes pulled", points(p.Pulled))
	if p.Head > 0 {
		text += fmt.Sprintf(" of about %s (%d%%)", points(p.Head), min(100, 100*p.Cursor/p.Head))
	}
	return text + "; the terminal works meanwhile under the offline rules"
}

// budgetText sums the offline redemption budget in use here.
func (u *UI) budgetText() string {
	if u.svc.Sync == nil {
		return "—"
	}
	bs, err := u.svc.Sync.Budgets(u.ctx)
	if err != nil {
		return pos.ErrorMessage(err)
	}
	if len(bs) == 0 {
		if !u.joined.Load() {
			return "no offline cap: this terminal keeps its own ledger"
		}
		return "none used: every redemption here is confirmed by the server"
	}
	var used int64
	var b strings.Builder
	for _, x := range bs {
		used += x.Used
	}
	fmt.Fprintf(&b, "%s points redeemed here not yet confirmed, by %s:", points(used), plural(int64(len(bs)), "customer", "customers"))
	for i, x := range bs {
		if i == 5 {
			fmt.Fprintf(&b, "\n… and %d more", len(bs)-i)
			break
		}
		fmt.Fprintf(&b, "\n%s  %s of %s", x.Email, points(x.Used), points(x.Cap))
	}
	return b.String()
}

// conflictsText lists up to n of the server's verdicts to review, newest
// first (n < 0: all), with a note after the count.
func (u *UI) conflictsText(n int, note string) string {
	if u.svc.Sync == nil {
		return "none"
	}
	cs, err := u.svc.Sync.Conflicts(u.ctx)
	if err != nil {
		return pos.ErrorMessage(err)
	}
	if len(cs) == 0 {
		if !u.joined.Load() {
			return "none: this terminal is not joined to a server, so no record is judged"
		}
		return "none: the server accepted every record of this terminal as it was"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d to review", len(cs))
	if note != "" {
		fmt.Fprintf(&b, " (%s)", note)
	}
	for i := len(cs) - 1; i >= 0; i-- {
		if n >= 0 && len(cs)-1-i == n {
			fmt.Fprintf(&b, "\n… and %d older", i+1)
			break
		}
		b.WriteString("\n" + conflictLine(cs[i]))
	}
	return b.String()
}

// conflictLine says what the server did with one record, in words.
func conflictLine(c SyncConflict) string {
	when := ""
	if !c.At.IsZero() {
		when = c.At.Local().Format("Jan 2 15:04") + "  "
	}
	what := c.Status
	if c.Code != "" {
		what += " (" + c.Code + ")"
	}
	line := fmt.Sprintf("%s#%d %s %s", when, c.Seq, c.Kind, what)
	if r := strings.TrimSpace(c.Reason); r != "" {
		line += ": " + r
	}
	return line
}
