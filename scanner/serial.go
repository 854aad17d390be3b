package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tarm/serial"
)

// SerialConfig says which serial scanner to read and how.
type SerialConfig struct {
	// Path is the device, preferably a stable /dev/serial/by-id/ name: after
	// a re-plug the scanner may come back as another /dev/ttyUSBn, and the
	// by-id link follows it.
	Path string
	// Baud is the line speed, 8N1; 0 means 9600, the usual factory setting.
	Baud int
	// IdleGap ends a line when the scanner sends no terminator: the port is
	// read with this timeout. Rounded up to 100 ms steps by the tty driver;
	// 0 means 100 ms.
	IdleGap time.Duration
	// MaxLine is the longest line kept; longer ones are noise. 0 means 256.
	MaxLine int
	// Poll is how often a lost port is tried again; 0 means 500 ms.
	Poll time.Duration
	// Logger gets open/lost events; nil discards them.
	Logger *slog.Logger
	// OnState, if set, is told from Run's goroutine when the scanner is
	// lost (false) and when it is opened again (true): the window's
	// status bar shows it.
	OnState func(connected bool)
}

// Serial is a scanner on a serial port (RS-232, or USB in CDC/serial mode).
type Serial struct {
	cfg    SerialConfig
	dev    device
	conn   io.ReadCloser
	opened os.FileInfo // what Path pointed at when conn was opened
}

// OpenSerial opens the port now, so a wrong path or a missing permission is
// reported at start; later losses are recovered by Run.
func OpenSerial(cfg SerialConfig) (*Serial, error) {
	cfg = cfg.withDefaults()
	return newSerial(cfg, func() (io.ReadCloser, error) {
		return serial.OpenPort(&serial.Config{
			Name:        cfg.Path,
			Baud:        cfg.Baud,
			ReadTimeout: cfg.IdleGap,
		})
	})
}

func (cfg SerialConfig) withDefaults() SerialConfig {
	if cfg.Baud == 0 {
		cfg.Baud = 9600
	}
	if cfg.IdleGap <= 0 {
		cfg.IdleGap = 100 * time.Millisecond
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// newSerial is OpenSerial with the port opener replaced, for tests.
func newSerial(cfg SerialConfig, open func() (io.ReadCloser, error)) (*Serial, error) {
	cfg = cfg.withDefaults()
	s := &Serial{cfg: cfg}
	s.dev = device{name: cfg.Path, poll: cfg.Poll, logger: cfg.Logger, onState: cfg.OnState, open: func() (io.ReadCloser, error) {
		// Stat before opening: the identity checked later must be that of
		// the device opened, not of one that appears after.
		fi, err := os.Stat(cfg.Path)
		if err != nil {
			return nil, err
		}
		c, err := open()
		if err != nil {
			return nil, err
		}
		s.opened = fi
		return c, nil
	}}
	c, err := s.dev.open()
	if err != nil {
		return nil, fmt.Errorf("open serial port %s: %w", cfg.Path, err)
	}
	s.conn = c
	return s, nil
}

// Run reads lines until ctx is done, reopening the port when it is lost.
func (s *Serial) Run(ctx context.Context, emit func(Scan)) error {
	if s.conn == nil {
		return errors.New("serial: Run after Close")
	}
	conn := s.conn
	s.conn = nil
	f := newLineFramer(s.cfg.MaxLine)
	out := emitter(ctx, SourceSerial, emit)
	line := func(l string) { out(SplitAIM(l)) }
	return s.dev.run(ctx, conn, func(ctx context.Context, c io.ReadCloser) error {
		f.reset()
		return s.serve(ctx, c, f, line)
	})
}

// serve reads one open port until ctx is done or the port is lost. tarm/serial
// returns io.EOF when the read timeout passes with no data, and a USB adapter
// that is unplugged may also just return EOF, so after every quiet read the
// path is checked to still be the device that was opened.
func (s *Serial) serve(ctx context.Context, c io.ReadCloser, f *lineFramer, line func(string)) error {
	buf := make([]byte, 256)
	quick := 0 // EOFs in a row that came back much faster than the timeout
	for ctx.Err() == nil {
		start := time.Now()
		n, err := c.Read(buf)
		f.feed(buf[:n], line)
		if f.dropped > 0 {
			s.cfg.Logger.Debug("serial noise dropped", "device", s.cfg.Path, "bytes", f.dropped)
			f.dropped = 0
		}
		switch {
		case err == nil:
			quick = 0
			continue
		case !errors.Is(err, io.EOF):
			return fmt.Errorf("read %s: %w", s.cfg.Path, err)
		}
		f.idle(line)
		fi, serr := os.Stat(s.cfg.Path)
		if serr != nil {
			return fmt.Errorf("serial port %s gone: %w", s.cfg.Path, serr)
		}
		if !os.SameFile(fi, s.opened) {
			return fmt.Errorf("serial port %s now points at another device", s.cfg.Path)
		}
		// A hung-up tty answers EOF at once forever; a healthy one waits
		// for the timeout.
		if n == 0 && time.Since(start) < s.cfg.IdleGap/4 {
			if quick++; quick >= 3 {
				return fmt.Errorf("serial port %s hung up", s.cfg.Path)
			}
		} else {
			quick = 0
		}
	}
	return nil
}

// Close closes the port if Run was never called.
func (s *Serial) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
