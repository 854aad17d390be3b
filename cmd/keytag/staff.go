package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

func runStaffAdd(e *env, args []string) int {
	fs := newFlags("staff add")
	name := fs.String("name", "", "")
	role := fs.String("role", "", "")
	pin := fs.String("pin-new", "", "")
	// --pin is also the global flag for who acts. The new member's PIN is
	// --pin-new, or the last --pin given; the actor's PIN is then the
	// first --pin when two are given, else KEYTAG_PIN.
	if _, err := parse(fs, args); err != nil {
		return e.usage("%v", err)
	}
	if *name == "" || *role == "" {
		return e.usage("--name and --role are required")
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		has, err := d.HasStaff(e.ctx)
		if err != nil {
			return err
		}
		newPIN, actorPIN := *pin, os.Getenv("KEYTAG_PIN")
		if n := len(e.pins); newPIN == "" && n > 0 {
			newPIN = e.pins[n-1]
			if n > 1 {
				actorPIN = e.pins[0]
			}
		} else if n > 0 {
			actorPIN = e.pins[0]
		}
		if newPIN == "" {
			return pos.Errorf(pos.EInvalidInput, "give the new staff member's PIN with --pin")
		}
		var by *pos.Staff
		if has {
			e.pin = actorPIN
			s, err := e.signIn(d)
			if err != nil {
				return err
			}
			by = &s
		}
		s, err := d.AddStaff(e.ctx, by, *name, pos.Role(*role), newPIN)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(s)
		} else {
			fmt.Fprintf(e.stdout, "added %s (%s)\n", s.Name, s.Role)
		}
		return nil
	})
}

func runStaffList(e *env, args []string) int {
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		list, err := d.ListStaff(e.ctx)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(list)
			return nil
		}
		for _, s := range list {
			fmt.Fprintf(e.stdout, "%s\t%s\n", s.Name, s.Role)
		}
		return nil
	})
}

// staffName reads the one NAME a staff command acts on.
func staffName(e *env, fs *flag.FlagSet, args []string) (string, bool) {
	p, err := parse(fs, args)
	if err != nil {
		e.usage("%v", err)
		return "", false
	}
	if len(p) != 1 || strings.TrimSpace(p[0]) == "" {
		e.usage("give one staff name (quote it if it has spaces)")
		return "", false
	}
	return p[0], true
}

func runStaffRemove(e *env, args []string) int {
	name, ok := staffName(e, newFlags("staff remove"), args)
	if !ok {
		return 2
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if err := d.RemoveStaff(e.ctx, by, name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s: they can no longer sign in here\n", strings.TrimSpace(name))
		return nil
	})
}

func runStaffPIN(e *env, args []string) int {
	fs := newFlags("staff pin")
	pin := fs.String("pin-new", "", "")
	name, ok := staffName(e, fs, args)
	if !ok {
		return 2
	}
	if *pin == "" {
		// --pin is who acts, so the new PIN has a flag of its own.
		return e.usage("give the new PIN with --pin-new")
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		s, err := d.ResetPIN(e.ctx, by, name, *pin)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s has a new PIN and can sign in again\n", s.Name)
		return nil
	})
}
