// Command keytagd is the central server: the HTTP API, the ledger of
// record, the web-shop integration, and the admin subcommands that make
// enrolment codes and tokens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/sync/httpapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	os.Exit(m.Execute(ctx, os.Args[1:]))
}

const usage = `keytagd — the keytag central server

Usage:
  keytagd [--listen ADDR] [--db PATH|postgres://…] [--tls-cert F --tls-key F]
          [--admin-listen ADDR] [--smtp-addr HOST:PORT --smtp-from ADDR]
                                                     serve the API
  keytagd terminal add --store S --name N            make a one-time enrolment code
  keytagd terminal revoke ID                         revoke a terminal and its token
  keytagd terminal list                              list terminals
  keytagd token add --role webshop|manager|admin --name N    make a token (shown once)
  keytagd token revoke ID|NAME                       revoke a webshop or admin token
  keytagd gift add --name N --cost POINTS --stock N  add a redemption gift
  keytagd gift set ID [--name N] [--cost P] [--stock N] [--active true|false]
  keytagd gift list                                  list the gift catalog
  keytagd product add --sku SKU --barcode CODE [--barcode CODE…] --name NAME
          --price 12.34 [--tax-class NAME] [--no-earn]
                                                     add a product (terminals pull it)
  keytagd product import FILE.csv                    add or update products from
                                                     sku,barcode,name,price,tax_class,earns
  keytagd product show CODE [--json]                 a product by barcode or SKU
  keytagd product list [--json]                      the product catalog
  keytagd program show [--json]                      the program settings and their version
  keytagd program set KEY=VALUE…                     change settings (a new version; terminals pull it)
  keytagd migrate                                    bring the database schema up to date
  keytagd report liability [--csv]                   points owed, available and pending, and their value per store
  keytagd report daily --from YYYY-MM-DD --to YYYY-MM-DD [--csv]
                                                     earned, redeemed, returns, sign-ups, birthday gifts per store per day (UTC)
  keytagd export accounts|entries [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                                                     CSV on standard output (RFC 4180)

With --admin-listen, /metrics (and /healthz) are served there, plain HTTP, and
/metrics leaves the main listener; without it, /metrics needs an admin token. Flags may stand before or after the subcommand. --db defaults to keytagd.db in
the working directory (also KEYTAGD_DB). Codes and tokens stand alone on the
last line of standard output; advice goes to standard error. SMTP credentials,
when the relay needs them, come from KEYTAGD_SMTP_USER and KEYTAGD_SMTP_PASSWORD.

Exit status: 0 success, 1 refused or failed, 2 usage error.
`

// Main is the program, so that end-to-end tests run it as main does.
type Main struct {
	Stdout, Stderr io.Writer
	Clock          pos.Clock
	Logger         *slog.Logger
	// JobInterval is how often the birthday and gift-lapse jobs run
	// (they also run at start).
	JobInterval time.Duration
	// EmailInterval is how often queued receipt emails are looked at
	// (default 10 s; also at start).
	EmailInterval time.Duration
	// Ready, if set, is closed once the server listens.
	Ready chan struct{}

	cmd      []string
	db       string
	listen   string
	adminLn  string
	tlsCert  string
	tlsKey   string
	smtpAddr string
	smtpFrom string
	store_   string
	name     string
	role     string
	cost     string
	stock    string
	active   string
	sku      string
	price    string
	taxClass string
	barcodes listFlag
	noEarn   bool
	json     bool
	from     string
	to       string
	csv      bool

	store     *ledgerdb.Store
	addr      net.Addr
	adminAddr net.Addr
}

// NewMain returns a Main writing to the process's stdout and stderr.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Clock: pos.SystemClock{}, JobInterval: time.Hour}
}

// usageError is a command line that makes no sense: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Execute parses args, runs, and returns the exit status.
func (m *Main) Execute(ctx context.Context, args []string) int {
	err := m.ParseFlags(ctx, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(m.Stdout, usage)
		return 0
	}
	if err == nil {
		err = m.Run(ctx)
		if cerr := m.Close(); err == nil {
			err = cerr
		}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "keytagd: %s (see keytagd --help)\n", ue.msg)
		return 2
	default:
		fmt.Fprintf(m.Stderr, "keytagd: %s\n", oneLine(err))
		return 1
	}
}

func oneLine(err error) string {
	msg := err.Error()
	if code := pos.ErrorCode(err); code != pos.EInternal {
		msg = pos.ErrorMessage(err)
	}
	return strings.Join(strings.Fields(msg), " ")
}

// commands lists every subcommand and the flags it takes, besides --db.
var commands = map[string][]string{
	"":                 {"listen", "admin-listen", "tls-cert", "tls-key", "smtp-addr", "smtp-from"},
	"serve":            {"listen", "admin-listen", "tls-cert", "tls-key", "smtp-addr", "smtp-from"},
	"terminal add":     {"store", "name"},
	"terminal revoke":  {},
	"terminal list":    {},
	"token add":        {"role", "name"},
	"token revoke":     {},
	"gift add":         {"name", "cost", "stock"},
	"gift set":         {"name", "cost", "stock", "active"},
	"gift list":        {},
	"product add":      {"sku", "barcode", "name", "price", "tax-class", "no-earn", "json"},
	"product import":   {"json"},
	"product show":     {"json"},
	"product list":     {"json"},
	"program show":     {"json"},
	"program set":      {"json"},
	"migrate":          {},
	"report liability": {"csv"},
	"report daily":     {"from", "to", "csv"},
	"export accounts":  {"from", "to"},
	"export entries":   {"from", "to"},
}

// argCount is how many arguments a subcommand takes after its words.
// -1 is one or more.
var argCount = map[string]int{"terminal revoke": 1, "token revoke": 1, "gift set": 1,
	"product import": 1, "product show": 1, "program set": -1}

// ParseFlags reads the command line. Flags may stand anywhere.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("keytagd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbDefault := "keytagd.db"
	if v := os.Getenv("KEYTAGD_DB"); v != "" {
		dbDefault = v
	}
	fs.StringVar(&m.db, "db", dbDefault, "")
	fs.StringVar(&m.listen, "listen", "127.0.0.1:8700", "")
	fs.BoolVar(&m.csv, "csv", false, "")
	// Every other flag is a string that defaults to empty.
	for name, dst := range map[string]*string{
		"admin-listen": &m.adminLn, "tls-cert": &m.tlsCert, "tls-key": &m.tlsKey,
		"smtp-addr": &m.smtpAddr, "smtp-from": &m.smtpFrom, "store": &m.store_, "name": &m.name,
		"role": &m.role, "cost": &m.cost, "stock": &m.stock, "active": &m.active,
		"sku": &m.sku, "price": &m.price, "tax-class": &m.taxClass,
		"from": &m.from, "to": &m.to,
	} {
		fs.StringVar(dst, name, "", "")
	}
	fs.Var(&m.barcodes, "barcode", "")
	fs.BoolVar(&m.noEarn, "no-earn", false, "")
	fs.BoolVar(&m.json, "json", false, "")
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	cmd, rest := "", words
	for n := min(2, len(words)); n >= 1; n-- {
		if _, ok := commands[strings.Join(words[:n], " ")]; ok {
			cmd, rest = strings.Join(words[:n], " "), words[n:]
			break
		}
	}
	if cmd == "" && len(words) > 0 {
		return usageError{fmt.Sprintf("unknown command %q", strings.Join(words, " "))}
	}
	if n := argCount[cmd]; n == -1 && len(rest) == 0 {
		return usageError{fmt.Sprintf("%q takes one or more arguments", cmd)}
	} else if n != -1 && len(rest) != n {
		return usageError{fmt.Sprintf("%q takes %d argument(s), got %d", cmd, argCount[cmd], len(rest))}
	}
	allowed := map[string]bool{"db": true}
	for _, f := range commands[cmd] {
		allowed[f] = true
	}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if !allowed[f.Name] && bad == nil {
			bad = usageError{fmt.Sprintf("--%s does not apply to %q", f.Name, cmdName(cmd))}
		}
	})
	if bad != nil {
		return bad
	}
	if (m.tlsCert == "") != (m.tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}
	if (m.smtpAddr == "") != (m.smtpFrom == "") {
		return usageError{"--smtp-addr and --smtp-from go together"}
	}
	m.cmd = append([]string{cmd}, rest...)
	return nil
}

func cmdName(cmd string) string {
	if cmd == "" {
		return "serve"
	}
	return cmd
}

// open opens the database --db names: PostgreSQL for a postgres:// URL,
// SQLite otherwise.
func (m *Main) open(ctx context.Context) error {
	var err error
	if strings.HasPrefix(m.db, "postgres://") || strings.HasPrefix(m.db, "postgresql://") {
		m.store, err = ledgerdb.OpenPostgres(ctx, m.db, m.Clock)
	} else {
		m.store, err = ledgerdb.OpenSQLite(ctx, m.db, m.Clock)
	}
	return err
}

// Run does the command; serving runs until ctx is cancelled.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewJSONHandler(m.Stderr, nil))
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	cmd, args := m.cmd[0], m.cmd[1:]
	switch cmd {
	case "", "serve":
		return m.serve(ctx)
	case "report liability", "report daily", "export accounts", "export entries":
		return m.report(ctx, cmd)
	case "migrate":
		fmt.Fprintf(m.Stderr, "database is up to date (epoch %s)\n", m.store.Epoch())
		return nil
	case "terminal add":
		id, code, err := m.store.AddTerminal(ctx, m.store_, m.name)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "terminal %s for store %s: enrol it within %s with: keytag enroll --server URL --code CODE\n", id, m.store_, ledgerdb.EnrolCodeTTL)
		fmt.Fprintln(m.Stdout, code)
		return nil
	case "terminal revoke":
		if err := m.store.RevokeTerminal(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "terminal %s revoked: its token no longer works\n", args[0])
		return nil
	case "terminal list":
		ts, err := m.store.Terminals(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "waiting for enrolment"
			switch {
			case !t.RevokedAt.IsZero():
				state = "revoked"
			case !t.EnrolledAt.IsZero():
				state = "enrolled"
			}
			fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\tacked %d\n", t.ID, t.Store, t.Name, state, t.Acked)
		}
		return nil
	case "token add":
		role, err := pos.ParseTokenRole(m.role)
		if err != nil {
			return usageError{pos.ErrorMessage(err)}
		}
		id, token, err := m.store.AddToken(ctx, role, m.name)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "%s token %s (%s); it is shown once: keep it safe, revoke with: keytagd token revoke %s\n", role, id, m.name, id)
		fmt.Fprintln(m.Stdout, token)
		return nil
	case "token revoke":
		n, err := m.store.RevokeToken(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "%d token(s) revoked\n", n)
		return nil
	case "gift add":
		cost, err1 := strconv.ParseInt(m.cost, 10, 64)
		stock, err2 := strconv.ParseInt(m.stock, 10, 64)
		if err1 != nil || err2 != nil {
			return usageError{"gift add needs --cost POINTS and --stock N as whole numbers"}
		}
		g, err := m.store.AddGift(ctx, pos.Gift{Name: m.name, Cost: cost, Stock: stock})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "gift %q costs %d points, %d in stock\n", g.Name, g.Cost, g.Stock)
		fmt.Fprintln(m.Stdout, g.ID)
		return nil
	case "gift set":
		var u pos.GiftUpdate
		if m.name != "" {
			u.Name = &m.name
		}
		for _, f := range []struct {
			s   string
			dst **int64
		}{{m.cost, &u.Cost}, {m.stock, &u.Stock}} {
			if f.s != "" {
				n, err := strconv.ParseInt(f.s, 10, 64)
				if err != nil {
					return usageError{fmt.Sprintf("%q is not a whole number", f.s)}
				}
				*f.dst = &n
			}
		}
		if m.active != "" {
			b, err := strconv.ParseBool(m.active)
			if err != nil {
				return usageError{"--active takes true or false"}
			}
			u.Active = &b
		}
		g, err := m.store.SetGift(ctx, args[0], u)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s\t%s\t%d points\t%d in stock\tactive %t\n", g.ID, g.Name, g.Cost, g.Stock, g.Active)
		return nil
	case "gift list":
		gs, err := m.store.Gifts(ctx, true)
		if err != nil {
			return err
		}
		for _, g := range gs {
			fmt.Fprintf(m.Stdout, "%s\t%s\t%d points\t%d in stock\tactive %t\n", g.ID, g.Name, g.Cost, g.Stock, g.Active)
		}
		return nil
	}
	if ok, err := m.runCatalog(ctx, cmd, args); ok {
		return err
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// Addr is where the server listens, once Ready is closed.
func (m *Main) Addr() net.Addr { return m.addr }

// AdminAddr is where the admin listener listens (nil without one).
func (m *Main) AdminAddr() net.Addr { return m.adminAddr }

// Store is the open store (for tests).
func (m *Main) Store() *ledgerdb.Store { return m.store }

// serve answers the API until ctx is cancelled, then lets requests in
// flight finish.
func (m *Main) serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", m.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.listen, err)
	}
	m.addr = ln.Addr()
	api := httpapi.New(m.store, m.Logger)
	// Before the first request: every pull names this start.
	if err := m.store.Started(ctx); err != nil {
		ln.Close()
		return err
	}
	handler := api.Handler()
	var adminSrv *http.Server
	if m.adminLn != "" {
		aln, err := net.Listen("tcp", m.adminLn)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", m.adminLn, err)
		}
		m.adminAddr = aln.Addr()
		handler = api.PublicHandler()
		adminSrv = &http.Server{Handler: api.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
		go adminSrv.Serve(aln)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	jobs := &jobs{store: m.store, log: m.Logger, clock: m.Clock, mail: m.mailer()}
	jobCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		jobs.loop(jobCtx, m.JobInterval)
	}()
	// On PostgreSQL, start listening for other processes' commits now,
	// not at the first long-poll: a pull held then hears them at once.
	m.store.Changed()
	emailDone := make(chan struct{})
	if ml := m.mailer(); ml != nil {
		sender := &receiptSender{store: m.store, mail: ml, clock: m.Clock, log: m.Logger}
		go func() {
			defer close(emailDone)
			sender.loop(jobCtx, m.EmailInterval)
		}()
	} else {
		close(emailDone)
		m.Logger.Info("email is off: no --smtp-addr, so receipt emails wait in the queue until keytagd runs with one")
	}
	errc := make(chan error, 1)
	go func() {
		if m.tlsCert != "" {
			errc <- srv.ServeTLS(ln, m.tlsCert, m.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	m.Logger.Info("serving", "addr", m.addr.String(), "db", m.store.Dialect().Name, "epoch", m.store.Epoch(), "tls", m.tlsCert != "")
	if m.Ready != nil {
		close(m.Ready)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	m.Logger.Info("shutting down: letting requests in flight finish")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if adminSrv != nil {
		adminSrv.Shutdown(shutCtx)
	}
	stopJobs()
	<-jobsDone
	<-emailDone
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	return err
}

// Close closes the database.
func (m *Main) Close() error {
	if m.store == nil {
		return nil
	}
	err := m.store.Close()
	m.store = nil
	return err
}
