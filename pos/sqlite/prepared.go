package sqlite

import (
	"context"
	"database/sql"
)

// prep runs statements through ones prepared once and kept for the life
// of the database (database/sql prepares each on a connection the first
// time that connection needs it). SQLite's parser costs more than most of
// the statements it parses: before, a third of a checkout went to parsing
// its dozen statements anew every time. With tx nil the statements run on
// the pool.
func (d *DB) prep(tx *sql.Tx) queryer { return preparedQueryer{d: d, tx: tx} }

type preparedQueryer struct {
	d  *DB
	tx *sql.Tx
}

// stmt returns query's statement, in the transaction when there is one.
func (p preparedQueryer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s, err := p.d.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.tx != nil {
		return p.tx.StmtContext(ctx, s), nil
	}
	return s, nil
}

func (p preparedQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (p preparedQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (p preparedQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil {
		// A *sql.Row cannot be made with an error; the plain call gives
		// the same preparation error through Scan.
		if p.tx != nil {
			return p.tx.QueryRowContext(ctx, query, args...)
		}
		return p.d.db.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// prepared returns the kept statement for query, preparing it the first
// time.
func (d *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := d.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := d.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}
