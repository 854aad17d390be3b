package pos

import (
	"testing"
	"time"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"  Ann@Example.COM ": "ann@example.com",
		"a.b+tag@shop.co.uk": "a.b+tag@shop.co.uk",
	} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ann", "ann@", "@example.com", "ann@example", "a@b@example.com",
		"Ann <ann@example.com>", "ann@example..com", "ann@.example.com", "ann@example.com.", "ann smith@example.com"} {
		if _, err := NormalizeEmail(in); ErrorCode(err) != EInvalidEmail {
			t.Errorf("NormalizeEmail(%q) error = %v; want invalid_email", in, err)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	if got := MaskEmail("jane@example.com"); got != "j***@example.com" {
		t.Errorf("MaskEmail = %q", got)
	}
}

func TestCheckNewAccount(t *testing.T) {
	c := DefaultConfig()
	today := DayOf(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	tag, _ := c.TagFormat.Make("123456789")
	n, err := c.CheckNewAccount(NewAccount{Email: " A@B.Com ", Name: "  Ann   Lee ", BirthDate: "1990-02-28", Phone: "+1 (555) 010-2000", Tag: tag}, today)
	if err != nil || n.Email != "a@b.com" || n.Name != "Ann Lee" {
		t.Fatalf("CheckNewAccount = %+v, %v", n, err)
	}
	bad := []struct {
		name string
		n    NewAccount
		code string
	}{
		{"no email", NewAccount{Name: "Ann"}, EInvalidEmail},
		{"no name", NewAccount{Email: "a@b.com", Name: "  "}, EInvalidInput},
		{"birth in the future", NewAccount{Email: "a@b.com", Name: "A", BirthDate: "2027-01-01"}, EInvalidInput},
		{"birth not a date", NewAccount{Email: "a@b.com", Name: "A", BirthDate: "1990-02-30"}, EInvalidInput},
		{"phone with letters", NewAccount{Email: "a@b.com", Name: "A", Phone: "555-CALL"}, EInvalidInput},
		{"tag with a wrong check digit", NewAccount{Email: "a@b.com", Name: "A", Tag: "KT1234567890"}, EInvalidTag},
		{"product code as tag", NewAccount{Email: "a@b.com", Name: "A", Tag: "5901234123457"}, EInvalidTag},
	}
	for _, b := range bad {
		if _, err := c.CheckNewAccount(b.n, today); ErrorCode(err) != b.code {
			t.Errorf("%s: error %v; want %s", b.name, err, b.code)
		}
	}
}
