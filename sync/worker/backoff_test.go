package worker_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"keytag/sync/client"
	"keytag/sync/worker"
)

func TestExpBackoffAndJitter(t *testing.T) {
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {3, 8 * time.Second}, {8, 256 * time.Second}, {9, 5 * time.Minute}, {80, 5 * time.Minute}} {
		if got := client.ExpBackoff(time.Second, 5*time.Minute, c.attempt); got != c.want {
			t.Errorf("ExpBackoff(attempt %d) = %v, want %v", c.attempt, got, c.want)
		}
	}
	for _, r := range []float64{0, 0.5, 0.999} {
		got := client.Jitter(8*time.Second, func() float64 { return r })
		if got < 4*time.Second || got >= 8*time.Second {
			t.Errorf("Jitter(8s, %v) = %v, want in [4s, 8s)", r, got)
		}
	}
	b := worker.Backoff{Min: time.Second, Max: 4 * time.Second, Rand: func() float64 { return 0 }}
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	b.Reset()
	got = append(got, b.Next())
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 500 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff waits = %v, want %v", got, want)
		}
	}
}

// script is an in-memory server for the worker's loop: it answers each
// request with the next scripted status and notes the (fake) time.
type script struct {
	mu    sync.Mutex
	steps []int // HTTP status per round; 0: the network fails
	at    []time.Time
	paths []string
	hdr   http.Header
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	s.at = append(s.at, time.Now())
	s.paths = append(s.paths, r.URL.Path)
	status := 200
	if len(s.steps) > 0 {
		status = s.steps[0]
		// A round that succeeds is a push and a pull: the step is used
		// up by the pull.
		if status != 200 || r.URL.Path == "/v1/sync/pull" {
			s.steps = s.steps[1:]
		}
	}
	if status == 0 {
		return nil, errors.New("connection refused")
	}
	rec := httptest.NewRecorder()
	for k, v := range s.hdr {
		rec.Header()[k] = v
	}
	rec.WriteHeader(status)
	switch {
	case status != 200:
		io.WriteString(rec, `{"error":{"code":"internal","message":"busy"}}`)
	case r.URL.Path == "/v1/sync/push":
		io.WriteString(rec, `{"epoch":"e1","verdicts":[],"acked":0}`)
	default:
		io.WriteString(rec, `{"epoch":"e1","changes":[],"cursor":0,"more":false}`)
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// rounds returns the fake times at which rounds began (their first
// request, a push).
func (s *script) rounds() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for i, p := range s.paths {
		if p == "/v1/sync/push" && (i == 0 || !s.at[i].Equal(s.at[i-1]) || s.paths[i-1] == "/v1/sync/pull") {
			out = append(out, s.at[i])
		}
	}
	return out
}

func gaps(ts []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

func TestWorkerBacksOffAndResets(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		tm := newTerminal(t, dir, "till")
		if err := tm.DB.Enroll(context.Background(), "http://keytagd.test", "S1", "T1", "tok", "e1"); err != nil {
			t.Fatal(err)
		}
		// Three failed rounds, two good ones, a failure, then good.
		sc := &script{steps: []int{0, 503, 0, 200, 200, 0, 200, 200}}
		w := tm.worker(worker.Options{
			Interval: time.Minute, BackoffMin: time.Second, BackoffMax: time.Hour,
			Rand:   func() float64 { return 0 }, // waits are exactly half the cap
			Client: client.Options{Transport: sc, RetryMax: -1},
		})
		ctx, cancel := context.WithCancel(context.Background())
		w.Start(ctx)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		cancel()
		w.Stop()
		want := []time.Duration{
			500 * time.Millisecond, // after the first failure: 1 s halved by jitter
			time.Second,            // 2 s
			2 * time.Second,        // 4 s
			time.Minute,            // success: the interval
			time.Minute,
			500 * time.Millisecond, // a failure after a success starts over
			time.Minute,
		}
		got := gaps(sc.rounds())
		if len(got) < len(want) {
			t.Fatalf("round gaps = %v, want %v first", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("round gaps = %v, want %v first", got[:len(want)], want)
			}
		}
		// The status the window polls followed the rounds: the last was good.
		if st := w.Status(); !st.Online || st.LastSuccess.IsZero() || st.LastError != "" {
			t.Errorf("status after the rounds: %+v", st)
		}
		tm.DB.Close()
	})
}

func TestWorkerCapsRetryAfter(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		tm := newTerminal(t, dir, "till")
		if err := tm.DB.Enroll(context.Background(), "http://keytagd.test", "S1", "T1", "tok", "e1"); err != nil {
			t.Fatal(err)
		}
		// The server asks for a day's pause, twice; the worker waits the
		// cap (2 min) and no longer, in the client's own retry too.
		sc := &script{steps: []int{429, 429, 200}, hdr: http.Header{"Retry-After": {"86400"}}}
		w := tm.worker(worker.Options{
			Interval: time.Hour, BackoffMin: time.Second, BackoffMax: time.Hour, Rand: func() float64 { return 0 },
			Client: client.Options{Transport: sc, RetryMax: 1, RetryAfterMax: 2 * time.Minute},
		})
		ctx := context.Background()
		err := w.SyncOnce(ctx)
		var he *client.HTTPError
		if !errors.As(err, &he) || he.Status != 429 || he.RetryAfter != 2*time.Minute {
			t.Fatalf("SyncOnce = %v, want a 429 with Retry-After capped to 2m", err)
		}
		if g := gaps(sc.at); len(g) != 1 || g[0] != 2*time.Minute {
			t.Fatalf("client retry waited %v, want 2m", g)
		}
		if st := w.Status(); st.Online || !strings.Contains(st.LastError, "429") || st.OfflineSince.IsZero() {
			t.Errorf("status after a 429 = %+v", st)
		}
		tm.DB.Close()
	})
}

func TestWorkerCancelIsNotAFailure(t *testing.T) {
	tm := newTerminal(t, t.TempDir(), "till")
	if err := tm.DB.Enroll(context.Background(), "http://127.0.0.1:1", "S1", "T1", "tok", "e1"); err != nil {
		t.Fatal(err)
	}
	w := tm.worker(worker.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.SyncOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("SyncOnce on a cancelled context = %v", err)
	}
	if st := w.Status(); st.LastError != "" || !st.OfflineSince.IsZero() {
		t.Errorf("a cancelled round was recorded as a failure: %+v", st)
	}
}
