package scanner

// lineFramer cuts the byte stream of a serial scanner into lines. A line ends
// at CR, LF or CRLF, or when the port has been idle (see idle). A serial line
// carries no framing of its own, so after noise it resynchronises rather
// than trusting anything before it:
//   - a non-printable byte (a glitch at plug-in, a wrong baud rate) throws
//     away what was buffered and the byte itself; the line restarts after it;
//   - a line longer than max is thrown away up to its end, so it cannot
//     swallow the scan after it.
type lineFramer struct {
	max      int
	buf      []byte
	overlong bool // inside a line that grew past max; drop until its end

	// dropped counts bytes thrown away as noise or over-long, for logs.
	dropped int
}

func newLineFramer(max int) *lineFramer {
	if max <= 0 {
		max = 256
	}
	return &lineFramer{max: max, buf: make([]byte, 0, 64)}
}

// feed consumes p and calls emit for each complete non-empty line. emit must
// not keep the string's backing bytes beyond the call (it gets a copy).
func (l *lineFramer) feed(p []byte, emit func(line string)) {
	for _, b := range p {
		switch {
		case b == '\r' || b == '\n':
			l.end(emit)
		case b == 0x1d || (b >= 0x20 && b < 0x7f):
			if l.overlong {
				l.dropped++
				continue
			}
			if len(l.buf) >= l.max {
				l.overlong = true
				l.dropped += len(l.buf) + 1
				l.buf = l.buf[:0]
				continue
			}
			l.buf = append(l.buf, b)
		default:
			l.dropped += len(l.buf) + 1
			l.buf = l.buf[:0]
		}
	}
}

// idle is called when the port has been quiet for a read timeout: a scanner
// sends a code in one burst, so whatever is buffered is a whole line even
// if the scanner sends no terminator.
func (l *lineFramer) idle(emit func(line string)) { l.end(emit) }

func (l *lineFramer) end(emit func(line string)) {
	if !l.overlong && len(l.buf) > 0 {
		emit(string(l.buf))
	}
	l.overlong = false
	l.buf = l.buf[:0]
}

// reset forgets a half-received line, e.g. after the port was lost.
func (l *lineFramer) reset() {
	l.overlong = false
	l.buf = l.buf[:0]
}
