package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/escpos"
)

// printerOnLoopback is a network printer: it takes one job, answers the
// paper-status request with status, and hands back what it received. With
// hangUpAfter > 0 it closes the connection after that many bytes instead.
func printerOnLoopback(t *testing.T, status byte, hangUpAfter int) (uri string, jobs <-chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan []byte, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			var got []byte
			buf := make([]byte, 4096)
			if hangUpAfter > 0 {
				buf = buf[:hangUpAfter]
				n, _ := io.ReadFull(c, buf)
				c.Close()
				ch <- buf[:n]
				continue
			}
			for {
				n, err := c.Read(buf)
				got = append(got, buf[:n]...)
				if bytes.HasSuffix(got, []byte{0x10, 0x04, 0x04}) {
					c.Write([]byte{status})
				}
				if err != nil {
					break
				}
			}
			c.Close()
			ch <- got
		}
	}()
	return "tcp://" + l.Addr().String(), ch
}

// aSale enrols Ann and sells her 100.00 + 10.00 shipping, paid by gift
// card and cash, then a second sale redeeming points: the receipt of the
// second is returned.
func aSale(t *testing.T, c *cli) string {
	t.Helper()
	tag := tagOf("000000001")
	if r := c.as("account", "create", "--email", "ann@example.com", "--name", "Ann Lee", "--tag", tag); r.code != 0 {
		t.Fatalf("create: %+v", r)
	}
	if r := c.as("sale", "--customer", tag, "--line", "MINI-1:1:100.00", "--shipping", "10.00",
		"--tender", "gift_card:50.00", "--tender", "cash:60.00"); r.code != 0 {
		t.Fatalf("sale: %+v", r)
	}
	r := c.as("sale", "--customer", tag, "--line", "PAINT:2:10.00", "--tender", "card:18.50", "--redeem", "150", "--json")
	var res struct{ Receipt string }
	c.json(r, &res)
	return res.Receipt
}

func TestReceiptShow(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c)
	r := c.as("receipt", "show", receipt, "--paper", "58")
	if r.code != 0 {
		t.Fatalf("receipt show: %+v", r)
	}
	for _, want := range []string{"Receipt            " + receipt, "Cashier                      Mia", "PAINT", "2 x 10.00",
		"Points (150)               -1.50", "TOTAL                      18.50", "Card                     18.50",
		"Customer        a***@example.com", "Points earned                 18", "Points redeemed              150",
		"New balance                   18", "points (never earn)       1.50", "unopened 30 days", "[Code 128: " + receipt + "]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the receipt does not say %q:\n%s", want, r.stdout)
		}
	}
	for _, l := range strings.Split(r.stdout, "\n") {
		if len([]rune(l)) > 32 {
			t.Errorf("line %q is wider than 58 mm paper", l)
		}
	}
	if strings.Contains(r.stdout, "COPY") {
		t.Error("receipt show marks the receipt a copy")
	}
	// The balance on a receipt is as it was after that sale, not now.
	c.as("account", "adjust", "ann@example.com", "--points", "500", "--reason", "goodwill")
	if again := c.as("receipt", "show", receipt, "--paper", "58"); again.stdout != r.stdout {
		t.Errorf("a later adjustment changed the receipt:\n%s", again.stdout)
	}
	for _, bad := range [][]string{{"receipt", "show"}, {"receipt", "show", "A", "B"}} {
		if r := c.as(bad...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, r.code)
		}
	}
	if r := c.as("receipt", "show", "NOPE-000009"); r.code != 1 || !strings.Contains(r.stderr, "no receipt NOPE-000009") {
		t.Errorf("unknown receipt: %+v", r)
	}
	if r := c.as("receipt", "show", receipt, "--paper", "57"); r.code != 1 || !strings.Contains(r.stderr, "write 58 or 80") {
		t.Errorf("bad paper: %+v", r)
	}
}

// A reprint reaches a network printer on loopback, whole, marked COPY,
// with the receipt's barcode and a cut.
func TestReceiptPrint(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c)
	uri, jobs := printerOnLoopback(t, 0x12, 0)
	if r := c.as("receipt", "print", receipt, "--printer", uri); r.code != 0 {
		t.Fatalf("receipt print: %+v", r)
	}
	ops, err := escpos.Decode(<-jobs)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var barcode string
	for _, op := range ops {
		switch op.Cmd {
		case "text":
			text.WriteString(op.Text)
		case "code128":
			barcode = op.Text
		}
	}
	if ops[0].Cmd != "init" || barcode != receipt || !strings.Contains(text.String(), "COPY") ||
		!strings.Contains(text.String(), "New balance") || ops[len(ops)-2].Cmd != "cut" {
		t.Errorf("the printer got: init %v, barcode %q, copy %v, ops end %v",
			ops[0], barcode, strings.Contains(text.String(), "COPY"), ops[len(ops)-2:])
	}
	if r := c.as("receipt", "print", receipt); r.code != 2 || !strings.Contains(r.stderr, "say which printer") {
		t.Errorf("no printer: %+v", r)
	}
	if r := c.as("receipt", "print", receipt, "--printer", "lp0"); r.code != 1 || !strings.Contains(r.stderr, "write tcp://HOST:9100") {
		t.Errorf("bad printer URI: %+v", r)
	}
}

// A printer that hangs up mid-receipt: the reprint fails with a clear
// message; a sale that prints to it completes all the same, and the
// ledger still balances.
func TestPrinterHangsUpMidReceipt(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c)
	before := c.as("receipt", "show", receipt).stdout
	uri, jobs := printerOnLoopback(t, 0x12, 100)
	r := c.as("receipt", "print", receipt, "--printer", uri)
	if r.code != 1 || !strings.Contains(r.stderr, "print it again with keytag receipt print "+receipt) {
		t.Fatalf("print to a printer that hung up: %+v", r)
	}
	<-jobs
	if after := c.as("receipt", "show", receipt).stdout; after != before {
		t.Errorf("a failed print changed the receipt")
	}
	r = c.as("sale", "--customer", "ann@example.com", "--line", "GLUE:1:5.00", "--tender", "cash:5.00", "--printer", uri, "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "is complete, but its receipt did not print") {
		t.Fatalf("sale with a failing printer: %+v", r)
	}
	<-jobs
	var res struct{ Receipt string }
	c.json(r, &res)
	if show := c.as("receipt", "show", res.Receipt); show.code != 0 || !strings.Contains(show.stdout, "GLUE") {
		t.Errorf("the sale is not whole after the failed print: %+v", show)
	}
	if d := c.run("doctor"); d.code != 0 {
		t.Errorf("doctor after a failed print: %+v", d)
	}
}

// A return prints its own receipt: what came back, the refund, the points
// reversed and the balance after; receipt show finds it by its id.
func TestReturnReceipt(t *testing.T) {
	c := newCLI(t)
	receipt := aSale(t, c)
	uri, jobs := printerOnLoopback(t, 0x12, 0)
	r := c.as("return", "--receipt", receipt, "--line", "PAINT:1", "--claim", "satisfaction", "--unopened", "--json", "--printer", uri)
	var res struct{ Return string }
	c.json(r, &res)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("return: %+v", r)
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
	show := c.as("receipt", "show", res.Return)
	if show.code != 0 {
		t.Fatalf("receipt show %s: %+v", res.Return, show)
	}
	// Half the PAINT back: 10.00 less 75 points credited (0.75); 9 of the
	// 18 earned taken back; 18 - 9 + 75 = 84.
	for _, want := range []string{"RETURN", "Receipt" + strings.Repeat(" ", 48-len("Receipt")-len(receipt)) + receipt,
		"Merchandise back", "10.00", "Points back (75)", "-0.75", "REFUND", "9.25", "Points taken back", "New balance"} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("the return receipt does not say %q:\n%s", want, show.stdout)
		}
	}
	if !strings.Contains(show.stdout, "New balance"+strings.Repeat(" ", 48-len("New balance")-2)+"84") {
		t.Errorf("new balance is not 84:\n%s", show.stdout)
	}
	// The refund went back to the card the sale was paid with.
	if !strings.Contains(show.stdout, "  to card"+strings.Repeat(" ", 48-len("  to card")-4)+"9.25") {
		t.Errorf("the refund's tender is not named:\n%s", show.stdout)
	}
	if !strings.Contains(text.String(), "REFUND") || !strings.Contains(text.String(), "9.25") {
		t.Errorf("the printed return receipt: %q", text.String())
	}
}

// A taxed sale's receipt shows the tax, counts it in the total and says it
// never earns; reprinted after the rate changed, it still says what the
// sale was made under.
func TestTaxedReceipt(t *testing.T) {
	c := newCLI(t)
	if r := c.as("program", "set", "tax.standard=10%", "store.name=Corner Shop", "store.address=1 Main St"); r.code != 0 {
		t.Fatalf("program set: %+v", r)
	}
	if r := c.as("account", "create", "--email", "ann@example.com", "--name", "Ann Lee"); r.code != 0 {
		t.Fatalf("create: %+v", r)
	}
	// 50.00 less 1.00 of points is taxed 4.90: 54.90, 53.90 paid by card,
	// of which 49.00 earns.
	r := c.as("sale", "--customer", "ann@example.com", "--line", "LAMP:1:50.00", "--redeem", "100", "--tender", "card:53.90", "--json")
	var res struct{ Receipt string }
	c.json(r, &res)
	if r.code != 0 {
		t.Fatalf("sale: %+v", r)
	}
	before := c.as("receipt", "show", res.Receipt)
	if r := c.as("program", "set", "tax.standard=20%", "store.name=Other Name"); r.code != 0 {
		t.Fatalf("program set: %+v", r)
	}
	show := c.as("receipt", "show", res.Receipt)
	if show.stdout != before.stdout {
		t.Errorf("the receipt changed with the settings:\n%s\nwas\n%s", show.stdout, before.stdout)
	}
	for _, want := range []string{"Corner Shop", "1 Main St", "Tax" + strings.Repeat(" ", 48-3-4) + "4.90",
		"TOTAL" + strings.Repeat(" ", 48-5-5) + "53.90", "tax (never earns)", "-4.90", "eligible", "49.00", "49 pts"} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("the taxed receipt does not say %q:\n%s", want, show.stdout)
		}
	}
	var x struct{ Tax pos.Money }
	c.json(c.as("close", "--json"), &x)
	if x.Tax != 490 {
		t.Errorf("X report tax %s, want 4.90", x.Tax)
	}
}
