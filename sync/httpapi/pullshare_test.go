package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// countingLedger is the store with its reads of the log counted: every
// Pull is one read of the database.
type countingLedger struct {
	*ledgerdb.Store
	// pulls counts every Pull; found counts those whose page held a
	// change, which are the reads that answered waiters woken by a push.
	pulls, found atomic.Int64
}

func (l *countingLedger) Pull(ctx context.Context, cursor int64, limit int) (pos.PullResponse, error) {
	out, err := l.Store.Pull(ctx, cursor, limit)
	l.pulls.Add(1)
	if len(out.Changes) > 0 {
		l.found.Add(1)
	}
	return out, err
}

// Many terminals holding a pull at the head all get the one change a
// push commits, each exactly what a plain pull at that cursor answers
// (with its own start and restored), from far fewer reads of the
// database than there are waiters.
func TestHeldPullsShareOneRead(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		var ledger *countingLedger
		h := newSrvHarnessOver(t, b, func(s *ledgerdb.Store) pos.Ledger {
			ledger = &countingLedger{Store: s}
			return ledger
		})
		// As keytagd serve does, so that answers name a start.
		if err := h.store.Started(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, tokA := h.terminal("S1")
		_, tokB := h.terminal("S2")
		// A change before, so that the waiters' cursor has a mark.
		h.push(tokA, accountRecord(1, "acct-before", "before@example.com"))
		var head pos.PullResponse
		if st := h.call("GET", "/v1/sync/pull?cursor=0", tokB, nil, &head); st != http.StatusOK || head.Cursor == 0 || head.Start == "" {
			t.Fatalf("pull: status %d %+v", st, head)
		}

		const waiters = 60
		// Half the waiters name a start the server never had: their
		// answers, and only theirs, must say restored.
		startOf := func(i int) string {
			if i%2 == 1 {
				return "start-not-in-history"
			}
			return head.Start
		}
		path := func(i int, wait string) string {
			return "/v1/sync/pull?cursor=" + itoa(head.Cursor) + "&limit=50&start=" + url.QueryEscape(startOf(i)) + wait
		}
		type answer struct {
			i   int
			st  int
			raw []byte
			err error
		}
		got := make(chan answer, waiters)
		for i := range waiters {
			go func() {
				st, raw, err := get(h.url+path(i, "&wait=20s"), tokB)
				got <- answer{i, st, raw, err}
			}()
		}
		for begin := time.Now(); h.api.WaitingPulls() < waiters; time.Sleep(5 * time.Millisecond) {
			if time.Since(begin) > time.Minute {
				t.Fatalf("only %d of %d pulls held after a minute", h.api.WaitingPulls(), waiters)
			}
		}
		before, foundBefore := ledger.pulls.Load(), ledger.found.Load()

		h.push(tokA, accountRecord(2, "acct-new", "new@example.com"))
		answers := make([]answer, waiters)
		for range waiters {
			a := <-got
			answers[a.i] = a
		}
		reads, found := ledger.pulls.Load()-before, ledger.found.Load()-foundBefore

		for i, a := range answers {
			if a.err != nil || a.st != http.StatusOK {
				t.Fatalf("waiter %d: %d %s %v", i, a.st, a.raw, a.err)
			}
			var resp pos.PullResponse
			if err := json.Unmarshal(a.raw, &resp); err != nil {
				t.Fatal(err)
			}
			var acct pos.Account
			if len(resp.Changes) != 1 || resp.Changes[0].Kind != pos.ChangeAccount || json.Unmarshal(resp.Changes[0].Body, &acct) != nil || acct.ID != "acct-new" {
				t.Fatalf("waiter %d got %s, want the one new account", i, a.raw)
			}
			if resp.Mark == "" || resp.Start != head.Start || resp.Restored != (i%2 == 1) {
				t.Fatalf("waiter %d got mark %q start %q restored %v, want its cursor's mark, the server's start, restored only with an unknown start", i, resp.Mark, resp.Start, resp.Restored)
			}
			// What a terminal pulling now without waiting is answered,
			// to the byte.
			st, want, err := get(h.url+path(i, ""), tokB)
			if err != nil || st != http.StatusOK || !bytes.Equal(a.raw, want) {
				t.Fatalf("waiter %d got\n%s\na plain pull answers\n%s (%d %v)", i, a.raw, want, st, err)
			}
		}
		t.Logf("%d waiters: %d reads after the push began, %d of them found the change", waiters, reads, found)
		if found > waiters/6 {
			t.Fatalf("%d reads of the database found the change for %d waiters: they were not shared", found, waiters)
		}
	})
}

// get is a GET with a terminal's token, safe off the test's goroutine.
func get(address, token string) (int, []byte, error) {
	req, err := http.NewRequest("GET", address, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}
