package main

import (
	"strings"
	"testing"
	"time"
)

func TestAccountHistory(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c)
	r := c.as("return", "--receipt", receipt, "--line", "PAINT:1", "--claim", "satisfaction", "--unopened")
	if r.code != 0 {
		t.Fatalf("return: %+v", r)
	}
	var h struct {
		Entries []struct {
			At      time.Time
			Kind    string
			Points  int64
			Receipt *string
			Store   *string
		}
	}
	c.json(c.as("account", "history", "ann@example.com", "--json"), &h)
	var kinds []string
	var sum int64
	for _, e := range h.Entries {
		kinds = append(kinds, e.Kind)
		sum += e.Points
		if e.At.IsZero() || e.Store == nil {
			t.Errorf("entry without time or store: %+v", e)
		}
	}
	if got := strings.Join(kinds, " "); got != "signup earn redeem earn return_clawback return_credit" {
		t.Errorf("kinds %q", got)
	}
	// 100 sign-up + 50 - 150 + 18 - 9 + 75.
	if sum != 84 {
		t.Errorf("entries sum to %d, want 84 (the balance)", sum)
	}
	if h.Entries[0].Receipt != nil || h.Entries[2].Receipt == nil || *h.Entries[2].Receipt != receipt {
		t.Errorf("receipts: sign-up %v, redeem %v", h.Entries[0].Receipt, h.Entries[2].Receipt)
	}
	var show struct{ Balance struct{ Available int64 } }
	c.json(c.as("account", "show", "ann@example.com", "--json"), &show)
	if show.Balance.Available != sum {
		t.Errorf("account show says %d, history sums to %d", show.Balance.Available, sum)
	}
	r = c.as("account", "history", tagOf("000000001"))
	if r.code != 0 || !strings.Contains(r.stdout, "6 entries; 84 points available") || !strings.Contains(r.stdout, receipt) {
		t.Errorf("text history: %+v", r)
	}
	if r := c.as("account", "history", "nobody@example.com"); r.code != 1 || !strings.Contains(r.stderr, "no customer") {
		t.Errorf("unknown: %+v", r)
	}
	if r := c.as("account", "history"); r.code != 2 {
		t.Errorf("no argument: %+v", r)
	}
}
