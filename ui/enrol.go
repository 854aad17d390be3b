package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// enrolView is the enrolment form (F7). Each field has its error beside it.
type enrolView struct {
	email, name, birth, phone, tag                *field
	optIn                                         *tickBox
	emailErr, nameErr, birthErr, phoneErr, tagErr *widget.Label
	msg                                           *widget.Label
}

func errLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	return l
}

// showEnrol opens the form; tag or email pre-fill it (the unknown tag just
// scanned, the email just typed).
func (u *UI) showEnrol(tag, email string) {
	r := u.keys
	v := &enrolView{
		email: newField(r, "name@example.com"), name: newField(r, "first and last name"),
		birth: newField(r, "YYYY-MM-DD (optional)"), phone: newField(r, "optional"),
		tag:      newField(r, "scan the key tag now"),
		optIn:    newTickBox(r, "Send me offers by email (ask; Space ticks, Enter next)"),
		emailErr: errLabel(), nameErr: errLabel(), birthErr: errLabel(), phoneErr: errLabel(), tagErr: errLabel(),
		msg: widget.NewLabel(""),
	}
	v.msg.Wrapping = fyne.TextWrapWord
	u.enrol = v
	v.email.SetText(email)
	v.tag.SetText(tag)
	// Enter moves through every field in the order shown, the opt-in
	// included; an error goes away as soon as its field is typed in.
	v.email.OnSubmitted = func(string) { u.focus(v.name) }
	v.name.OnSubmitted = func(string) { u.focus(v.birth) }
	v.birth.OnSubmitted = func(string) { u.focus(v.optIn) }
	v.optIn.onEnter = func() { u.focus(v.phone) }
	v.phone.OnSubmitted = func(string) { u.focus(v.tag) }
	v.tag.OnSubmitted = func(string) { u.saveEnrol() }
	for f, l := range map[*field]*widget.Label{v.email: v.emailErr, v.name: v.nameErr, v.birth: v.birthErr, v.phone: v.phoneErr, v.tag: v.tagErr} {
		f.OnChanged = func(string) { setFieldError(l, "") }
	}
	form := container.NewVBox(
		big("Enrol a customer"),
		labelled("Email", v.email, v.emailErr),
		labelled("Name", v.name, v.nameErr),
		labelled("Birth date", v.birth, v.birthErr),
		v.optIn,
		labelled("Phone", v.phone, v.phoneErr),
		labelled("Key tag", v.tag, v.tagErr),
		v.msg,
		widget.NewButton("F9  ENROL", u.saveEnrol),
	)
	u.show("enrol", centreWide(form), "Enter next field   Tab next (Space ticks opt-in)   F9 enrol   Esc back to the sale   F12 sign out",
		func(k *fyne.KeyEvent) bool {
			switch k.Name {
			case fyne.KeyF9:
				u.saveEnrol()
			case fyne.KeyEscape:
				u.showCheckout()
			default:
				return false
			}
			return true
		},
		func(s scanner.Scan) bool {
			code := s.Code
			// A tag scanned anywhere on the form goes in the tag field.
			if s.Kind == scanner.KindKeytag {
				v.tag.SetText(code)
				// A tag that is someone's already is said at once, not at F9.
				if a, err := u.svc.Terminal.FindAccount(u.ctx, code); err == nil {
					setFieldError(v.tagErr, fmt.Sprintf("%s is already %s's tag (%s) — Esc, then scan it at the checkout", code, a.Name, a.MaskedEmail()))
				} else if pos.ErrorCode(err) == pos.ENotFound && strings.Contains(pos.ErrorMessage(err), "replaced") {
					setFieldError(v.tagErr, pos.ErrorMessage(err))
				}
				u.focus(v.tag)
				return true
			}
			setMessage(v.msg, fmt.Sprintf("%q is not a key tag of this program: scan the customer's new tag", code), widget.DangerImportance)
			return true
		})
	if email == "" {
		u.focus(v.email)
	} else {
		u.focus(v.name)
	}
}

// fieldFor says which field an enrolment error belongs beside.
func fieldFor(err error) string {
	msg := strings.ToLower(pos.ErrorMessage(err))
	switch pos.ErrorCode(err) {
	case pos.EInvalidEmail, pos.EDuplicateEmail:
		return "email"
	case pos.EInvalidTag, pos.ETagInUse:
		return "tag"
	}
	switch {
	case strings.Contains(msg, "email"):
		return "email"
	case strings.Contains(msg, "birth"):
		return "birth"
	case strings.Contains(msg, "phone"):
		return "phone"
	case strings.Contains(msg, "tag"):
		return "tag"
	case strings.Contains(msg, "name"):
		return "name"
	}
	return ""
}

func (u *UI) saveEnrol() {
	v := u.enrol
	for _, l := range []*widget.Label{v.emailErr, v.nameErr, v.birthErr, v.phoneErr, v.tagErr} {
		setFieldError(l, "")
	}
	setMessage(v.msg, "", widget.MediumImportance)
	n := pos.NewAccount{Email: v.email.Text, Name: v.name.Text, BirthDate: v.birth.Text,
		OptIn: v.optIn.Checked, Phone: v.phone.Text, Tag: v.tag.Text}
	a, err := u.svc.Terminal.CreateAccount(u.ctx, *u.staff, n)
	if err != nil {
		text := pos.ErrorMessage(err)
		if pos.ErrorCode(err) == pos.EDuplicateEmail {
			text = "already a customer — Esc, then F2 to find them"
		}
		switch fieldFor(err) {
		case "email":
			setFieldError(v.emailErr, text)
			u.focus(v.email)
		case "name":
			setFieldError(v.nameErr, text)
			u.focus(v.name)
		case "birth":
			setFieldError(v.birthErr, text)
			u.focus(v.birth)
		case "phone":
			setFieldError(v.phoneErr, text)
			u.focus(v.phone)
		case "tag":
			setFieldError(v.tagErr, text)
			u.focus(v.tag)
		default:
			setError(v.msg, err)
		}
		return
	}
	u.notify()
	// Back to the sale, which now earns for the new customer.
	u.showCheckout()
	u.setCustomer(&a)
	u.co.pendingTag, u.co.pendingEmail = "", ""
	setMessage(u.co.msg, fmt.Sprintf("Welcome, %s: %s points sign-up bonus", a.Name, points(a.Balance.Available)), widget.SuccessImportance)
	u.focus(u.co.item)
}

// centreWide is centre for forms with errors beside the fields.
func centreWide(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewPadded(o)
}
