package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/worker"
)

// runEnroll joins this terminal to a server with a one-time code. The
// token goes into the (owner-only) database and is never printed.
func runEnroll(e *env, args []string) int {
	fs := newFlags("enroll")
	server := fs.String("server", "", "")
	code := fs.String("code", "", "")
	name := fs.String("name", "", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *server == "" || *code == "" {
		return e.usage("--server and --code are required")
	}
	if *name == "" {
		*name, _ = os.Hostname()
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		id, err := d.Identity(e.ctx)
		if err != nil {
			return err
		}
		c, err := client.New(*server, "", client.Options{})
		if err != nil {
			return err
		}
		if id.Server != "" {
			// Before the code is spent: a terminal may rejoin only the
			// server it belongs to, and only when that server no longer
			// takes its token (revoked, or lost with a restore).
			if err := e.mayRejoin(d, id, c.Server()); err != nil {
				return err
			}
		}
		key, err := d.EnrolKey(e.ctx)
		if err != nil {
			return err
		}
		res, err := c.EnrollAs(e.ctx, pos.EnrollRequest{Code: *code, Name: *name, Key: key})
		if err != nil {
			return err
		}
		if err := d.Join(e.ctx, c.Server(), res); err != nil {
			return err
		}
		if e.json {
			e.printJSON(map[string]string{"server": c.Server(), "store": res.Store, "terminal": res.TerminalID})
			return nil
		}
		fmt.Fprintf(e.stdout, "joined %s as terminal %s of store %s\nrun `keytag sync` (or open the window) to send this terminal's records and fetch the customers\n",
			c.Server(), res.TerminalID, res.Store)
		return nil
	})
}

// mayRejoin refuses to enrol a terminal already joined to a server unless
// it is the same server and that server refuses the terminal's token: its
// records (the outbox, carried over by sqlite's Enroll) belong there.
func (e *env) mayRejoin(d *sqlite.DB, id sqlite.Identity, server string) error {
	if server != id.Server {
		return pos.Errorf(pos.EConflict, "this terminal is already joined to %s as terminal %s: its records belong there, not to %s", id.Server, id.Terminal, server)
	}
	st, err := d.SyncState(e.ctx)
	if err != nil {
		return err
	}
	old, err := client.New(id.Server, st.Token, client.Options{})
	if err != nil {
		return err
	}
	_, err = old.Pull(e.ctx, st.Cursor, 1)
	var he *client.HTTPError
	switch {
	case err == nil:
		return pos.Errorf(pos.EConflict, "this terminal is already joined to %s as terminal %s and its token still works: nothing to do (keytag sync sends its records)", id.Server, id.Terminal)
	case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
		return nil
	default:
		return pos.Errorf(pos.ENeedsServer, "cannot ask %s whether this terminal's token still works (%s): nothing was changed; try again when it answers", id.Server, worker.Describe(err))
	}
}

// runSync runs the sync worker until SIGINT/SIGTERM, or one round with
// --once.
func runSync(e *env, args []string) int {
	fs := newFlags("sync")
	once := fs.Bool("once", false, "")
	interval := fs.Duration("interval", 30*time.Second, "")
	verbose := fs.Bool("verbose", false, "")
	batch := fs.Int("batch", 500, "")
	page := fs.Int("page", 2000, "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *batch < 1 || *batch > 2000 || *page < 1 || *page > 5000 {
		return e.usage("--batch takes 1 to 2000 records, --page 1 to 5000 changes")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		w, err := e.newWorker(d, level, worker.Options{Interval: *interval, BatchSize: *batch, PullLimit: *page})
		if err != nil {
			return err
		}
		if *once {
			err := w.SyncOnce(e.ctx)
			st := w.Status()
			if err != nil {
				return pos.Errorf(pos.ENeedsServer, "sync failed: %s (%d records wait to be sent)", worker.Describe(err), st.Waiting)
			}
			return e.printStatus(d, st, false)
		}
		w.Start(e.ctx)
		<-e.ctx.Done()
		w.Stop()
		if !e.json {
			fmt.Fprintf(e.stdout, "stopped; %d records wait to be sent\n", w.Status().Waiting)
		}
		return nil
	})
}

// newWorker builds the sync worker of an enrolled terminal database (the
// server and token are the ones `keytag enroll` stored), logging to stderr
// at level and stamping with the terminal's clock: for `keytag sync` and
// the window.
func (e *env) newWorker(d *sqlite.DB, level slog.Level, o worker.Options) (*worker.Worker, error) {
	o.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	o.Clock = e.clock
	// Online, a change made elsewhere reaches this till at once.
	o.LongPoll = httpLongPoll
	return worker.New(d, o)
}

// httpLongPoll is how long the worker holds its pull open: keytagd's
// most (sync/httpapi.MaxPullWait, which the terminal does not link).
const httpLongPoll = 25 * time.Second

// statusView is `keytag status --json`.
type statusView struct {
	pos.SyncStatus
	Terminal string `json:"terminal,omitempty"`
	Store    string `json:"store,omitempty"`
	// Acked is the server's word on how many of our records it holds.
	Acked int64 `json:"acked"`
	// Head is the server's latest sequence as last seen (0: unknown), so
	// cursor/head is the bootstrap progress.
	Head   int64 `json:"head"`
	Pulled int64 `json:"pulled"`
	// OfflineBudget lists the accounts that have redeemed points here that
	// the server has not confirmed yet.
	OfflineBudget     []sqlite.AccountBudget `json:"offline_budget"`
	OfflineBudgetUsed int64                  `json:"offline_budget_used"`
	Conflicts         []sqlite.SyncConflict  `json:"conflicts,omitempty"`
	// Restores is what this terminal noticed of the server being
	// restored from a backup.
	Restores sqlite.RestoreNote `json:"restores"`
}

func runStatus(e *env, args []string) int {
	fs := newFlags("status")
	conflicts := fs.Bool("conflicts", false, "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		st, err := worker.ReadStatus(e.ctx, d)
		if err != nil {
			return err
		}
		return e.printStatus(d, st, *conflicts)
	})
}

func (e *env) printStatus(d *sqlite.DB, st pos.SyncStatus, conflicts bool) error {
	id, err := d.Identity(e.ctx)
	if err != nil {
		return err
	}
	ss, err := d.SyncState(e.ctx)
	if err != nil {
		return err
	}
	v := statusView{SyncStatus: st, Terminal: id.Terminal, Store: id.Store, Acked: ss.Acked, Head: ss.Head, Pulled: ss.Pulled}
	if v.Restores, err = d.Restores(e.ctx); err != nil {
		return err
	}
	if v.OfflineBudget, err = d.OfflineBudgets(e.ctx); err != nil {
		return err
	}
	if v.OfflineBudget == nil {
		v.OfflineBudget = []sqlite.AccountBudget{}
	}
	for _, b := range v.OfflineBudget {
		v.OfflineBudgetUsed += b.Used
	}
	if conflicts {
		if v.Conflicts, err = d.SyncConflicts(e.ctx); err != nil {
			return err
		}
		if v.Conflicts == nil {
			v.Conflicts = []sqlite.SyncConflict{}
		}
	}
	if e.json {
		e.printJSON(v)
		return nil
	}
	w := e.stdout
	if st.Server == "" {
		fmt.Fprintln(w, "server:        none (this terminal keeps its own ledger; keytag enroll joins it to a server)")
	} else {
		state := "offline"
		if st.Online {
			state = "online"
		}
		if !st.Online && !st.OfflineSince.IsZero() {
			state += " since " + st.OfflineSince.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "server:        %s (terminal %s, store %s)\n", st.Server, id.Terminal, id.Store)
		fmt.Fprintf(w, "state:         %s (as of the last sync round)\n", state)
		last := "never"
		if !st.LastSuccess.IsZero() {
			last = st.LastSuccess.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "last success:  %s\n", last)
	}
	fmt.Fprintf(w, "waiting:       %d records to send\n", st.Waiting)
	if st.LastError != "" {
		fmt.Fprintf(w, "last error:    %s\n", st.LastError)
	}
	if !v.Restores.Seen.IsZero() {
		fmt.Fprintf(w, "server restore: the server was restored from a backup (noticed %s); this terminal sent %d of its records again and pulled everything anew. Web-shop orders placed after the backup must be posted again by the web shop.\n",
			v.Restores.Seen.Local().Format("2006-01-02 15:04:05"), v.Restores.Resent)
		if v.Restores.Lost > 0 {
			fmt.Fprintf(w, "lost in restore: %d entries this terminal held are no longer on the server; they were taken out of this terminal's balances and reported to keytagd (keytagd flags, code %s) for the operator to post again\n",
				v.Restores.Lost, pos.FlagRestoreLost)
		}
	}
	if st.Bootstrapping {
		progress := fmt.Sprintf("%d changes pulled", ss.Pulled)
		if ss.Head > 0 {
			progress += fmt.Sprintf(" (%d%%)", min(100, 100*ss.Cursor/ss.Head))
		}
		fmt.Fprintf(w, "bootstrap:     in progress, %s; the terminal works meanwhile under the offline rules\n", progress)
	}
	if len(v.OfflineBudget) == 0 {
		fmt.Fprintln(w, "offline budget: none used")
	} else {
		fmt.Fprintf(w, "offline budget: %d points redeemed here not yet confirmed by the server\n", v.OfflineBudgetUsed)
		for _, b := range v.OfflineBudget {
			fmt.Fprintf(w, "  %-40s %s  %d of %d\n", b.Account, b.Email, b.Used, b.Cap)
		}
	}
	if conflicts {
		if len(v.Conflicts) == 0 {
			fmt.Fprintln(w, "conflicts:     none")
		} else {
			fmt.Fprintf(w, "conflicts:     %d\n", len(v.Conflicts))
			for _, c := range v.Conflicts {
				fmt.Fprintf(w, "  #%d %s %s %s %s: %s\n", c.Seq, c.Kind, c.ID, c.Status, c.Code, strings.TrimSpace(c.Reason))
			}
		}
	}
	return nil
}
