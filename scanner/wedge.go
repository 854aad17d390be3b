package scanner

import (
	"strings"
	"sync"
	"time"

	"keytag/pos"
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
//	if end := w.End(now, format); end.IsScan {
//	    take back the last end.TakeBack keys passed through, then
//	    handle end.Scan (classified, Source "wedge")
//	} else {
//	    pass end.Typed, then the Enter itself, to the focused widget
//	}
//	// on any other key that is not a character (Tab, arrows, F-keys):
//	pass w.Break() through, then the key
//
// Keys are held back for at most MaxGap (30 ms by default, not noticeable
// while typing) before they are known to be typing. A busy machine can
// still stall between two keys of a scan for longer than that (the first
// key after an idle spell is the usual victim), so the keys passed through
// lately are remembered: End takes them back into the scan when they, the
// burst and the Enter are one code. A Wedge is safe for use from several
// goroutines (key events and the timer).
type Wedge struct {
	opts WedgeOptions

	mu     sync.Mutex
	buf    []timedKey // held back: perhaps a scan
	passed []timedKey // passed through as typing lately: perhaps a scan's start
}

// timedKey is one key and when it came.
type timedKey struct {
	r  rune
	at time.Time
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
	// Stall is the longest pause a busy machine may put between two keys
	// of a scan; default 400 ms, shorter than a person takes to go from
	// the keyboard to the scanner's trigger.
	Stall time.Duration
}

// WedgeEnd is what an Enter ended.
type WedgeEnd struct {
	// IsScan says the keys were a scan: Scan is it, classified, with
	// Source SourceWedge.
	IsScan bool
	Scan   Scan
	// TakeBack is how many of the keys most recently passed through as
	// typing (by Key or Flush) are the start of this scan: the caller
	// takes them back from wherever it put them.
	TakeBack int
	// Typed is, when it was not a scan, the keys still held, to be passed
	// through before the Enter.
	Typed string
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
	if o.Stall <= 0 {
		o.Stall = 400 * time.Millisecond
	}
	return &Wedge{opts: o}
}

// Key buffers a printable key pressed at at. If the pause before it was too
// long for a scanner, the keys buffered before it were typed by a person and
// are returned, to be passed through; the new key starts a possible burst.
func (w *Wedge) Key(r rune, at time.Time) (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 && (at.Sub(w.buf[len(w.buf)-1].at) > w.opts.MaxGap || len(w.buf) >= w.opts.MaxLen) {
		typed = w.releaseLocked()
	}
	w.buf = append(w.buf, timedKey{r, at})
	return typed
}

// releaseLocked passes the held keys through as typing, remembering them
// (as many as a code can have) in case they turn out to start a scan.
func (w *Wedge) releaseLocked() string {
	typed := string(runes(w.buf))
	w.passed = append(w.passed, w.buf...)
	if over := len(w.passed) - w.opts.MaxLen; over > 0 {
		w.passed = append(w.passed[:0], w.passed[over:]...)
	}
	w.buf = w.buf[:0]
	return typed
}

func runes(ks []timedKey) []rune {
	rs := make([]rune, len(ks))
	for i, k := range ks {
		rs[i] = k.r
	}
	return rs
}

// Enter ends what is buffered. It is a scan when every key, Enter
// included, followed the one before within MaxGap and there are at least
// MinLen of them; then code is the scanned code (an AIM prefix is not
// stripped: wedge scanners are set up without one). Otherwise code is the
// buffered typing, to be passed through followed by the Enter. Enter knows
// nothing of keys already passed through; End does.
func (w *Wedge) Enter(at time.Time) (code string, isScan bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	code = string(runes(w.buf))
	isScan = len(w.buf) >= w.opts.MinLen && at.Sub(w.buf[len(w.buf)-1].at) <= w.opts.MaxGap
	w.buf, w.passed = w.buf[:0], w.passed[:0]
	return code, isScan
}

// End ends what is buffered, like Enter, and also looks back at the keys
// passed through lately: when a stall of the machine let the start of a
// scan through as typing (or split it in two), those keys, the held ones
// and the Enter are one code, and End says how many to take back.
//
// The held burst alone is a scan as Enter says. A reading that also takes
// keys passed through (or whose keys came slower) is one only when the
// keys came at a scanner's speed but for one stall: no pause longer than
// Stall, and the other pauses MaxGap or less on average. A busy window
// handles a person's queued keystrokes in bunches, which can look fast,
// so such a reading must also be clearly a code: a key tag of format f,
// a retail code with a good check digit, or a misread tag (its prefix,
// reported as the misread it is). The longest such reading wins over the
// held burst alone.
func (w *Wedge) End(at time.Time, f pos.TagFormat) WedgeEnd {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := append(append([]timedKey(nil), w.passed...), w.buf...)
	np := len(w.passed)
	w.buf, w.passed = w.buf[:0], w.passed[:0]

	best := -1
	var sum, longest time.Duration // of the pauses from keys[s] to the Enter
	slow := false
	next := at
	for s := len(keys) - 1; s >= 0; s-- {
		gap := next.Sub(keys[s].at)
		if gap > w.opts.Stall {
			break
		}
		sum += gap
		longest = max(longest, gap)
		slow = slow || gap > w.opts.MaxGap
		next = keys[s].at
		n := len(keys) - s
		if s > np || n < w.opts.MinLen {
			continue // the whole held burst is in every reading
		}
		if s == np && !slow {
			best = s // the held burst alone, as Enter reads it
			continue
		}
		code := string(runes(keys[s:]))
		fast := (sum-longest)/time.Duration(n-1) <= w.opts.MaxGap
		if fast && clearlyCode(code, f) {
			best = s
		}
	}
	if best < 0 {
		return WedgeEnd{Typed: string(runes(keys[np:]))}
	}
	code := string(runes(keys[best:]))
	return WedgeEnd{
		IsScan:   true,
		Scan:     Scan{Code: code, Kind: Classify(code, f), Source: SourceWedge},
		TakeBack: np - best,
	}
}

// clearlyCode reports whether code is a key tag of format f, a retail code
// with a good check digit, or a misread tag: what typing never makes by
// chance.
func clearlyCode(code string, f pos.TagFormat) bool {
	switch Classify(code, f) {
	case KindKeytag:
		return true
	case KindProduct:
		return ValidRetail(code)
	}
	return f.Prefix != "" && strings.HasPrefix(code, f.Prefix)
}

// Release passes the held keys through at once (the focus moved: they
// belong where they were typed), still remembered as a scan's possible
// start.
func (w *Wedge) Release() (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.releaseLocked()
}

// Break passes the held keys through and forgets the keys before them: a
// key that is no character (Tab, an arrow, Backspace) came, so none of
// them is part of a scan.
func (w *Wedge) Break() (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	typed = string(runes(w.buf))
	w.buf, w.passed = w.buf[:0], w.passed[:0]
	return typed
}

// Flush returns the buffered keys as typing if no key came for longer than
// MaxGap before now, so a person's last keystrokes are not held back until
// their next one. Call it when the Deadline timer fires.
func (w *Wedge) Flush(now time.Time) (typed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 || now.Sub(w.buf[len(w.buf)-1].at) <= w.opts.MaxGap {
		return ""
	}
	return w.releaseLocked()
}

// Deadline is when Flush should be called to release held keys; ok is
// false when nothing is held.
func (w *Wedge) Deadline() (at time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return time.Time{}, false
	}
	return w.buf[len(w.buf)-1].at.Add(w.opts.MaxGap + time.Millisecond), true
}
