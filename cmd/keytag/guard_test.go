package main

import (
	"strconv"
	"strings"
	"testing"

	"keytag/pos"
)

// errorOf runs a command with --json and returns its error object.
func (c *cli) errorOf(args ...string) (code int, e struct{ Code, Message string }) {
	c.t.Helper()
	r := c.run(append(args, "--json")...)
	var v struct {
		Error struct{ Code, Message string }
	}
	c.json(r, &v)
	return r.code, v.Error
}

func (c *cli) available(who string) int64 {
	c.t.Helper()
	var a struct{ Balance pos.Balance }
	c.json(c.as("account", "show", who, "--json"), &a)
	return a.Balance.Available
}

// An adjustment past the programme's bounds is refused with a message
// that says the bound, and changes nothing: a manager adjusts at most
// pos.MaxAdjustPoints at once (the server holds terminals to the same).
func TestAdjustmentBounded(t *testing.T) {
	c := newCLI(t)
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann")
	for _, pts := range []string{"9223372036854775000", "-9223372036854775000", strconv.FormatInt(pos.MaxAdjustPoints+1, 10)} {
		code, e := c.errorOf("--staff", "Mia", "--pin", "1234", "account", "adjust", "ann@example.com", "--points", pts, "--reason", "typo")
		if code != 1 || e.Code != pos.EInvalidInput || !strings.Contains(e.Message, strconv.FormatInt(pos.MaxAdjustPoints, 10)) {
			t.Errorf("adjust %s: exit %d, %+v; want invalid_input naming the bound", pts, code, e)
		}
	}
	if got := c.available("ann@example.com"); got != 100 {
		t.Fatalf("balance after refused adjustments = %d, want the sign-up bonus 100", got)
	}
	for _, pts := range []int64{pos.MaxAdjustPoints, -pos.MaxAdjustPoints} {
		if r := c.as("account", "adjust", "ann@example.com", "--points", strconv.FormatInt(pts, 10), "--reason", "test"); r.code != 0 {
			t.Fatalf("adjust %d: %+v", pts, r)
		}
	}
	if got := c.available("ann@example.com"); got != 100 {
		t.Fatalf("balance %d, want 100", got)
	}
	if r := c.run("doctor"); r.code != 0 {
		t.Fatalf("doctor: %+v", r)
	}
}

// Names and free text refuse NUL, control characters and bidi overrides,
// which could make a screen or receipt read other than what is stored.
func TestSpoofingTextRefused(t *testing.T) {
	c := newCLI(t)
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann")
	signed := []string{"--staff", "Mia", "--pin", "1234"}
	cases := []struct {
		name string
		args []string
		code string
	}{
		{"RLO in a customer name", []string{"account", "create", "--email", "bob@example.com", "--name", "Bob \u202egnp.exe"}, pos.EInvalidInput},
		{"NUL in a customer name", []string{"account", "create", "--email", "bob@example.com", "--name", "Bob\x00Smith"}, pos.EInvalidInput},
		{"isolate in a customer name", []string{"account", "create", "--email", "bob@example.com", "--name", "Bob\u2067x"}, pos.EInvalidInput},
		{"RLO in an email", []string{"account", "create", "--email", "bo\u202eb@example.com", "--name", "Bob"}, pos.EInvalidEmail},
		{"escape in a staff name", []string{"staff", "add", "--name", "Al\x1b[2J", "--role", "cashier", "--pin", "5555"}, pos.EInvalidInput},
		{"bell in a reason", []string{"account", "adjust", "ann@example.com", "--points", "5", "--reason", "ok\a"}, pos.EInvalidInput},
		{"RLO in a SKU", []string{"sale", "--line", "A\u202eB:1:1.00", "--tender", "cash:1.00"}, pos.EInvalidInput},
	}
	for _, tc := range cases {
		code, e := c.errorOf(append(signed, tc.args...)...)
		if code != 1 || e.Code != tc.code || !strings.Contains(e.Message, "U+") {
			t.Errorf("%s: exit %d, %+v; want %s naming the character", tc.name, code, e, tc.code)
		}
	}
	if code, e := c.errorOf(append(signed, "account", "show", "bob@example.com")...); e.Code != pos.ENotFound {
		t.Errorf("a refused enrolment left an account behind: exit %d %+v", code, e)
	}
	// Plain names from anywhere still pass.
	if r := c.as("account", "create", "--email", "zoe@example.com", "--name", "Zoë  Ørsted-أحمد"); r.code != 0 {
		t.Fatalf("a plain name was refused: %+v", r)
	}
}

// A wrong PIN for a real name and any PIN for an unknown name get the
// same answer, so the answer does not tell which names exist.
func TestUnknownNameAnswersLikeWrongPIN(t *testing.T) {
	c := newCLI(t)
	known := c.run("--staff", "Mia", "--pin", "9999", "account", "show", "ann@example.com")
	unknown := c.run("--staff", "Nobody", "--pin", "9999", "account", "show", "ann@example.com")
	if known.code != 1 || unknown.code != 1 {
		t.Fatalf("exit %d and %d, want 1", known.code, unknown.code)
	}
	if known.stderr != unknown.stderr || known.stdout != unknown.stdout {
		t.Errorf("answers differ:\nreal name:    %q %q\nunknown name: %q %q", known.stdout, known.stderr, unknown.stdout, unknown.stderr)
	}
}
