package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner/serialtest"
	"keytag/ui"
)

// plug points the by-id style link at the pty's slave, as udev does when
// the scanner is plugged in.
func plug(t *testing.T, link string) *os.File {
	t.Helper()
	master, slave := serialtest.RawPTY(t)
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	return master
}

// labels is every label's text in the window, in layout order.
func labels(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *widget.Label:
		return []string{x.Text}
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, labels(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, labels(c)...)
		}
	}
	return out
}

// TestWindowReadsSerialScanner: a serial scanner (a pseudo-terminal)
// given with --scanner feeds the window through the wiring keytag uses: a
// key tag finds the customer, two product barcodes ring up two lines with
// the catalog's names and prices, and a third scan of one raises its
// quantity. Unplugged, the scanner reads as not connected; plugged back
// in, it is connected again and its scans arrive, with no restart.
func TestWindowReadsSerialScanner(t *testing.T) {
	ctx := context.Background()
	link := filepath.Join(t.TempDir(), "usb-Honeywell_1900-if00")
	master := plug(t, link)

	var stderr bytes.Buffer
	e := &env{ctx: ctx, stdout: &bytes.Buffer{}, stderr: &stderr, clock: pos.SystemClock{}, dbPath: filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := e.parseGlobals([]string{"--scanner", "serial:" + link + "@9600"}); err != nil {
		t.Fatal(err)
	}
	d, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	tag := tagOf("000000017")
	if _, err := d.CreateAccount(ctx, mia, pos.NewAccount{Email: "ann@example.com", Name: "Ann Lee", Tag: tag}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []pos.Product{
		{SKU: "SHIRT", Barcodes: []string{"5901234123457"}, Name: "T-shirt", Price: 2000, Earns: true},
		{SKU: "BREAD", Barcodes: []string{"4006381333931"}, Name: "Sourdough loaf", Price: 450, Earns: true},
	} {
		if _, err := d.AddProduct(ctx, mia, p); err != nil {
			t.Fatal(err)
		}
	}

	// Each scan the window took is reported from inside fyne.Do: the
	// test reads the window only after it has one, so never while the
	// scanner's goroutine is changing it.
	events := make(chan ui.ScanEvent, 16)
	svc := ui.Services{Terminal: d, StatusEvery: -1, Events: func(ev ui.ScanEvent) { events <- ev }}
	attach := windowScanners(e, d, &svc)
	if svc.Scanners == nil {
		t.Fatal("--scanner set no scanner status for the window")
	}
	u := ui.New(test.NewTempApp(t), svc)
	defer u.Close()
	defer attach(u)()

	// Mia signs in from the keyboard: her PIN and Enter.
	c := u.Window().Canvas()
	pin := c.Focused()
	if pin == nil {
		t.Fatal("sign-in has no field with the focus")
	}
	test.Type(pin, "1234")
	pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})

	waitConnected := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			st := svc.Scanners()
			if len(st) == 1 && st[0].Connected == want {
				if !strings.HasPrefix(st[0].Name, "serial "+link) {
					t.Errorf("the scanner is named %q", st[0].Name)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("scanner states %+v, want connected=%v", st, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	scan := func(m *os.File, code string) ui.ScanEvent {
		t.Helper()
		if _, err := m.WriteString(code + "\r"); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			if ev.Code != code {
				t.Fatalf("the window took %q, want %q", ev.Code, code)
			}
			return ev
		case <-time.After(10 * time.Second):
			t.Fatalf("the window never took %s", code)
		}
		return ui.ScanEvent{}
	}
	// lines are the sale's rows as shown: item, qty, price, total.
	lines := func() []string {
		all := labels(u.Window().Content())
		var out []string
		for i, l := range all {
			if (strings.HasPrefix(l, "SHIRT ") || strings.HasPrefix(l, "BREAD ")) && i+3 < len(all) {
				out = append(out, strings.Join(all[i:i+4], " | "))
			}
		}
		return out
	}

	waitConnected(true)
	if ev := scan(master, tag); ev.Screen != "checkout" || ev.Customer != "Ann Lee" {
		t.Fatalf("tag scan: %+v", ev)
	}
	scan(master, "5901234123457")
	scan(master, "4006381333931")
	want := []string{"SHIRT T-shirt | 1 | 20.00 | 20.00", "BREAD Sourdough loaf | 1 | 4.50 | 4.50"}
	if got := lines(); !slices.Equal(got, want) {
		t.Fatalf("lines after two product scans = %q, want %q", got, want)
	}
	if ev := scan(master, "KT0000000018"); !strings.Contains(ev.Message, "not a readable key tag or product code") || ev.Customer != "Ann Lee" {
		t.Errorf("a misread: %+v", ev)
	}
	if got := lines(); !slices.Equal(got, want) {
		t.Errorf("a misread changed the lines: %q", got)
	}

	// Unplugged: the pty goes and its link dangles.
	master.Close()
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	waitConnected(false)
	master = plug(t, link)
	waitConnected(true)
	// The scanner package waits out a double beep of one code: another
	// code follows first.
	scan(master, "4006381333931")
	scan(master, "5901234123457")
	want = []string{"SHIRT T-shirt | 2 | 20.00 | 40.00", "BREAD Sourdough loaf | 2 | 4.50 | 9.00"}
	if got := lines(); !slices.Equal(got, want) {
		t.Fatalf("lines after the re-plug = %q, want %q", got, want)
	}
	if strings.Contains(stderr.String(), "5901234123457") || strings.Contains(stderr.String(), tag) {
		t.Errorf("codes were logged: %s", stderr.String())
	}
}

// TestScannerChoiceKept: the scanners the window was started with are
// kept in the terminal's database and read by the next start without
// --scanner; --scanner none forgets them; a bad spec is a usage error.
func TestScannerChoiceKept(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "t.db")
	start := func(args ...string) []ui.ScannerState {
		t.Helper()
		e := &env{ctx: ctx, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, clock: pos.SystemClock{}, dbPath: dbPath}
		if _, _, err := e.parseGlobals(args); err != nil {
			t.Fatal(err)
		}
		d, err := e.open()
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var svc ui.Services
		windowScanners(e, d, &svc)
		if svc.Scanners == nil {
			return nil
		}
		return svc.Scanners()
	}
	names := func(st []ui.ScannerState) []string {
		var out []string
		for _, s := range st {
			out = append(out, s.Name)
		}
		return out
	}
	want := []string{"HID 0c2e:0b61", "serial /dev/serial/by-id/usb-X@1"}
	if got := names(start("--scanner", "hid:0C2E:0B61", "--scanner", "serial:/dev/serial/by-id/usb-X@1@19200")); !slices.Equal(got, want) {
		t.Fatalf("started with %q", got)
	}
	if got := names(start()); !slices.Equal(got, want) {
		t.Errorf("the next start reads %q, want the kept %q", got, want)
	}
	if got := start("--scanner", "none"); got != nil {
		t.Errorf("--scanner none reads %+v", got)
	}
	if got := start(); got != nil {
		t.Errorf("after none the next start reads %+v", got)
	}

	for _, bad := range []string{"usb:1", "hid:zz:01", "serial:", "serial:/dev/ttyS0@fast"} {
		var out, errb bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errb, Clock: pos.SystemClock{}}
		if code := m.Execute(ctx, []string{"--db", dbPath, "--scanner", bad}); code != 2 || !strings.Contains(errb.String(), "--scanner "+bad) {
			t.Errorf("--scanner %s: exit %d, stderr %q", bad, code, errb.String())
		}
	}
	var errb bytes.Buffer
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &errb, Clock: pos.SystemClock{}}
	if code := m.Execute(ctx, []string{"--db", dbPath, "--scanner", "hid:0c2e:0b61", "doctor"}); code != 2 || !strings.Contains(errb.String(), "--scanner is for the window") {
		t.Errorf("--scanner with a command: exit %d, stderr %q", code, errb.String())
	}
}

// TestSettingsScreenScanners: on a terminal joined to a server, a manager
// opens Settings (F10, F8), is refused a bad scanner with nothing kept,
// adds a serial scanner (a pseudo-terminal) that is kept in the
// terminal's database and read at once, sees its next scans' codes and
// kinds as the test, sees the program settings read-only, and forgets the
// scanner again.
func TestSettingsScreenScanners(t *testing.T) {
	ctx := context.Background()
	link := filepath.Join(t.TempDir(), "usb-Datalogic_QD2430-if00")
	var stderr bytes.Buffer
	e := &env{ctx: ctx, stdout: &bytes.Buffer{}, stderr: &stderr, clock: pos.SystemClock{}, dbPath: filepath.Join(t.TempDir(), "t.db")}
	d, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234"); err != nil {
		t.Fatal(err)
	}
	const server = "http://127.0.0.1:9"
	if err := d.SetIdentity(ctx, "S1", "T1", server); err != nil {
		t.Fatal(err)
	}
	svc, stop := windowServices(e, d)
	defer stop()
	events := make(chan ui.ScanEvent, 16)
	svc.StatusEvery = -1
	svc.Events = func(ev ui.ScanEvent) { events <- ev }
	attach := windowScanners(e, d, &svc)
	u := ui.New(test.NewTempApp(t), svc)
	defer u.Close()
	defer attach(u)()

	c := u.Window().Canvas()
	key := func(name fyne.KeyName) {
		if f := c.Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: name})
		} else {
			c.OnTypedKey()(&fyne.KeyEvent{Name: name})
		}
	}
	typeLine := func(text string) {
		t.Helper()
		f := c.Focused()
		if f == nil {
			t.Fatal("no field has the focus")
		}
		// Set, not typed: typed this fast it would read as a wedge scan.
		f.(interface{ SetText(string) }).SetText(text)
		key(fyne.KeyReturn)
	}
	shown := func(sub string) bool {
		for _, l := range labels(u.Window().Content()) {
			if strings.Contains(l, sub) {
				return true
			}
		}
		return false
	}
	wantShown := func(what, sub string) {
		t.Helper()
		if !shown(sub) {
			t.Errorf("%s: no label says %q in %q", what, sub, labels(u.Window().Content()))
		}
	}
	kept := func() string {
		t.Helper()
		s, err := d.Meta(ctx, metaScanners)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	test.Type(c.Focused(), "1234")
	key(fyne.KeyReturn)
	key(fyne.KeyF10)
	key(fyne.KeyF8)
	wantShown("settings", "Scanners (besides the keyboard)")
	wantShown("no scanners", "none: the window reads the keyboard alone")
	wantShown("program settings", "earn_rate=")
	wantShown("read-only", "Read-only: this terminal is joined to "+server)

	typeLine("serial:" + link + "@fast")
	wantShown("a bad speed", "the line speed after @ must be a number")
	if k := kept(); k != "" || svc.Scanners() != nil {
		t.Fatalf("a refused scanner was kept %q or read %+v", k, svc.Scanners())
	}

	master := plug(t, link)
	typeLine("serial:" + link)
	wantShown("added", "Added serial:"+link)
	if k := kept(); k != "serial:"+link {
		t.Errorf("kept %q, want the scanner added", k)
	}
	waitFor(t, "the scanner added to connect", func() bool {
		st := svc.Scanners()
		return len(st) == 1 && st[0].Connected && st[0].Name == "serial "+link
	})
	scan := func(code string) {
		t.Helper()
		if _, err := master.WriteString(code + "\r"); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			if ev.Code != code || ev.Screen != "settings" {
				t.Fatalf("the window took %+v, want %s on settings", ev, code)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the window never took %s", code)
		}
	}
	tag := tagOf("000000017")
	scan(tag)
	wantShown("tag test", tag+" · keytag · from serial")
	scan("4006381333931")
	wantShown("product test", "4006381333931 · product · from serial")

	key(fyne.KeyF7)
	wantShown("forget", "Forgot serial:"+link)
	if k := kept(); k != "" || svc.Scanners() != nil {
		t.Errorf("forgotten, yet kept %q and read %+v", k, svc.Scanners())
	}
	key(fyne.KeyEscape)
	wantShown("back", "Replace a lost tag")
}
