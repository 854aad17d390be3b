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
// scanners; the attach it returns starts reading them into u (each scan
// through fyne.Do, the route a wedge scan takes) and returns what stops
// them.
//
// The scanners given are kept in the terminal's database, and a window
// started without --scanner reads the ones kept; --scanner none forgets
// them.
func windowScanners(e *env, d *sqlite.DB, svc *ui.Services) (attach func(u *ui.UI) (stop func())) {
	specs := e.scanners
	if len(specs) > 0 {
		texts := make([]string, len(specs))
		for i, s := range specs {
			texts[i] = s.text
		}
		if err := d.SetMeta(e.ctx, metaScanners, strings.Join(texts, "\n")); err != nil {
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
	specs = slices.DeleteFunc(specs, func(s scannerSpec) bool { return s.open == nil }) // none
	if len(specs) == 0 {
		return func(*ui.UI) func() { return func() {} }
	}
	set := newScannerSet(specs, slog.New(slog.NewTextHandler(e.stderr, nil)))
	svc.Scanners = set.States
	return func(u *ui.UI) func() {
		ctx, cancel := context.WithCancel(e.ctx)
		set.run(ctx, d.Config().TagFormat, func(s scanner.Scan) { fyne.Do(func() { u.Scan(s) }) })
		return cancel
	}
}
