// Command keytag is the store terminal: with no subcommand it opens the
// cashier's window; its subcommands are the same services without a
// window, for support, scripting and headless lanes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// env is what every subcommand gets: the global flags, where to write,
// and how to open the database and sign in.
type env struct {
	ctx        context.Context
	dbPath     string
	json       bool
	demo       bool
	staff, pin string
	// pins is every --pin given, in order: `staff add` tells the actor's
	// PIN from the new member's by position.
	pins           []string
	stdout, stderr io.Writer
	clock          pos.Clock
	// cmd is the subcommand being run, for its usage line.
	cmd *command
	// db is the database open() opened, closed by Main.Close.
	db *sqlite.DB
	// printer is the receipt printer's URI (--printer, or KEYTAG_PRINTER)
	// and paper its width in mm (--paper 58|80); see receipt.go.
	printer string
	paper   string
	// scanners are the window's own scanners (--scanner, scanners.go).
	scanners []scannerSpec
}

// Main is the program, so that tests run it as main does (keytagd has the
// same shape): ParseFlags reads the command line, Run does the command or
// opens the window, Close releases what Run left open.
type Main struct {
	Stdout, Stderr io.Writer
	Clock          pos.Clock

	env  *env
	cmd  *command
	args []string
	help bool
}

// NewMain returns a Main writing to the process's stdout and stderr, on
// the system clock.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Clock: pos.SystemClock{}}
}

// command is a subcommand: the words that name it ("account show"), its
// usage line, and what it runs. run returns the process's exit code: 0
// done, 1 refused or failed, 2 usage error.
type command struct {
	name, usage string
	run         func(e *env, args []string) int
}

// commands is every subcommand, in the order help lists them; adding one is a line here and its run
// function in the file of its kind. With no subcommand keytag opens the
// window (window.go).
var commands = []command{
	{"account adjust", "account adjust TAG-OR-EMAIL --points N --reason TEXT", runAccountAdjust},
	{"account create", "account create --email E --name N [--birth YYYY-MM-DD] [--opt-in] [--phone P] [--tag CODE]", runAccountCreate},
	{"account history", "account history TAG-OR-EMAIL [--json]", runAccountHistory},
	{"account import", "account import FILE.csv", runAccountImport},
	{"account search", "account search TEXT [--json] (the start of a name, a phone number, or the start of an email)", runAccountSearch},
	{"account show", "account show TAG-OR-EMAIL", runAccountShow},
	{"account tag", "account tag TAG-OR-EMAIL --new CODE", runAccountTag},
	{"account update", "account update TAG-OR-EMAIL [--name N] [--phone P] [--birth YYYY-MM-DD] [--opt-in|--opt-out] [--email E] (manager)", runAccountUpdate},
	{"claim credit", "claim credit ID", runClaimCredit},
	{"claim list", "claim list [--waiting]", runClaimList},
	{"claim open", "claim open --receipt ID --line SKU:QTY... --kind satisfaction|defect|damage|missing|undelivered [--notified YYYY-MM-DD] [--reason TEXT] [--unopened] [--received YYYY-MM-DD] [--override]", runClaimOpen},
	{"claim receive", "claim receive ID [--on YYYY-MM-DD]", runClaimReceive},
	{"claim refund", "claim refund ID", settle(pos.OutcomeRefund)},
	{"claim reject", "claim reject ID --reason TEXT", runClaimReject},
	{"claim replace", "claim replace ID", settle(pos.OutcomeReplacement)},
	{"claim show", "claim show ID", runClaimShow},
	{"claim verify", "claim verify ID [--unopened]", runClaimVerify},
	{"close", "close [--final] [--reprint N] [--day YYYY-MM-DD] [--print] [--json]", runClose},
	{"doctor", "doctor", runDoctor},
	{"enroll", "enroll --server URL --code CODE [--name NAME]", runEnroll},
	{"product add", "product add --sku SKU --barcode CODE [--barcode CODE…] --name NAME --price 12.34 [--tax-class NAME] [--no-earn]", runProductAdd},
	{"product import", "product import FILE.csv", runProductImport},
	{"product list", "product list [--json]", runProductList},
	{"product show", "product show CODE [--json]", runProductShow},
	{"program set", "program set KEY=VALUE… (currency, earn_rate, point_value, signup_bonus, birthday_points, offline_cap, gift_min_cost, gift_hold_days, tax.NAME=RATE%, prices_include_tax, store.name, store.address)", runProgramSet},
	{"program show", "program show [--json]", runProgramShow},
	{"receipt print", "receipt print RECEIPT|RETURN-ID [--printer URI] [--paper 58|80]", runReceiptPrint},
	{"receipt show", "receipt show RECEIPT|RETURN-ID [--paper 58|80]", runReceiptShow},
	{"return", "return --receipt ID --line SKU:QTY... --claim satisfaction|defect|damage|missing|undelivered [--unopened] [--received YYYY-MM-DD] [--outcome refund|credit|replacement] [--override] [--preview] [--email-receipt] [--printer URI]", runReturn},
	{"sale", "sale [--customer TAG-OR-EMAIL] --item CODE[:QTY]... --line SKU:QTY:PRICE... [--shipping AMOUNT] [--shipping-cost AMOUNT] --tender TYPE:AMOUNT... [--redeem POINTS] [--override] [--email-receipt] [--printer URI]", runSale},
	{"scan", scanUsage, func(e *env, args []string) int { return runScan(e.ctx, args, e.stdout, e.stderr, e.json) }},
	{"staff add", "staff add --name N --role cashier|manager --pin P", runStaffAdd},
	{"staff list", "staff list", runStaffList},
	{"staff remove", "staff remove NAME", runStaffRemove},
	{"staff pin", "staff pin NAME --pin-new P", runStaffPIN},
	{"status", "status [--conflicts]", runStatus},
	{"void", "void --receipt ID --reason TEXT", runVoid},
	{"sync", "sync [--once] [--interval 30s] [--batch 500] [--page 2000] [--verbose]", runSync},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := NewMain().Execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// usageError is a command line that makes no sense: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Execute parses args, runs, closes, and returns the exit status.
func (m *Main) Execute(ctx context.Context, args []string) int {
	if err := m.ParseFlags(ctx, args); err != nil {
		fmt.Fprintf(m.Stderr, "keytag: %v (see keytag --help)\n", err)
		return 2
	}
	code := m.Run()
	if err := m.Close(); err != nil && code == 0 {
		code = m.env.fail(err)
	}
	return code
}

// ParseFlags takes the global flags out of args wherever they stand and
// finds the subcommand; the subcommand parses its own flags when it runs.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	e := &env{ctx: ctx, stdout: m.Stdout, stderr: m.Stderr, clock: m.Clock,
		staff: os.Getenv("KEYTAG_STAFF"), pin: os.Getenv("KEYTAG_PIN"), printer: os.Getenv("KEYTAG_PRINTER"), paper: "80"}
	m.env = e
	rest, help, err := e.parseGlobals(args)
	if err != nil {
		return usageError{err.Error()}
	}
	if e.dbPath == "" {
		e.dbPath = defaultDBPath()
	}
	m.help = help
	m.cmd, m.args = findCommand(rest)
	if m.cmd == nil && len(rest) > 0 && !help {
		return usageError{fmt.Sprintf("unknown command %q", strings.Join(rest, " "))}
	}
	e.cmd = m.cmd
	if m.cmd != nil && len(e.scanners) > 0 {
		return usageError{fmt.Sprintf("--scanner is for the window; keytag %s does not read scanners (keytag scan does, with its own flags)", m.cmd.name)}
	}
	return nil
}

// Run does the subcommand, prints help, or with neither opens the window,
// and returns the exit status.
func (m *Main) Run() int {
	switch {
	case m.help && m.cmd != nil:
		fmt.Fprintf(m.Stdout, "usage: keytag %s\n", m.cmd.usage)
		return 0
	case m.help:
		printHelp(m.Stdout)
		return 0
	case m.cmd == nil:
		return runWindow(m.env)
	}
	return m.cmd.run(m.env, m.args)
}

// Close closes the database the command opened.
func (m *Main) Close() error {
	if m.env == nil || m.env.db == nil {
		return nil
	}
	err := m.env.db.Close()
	m.env.db = nil
	return err
}

// parseGlobals takes the global flags out of args, wherever they stand.
func (e *env) parseGlobals(args []string) (rest []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		takeValue := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "db":
			if e.dbPath, err = takeValue(); err != nil {
				return nil, false, err
			}
		case "staff":
			if e.staff, err = takeValue(); err != nil {
				return nil, false, err
			}
		case "pin":
			if e.pin, err = takeValue(); err != nil {
				return nil, false, err
			}
			e.pins = append(e.pins, e.pin)
		case "printer":
			if e.printer, err = takeValue(); err != nil {
				return nil, false, err
			}
		case "paper":
			if e.paper, err = takeValue(); err != nil {
				return nil, false, err
			}
		case "json":
			e.json = !hasVal || val == "true"
		case "demo":
			e.demo = !hasVal || val == "true"
		case "scanner":
			v, err := takeValue()
			if err != nil {
				return nil, false, err
			}
			spec, err := parseScanner(v)
			if err != nil {
				return nil, false, err
			}
			e.scanners = append(e.scanners, spec)
		case "help", "h":
			help = true
		default:
			rest = append(rest, a)
		}
	}
	return rest, help, nil
}

// findCommand matches the longest run of leading words to a command.
func findCommand(words []string) (*command, []string) {
	for n := min(len(words), 2); n > 0; n-- {
		name := strings.Join(words[:n], " ")
		for i := range commands {
			if commands[i].name == name {
				return &commands[i], words[n:]
			}
		}
	}
	return nil, nil
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `keytag — the loyalty point-of-sale terminal

usage: keytag [global flags] [command] [flags]

With no command, keytag opens the cashier's window (--demo: on a throw-away
database with sample staff, customers and gifts).

global flags (before or after the command):
  --db PATH       the terminal database (default `+defaultDBPath()+`)
  --json          machine-readable output on stdout
  --staff NAME    who acts (or KEYTAG_STAFF)
  --pin PIN       their PIN (or KEYTAG_PIN)
  --printer URI   receipt printer: tcp://HOST:9100, file:/dev/usb/lp0 or
                  serial:/dev/ttyUSB0[@BAUD] (or KEYTAG_PRINTER)
  --paper 58|80   the printer's paper width in mm (default 80)
  --scanner hid:VID:PID | serial:PATH[@BAUD]
                  a scanner the window reads besides the keyboard (repeatable)

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  keytag %s\n", c.usage)
	}
	fmt.Fprint(w, "\nexit status: 0 done, 1 refused or failed (message on stderr), 2 usage error\n")
}

// defaultDBPath is the terminal database in the user's data directory.
func defaultDBPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "terminal.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "keytag", "terminal.db")
}

// open opens the terminal database; Main.Close closes it.
func (e *env) open() (*sqlite.DB, error) {
	d, err := sqlite.Open(e.ctx, e.dbPath, e.clock)
	if err == nil {
		e.db = d
	}
	return d, err
}

// signIn checks --staff/--pin.
func (e *env) signIn(d *sqlite.DB) (pos.Staff, error) {
	if e.staff == "" || e.pin == "" {
		return pos.Staff{}, pos.Errorf(pos.EUnauthorized, "say who acts: --staff NAME --pin PIN (or KEYTAG_STAFF and KEYTAG_PIN)")
	}
	return d.SignIn(e.ctx, e.staff, e.pin)
}

// fail reports err: one line on stderr, and with --json the error object
// on stdout. A refusal (a *pos.Error) exits 1 with its message; anything
// else is an internal error whose detail goes to stderr only.
func (e *env) fail(err error) int {
	code := pos.ErrorCode(err)
	msg := pos.ErrorMessage(err)
	detail := msg
	if code == pos.EInternal {
		detail = "internal error: " + err.Error()
	}
	fmt.Fprintf(e.stderr, "keytag: %s\n", detail)
	if e.json {
		body := map[string]any{"code": code, "message": msg}
		var pe *pos.Error
		if errors.As(err, &pe) && pe.LastDay != "" {
			body["last_day"] = pe.LastDay
		}
		e.printJSON(map[string]any{"error": body})
	}
	return 1
}

// usage reports a usage error of the command being run and exits 2.
func (e *env) usage(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "keytag %s: %s\nusage: keytag %s\n", e.cmd.name, fmt.Sprintf(format, args...), e.cmd.usage)
	return 2
}

func (e *env) printJSON(v any) {
	enc := json.NewEncoder(e.stdout)
	enc.Encode(v)
}

// withDB opens the database, signs in unless anonymous, and runs f.
func (e *env) withDB(signIn bool, f func(d *sqlite.DB, by pos.Staff) error) int {
	d, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	var by pos.Staff
	if signIn {
		if by, err = e.signIn(d); err != nil {
			return e.fail(err)
		}
	}
	if err := f(d, by); err != nil {
		return e.fail(err)
	}
	return 0
}
