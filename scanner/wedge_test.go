package scanner

import (
	"testing"
	"time"
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
