package scanner

import (
	"context"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scriptSource emits its codes one at a time: each after the test sends on
// step, and it answers on done once emit has returned, so the test can move
// the clock between scans.
type scriptSource struct {
	codes []string
	step  chan struct{}
	done  chan struct{}
}

func (s *scriptSource) Run(ctx context.Context, emit func(Scan)) error {
	for _, c := range s.codes {
		select {
		case <-s.step:
		case <-ctx.Done():
			return nil
		}
		emit(Scan{Code: c, Source: SourceSerial})
		s.done <- struct{}{}
	}
	return nil
}
func (s *scriptSource) Close() error { return nil }

func TestReaderDedupe(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	// code, then time to advance before the next one
	script := []struct {
		code    string
		advance time.Duration
	}{
		{"KT1234567895", 80 * time.Millisecond},  // reported
		{"KT1234567895", 300 * time.Millisecond}, // double beep 80 ms later: dropped
		{"KT1234567895", 200 * time.Millisecond}, // 380 ms after the report: dropped
		{"KT1234567895", 0},                      // 580 ms: a new scan, reported
		{"5901234123457", 10 * time.Millisecond}, // another code: reported at once
		{"KT1234567895", 0},                      // back to the tag, 10 ms later: reported
	}
	src := &scriptSource{step: make(chan struct{}), done: make(chan struct{})}
	for _, s := range script {
		src.codes = append(src.codes, s.code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := NewReader(Options{Dedupe: 500 * time.Millisecond, Now: clock.Now}, src)
	scans := r.Scans(ctx)
	var got []string
	collected := make(chan struct{})
	go func() {
		for s := range scans {
			got = append(got, s.Code)
		}
		close(collected)
	}()
	for _, s := range script {
		src.step <- struct{}{}
		<-src.done
		clock.Add(s.advance)
	}
	<-collected
	want := []string{"KT1234567895", "KT1234567895", "5901234123457", "KT1234567895"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reported %q, want %q", got, want)
	}
}

// fakePort plays reports, one per Read, then fails with err (an unplug) or,
// if err is nil, answers "no report" like a HID read timeout.
type fakePort struct {
	mu      sync.Mutex
	reports [][]byte
	err     error
	closed  bool
}

func (p *fakePort) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errors.New("read on closed port")
	}
	if len(p.reports) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		p.mu.Unlock()
		time.Sleep(time.Millisecond) // a HID read timeout, shortened
		p.mu.Lock()
		return 0, nil
	}
	n := copy(b, p.reports[0])
	p.reports = p.reports[1:]
	return n, nil
}

func (p *fakePort) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

func posReport(aim, data string, more bool) []byte {
	r := make([]byte, 64)
	r[0], r[1] = 0x02, byte(len(data))
	copy(r[2:], aim)
	copy(r[5:], data)
	if more {
		r[63] = 1
	}
	return r
}

// A HID scanner unplugged in the middle of a code and plugged back in: the
// half code is dropped, the device is opened again once it is back, and the
// next scan arrives.
func TestHIDReplug(t *testing.T) {
	first := &fakePort{
		reports: [][]byte{
			posReport("]E0", "5901234123457", false),
			posReport("]C0", "KT12345", true), // the rest never comes
		},
		err: errors.New("hidapi: device disconnected"),
	}
	second := &fakePort{reports: [][]byte{posReport("]C0", "KT1234567895", false)}}
	var mu sync.Mutex
	opens := 0
	open := func() (io.ReadCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		opens++
		switch {
		case opens == 1:
			return first, nil
		case opens < 4: // not back yet
			return nil, ErrNoDevice
		}
		return second, nil
	}
	h, err := newHID(HIDConfig{VendorID: 0x0c2e, ProductID: 0x0b61, Poll: time.Millisecond}, open)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	scans := NewReader(Options{}, h).Scans(ctx)
	want := []Scan{
		{Code: "5901234123457", Symbology: "]E0", Kind: KindProduct, Source: SourceHID},
		{Code: "KT1234567895", Symbology: "]C0", Kind: KindKeytag, Source: SourceHID},
	}
	for _, w := range want {
		select {
		case got := <-scans:
			if got != w {
				t.Fatalf("got %+v, want %+v", got, w)
			}
		case <-ctx.Done():
			t.Fatalf("no scan %q: %v", w.Code, ctx.Err())
		}
	}
	cancel()
	for range scans {
	}
	if !first.closed || !second.closed {
		t.Errorf("ports closed: first %v, second %v; want both", first.closed, second.closed)
	}
}

func TestOpenHIDFailureSaysWhichDevice(t *testing.T) {
	_, err := newHID(HIDConfig{VendorID: 0x05e0, ProductID: 0x1200}, func() (io.ReadCloser, error) { return nil, ErrNoDevice })
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "05e0:1200") {
		t.Errorf("err = %v; want ErrNoDevice naming 05e0:1200", err)
	}
}

// Cancelling the context ends every source and closes the channel: no
// goroutine is left reading a device.
func TestReaderStopsOnCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	port := &fakePort{}
	h, err := newHID(HIDConfig{}, func() (io.ReadCloser, error) { return port, nil })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	scans := NewReader(Options{}, h).Scans(ctx)
	cancel()
	select {
	case _, ok := <-scans:
		if ok {
			t.Fatal("got a scan from an empty device")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed 10 s after cancel")
	}
	if !port.closed {
		t.Error("device left open after cancel")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after cancel, %d before", n, before)
	}
}

// A replay ends at end of file, the channel closes, and the scans carry
// their kind; a broken file is reported by Err.
func TestReaderReplayEndsAndClassifies(t *testing.T) {
	text := strings.Join([]string{
		"02 0c 5d 43 30 4b 54 31 32 33 34 35 36 37 38 39 35 00 | ]C0 KT1234567895",
		"02 0c 5d 43 30 4b 54 31 32 33 34 35 36 37 38 39 34 00 | ]C0 KT1234567894: bad check digit",
	}, "\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := NewReader(Options{Dedupe: -1}, NewReplay(strings.NewReader(text), "t", nil), NewReplay(strings.NewReader("zz\n"), "broken.txt", nil))
	var kinds []Kind
	for s := range r.Scans(ctx) {
		kinds = append(kinds, s.Kind)
	}
	if want := []Kind{KindKeytag, KindInvalid}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "broken.txt:1") {
		t.Errorf("Err() = %v, want the broken file's line", err)
	}
}
