package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	gosync "sync"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

func TestServerPushIsIdempotentPerRecord(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		code := tagCode(t, "000000001")
		batch := []pos.Record{
			accountRecord(1, "a1", "Ann@Example.com"),
			tagRecord(2, "t1", code, "a1"),
			entryRecord(3, "e1", "a1", pos.KindSignup, 100),
			saleRecord(4, "R-1", "a1", 5999, 59),
			pointsRecord(5, "e2", "a1", pos.KindEarn, 59, "R-1"),
		}
		first := h.push(tok, batch...)
		if first.Acked != 5 || first.Epoch != h.store.Epoch() || len(first.Verdicts) != 5 {
			t.Fatalf("first push: %+v", first)
		}
		for _, v := range first.Verdicts {
			if v.Status != pos.VerdictAccepted || v.Code != "" {
				t.Errorf("first push %s: %+v", v.ID, v)
			}
		}
		// The same batch again (a retry after a lost answer): duplicates,
		// nothing counted twice.
		again := h.push(tok, batch...)
		for _, v := range again.Verdicts {
			if v.Status != pos.VerdictDuplicate {
				t.Errorf("re-push %s: %+v", v.ID, v)
			}
		}
		if got := h.balance("a1"); got != (pos.Balance{Available: 159}) {
			t.Errorf("balance after re-push = %+v, want 159 available", got)
		}
		// The same id with another body: rejected and kept for review.
		forged := pointsRecord(6, "e2", "a1", pos.KindEarn, 5000, "R-1")
		v := verdicts(h.push(tok, forged))["e2"]
		if v.Status != pos.VerdictRejected || v.Code != pos.EConflict || v.Reason == "" {
			t.Errorf("same id, other body: %+v", v)
		}
		if got := h.balance("a1"); got.Available != 159 {
			t.Errorf("a rejected record moved the balance to %+v", got)
		}
		var flags struct{ Flags []pos.Flag }
		h.call("GET", "/v1/admin/flags?code=rejected", h.admin, nil, &flags)
		if len(flags.Flags) != 1 || flags.Flags[0].Record != "e2" {
			t.Errorf("review queue = %+v, want the forged e2", flags.Flags)
		}
		// A JSON body that is malformed for its kind is rejected too.
		bad := pos.Record{Seq: 7, ID: "e9", Kind: pos.RecordEntry, Body: json.RawMessage(`{"id":"e9","account":"a1","kind":"bogus","points":1}`)}
		if v := verdicts(h.push(tok, bad))["e9"]; v.Status != pos.VerdictRejected || v.Code != pos.EInvalidInput {
			t.Errorf("unknown entry kind: %+v", v)
		}
		h.verifyLedger()
	})
}

func TestServerPullGivesChangesInOrder(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok1 := h.terminal("S1")
		_, tok2 := h.terminal("S2")
		code := tagCode(t, "000000002")
		h.push(tok1, accountRecord(1, "a1", "ann@example.com"), entryRecord(2, "e1", "a1", pos.KindSignup, 100),
			tagRecord(3, "t1", code, "a1"), h.soldRecord(4, "R-1", "a1", 10, 0), pointsRecord(5, "e2", "a1", pos.KindEarn, 10, "R-1"))
		var created pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "bob@example.com", "name": "Bob"}, &created)

		changes := h.pullAll(tok2)
		var kinds []string
		last := int64(0)
		for _, c := range changes {
			if c.Seq <= last {
				t.Fatalf("seq %d after %d: not increasing", c.Seq, last)
			}
			last = c.Seq
			kinds = append(kinds, string(c.Kind))
		}
		want := "config account entry tag entry account entry"
		if got := strings.Join(kinds, " "); got != want {
			t.Fatalf("change kinds = %q, want %q", got, want)
		}
		var acct pos.Account
		json.Unmarshal(changes[1].Body, &acct)
		// Terminals are sent no address, only what finds it (issue 16 item 7).
		if acct.ID != "a1" || acct.Email != pos.PrivateEmail("ann@example.com") || acct.Store != "S1" {
			t.Errorf("account change = %+v", acct)
		}
		var tag pos.TagChange
		json.Unmarshal(changes[3].Body, &tag)
		if tag.Code != code || tag.Account != "a1" || !tag.Active {
			t.Errorf("tag change = %+v", tag)
		}
		var e pos.Entry
		json.Unmarshal(changes[6].Body, &e)
		if e.Account != created.Account || e.Kind != pos.KindSignup || e.Points != 100 {
			t.Errorf("web sign-up entry = %+v", e)
		}
		// Paging: the cursor of the last page, nothing more.
		var p pos.PullResponse
		h.call("GET", "/v1/sync/pull?cursor="+itoa(last), tok2, nil, &p)
		if len(p.Changes) != 0 || p.More || p.Cursor != last || p.Head != last {
			t.Errorf("pull at the head = %+v", p)
		}
		h.call("GET", "/v1/sync/pull?cursor=0&limit=2", tok2, nil, &p)
		if len(p.Changes) != 2 || !p.More || p.Cursor != p.Changes[1].Seq {
			t.Errorf("pull limit 2 = %+v", p)
		}
		for _, q := range []string{"cursor=-1", "cursor=x", "limit=0", "limit=999999"} {
			h.refused("GET", "/v1/sync/pull?"+q, tok2, nil, http.StatusBadRequest, pos.EInvalidInput)
		}
	})
}

func TestServerAckedIsHighestContiguous(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		steps := []struct {
			recs  []pos.Record
			acked int64
		}{
			{[]pos.Record{accountRecord(1, "a1", "a@example.com"), entryRecord(2, "e1", "a1", pos.KindSignup, 100), h.soldRecord(3, "R-1", "a1", 4, 0)}, 3},
			{[]pos.Record{pointsRecord(5, "e3", "a1", pos.KindEarn, 1, "R-1"), pointsRecord(6, "e4", "a1", pos.KindEarn, 1, "R-1")}, 3},
			// 5 again, held above the gap: a duplicate, found on a second look.
			{[]pos.Record{pointsRecord(4, "e2", "a1", pos.KindEarn, 1, "R-1"), pointsRecord(5, "e3", "a1", pos.KindEarn, 1, "R-1")}, 6},
			{[]pos.Record{pointsRecord(7, "e5", "a1", pos.KindEarn, 1, "R-1")}, 7},
		}
		for i, s := range steps {
			res := h.push(tok, s.recs...)
			if res.Acked != s.acked {
				t.Fatalf("step %d: acked %d, want %d", i, res.Acked, s.acked)
			}
			if i == 2 && (res.Verdicts[0].Status != pos.VerdictAccepted || res.Verdicts[1].Status != pos.VerdictDuplicate) {
				t.Errorf("step 2 verdicts: %+v", res.Verdicts)
			}
		}
		if got := h.balance("a1"); got.Available != 104 {
			t.Errorf("balance = %+v, want 104", got)
		}
	})
}

func TestServerJudgesOfflineConflicts(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok1 := h.terminal("S1")
		_, tok2 := h.terminal("S2")
		tag1, tag2 := tagCode(t, "000000011"), tagCode(t, "000000012")

		// Terminal 1 enrols Ann first, with tag1.
		h.push(tok1, accountRecord(1, "ann-1", "ann@example.com"), entryRecord(2, "s1", "ann-1", pos.KindSignup, 100),
			tagRecord(3, "tg1", tag1, "ann-1"))
		// Terminal 2, offline, enrolled the same email, gave her tag2, and
		// she earned 40 there; it also enrolled Cy and gave him tag1 (the
		// same tag), and Cy overspent offline.
		res := verdicts(h.push(tok2,
			accountRecord(1, "ann-2", " ANN@example.com "),
			entryRecord(2, "s2", "ann-2", pos.KindSignup, 100),
			tagRecord(3, "tg2", tag2, "ann-2"),
			h.soldRecord(4, "R-2", "ann-2", 40, 0),
			pointsRecord(5, "earn2", "ann-2", pos.KindEarn, 40, "R-2"),
			accountRecord(6, "cy", "cy@example.com"),
			entryRecord(7, "s3", "cy", pos.KindSignup, 100),
			tagRecord(8, "tg3", tag1, "cy"),
			h.soldRecord(9, "R-3", "cy", 0, 300),
			pointsRecord(10, "r3", "cy", pos.KindRedeem, -300, "R-3"),
		))
		for _, c := range []struct {
			id     string
			status pos.VerdictStatus
			code   string
		}{
			{"ann-2", pos.VerdictAccepted, pos.FlagMerged},
			{"s2", pos.VerdictAccepted, ""},
			{"tg2", pos.VerdictAccepted, pos.EConflict},
			{"earn2", pos.VerdictAccepted, ""},
			{"tg3", pos.VerdictAccepted, pos.EConflict},
			{"r3", pos.VerdictAccepted, pos.FlagOverspend},
		} {
			if v := res[c.id]; v.Status != c.status || v.Code != c.code {
				t.Errorf("%s: verdict %+v, want %s %q", c.id, v, c.status, c.code)
			}
		}
		// One account: the first; the second's entries follow it, less the
		// second sign-up bonus.
		if got := h.balance("ann-1"); got.Available != 140 {
			t.Errorf("merged balance = %+v, want 100 + 40", got)
		}
		var ann pos.AccountView
		h.call("GET", "/v1/accounts?email=ann@example.com", h.webshop, nil, &ann)
		if ann.Account != "ann-1" || ann.Tag == nil || *ann.Tag != tag1 {
			t.Errorf("Ann = %+v: the first account keeps its tag", ann)
		}
		if got := h.balance("cy"); got.Available != -200 {
			t.Errorf("overspent balance = %+v, want -200 (posted anyway)", got)
		}
		var flags struct{ Flags []pos.Flag }
		h.call("GET", "/v1/admin/flags?code=overspend", h.admin, nil, &flags)
		if len(flags.Flags) != 1 || flags.Flags[0].Account != "cy" {
			t.Errorf("overspend flags = %+v", flags.Flags)
		}
		// Terminals learn of the merge.
		var merges []pos.Merge
		for _, c := range h.pullAll(tok1) {
			if c.Kind == "merge" {
				var m pos.Merge
				json.Unmarshal(c.Body, &m)
				merges = append(merges, m)
			}
		}
		if len(merges) != 1 || merges[0] != (pos.Merge{From: "ann-2", Into: "ann-1"}) {
			t.Errorf("merge changes = %+v", merges)
		}
		// A later entry made for the merged id still follows it.
		h.push(tok2, h.soldRecord(11, "R-4", "ann-2", 5, 0), pointsRecord(12, "earn3", "ann-2", pos.KindEarn, 5, "R-4"))
		if got := h.balance("ann-1"); got.Available != 145 {
			t.Errorf("balance after a late entry for the merged id = %+v", got)
		}
		h.verifyLedger()
	})
}

func TestServerHoldsBackEntriesForUnknownAccounts(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		// The account's record is missing from the batch (delivered out of
		// order): its entry gets no verdict, so the terminal keeps it.
		res := h.push(tok, entryRecord(2, "e1", "late", pos.KindSignup, 100), pointsRecord(4, "e2", "late", pos.KindEarn, 7, "R-1"))
		if len(res.Verdicts) != 0 || res.Acked != 0 {
			t.Fatalf("entries for an unknown account: %+v, want no verdicts", res)
		}
		res = h.push(tok, accountRecord(1, "late", "late@example.com"), entryRecord(2, "e1", "late", pos.KindSignup, 100),
			h.soldRecord(3, "R-1", "late", 7, 0), pointsRecord(4, "e2", "late", pos.KindEarn, 7, "R-1"))
		if res.Acked != 4 || len(res.Verdicts) != 4 {
			t.Fatalf("after the account came: %+v", res)
		}
		for _, v := range res.Verdicts {
			if v.Status != pos.VerdictAccepted {
				t.Errorf("%+v", v)
			}
		}
		if got := h.balance("late"); got.Available != 107 {
			t.Errorf("balance = %+v, want 107", got)
		}
	})
}

func TestServerMergesTheSameEmailPushedAtOnce(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		const terminals = 8
		tokens := make([]string, terminals)
		for i := range tokens {
			_, tokens[i] = h.terminal("S" + itoa(int64(i)))
		}
		codes := make([]string, terminals)
		for i := range codes {
			codes[i] = tagCode(t, "00000007"+itoa(int64(i)))
		}
		results := make([]pos.PushResponse, terminals)
		var wg gosync.WaitGroup
		start := make(chan struct{})
		for i, tok := range tokens {
			wg.Go(func() {
				<-start
				id := "same-" + itoa(int64(i))
				results[i] = h.push(tok, accountRecord(1, id, "same@example.com"), entryRecord(2, "s-"+id, id, pos.KindSignup, 100),
					tagRecord(3, "t-"+id, codes[i], id))
			})
		}
		close(start)
		wg.Wait()
		// One account: the first to commit. Its tag stays; the tags given
		// to the second enrolments are flagged.
		merged, tagged, first := 0, 0, ""
		for _, r := range results {
			if r.Acked != 3 {
				t.Errorf("acked %d, want 3", r.Acked)
			}
			v := verdicts(r)
			for _, x := range v {
				if x.Status != pos.VerdictAccepted {
					t.Errorf("%+v", x)
				}
			}
			if v[r.Verdicts[0].ID].Code == pos.FlagMerged {
				merged++
			}
			if x := v[r.Verdicts[2].ID]; x.Code == "" {
				tagged++
				first = r.Verdicts[0].ID
			} else if x.Code != pos.EConflict {
				t.Errorf("tag verdict %+v", x)
			}
		}
		var a pos.AccountView
		h.call("GET", "/v1/accounts?email=same@example.com", h.webshop, nil, &a)
		if merged != terminals-1 || tagged != 1 || a.Account != first || a.Balance.Available != 100 || a.Tag == nil || *a.Tag != codes[strings.IndexByte("01234567", first[len(first)-1])] {
			t.Errorf("%d merged, %d tagged, account %+v; want %d, 1, one account with 100 points and the tag", merged, tagged, a, terminals-1)
		}
		h.verifyLedger()
	})
}
