// Package escpos speaks ESC/POS, the command language of Epson TM-T20/T88
// receipt printers and their compatibles: an encoder of the few commands a
// receipt needs, a renderer of a pos.Receipt onto 58 and 80 mm paper, and
// the transports that reach a printer (network, USB device, serial port).
//
// A small encoder of our own rather than a library: the Go ESC/POS
// packages found (hennedo/escpos, kenshaw/escpos and their forks) have no
// Code 128 or no serial transport, pull in image dependencies a receipt
// does not need, and the commands used here are a dozen fixed byte
// sequences whose exact bytes the tests pin.
package escpos

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"keytag/pos"
)

// Command bytes.
const (
	esc = 0x1b
	gs  = 0x1d
	dle = 0x10
	eot = 0x04
	lf  = 0x0a
)

// codePage is the character table text is sent in: PC858 (Latin-1 with
// the euro sign), which every Epson TM since the T88III knows as table 19.
var codePage = charmap.CodePage858

const codePageNumber = 19

// Align is a line's justification (ESC a n).
type Align byte

const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Encoder builds a stream of ESC/POS commands. Its methods append to one
// buffer; Bytes returns it.
type Encoder struct {
	buf bytes.Buffer
}

// Init resets the printer (ESC @) and selects the PC858 code page (ESC t
// 19), so what an earlier job left set (bold, size, another table) does not
// leak into this one.
func (e *Encoder) Init() *Encoder {
	e.buf.Write([]byte{esc, '@', esc, 't', codePageNumber})
	return e
}

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) *Encoder {
	e.buf.Write([]byte{esc, 'E', b2b(on)})
	return e
}

// Size sets the character size, 1 to 8 times in width and height (GS ! n).
func (e *Encoder) Size(width, height int) *Encoder {
	width, height = min(max(width, 1), 8), min(max(height, 1), 8)
	e.buf.Write([]byte{gs, '!', byte((width-1)<<4 | (height - 1))})
	return e
}

// Align sets the justification of the lines that follow (ESC a n).
func (e *Encoder) Align(a Align) *Encoder {
	e.buf.Write([]byte{esc, 'a', byte(a)})
	return e
}

// Text writes s in the printer's code page. Characters the code page has
// no place for print as '?', and control characters as a space, so no
// text can smuggle a command to the printer.
func (e *Encoder) Text(s string) *Encoder {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			e.buf.WriteByte(' ')
			continue
		}
		if r < 0x80 {
			e.buf.WriteByte(byte(r))
			continue
		}
		b, ok := codePage.EncodeRune(r)
		if !ok {
			b = '?'
		}
		e.buf.WriteByte(b)
	}
	return e
}

// Line writes s and a line feed.
func (e *Encoder) Line(s string) *Encoder {
	e.Text(s)
	e.buf.WriteByte(lf)
	return e
}

// Code128 prints data as a Code 128 barcode in code set B, 80 dots high,
// modules 2 dots wide, with its text printed below it: GS h 80, GS w 2,
// GS H 2, then GS k 73 n "{B" data. Code set B holds the printable ASCII
// characters; '{' is the code-set escape and is sent twice.
func (e *Encoder) Code128(data string) error {
	if data == "" {
		return fmt.Errorf("barcode: nothing to encode")
	}
	body := []byte("{B")
	for _, r := range data {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("barcode %q: Code 128 set B holds printable ASCII only", data)
		}
		if r == '{' {
			body = append(body, '{')
		}
		body = append(body, byte(r))
	}
	if len(body) > 255 {
		return fmt.Errorf("barcode %q: too long for one Code 128 symbol", data)
	}
	e.buf.Write([]byte{gs, 'h', 80, gs, 'w', 2, gs, 'H', 2, gs, 'k', 73, byte(len(body))})
	e.buf.Write(body)
	return nil
}

// Feed feeds n lines (ESC d n).
func (e *Encoder) Feed(n int) *Encoder {
	e.buf.Write([]byte{esc, 'd', byte(min(max(n, 0), 255))})
	return e
}

// Cut feeds the paper to the cutter and makes a partial cut (GS V 66 0):
// the receipt hangs by a tab until torn off, so it does not fall.
func (e *Encoder) Cut() *Encoder {
	e.buf.Write([]byte{gs, 'V', 66, 0})
	return e
}

// Bytes is the stream so far.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

// paperStatus is DLE EOT 4: the printer answers one byte at once, even
// while it is printing, saying whether the roll is near its end or out.
var paperStatus = []byte{dle, eot, 4}

func b2b(on bool) byte {
	if on {
		return 1
	}
	return 0
}

// Render encodes a receipt for paper of cols columns (pos.Columns58mm or
// pos.Columns80mm): initialise, the blocks, feed and cut. Lines are laid
// out by pos.Layout, as the text receipt is, so paper and screen say the
// same thing on the same lines.
func Render(r pos.Receipt, cols int) ([]byte, error) {
	var e Encoder
	e.Init()
	for _, b := range r.Blocks {
		if b.Kind == pos.BlockBarcode {
			e.Align(Center)
			if err := e.Code128(b.Text); err != nil {
				return nil, err
			}
			e.Align(Left)
			continue
		}
		if b.Bold {
			e.Bold(true)
		}
		if b.Big {
			e.Size(2, 2)
		}
		// Centred and right-aligned text goes to the printer trimmed, for
		// it to place; pairs and rules are laid out to the full width.
		align := Left
		if b.Kind == pos.BlockText {
			switch b.Align {
			case pos.AlignCenter:
				align = Center
			case pos.AlignRight:
				align = Right
			}
		}
		if align != Left {
			e.Align(align)
		}
		for _, l := range pos.Layout(b, cols) {
			if align != Left {
				l = strings.TrimSpace(l)
			}
			e.Line(l)
		}
		if align != Left {
			e.Align(Left)
		}
		if b.Big {
			e.Size(1, 1)
		}
		if b.Bold {
			e.Bold(false)
		}
	}
	e.Feed(3).Cut()
	return e.Bytes(), nil
}
