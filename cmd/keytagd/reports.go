package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"text/tabwriter"

	"keytag/pos"
)

// report runs `keytagd report liability|daily` and `keytagd export
// accounts|entries`: read only, on standard output.
func (m *Main) report(ctx context.Context, cmd string) error {
	from, to, err := m.days(cmd == "report daily")
	if err != nil {
		return err
	}
	switch cmd {
	case "report liability":
		l, err := m.store.Liability(ctx)
		if err != nil {
			return err
		}
		rows := append(l.Stores, l.Total)
		name := func(r pos.LiabilityRow, i int) string {
			switch {
			case i == len(rows)-1:
				return "TOTAL"
			case r.Store == "":
				return "(web shop / none)"
			}
			return r.Store
		}
		return m.table([]string{"store", "accounts", "available", "pending", "value"}, len(rows), func(i int) []string {
			r := rows[i]
			return []string{name(r, i), itoa(r.Accounts), itoa(r.Available), itoa(r.Pending), r.Value.String()}
		})
	case "report daily":
		days, err := m.store.Daily(ctx, from, to)
		if err != nil {
			return err
		}
		return m.table([]string{"day", "store", "earned", "redeemed", "returns", "clawed_back", "credited", "voided",
			"signups", "birthday_gifts", "birthday_points"}, len(days), func(i int) []string {
			r := days[i]
			return []string{r.Day, r.Store, itoa(r.Earned), itoa(r.Redeemed), itoa(r.Returns), itoa(r.ClawedBack),
				itoa(r.Credited), itoa(r.Voided), itoa(r.Signups), itoa(r.Birthdays), itoa(r.BirthdayPoints)}
		})
	case "export accounts":
		return m.store.ExportAccounts(ctx, m.Stdout, from, to)
	default:
		return m.store.ExportEntries(ctx, m.Stdout, from, to)
	}
}

// days reads --from and --to; need says both must be given.
func (m *Main) days(need bool) (from, to pos.Day, err error) {
	if need && (m.from == "" || m.to == "") {
		return from, to, usageError{"report daily needs --from YYYY-MM-DD and --to YYYY-MM-DD"}
	}
	if m.from != "" {
		if from, err = pos.ParseDay(m.from); err != nil {
			return from, to, usageError{"--from: " + pos.ErrorMessage(err)}
		}
	}
	if m.to != "" {
		if to, err = pos.ParseDay(m.to); err != nil {
			return from, to, usageError{"--to: " + pos.ErrorMessage(err)}
		}
	}
	if m.from != "" && m.to != "" {
		if err := pos.CheckReportRange(from, to); err != nil {
			return from, to, usageError{pos.ErrorMessage(err)}
		}
	}
	return from, to, nil
}

// table prints a header and n rows: CSV with --csv, else aligned
// columns for a person.
func (m *Main) table(header []string, n int, row func(i int) []string) error {
	if m.csv {
		w := csv.NewWriter(m.Stdout)
		w.Write(header)
		for i := range n {
			w.Write(row(i))
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(cells []string) {
		for _, c := range cells {
			fmt.Fprint(tw, c, "\t")
		}
		fmt.Fprintln(tw)
	}
	line(header)
	for i := range n {
		line(row(i))
	}
	return tw.Flush()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
