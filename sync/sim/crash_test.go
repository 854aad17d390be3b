package sim_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
)

// A node killed in the middle of a write: the seed arms a crash at a
// terminal's or the server's k-th row write from now (an insert, update
// or delete, by any statement or trigger: in a checkout, a pull being
// applied or a push's verdicts being saved on a terminal; in a push, a web
// order or a birthday gift on the server). At that row the node's
// database files are copied as they are on disk at that instant, which is
// what a killed process leaves behind; from then on the process is dead
// to the world: every commit it tries is refused, none of a terminal's
// requests leave and no request reaches the server. When the step ends,
// the simulator puts the copied files in place and opens the node again,
// as a restart after the kill would.
//
// The copy is taken by a hook on every connection the SQLite driver opens
// to a node's file (preupdate and commit hooks), so no code of the stores
// knows about it.

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

// terminalKills and serverKills count the kills that fired in a run, for
// its summary.
var terminalKills, serverKills atomic.Int64

// nodeFile matches the sim's node databases (keytagd.db, t1.db, t2.db, ...).
var nodeFile = regexp.MustCompile(`^(t\d+|keytagd)\.db$`)

func init() {
	msqlite.RegisterConnectionHook(func(conn msqlite.ExecQuerierContext, dsn string) error {
		path := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if !nodeFile.MatchString(filepath.Base(path)) {
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

// armDiskCrash kills the node whose database is path at its rows-th
// row write from now.
func (w *world) armDiskCrash(name, path string, rows int) {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	if diskCrashes.byPath[path] != nil {
		return
	}
	diskCrashes.byPath[path] = &diskCrash{left: rows}
	w.tracef("%s: will be killed at its %d. row write from now", name, rows)
}

// killed says the node whose database is path died in the middle of a
// write this step.
func killed(path string) bool {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	c := diskCrashes.byPath[path]
	return c != nil && c.fired
}

// killedFor says the operation what (its trace line, which starts with
// the node that ran it: "t2: sale …") failed because a node died in the
// middle of a write this step: its own terminal, or the server, which
// every operation may have spoken to. Those errors are the kill's, not
// the seed's failures.
func (w *world) killedFor(what string) bool {
	if killed(w.srvPath) {
		return true
	}
	for _, tm := range w.terms {
		if strings.HasPrefix(what, tm.name+":") && killed(tm.path) {
			return true
		}
	}
	return false
}

// disarmDiskCrashes forgets the crashes not yet fired (the heal runs
// without faults), or all of them at the end of a seed.
func (w *world) disarmDiskCrashes(all bool) {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	paths := []string{w.srvPath}
	for _, tm := range w.terms {
		paths = append(paths, tm.path)
	}
	for _, p := range paths {
		if c := diskCrashes.byPath[p]; c != nil && (all || !c.fired) {
			delete(diskCrashes.byPath, p)
		}
	}
}

// takeKill returns the copied files of the node whose database is path
// if it was killed, and forgets the kill.
func takeKill(path string) (map[string][]byte, bool) {
	diskCrashes.Lock()
	defer diskCrashes.Unlock()
	c := diskCrashes.byPath[path]
	if c == nil || !c.fired {
		return nil, false
	}
	delete(diskCrashes.byPath, path)
	return c.files, true
}

// putBack replaces a node's database with the files its kill left.
func (w *world) putBack(name, path string, files map[string][]byte) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			w.fail("%s: remove %s: %v", name, suffix, err)
		}
	}
	for suffix, b := range files {
		w.must(os.WriteFile(path+suffix, b, 0o600), "put back "+name+suffix)
	}
}

// restartKilled opens again, from the files as the kill left them, every
// node that died in the middle of a write, and checks what a restart must
// find: a sound file, and on a terminal every sale the till had completed.
func (w *world) restartKilled() {
	if files, ok := takeKill(w.srvPath); ok {
		w.tracef("server: killed in the middle of a write; restarts from the files on disk")
		serverKills.Add(1)
		w.stopServer()
		w.putBack("server", w.srvPath, files)
		w.startServer()
		w.soundFile("server", w.store.SQL())
	}
	for _, tm := range w.terms {
		files, ok := takeKill(tm.path)
		if !ok {
			continue
		}
		w.tracef("%s: killed in the middle of a write; restarts from the files on disk", tm.name)
		terminalKills.Add(1)
		w.must(tm.db.Close(), "close "+tm.name)
		w.putBack(tm.name, tm.path, files)
		w.openTerm(tm)
		w.newWorker(tm)
		w.soundAfterKill(tm)
	}
}

// soundFile checks a database just opened again after a kill: SQLite
// finds the file whole and no row points at a missing one.
func (w *world) soundFile(node string, db *sql.DB) {
	ctx := context.Background()
	var ok string
	w.must(db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok), node+": integrity check")
	if ok != "ok" {
		w.fail("%s: the file is damaged after the kill: %s", node, ok)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	w.must(err, node+": foreign key check")
	broken := rows.Next()
	w.must(rows.Err(), node+": foreign key check")
	rows.Close()
	if broken {
		w.fail("%s: a row points at a row missing after the kill", node)
	}
}

// soundAfterKill checks a terminal just reopened after a kill: its file
// is sound, and every sale the checkout reported done is there with its
// receipt (a sale's commit came before the kill, or the checkout failed
// and the sale was never recorded as made).
func (w *world) soundAfterKill(tm *term) {
	ctx := context.Background()
	w.soundFile(tm.name, tm.db.SQL())
	for _, s := range tm.sales {
		if _, err := tm.db.SaleReceipt(ctx, s.receipt, true); err != nil {
			w.fail("%s: sale %s was completed before the kill and is gone after it: %v", tm.name, s.receipt, err)
		}
	}
}
