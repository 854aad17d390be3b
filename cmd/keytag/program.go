package main

import (
	"fmt"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// programView is what `program show --json` prints.
type programView = pos.ProgramView

func (e *env) printProgram(c pos.Config) {
	if e.json {
		e.printJSON(c.View())
		return
	}
	fmt.Fprint(e.stdout, c.SettingsText())
}

func runProgramShow(e *env, args []string) int {
	if rest, err := parse(newFlags("program show"), args); err != nil || len(rest) > 0 {
		return e.usage("%v", firstErr(err, rest))
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		e.printProgram(d.Config())
		return nil
	})
}

func runProgramSet(e *env, args []string) int {
	pairs, err := parse(newFlags("program set"), args)
	if err != nil {
		return e.usage("%v", err)
	}
	if len(pairs) == 0 {
		return e.usage("give one or more KEY=VALUE settings")
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		c, err := d.SetProgram(e.ctx, by, pairs)
		if err != nil {
			return err
		}
		e.printProgram(c)
		return nil
	})
}
