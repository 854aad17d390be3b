package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// cli runs keytag in-process the way a shell would, on one database.
type cli struct {
	t  *testing.T
	db string
}

type result struct {
	code           int
	stdout, stderr string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, db: filepath.Join(t.TempDir(), "terminal.db")}
	t.Setenv("KEYTAG_STAFF", "")
	t.Setenv("KEYTAG_PIN", "")
	if r := c.run("staff", "add", "--name", "Mia", "--role", "manager", "--pin", "1234"); r.code != 0 {
		t.Fatalf("first manager: %+v", r)
	}
	return c
}

func (c *cli) run(args ...string) result {
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Clock: pos.SystemClock{}}
	code := m.Execute(context.Background(), append([]string{"--db", c.db}, args...))
	return result{code, out.String(), errb.String()}
}

// as runs a command signed in as Mia.
func (c *cli) as(args ...string) result {
	return c.run(append([]string{"--staff", "Mia", "--pin", "1234"}, args...)...)
}

func (c *cli) json(r result, v any) {
	c.t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		c.t.Fatalf("not JSON: %q (%v); stderr %q", r.stdout, err, r.stderr)
	}
}

func tagOf(body string) string {
	t, _ := pos.DefaultTagFormat.Make(body)
	return t
}

func TestWorkedExample(t *testing.T) {
	c := newCLI(t)
	tag := tagOf("000000001")
	r := c.as("account", "create", "--email", "Ann@Example.com", "--name", "Ann Lee", "--tag", tag, "--opt-in", "--json")
	var acct struct {
		Account, Name, Email string
		Tag                  *string
		Balance              pos.Balance
	}
	c.json(r, &acct)
	if acct.Email != "a***@example.com" || acct.Balance.Available != 100 || acct.Tag == nil || *acct.Tag != tag {
		t.Fatalf("create: %+v", acct)
	}
	// Global flags after the subcommand work too.
	r = c.run("sale", "--customer", tag, "--line", "MINI-1:1:100.00", "--shipping", "10.00",
		"--tender", "gift_card:50.00", "--tender", "cash:60.00", "--json", "--staff", "Mia", "--pin", "1234")
	var sale struct {
		Receipt               string
		Account               *string
		Merchandise, Shipping int64
		PointsRedeemed        int64 `json:"points_redeemed"`
		PointsEarned          int64 `json:"points_earned"`
		Balance               pos.Balance
	}
	c.json(r, &sale)
	if sale.Merchandise != 10000 || sale.Shipping != 1000 || sale.PointsEarned != 50 || sale.Balance.Available != 150 || sale.Account == nil {
		t.Fatalf("sale: %+v", sale)
	}
	// Redeem 150 points (1.50) on a 20.00 order.
	r = c.as("sale", "--customer", "ann@example.com", "--line", "PAINT:2:10.00", "--tender", "card:18.50", "--redeem", "150", "--json")
	c.json(r, &sale)
	if sale.Balance.Available != 18 {
		t.Fatalf("redeem: %+v %s", sale, r.stderr)
	}
	// Return one of the two paints (10.00 of 20.00): claws back 9, credits 75.
	r = c.as("return", "--receipt", sale.Receipt, "--line", "PAINT:1", "--claim", "satisfaction", "--unopened", "--json")
	var ret struct {
		Refund           int64
		PointsClawedBack int64 `json:"points_clawed_back"`
		PointsCredited   int64 `json:"points_credited"`
		Balance          pos.Balance
	}
	c.json(r, &ret)
	if ret.Refund != 925 || ret.PointsClawedBack != 9 || ret.PointsCredited != 75 || ret.Balance.Available != 84 {
		t.Fatalf("return: %+v", ret)
	}
	if r := c.run("doctor"); r.code != 0 {
		t.Fatalf("doctor: %+v", r)
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	c := newCLI(t)
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann", "--tag", tagOf("000000001"))
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"unknown command", []string{"frobnicate"}, 2, ""},
		{"bad flag", []string{"sale", "--bogus"}, 2, ""},
		{"no staff", []string{"account", "show", "ann@example.com"}, 1, "unauthorized"},
		{"wrong pin", []string{"--staff", "Mia", "--pin", "9999", "account", "show", "ann@example.com"}, 1, "unauthorized"},
		{"bad amount", []string{"--staff", "Mia", "--pin", "1234", "sale", "--line", "A:1:12,34", "--tender", "cash:12.34"}, 1, "invalid_input"},
		{"bad line", []string{"--staff", "Mia", "--pin", "1234", "sale", "--line", "A:-1:1.00", "--tender", "cash:1.00"}, 1, "invalid_input"},
		{"tenders mismatch", []string{"--staff", "Mia", "--pin", "1234", "sale", "--line", "A:1:1.00", "--tender", "card:2.00"}, 1, "tenders_mismatch"},
		{"unknown tender", []string{"--staff", "Mia", "--pin", "1234", "sale", "--line", "A:1:1.00", "--tender", "iou:1.00"}, 1, "invalid_input"},
		{"wrong check digit", []string{"--staff", "Mia", "--pin", "1234", "account", "show", "KT0000000012"}, 1, "invalid_tag"},
		{"unknown tag", []string{"--staff", "Mia", "--pin", "1234", "account", "show", tagOf("000000099")}, 1, "not_found"},
		{"bad email", []string{"--staff", "Mia", "--pin", "1234", "account", "create", "--email", "ann@", "--name", "A"}, 1, "invalid_email"},
		{"duplicate email", []string{"--staff", "Mia", "--pin", "1234", "account", "create", "--email", "ANN@example.com", "--name", "A"}, 1, "duplicate_email"},
	}
	for _, tc := range cases {
		r := c.run(append(tc.args, "--json")...)
		if r.code != tc.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tc.name, r.code, tc.code, r.stderr)
		}
		if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); r.code == 1 && (r.stderr == "" || lines > 0) {
			t.Errorf("%s: stderr should be one line, got %q", tc.name, r.stderr)
		}
		if tc.err != "" {
			var e struct {
				Error struct{ Code, Message string }
			}
			c.json(r, &e)
			if e.Error.Code != tc.err || e.Error.Message == "" {
				t.Errorf("%s: error %+v, want code %s", tc.name, e.Error, tc.err)
			}
		}
	}
}

func TestReturnOutsideWindowJSON(t *testing.T) {
	c := newCLI(t)
	// A sale made 10 days ago, written through the store with its clock
	// set back: a defect claim (5 days) on it is late today.
	past := time.Now().AddDate(0, 0, -10)
	d, err := sqlite.Open(context.Background(), c.db, pos.ClockFunc(func() time.Time { return past }))
	if err != nil {
		t.Fatal(err)
	}
	mia, err := d.SignIn(context.Background(), "Mia", "1234")
	if err != nil {
		t.Fatal(err)
	}
	sale, err := d.Checkout(context.Background(), mia, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 500}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 500}}}})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := c.as("return", "--receipt", sale.Receipt, "--line", "A:1", "--claim", "defect", "--json")
	var e struct {
		Error struct {
			Code    string
			LastDay string `json:"last_day"`
		}
	}
	c.json(r, &e)
	if want := pos.DayOf(past).AddDays(5).String(); r.code != 1 || e.Error.Code != "window_closed" || e.Error.LastDay != want {
		t.Fatalf("late claim: %+v %+v (want last day %s)", r, e, want)
	}
	// A cashier cannot reopen it by saying the goods came later: an
	// in-store sale was received on the sale day.
	r = c.as("return", "--receipt", sale.Receipt, "--line", "A:1", "--claim", "defect", "--received", pos.DayOf(time.Now()).String(), "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "in-store sale") {
		t.Fatalf("later received day on an in-store sale: %+v", r)
	}
	// The manager's override passes and is recorded.
	if r := c.as("return", "--receipt", sale.Receipt, "--line", "A:1", "--claim", "defect", "--override", "--json"); r.code != 0 {
		t.Fatalf("override: %+v", r)
	}
}

func receiptOf(t *testing.T, c *cli) string {
	t.Helper()
	r := c.as("sale", "--line", "A:1:5.00", "--tender", "cash:5.00", "--json")
	var s struct{ Receipt string }
	c.json(r, &s)
	return s.Receipt
}

func TestImport(t *testing.T) {
	c := newCLI(t)
	csv := "email,name,birth_date,opt_in,phone,tag\n" +
		"ann@example.com,Ann,1990-04-17,yes,,\n" + // line 2: good
		"bob@example,Bob,,no,,\n" + // line 3: bad email
		"cat@example.com,Cat,,maybe,,\n" + // line 4: bad opt-in
		"dan@example.com,Dan,,no,,KT0000000012\n" + // line 5: bad check digit
		"ANN@example.com,Ann twice,,,,\n" + // line 6: duplicate of line 2
		"eve@example.com,Eve,,no,555-0100,KT0000000017\n" // line 7: good
	path := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(path, []byte(csv), 0o600)
	r := c.as("account", "import", path, "--json")
	var rep struct {
		Imported int
		Bad      []struct {
			Line int
			Code string
		}
	}
	c.json(r, &rep)
	if r.code != 1 || rep.Imported != 2 || len(rep.Bad) != 4 {
		t.Fatalf("import: exit %d %+v %s", r.code, rep, r.stderr)
	}
	want := map[int]string{3: "invalid_email", 4: "invalid_input", 5: "invalid_tag", 6: "duplicate_email"}
	for _, b := range rep.Bad {
		if want[b.Line] != b.Code {
			t.Errorf("line %d: %s, want %s", b.Line, b.Code, want[b.Line])
		}
	}
	if !strings.Contains(r.stderr, "line 3") {
		t.Errorf("stderr should name the bad lines: %q", r.stderr)
	}
	if r := c.as("account", "show", "KT0000000017", "--json"); r.code != 0 {
		t.Errorf("imported tag not found: %+v", r)
	}
}

func TestStaffAdd(t *testing.T) {
	c := newCLI(t)
	if r := c.run("staff", "add", "--name", "Cal", "--role", "cashier", "--pin", "0000"); r.code != 1 {
		t.Errorf("second staff without sign-in: %+v", r)
	}
	if r := c.as("staff", "add", "--name", "Cal", "--role", "cashier", "--pin", "0000"); r.code != 0 {
		t.Fatalf("manager adds cashier: %+v", r)
	}
	if r := c.run("--staff", "Cal", "--pin", "0000", "account", "create", "--email", "x@example.com", "--name", "X"); r.code != 0 {
		t.Errorf("new cashier signs in: %+v", r)
	}
	if r := c.run("--staff", "Cal", "--pin", "0000", "staff", "add", "--name", "Dee", "--role", "manager", "--pin", "1111"); r.code != 1 || !strings.Contains(r.stderr, "manager") {
		t.Errorf("cashier adds staff: %+v", r)
	}
}

func TestStaffRemoveAndPIN(t *testing.T) {
	c := newCLI(t)
	if r := c.as("staff", "add", "--name", "Cal", "--role", "cashier", "--pin-new", "0000"); r.code != 0 {
		t.Fatalf("add Cal: %+v", r)
	}
	calActs := func(pin string) result {
		return c.run("--staff", "Cal", "--pin", pin, "staff", "list")
	}
	if r := c.run("--staff", "Cal", "--pin", "0000", "staff", "remove", "Mia"); r.code != 1 || !strings.Contains(r.stderr, "manager") {
		t.Errorf("a cashier removes the manager: %+v", r)
	}
	if r := c.as("staff", "pin", "Cal"); r.code != 2 || !strings.Contains(r.stderr, "--pin-new") {
		t.Errorf("no new PIN: %+v", r)
	}
	if r := c.as("staff", "pin", "Cal", "--pin-new", "12"); r.code != 1 || !strings.Contains(r.stderr, "4 to 8 digits") {
		t.Errorf("short PIN: %+v", r)
	}
	if r := c.as("staff", "pin", "Cal", "--pin-new", "4567"); r.code != 0 || !strings.Contains(r.stdout, "Cal has a new PIN") {
		t.Fatalf("reset: %+v", r)
	}
	if r := calActs("0000"); r.code != 1 {
		t.Errorf("the old PIN still works: %+v", r)
	}
	if r := calActs("4567"); r.code != 0 || !strings.Contains(r.stdout, "Cal\tcashier\n") || !strings.HasSuffix(r.stdout, "\n") {
		t.Errorf("staff list with the new PIN: %+v", r)
	}
	if r := c.as("staff", "remove", "Mia"); r.code != 1 || !strings.Contains(r.stderr, "last manager") {
		t.Errorf("the last manager removed: %+v", r)
	}
	if r := c.as("staff", "remove"); r.code != 2 || !strings.Contains(r.stderr, "staff name") {
		t.Errorf("no name: %+v", r)
	}
	if r := c.as("staff", "remove", "Cal"); r.code != 0 || !strings.Contains(r.stdout, "removed Cal") {
		t.Fatalf("remove Cal: %+v", r)
	}
	if r := calActs("4567"); r.code != 1 || !strings.Contains(r.stderr, "wrong name or PIN") {
		t.Errorf("a removed cashier signs in: %+v", r)
	}
	if r := c.as("staff", "list"); r.code != 0 || r.stdout != "Mia\tmanager\n" {
		t.Errorf("list after removal: %+v", r)
	}
	if r := c.as("staff", "remove", "Cal"); r.code != 1 || !strings.Contains(r.stderr, "no staff member") {
		t.Errorf("removed twice: %+v", r)
	}
}

// TestOneLineOfStderrUnderCLocale runs the real binary the way a script on
// a Debian server would (LANG=C.UTF-8) and checks a refusal is one line
// on stderr: Fyne, linked into every subcommand, must not add its locale
// complaint (see keytag/ui/localefix).
func TestOneLineOfStderrUnderCLocale(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "keytag")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db := filepath.Join(t.TempDir(), "t.db")
	cmd := exec.Command(bin, "--db", db, "--staff", "Nobody", "--pin", "1234", "account", "show", "ann@example.com")
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	if got := strings.TrimRight(stderr.String(), "\n"); strings.Count(got, "\n") != 0 || !strings.Contains(got, "wrong name or PIN") {
		t.Errorf("stderr is not one line saying what was wrong:\n%s", stderr.String())
	}
}
