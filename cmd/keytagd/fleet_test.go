package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// call sends a JSON request and decodes a 200's answer into out; it is
// safe in any goroutine (it reports, never fails the test).
func call(method, url, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode == http.StatusOK && out != nil {
		return resp.StatusCode, json.Unmarshal(raw, out)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(raw))
	}
	return resp.StatusCode, nil
}

// tillBatch is what a terminal of store has to push after enrolling
// customers: for each an account, its sign-up bonus, an adjustment a
// manager made, and a sale with the points it earned. It returns the
// records and what each account's available balance must be.
func tillBatch(store string, accounts []string, emails map[string]string, from int64) ([]pos.Record, map[string]int64) {
	cfg := pos.DefaultConfig()
	at := time.Now().UTC().Truncate(time.Millisecond)
	seq := from
	var recs []pos.Record
	add := func(kind pos.RecordKind, id string, body any) {
		seq++
		raw, _ := json.Marshal(body)
		recs = append(recs, pos.Record{Seq: seq, ID: id, Kind: kind, Body: raw})
	}
	want := map[string]int64{}
	for i, acct := range accounts {
		add(pos.RecordAccount, acct, pos.Account{ID: acct, Email: emails[acct], Name: "Customer " + acct, Store: store, CreatedAt: at})
		signup := pos.NewID()
		add(pos.RecordEntry, signup, pos.Entry{ID: signup, Account: acct, Kind: pos.KindSignup, Points: cfg.SignupBonus, Store: store, At: at})
		adj := pos.NewID()
		add(pos.RecordEntry, adj, pos.Entry{ID: adj, Account: acct, Kind: pos.KindAdjustment, Points: 1000, Store: store,
			Staff: "Mia", Reason: "points from the old card", At: at})
		price := pos.Money(1000 + 250*i)
		earned := cfg.PointsFor(price)
		receipt := pos.NewID()
		add(pos.RecordSale, receipt, pos.Sale{Receipt: receipt, Account: acct, Store: store,
			Lines:   []pos.SoldLine{{Line: pos.Line{SKU: "MUG-1", Qty: 1, UnitPrice: price}}},
			Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: price}}, Merchandise: price, PointsEarned: earned,
			Staff: "Ann", At: at})
		earn := pos.NewID()
		add(pos.RecordEntry, earn, pos.Entry{ID: earn, Account: acct, Kind: pos.KindEarn, Points: earned, Ref: receipt, Store: store, At: at})
		want[acct] = cfg.SignupBonus + 1000 + earned
	}
	return recs, want
}

// TestSeveralKeytagdOnOnePostgres runs three keytagd processes on one
// PostgreSQL schema, with the terminals and the web shop spread over
// them, and checks every rule that must hold across processes: the same
// batch pushed through two processes at once is stored once, the same
// email enrolled at two stores is merged once, a birthday gift is granted
// once a year however many processes run the job, concurrent
// reservations never take more gifts than the stock, and a long-poll held
// on one process wakes when a push commits through another.
func TestSeveralKeytagdOnOnePostgres(t *testing.T) {
	dbURL := ledgerdbtest.PostgresURL(t)
	bin := buildKeytagd(t)
	ctx := context.Background()

	stores := []string{"S1", "S2", "S3"}
	var codes []string
	for _, s := range stores {
		codes = append(codes, adminCmd(t, bin, "--db", dbURL, "terminal", "add", "--store", s, "--name", "till "+s))
	}
	watcherCode := adminCmd(t, bin, "--db", dbURL, "terminal", "add", "--store", "S2", "--name", "second till S2")
	shop := adminCmd(t, bin, "--db", dbURL, "token", "add", "--role", "webshop", "--name", "shop")
	const stock = 5
	gift := adminCmd(t, bin, "--db", dbURL, "gift", "add", "--name", "Mug", "--cost", "800", "--stock", fmt.Sprint(stock))

	// Customers with a birthday already past this year, before the
	// processes start: each runs the birthday job as it starts.
	store, err := ledgerdb.OpenPostgres(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var birthdays []string
	for i := range 6 {
		v, err := store.CreateAccount(ctx, pos.NewAccount{Email: fmt.Sprintf("bday%d@example.com", i), Name: "Birthday", BirthDate: "1990-01-01", OptIn: true})
		if err != nil {
			t.Fatal(err)
		}
		birthdays = append(birthdays, v.Account)
	}

	procs := make([]*proc, 3)
	for i := range procs {
		procs[i] = startProc(t, bin, dbURL)
	}
	// One more birthday run from here, racing the processes' own.
	var wg gosync.WaitGroup
	var birthdayErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, birthdayErr = store.GrantBirthdays(ctx, pos.DayOf(time.Now()))
	}()

	tokens := make([]string, len(stores))
	for i, code := range codes {
		tokens[i] = enrol(t, procs[i].url, code)
	}
	watcher := enrol(t, procs[2].url, watcherCode)

	// Each till enrols four customers of its own, and S1 and S2 both
	// enrol the same two people (the same emails, their own account ids).
	emails := map[string]string{}
	accounts := make([][]string, len(stores))
	for i, s := range stores {
		for j := range 4 {
			a := fmt.Sprintf("acct-%s-%d", s, j)
			accounts[i] = append(accounts[i], a)
			emails[a] = a + "@example.com"
		}
	}
	twins := []string{"twin0@example.com", "twin1@example.com"}
	for k, email := range twins {
		for i := range 2 {
			a := fmt.Sprintf("twin-%d-%s", k, stores[i])
			accounts[i] = append(accounts[i], a)
			emails[a] = email
		}
	}
	want := map[string]int64{}
	batches := make([][]pos.Record, len(stores))
	for i, s := range stores {
		var w map[string]int64
		batches[i], w = tillBatch(s, accounts[i], emails, 0)
		for a, p := range w {
			want[a] = p
		}
	}

	// Every batch through two processes at once: a terminal that timed
	// out on one and retried through another behind the load balancer.
	type pushed struct {
		till, via int
		res       pos.PushResponse
		err       error
	}
	results := make(chan pushed, 2*len(stores))
	for i := range stores {
		for _, via := range []int{i, (i + 1) % len(procs)} {
			go func() {
				var res pos.PushResponse
				_, err := call("POST", procs[via].url+"/v1/sync/push", tokens[i], pos.PushRequest{Records: batches[i]}, &res)
				results <- pushed{i, via, res, err}
			}()
		}
	}
	for range 2 * len(stores) {
		p := <-results
		if p.err != nil {
			t.Fatalf("till %d through process %d: %v", p.till, p.via, p.err)
		}
		if p.res.Acked != int64(len(batches[p.till])) {
			t.Errorf("till %d through process %d: acked %d of %d", p.till, p.via, p.res.Acked, len(batches[p.till]))
		}
		for _, v := range p.res.Verdicts {
			if v.Status != pos.VerdictAccepted && v.Status != pos.VerdictDuplicate {
				t.Errorf("till %d through process %d: %+v", p.till, p.via, v)
			}
		}
	}

	// The web shop: the same order through two processes at once, and
	// more customers asking for the mug than there are mugs, spread over
	// the processes (one reservation sent twice, through two of them).
	order := pos.OrderRequest{OrderID: "W-1", Email: emails["acct-S3-0"], Lines: []pos.Line{{SKU: "WEB-1", Qty: 1, UnitPrice: 4000}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 4000}}}
	type reserved struct {
		id, account string
		err         error
	}
	var reqs []pos.ReserveRequest
	var candidates []string
	for i := range stores {
		candidates = append(candidates, accounts[i][:4]...)
	}
	for n, a := range candidates {
		reqs = append(reqs, pos.ReserveRequest{ReservationID: fmt.Sprintf("res-%d", n), Account: a, Gift: gift})
	}
	reqs = append(reqs, reqs[0]) // the shop retried the first through another process
	answers := make(chan reserved, len(reqs))
	orders := make(chan error, 2)
	for n, r := range reqs {
		go func() {
			var v pos.ReservationView
			_, err := call("POST", procs[n%len(procs)].url+"/v1/gifts/reservations", shop, r, &v)
			answers <- reserved{v.ID, v.Account, err}
		}()
	}
	for via := range 2 {
		go func() {
			_, err := call("POST", procs[via].url+"/v1/orders", shop, order, nil)
			orders <- err
		}()
	}
	held := map[string]string{}
	refused := 0
	for range reqs {
		a := <-answers
		if a.err != nil {
			refused++
			continue
		}
		held[a.id] = a.account
	}
	for range 2 {
		if err := <-orders; err != nil {
			t.Errorf("order W-1: %v", err)
		}
	}
	if len(held) != stock {
		t.Errorf("%d customers, each with points enough, asked for %d mugs: %d reservations held, want %d (%d refused)", len(candidates), stock, len(held), stock, refused)
	}
	for _, a := range held {
		want[a] -= 800
	}

	// A long-poll held on process 3 wakes when a push commits through
	// process 1. Without word from the database it would wake only at its
	// fallback read, 15 s on; the bound below is well short of that.
	var pull pos.PullResponse
	for cursor := int64(0); ; cursor = pull.Cursor {
		if _, err := call("GET", fmt.Sprintf("%s/v1/sync/pull?cursor=%d", procs[2].url, cursor), watcher, nil, &pull); err != nil {
			t.Fatal(err)
		}
		if !pull.More {
			break
		}
	}
	// A first held pull makes process 3 start listening (it does so on
	// the first long-poll it serves).
	if _, err := call("GET", fmt.Sprintf("%s/v1/sync/pull?cursor=%d&wait=1s", procs[2].url, pull.Cursor), watcher, nil, &pull); err != nil {
		t.Fatal(err)
	}
	type woken struct {
		resp pos.PullResponse
		took time.Duration
		err  error
	}
	wake := make(chan woken, 1)
	start := time.Now()
	go func() {
		var w woken
		_, w.err = call("GET", fmt.Sprintf("%s/v1/sync/pull?cursor=%d&wait=20s", procs[2].url, pull.Cursor), watcher, nil, &w.resp)
		w.took = time.Since(start)
		wake <- w
	}()
	time.Sleep(300 * time.Millisecond) // the pull is held by now
	late, _ := tillBatch("S1", []string{"acct-S1-late"}, map[string]string{"acct-S1-late": "late@example.com"}, int64(len(batches[0])))
	pushedAt := time.Now()
	if _, err := call("POST", procs[0].url+"/v1/sync/push", tokens[0], pos.PushRequest{Records: late}, nil); err != nil {
		t.Fatal(err)
	}
	w := <-wake
	if w.err != nil || len(w.resp.Changes) == 0 {
		t.Fatalf("the pull held on process 3: %+v %v, want the account pushed through process 1", w.resp, w.err)
	}
	if after := time.Since(pushedAt); after > 10*time.Second {
		t.Errorf("the pull held on process 3 answered %v after the push through process 1: woken by its fallback read, not by the database", after)
	}
	t.Logf("long-poll on process 3 answered %v after the push was sent through process 1", time.Since(pushedAt))
	wg.Wait()
	if birthdayErr != nil {
		t.Fatal(birthdayErr)
	}

	// The ledger afterwards, as one process sees it.
	if ms, err := store.Verify(ctx); err != nil || len(ms) > 0 {
		t.Errorf("balances that are not the sum of their entries: %+v %v", ms, err)
	}
	for a, points := range want {
		if a[:4] == "twin" {
			continue
		}
		v, err := store.AccountByID(ctx, a)
		if err != nil || v.Balance.Available != points {
			t.Errorf("%s: available %+v %v, want %d: something lost or counted twice", a, v.Balance, err, points)
		}
	}
	db := store.SQL()
	for _, a := range birthdays {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM entries WHERE account = $1 AND kind = $2`, a, pos.KindBirthday).Scan(&n); err != nil || n != 1 {
			t.Errorf("birthday gifts for %s: %d %v, want 1 this year", a, n, err)
		}
	}
	for _, email := range twins {
		for n, wantN := range []int{1, 0} {
			var got int
			id := ledgerdb.MergeAdjustmentID(email, n+1)
			if err := db.QueryRow(`SELECT count(*) FROM entries WHERE id = $1`, id).Scan(&got); err != nil || got != wantN {
				t.Errorf("takeback %d of the second sign-up bonus for %s: %d stored %v, want %d: the merge judged once", n+1, email, got, err, wantN)
			}
		}
	}
	gifts, err := store.Gifts(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gifts {
		if g.ID == gift && g.Stock != stock-int64(len(held)) {
			t.Errorf("the mug's stock is %d after %d reservations from %d", g.Stock, len(held), stock)
		}
	}
	var orderRows int
	if err := db.QueryRow(`SELECT count(*) FROM orders WHERE order_id = 'W-1'`).Scan(&orderRows); err != nil || orderRows != 1 {
		t.Errorf("order W-1 stored %d times %v, want once", orderRows, err)
	}
}
