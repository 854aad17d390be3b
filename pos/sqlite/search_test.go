package sqlite

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"keytag/pos"
)

// names lists the names of the accounts found, in order.
func names(as []pos.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func (f *fixture) create(n pos.NewAccount) pos.Account {
	f.t.Helper()
	a, err := f.db.CreateAccount(f.ctx, f.cashier, n)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// TestSearchAccounts: a cashier finds a customer by the start of the
// name (however it is cased or accented), by the phone however it is
// written, and by the start of the email; nothing else is found.
func TestSearchAccounts(t *testing.T) {
	f := newFixture(t)
	f.create(pos.NewAccount{Email: "zoe.a@example.com", Name: "Zoë Ångström", Phone: "+1 (555) 010-4477", Tag: tag("000000017")})
	f.create(pos.NewAccount{Email: "ann.lee@example.com", Name: "Ann Lee", Phone: "555 010 9999"})
	f.create(pos.NewAccount{Email: "annie@shop.test", Name: "Joan Smith"})
	f.create(pos.NewAccount{Email: "bjorn@example.com", Name: "Bjørn Straße"})
	f.create(pos.NewAccount{Email: "noel@example.com", Name: "Noël Leroy"})

	for _, c := range []struct {
		text string
		want []string
	}{
		{"zo", []string{"Zoë Ångström"}},
		{"ZOE ANG", []string{"Zoë Ångström"}},
		{"zoë  ång", []string{"Zoë Ångström"}},
		{"ann", []string{"Ann Lee", "Joan Smith"}}, // Joan by her email annie@…
		{"Ann L", []string{"Ann Lee"}},
		{"bjorn strasse", []string{"Bjørn Straße"}},
		{"NOEL   l", []string{"Noël Leroy"}},
		{"1 555 010", []string{"Zoë Ångström"}},
		{"+1-555-010-4477", []string{"Zoë Ångström"}},
		{"(555) 010", []string{"Ann Lee"}},
		{"annie@sh", []string{"Joan Smith"}},
		{"ANN.LEE@", []string{"Ann Lee"}},
		{"lee", nil},         // a name is found by its start
		{"example.com", nil}, // an email by its start
		{"4477", nil},        // a phone by its first digits
		{"x", nil},
	} {
		got, err := f.db.SearchAccounts(f.ctx, c.text)
		if err != nil {
			t.Fatalf("search %q: %v", c.text, err)
		}
		if !slices.Equal(names(got), c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("search %q = %q, want %q", c.text, names(got), c.want)
		}
	}

	got, err := f.db.SearchAccounts(f.ctx, "zoe")
	if err != nil {
		t.Fatal(err)
	}
	if a := got[0]; a.Tag != tag("000000017") || a.Balance.Available != 100 || a.Email != "zoe.a@example.com" {
		t.Errorf("found %+v, want the tag, the sign-up bonus and the email", a)
	}
	if p := got[0].MaskedPhone(); p != "+* (***) ***-4477" {
		t.Errorf("masked phone %q", p)
	}

	for _, bad := range []string{"", "   ", "a@b c"} {
		if _, err := f.db.SearchAccounts(f.ctx, bad); pos.ErrorCode(err) != pos.EInvalidInput {
			t.Errorf("search %q: %v, want %s", bad, err, pos.EInvalidInput)
		}
	}
}

// TestSearchFirstTwenty: a short prefix stops at the first screenful, in
// name order.
func TestSearchFirstTwenty(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 30 {
		n := pos.NewAccount{Email: "c" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com", Name: "Carl " + string(rune('A'+i%26)) + string(rune('a'+i/26))}
		f.create(n)
		want = append(want, n.Name)
	}
	slices.SortFunc(want, func(a, b string) int { return compareStr(pos.NameKey(a), pos.NameKey(b)) })
	got, err := f.db.SearchAccounts(f.ctx, "carl")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), want[:pos.SearchLimit]) {
		t.Errorf("first page %q, want %q", names(got), want[:pos.SearchLimit])
	}
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSearchFollowsPullsAndMerges: an account pulled from the server is
// found by its name and phone, a pulled change of name or phone moves
// it, and an account merged into another is found only as the one it
// lives on.
func TestSearchFollowsPullsAndMerges(t *testing.T) {
	f := newFixture(t)
	pull := func(changes ...pos.Change) {
		t.Helper()
		st, err := f.db.SyncState(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range changes {
			changes[i].Seq = st.Cursor + int64(i) + 1
		}
		page := PullPage{From: st.Cursor, PullResponse: pos.PullResponse{Epoch: "e1", Cursor: st.Cursor + int64(len(changes)), Changes: changes}}
		if _, err := f.db.ApplyChanges(f.ctx, page); err != nil {
			t.Fatal(err)
		}
	}
	account := func(a pos.Account) pos.Change {
		body, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		return pos.Change{Kind: pos.ChangeAccount, Body: body}
	}
	search := func(text string) []string {
		t.Helper()
		got, err := f.db.SearchAccounts(f.ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		return names(got)
	}
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	web := pos.Account{ID: pos.NewID(), Email: "elif@example.com", Name: "Elif Şahin", Phone: "0301 234567", CreatedAt: at}
	pull(account(web))
	if got := search("elif s"); !slices.Equal(got, []string{"Elif Şahin"}) {
		t.Fatalf("pulled account by name: %q", got)
	}
	if got := search("0301 23"); !slices.Equal(got, []string{"Elif Şahin"}) {
		t.Fatalf("pulled account by phone: %q", got)
	}
	web.Name, web.Phone = "Elif Yılmaz", "0302 000000"
	pull(account(web))
	if got := search("elif s"); len(got) != 0 {
		t.Errorf("the old name still finds %q", got)
	}
	if got := search("elif yil"); !slices.Equal(got, []string{"Elif Yılmaz"}) {
		t.Errorf("the new name finds %q", got)
	}
	if got := search("0301"); len(got) != 0 {
		t.Errorf("the old phone still finds %q", got)
	}

	// A customer enrolled here under the same email becomes the server's
	// account: only that one is listed.
	local := f.create(pos.NewAccount{Email: "elif.y@example.com", Name: "Elif Yilmaz"})
	body, _ := json.Marshal(pos.Merge{From: local.ID, Into: web.ID})
	pull(pos.Change{Kind: pos.ChangeMerge, Body: body})
	if got := search("elif"); !slices.Equal(got, []string{"Elif Yılmaz"}) {
		t.Errorf("after the merge %q, want the account it lives on alone", got)
	}
}

// TestUpgradeTo0007FindsEveryone: a database enrolled before search
// existed finds its customers after the upgrade.
func TestUpgradeTo0007FindsEveryone(t *testing.T) {
	path := oldDatabase(t, "migrations/0004_catalog.sql", `
INSERT INTO accounts (id, email, name, phone, created_at) VALUES
	('a1', 'ann@example.com', 'Ánn Lee', '+44 20 7946 0958', 1000),
	('a2', 'bo@example.com', 'Bo', '', 1000);`)
	d, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for text, want := range map[string][]string{"ann l": {"Ánn Lee"}, "44 20": {"Ánn Lee"}, "b": {"Bo"}} {
		got, err := d.SearchAccounts(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(got), want) {
			t.Errorf("search %q after the upgrade = %q, want %q", text, names(got), want)
		}
	}
}
