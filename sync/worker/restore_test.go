package worker_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"keytag/pos"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/worker"
)

// restorable is a server database that a test can back up and restore
// while keytagd is stopped, as an operator would.
type restorable struct {
	db              string // keytagd's --db
	open            func() *sql.DB
	backup, restore func()
}

func sqliteRestorable(t *testing.T) restorable {
	dir := t.TempDir()
	path, bak := filepath.Join(dir, "keytagd.db"), filepath.Join(dir, "backup.db")
	copyAll := func(from, to string) {
		for _, sfx := range []string{"", "-wal", "-shm"} {
			copyFile(t, from+sfx, to+sfx)
		}
	}
	return restorable{db: path,
		open: func() *sql.DB {
			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		backup:  func() { copyAll(path, bak) },
		restore: func() { copyAll(bak, path) }}
}

// postgresRestorable backs the schema's tables up into bak_ copies and
// restores them over the originals.
func postgresRestorable(t *testing.T) restorable {
	url := ledgerdbtest.PostgresURL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	tables := func() []string {
		rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'bak\_%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	exec := func(conn *sql.Conn, q string) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return restorable{db: url,
		open: func() *sql.DB { return db },
		backup: func() {
			conn, _ := db.Conn(ctx)
			defer conn.Close()
			for _, n := range tables() {
				exec(conn, fmt.Sprintf(`DROP TABLE IF EXISTS bak_%s; CREATE TABLE bak_%s AS TABLE %s`, n, n, n))
			}
		},
		restore: func() {
			conn, _ := db.Conn(ctx)
			defer conn.Close()
			ts := tables()
			exec(conn, `SET session_replication_role = replica`)
			exec(conn, `TRUNCATE `+strings.Join(ts, ", ")+` CASCADE`)
			for _, n := range ts {
				exec(conn, fmt.Sprintf(`INSERT INTO %s SELECT * FROM bak_%s`, n, n))
			}
			exec(conn, `SET session_replication_role = DEFAULT`)
		}}
}

// The server comes back from a backup older than what three terminals
// hold, one of them idle through it. The others send again what the
// server lost, a new sale takes a sequence number the idle terminal has
// already passed, and the idle terminal still ends equal to the server
// (its cursor's change is not the one it applied there, so it pulls
// again from the start); every terminal reports the restore.
func TestIdleTerminalNoticesServerRestore(t *testing.T) {
	for name, mk := range map[string]func(*testing.T) restorable{"sqlite": sqliteRestorable, "postgres": postgresRestorable} {
		t.Run(name, func(t *testing.T) {
			b := mk(t)
			srv := startKeytagd(t, b.db)
			p := newProxy(t)
			p.to(srv)
			dir := t.TempDir()
			var terms []*terminal
			var ws []*worker.Worker
			for i := range 3 {
				tm := newTerminal(t, dir, fmt.Sprintf("till%d", i+1))
				code := srv.admin("terminal", "add", "--store", "S1", "--name", fmt.Sprintf("till%d", i+1))
				tm.cli("enroll", "--server", p.URL, "--code", code)
				tm.reopen()
				terms = append(terms, tm)
				ws = append(ws, tm.worker(worker.Options{}))
			}
			t1, t2, t3 := terms[0], terms[1], terms[2]
			round := func(which ...int) {
				t.Helper()
				for _, i := range which {
					settle(t, terms[i], ws[i])
				}
			}
			tag := newTag(t)
			t1.enrol("dana@example.com", "Dana Park", tag)
			t1.mustSell(tag, 10000, 0)
			round(0, 1, 2)

			srv.stop()
			b.backup()
			srv.start()
			p.to(srv)

			// What the backup will not hold: a sale and a web-shop order
			// every terminal pulls.
			t1.mustSell(tag, 1000, 0)
			shop := srv.admin("token", "add", "--role", "webshop", "--name", "shop")
			order := []byte(`{"order_id":"W-1","email":"dana@example.com","lines":[{"sku":"MUG","qty":1,"unit_price":500}],"shipping":0,"tenders":[{"type":"card","amount":500}]}`)
			postOrder := func() {
				t.Helper()
				req, _ := http.NewRequest("POST", p.URL+"/v1/orders", bytes.NewReader(order))
				req.Header.Set("Authorization", "Bearer "+shop)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("web-shop order: %d", resp.StatusCode)
				}
			}
			postOrder()
			// A second order the web shop will not post again: after the
			// restore the terminals hold its points, the server does not.
			lostOrder := []byte(`{"order_id":"W-2","email":"dana@example.com","lines":[{"sku":"CUP","qty":1,"unit_price":300}],"shipping":0,"tenders":[{"type":"card","amount":300}]}`)
			req, _ := http.NewRequest("POST", p.URL+"/v1/orders", bytes.NewReader(lostOrder))
			req.Header.Set("Authorization", "Bearer "+shop)
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("web-shop order W-2: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			round(0, 1, 2)

			srv.stop()
			b.restore()
			srv.start()
			p.to(srv)
			// The README's step 4: the web shop posts again what it
			// placed after the backup (its token too was lost).
			shop = srv.admin("token", "add", "--role", "webshop", "--name", "shop")
			postOrder()

			// Terminal 3 is idle. Terminal 2 sells first, so its sale
			// takes the number terminal 3's cursor stands on; then
			// terminal 1 sends again the sale the server lost.
			t2.mustSell(tag, 700, 0)
			round(1, 0)
			round(2, 0, 1, 2)
			converged(t, b.open(), t1, t2, t3)
			a, err := t3.DB.FindAccount(context.Background(), tag)
			if err != nil {
				t.Fatal(err)
			}
			if a.Balance.Available != 100+100+10+7 || a.Balance.Pending != 5 {
				t.Errorf("the idle terminal has %+v, want 217 available and the order's 5 pending", a.Balance)
			}
			for i, tm := range terms {
				out := tm.cli("status")
				if !strings.Contains(out, "restored from a backup") {
					t.Errorf("terminal %d's status does not report the restore:\n%s", i+1, out)
				}
				// W-2's 3 pending points: held by every terminal, lost by
				// the server, set aside and reported.
				if !strings.Contains(out, "lost in restore: 1 entries") {
					t.Errorf("terminal %d's status does not report the entry the server lost:\n%s", i+1, out)
				}
			}
			// The flags an operator sees: W-2's entry, still missing. (A
			// terminal that caught up before terminal 1 sent its sale again
			// reported that entry too; it is back, so it is not listed.)
			admin := srv.admin("token", "add", "--role", "admin", "--name", "ops")
			req, _ = http.NewRequest("GET", p.URL+"/v1/admin/flags?code=restore_lost", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var flags struct{ Flags []pos.Flag }
			err = json.NewDecoder(resp.Body).Decode(&flags)
			resp.Body.Close()
			if err != nil || len(flags.Flags) != 1 || !strings.Contains(flags.Flags[0].Detail, "3 points pending") {
				t.Errorf("restore_lost flags = %+v (%v), want one for W-2's 3 pending points", flags.Flags, err)
			}
		})
	}
}
