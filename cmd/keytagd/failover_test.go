package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

// pgCluster is a PostgreSQL server of the test's own, started from
// Debian's binaries (as the postgres user when the test runs as root:
// PostgreSQL refuses to run as root).
type pgCluster struct {
	t        *testing.T
	bin, dir string
	port     int
	runAs    string
}

// pgBinDir is the newest /usr/lib/postgresql/*/bin with the programs a
// primary and its standby need, or "" when PostgreSQL is not installed.
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) < pgMajor(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		ok := true
		for _, p := range []string{"initdb", "pg_ctl", "pg_basebackup", "postgres"} {
			if _, err := os.Stat(filepath.Join(dirs[i], p)); err != nil {
				ok = false
			}
		}
		if ok {
			return dirs[i]
		}
	}
	return ""
}

func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// run runs a PostgreSQL program as the server's user.
func (c *pgCluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	cmd := exec.Command(path, args...)
	if c.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, out)
	}
	return nil
}

func freePort(t *testing.T) int {
	_, p, _ := net.SplitHostPort(freeAddr(t))
	n, _ := strconv.Atoi(p)
	return n
}

// pgBase makes the folder both clusters live in, owned by the server's
// user, removed (after the servers are stopped) when the test ends.
func pgBase(t *testing.T) (bin, base, runAs string) {
	bin = pgBinDir()
	if bin == "" {
		t.Skip("PostgreSQL failover test skipped: no initdb, pg_ctl and pg_basebackup under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
	}
	base, err := os.MkdirTemp("/tmp", "keytag-failover-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("PostgreSQL failover test skipped: running as root and there is no postgres user to run the servers as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(base, uid, gid); err != nil {
			t.Fatal(err)
		}
		runAs = "postgres"
	}
	return bin, base, runAs
}

// start starts the cluster in c.dir on loopback with the settings given.
func (c *pgCluster) start(settings ...string) {
	c.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s", c.port, filepath.Dir(c.dir))
	for _, s := range settings {
		opts += " -c " + s
	}
	if err := c.run("pg_ctl", "-D", c.dir, "-l", c.dir+".log", "-w", "-t", "60", "start", "-o", opts); err != nil {
		log, _ := os.ReadFile(c.dir + ".log")
		c.t.Fatalf("%v\n%s", err, log)
	}
	c.t.Cleanup(func() { c.run("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop") })
}

// TestFailoverToASynchronousStandby serves keytagd on a primary with a
// synchronous streaming standby, through a multi-host URL; pushes all
// the while; stops the primary hard and promotes the standby. keytagd
// finds the new primary by itself, the terminal's retries are stored
// once, and every record the server acknowledged before the failover is
// on the promoted standby.
func TestFailoverToASynchronousStandby(t *testing.T) {
	bin, base, runAs := pgBase(t)
	keytagd := buildKeytagd(t)
	primary := &pgCluster{t: t, bin: bin, dir: filepath.Join(base, "primary"), port: freePort(t), runAs: runAs}
	standby := &pgCluster{t: t, bin: bin, dir: filepath.Join(base, "standby"), port: freePort(t), runAs: runAs}

	// fsync is off to keep the test quick: the machine does not crash
	// here, the primary's server process is killed, so what reached the
	// standby's operating system survives.
	if err := primary.run("initdb", "-D", primary.dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatal(err)
	}
	primary.start("wal_level=replica", "max_wal_senders=4", "synchronous_standby_names='*'", "synchronous_commit=on", "fsync=off")
	if err := standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port), "-U", "postgres",
		"-D", standby.dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"); err != nil {
		t.Fatal(err)
	}
	standby.start("fsync=off", "hot_standby=on")

	url := func(hosts ...int) string {
		var hs []string
		for _, p := range hosts {
			hs = append(hs, fmt.Sprintf("127.0.0.1:%d", p))
		}
		return "postgres://postgres@" + strings.Join(hs, ",") + "/postgres?sslmode=disable&target_session_attrs=read-write&connect_timeout=3"
	}
	dbURL := url(primary.port, standby.port)
	waitSync(t, url(primary.port))

	code := adminCmd(t, keytagd, "--db", dbURL, "terminal", "add", "--store", "S1", "--name", "till")
	// A store of the test's own on the same URL listens for changes as
	// keytagd does: after the failover it must hear commits on the new
	// primary.
	watch, err := ledgerdb.OpenPostgres(context.Background(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	listening(t, watch)
	p := startProc(t, keytagd, dbURL)
	token := enrol(t, p.url, code)

	// The terminal: batch after batch, each pushed until the server
	// answers it, the same records again after a failure (as the worker
	// does), remembering every record the server acknowledged. After the
	// fourth the primary dies and the standby is promoted while the
	// terminal keeps pushing; it goes on until three more batches have
	// gone to the promoted standby.
	const failAfter, afterPromotion = 4, 3
	var acked []pos.Record
	want := map[string]int64{}
	seq := int64(0)
	promoted := make(chan struct{})
	failures, sincePromotion := 0, 0
	for b := 0; sincePromotion < afterPromotion; b++ {
		var accts []string
		emails := map[string]string{}
		for j := range 5 {
			a := fmt.Sprintf("acct-%d-%d", b, j)
			accts = append(accts, a)
			emails[a] = a + "@example.com"
		}
		recs, w := tillBatch("S1", accts, emails, seq)
		seq += int64(len(recs))
		deadline := time.Now().Add(60 * time.Second)
		for {
			res, err := pushBatch(p.url, token, recs)
			if err == nil && res.Acked == seq {
				break
			}
			if err == nil {
				t.Fatalf("batch %d: acked %d, want %d", b, res.Acked, seq)
			}
			failures++
			if time.Now().After(deadline) {
				t.Fatalf("batch %d: keytagd still fails a minute after the failover: %v", b, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		acked = append(acked, recs...)
		for a, pts := range w {
			want[a] = pts
		}
		select {
		case <-promoted:
			sincePromotion++
		default:
		}
		if b == failAfter-1 {
			go func() {
				defer close(promoted)
				if err := primary.run("pg_ctl", "-D", primary.dir, "-m", "immediate", "-w", "stop"); err != nil {
					t.Error(err)
					return
				}
				if err := standby.run("pg_ctl", "-D", standby.dir, "-w", "promote"); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	t.Logf("%d records acknowledged (the last numbered %d); %d pushes failed during the failover and were sent again", len(acked), seq, failures)

	// The listener found the promoted standby through the multi-host URL.
	heard := listening(t, watch)
	more, _ := tillBatch("S1", []string{"acct-after"}, map[string]string{"acct-after": "after@example.com"}, seq)
	if _, err := pushBatch(p.url, token, more); err != nil {
		t.Fatal(err)
	}
	select {
	case <-heard:
	case <-time.After(30 * time.Second):
		t.Error("a push committed on the promoted standby was never heard by a listener on the multi-host URL")
	}
	acked = append(acked, more...)

	// Everything, read on the promoted standby alone.
	store, err := ledgerdb.OpenPostgres(context.Background(), url(standby.port), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ids := make([]any, len(acked))
	for i, r := range acked {
		ids[i] = r.ID
	}
	var found int
	in := "$" + strconv.Itoa(1)
	for i := 2; i <= len(ids); i++ {
		in += ", $" + strconv.Itoa(i)
	}
	err = store.SQL().QueryRow(`SELECT (SELECT count(*) FROM entries WHERE id IN (`+in+`)) + (SELECT count(*) FROM records WHERE id IN (`+in+`))`, ids...).Scan(&found)
	if err != nil {
		t.Fatal(err)
	}
	if found != len(acked) {
		t.Errorf("the promoted standby holds %d of the %d records the server acknowledged", found, len(acked))
	}
	if ms, err := store.Verify(context.Background()); err != nil || len(ms) > 0 {
		t.Errorf("balances that are not the sum of their entries: %+v %v", ms, err)
	}
	for a, pts := range want {
		v, err := store.AccountByID(context.Background(), a)
		if err != nil || v.Balance.Available != pts {
			t.Errorf("%s: %+v %v, want %d available: lost or counted twice across the failover", a, v.Balance, err, pts)
		}
	}
}

// waitSync waits until the primary at url has a synchronous standby
// streaming from it.
func waitSync(t *testing.T, url string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby never became synchronous")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listening returns s's Changed channel once s listens on the database.
func listening(t *testing.T, s *ledgerdb.Store) <-chan struct{} {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		ch, live := s.Changed()
		if live {
			return ch
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("the store never (again) listened for changes")
		}
	}
}
