package main

import (
	"fmt"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// programView is what `program show --json` prints: the settings by key
// (as `program set` takes them) and their version.
type programView struct {
	Version  int64             `json:"version"`
	Settings map[string]string `json:"settings"`
}

func (e *env) printProgram(c pos.Config) {
	if e.json {
		v := programView{Version: c.Version, Settings: map[string]string{}}
		for _, s := range c.Settings() {
			v.Settings[s.Key] = s.Value
		}
		e.printJSON(v)
		return
	}
	fmt.Fprintf(e.stdout, "version %d\n", c.Version)
	for _, s := range c.Settings() {
		fmt.Fprintf(e.stdout, "%s=%s\n", s.Key, s.Value)
	}
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
