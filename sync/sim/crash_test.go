package sim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
)

// A terminal killed in the middle of a write: the seed arms a crash at
// the terminal's k-th row write from now (an insert, update or delete, by
// any statement or trigger, in a checkout, a pull being applied or a
// push's verdicts being saved). At that row the terminal's database files
// are copied as they are on disk at that instant, which is what a killed
// process leaves behind; from then on the process is dead to the world:
// every commit it tries is refused and none of its requests leave. When
// the step ends, the simulator puts the copied files in place and opens
// the terminal again, as a restart after the kill would.
//
// The copy is taken by a hook on every connection the SQLite driver opens
// to a terminal's file (preupdate and commit hooks), so no code of the
// stores knows about it.

// diskCrashes are the armed crashes, by database path.
var diskCrashes = struct {
	sync.Mutex
	byPath map[string]*diskCrash
}{byPath: map[string]*diskCrash{}}

type diskCrash struct {
	left  int  // row writes until the kill
	fired bool // the kill happened: files copied, commits refused
	files map[string][]byte
}

// killsInAWrite counts the kills that fired in a run, for its summary.
var killsInAWrite atomic.Int64

// terminalFile matches the sim's terminal databases (t1.db, t2.db, ...).
var terminalFile = regexp.MustCompile(`^t\d+\.db$`)

func init() {
	msqlite.RegisterConnectionHook(func(conn msqlite.ExecQuerierContext, dsn string) error {
		path := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if !terminalFile.MatchString(filepath.Base(path)) {
			return nil
		}
		h, ok := conn.(msqlite.HookRegisterer)
		if !ok {
			return fmt.Errorf("sim: the sqlite connection takes no hooks")
		}
		h.RegisterPreUpdateHook(func(msqlite.SQLitePreUpdateData) { rowWritten(path) })
		h.RegisterCommitHook(func() int32 { return commitAllowed(path) })
		return nil
	})
}

// rowWritten counts a row write on path and kills the terminal at its
// armed row.
func rowWritten(path string) {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	c := diskCrashes.byPath[path]
	if c == nil || c.fired {
		return
	}
	if c.left--; c.left > 0 {
		return
	}
	c.fired = true
	c.files = map[string][]byte{}
	// The writer holds the write lock and no other writer runs, so the
	// two files are read as one moment. The -shm index is rebuilt from
	// the WAL when the database opens again, as after a real kill.
	for _, suffix := range []string{"", "-wal"} {
		if b, err := os.ReadFile(path + suffix); err == nil {
			c.files[suffix] = b
		}
	}
}

// commitAllowed refuses every commit of a killed terminal (non-zero turns
// the commit into a rollback).
func commitAllowed(path string) int32 {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	if c := diskCrashes.byPath[path]; c != nil && c.fired {
		return 1
	}
	return 0
}

// armDiskCrash kills tm at its rows-th row write from now.
func (w *world) armDiskCrash(tm *term, rows int) {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	if diskCrashes.byPath[tm.path] != nil {
		return
	}
	diskCrashes.byPath[tm.path] = &diskCrash{left: rows}
	w.tracef("%s: will be killed at its %d. row write from now", tm.name, rows)
}

// killed says tm's process died in the middle of a write this step.
func killed(tm *term) bool {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	c := diskCrashes.byPath[tm.path]
	return c != nil && c.fired
}

// anyKilled says some terminal died in the middle of a write this step:
// the errors its dead process saw are the kill's, not the seed's failures.
func (w *world) anyKilled() bool {
	for _, tm := range w.terms {
		if killed(tm) {
			return true
		}
	}
	return false
}

// disarmDiskCrashes forgets the crashes not yet fired (the heal runs
// without faults) and those of a finished seed.
func (w *world) disarmDiskCrashes() {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	for _, tm := range w.terms {
		if c := diskCrashes.byPath[tm.path]; c != nil && !c.fired {
			delete(diskCrashes.byPath, tm.path)
		}
	}
}

// restartKilled opens again, from the files as the kill left them, every
// terminal that died in the middle of a write, and checks what a restart
// must find: a sound file and every sale the till had completed.
func (w *world) restartKilled() {
	for _, tm := range w.terms {
		diskCrashes.Lock()
		c := diskCrashes.byPath[tm.path]
		if c == nil || !c.fired {
			diskCrashes.Unlock()
			continue
		}
		delete(diskCrashes.byPath, tm.path)
		diskCrashes.Unlock()

		w.tracef("%s: killed in the middle of a write; restarts from the files on disk", tm.name)
		killsInAWrite.Add(1)
		w.must(tm.db.Close(), "close "+tm.name)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(tm.path + suffix); err != nil && !os.IsNotExist(err) {
				w.fail("%s: remove %s: %v", tm.name, suffix, err)
			}
		}
		for suffix, b := range c.files {
			w.must(os.WriteFile(tm.path+suffix, b, 0o600), "put back "+tm.name+suffix)
		}
		w.openTerm(tm)
		w.newWorker(tm)
		w.soundAfterKill(tm)
	}
}

// soundAfterKill checks a terminal just reopened after a kill: SQLite
// finds the file whole, no row points at a missing one, and every sale
// the checkout reported done is there with its receipt (a sale's commit
// came before the kill, or the checkout failed and the sale was never
// recorded as made).
func (w *world) soundAfterKill(tm *term) {
	ctx := context.Background()
	var ok string
	w.must(tm.db.SQL().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok), tm.name+": integrity check")
	if ok != "ok" {
		w.fail("%s: the file is damaged after the kill: %s", tm.name, ok)
	}
	rows, err := tm.db.SQL().QueryContext(ctx, `PRAGMA foreign_key_check`)
	w.must(err, tm.name+": foreign key check")
	broken := rows.Next()
	rows.Close()
	if broken {
		w.fail("%s: a row points at a row missing after the kill", tm.name)
	}
	for _, s := range tm.sales {
		if _, err := tm.db.SaleReceipt(ctx, s.receipt, true); err != nil {
			w.fail("%s: sale %s was completed before the kill and is gone after it: %v", tm.name, s.receipt, err)
		}
	}
}
