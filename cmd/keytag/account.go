package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// accountView is what `account show` prints: never the full email or the
// birth date.
type accountView struct {
	Account string      `json:"account"`
	Name    string      `json:"name"`
	Email   string      `json:"email"`
	Tag     *string     `json:"tag"`
	Balance pos.Balance `json:"balance"`
}

func viewOf(a pos.Account) accountView {
	v := accountView{Account: a.ID, Name: a.Name, Email: a.MaskedEmail(), Balance: a.Balance}
	if a.Tag != "" {
		v.Tag = &a.Tag
	}
	return v
}

func (e *env) printAccount(a pos.Account) {
	if e.json {
		e.printJSON(viewOf(a))
		return
	}
	tag := a.Tag
	if tag == "" {
		tag = "(no tag)"
	}
	fmt.Fprintf(e.stdout, "%s  %s  %s\n%d points available, %d pending\naccount %s\n",
		a.Name, a.MaskedEmail(), tag, a.Balance.Available, a.Balance.Pending, a.ID)
}

func runAccountCreate(e *env, args []string) int {
	fs := newFlags("account create")
	var n pos.NewAccount
	fs.StringVar(&n.Email, "email", "", "")
	fs.StringVar(&n.Name, "name", "", "")
	fs.StringVar(&n.BirthDate, "birth", "", "")
	fs.BoolVar(&n.OptIn, "opt-in", false, "")
	fs.StringVar(&n.Phone, "phone", "", "")
	fs.StringVar(&n.Tag, "tag", "", "")
	if pos, err := parse(fs, args); err != nil || len(pos) > 0 {
		return e.usage("%v", firstErr(err, pos))
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		a, err := d.CreateAccount(e.ctx, by, n)
		if err == nil {
			e.printAccount(a)
		}
		return err
	})
}

func firstErr(err error, extra []string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected argument %q", strings.Join(extra, " "))
}

// oneArg parses flags and wants exactly one positional argument.
func oneArg(e *env, fsArgs []string, setup func(*flag.FlagSet)) (string, bool) {
	fs := newFlags(e.cmd.name)
	if setup != nil {
		setup(fs)
	}
	p, err := parse(fs, fsArgs)
	if err != nil {
		e.usage("%v", err)
		return "", false
	}
	if len(p) != 1 {
		e.usage("give one tag or email")
		return "", false
	}
	return p[0], true
}

func runAccountShow(e *env, args []string) int {
	who, ok := oneArg(e, args, nil)
	if !ok {
		return 2
	}
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		a, err := d.FindAccount(e.ctx, who)
		if err != nil {
			return err
		}
		e.printAccountCredit(d, a)
		return nil
	})
}

func runAccountTag(e *env, args []string) int {
	var code *string
	who, ok := oneArg(e, args, func(fs *flag.FlagSet) { code = fs.String("new", "", "") })
	if !ok {
		return 2
	}
	if *code == "" {
		return e.usage("--new CODE is required")
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		a, err := d.ReplaceTag(e.ctx, by, who, *code)
		if err == nil {
			e.printAccount(a)
		}
		return err
	})
}

func runAccountAdjust(e *env, args []string) int {
	var (
		points *int64
		reason *string
	)
	who, ok := oneArg(e, args, func(fs *flag.FlagSet) {
		points = fs.Int64("points", 0, "")
		reason = fs.String("reason", "", "")
	})
	if !ok {
		return 2
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if _, err := d.Adjust(e.ctx, by, who, *points, *reason); err != nil {
			return err
		}
		a, err := d.FindAccount(e.ctx, who)
		if err == nil {
			e.printAccount(a)
		}
		return err
	})
}

// importHeader is the CSV header `account import` reads.
var importHeader = []string{"email", "name", "birth_date", "opt_in", "phone", "tag"}

// importReport is what `account import --json` prints.
type importReport struct {
	Imported int         `json:"imported"`
	Bad      []importBad `json:"bad"`
}

// importBad is a row an import did not take (the same for accounts and
// products).
type importBad = pos.ImportProblem

func runAccountImport(e *env, args []string) int {
	file, ok := oneArg(e, args, nil)
	if !ok {
		return 2
	}
	f, err := os.Open(file)
	if err != nil {
		return e.fail(pos.Errorf(pos.EInvalidInput, "cannot read %s: %v", file, errors.Unwrap(err)))
	}
	defer f.Close()
	rows, bad, err := readImport(f)
	if err != nil {
		return e.fail(err)
	}
	var imported int
	code := e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		accounts := make([]pos.NewAccount, len(rows))
		for i, r := range rows {
			accounts[i] = r.account
		}
		errs, err := d.ImportAccounts(e.ctx, by, accounts)
		if err != nil {
			return err
		}
		lines := make([]int, len(rows))
		for i, r := range rows {
			lines[i] = r.line
		}
		imported, bad = tallyImport(lines, errs, bad)
		return nil
	})
	if code != 0 {
		return code
	}
	return e.reportImport(file, "accounts", imported, bad)
}

// tallyImport adds the rows a store refused (errs[i] for the row on
// lines[i]) to those the file already had wrong, and counts the rest.
func tallyImport(lines []int, errs []error, bad []importBad) (imported int, _ []importBad) {
	for i, err := range errs {
		if err != nil {
			bad = append(bad, importBad{Line: lines[i], Code: pos.ErrorCode(err), Message: pos.ErrorMessage(err)})
		} else {
			imported++
		}
	}
	return imported, bad
}

// reportImport prints what an import did (what the JSON or the text
// says, and each bad row on stderr by line) and answers its exit status:
// 1 when any row was not imported.
func (e *env) reportImport(file, what string, imported int, bad []importBad) int {
	sortBad(bad)
	rep := importReport{Imported: imported, Bad: bad}
	if e.json {
		if rep.Bad == nil {
			rep.Bad = []importBad{}
		}
		e.printJSON(rep)
	} else {
		fmt.Fprintf(e.stdout, "imported %d %s\n", imported, what)
	}
	for _, b := range bad {
		fmt.Fprintf(e.stderr, "%s line %d: %s\n", file, b.Line, b.Message)
	}
	if len(bad) > 0 {
		fmt.Fprintf(e.stderr, "keytag: %d rows were not imported; fix them and import those rows again\n", len(bad))
		return 1
	}
	return 0
}

type importRow struct {
	line    int
	account pos.NewAccount
}

// readImport reads the CSV, keeping good rows and reporting malformed
// ones by line; the rules themselves are checked by the store.
func readImport(r io.Reader) ([]importRow, []importBad, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, pos.Errorf(pos.EInvalidInput, "the file has no header line: want %s", strings.Join(importHeader, ","))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, h := range []string{"email", "name"} {
		if _, ok := col[h]; !ok {
			return nil, nil, pos.Errorf(pos.EInvalidInput, "the header has no %q column: want %s", h, strings.Join(importHeader, ","))
		}
	}
	var (
		rows []importRow
		bad  []importBad
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, importBad{Line: pe.Line, Code: pos.EInvalidInput, Message: "not a valid CSV row: " + pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		optIn, err := parseYesNo(get("opt_in"))
		if err != nil {
			bad = append(bad, importBad{Line: line, Code: pos.EInvalidInput, Message: err.Error()})
			continue
		}
		rows = append(rows, importRow{line: line, account: pos.NewAccount{Email: get("email"), Name: get("name"),
			BirthDate: get("birth_date"), OptIn: optIn, Phone: get("phone"), Tag: get("tag")}})
	}
	return rows, bad, nil
}

// parseYesNo reads an explicit opt-in; empty is no.
func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "no", "n", "false", "0":
		return false, nil
	case "yes", "y", "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("opt_in %q: write yes or no", s)
}

func sortBad(b []importBad) {
	sort.Slice(b, func(i, j int) bool { return b[i].Line < b[j].Line })
}

// runAccountUpdate changes a customer's details at the counter (manager
// only): only the flags given change; --phone "" clears the phone. keytagd
// gets the change with the next sync and may refuse an email another
// account holds (keytag status --conflicts shows it; the next pull brings
// the server's details back).
func runAccountUpdate(e *env, args []string) int {
	var (
		fs                        *flag.FlagSet
		name, phone, birth, email *string
		optIn, optOut             *bool
	)
	who, ok := oneArg(e, args, func(f *flag.FlagSet) {
		fs = f
		name = f.String("name", "", "")
		phone = f.String("phone", "", "")
		birth = f.String("birth", "", "")
		email = f.String("email", "", "")
		optIn = f.Bool("opt-in", false, "")
		optOut = f.Bool("opt-out", false, "")
	})
	if !ok {
		return 2
	}
	if *optIn && *optOut {
		return e.usage("--opt-in and --opt-out contradict each other: give one")
	}
	var u pos.AccountUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			u.Name = name
		case "phone":
			u.Phone = phone
		case "birth":
			u.BirthDate = birth
		case "email":
			u.Email = email
		case "opt-in":
			u.OptIn = optIn
		case "opt-out":
			in := !*optOut
			u.OptIn = &in
		}
	})
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		a, err := d.UpdateAccount(e.ctx, by, who, u)
		if err != nil {
			return err
		}
		e.printAccount(a)
		if id, _ := d.Identity(e.ctx); u.Email != nil && id.Server != "" && !e.json {
			fmt.Fprintln(e.stdout, "the new email applies here once keytagd accepts it (next sync); it refuses an email another customer has")
		}
		return nil
	})
}
