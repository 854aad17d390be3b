package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/scanner"
	"keytag/ui"
)

// scannerSpec is one --scanner: a USB HID scanner by its USB id, or a
// serial one by its path and line speed.
type scannerSpec struct {
	// text is the spec as given, kept in the terminal's database.
	text string
	// name is how the status bar names it: "HID 0c2e:0b61",
	// "serial /dev/serial/by-id/…".
	name string
	// open opens it, telling onState of losses and returns later.
	open func(onState func(connected bool)) (scanner.Source, error)
}

// parseScanner reads hid:VID:PID, serial:PATH[@BAUD], or none (the
// window reads the keyboard alone).
func parseScanner(s string) (spec scannerSpec, err error) {
	defer func() { spec.text = s }()
	kind, rest, _ := strings.Cut(s, ":")
	if s == "none" {
		return scannerSpec{}, nil
	}
	switch kind {
	case "hid":
		vid, pid, err := scanner.ParseVIDPID(rest)
		if err != nil {
			return scannerSpec{}, fmt.Errorf("--scanner %s: %v (want hid:VID:PID in hex, as lsusb shows it, like hid:0c2e:0b61)", s, err)
		}
		return scannerSpec{name: "HID " + scanner.FormatVIDPID(vid, pid), open: func(on func(bool)) (scanner.Source, error) {
			return scanner.OpenHID(scanner.HIDConfig{VendorID: vid, ProductID: pid, OnState: on})
		}}, nil
	case "serial":
		path, baud := rest, 9600
		// The speed follows the last @: a path may hold one itself.
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			n, err := strconv.Atoi(rest[i+1:])
			if err != nil || n <= 0 {
				return scannerSpec{}, fmt.Errorf("--scanner %s: the line speed after @ must be a number like 9600", s)
			}
			path, baud = rest[:i], n
		}
		if path == "" {
			return scannerSpec{}, fmt.Errorf("--scanner %s: say the port, like serial:/dev/serial/by-id/usb-…", s)
		}
		return scannerSpec{name: "serial " + path, open: func(on func(bool)) (scanner.Source, error) {
			return scanner.OpenSerial(scanner.SerialConfig{Path: path, Baud: baud, OnState: on})
		}}, nil
	}
	return scannerSpec{}, fmt.Errorf("--scanner %s: want hid:VID:PID or serial:PATH[@BAUD]", s)
}

// metaScanners is the terminal database's setting that keeps the
// window's --scanner list, one a line.
const metaScanners = "window_scanners"

// scannerSet runs the window's scanners and keeps whether each is
// connected, for the status bar.
type scannerSet struct {
	specs  []scannerSpec
	poll   time.Duration
	logger *slog.Logger

	mu     sync.Mutex
	states []ui.ScannerState
}

func newScannerSet(specs []scannerSpec, logger *slog.Logger) *scannerSet {
	s := &scannerSet{specs: specs, poll: 500 * time.Millisecond, logger: logger, states: make([]ui.ScannerState, len(specs))}
	for i, sp := range specs {
		s.states[i].Name = sp.name
	}
	return s
}

// States is each scanner, connected or not: Services.Scanners.
func (s *scannerSet) States() []ui.ScannerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ui.ScannerState(nil), s.states...)
}

func (s *scannerSet) set(i int, connected bool) {
	s.mu.Lock()
	s.states[i].Connected = connected
	s.mu.Unlock()
}

// run reads every scanner until ctx is done and hands each scan to
// deliver (which takes it to Fyne's goroutine). A scanner missing at
// start is looked for again every poll; one lost later is reopened by
// the scanner package. format is the program's key-tag format.
func (s *scannerSet) run(ctx context.Context, format pos.TagFormat, deliver func(scanner.Scan)) {
	sources := make([]scanner.Source, len(s.specs))
	for i := range s.specs {
		sources[i] = &awaited{set: s, i: i}
	}
	scans := scanner.NewReader(scanner.Options{Format: format, Logger: s.logger}, sources...).Scans(ctx)
	go func() {
		for sc := range scans {
			deliver(sc)
		}
	}()
}

// awaited is a scanner that may not be plugged in yet: Run opens it when
// it can, then reads it.
type awaited struct {
	set *scannerSet
	i   int
}

func (a *awaited) Run(ctx context.Context, emit func(scanner.Scan)) error {
	sp := a.set.specs[a.i]
	told := false
	for {
		src, err := sp.open(func(c bool) { a.set.set(a.i, c) })
		if err == nil {
			a.set.set(a.i, true)
			a.set.logger.Info("scanner connected", "scanner", sp.name)
			return src.Run(ctx, emit)
		}
		a.set.set(a.i, false)
		if !told {
			// Once: it is looked for again every poll, quietly.
			a.set.logger.Warn("scanner not connected; looking for it", "scanner", sp.name, "err", err)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(a.set.poll):
		}
	}
}

func (a *awaited) Close() error { return nil }

// windowScanners sets the window's status bar to show the --scanner
// scanners and gives the manager's Settings screen the list to change
// (svc.ScannerSettings); the attach it returns starts reading them into u
// (each scan through fyne.Do, the route a wedge scan goes) and returns
// what stops them.
//
// The scanners given are kept in the terminal's database, and a window
// started without --scanner reads the ones kept; --scanner none forgets
// them.
func windowScanners(e *env, d *sqlite.DB, svc *ui.Services) (attach func(u *ui.UI) (stop func())) {
	specs := e.scanners
	if len(specs) > 0 {
		if err := keepScanners(e.ctx, d, specs); err != nil {
			fmt.Fprintf(e.stderr, "keytag: the scanners are not kept for next time: %v\n", err)
		}
	} else if kept, err := d.Meta(e.ctx, metaScanners); err == nil && kept != "" {
		for _, text := range strings.Split(kept, "\n") {
			s, err := parseScanner(text)
			if err != nil {
				fmt.Fprintf(e.stderr, "keytag: a kept scanner is not read: %v\n", err)
				continue
			}
			specs = append(specs, s)
		}
	}
	r := &scannerRunner{e: e, d: d, logger: slog.New(slog.NewTextHandler(e.stderr, nil))}
	r.replace(specs)
	svc.Scanners = r.States
	svc.ScannerSettings = r
	return func(u *ui.UI) func() {
		r.mu.Lock()
		r.deliver = func(s scanner.Scan) { fyne.Do(func() { u.Scan(s) }) }
		r.mu.Unlock()
		r.replace(r.current())
		return func() { r.replace(nil) }
	}
}

// keepScanners writes the list to the terminal's database: the next
// window without --scanner reads it.
func keepScanners(ctx context.Context, d *sqlite.DB, specs []scannerSpec) error {
	var texts []string
	for _, s := range specs {
		texts = append(texts, s.text)
	}
	return d.SetMeta(ctx, metaScanners, strings.Join(texts, "\n"))
}

// scannerRunner is the window's scanners while it is open: the set read
// now, swapped for another when a manager changes the list in Settings,
// without a restart.
type scannerRunner struct {
	e      *env
	d      *sqlite.DB
	logger *slog.Logger

	mu      sync.Mutex
	set     *scannerSet
	cancel  context.CancelFunc
	deliver func(scanner.Scan) // nil until the window is attached
}

// States is each scanner read now, connected or not; none when there are
// none (the status bar then says nothing of scanners).
func (r *scannerRunner) States() []ui.ScannerState {
	r.mu.Lock()
	set := r.set
	r.mu.Unlock()
	if set == nil {
		return nil
	}
	return set.States()
}

func (r *scannerRunner) current() []scannerSpec {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set == nil {
		return nil
	}
	return r.set.specs
}

// replace stops the scanners read now and, once the window is attached,
// starts reading specs (none: the keyboard alone).
func (r *scannerRunner) replace(specs []scannerSpec) {
	specs = slices.DeleteFunc(slices.Clone(specs), func(s scannerSpec) bool { return s.open == nil }) // none
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	r.set = nil
	if len(specs) == 0 {
		return
	}
	r.set = newScannerSet(specs, r.logger)
	if r.deliver != nil {
		ctx, cancel := context.WithCancel(r.e.ctx)
		r.cancel = cancel
		r.set.run(ctx, r.d.Config().TagFormat, r.deliver)
	}
}

// Scanners is the list read now, as hid:VID:PID and serial:PATH[@BAUD].
func (r *scannerRunner) Scanners() []string {
	var out []string
	for _, s := range r.current() {
		out = append(out, s.text)
	}
	return out
}

// SetScanners checks every spec, keeps the list and reads it from now on;
// one bad spec refuses them all, with nothing kept or changed.
func (r *scannerRunner) SetScanners(ctx context.Context, texts []string) error {
	specs := make([]scannerSpec, 0, len(texts))
	for _, t := range texts {
		t = strings.TrimSpace(t)
		s, err := parseScanner(t)
		if err == nil && s.open == nil {
			err = fmt.Errorf("--scanner %s: want hid:VID:PID or serial:PATH[@BAUD] (remove a scanner instead)", t)
		}
		if err != nil {
			// The screen is not the command line: no flag name.
			return pos.Errorf(pos.EInvalidInput, "%s", strings.TrimPrefix(err.Error(), "--scanner "))
		}
		specs = append(specs, s)
	}
	if err := keepScanners(ctx, r.d, specs); err != nil {
		return err
	}
	r.replace(specs)
	return nil
}
