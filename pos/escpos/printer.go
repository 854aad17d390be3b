package escpos

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tarm/serial"

	"keytag/pos"
)

// EPrinter is the error code of a printer that could not be reached or
// did not take the whole receipt.
const EPrinter = "printer"

// DefaultTimeout bounds a print when the context sets no deadline: a
// printer that is off must not hold the till.
const DefaultTimeout = 10 * time.Second

// DefaultBaud is a serial printer's speed when the URI names none.
const DefaultBaud = 9600

// Target is a parsed printer URI:
//
//	tcp://HOST:PORT          a network printer (port 9100 when left out)
//	file:/dev/usb/lp0        a USB printer's device node
//	serial:/dev/ttyUSB0@BAUD a serial printer (9600 baud when left out)
type Target struct {
	Scheme string // "tcp", "file" or "serial"
	Addr   string // host:port, or the device path
	Baud   int
}

func (t Target) String() string {
	switch t.Scheme {
	case "tcp":
		return "tcp://" + t.Addr
	case "serial":
		return "serial:" + t.Addr + "@" + strconv.Itoa(t.Baud)
	}
	return t.Scheme + ":" + t.Addr
}

// ParseURI reads a printer URI; a bad one is refused with what to write.
func ParseURI(uri string) (Target, error) {
	bad := func(why string) (Target, error) {
		return Target{}, pos.Errorf(pos.EInvalidInput, "printer %q: %s (write tcp://HOST:9100, file:/dev/usb/lp0 or serial:/dev/ttyUSB0@9600)", uri, why)
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(uri), ":")
	if !ok {
		return bad("it has no scheme")
	}
	switch scheme {
	case "tcp":
		host, found := strings.CutPrefix(rest, "//")
		if !found || host == "" {
			return bad("a network printer is tcp://HOST:PORT")
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(strings.Trim(host, "[]"), "9100")
		}
		h, p, err := net.SplitHostPort(host)
		if n, perr := strconv.Atoi(p); err != nil || h == "" || perr != nil || n < 1 || n > 65535 {
			return bad("the host or port is not valid")
		}
		return Target{Scheme: "tcp", Addr: host}, nil
	case "file":
		path := strings.TrimPrefix(rest, "//")
		if !strings.HasPrefix(path, "/") {
			return bad("a printer device is an absolute path")
		}
		return Target{Scheme: "file", Addr: path}, nil
	case "serial":
		path, baud, hasBaud := strings.Cut(strings.TrimPrefix(rest, "//"), "@")
		if !strings.HasPrefix(path, "/") {
			return bad("a serial port is an absolute path")
		}
		t := Target{Scheme: "serial", Addr: path, Baud: DefaultBaud}
		if hasBaud {
			n, err := strconv.Atoi(baud)
			if err != nil || n <= 0 {
				return bad("the baud rate is not a positive number")
			}
			t.Baud = n
		}
		return t, nil
	}
	return bad("the scheme is not tcp, file or serial")
}

// conn is an open printer: the network connection, device file or serial
// port.
type conn = io.ReadWriteCloser

// Print sends a rendered receipt to the printer at uri, whole or with an
// error saying what happened: unreachable, closed mid-receipt, out of
// paper. It changes nothing else; a sale is complete before it prints,
// and a failed print never undoes it. Network and serial printers are
// asked for their paper status after the receipt (DLE EOT 4), so a
// printer that dropped the connection, or ran out of paper, says so here.
func Print(ctx context.Context, uri string, data []byte) error {
	t, err := ParseURI(uri)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	// A device node or serial port can block in open or write (a USB
	// printer that is off, a port with flow control held): the print runs
	// aside and is given up at the deadline, so it never holds the till.
	done := make(chan error, 1)
	var c conn
	var mu sync.Mutex
	go func() {
		pc, err := open(ctx, t)
		if err != nil {
			done <- pos.Errorf(EPrinter, "printer %s is not reachable (off or unplugged?): %v", t, plain(err))
			return
		}
		mu.Lock()
		c = pc
		mu.Unlock()
		err = send(ctx, t, pc, data)
		pc.Close()
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		mu.Lock()
		if c != nil {
			c.Close() // unblocks what can be unblocked; the rest ends on its own
		}
		mu.Unlock()
		return pos.Errorf(EPrinter, "printer %s did not take the receipt in time (off, out of paper or unplugged?)", t)
	}
}

func open(ctx context.Context, t Target) (conn, error) {
	switch t.Scheme {
	case "tcp":
		var d net.Dialer
		return d.DialContext(ctx, "tcp", t.Addr)
	case "serial":
		return serial.OpenPort(&serial.Config{Name: t.Addr, Baud: t.Baud, ReadTimeout: statusWait(ctx)})
	default:
		// No O_CREATE: a printer that is unplugged has no device node,
		// and a typo must not leave a file where the printer should be.
		return os.OpenFile(t.Addr, os.O_WRONLY, 0)
	}
}

// statusWait is how long to wait for the printer's status answer.
func statusWait(ctx context.Context) time.Duration {
	// tarm/serial counts it in tenths of a second, in one byte.
	if d, ok := ctx.Deadline(); ok {
		return min(max(time.Until(d), 100*time.Millisecond), 25*time.Second)
	}
	return DefaultTimeout
}

// send writes the receipt and, where the printer can answer, confirms it.
func send(ctx context.Context, t Target, c conn, data []byte) error {
	if nc, ok := c.(net.Conn); ok {
		d, _ := ctx.Deadline()
		nc.SetDeadline(d)
		stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
		defer stop()
	}
	n, err := c.Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return pos.Errorf(EPrinter, "printer %s stopped after %d of %d bytes: %v; the receipt is incomplete", t, n, len(data), plain(err))
	}
	if t.Scheme == "file" {
		// A USB printer's device node takes the bytes into the kernel's
		// queue; reading its status back is not reliable across printers.
		return nil
	}
	if _, err := c.Write(paperStatus); err != nil {
		return pos.Errorf(EPrinter, "printer %s closed the connection before the receipt was confirmed: %v", t, plain(err))
	}
	var status [1]byte
	if _, err := io.ReadFull(c, status[:]); err != nil {
		why := plain(err)
		if t.Scheme == "serial" && errors.Is(err, io.EOF) {
			// tarm/serial reports its read timeout as end of file.
			why = "no answer in time"
		}
		return pos.Errorf(EPrinter, "printer %s did not confirm the receipt (closed the connection or did not answer): %s", t, why)
	}
	// DLE EOT 4: bits 5 and 6 say the roll is out.
	if status[0]&0x60 != 0 {
		return pos.Errorf(EPrinter, "printer %s is out of paper: load a roll", t)
	}
	return nil
}

// plain is an error's text without Go's operation prefixes, for a person.
func plain(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the printer closed the connection"
	}
	return err.Error()
}

// PrintReceipt renders a receipt for paper of cols columns and prints it:
// what the window calls after a sale (from a goroutine, its error on the
// status bar), and what `keytag receipt print` does.
func PrintReceipt(ctx context.Context, uri string, r pos.Receipt, cols int) error {
	if _, err := ParseURI(uri); err != nil {
		return err
	}
	data, err := Render(r, cols)
	if err != nil {
		return err
	}
	return Print(ctx, uri, data)
}
