package main

import (
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/escpos"
)

// keytag close: the X report any number of times, one Z report for the
// day, reprinted as made; --print reaches the printer.
func TestClose(t *testing.T) {
	c := newCLI(t)
	aSale(t, c)
	var x pos.CloseReport
	c.json(c.as("close", "--json"), &x)
	// Waiting: the account, its tag, the sign-up bonus, and two sales with
	// their three entries, none sent (no server).
	if x.Final || x.Sales != 2 || x.Merchandise != 12000 || x.Points.Earned != 68 || x.Points.Redeemed != 150 || x.Waiting != 8 {
		t.Fatalf("X report %+v", x)
	}
	r := c.as("close")
	if r.code != 0 || !strings.Contains(r.stdout, "X REPORT") || !strings.Contains(r.stdout, "does not close the day") {
		t.Fatalf("X report text: %+v", r)
	}
	var z pos.CloseReport
	c.json(c.as("close", "--final", "--json"), &z)
	if !z.Final || z.Number != 1 || z.Sales != 2 || z.MadeBy != "Mia" {
		t.Fatalf("Z report %+v", z)
	}
	r = c.as("close", "--final")
	if r.code != 1 || !strings.Contains(r.stderr, "already closed by Z report 1") {
		t.Errorf("second Z: %+v", r)
	}
	uri, jobs := printerOnLoopback(t, 0x12, 0)
	r = c.as("close", "--reprint", "1", "--print", "--printer", uri)
	if r.code != 0 || !strings.Contains(r.stdout, "Z REPORT 1") || !strings.Contains(r.stdout, "COPY") {
		t.Fatalf("reprint: %+v", r)
	}
	ops, err := escpos.Decode(<-jobs)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, op := range ops {
		if op.Cmd == "text" {
			text.WriteString(op.Text)
		}
	}
	if !strings.Contains(text.String(), "Z REPORT 1") || ops[len(ops)-2].Cmd != "cut" {
		t.Errorf("the printer got %q", text.String())
	}
	for _, bad := range [][]string{{"close", "--final", "--reprint", "1"}, {"close", "--print"}, {"close", "--reprint", "-1"}, {"close", "extra"}} {
		if r := c.as(bad...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, r.code, r.stderr)
		}
	}
	if r := c.as("close", "--day", "2026-02-30"); r.code != 1 || !strings.Contains(r.stderr, "is not a date") {
		t.Errorf("bad day: %+v", r)
	}
	if r := c.as("close", "--reprint", "7"); r.code != 1 || !strings.Contains(r.stderr, "no Z report 7") {
		t.Errorf("missing Z: %+v", r)
	}
}
