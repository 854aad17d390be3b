package main

import (
	"strings"
	"testing"
)

// TestAccountSearch: `account search` lists the customers a name, phone
// or email start finds, with their email and phone masked; an empty
// search is a usage error and nothing found is not an error.
func TestAccountSearch(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"--email", "zoe@example.com", "--name", "Zoë Ångström", "--phone", "+1 (555) 010-4477", "--tag", tagOf("000000017")},
		{"--email", "ann@example.com", "--name", "Ann Lee"},
	} {
		if r := c.as(append([]string{"account", "create"}, args...)...); r.code != 0 {
			t.Fatalf("create: %+v", r)
		}
	}
	r := c.as("account", "search", "ZOE", "ang", "--json")
	if r.code != 0 {
		t.Fatalf("search: %+v", r)
	}
	var out struct {
		Accounts []struct {
			ID, Name, Email string
			Phone, Tag      *string
			Balance         struct{ Available int64 }
		}
	}
	c.json(r, &out)
	if len(out.Accounts) != 1 {
		t.Fatalf("found %+v, want Zoë alone", out.Accounts)
	}
	z := out.Accounts[0]
	if z.ID == "" || z.Name != "Zoë Ångström" || z.Email != "z***@example.com" || z.Phone == nil || *z.Phone != "+* (***) ***-4477" ||
		z.Tag == nil || *z.Tag != tagOf("000000017") || z.Balance.Available != 100 {
		t.Errorf("found %+v (phone %v, tag %v)", z, z.Phone, z.Tag)
	}
	if strings.Contains(r.stdout, "zoe@") || strings.Contains(r.stdout, "010-4477") {
		t.Errorf("the full email or phone is shown: %s", r.stdout)
	}

	r = c.as("account", "search", "1 555 0104")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Zoë Ångström  z***@example.com  +* (***) ***-4477  "+tagOf("000000017")+"  100 points") {
		t.Errorf("by phone: %+v", r)
	}
	r = c.as("account", "search", "ann@", "--json")
	c.json(r, &out)
	if len(out.Accounts) != 1 || out.Accounts[0].Name != "Ann Lee" || out.Accounts[0].Phone != nil || out.Accounts[0].Tag != nil {
		t.Errorf("by email: %s", r.stdout)
	}
	if r := c.as("account", "search", "nobody", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != `{"accounts":[]}` {
		t.Errorf("nothing found: %+v", r)
	}
	if r := c.as("account", "search"); r.code != 2 || !strings.Contains(r.stderr, "give the start of a name") {
		t.Errorf("no text: %+v", r)
	}
	if r := c.as("account", "search", "a@b c"); r.code != 1 || !strings.Contains(r.stderr, "is not the start of a name") {
		t.Errorf("bad text: %+v", r)
	}
}
