package worker_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/worker"
)

// The answer to `keytag enroll` is lost after the server spent the code
// (every try of the first run); run again with the same code, the same
// terminal joins and syncs. Another terminal cannot spend the code.
func TestLostEnrolmentAnswerRetriedWithTheSameCode(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		st, dbURL := b.Open(t, pos.SystemClock{})
		srv := startKeytagd(t, dbURL)
		var drop atomic.Bool
		var dropped atomic.Int64
		target, _ := url.Parse("http://" + srv.Addr)
		rp := &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
			ModifyResponse: func(resp *http.Response) error {
				if resp.Request.URL.Path == "/v1/enroll" && drop.Load() {
					dropped.Add(1)
					return errors.New("answer lost")
				}
				return nil
			},
			ErrorHandler: func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) },
			ErrorLog:     nilLogger(),
		}
		p := httptest.NewUnstartedServer(rp)
		p.Config.ErrorLog = nilLogger()
		p.Start()
		t.Cleanup(p.Close)

		id, code, err := st.AddTerminal(ctx, "S1", "till1")
		if err != nil {
			t.Fatal(err)
		}
		tm := newTerminal(t, t.TempDir(), "till1")
		drop.Store(true)
		if _, exit, stderr := tm.cliCode("enroll", "--server", p.URL, "--code", code); exit != 1 || dropped.Load() == 0 {
			t.Fatalf("enroll with its answers lost: exit %d, %d answers dropped; %s", exit, dropped.Load(), stderr)
		}
		drop.Store(false)
		out := tm.cli("enroll", "--server", p.URL, "--code", code, "--json")
		if !strings.Contains(out, id) {
			t.Fatalf("the retry joined %s, want terminal %s", out, id)
		}
		tm.reopen()
		tm.enrol("ann@example.com", "Ann Lee", "")
		settle(t, tm, tm.worker(worker.Options{}))
		if a, err := st.AccountByEmail(ctx, "ann@example.com"); err != nil || a.Balance.Available != 100 {
			t.Fatalf("the rejoined terminal's customer on the server: %+v %v", a, err)
		}

		// Another terminal (another key) with the same code: refused.
		other := newTerminal(t, t.TempDir(), "till2")
		if _, exit, stderr := other.cliCode("enroll", "--server", p.URL, "--code", code); exit != 1 || !strings.Contains(stderr, "unknown, used or expired") {
			t.Fatalf("another terminal with a used code: exit %d %s", exit, stderr)
		}
	})
}
