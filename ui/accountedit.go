package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// accountEditView is F10 on the manager screen: a customer's details
// (name, phone, birth date, opt-in, email) changed by a manager, as
// `keytag account update` changes them.
type accountEditView struct {
	who                       *field
	found                     *widget.Label
	name, phone, birth, email *field
	optIn                     *widget.RadioGroup
	msg                       *widget.Label
	// account is the customer found, whose name the name field starts at;
	// key is the tag or email that found them.
	account *pos.Account
	key     string
}

const (
	optKeep = "keep"
	optIn   = "opted in"
	optOut  = "opted out"
)

const accountEditHints = "Enter find / next   F9 SAVE   Esc manager"

// showAccountEdit opens the form, for the customer at the counter if
// there is one. Managers only, like the manager screen.
func (u *UI) showAccountEdit() {
	if u.staff == nil || !u.staff.IsManager() {
		return
	}
	r := u.keys
	v := &accountEditView{
		who:   newField(r, "key tag or email"),
		found: widget.NewLabel("Scan the customer's tag or type their email, then Enter."),
		name:  newField(r, "name"),
		phone: newField(r, "phone (left empty: unchanged)"),
		birth: newField(r, "birth date YYYY-MM-DD (left empty: unchanged)"),
		email: newField(r, "new email (left empty: unchanged)"),
		optIn: widget.NewRadioGroup([]string{optKeep, optIn, optOut}, nil),
		msg:   widget.NewLabel(""),
	}
	v.optIn.Horizontal = true
	v.optIn.SetSelected(optKeep)
	v.msg.Wrapping = fyne.TextWrapWord
	v.who.OnSubmitted = func(s string) { u.findForEdit(v, s) }
	v.name.OnSubmitted = func(string) { u.focus(v.phone) }
	v.phone.OnSubmitted = func(string) { u.focus(v.birth) }
	v.birth.OnSubmitted = func(string) { u.focus(v.email) }
	v.email.OnSubmitted = func(string) { u.saveAccountEdit(v) }
	form := container.NewVBox(
		title("CUSTOMER'S DETAILS  [F10]"), v.who, v.found,
		widget.NewSeparator(),
		labelled("name", v.name, nil), labelled("phone", v.phone, nil), labelled("birth date", v.birth, nil), labelled("email", v.email, nil),
		container.NewBorder(nil, nil, widget.NewLabel("email list"), nil, v.optIn),
		widget.NewLabel("A new email applies here once keytagd accepts it; it refuses one another customer has."),
		v.msg,
	)
	u.show("accountedit", container.NewVScroll(form), accountEditHints,
		func(k *fyne.KeyEvent) bool {
			switch k.Name {
			case fyne.KeyEscape:
				u.showManager()
			case fyne.KeyF9:
				u.saveAccountEdit(v)
			default:
				return false
			}
			return true
		},
		func(s scanner.Scan) bool {
			v.who.SetText(s.Code)
			u.findForEdit(v, s.Code)
			return true
		})
	u.accountEdit = v
	if c := u.sale.customer; c != nil && c.Tag != "" {
		v.who.SetText(c.Tag)
		u.findForEdit(v, c.Tag)
		return
	}
	u.focus(v.who)
}

// findForEdit looks the customer up and starts the name at theirs.
func (u *UI) findForEdit(v *accountEditView, who string) {
	a, err := u.svc.Terminal.FindAccount(u.ctx, strings.TrimSpace(who))
	if err != nil {
		v.account = nil
		setError(v.msg, err)
		return
	}
	v.account, v.key = &a, strings.TrimSpace(who)
	v.found.SetText(a.Name + "  " + a.MaskedEmail())
	v.name.SetText(a.Name)
	setMessage(v.msg, "", widget.MediumImportance)
	u.focus(v.name)
}

// saveAccountEdit is F9: what was changed or typed, and no more.
func (u *UI) saveAccountEdit(v *accountEditView) {
	if v.account == nil {
		setMessage(v.msg, "Find the customer first: scan their tag or type their email, then Enter.", widget.WarningImportance)
		u.focus(v.who)
		return
	}
	var up pos.AccountUpdate
	if n := strings.TrimSpace(v.name.Text); n != v.account.Name {
		up.Name = &n
	}
	for _, f := range []struct {
		fl  *field
		dst **string
	}{{v.phone, &up.Phone}, {v.birth, &up.BirthDate}, {v.email, &up.Email}} {
		if t := strings.TrimSpace(f.fl.Text); t != "" {
			*f.dst = &t
		}
	}
	switch v.optIn.Selected {
	case optIn, optOut:
		in := v.optIn.Selected == optIn
		up.OptIn = &in
	}
	a, err := u.svc.Terminal.UpdateAccount(u.ctx, *u.staff, v.key, up)
	if err != nil {
		setError(v.msg, err)
		return
	}
	v.account = &a
	v.found.SetText(a.Name + "  " + a.MaskedEmail())
	setMessage(v.msg, "Saved: "+a.Name+". It goes to keytagd with the next sync.", widget.SuccessImportance)
}
