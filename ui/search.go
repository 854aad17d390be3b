package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// The customer field searches as the cashier types: from the second
// character, the customers whose name starts with the text (case and
// accents aside), whose phone starts with its digits, or whose email
// starts with it are listed under the field, emails and phones masked.
// ↑ and ↓ move through the list, Enter picks the customer for the sale,
// Esc (the checkout's own: it clears the field) closes it. A key tag or a
// whole email typed and Enter still finds the customer as before, unless
// the cashier chose a row with the arrows.

// searchMinChars is where the list starts: one letter lists a twentieth
// of the store for nothing.
const searchMinChars = 2

// searchRows is how many rows the list shows at once; the rest of the
// first page scrolls with the arrows.
const searchRows = 6

// searchView is the list under the customer field.
type searchView struct {
	field  *field
	object fyne.CanvasObject // the field with the list under it
	box    *fyne.Container
	list   *widget.List
	note   *widget.Label
	found  []pos.Account
	// selected is the highlighted row; moved says the cashier moved it
	// with the arrows, so Enter picks it even for a tag or an email.
	selected int
	moved    bool
}

// searchBox wires the customer field f to a search list and returns the
// field with the list under it, for the checkout's layout. The checkout is
// shown again and again on one field: it is wired once.
func (u *UI) searchBox(f *field) fyne.CanvasObject {
	if s := u.search; s != nil && s.field == f {
		return s.object
	}
	s := &searchView{field: f, note: widget.NewLabel("")}
	s.list = widget.NewList(
		func() int { return len(s.found) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(searchRow(s.found[i])) },
	)
	// A click picks too; the list never keeps the focus from the field.
	s.list.OnSelected = func(i widget.ListItemID) {
		if i != s.selected {
			s.selected, s.moved = i, true
			u.pickSearched(s)
		}
	}
	s.note.Importance = widget.LowImportance
	s.box = container.NewVBox(container.New(&fixedHeight{rows: func() int { return min(len(s.found), searchRows) }}, s.list), s.note)
	s.box.Hide()
	u.search = s

	changed := f.OnChanged
	f.OnChanged = func(text string) {
		if changed != nil {
			changed(text)
		}
		u.searchTyped(s, text)
	}
	key := f.onKey
	f.onKey = func(k *fyne.KeyEvent) bool {
		if u.searchKey(s, k) {
			return true
		}
		return key != nil && key(k)
	}
	s.object = container.NewVBox(f, s.box)
	return s.object
}

// searchRow is one customer as the list shows them.
func searchRow(a pos.Account) string {
	parts := []string{a.Name, a.MaskedEmail()}
	if p := a.MaskedPhone(); p != "" {
		parts = append(parts, p)
	}
	return strings.Join(parts, "  ·  ") + fmt.Sprintf("  ·  %s pts", points(a.Balance.Available))
}

// searchTyped lists the customers the text finds, the first selected.
func (u *UI) searchTyped(s *searchView, text string) {
	s.found, s.selected, s.moved = nil, 0, false
	s.note.SetText("")
	if t := strings.TrimSpace(text); len([]rune(t)) >= searchMinChars {
		found, err := u.svc.Terminal.SearchAccounts(u.ctx, t)
		switch {
		case err != nil:
			s.note.SetText(pos.ErrorMessage(err))
		case len(found) == 0:
			s.note.SetText("no customer's name, phone or email starts with that")
		case len(found) == pos.SearchLimit:
			s.note.SetText(fmt.Sprintf("the first %d: type more to narrow   ↑↓ choose   Enter picks   Esc closes", pos.SearchLimit))
		default:
			s.note.SetText("↑↓ choose   Enter picks   Esc closes")
		}
		s.found = found
	}
	u.showSearch(s)
}

// showSearch shows the list as it now is, or hides it when there is
// nothing to say.
func (u *UI) showSearch(s *searchView) {
	s.list.UnselectAll()
	s.list.Refresh()
	if len(s.found) > 0 {
		s.list.Select(s.selected)
		s.list.ScrollTo(s.selected)
	}
	if s.note.Text == "" {
		s.box.Hide()
	} else {
		s.box.Show()
	}
	if u.co != nil && u.co.leftScroll != nil {
		u.co.leftScroll.Refresh()
	}
}

// searchKey takes ↑, ↓ and Enter while the list has rows.
func (u *UI) searchKey(s *searchView, k *fyne.KeyEvent) bool {
	if len(s.found) == 0 || !s.box.Visible() {
		return false
	}
	switch k.Name {
	case fyne.KeyDown:
		s.selected = min(s.selected+1, len(s.found)-1)
	case fyne.KeyUp:
		s.selected = max(s.selected-1, 0)
	case fyne.KeyReturn, fyne.KeyEnter:
		// A tag or a whole email is found as it always was: the list
		// only offers what starts with it.
		if t := strings.TrimSpace(s.field.Text); !s.moved && (pos.IsEmailLookup(t) && strings.Contains(t, ".") || u.cfg().TagFormat.Check(t) == nil) {
			return false
		}
		u.pickSearched(s)
		return true
	default:
		return false
	}
	s.moved = true
	// Select fires OnSelected, which picks only a row other than the
	// selected one: the arrows have set it already.
	s.list.Select(s.selected)
	s.list.ScrollTo(s.selected)
	return true
}

// pickSearched makes the selected customer the sale's, by the route a
// typed email takes (its exact lookup, its messages), and closes the list.
func (u *UI) pickSearched(s *searchView) {
	if s.selected < 0 || s.selected >= len(s.found) {
		return
	}
	a := s.found[s.selected]
	s.found = nil
	s.note.SetText("")
	s.box.Hide()
	u.findCustomer(a.Email)
	if u.co != nil && u.co.leftScroll != nil {
		u.co.leftScroll.Refresh()
	}
}

// fixedHeight lays out its objects stacked at the height of rows() list
// rows, whatever their own minimum (a list's is one row).
type fixedHeight struct{ rows func() int }

func (f *fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	// A list row is a label, padded, and the separator under it.
	row := widget.NewLabel("Ay").MinSize().Height + theme.Padding() + theme.SeparatorThicknessSize()
	return fyne.NewSize(w, float32(f.rows())*row)
}

func (f *fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
