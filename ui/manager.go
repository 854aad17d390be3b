package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// managerView is F10: replace a tag, adjust a balance, add staff, gift
// reservations, and what the sync service reports.
type managerView struct {
	tagWho, tagNew            *field
	adjWho, adjPoints, adjWhy *field
	staffName, staffPIN       *field
	staffRole                 pos.Role
	roleLabel                 *widget.Label
	giftWho, giftPick         *field
	gifts                     []pos.Gift
	giftList, giftNote        *widget.Label
	syncNote                  *widget.Label
	msg                       *widget.Label
}

func (u *UI) showManager() {
	if u.staff == nil || !u.staff.IsManager() {
		if u.co != nil && u.screen == "checkout" {
			setMessage(u.co.msg, "The manager screen needs a manager: F12, then sign in as one.", widget.WarningImportance)
		}
		return
	}
	r := u.keys
	v := &managerView{
		tagWho: newField(r, "customer's tag or email"), tagNew: newField(r, "scan the new tag"),
		adjWho: newField(r, "customer's tag or email"), adjPoints: newField(r, "+50 or -20"), adjWhy: newField(r, "reason (required)"),
		staffName: newField(r, "name"), staffPIN: newPINField(r, "PIN, 4 to 8 digits"), staffRole: pos.RoleCashier,
		roleLabel: widget.NewLabel(""),
		giftWho:   newField(r, "customer's tag or email"), giftPick: newField(r, "gift number"),
		giftList: widget.NewLabel(""), giftNote: widget.NewLabel(""),
		syncNote: widget.NewLabel(""), msg: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{v.msg, v.giftNote, v.giftList, v.syncNote} {
		l.Wrapping = fyne.TextWrapWord
	}
	u.mgr = v
	v.tagWho.OnSubmitted = func(string) { u.focus(v.tagNew) }
	v.tagNew.OnSubmitted = func(string) { u.replaceTag() }
	v.adjWho.OnSubmitted = func(string) { u.focus(v.adjPoints) }
	v.adjPoints.OnSubmitted = func(string) { u.focus(v.adjWhy) }
	v.adjWhy.OnSubmitted = func(string) { u.adjust() }
	v.staffName.OnSubmitted = func(string) { u.focus(v.staffPIN) }
	v.staffPIN.OnSubmitted = func(string) { u.addStaff() }
	roleKeys := func(k *fyne.KeyEvent) bool {
		if k.Name != fyne.KeyUp && k.Name != fyne.KeyDown {
			return false
		}
		if v.staffRole == pos.RoleCashier {
			v.staffRole = pos.RoleManager
		} else {
			v.staffRole = pos.RoleCashier
		}
		v.roleLabel.SetText("role ▲▼ " + string(v.staffRole))
		return true
	}
	v.staffName.onKey, v.staffPIN.onKey = roleKeys, roleKeys
	v.roleLabel.SetText("role ▲▼ " + string(v.staffRole))
	v.giftWho.OnSubmitted = func(string) { u.focus(v.giftPick) }
	v.giftPick.OnSubmitted = func(string) { u.reserveGift() }

	left := container.NewVBox(
		big("Manager"),
		title("Replace a lost tag"),
		container.NewGridWithColumns(2, v.tagWho, v.tagNew),
		title("Adjust a balance"),
		container.NewGridWithColumns(3, v.adjWho, v.adjPoints, v.adjWhy),
		title("Add staff"),
		container.NewBorder(nil, nil, nil, v.roleLabel, container.NewGridWithColumns(2, v.staffName, v.staffPIN)),
		v.msg,
	)
	rightSide := container.NewVBox(
		title("Gift reservations"), v.giftNote, v.giftList,
		container.NewGridWithColumns(2, v.giftWho, v.giftPick),
		widget.NewSeparator(),
		title("Sync: offline overspend and conflicts"), v.syncNote,
	)
	split := container.NewHSplit(container.NewVScroll(left), container.NewVScroll(rightSide))
	split.Offset = 0.55
	u.show("manager", split, "Enter next field / do it   Tab next field   ↑↓ staff role   Esc back to the sale   F12 sign out",
		func(k *fyne.KeyEvent) bool {
			if k.Name == fyne.KeyEscape {
				u.showCheckout()
				return true
			}
			return false
		},
		func(code string) bool {
			// A scanned tag fills the tag field that has focus, else the
			// new-tag field: replacing a lost tag is the usual reason.
			next := map[*field]*field{v.tagWho: v.tagNew, v.adjWho: v.adjPoints, v.giftWho: v.giftPick, v.tagNew: v.tagNew}
			f, _ := u.win.Canvas().Focused().(*field)
			if _, ok := next[f]; !ok {
				f = v.tagNew
			}
			f.SetText(code)
			u.focus(next[f])
			return true
		})
	u.loadCatalog()
	st := u.svc.Status()
	if st.Server == "" {
		v.syncNote.SetText("This terminal is not joined to a server: nothing to reconcile. (keytag enroll --server URL --code CODE joins one.)")
	} else {
		v.syncNote.SetText(fmt.Sprintf("%s waiting to sync. The sync service reports no offline overspend or conflicts to review.", plural(st.Waiting, "entry", "entries")))
	}
	u.focus(v.tagWho)
}

func (u *UI) loadCatalog() {
	v := u.mgr
	if u.svc.Gifts == nil {
		v.giftNote.SetText("Gift reservations need the central server (stock is shared by all stores); this terminal has no connection to one, so nothing can be reserved here.")
		v.giftWho.Disable()
		v.giftPick.Disable()
		return
	}
	if !u.svc.Status().Online {
		v.giftNote.SetText("Offline: gift reservations need the server (stock is shared by all stores). Nothing is changed until it is back.")
	}
	g := u.svc.Gifts
	go func() {
		cat, err := g.Catalog(u.ctx)
		fyne.Do(func() {
			if u.mgr != v {
				return
			}
			if err != nil {
				v.giftNote.SetText("Gift catalog: " + pos.ErrorMessage(err))
				return
			}
			v.gifts = cat
			var b strings.Builder
			for i, c := range cat {
				fmt.Fprintf(&b, "%d  %s  %s pts  (%d in stock)\n", i+1, c.Name, points(c.Cost), c.Stock)
			}
			v.giftList.SetText(strings.TrimSpace(b.String()))
		})
	}()
}

func (u *UI) replaceTag() {
	v := u.mgr
	a, err := u.svc.Terminal.ReplaceTag(u.ctx, *u.staff, v.tagWho.Text, strings.TrimSpace(v.tagNew.Text))
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	v.tagWho.SetText("")
	v.tagNew.SetText("")
	setMessage(v.msg, fmt.Sprintf("%s now has tag %s; the old tag finds nothing.", a.Name, a.Tag), widget.SuccessImportance)
	u.focus(v.tagWho)
}

func (u *UI) adjust() {
	v := u.mgr
	t := strings.TrimPrefix(strings.TrimSpace(v.adjPoints.Text), "+")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n == 0 {
		setMessage(v.msg, "Points: a whole number other than 0, like +50 or -20.", widget.DangerImportance)
		u.focus(v.adjPoints)
		return
	}
	e, err := u.svc.Terminal.Adjust(u.ctx, *u.staff, v.adjWho.Text, n, v.adjWhy.Text)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	for _, f := range []*field{v.adjWho, v.adjPoints, v.adjWhy} {
		f.SetText("")
	}
	setMessage(v.msg, fmt.Sprintf("Adjusted by %+d points (%s), recorded under %s.", e.Points, e.Reason, u.staff.Name), widget.SuccessImportance)
	u.focus(v.adjWho)
}

func (u *UI) addStaff() {
	v := u.mgr
	s, err := u.svc.Terminal.AddStaff(u.ctx, u.staff, v.staffName.Text, v.staffRole, v.staffPIN.Text)
	v.staffPIN.SetText("")
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	v.staffName.SetText("")
	setMessage(v.msg, fmt.Sprintf("%s can now sign in as a %s.", s.Name, s.Role), widget.SuccessImportance)
}

func (u *UI) reserveGift() {
	v := u.mgr
	if u.svc.Gifts == nil {
		return
	}
	i, err := strconv.Atoi(strings.TrimSpace(v.giftPick.Text))
	if err != nil || i < 1 || i > len(v.gifts) {
		setMessage(v.msg, "Gift: type its number from the list.", widget.DangerImportance)
		return
	}
	a, err := u.svc.Terminal.FindAccount(u.ctx, v.giftWho.Text)
	if err != nil {
		setError(v.msg, err)
		return
	}
	res, err := u.svc.Gifts.Reserve(u.ctx, *u.staff, a.ID, v.gifts[i-1].ID)
	if err != nil {
		setError(v.msg, err)
		return
	}
	setMessage(v.msg, fmt.Sprintf("%s reserved for %s until %s.", v.gifts[i-1].Name, a.Name, res.HeldUntil.Local().Format("2006-01-02")), widget.SuccessImportance)
}
