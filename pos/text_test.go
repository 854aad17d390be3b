package pos

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	cases := []struct {
		in, want string
		bad      string // part of the message when refused
	}{
		{"  Ann   Lee ", "Ann Lee", ""},
		{"Ann\tLee\r\n", "Ann Lee", ""},
		{"José Ørsted", "José Ørsted", ""},
		{"محمد", "محمد", ""},
		{"Ann\x00", "", "NUL"},
		{"Ann\x1b[31m", "", "control character"},
		{"Ann\u0085", "", "control character"},
		{"Ann\u2028Lee", "", "line separator"},
		{"Ann\u202aLee", "", "bidi override"},
		{"Ann\u202eLee", "", "bidi override"},
		{"Ann\u2066Lee", "", "bidi override"},
		{"Ann\u2069Lee", "", "bidi override"},
		{"Ann\xffLee", "", "UTF-8"},
		{strings.Repeat("a", 11), "", "longer than 10"},
	}
	for _, tc := range cases {
		got, err := CheckText("name", tc.in, 10+len(tc.want))
		if tc.in == strings.Repeat("a", 11) {
			got, err = CheckText("name", tc.in, 10)
		}
		switch {
		case tc.bad == "" && (err != nil || got != tc.want):
			t.Errorf("CheckText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.bad != "" && (err == nil || ErrorCode(err) != EInvalidInput || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("CheckText(%q) = %q, %v; want invalid_input saying %q", tc.in, got, err, tc.bad)
		}
	}
}

func TestCheckApply(t *testing.T) {
	e := func(p int64) Entry { return Entry{Points: p} }
	if err := CheckApply(Balance{}, e(MaxEntryPoints), e(-MaxEntryPoints)); err != nil {
		t.Errorf("entries within bounds: %v", err)
	}
	if err := CheckApply(Balance{}, e(MaxEntryPoints+1)); ErrorCode(err) != EInvalidInput {
		t.Errorf("an entry past MaxEntryPoints: %v", err)
	}
	if err := CheckApply(Balance{Available: MaxPoints - 5}, e(5), e(1)); ErrorCode(err) != EInvalidInput {
		t.Errorf("a balance past MaxPoints: %v", err)
	}
	if err := CheckApply(Balance{Pending: -MaxPoints}, Entry{Points: -1, Pending: true}); ErrorCode(err) != EInvalidInput {
		t.Errorf("a pending balance past -MaxPoints: %v", err)
	}
	if err := CheckApply(Balance{Available: 1 << 62}, e(1)); ErrorCode(err) != EInvalidInput {
		t.Errorf("a balance already out of bounds: %v", err)
	}
}
