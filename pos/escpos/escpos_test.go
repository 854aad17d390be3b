package escpos

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"keytag/pos"
	"keytag/scanner/serialtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Each command's bytes, as the Epson ESC/POS reference gives them.
func TestCommandBytes(t *testing.T) {
	code := func(f func(e *Encoder)) []byte {
		var e Encoder
		f(&e)
		return e.Bytes()
	}
	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"init selects PC858", code(func(e *Encoder) { e.Init() }), []byte{0x1b, 0x40, 0x1b, 0x74, 19}},
		{"bold on", code(func(e *Encoder) { e.Bold(true) }), []byte{0x1b, 0x45, 1}},
		{"bold off", code(func(e *Encoder) { e.Bold(false) }), []byte{0x1b, 0x45, 0}},
		{"double size", code(func(e *Encoder) { e.Size(2, 2) }), []byte{0x1d, 0x21, 0x11}},
		{"normal size", code(func(e *Encoder) { e.Size(1, 1) }), []byte{0x1d, 0x21, 0x00}},
		{"size clamped", code(func(e *Encoder) { e.Size(9, 0) }), []byte{0x1d, 0x21, 0x70}},
		{"centre", code(func(e *Encoder) { e.Align(Center) }), []byte{0x1b, 0x61, 1}},
		{"right", code(func(e *Encoder) { e.Align(Right) }), []byte{0x1b, 0x61, 2}},
		{"text in PC858", code(func(e *Encoder) { e.Line("Café €5 ü") }), []byte("Caf\x82 \xd55 \x81\n")},
		{"unknown rune and control", code(func(e *Encoder) { e.Text("a\x1b@漢") }), []byte("a @?")},
		{"feed", code(func(e *Encoder) { e.Feed(3) }), []byte{0x1b, 0x64, 3}},
		{"partial cut", code(func(e *Encoder) { e.Cut() }), []byte{0x1d, 0x56, 66, 0}},
		{"code 128 set B", code(func(e *Encoder) { must(t, e.Code128("AB3XQZ-000001")) }),
			append([]byte{0x1d, 0x68, 80, 0x1d, 0x77, 2, 0x1d, 0x48, 2, 0x1d, 0x6b, 73, 15}, "{BAB3XQZ-000001"...)},
		{"code 128 brace doubled", code(func(e *Encoder) { must(t, e.Code128("a{b")) }),
			append([]byte{0x1d, 0x68, 80, 0x1d, 0x77, 2, 0x1d, 0x48, 2, 0x1d, 0x6b, 73, 6}, "{Ba{{b"...)},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s: got % x, want % x", c.name, c.got, c.want)
		}
	}
}

func TestCode128Refuses(t *testing.T) {
	var e Encoder
	for _, bad := range []string{"", "é", "tab\there", strings.Repeat("x", 254)} {
		if err := e.Code128(bad); err == nil {
			t.Errorf("Code128(%q) took it", bad)
		}
	}
	if len(e.Bytes()) != 0 {
		t.Errorf("a refused barcode wrote % x", e.Bytes())
	}
}

// A small receipt, byte for byte: centred bold double-size head, a pair
// laid out to the width, a rule, the barcode, feed and cut.
func TestRenderBytes(t *testing.T) {
	r := pos.Receipt{ID: "R-1", Blocks: []pos.Block{
		{Kind: pos.BlockText, Text: "Shop", Align: pos.AlignCenter, Bold: true, Big: true},
		{Kind: pos.BlockPair, Text: "Total", Right: "1.50"},
		{Kind: pos.BlockRule},
		{Kind: pos.BlockBarcode, Text: "R-1"},
	}}
	got, err := Render(r, 16)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("\x1b@\x1bt\x13" +
		"\x1bE\x01\x1d!\x11\x1ba\x01Shop\n\x1ba\x00\x1d!\x00\x1bE\x00" +
		"Total       1.50\n" +
		"----------------\n" +
		"\x1ba\x01\x1dh\x50\x1dw\x02\x1dH\x02\x1dk\x49\x05{BR-1\x1ba\x00" +
		"\x1bd\x03\x1dV\x42\x00")
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// taxed is the program with an 8.25 % sales tax added on top.
func taxed() pos.Config {
	c := pos.DefaultConfig()
	c.TaxClasses = map[string]pos.TaxRate{pos.DefaultTaxClass: 82_500}
	return c
}

// testSale is a sale with tax, a gift card, cash (with change) and points
// redeemed, its tax and cash worked out as the checkout would.
func testSale() pos.SaleReceiptInput {
	at := time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)
	lines := []pos.SoldLine{
		{Line: pos.Line{SKU: "MINI-1", Name: "Mini dragon, unpainted", Qty: 1, UnitPrice: 10000}},
		{Line: pos.Line{SKU: "PAINT", Name: "Paint set", Qty: 2, UnitPrice: 1000}, Returned: 1},
	}
	o := pos.Order{Lines: []pos.Line{lines[0].Line, lines[1].Line}, RedeemPoints: 150,
		Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 5000}}}
	q := taxed().Quote(o, 1000)
	o.Tenders = append(o.Tenders, pos.Tender{Type: pos.TenderCash, Amount: q.Due})
	q = taxed().Quote(o, 1000)
	return pos.SaleReceiptInput{
		Sale: pos.Sale{Receipt: "AB3XQZ-000002", Account: "acc", Staff: "Ann", Store: "S1", At: at, Lines: lines,
			Merchandise: q.Merchandise, PointsRedeemed: 150, PointsEarned: q.PointsEarned, Tenders: o.Tenders, Tax: q.Tax,
			// 80.00 in cash for the 78.28 due.
			CashTendered: 8000, Change: 8000 - o.Tenders[1].Amount},
		Store:    pos.StoreInfo{Name: "The Hobby Shop", Address: "12 High Street\nSpringfield"},
		Customer: &pos.Account{ID: "acc", Email: "ann@example.com", Name: "Ann Lee"},
		Balance:  pos.Balance{Available: 268, Pending: 0},
	}
}

// The exact bytes of a whole sale's receipt on 58 and 80 mm paper, pinned
// by golden files (go test ./pos/escpos -update rewrites them), and their
// text beside them for a reader.
func TestRenderSaleGolden(t *testing.T) {
	for _, w := range []struct {
		name string
		cols int
	}{{"58mm", pos.Columns58mm}, {"80mm", pos.Columns80mm}} {
		t.Run(w.name, func(t *testing.T) {
			r := taxed().SaleReceipt(testSale())
			got, err := Render(r, w.cols)
			if err != nil {
				t.Fatal(err)
			}
			txt := pos.RenderText(r, w.cols)
			bin := filepath.Join("testdata", "sale-"+w.name+".bin")
			if *update {
				os.WriteFile(bin, got, 0o644)
				os.WriteFile(filepath.Join("testdata", "sale-"+w.name+".txt"), []byte(txt), 0o644)
			}
			want, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("receipt bytes differ from %s (run with -update if the change is meant)\ngot  %q", bin, got)
			}
			// What the golden file pins, said in words: no printed line is
			// wider than the paper, the points are there, the barcode is
			// the receipt id and the job ends with a cut.
			ops, err := Decode(got)
			if err != nil {
				t.Fatal(err)
			}
			checkReceipt(t, ops, "AB3XQZ-000002")
			printed := printedText(ops)
			for _, l := range strings.Split(strings.TrimSuffix(printedLinesAtNormalSize(ops), "\n"), "\n") {
				if n := len([]rune(l)); n > w.cols {
					t.Errorf("line %q is %d columns on %d-column paper", l, n, w.cols)
				}
			}
			for _, s := range []string{"The Hobby Shop", "a***@example.com", "Points earned", "New balance", "268",
				"Tax", "9.78", "TOTAL", "128.28", "tax (never earns)", "-9.78", "eligible", "68.50", "68 pts",
				"Gift card", "Cash", "80.00", "Change", "1.72", "gift card (never earns)", "Mini dragon, unpainted", "1 returned", "unopened 30 days", "2026-03-31", "missing 3 workdays"} {
				if !strings.Contains(printed, s) {
					t.Errorf("the receipt does not say %q:\n%s", s, printed)
				}
			}
			if strings.Contains(printed, "ann@example.com") {
				t.Error("the receipt shows the whole email")
			}
		})
	}
}

func checkReceipt(t *testing.T, ops []Op, receipt string) {
	t.Helper()
	if len(ops) < 4 || ops[0].Cmd != "init" || ops[1].Cmd != "codepage" || ops[1].Arg != 19 {
		t.Fatalf("the job does not start with initialise and code page 19: %v", ops[:min(len(ops), 2)])
	}
	var barcode string
	cut := false
	for _, op := range ops {
		switch op.Cmd {
		case "code128":
			barcode = op.Text
		case "cut":
			cut = true
		}
	}
	if barcode != receipt {
		t.Errorf("barcode %q, want the receipt id %q", barcode, receipt)
	}
	if !cut {
		t.Error("the paper is not cut")
	}
	if !strings.Contains(printedText(ops), receipt) {
		t.Errorf("the receipt id %s is not printed", receipt)
	}
}

func printedText(ops []Op) string {
	var sb strings.Builder
	for _, op := range ops {
		if op.Cmd == "text" {
			sb.WriteString(op.Text)
		}
	}
	return sb.String()
}

// printedLinesAtNormalSize is the text printed at normal size (double
// size text has half the columns and is laid out for them).
func printedLinesAtNormalSize(ops []Op) string {
	var sb strings.Builder
	big := false
	for _, op := range ops {
		switch op.Cmd {
		case "size":
			big = op.Arg != 0
		case "text":
			if !big {
				sb.WriteString(op.Text)
			}
		}
	}
	return sb.String()
}

// fakePrinter reads a job until the status request ends it and answers
// status; it hands back all it received.
func fakePrinter(rw io.ReadWriter, status byte) []byte {
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := rw.Read(buf)
		got = append(got, buf[:n]...)
		if bytes.HasSuffix(got, paperStatus) {
			rw.Write([]byte{status})
			return got
		}
		if err != nil {
			return got
		}
	}
}

func receiptBytes(t *testing.T) []byte {
	t.Helper()
	b, err := Render(taxed().SaleReceipt(testSale()), pos.Columns80mm)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// A network printer on loopback gets the whole receipt and confirms it.
func TestPrintTCP(t *testing.T) {
	l := listen(t)
	got := make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		got <- fakePrinter(c, 0x12)
	}()
	data := receiptBytes(t)
	if err := Print(context.Background(), "tcp://"+l.Addr().String(), data); err != nil {
		t.Fatalf("print: %v", err)
	}
	received := <-got
	if !bytes.Equal(received, append(append([]byte{}, data...), paperStatus...)) {
		t.Fatalf("the printer received %d bytes, not the %d of the receipt and the status request", len(received), len(data))
	}
	ops, err := Decode(received)
	if err != nil {
		t.Fatal(err)
	}
	checkReceipt(t, ops, "AB3XQZ-000002")
	if last := ops[len(ops)-1]; last.Cmd != "status" || last.Arg != 4 {
		t.Errorf("the job does not end by asking for the paper status: %v", last)
	}
}

// A printer that closes the connection part way through: the print
// reports it, in words, with the error code a caller can tell apart.
func TestPrintTCPClosedMidReceipt(t *testing.T) {
	l := listen(t)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 64)
		io.ReadFull(c, buf)
		c.Close()
	}()
	err := Print(context.Background(), "tcp://"+l.Addr().String(), receiptBytes(t))
	if err == nil {
		t.Fatal("a printer that hung up mid-receipt printed fine")
	}
	if pos.ErrorCode(err) != EPrinter || !strings.Contains(err.Error(), "closed the connection") {
		t.Errorf("error %q (code %s): want a printer error saying it hung up", err, pos.ErrorCode(err))
	}
}

func TestPrintTCPOutOfPaper(t *testing.T) {
	l := listen(t)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		fakePrinter(c, 0x72)
	}()
	err := Print(context.Background(), "tcp://"+l.Addr().String(), receiptBytes(t))
	if err == nil || !strings.Contains(err.Error(), "out of paper") {
		t.Fatalf("got %v, want out of paper", err)
	}
}

// A printer that is off: nothing listens on the port.
func TestPrintTCPOff(t *testing.T) {
	l := listen(t)
	addr := l.Addr().String()
	l.Close()
	err := Print(context.Background(), "tcp://"+addr, receiptBytes(t))
	if err == nil || pos.ErrorCode(err) != EPrinter || !strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("got %v, want not reachable", err)
	}
}

// A printer that accepts but never answers: the print gives up at the
// context's deadline instead of holding the till.
func TestPrintTCPSilent(t *testing.T) {
	l := listen(t)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(io.Discard, c)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Print(ctx, "tcp://"+l.Addr().String(), receiptBytes(t))
	if err == nil || pos.ErrorCode(err) != EPrinter || !strings.Contains(err.Error(), "did not") {
		t.Fatalf("got %v, want a printer that did not answer", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the print took %v past a 300 ms deadline", d)
	}
}

// A serial printer that takes the bytes but never answers the status
// request (off, or a cable without its receive line): reported, in time.
func TestPrintSerialSilent(t *testing.T) {
	master, slave := serialtest.RawPTY(t)
	go io.Copy(io.Discard, master)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := Print(ctx, "serial:"+slave.Name(), receiptBytes(t))
	if err == nil || pos.ErrorCode(err) != EPrinter || !strings.Contains(err.Error(), "did not") {
		t.Fatalf("got %v, want a printer that did not answer", err)
	}
}

// A serial printer: a pseudo-terminal stands for the port.
func TestPrintSerialPTY(t *testing.T) {
	master, slave := serialtest.RawPTY(t)
	got := make(chan []byte, 1)
	go func() { got <- fakePrinter(master, 0x12) }()
	data := receiptBytes(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := Print(ctx, "serial:"+slave.Name()+"@38400", data); err != nil {
		t.Fatalf("print: %v", err)
	}
	received := <-got
	if !bytes.Equal(received[:min(len(received), len(data))], data) {
		t.Fatalf("the port received %d bytes that are not the receipt's %d", len(received), len(data))
	}
	ops, err := Decode(received)
	if err != nil {
		t.Fatal(err)
	}
	checkReceipt(t, ops, "AB3XQZ-000002")
}

// A USB printer's device node: the bytes land in it as they are; an
// unplugged printer (no node) is reported and no file is made.
func TestPrintFile(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	data := receiptBytes(t)
	if err := Print(context.Background(), "file:"+dev, data); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dev); !bytes.Equal(got, data) {
		t.Fatalf("the device got %d bytes, want the receipt's %d", len(got), len(data))
	}
	gone := filepath.Join(t.TempDir(), "lp1")
	err := Print(context.Background(), "file:"+gone, data)
	if err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("got %v, want not reachable", err)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Error("printing to an unplugged printer made a file in its place")
	}
}

// A device that never takes the bytes (a FIFO with no reader blocks in
// open, as a USB printer that is off can): the print gives up at the
// deadline.
func TestPrintFileBlocked(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "lp0")
	if err := unix.Mkfifo(dev, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Print(ctx, "file:"+dev, receiptBytes(t))
	if err == nil || !strings.Contains(err.Error(), "did not take the receipt in time") {
		t.Fatalf("got %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the print held for %v past a 300 ms deadline", d)
	}
	// Let the blocked open go, so the goroutine ends before the test.
	if f, err := os.OpenFile(dev, os.O_RDONLY|unix.O_NONBLOCK, 0); err == nil {
		time.Sleep(50 * time.Millisecond)
		f.Close()
	}
}

func TestParseURI(t *testing.T) {
	for uri, want := range map[string]Target{
		"tcp://192.168.1.20:9100":   {Scheme: "tcp", Addr: "192.168.1.20:9100"},
		"tcp://printer":             {Scheme: "tcp", Addr: "printer:9100"},
		"file:/dev/usb/lp0":         {Scheme: "file", Addr: "/dev/usb/lp0"},
		"serial:/dev/ttyUSB0":       {Scheme: "serial", Addr: "/dev/ttyUSB0", Baud: 9600},
		"serial:/dev/ttyUSB0@38400": {Scheme: "serial", Addr: "/dev/ttyUSB0", Baud: 38400},
	} {
		got, err := ParseURI(uri)
		if err != nil || got != want {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", uri, got, err, want)
		}
	}
	for _, bad := range []string{"", "lp0", "http://x", "tcp://", "tcp://host:99999", "file:lp0", "serial:/dev/ttyS0@fast", "serial:/dev/ttyS0@0"} {
		if _, err := ParseURI(bad); err == nil || pos.ErrorCode(err) != pos.EInvalidInput {
			t.Errorf("ParseURI(%q) = %v, want invalid_input", bad, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
