package scanner

import (
	"bytes"
	"strings"
)

// HID input reports come in two shapes, told apart by their shape because on
// Linux the usage page of an interface is not reported:
//
//   - boot keyboard, 8 bytes: modifiers, reserved (0), six key usage IDs.
//     Each report is the set of keys held down, so a key is typed when it
//     appears in a report and was not in the one before.
//   - HID POS, usage page 0x8C (Bar Code Scanner), usually 64 bytes. The
//     Honeywell layout (see testdata and shared/vectors) is: [0] report ID,
//     [1] data length, [2..4] AIM id "]cm", data, then vendor bytes, and in
//     the last byte bit 0 set when the code continues in the next report.
//     Other vendors put one more byte before the AIM id or leave the report
//     ID out, so the AIM id is looked for at offsets 2, 3 and 1.

// Report shapes as returned by reportShape.
const (
	shapeUnknown = iota
	shapeKeyboard
	shapePOS
)

const (
	bootKeyboardLen = 8
	minPOSLen       = 4 // shortest report that can hold id/length, data and flags
	maxJoined       = 4096
)

func reportShape(r []byte) int {
	switch {
	case len(r) == bootKeyboardLen && r[1] == 0:
		return shapeKeyboard
	case len(r) >= minPOSLen && len(r) != bootKeyboardLen:
		return shapePOS
	}
	return shapeUnknown
}

// reportDecoder turns the input reports of one device into codes. It keeps
// state between reports (keys held, a half-joined HID POS code), so use one
// per device and reset it when the device is reopened.
type reportDecoder struct {
	kb  keyboardDecoder
	pos posDecoder
}

func newReportDecoder(layout Layout, maxLine int) *reportDecoder {
	if layout == nil {
		layout = LayoutUS
	}
	if maxLine <= 0 {
		maxLine = 256
	}
	return &reportDecoder{kb: keyboardDecoder{layout: layout, max: maxLine}}
}

// feed decodes one report and calls emit for each code it completes.
func (d *reportDecoder) feed(r []byte, emit func(symbology, code string)) {
	switch reportShape(r) {
	case shapeKeyboard:
		d.kb.feed(r, func(line string) {
			sym, code := SplitAIM(line)
			emit(sym, code)
		})
	case shapePOS:
		d.pos.feed(r, emit)
	}
}

func (d *reportDecoder) reset() {
	d.kb.reset()
	d.pos.reset()
}

const (
	modLeftShift  = 0x02
	modRightShift = 0x20
	usageRollOver = 0x01 // "ErrorRollOver": too many keys, report carries no state
	usageEnter    = 0x28
	usageKPEnter  = 0x58
)

// keyboardDecoder decodes boot-keyboard reports; Enter ends a code.
type keyboardDecoder struct {
	layout   Layout
	max      int
	held     [6]byte
	line     []rune
	overlong bool
}

func (k *keyboardDecoder) feed(r []byte, emit func(line string)) {
	keys := r[2:8]
	if bytes.IndexByte(keys, usageRollOver) >= 0 {
		return
	}
	shift := r[0]&(modLeftShift|modRightShift) != 0
	for _, u := range keys {
		if u == 0 || bytes.IndexByte(k.held[:], u) >= 0 {
			continue // not a key, or still held from before
		}
		if u == usageEnter || u == usageKPEnter {
			if !k.overlong && len(k.line) > 0 {
				emit(string(k.line))
			}
			k.line, k.overlong = k.line[:0], false
			continue
		}
		chars, ok := k.layout[u]
		if !ok || k.overlong {
			continue
		}
		if len(k.line) >= k.max {
			k.line, k.overlong = k.line[:0], true
			continue
		}
		c := chars[0]
		if shift {
			c = chars[1]
		}
		k.line = append(k.line, c)
	}
	copy(k.held[:], keys)
}

func (k *keyboardDecoder) reset() {
	k.held = [6]byte{}
	k.line, k.overlong = k.line[:0], false
}

// posDecoder joins HID POS reports until one arrives without the
// continuation flag.
type posDecoder struct {
	joining  bool
	overlong bool
	sym      string
	buf      []byte
}

func (p *posDecoder) feed(r []byte, emit func(symbology, code string)) {
	more := r[len(r)-1]&0x01 != 0
	sym, data := posPayload(r)
	if !p.joining {
		p.sym = sym
		p.buf = p.buf[:0]
		p.overlong = false
	}
	if len(p.buf)+len(data) > maxJoined {
		p.overlong = true // a stuck continuation flag must not grow memory
	}
	if !p.overlong {
		p.buf = append(p.buf, data...)
	}
	p.joining = more
	if more {
		return
	}
	code := strings.TrimRight(string(p.buf), "\x00")
	code = strings.TrimRight(code, "\r\n") // a configured CR/LF suffix
	if !p.overlong && code != "" {
		emit(p.sym, code)
	}
	p.buf = p.buf[:0]
	p.overlong = false
}

func (p *posDecoder) reset() {
	p.joining, p.overlong, p.sym = false, false, ""
	p.buf = p.buf[:0]
}

// posPayload finds the AIM id and the data in one HID POS report. The data
// length is byte 1 (byte 0 when the report ID is left out); a variant with a
// vendor byte before the AIM id may have it there instead. When no candidate
// fits the report, the data runs to the flags byte and NUL padding is
// trimmed by the caller.
func posPayload(r []byte) (sym string, data []byte) {
	end := len(r) - 1 // the last byte holds the flags
	start, lenAt := 2, []int{1}
	for _, off := range []int{2, 3, 1} {
		if off+3 <= end && isAIM(r[off], r[off+1], r[off+2]) {
			sym, start = string(r[off:off+3]), off+3
			lenAt = [][]int{1: {0}, 2: {1}, 3: {1, 2}}[off]
			break
		}
	}
	if start > end {
		return sym, nil
	}
	avail := end - start
	n := avail
	for _, at := range lenAt {
		if int(r[at]) <= avail {
			n = int(r[at])
			break
		}
	}
	return sym, r[start : start+n]
}
