package ui

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/pos/escpos"
	"keytag/pos/sqlite"
)

// tcpPrinter is the till's printer as cmd/keytag wires it: the stored
// receipt rendered and sent to a network printer.
type tcpPrinter struct {
	db  *sqlite.DB
	uri string
}

func (p tcpPrinter) Print(ctx context.Context, receipt string, copy bool) error {
	r, err := p.db.AnyReceipt(ctx, receipt, copy)
	if err != nil {
		return err
	}
	return p.PrintReport(ctx, r)
}

func (p tcpPrinter) PrintReport(ctx context.Context, r pos.Receipt) error {
	return escpos.PrintReceipt(ctx, p.uri, r, pos.Columns80mm)
}

// printerListener is a network printer on loopback. Each connection is
// handled by serve, and what it read is sent on got.
func printerListener(t *testing.T, serve func(c net.Conn) []byte) (string, <-chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan []byte, 8)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			got <- serve(c)
			c.Close()
		}
	}()
	return "tcp://" + l.Addr().String(), got
}

// hangsUp reads the first bytes of a receipt and closes the connection:
// a printer switched off mid-receipt.
func hangsUp(c net.Conn) []byte {
	buf := make([]byte, 64)
	n, _ := io.ReadFull(c, buf)
	return buf[:n]
}

// printsAll reads a whole receipt up to the status request (DLE EOT 4)
// and answers "paper present", as a working printer does.
func printsAll(c net.Conn) []byte {
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.HasSuffix(got, []byte{0x10, 0x04, 0x04}) {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return got
		}
	}
	c.Write([]byte{0x12})
	return got
}

// A completed sale prints by itself, after the receipt view is up. A
// printer that hangs up mid-receipt leaves the sale whole, the status bar
// saying so, and the window taking the next key; F7 prints a copy once
// the printer works.
func TestSalePrintsAndAPrinterThatHangsUp(t *testing.T) {
	uri, got := printerListener(t, hangsUp)
	var p tcpPrinter
	f := newFixture(t, true, func(s *Services) { s.Printer = &p })
	p = tcpPrinter{db: f.db, uri: uri}
	// The prints the window starts, held until the test runs them: they
	// must come after the receipt is on show, not before it.
	var jobs []func()
	f.u.spawn = func(g func()) { jobs = append(jobs, g) }
	run := func() {
		for len(jobs) > 0 {
			g := jobs[0]
			jobs = jobs[1:]
			g()
		}
	}

	tag := f.annAtCounter(100)
	co := f.u.co
	f.fill(co.item, "MINI-1 Dragon")
	f.press(fyne.KeyReturn)
	f.fill(co.qty, "1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "40.00")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("after F9: screen %q, %q", f.u.screen, co.msg.Text)
	}
	receipt := f.u.receipt.receipt.Text[len("Receipt "):]
	line := f.u.status.printer
	if len(jobs) != 1 || !line.Visible() {
		t.Fatalf("after the sale: %d prints waiting, printer line %q", len(jobs), line.Text)
	}
	want(t, "printer line while printing", line.Text, "printing receipt "+receipt)

	run()
	if first := <-got; len(first) == 0 {
		t.Fatal("the printer received nothing")
	}
	want(t, "printer line", line.Text, "printer: receipt "+receipt+" did not print")
	want(t, "printer line", line.Text, "the sale is complete")
	if line.Importance != widget.DangerImportance {
		t.Errorf("the failure is shown as %v, not as danger", line.Importance)
	}
	sale, err := f.db.GetSale(f.ctx, receipt)
	if err != nil || sale.Merchandise != 4000 {
		t.Fatalf("the sale after the failed print: %+v %v", sale, err)
	}
	if b := f.balance(tag); b.Available != 100+sale.PointsEarned || sale.PointsEarned == 0 {
		t.Fatalf("balance %+v after a sale that earned %d", b, sale.PointsEarned)
	}

	// The printer is back: F7 prints a copy, and the bar is clear.
	uri2, got2 := printerListener(t, printsAll)
	p.uri = uri2
	f.press(fyne.KeyF7)
	if f.u.screen != "receipt" {
		t.Fatalf("F7 left the receipt view for %q", f.u.screen)
	}
	run()
	copyBytes := <-got2
	if !bytes.Contains(copyBytes, []byte("COPY")) || !bytes.Contains(copyBytes, []byte(receipt)) {
		t.Errorf("the reprint is not a marked copy of %s:\n%q", receipt, copyBytes)
	}
	if line.Visible() {
		t.Errorf("after a good print the bar still says %q", line.Text)
	}

	// Any key: the next sale, as with no printer at all (a typed key is
	// held for the burst detector's gap, then released).
	later := time.Now().Add(time.Second)
	f.u.keys.now = func() time.Time { return later }
	test.TypeOnCanvas(f.u.win.Canvas(), " ")
	later = later.Add(100 * time.Millisecond)
	f.u.keys.release()
	if f.u.screen != "checkout" || f.u.sale.open() {
		t.Fatalf("after the receipt: screen %q", f.u.screen)
	}
}

// Without a printer nothing is printed and F7 says how to set one.
func TestReprintWithoutPrinter(t *testing.T) {
	f := newFixture(t, true)
	f.annAtCounter(100)
	co := f.u.co
	f.fill(co.item, "X")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "5.00")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" || f.u.status.printer.Visible() {
		t.Fatalf("screen %q, printer line %q", f.u.screen, f.u.status.printer.Text)
	}
	f.press(fyne.KeyF7)
	want(t, "F7 without a printer", f.u.receipt.printMsg.Text, "No printer is set")
}

// A completed return prints its receipt by itself too.
func TestReturnPrints(t *testing.T) {
	uri, got := printerListener(t, printsAll)
	var p tcpPrinter
	f := newFixture(t, true, func(s *Services) { s.Printer = &p })
	p = tcpPrinter{db: f.db, uri: uri}
	inPlace(f)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	sale, err := f.db.Checkout(f.ctx, f.mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 10000}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.signIn("Ann", "0000")
	f.press(fyne.KeyF8)
	v := f.u.ret
	f.fill(v.receipt, sale.Receipt)
	f.press(fyne.KeyReturn)
	f.fill(v.qtys[0], "1")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF5) // unopened
	f.press(fyne.KeyF9)
	want(t, "done", v.msg.Text, "Return done")
	paper := <-got
	if !bytes.Contains(paper, []byte(sale.Receipt)) || !bytes.Contains(paper, []byte("RETURN")) {
		t.Errorf("the return's receipt printed as %q", paper)
	}
	if f.u.status.printer.Visible() {
		t.Errorf("after a good print the bar says %q", f.u.status.printer.Text)
	}
}
