package sqlite

import (
	"context"
	"fmt"
	"os"
	"testing"

	"keytag/pos"
)

// The search benchmarks run on a database of 1,000,000 accounts with
// names, phones and tags as a store has them (the checkout benchmarks'
// database names everyone "Customer" and has no phones), built once and
// kept in the temp directory (KEYTAG_SEARCH_BENCH_DB names another
// place). Each benchmark runs beside the bare indexed SELECT of the same
// rows on the same file.
var searchBench = benchFile{env: "KEYTAG_SEARCH_BENCH_DB", name: "keytag-bench-search-1M-v1.db", build: buildSearchBenchDB}

// Names are drawn from these, accents and all: 40 × 40 full names, each
// shared by 625 customers, so a prefix meets many.
var (
	benchFirst = []string{"Ann", "Anna", "Ánh", "Bea", "Björn", "Carl", "Chloé", "Dana", "Đức", "Eli", "Émile", "Fatma", "Gus", "Hana",
		"Ines", "İlker", "Jo", "José", "Karl", "Lea", "Łucja", "Mia", "Noël", "Olaf", "Paz", "Quinn", "Rosa", "Søren", "Tom", "Uma",
		"Vera", "Wen", "Xavi", "Yara", "Zoë", "Amir", "Ben", "Cleo", "Dev", "Ema"}
	benchLast = []string{"Lee", "Li", "Smith", "Müller", "García", "Nguyễn", "Öztürk", "Kowalski", "Dubois", "Rossi", "Sato", "Kim",
		"Brown", "Núñez", "Ångström", "Jensen", "Silva", "Novák", "Haddad", "Patel", "Moreau", "Costa", "Weiß", "Ivanov", "Olsen",
		"Khan", "Park", "Reyes", "Fischer", "Lopez", "Chen", "Wang", "Ali", "Hughes", "Young", "Sousa", "Berg", "Dahl", "Yilmaz", "Ortiz"}
)

// benchPhone is customer i's phone: ten digits, scattered, written with
// a country code and punctuation as customers give them.
func benchPhone(i int) string {
	n := (i*7919 + 13) % 10_000_000
	return fmt.Sprintf("+1 (%03d) %03d-%04d", 200+i%800, n/10000, n%10000)
}

func searchBenchDB(b *testing.B) *DB {
	b.Helper()
	return searchBench.open(b)
}

func buildSearchBenchDB(path string) error {
	ctx := context.Background()
	os.Remove(path)
	d, err := Open(ctx, path, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`PRAGMA cache_size = -1000000`); err != nil {
		return err
	}
	acct, err := tx.Prepare(`INSERT INTO accounts (id, email, name, phone, created_at, available) VALUES (?, ?, ?, ?, 0, ?)`)
	if err != nil {
		return err
	}
	tg, err := tx.Prepare(`INSERT INTO tags (code, account, active, assigned_at) VALUES (?, ?, 1, 0)`)
	if err != nil {
		return err
	}
	for i := 1; i <= benchAccounts; i++ {
		// Ids in a scattered order, as UUIDv7 ids made at many terminals
		// over years are relative to names.
		id := fmt.Sprintf("acct-%07d", (i*2654435761)%4294967291%10_000_000)
		first, last := benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)]
		email := fmt.Sprintf("%s.%s%d@example.com", pos.NameKey(first), pos.NameKey(last), i)
		if _, err := acct.Exec(id, email, first+" "+last, benchPhone(i), i%5000); err != nil {
			return fmt.Errorf("account %d: %w", i, err)
		}
		if _, err := tg.Exec(benchTag(i), id); err != nil {
			return fmt.Errorf("tag %d: %w", i, err)
		}
	}
	return tx.Commit()
}

// BenchmarkSearchAccounts: the first 20 customers by the start of a name
// and by the start of a phone number, through the service (parse, the
// range, each account with its active tag and balance) beside the bare
// indexed SELECT of the same range's ids.
func BenchmarkSearchAccounts(b *testing.B) {
	d := searchBenchDB(b)
	ctx := context.Background()
	names := []string{"ann l", "zoe ang", "bjorn", "chloe d", "soren m", "jose nu", "lucja k", "emile w", "duc ng", "a"}
	phones := make([]string, 50)
	for i := range phones {
		// Half the searches are "+1 (nnn)", an area code (1,250
		// customers each), half go on to "+1 (nnn) nn".
		phones[i] = benchPhone(1 + i*19997)[:8]
		if i%2 == 1 {
			phones[i] = benchPhone(1 + i*19997)[:11]
		}
	}
	bare := func(b *testing.B, query string, keys []string) {
		for i := 0; b.Loop(); i++ {
			k := keys[i%len(keys)]
			rows, err := d.db.QueryContext(ctx, query, k, prefixEnd(k), pos.SearchLimit)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n == 0 {
				b.Fatalf("nothing for %q", k)
			}
		}
	}
	// want is how many each search must find: a full page by a name
	// (625 customers share each), one or more by a longer phone prefix.
	service := func(b *testing.B, texts []string, want int) {
		for i := 0; b.Loop(); i++ {
			got, err := d.SearchAccounts(ctx, texts[i%len(texts)])
			if err != nil {
				b.Fatal(err)
			}
			if len(got) < want {
				b.Fatalf("%q found %d", texts[i%len(texts)], len(got))
			}
		}
	}
	nameKeys := make([]string, len(names))
	for i, n := range names {
		nameKeys[i] = pos.NameKey(n)
	}
	phoneKeys := make([]string, len(phones))
	for i, p := range phones {
		phoneKeys[i] = pos.PhoneDigits(p)
	}
	b.Run("name/service", func(b *testing.B) { service(b, names, pos.SearchLimit) })
	b.Run("name/bare-select", func(b *testing.B) {
		bare(b, `SELECT id FROM accounts WHERE name_key >= ? AND name_key < ? ORDER BY name_key LIMIT ?`, nameKeys)
	})
	b.Run("phone/service", func(b *testing.B) { service(b, phones, 1) })
	b.Run("phone/bare-select", func(b *testing.B) {
		bare(b, `SELECT id FROM accounts WHERE phone_digits >= ? AND phone_digits < ? AND phone_digits <> '' ORDER BY phone_digits LIMIT ?`, phoneKeys)
	})
}
