package scanner

import (
	"sync"
	"time"
)

// A keyboard-wedge scanner types the code as key presses followed by Enter,
// faster than any person: a few milliseconds per key. Wedge tells such a
// burst from typing by timing alone, so the UI can capture a scan whatever
// widget has focus and still let people type.
//
// How the UI uses it (all times are the key events' times, e.g. time.Now()
// when the event arrives):
//
//	w := scanner.NewWedge(scanner.WedgeOptions{})
//	// on a printable key r:
//	if typed := w.Key(r, now); typed != "" { pass typed to the focused widget }
//	// then arm a timer for w.Deadline() (if ok) that calls
//	//   if typed := w.Flush(time.Now()); typed != "" { pass it through }
//	// on Enter:
//	if text, isScan := w.Enter(now); isScan {
//	    handle scanner.Scan{Code: text, Kind: scanner.Classify(text, format), Source: scanner.SourceWedge}
//	} else {
//	    pass text, then the Enter itself, to the focused widget
//	}
//
// Keys are held back for at most MaxGap (30 ms by default, not noticeable
// while typing) before they are known to be typing. A Wedge is safe for use
// from several goroutines (key events and the timer).
type Wedge struct {
	opts WedgeOptions

	mu   sync.Mutex
	buf  []rune
	last time.Time // time of the last buffered key
}

// WedgeOptions tune the burst detector; zero fields take the defaults.
type WedgeOptions struct {
	// MaxGap is the longest pause between keys of a scan; default 30 ms.
	MaxGap time.Duration
	// MinLen is the fewest characters a scan has; default 6. Shorter
	// bursts (a key bouncing, two keys rolled) are typing.
	MinLen int
	// MaxLen bounds the buffer; a longer burst is passed through as
	// typing. Default MaxCodeLen.
	MaxLen int
}

// NewWedge returns a burst detector with nothing buffered.
func NewWedge(o WedgeOptions) *Wedge {
	if o.MaxGap <= 0 {
		o.MaxGap = 30 * time.Millisecond
	}
	if o.MinLen <= 0 {
		o.MinLen = 6
	}
	if o.MaxLen <= 0 {
		o.MaxLen = MaxCodeLen
	}
	return &Wedge{opts: o}
}

// Key buffers a printable key pressed at at. If the pause before it was too
// long for a scanner, the keys buffered before it were typed by a person and
// are returned, to be passed through; the new key starts a possible burst.
func (w *Wedge) Key(r rune, at time.Time) (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 && (at.Sub(w.last) > w.opts.MaxGap || len(w.buf) >= w.opts.MaxLen) {
		typed = string(w.buf)
		w.buf = w.buf[:0]
	}
	w.buf = append(w.buf, r)
	w.last = at
	return typed
}

// Enter ends what is buffered. It is a scan when every key, Enter
// included, followed the one before within MaxGap and there are at least
// MinLen of them; then code is the scanned code (an AIM prefix is not
// stripped: wedge scanners are set up without one). Otherwise code is the
// buffered typing, to be passed through followed by the Enter.
func (w *Wedge) Enter(at time.Time) (code string, isScan bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	code = string(w.buf)
	isScan = len(w.buf) >= w.opts.MinLen && at.Sub(w.last) <= w.opts.MaxGap
	w.buf = w.buf[:0]
	return code, isScan
}

// Flush returns the buffered keys as typing if no key came for longer than
// MaxGap before now, so a person's last keystrokes are not held back until
// their next one. Call it when the Deadline timer fires.
func (w *Wedge) Flush(now time.Time) (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 || now.Sub(w.last) <= w.opts.MaxGap {
		return ""
	}
	typed = string(w.buf)
	w.buf = w.buf[:0]
	return typed
}

// Deadline is when Flush should be called to release held keys; ok is
// false when nothing is held.
func (w *Wedge) Deadline() (at time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return time.Time{}, false
	}
	return w.last.Add(w.opts.MaxGap + time.Millisecond), true
}
