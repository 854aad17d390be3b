package scanner

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// The replay format holds HID input reports, one per line as hex bytes.
// Spaces between bytes are allowed; text after '#' or '|' is a comment;
// blank lines are skipped. It is what Recorder writes and Replay reads, and
// the format of shared/vectors/honeywell_1602g_hidpos_input_reports.txt.

// ParseReportLine returns the report on one line of the replay format, or
// nil for a line with only a comment or nothing.
func ParseReportLine(line string) ([]byte, error) {
	if i := strings.IndexAny(line, "#|"); i >= 0 {
		line = line[:i]
	}
	line = strings.Join(strings.Fields(line), "")
	if line == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(line)
	if err != nil {
		return nil, fmt.Errorf("not hex bytes: %w", err)
	}
	return b, nil
}

// Replay is a source that plays back recorded HID reports through the same
// decoder as a live device, and ends at the end of the file.
type Replay struct {
	r      io.Reader
	c      io.Closer
	name   string
	layout Layout
}

// OpenReplay opens a file of recorded reports. layout decodes keyboard-mode
// reports; nil means LayoutUS.
func OpenReplay(path string, layout Layout) (*Replay, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open replay file: %w", err)
	}
	return &Replay{r: f, c: f, name: path, layout: layout}, nil
}

// NewReplay plays back reports read from r; name is used in errors.
func NewReplay(r io.Reader, name string, layout Layout) *Replay {
	return &Replay{r: r, name: name, layout: layout}
}

// Run decodes every report; a line that is not hex stops it with an error
// naming the line.
func (p *Replay) Run(ctx context.Context, emit func(Scan)) error {
	defer p.Close()
	dec := newReportDecoder(p.layout, 0)
	out := emitter(ctx, SourceReplay, emit)
	sc := bufio.NewScanner(p.r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if ctx.Err() != nil {
			return nil
		}
		report, err := ParseReportLine(sc.Text())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", p.name, n, err)
		}
		if report != nil {
			dec.feed(report, out)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", p.name, err)
	}
	return nil
}

// Close closes the file.
func (p *Replay) Close() error {
	if p.c == nil {
		return nil
	}
	err := p.c.Close()
	p.c = nil
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// Recorder writes HID reports in the replay format, so a session with a
// real scanner can be played back in a test or a bug report.
type Recorder struct {
	mu sync.Mutex
	w  io.Writer
}

// NewRecorder writes to w, starting with a comment line that says what the
// file is.
func NewRecorder(w io.Writer, device string) (*Recorder, error) {
	if _, err := fmt.Fprintf(w, "# HID input reports from %s, one per line in hex (keytag scan --record)\n", device); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Recorder{w: w}, nil
}

// Write writes one report as a line of hex bytes.
func (r *Recorder) Write(report []byte) error {
	var b strings.Builder
	for i, x := range report {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%02x", x)
	}
	b.WriteByte('\n')
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := io.WriteString(r.w, b.String()); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}
