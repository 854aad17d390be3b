package main

import (
	"reflect"
	"strings"
	"testing"

	"keytag/pos"
)

type refundJSON struct {
	Claim            string
	Refund           int64
	PointsClawedBack int64 `json:"points_clawed_back"`
	Balance          pos.Balance
	RefundTenders    []pos.Tender `json:"refund_tenders"`
}

func (c *cli) errCode(r result) string {
	c.t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	c.json(r, &e)
	return e.Error.Code
}

// A free-shipping order returned by post, one step at a time, then its
// other unit at the counter: what a support script would run.
func TestClaimCommands(t *testing.T) {
	c := newCLI(t)
	tag := tagOf("000000001")
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann", "--tag", tag)
	r := c.as("sale", "--customer", tag, "--line", "A:2:20.00", "--shipping-cost", "8.00",
		"--tender", "gift_card:10.00", "--tender", "card:30.00", "--json")
	var sale struct{ Receipt string }
	c.json(r, &sale)

	r = c.as("claim", "open", "--receipt", sale.Receipt, "--line", "A:1", "--kind", "satisfaction", "--unopened", "--reason", "wrong colour")
	out := strings.Split(strings.TrimSpace(r.stdout), "\n")
	id := out[len(out)-1]
	if r.code != 0 || !strings.Contains(r.stdout, "shipped back by") || !strings.HasPrefix(id, strings.Split(sale.Receipt, "-")[0]+"-C") {
		t.Fatalf("open: %+v", r)
	}
	// Out of order: exit 1, claim_state, nothing done.
	for _, args := range [][]string{{"claim", "verify", id, "--unopened"}, {"claim", "refund", id}} {
		if r := c.as(append(args, "--json")...); r.code != 1 || c.errCode(r) != pos.EClaimState {
			t.Errorf("%v: %+v", args, r)
		}
	}
	r = c.as("claim", "list", "--waiting")
	if r.code != 0 || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "waits to receive") {
		t.Errorf("list: %+v", r)
	}
	for _, args := range [][]string{{"claim", "receive", id}, {"claim", "verify", id, "--unopened"}} {
		if r := c.as(args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	var ref refundJSON
	c.json(c.as("claim", "refund", id, "--json"), &ref)
	want := []pos.Tender{{Type: pos.TenderGiftCard, Amount: 300}, {Type: pos.TenderCard, Amount: 900}}
	if ref.Claim != id || ref.Refund != 1200 || ref.PointsClawedBack != 15 || ref.Balance.Available != 115 || !reflect.DeepEqual(ref.RefundTenders, want) {
		t.Fatalf("refund: %+v", ref)
	}
	if r := c.as("claim", "refund", id, "--json"); r.code != 1 || c.errCode(r) != pos.EClaimState {
		t.Errorf("second refund: %+v", r)
	}
	var shown pos.ClaimCase
	c.json(c.as("claim", "show", id, "--json"), &shown)
	if shown.State != pos.ClaimRefunded || len(shown.Steps) != 4 || shown.Reason != "wrong colour" {
		t.Errorf("show: %+v", shown)
	}
	if r := c.as("claim", "list", "--waiting"); strings.TrimSpace(r.stdout) != "no claims" {
		t.Errorf("nothing should wait: %+v", r)
	}

	// The counter's return: every step at once, its refund split too.
	c.json(c.as("return", "--receipt", sale.Receipt, "--line", "A:1", "--claim", "satisfaction", "--unopened", "--json"), &ref)
	want = []pos.Tender{{Type: pos.TenderGiftCard, Amount: 500}, {Type: pos.TenderCard, Amount: 1500}}
	if ref.Refund != 2000 || !reflect.DeepEqual(ref.RefundTenders, want) {
		t.Errorf("counter return: %+v", ref)
	}
	if r := c.run("doctor"); r.code != 0 {
		t.Fatalf("doctor: %+v", r)
	}
}

func TestClaimCommandRefusals(t *testing.T) {
	c := newCLI(t)
	receipt := receiptOf(t, c) // A:1:5.00, paid cash, in store
	cases := []struct {
		name string
		args []string
		exit int
		code string
	}{
		{"shipping paid and a shipping cost", []string{"sale", "--line", "A:1:1.00", "--shipping", "5.00", "--shipping-cost", "3.00", "--tender", "cash:6.00"}, 1, pos.EInvalidInput},
		{"a shipping cost written wrong", []string{"sale", "--line", "A:1:1.00", "--shipping-cost", "3,00", "--tender", "cash:1.00"}, 1, pos.EInvalidInput},
		{"undelivered in store", []string{"claim", "open", "--receipt", receipt, "--kind", "undelivered"}, 1, pos.EInvalidInput},
		{"unknown kind", []string{"claim", "open", "--receipt", receipt, "--kind", "changed-mind", "--line", "A:1"}, 1, pos.EInvalidInput},
		{"more than bought", []string{"claim", "open", "--receipt", receipt, "--kind", "defect", "--line", "A:2"}, 1, pos.EInvalidInput},
		{"notified, badly written", []string{"claim", "open", "--receipt", receipt, "--kind", "defect", "--line", "A:1", "--notified", "1/3/2026"}, 1, pos.EInvalidInput},
		{"no lines", []string{"claim", "open", "--receipt", receipt, "--kind", "defect"}, 2, ""},
		{"reject without a reason", []string{"claim", "reject", "X-C00001"}, 2, ""},
		{"unknown claim", []string{"claim", "show", "X-C00001"}, 1, pos.ENotFound},
		{"receive before the order", []string{"claim", "receive", "X-C00001", "--on", "2000-01-01"}, 1, pos.ENotFound},
	}
	for _, tc := range cases {
		r := c.as(append(tc.args, "--json")...)
		if r.code != tc.exit {
			t.Errorf("%s: exit %d, want %d (%+v)", tc.name, r.code, tc.exit, r)
			continue
		}
		if tc.code != "" && c.errCode(r) != tc.code {
			t.Errorf("%s: %+v, want %s", tc.name, r, tc.code)
		}
	}
	// A real claim, received on a day before its order.
	r := c.as("claim", "open", "--receipt", receipt, "--kind", "defect", "--line", "A:1")
	out := strings.Split(strings.TrimSpace(r.stdout), "\n")
	id := out[len(out)-1]
	if r := c.as("claim", "receive", id, "--on", "2000-01-01", "--json"); r.code != 1 || c.errCode(r) != pos.EInvalidInput || !strings.Contains(r.stderr, "before the order") {
		t.Errorf("received before the order: %+v", r)
	}
	if r := c.as("claim", "show", id); !strings.Contains(r.stdout, "waits to receive") {
		t.Errorf("the refused receive changed the claim: %+v", r)
	}
}

// The leak: 1.00 of goods and 0.50 of shipping paid with 150
// points. Returned, 100 points come back, not 150, and no cash.
func TestPointsPaidShippingStayPaid(t *testing.T) {
	c := newCLI(t)
	tag := tagOf("000000001")
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann", "--tag", tag)
	c.as("sale", "--customer", tag, "--line", "A:1:50.00", "--tender", "cash:50.00") // 100 + 50 points
	var sale struct {
		Receipt string
		Balance pos.Balance
	}
	c.json(c.as("sale", "--customer", tag, "--line", "MINI:1:1.00", "--shipping", "0.50", "--redeem", "150", "--json"), &sale)
	if sale.Balance.Available != 0 {
		t.Fatalf("sale: %+v", sale)
	}
	var ret struct {
		Refund         int64
		PointsCredited int64 `json:"points_credited"`
		Balance        pos.Balance
		RefundTenders  []pos.Tender `json:"refund_tenders"`
	}
	r := c.as("return", "--receipt", sale.Receipt, "--line", "MINI:1", "--claim", "defect", "--json")
	c.json(r, &ret)
	if ret.PointsCredited != 100 || ret.Refund != 0 || ret.Balance.Available != 100 || ret.RefundTenders == nil || len(ret.RefundTenders) != 0 {
		t.Fatalf("return: %+v (%s)", ret, r.stdout)
	}
}
