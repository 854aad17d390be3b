package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/karalabe/hid"
)

// HIDConfig says which USB HID scanner to read and how.
type HIDConfig struct {
	// VendorID and ProductID choose the device (Linux does not report
	// usage pages, so the device cannot be found by what it is).
	VendorID, ProductID uint16
	// Layout decodes keyboard-mode reports; nil means LayoutUS.
	Layout Layout
	// Record, if set, gets every report read, in the replay format.
	Record *Recorder
	// MaxLine is the longest keyboard-mode code kept; 0 means 256.
	MaxLine int
	// Poll is how often a lost device is looked for again; 0 means 500 ms.
	Poll time.Duration
	// Logger gets open/lost events; nil discards them.
	Logger *slog.Logger
	// OnState, if set, is told from Run's goroutine when the scanner is
	// lost (false) and when it is opened again (true): the window's
	// status bar shows it.
	OnState func(connected bool)
}

// ErrNoDevice is returned by OpenHID when no device has the VID:PID.
var ErrNoDevice = errors.New("no such USB device")

// HID is a USB scanner in HID keyboard or HID POS mode. On Linux the
// library claims the device through libusb and detaches the kernel driver,
// so its keystrokes never reach other windows.
type HID struct {
	cfg  HIDConfig
	dev  device
	conn io.ReadCloser
}

// reportPort adapts a karalabe/hid device: each Read returns one report, or
// (0, nil) after a short wait without one so the reader can see ctx end.
// Reads time out rather than being interrupted by Close, because closing a
// hidapi handle while another thread reads from it is not safe.
type reportPort struct{ d hid.Device }

const hidReadWait = 200 // milliseconds

func (p reportPort) Read(b []byte) (int, error) { return p.d.ReadTimeout(b, hidReadWait) }
func (p reportPort) Close() error               { return p.d.Close() }

// OpenHID opens the first device with the configured VID:PID now, so a
// missing device or permission is reported at start; later losses are
// recovered by Run.
func OpenHID(cfg HIDConfig) (*HID, error) {
	return newHID(cfg, func() (io.ReadCloser, error) {
		infos, err := hid.Enumerate(cfg.VendorID, cfg.ProductID)
		if err != nil {
			return nil, err
		}
		if len(infos) == 0 {
			return nil, ErrNoDevice
		}
		d, err := infos[0].Open()
		if err != nil {
			return nil, err
		}
		return reportPort{d}, nil
	})
}

// newHID is OpenHID with the device opener replaced, for tests.
func newHID(cfg HIDConfig, open func() (io.ReadCloser, error)) (*HID, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	name := FormatVIDPID(cfg.VendorID, cfg.ProductID)
	c, err := open()
	if err != nil {
		return nil, fmt.Errorf("open USB HID scanner %s: %w", name, err)
	}
	return &HID{cfg: cfg, conn: c, dev: device{name: name, open: open, poll: cfg.Poll, logger: cfg.Logger, onState: cfg.OnState}}, nil
}

// Run reads reports until ctx is done, reopening the device when it is lost.
func (h *HID) Run(ctx context.Context, emit func(Scan)) error {
	if h.conn == nil {
		return errors.New("hid: Run after Close")
	}
	conn := h.conn
	h.conn = nil
	dec := newReportDecoder(h.cfg.Layout, h.cfg.MaxLine)
	out := emitter(ctx, SourceHID, emit)
	return h.dev.run(ctx, conn, func(ctx context.Context, c io.ReadCloser) error {
		dec.reset()
		buf := make([]byte, 256) // larger than any full-speed report (64)
		for ctx.Err() == nil {
			n, err := c.Read(buf)
			if err != nil {
				return fmt.Errorf("read %s: %w", h.dev.name, err)
			}
			if n == 0 {
				continue
			}
			if h.cfg.Record != nil {
				if err := h.cfg.Record.Write(buf[:n]); err != nil {
					h.cfg.Logger.Error("recording reports failed; recording stopped", "err", err)
					h.cfg.Record = nil
				}
			}
			dec.feed(buf[:n], out)
		}
		return nil
	})
}

// Close closes the device if Run was never called.
func (h *HID) Close() error {
	if h.conn == nil {
		return nil
	}
	err := h.conn.Close()
	h.conn = nil
	return err
}

// ParseVIDPID parses "0c2e:0b61" (hex, as lsusb prints it).
func ParseVIDPID(s string) (vid, pid uint16, err error) {
	v, p, ok := strings.Cut(s, ":")
	if ok {
		var ev, ep error
		var x, y uint64
		x, ev = strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 16)
		y, ep = strconv.ParseUint(strings.TrimPrefix(p, "0x"), 16, 16)
		if ev == nil && ep == nil {
			return uint16(x), uint16(y), nil
		}
	}
	return 0, 0, fmt.Errorf("USB id %q: want VID:PID in hex, like 0c2e:0b61 (see lsusb)", s)
}

// FormatVIDPID is the inverse of ParseVIDPID.
func FormatVIDPID(vid, pid uint16) string { return fmt.Sprintf("%04x:%04x", vid, pid) }
