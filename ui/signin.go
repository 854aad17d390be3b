package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// setupView creates the first manager of a new terminal.
type setupView struct {
	name, pin, again *field
	msg              *widget.Label
}

func (u *UI) showSetup() {
	v := &setupView{
		name:  newField(u.keys, "your name"),
		pin:   newPINField(u.keys, "4 to 8 digits"),
		again: newPINField(u.keys, "the same PIN again"),
		msg:   widget.NewLabel(""),
	}
	v.msg.Wrapping = fyne.TextWrapWord
	u.setup = v
	v.name.OnSubmitted = func(string) { u.focus(v.pin) }
	v.pin.OnSubmitted = func(string) { u.focus(v.again) }
	v.again.OnSubmitted = func(string) { u.createFirstManager() }
	form := container.NewVBox(
		big("Welcome to keytag"),
		widget.NewLabel("This terminal has no staff yet. Create the first manager: they can then add cashiers."),
		labelled("Name", v.name, nil),
		labelled("PIN", v.pin, nil),
		labelled("PIN again", v.again, nil),
		v.msg,
	)
	u.show("setup", centre(form), "Enter next field / create   Tab next field", nil, func(scanner.Scan) bool {
		setMessage(v.msg, "That was a scan: create the first manager first (name, PIN, PIN again).", widget.WarningImportance)
		return true
	})
	u.focus(v.name)
}

func (u *UI) createFirstManager() {
	v := u.setup
	if v.pin.Text != v.again.Text {
		setMessage(v.msg, "The two PINs differ: type the PIN again.", widget.DangerImportance)
		v.again.SetText("")
		u.focus(v.again)
		return
	}
	s, err := u.svc.Terminal.AddStaff(u.ctx, nil, v.name.Text, pos.RoleManager, v.pin.Text)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	u.staff = &s
	u.newSale()
}

// signinView is the staff list and the PIN field.
type signinView struct {
	staff    []pos.Staff
	selected int
	list     *fyne.Container
	pin      *field
	msg      *widget.Label
}

func (u *UI) showSignIn(note string) {
	v := &signinView{pin: newPINField(u.keys, "PIN"), msg: widget.NewLabel(note), list: container.NewVBox()}
	v.msg.Wrapping = fyne.TextWrapWord
	u.signin = v
	staff, err := u.svc.Terminal.ListStaff(u.ctx)
	if err != nil {
		setError(v.msg, err)
	}
	v.staff = staff
	// Up and Down pick who signs in while the PIN field keeps the focus.
	v.pin.onKey = func(k *fyne.KeyEvent) bool {
		switch k.Name {
		case fyne.KeyUp:
			u.selectStaff(v.selected - 1)
		case fyne.KeyDown:
			u.selectStaff(v.selected + 1)
		default:
			return false
		}
		return true
	}
	v.pin.OnSubmitted = func(string) { u.trySignIn() }
	u.renderStaff()
	form := container.NewVBox(
		big("Sign in"),
		widget.NewLabel("Who is at the till? ↑ ↓ to choose, then type your PIN and press Enter."),
		v.list,
		labelled("PIN", v.pin, nil),
		v.msg,
	)
	// A scan here is someone scanning before signing in: it is said so,
	// and never tried as a PIN (it would use up one of the five tries).
	u.show("signin", centre(form), "↑↓ choose staff   type PIN   Enter sign in", nil, func(scanner.Scan) bool {
		v.pin.SetText("")
		setMessage(v.msg, "That was a scan, not a PIN: sign in first (your PIN, Enter), then scan.", widget.WarningImportance)
		return true
	})
	u.focus(v.pin)
}

func (u *UI) selectStaff(i int) {
	v := u.signin
	if len(v.staff) == 0 {
		return
	}
	v.selected = (i + len(v.staff)) % len(v.staff)
	u.renderStaff()
}

func (u *UI) renderStaff() {
	v := u.signin
	v.list.Objects = nil
	for i, s := range v.staff {
		b := widget.NewButton(fmt.Sprintf("%d   %s  (%s)", i+1, s.Name, s.Role), func() {
			u.selectStaff(i)
			u.focus(v.pin)
		})
		b.Alignment = widget.ButtonAlignLeading
		if i == v.selected {
			b.Importance = widget.HighImportance
			b.SetIcon(nil)
		}
		v.list.Add(b)
	}
	v.list.Refresh()
}

func (u *UI) trySignIn() {
	v := u.signin
	if len(v.staff) == 0 {
		return
	}
	who := v.staff[v.selected]
	s, err := u.svc.Terminal.SignIn(u.ctx, who.Name, v.pin.Text)
	v.pin.SetText("")
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.staff = &s
	if u.co == nil {
		u.newSale()
		return
	}
	// A sale left open by the previous cashier carries on.
	u.showCheckout()
}

// centre keeps a form at a readable width in the middle of the screen.
func centre(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewHBox(layout.NewSpacer(), container.New(&fixedWidth{w: 620}, o), layout.NewSpacer())
}

// fixedWidth lays out one object at a fixed width and its own height.
type fixedWidth struct{ w float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.w, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(f.w, o.MinSize().Height))
		o.Move(fyne.NewPos(0, 0))
	}
}
