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
	"sort"
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
}

// command is a subcommand. It returns the process's exit code: 0 done,
// 1 refused or failed, 2 usage error.
type command struct {
	usage string
	run   func(e *env, args []string) int
}

// commands maps a subcommand's words ("account show") to it. Files of
// this package add theirs in init, so each part of the terminal (sale,
// scanners, sync, window) keeps its wiring beside its own code.
var commands = map[string]command{}

// openWindow opens the Fyne window; window.go sets it. It is a variable
// so the headless subcommands build and test without the window's code.
var openWindow func(e *env) int

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the global flags wherever they stand, finds the subcommand
// and runs it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, clock: pos.SystemClock{},
		staff: os.Getenv("KEYTAG_STAFF"), pin: os.Getenv("KEYTAG_PIN")}
	rest, help, err := e.parseGlobals(args)
	if err != nil {
		fmt.Fprintf(stderr, "keytag: %v (see keytag --help)\n", err)
		return 2
	}
	if e.dbPath == "" {
		e.dbPath = defaultDBPath()
	}
	name, cmd, sub := findCommand(rest)
	if help {
		if cmd != nil {
			fmt.Fprintf(stdout, "usage: keytag %s\n", cmd.usage)
		} else {
			printHelp(stdout)
		}
		return 0
	}
	if cmd == nil {
		if len(rest) == 0 {
			if openWindow == nil {
				fmt.Fprintln(stderr, "keytag: this build has no window; use a subcommand (see keytag --help)")
				return 1
			}
			return openWindow(e)
		}
		fmt.Fprintf(stderr, "keytag: unknown command %q (see keytag --help)\n", strings.Join(rest, " "))
		return 2
	}
	_ = name
	return cmd.run(e, sub)
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
		case "json":
			e.json = !hasVal || val == "true"
		case "demo":
			e.demo = !hasVal || val == "true"
		case "help", "h":
			help = true
		default:
			rest = append(rest, a)
		}
	}
	return rest, help, nil
}

// findCommand matches the longest run of leading words to a command.
func findCommand(words []string) (string, *command, []string) {
	for n := min(len(words), 2); n > 0; n-- {
		name := strings.Join(words[:n], " ")
		if c, ok := commands[name]; ok {
			return name, &c, words[n:]
		}
	}
	return "", nil, nil
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

commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  keytag %s\n", commands[n].usage)
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

// open opens the terminal database.
func (e *env) open() (*sqlite.DB, error) {
	return sqlite.Open(e.ctx, e.dbPath, e.clock)
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

// usage reports a usage error and exits 2.
func (e *env) usage(cmd string, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "keytag %s: %s\nusage: keytag %s\n", cmd, fmt.Sprintf(format, args...), commands[cmd].usage)
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
	defer d.Close()
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
