package main

import (
	"strings"
	"testing"

	"keytag/pos"
)

// keytag void: a manager voids today's sale with a reason; the customer's
// points are back where they were and the X report lists the void apart.
func TestVoid(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c) // the second sale: 20.00 of paint, 150 points redeemed
	var before pos.CloseReport
	c.json(c.as("close", "--json"), &before)
	for _, bad := range [][]string{{"void", "--receipt", receipt}, {"void", "--reason", "oops"}, {"void", "--receipt", receipt, "--reason", "x", "extra"}} {
		if r := c.as(bad...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, r.code, r.stderr)
		}
	}
	r := c.as("void", "--receipt", receipt, "--reason", "wrong customer")
	if r.code != 0 || !strings.Contains(r.stdout, "voided "+receipt) || !strings.Contains(strings.ToLower(r.stdout), "give back card 18.50") ||
		!strings.Contains(r.stdout, "150 redeemed given back") {
		t.Fatalf("void: %+v", r)
	}
	if r := c.as("void", "--receipt", receipt, "--reason", "again"); r.code != 1 || !strings.Contains(r.stderr, "voided already") {
		t.Errorf("second void: %+v", r)
	}
	var x pos.CloseReport
	c.json(c.as("close", "--json"), &x)
	if x.Sales != before.Sales-1 || x.Merchandise != before.Merchandise-2000 || x.Points.Redeemed != 0 ||
		len(x.Voids) != 1 || x.Voids[0].Receipt != receipt || x.Voids[0].Redeemed != 150 || x.Voids[0].Reason != "wrong customer" {
		t.Fatalf("X report after the void: %+v (before %+v)", x, before)
	}
	if r := c.as("close"); !strings.Contains(r.stdout, "Voids") || !strings.Contains(r.stdout, receipt) {
		t.Errorf("the X report text does not list the void:\n%s", r.stdout)
	}
}
