package main

import (
	"fmt"
	"os"

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
