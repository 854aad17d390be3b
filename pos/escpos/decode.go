package escpos

import (
	"bytes"
	"fmt"
)

// Op is one decoded command of an ESC/POS stream.
type Op struct {
	// Cmd is "init", "codepage", "bold", "size", "align", "text",
	// "barcode-height", "barcode-width", "barcode-hri", "code128", "feed",
	// "cut" or "status".
	Cmd string
	// Arg is the command's numeric argument.
	Arg int
	// Text is a text run (decoded from the code page, line feeds kept) or
	// a barcode's data.
	Text string
}

// Decode reads back the commands this package writes: what a printer on
// the other end of a transport received. It refuses a byte it does not
// know, so a stray byte in a receipt shows up in a test.
func Decode(data []byte) ([]Op, error) {
	var ops []Op
	var text bytes.Buffer
	flush := func() {
		if text.Len() > 0 {
			ops = append(ops, Op{Cmd: "text", Text: text.String()})
			text.Reset()
		}
	}
	need := func(i, n int) error {
		if i+n > len(data) {
			return fmt.Errorf("byte %d: command cut short", i)
		}
		return nil
	}
	for i := 0; i < len(data); {
		c := data[i]
		if c != esc && c != gs && c != dle {
			if c == lf || c >= 0x20 {
				if c < 0x80 {
					text.WriteByte(c)
				} else {
					text.WriteRune(codePage.DecodeByte(c))
				}
				i++
				continue
			}
			return ops, fmt.Errorf("byte %d: unexpected control byte %#x", i, c)
		}
		flush()
		if err := need(i, 2); err != nil {
			return ops, err
		}
		key := string([]byte{c, data[i+1]})
		simple := map[string]string{"\x1b@": "init", "\x1bt": "codepage", "\x1bE": "bold", "\x1d!": "size",
			"\x1ba": "align", "\x1dh": "barcode-height", "\x1dw": "barcode-width", "\x1dH": "barcode-hri", "\x1bd": "feed", "\x10\x04": "status"}
		switch name, ok := simple[key]; {
		case key == "\x1b@":
			ops = append(ops, Op{Cmd: "init"})
			i += 2
		case ok && name != "":
			if err := need(i, 3); err != nil {
				return ops, err
			}
			ops = append(ops, Op{Cmd: name, Arg: int(data[i+2])})
			i += 3
		case key == "\x1dV":
			if err := need(i, 4); err != nil {
				return ops, err
			}
			ops = append(ops, Op{Cmd: "cut", Arg: int(data[i+2])})
			i += 4
		case key == "\x1dk":
			if err := need(i, 4); err != nil {
				return ops, err
			}
			if data[i+2] != 73 {
				return ops, fmt.Errorf("byte %d: barcode type %d, not Code 128", i, data[i+2])
			}
			n := int(data[i+3])
			if err := need(i+4, n); err != nil {
				return ops, err
			}
			body := data[i+4 : i+4+n]
			if !bytes.HasPrefix(body, []byte("{B")) {
				return ops, fmt.Errorf("byte %d: Code 128 data does not select code set B", i)
			}
			ops = append(ops, Op{Cmd: "code128", Text: string(bytes.ReplaceAll(body[2:], []byte("{{"), []byte("{")))})
			i += 4 + n
		default:
			return ops, fmt.Errorf("byte %d: unknown command %q", i, key)
		}
	}
	flush()
	return ops, nil
}
