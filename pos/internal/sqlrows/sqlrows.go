// Package sqlrows reads query results into slices, for both stores.
package sqlrows

import "database/sql"

// Append scans every row of rows with scan, appends the values to out and
// closes rows. Like append, it returns out itself when there are no rows:
// pass an empty slice to get an empty (not nil) one, which JSON writes as
// [] rather than null.
func Append[T any](out []T, rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
