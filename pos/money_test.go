package pos

import "testing"

func TestParseMoney(t *testing.T) {
	good := []struct {
		in   string
		want Money
	}{
		{"12.34", 1234}, {"0.01", 1}, {"12", 1200}, {"12.3", 1230}, {"0", 0}, {"0.00", 0},
		{"999999999999.99", 99999999999999},
	}
	for _, c := range good {
		got, err := ParseMoney(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"12.345", "-1", "1e3", "12,34", "", ".5", "12.", "1 000", "+5", "12.3a", "0x10", "1000000000000"} {
		if got, err := ParseMoney(in); err == nil || ErrorCode(err) != EInvalidInput {
			t.Errorf("ParseMoney(%q) = %d, %v; want an invalid_input error", in, got, err)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for m, want := range map[Money]string{0: "0.00", 1: "0.01", 1234: "12.34", 100: "1.00", -505: "-5.05"} {
		if got := m.String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(m), got, want)
		}
	}
}
