package scanner

import (
	"testing"
	"time"

	"keytag/pos"
)

// keys plays text into w, one key every gap from t0, then Enter after one
// more gap, and returns what w passed through as typing and the Enter result.
func playKeys(w *Wedge, t0 time.Time, text string, gap time.Duration) (typed, code string, isScan bool, end time.Time) {
	at := t0
	for _, r := range text {
		typed += w.Key(r, at)
		at = at.Add(gap)
	}
	code, isScan = w.Enter(at)
	return typed, code, isScan, at
}

func TestWedgeBurstOrTyping(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		text      string
		gap       time.Duration
		wantScan  bool
		wantTyped string // passed through before Enter
		wantCode  string // what Enter returns
	}{
		{"6 ms between keys is a scan", "KT1234567895", 6 * time.Millisecond, true, "", "KT1234567895"},
		{"30 ms is still a scan", "KT1234567895", 30 * time.Millisecond, true, "", "KT1234567895"},
		{"150 ms is typing", "hello@example.com", 150 * time.Millisecond, false, "hello@example.co", "m"},
		{"short burst is not a scan", "12345", 6 * time.Millisecond, false, "", "12345"},
		{"exactly six keys is a scan", "123456", 6 * time.Millisecond, true, "", "123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWedge(WedgeOptions{})
			typed, code, isScan, _ := playKeys(w, t0, tt.text, tt.gap)
			if isScan != tt.wantScan || typed != tt.wantTyped || code != tt.wantCode {
				t.Errorf("typed %q, Enter = %q, %v; want typed %q, Enter = %q, %v",
					typed, code, isScan, tt.wantTyped, tt.wantCode, tt.wantScan)
			}
			// Nothing is lost or doubled: typing passed through + Enter's text = what was keyed.
			if typed+code != tt.text {
				t.Errorf("keys out %q, keys in %q", typed+code, tt.text)
			}
		})
	}
}

func TestWedgeSlowEnterIsTyping(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := NewWedge(WedgeOptions{})
	for i, r := range "KT1234567895" {
		w.Key(r, t0.Add(time.Duration(i)*5*time.Millisecond))
	}
	code, isScan := w.Enter(t0.Add(time.Second))
	if isScan || code != "KT1234567895" {
		t.Errorf("Enter a second after the burst = %q, %v; want the keys back as typing", code, isScan)
	}
}

func TestWedgeTypingThenScan(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := NewWedge(WedgeOptions{})
	typed := w.Key('a', t0)
	typed += w.Key('b', t0.Add(200*time.Millisecond))
	// The scanner starts a burst 300 ms later; 'b' is released by it.
	more, code, isScan, _ := playKeys(w, t0.Add(500*time.Millisecond), "5901234123457", 4*time.Millisecond)
	typed += more
	if typed != "ab" || !isScan || code != "5901234123457" {
		t.Errorf("typed %q, Enter = %q, %v; want \"ab\" typed, then the scan", typed, code, isScan)
	}
}

func TestWedgeFlushReleasesHeldKeys(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := NewWedge(WedgeOptions{MaxGap: 30 * time.Millisecond})
	if _, ok := w.Deadline(); ok {
		t.Fatal("Deadline with nothing held")
	}
	w.Key('x', t0)
	dl, ok := w.Deadline()
	if !ok || !dl.After(t0.Add(30*time.Millisecond)) {
		t.Fatalf("Deadline = %v, %v; want just after the 30 ms gap", dl, ok)
	}
	if got := w.Flush(t0.Add(10 * time.Millisecond)); got != "" {
		t.Errorf("Flush within the gap released %q; a burst may still follow", got)
	}
	if got := w.Flush(dl); got != "x" {
		t.Errorf("Flush at the deadline = %q, want \"x\"", got)
	}
	if got := w.Flush(dl.Add(time.Second)); got != "" {
		t.Errorf("second Flush = %q, want nothing", got)
	}
}

// stalled plays a scan whose first `cut` keys come, then a stall of the
// machine, then the rest and Enter, every other key gap ms apart; keys
// released by the timer are passed through as a slow machine would.
func stalled(w *Wedge, t0 time.Time, code string, cut int, gap, stall time.Duration) (typed string, end WedgeEnd) {
	at := t0
	for i, r := range code {
		if i == cut {
			at = at.Add(stall)
			typed += w.Flush(at) // the timer fired during the stall
		}
		typed += w.Key(r, at)
		at = at.Add(gap)
	}
	return typed, w.End(at, pos.DefaultTagFormat)
}

func TestWedgeEndTakesBackAStalledStart(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tag, err := pos.DefaultTagFormat.Make("100000001")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		code     string
		cut      int
		gap      time.Duration
		stall    time.Duration
		wantKind Kind
		wantBack int
	}{
		{"tag, first key stalled 60 ms", tag, 1, 6 * time.Millisecond, 60 * time.Millisecond, KindKeytag, 1},
		{"tag at 2 ms, split after 5 keys by 150 ms", tag, 5, 2 * time.Millisecond, 150 * time.Millisecond, KindKeytag, 5},
		{"EAN-13 split before its last key (the burst alone is too short)", "4006381333931", 12, 6 * time.Millisecond, 80 * time.Millisecond, KindProduct, 12},
		{"EAN-13 split in the middle", "4006381333931", 6, 6 * time.Millisecond, 100 * time.Millisecond, KindProduct, 6},
		{"no stall: nothing to take back", tag, 0, 6 * time.Millisecond, 0, KindKeytag, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWedge(WedgeOptions{})
			typed, end := stalled(w, t0, tt.code, tt.cut, tt.gap, tt.stall)
			if !end.IsScan || end.Scan.Code != tt.code || end.Scan.Kind != tt.wantKind || end.Scan.Source != SourceWedge {
				t.Fatalf("End = %+v, want a %s scan of %q", end, tt.wantKind, tt.code)
			}
			if end.TakeBack != tt.wantBack || len(typed) != tt.wantBack {
				t.Errorf("passed through %q, take back %d; want %d keys back", typed, end.TakeBack, tt.wantBack)
			}
		})
	}
}

func TestWedgeEndLeavesTypingAlone(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tag, _ := pos.DefaultTagFormat.Make("100000001")

	// A person types a tag at 120 ms a key and presses Enter quickly: typing.
	w := NewWedge(WedgeOptions{})
	typed := ""
	at := t0
	for _, r := range tag {
		typed += w.Key(r, at)
		at = at.Add(120 * time.Millisecond)
	}
	end := w.End(at.Add(-100*time.Millisecond), pos.DefaultTagFormat)
	if end.IsScan {
		t.Errorf("typing at 120 ms a key read as a scan: %+v", end)
	}
	if typed+end.Typed != tag {
		t.Errorf("typing lost or doubled: %q + %q", typed, end.Typed)
	}

	// Quantity "2" typed, then 150 ms later a tag scanned: the 2 stays.
	w = NewWedge(WedgeOptions{})
	typed = w.Key('2', t0)
	typed += w.Flush(t0.Add(40 * time.Millisecond))
	_, end = stalled(w, t0.Add(150*time.Millisecond), tag, 0, 6*time.Millisecond, 0)
	if !end.IsScan || end.Scan.Code != tag || end.TakeBack != 0 || typed != "2" {
		t.Errorf("typed %q then scan: End = %+v; want the tag alone, nothing taken back", typed, end)
	}

	// A key that is no character between typing and a burst: nothing taken back.
	w = NewWedge(WedgeOptions{})
	w.Key('K', t0)
	w.Flush(t0.Add(40 * time.Millisecond))
	if got := w.Break(); got != "" {
		t.Errorf("Break after a flush = %q", got)
	}
	at = t0.Add(50 * time.Millisecond)
	for _, r := range tag[1:] {
		w.Key(r, at)
		at = at.Add(6 * time.Millisecond)
	}
	if end := w.End(at, pos.DefaultTagFormat); end.TakeBack != 0 || end.Scan.Code != tag[1:] {
		t.Errorf("after Break: End = %+v, want the burst alone", end)
	}
}

// A busy window handles a person's keystrokes (60 ms apart) in bunches of
// three, 1 ms apart within a bunch: fast enough between some keys, but
// "MINI-1 Dragon" is no code, so it stays typing.
func TestWedgeEndBunchedTypingIsTyping(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := NewWedge(WedgeOptions{})
	text := "MINI-1 Dragon"
	typed := ""
	at := t0
	for i, r := range text {
		if i%3 == 0 && i > 0 {
			at = at.Add(178 * time.Millisecond)
			typed += w.Flush(at)
		}
		typed += w.Key(r, at)
		at = at.Add(time.Millisecond)
	}
	end := w.End(at.Add(40*time.Millisecond), pos.DefaultTagFormat)
	if end.IsScan {
		t.Fatalf("bunched typing read as a scan: %+v", end)
	}
	if typed+end.Typed != text {
		t.Errorf("typing lost or doubled: %q + %q", typed, end.Typed)
	}
}

// A misread tag whose start a stall let through is reported whole, as the
// misread it is, not as the product its tail looks like.
func TestWedgeEndStalledMisreadIsWhole(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := NewWedge(WedgeOptions{})
	// KT2000000024 has a wrong check digit; its tail 00000024 is a valid EAN-8.
	_, end := stalled(w, t0, "KT2000000024", 4, 6*time.Millisecond, 60*time.Millisecond)
	if !end.IsScan || end.Scan.Code != "KT2000000024" || end.Scan.Kind != KindInvalid || end.TakeBack != 4 {
		t.Fatalf("End = %+v; want the whole misread, 4 keys taken back", end)
	}
}
