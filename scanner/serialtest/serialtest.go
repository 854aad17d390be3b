// Package serialtest gives tests a real serial port: a pseudo-terminal
// pair whose slave end keytag opens by name, as it opens a scanner's or a
// printer's port.
package serialtest

import (
	"os"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// RawPTY returns a pseudo-terminal pair: the test plays the device on the
// master, and keytag opens the slave by name (slave.Name()). The slave is
// put in raw mode at once, so bytes written before the port is opened are
// not cooked by the line discipline (CR turned into LF, echoed). Both ends
// close when the test ends; a machine without pseudo-terminals skips it.
func RawPTY(t testing.TB) (master, slave *os.File) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	if err := unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	return master, slave
}
