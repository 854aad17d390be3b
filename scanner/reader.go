package scanner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"keytag/pos"
)

// Source is one scanner: a serial port, a HID device, a replay file. Run
// reads until ctx is done (then it returns nil), the source is exhausted (a
// replay file at its end; nil), or it fails for good (an error). It calls
// emit for every code it decodes, with Code, Symbology and Source set; emit
// blocks until the code is taken or ctx is done. Run closes the device when
// it returns; Close is for a source that is opened but never run.
type Source interface {
	Run(ctx context.Context, emit func(Scan)) error
	Close() error
}

// Options configure a Reader. The zero value is usable.
type Options struct {
	// Format is the key-tag format scans are classified against;
	// the zero value means pos.DefaultTagFormat.
	Format pos.TagFormat
	// Dedupe is how long after a code is reported the same code is not
	// reported again: scanners that beep twice, or a tag held under the
	// beam, send it more than once. 0 means DefaultDedupe; negative, off.
	Dedupe time.Duration
	// Now is the clock for Dedupe; nil means time.Now.
	Now func() time.Time
	// Logger gets device events (opened, lost, noise dropped). Codes are
	// never logged: a key tag number identifies a customer.
	Logger *slog.Logger
}

// DefaultDedupe is long enough to swallow a double beep and short enough
// that a cashier scanning two identical items one after the other gets both.
const DefaultDedupe = 500 * time.Millisecond

// Reader merges the scans of its sources into one channel, classified and
// with repeats removed.
type Reader struct {
	opts    Options
	sources []Source
	dedupe  *deduper

	mu  sync.Mutex
	err error
}

// NewReader returns a Reader of the given sources. Start it with Scans.
func NewReader(opts Options, sources ...Source) *Reader {
	if opts.Format == (pos.TagFormat{}) {
		opts.Format = pos.DefaultTagFormat
	}
	if opts.Dedupe == 0 {
		opts.Dedupe = DefaultDedupe
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reader{opts: opts, sources: sources, dedupe: &deduper{window: opts.Dedupe, now: opts.Now}}
}

// Scans runs every source in its own goroutine and returns the channel of
// their scans. The channel is closed when ctx is done or every source has
// ended; then Err says why a source failed, if one did. Call Scans once.
func (r *Reader) Scans(ctx context.Context) <-chan Scan {
	out := make(chan Scan)
	var wg sync.WaitGroup
	for _, src := range r.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := src.Run(ctx, func(s Scan) {
				if !r.dedupe.first(s.Code) {
					return
				}
				s.Kind = Classify(s.Code, r.opts.Format)
				select {
				case out <- s:
				case <-ctx.Done():
				}
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				r.mu.Lock()
				r.err = errors.Join(r.err, err)
				r.mu.Unlock()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Err returns the errors of the sources that failed, once the channel
// returned by Scans is closed.
func (r *Reader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// deduper drops a code seen again within window of when it was last
// reported. The window runs from the report, not from the latest repeat, so
// a code held under the beam is reported again every window rather than
// never.
type deduper struct {
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	code string
	at   time.Time
}

func (d *deduper) first(code string) bool {
	if d.window < 0 {
		return true
	}
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if code == d.code && now.Sub(d.at) < d.window {
		return false
	}
	d.code, d.at = code, now
	return true
}

// device is a connection to one scanner that can be lost and opened again.
// open is called to reconnect; serve reads until ctx is done (nil) or the
// connection is lost (its error).
type device struct {
	name   string // for logs: a path or VID:PID, never data
	open   func() (io.ReadCloser, error)
	poll   time.Duration
	logger *slog.Logger
	// onState, if set, is told when the connection is lost (false) and
	// when it is back (true), from the reading goroutine.
	onState func(connected bool)
}

func (d *device) state(connected bool) {
	if d.onState != nil {
		d.onState(connected)
	}
}

// run serves conn, and after it is lost opens the device again every poll
// interval until that works or ctx is done. A scanner unplugged and plugged
// back in keeps working without a restart.
func (d *device) run(ctx context.Context, conn io.ReadCloser, serve func(context.Context, io.ReadCloser) error) error {
	for {
		err := serve(ctx, conn)
		conn.Close()
		if ctx.Err() != nil {
			return nil
		}
		d.logger.Warn("scanner lost; waiting for it to come back", "device", d.name, "err", err)
		d.state(false)
		conn, err = d.reopen(ctx)
		if err != nil {
			return nil // ctx done
		}
		d.logger.Info("scanner back", "device", d.name)
		d.state(true)
	}
}

func (d *device) reopen(ctx context.Context) (io.ReadCloser, error) {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		if conn, err := d.open(); err == nil {
			return conn, nil
		}
	}
}

// emitter returns the emit function a source hands its decoded codes to.
func emitter(ctx context.Context, source string, emit func(Scan)) func(sym, code string) {
	return func(sym, code string) {
		if ctx.Err() == nil {
			emit(Scan{Code: code, Symbology: sym, Source: source})
		}
	}
}
