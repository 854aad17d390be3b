package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/scanner"
)

// settingsView is the manager's Settings (F8 on the manager screen): the
// scanners the window reads and the receipt printer, chosen and tested
// here (printersettings.go), and the program's
// settings, which only `program set` changes (on the server, for a
// terminal joined to one).
type settingsView struct {
	specs []string
	// sel is the scanner F7 forgets, picked with ↑↓.
	sel     int
	list    *widget.Label
	add     *field
	msg     *widget.Label
	test    *widget.Label
	program *widget.Label
	note    *widget.Label
	printer *printerSection
}

const settingsHints = "Enter adds the scanner typed   ↑↓ pick a scanner   F7 forget it   scan anything: test   " +
	"Tab the printer   F5 save it   F6 test page   Esc back   F12 sign out"

func (u *UI) showSettings() {
	if u.staff == nil || !u.staff.IsManager() {
		return
	}
	v := &settingsView{
		list: widget.NewLabel(""), add: newField(u.keys, "hid:VID:PID or serial:PATH[@BAUD], Enter"),
		msg: widget.NewLabel(""), test: widget.NewLabel("Scan a code: it shows here with its kind and the scanner it came from."),
		program: widget.NewLabel(""), note: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{v.list, v.msg, v.test, v.note} {
		l.Wrapping = fyne.TextWrapWord
	}
	u.settings = v
	editable := u.svc.ScannerSettings != nil
	if editable {
		v.specs = u.svc.ScannerSettings.Scanners()
	}
	v.add.OnSubmitted = func(string) { u.addScanner() }
	v.add.onKey = func(k *fyne.KeyEvent) bool {
		if len(v.specs) == 0 || (k.Name != fyne.KeyUp && k.Name != fyne.KeyDown) {
			return false
		}
		n := len(v.specs)
		if k.Name == fyne.KeyUp {
			v.sel = (v.sel + n - 1) % n
		} else {
			v.sel = (v.sel + 1) % n
		}
		u.showScannerList()
		return true
	}

	left := container.NewVBox(
		big("Settings"),
		title("Scanners (besides the keyboard)"),
		v.list, v.add, v.msg,
		widget.NewSeparator(),
		title("Test a scanner"), v.test,
	)
	var printer fyne.CanvasObject
	v.printer, printer = u.printerBox()
	left.Add(widget.NewSeparator())
	left.Add(printer)
	c := u.svc.Terminal.Config()
	v.program.SetText(strings.TrimSuffix(c.SettingsText(), "\n"))
	if st := u.svc.Status; st != nil && st().Server != "" {
		v.note.SetText("Read-only: this terminal is joined to " + st().Server +
			", which owns them (keytagd program set KEY=VALUE); it pulls each change.")
	} else {
		v.note.SetText("Read-only here: keytag program set KEY=VALUE changes them.")
	}
	right := container.NewVBox(title("Program settings"), v.note, v.program)
	split := container.NewHSplit(container.NewVScroll(left), container.NewVScroll(right))
	split.Offset = 0.55
	u.show("settings", split, settingsHints,
		func(k *fyne.KeyEvent) bool {
			switch k.Name {
			case fyne.KeyEscape:
				u.settings = nil
				u.showManager()
			case fyne.KeyF7:
				u.forgetScanner()
			case fyne.KeyF5:
				u.savePrinter()
			case fyne.KeyF6:
				u.printTestPage()
			default:
				return false
			}
			return true
		},
		func(s scanner.Scan) bool {
			// Any scan is the test: what the window took it for.
			from := s.Source
			if from == "" {
				from = "the keyboard (a wedge scanner)"
			}
			v.test.SetText(fmt.Sprintf("%s · %s · from %s", s.Code, s.Kind, from))
			return true
		})
	if !editable {
		v.add.Disable()
		setMessage(v.msg, "This window cannot change its scanners: keytag --scanner does.", widget.MediumImportance)
	}
	u.showScannerList()
	u.focus(v.add)
}

func (u *UI) showScannerList() {
	v := u.settings
	if len(v.specs) == 0 {
		v.list.SetText("none: the window reads the keyboard alone")
		return
	}
	lines := make([]string, len(v.specs))
	for i, s := range v.specs {
		mark := "  "
		if i == v.sel {
			mark = "▶ "
		}
		lines[i] = mark + s
	}
	v.list.SetText(strings.Join(lines, "\n"))
}

// addScanner adds the scanner typed; a bad one is refused with nothing
// changed.
func (u *UI) addScanner() {
	v := u.settings
	spec := strings.TrimSpace(v.add.Text)
	if spec == "" {
		setMessage(v.msg, "Type a scanner: hid:VID:PID (as lsusb shows it) or serial:PATH[@BAUD].", widget.WarningImportance)
		return
	}
	if slices.Contains(v.specs, spec) {
		setMessage(v.msg, spec+" is read already.", widget.WarningImportance)
		return
	}
	if u.setScanners(append(slices.Clone(v.specs), spec)) {
		v.sel = len(v.specs) - 1
		v.add.SetText("")
		setMessage(v.msg, "Added "+spec+": the status bar says when it is connected; scan to test it.", widget.SuccessImportance)
		u.showScannerList()
	}
}

// forgetScanner stops reading the scanner picked.
func (u *UI) forgetScanner() {
	v := u.settings
	if len(v.specs) == 0 || u.svc.ScannerSettings == nil {
		return
	}
	gone := v.specs[v.sel]
	if u.setScanners(slices.Delete(slices.Clone(v.specs), v.sel, v.sel+1)) {
		v.sel = max(0, min(v.sel, len(v.specs)-1))
		setMessage(v.msg, "Forgot "+gone+".", widget.SuccessImportance)
		u.showScannerList()
	}
}

func (u *UI) setScanners(specs []string) bool {
	v := u.settings
	if err := u.svc.ScannerSettings.SetScanners(context.Background(), specs); err != nil {
		setError(v.msg, err)
		return false
	}
	v.specs = specs
	u.refreshStatus()
	return true
}
