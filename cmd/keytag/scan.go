package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"keytag/pos"
	"keytag/scanner"
)

const scanUsage = "scan [--serial PATH [--baud N]] [--hid VID:PID [--layout us|de] [--record FILE]] [--replay-hid FILE] [--dedupe DURATION]"

// runScan reads scanners and prints one line per scan until the sources end
// (a replay file at its end) or ctx is cancelled. It is how a technician
// checks a scanner is set up right: that it is found, that its codes
// arrive whole, with the expected symbology, and are taken for key tags.
// Exit codes: 0 done, 1 a device or file could not be opened or read,
// 2 usage error.
func runScan(ctx context.Context, args []string, stdout, stderr io.Writer, jsonOut bool) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serialPath := fs.String("serial", "", "serial `PATH` of a scanner, e.g. /dev/serial/by-id/usb-…")
	baud := fs.Int("baud", 9600, "serial line speed (8N1)")
	hidID := fs.String("hid", "", "USB HID scanner as `VID:PID` in hex, as lsusb shows it")
	layoutName := fs.String("layout", "us", "keyboard layout the scanner is set to, for HID keyboard mode (us, de)")
	replayPath := fs.String("replay-hid", "", "decode recorded HID reports from `FILE` and exit at its end")
	recordPath := fs.String("record", "", "write the HID reports read with --hid to `FILE`")
	dedupe := fs.Duration("dedupe", scanner.DefaultDedupe, "report a repeated code once within this `DURATION` (0s: never merge)")
	fs.Usage = func() { fmt.Fprintf(stderr, "usage: keytag %s\n", scanUsage); fs.PrintDefaults() }
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "keytag scan: %s\nusage: keytag %s\n", fmt.Sprintf(format, a...), scanUsage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed what was wrong
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *serialPath == "" && *hidID == "" && *replayPath == "":
		return usage("say which scanner to read: --serial, --hid or --replay-hid")
	case set["baud"] && *serialPath == "":
		return usage("--baud goes with --serial")
	case *baud <= 0:
		return usage("--baud %d: want a line speed like 9600", *baud)
	case *recordPath != "" && *hidID == "":
		return usage("--record records a live --hid scanner")
	}
	layout, err := scanner.LayoutByName(*layoutName)
	if err != nil {
		return usage("%v", err)
	}
	var vid, pid uint16
	if *hidID != "" {
		if vid, pid, err = scanner.ParseVIDPID(*hidID); err != nil {
			return usage("--hid: %v", err)
		}
	}
	window := *dedupe
	switch {
	case window == 0:
		window = -1 // Options: negative is off, 0 the default
	case !set["dedupe"] && *serialPath == "" && *hidID == "":
		// A replay is decoded in no time at all; merging by wall-clock
		// time would hide repeats that the recording holds.
		window = -1
	}

	var sources []scanner.Source
	closeAll := func() {
		for _, s := range sources {
			s.Close()
		}
	}
	fail := func(err error, hint string) int {
		closeAll()
		fmt.Fprintf(stderr, "keytag scan: %v; %s\n", err, hint)
		return 1
	}
	if *serialPath != "" {
		s, err := scanner.OpenSerial(scanner.SerialConfig{Path: *serialPath, Baud: *baud})
		if err != nil {
			return fail(err, serialHint(err))
		}
		sources = append(sources, s)
	}
	if *hidID != "" {
		cfg := scanner.HIDConfig{VendorID: vid, ProductID: pid, Layout: layout}
		if *recordPath != "" {
			f, err := os.Create(*recordPath)
			if err != nil {
				return fail(fmt.Errorf("record: %w", err), "choose a file in a writable directory")
			}
			defer f.Close()
			if cfg.Record, err = scanner.NewRecorder(f, *hidID); err != nil {
				return fail(err, "choose a file in a writable directory")
			}
		}
		h, err := scanner.OpenHID(cfg)
		if err != nil {
			return fail(err, hidHint(err))
		}
		sources = append(sources, h)
	}
	if *replayPath != "" {
		p, err := scanner.OpenReplay(*replayPath, layout)
		if err != nil {
			return fail(err, "check the file name")
		}
		sources = append(sources, p)
	}

	r := scanner.NewReader(scanner.Options{Format: pos.DefaultTagFormat, Dedupe: window}, sources...)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for s := range r.Scans(ctx) {
		if jsonOut {
			enc.Encode(s)
			continue
		}
		sym := s.Symbology
		if sym == "" {
			sym = "-"
		}
		fmt.Fprintf(stdout, "%-6s  %-7s  %-3s  %s\n", s.Source, s.Kind, sym, printableCode(s.Code))
	}
	if err := r.Err(); err != nil {
		fmt.Fprintf(stderr, "keytag scan: %v\n", err)
		return 1
	}
	return 0
}

// printableCode quotes a code only when it holds something a terminal
// would not show as it is (a misread with control characters).
func printableCode(code string) string {
	if q := strconv.Quote(code); q[1:len(q)-1] != code {
		return q
	}
	return code
}

func serialHint(err error) string {
	switch {
	case errors.Is(err, os.ErrPermission):
		return "add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again"
	case errors.Is(err, os.ErrNotExist):
		return "is the scanner plugged in? its stable name is under /dev/serial/by-id/"
	}
	return "check the path, and that the scanner is in serial (USB CDC/COM) mode"
}

func hidHint(err error) string {
	if errors.Is(err, scanner.ErrNoDevice) {
		return "is it plugged in and in USB HID mode? lsusb lists its VID:PID"
	}
	return "without root, install assets/99-keytag-scanners.rules into /etc/udev/rules.d/, run " +
		"sudo udevadm control --reload-rules && sudo udevadm trigger, then re-plug the scanner"
}
