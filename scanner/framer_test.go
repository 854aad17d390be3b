package scanner

import (
	"reflect"
	"strings"
	"testing"
)

func TestLineFramer(t *testing.T) {
	long := strings.Repeat("9", 40)
	tests := []struct {
		name   string
		chunks []string // "" stands for an idle gap (a read timeout)
		want   []string
	}{
		{"CR", []string{"KT1234567895\r"}, []string{"KT1234567895"}},
		{"LF", []string{"KT1234567895\n"}, []string{"KT1234567895"}},
		{"CRLF is one end", []string{"A1234\r\nB5678\r\n"}, []string{"A1234", "B5678"}},
		{"split across reads", []string{"KT12", "3456", "7895\r"}, []string{"KT1234567895"}},
		{"CRLF split across reads", []string{"A1234\r", "\nB5678\r", "\n"}, []string{"A1234", "B5678"}},
		{"no terminator: idle gap ends the line", []string{"KT12345", "67895", ""}, []string{"KT1234567895"}},
		{"AIM prefix kept for SplitAIM", []string{"]C0KT1234567895\r"}, []string{"]C0KT1234567895"}},
		{"noise then a good scan", []string{"\x00\xff\xfe\x80", "KT1234567895\r"}, []string{"KT1234567895"}},
		{"noise glued to the scan", []string{"\xf0\x0fKT1234567895\r"}, []string{"KT1234567895"}},
		{"noise alone", []string{"\x00\x01\xff\r\n", ""}, nil},
		{"over-long line then a good scan", []string{long + "\r", "KT1234567895\r"}, []string{"KT1234567895"}},
		{"over-long line ended by idle gap", []string{long, "", "KT1234567895\r"}, []string{"KT1234567895"}},
		{"line of exactly the limit", []string{strings.Repeat("7", 32) + "\n"}, []string{strings.Repeat("7", 32)}},
		{"GS separator is data", []string{"]C101095\x1d10AB\r"}, []string{"]C101095\x1d10AB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLineFramer(32)
			var got []string
			emit := func(l string) { got = append(got, l) }
			for _, c := range tt.chunks {
				if c == "" {
					f.idle(emit)
				} else {
					f.feed([]byte(c), emit)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Wherever the bytes are split between reads, the lines come out the same.
func TestLineFramerEverySplit(t *testing.T) {
	stream := "\xffKT1234567895\r\n]E05901234123457\n" + strings.Repeat("x", 50) + "\rABCD\r"
	want := []string{"KT1234567895", "]E05901234123457", "ABCD"}
	for i := 0; i <= len(stream); i++ {
		for j := i; j <= len(stream); j += 7 {
			f := newLineFramer(32)
			var got []string
			emit := func(l string) { got = append(got, l) }
			for _, c := range []string{stream[:i], stream[i:j], stream[j:]} {
				f.feed([]byte(c), emit)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("split at %d,%d: got %q, want %q", i, j, got, want)
			}
		}
	}
}

func FuzzSerialFramer(f *testing.F) {
	f.Add([]byte("KT1234567895\r\n"), uint8(3))
	f.Add([]byte("\x00\xff]C0KT1234567895\r"), uint8(5))
	f.Add([]byte(strings.Repeat("A", 300)+"\nB1234\n"), uint8(100))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		const max = 64
		fr := newLineFramer(max)
		emit := func(l string) {
			if l == "" || len(l) > max || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("bad line %q", l)
			}
			for i := 0; i < len(l); i++ {
				if c := l[i]; c != 0x1d && (c < 0x20 || c >= 0x7f) {
					t.Fatalf("line %q has byte %#x", l, c)
				}
			}
		}
		step := int(chunk%32) + 1
		for len(stream) > 0 {
			n := min(step, len(stream))
			fr.feed(stream[:n], emit)
			stream = stream[n:]
		}
		fr.idle(emit)
	})
}
