package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A held pull answers as soon as another terminal's push commits, not at
// the end of its wait; with nothing new it answers empty when the wait
// ends; a bad wait is refused by name.
func TestPullWaitsForAChange(t *testing.T) {
	h := newSrvHarness(t, ledgerdbtest.Backends()[0])
	_, tokA := h.terminal("S1")
	_, tokB := h.terminal("S2")
	var head pos.PullResponse
	if st := h.call("GET", "/v1/sync/pull?cursor=0", tokB, nil, &head); st != http.StatusOK {
		t.Fatalf("pull: status %d", st)
	}

	type answer struct {
		resp pos.PullResponse
		took time.Duration
		st   int
	}
	got := make(chan answer, 1)
	start := time.Now()
	go func() {
		st, raw := h.raw("GET", "/v1/sync/pull?cursor="+itoa(head.Cursor)+"&wait=20s", tokB, nil)
		var a answer
		a.st, a.took = st, time.Since(start)
		json.Unmarshal(raw, &a.resp)
		got <- a
	}()
	time.Sleep(300 * time.Millisecond) // the pull is waiting by now
	select {
	case a := <-got:
		t.Fatalf("the pull answered before any change: %+v", a)
	default:
	}
	h.push(tokA, accountRecord(1, "acct-lp", "lp@example.com"))
	a := <-got
	if a.st != http.StatusOK || len(a.resp.Changes) == 0 || a.resp.Cursor <= head.Cursor {
		t.Fatalf("the held pull answered %d %+v, want the new account", a.st, a.resp)
	}
	if a.took > 5*time.Second {
		t.Fatalf("the held pull answered %v after it was sent: not woken by the push", a.took)
	}

	start = time.Now()
	var empty pos.PullResponse
	if st := h.call("GET", "/v1/sync/pull?cursor="+itoa(a.resp.Cursor)+"&wait=1s", tokB, nil, &empty); st != http.StatusOK {
		t.Fatalf("quiet pull: status %d", st)
	}
	if took := time.Since(start); len(empty.Changes) != 0 || empty.Cursor != a.resp.Cursor || took < 900*time.Millisecond {
		t.Fatalf("a quiet wait of 1s answered after %v with %+v, want nothing after 1s", took, empty)
	}

	for _, bad := range []string{"forever", "-1s", "26s"} {
		h.refused("GET", "/v1/sync/pull?cursor=0&wait="+bad, tokB, nil, http.StatusBadRequest, pos.EInvalidInput)
	}
}
