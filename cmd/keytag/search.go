package main

import (
	"fmt"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// searchView is one customer as `account search` lists them: the email
// and phone masked, as the window's list shows them.
type searchView struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Email   string      `json:"email"`
	Phone   *string     `json:"phone"`
	Tag     *string     `json:"tag"`
	Balance pos.Balance `json:"balance"`
}

func runAccountSearch(e *env, args []string) int {
	words, err := parse(newFlags(e.cmd.name), args)
	if err != nil {
		return e.usage("%v", err)
	}
	// The words are one text: `account search Ann Lee` is a search for
	// "Ann Lee", as typed in the window.
	text := strings.Join(words, " ")
	if strings.TrimSpace(text) == "" {
		return e.usage("give the start of a name, a phone number or the start of an email")
	}
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		found, err := d.SearchAccounts(e.ctx, text)
		if err != nil {
			return err
		}
		views := make([]searchView, len(found))
		for i, a := range found {
			views[i] = searchView{ID: a.ID, Name: a.Name, Email: a.MaskedEmail(), Balance: a.Balance}
			if p := a.MaskedPhone(); p != "" {
				views[i].Phone = &p
			}
			if a.Tag != "" {
				views[i].Tag = &found[i].Tag
			}
		}
		if e.json {
			e.printJSON(map[string][]searchView{"accounts": views})
			return nil
		}
		if len(views) == 0 {
			fmt.Fprintf(e.stdout, "no customer's name, phone or email starts with %q\n", strings.TrimSpace(text))
			return nil
		}
		for _, v := range views {
			fmt.Fprintf(e.stdout, "%s  %s  %s  %s  %d points  account %s\n", v.Name, v.Email, orNone(v.Phone, "(no phone)"), orNone(v.Tag, "(no tag)"), v.Balance.Available, v.ID)
		}
		if len(views) == pos.SearchLimit {
			fmt.Fprintf(e.stdout, "(the first %d: type more to narrow the search)\n", pos.SearchLimit)
		}
		return nil
	})
}

func orNone(s *string, none string) string {
	if s == nil {
		return none
	}
	return *s
}
