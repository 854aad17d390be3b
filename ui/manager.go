package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// managerView is F10: replace a tag, adjust a balance, add staff, gift
// reservations, and what the sync service reports.
type managerView struct {
	tagWho, tagNew            *field
	adjWho, adjPoints, adjWhy *field
	staffName, staffPIN       *field
	staffRole                 pos.Role
	roleLabel                 *widget.Label
	staffList                 *widget.Label
	// removing is the staff name F4 was pressed for once: a second F4
	// for the same name removes them (it cannot be undone here).
	removing           string
	giftWho, giftPick  *field
	gifts              []pos.Gift
	giftList, giftNote *widget.Label
	// The customer whose reservations are listed, the list (held ones
	// first) and the one picked with ↑↓ for F5/F6/F7.
	giftAccount  *pos.Account
	reservations []pos.Reservation
	resSel       int
	resList      *widget.Label
	giftMsg      *widget.Label
	syncNote     *widget.Label
	budgets      *widget.Label
	conflicts    *widget.Label
	msg          *widget.Label
	// The halves are laid out again after text that came from the server
	// changed a label's height (Fyne does not do it for the parents).
	leftScroll, rightScroll *container.Scroll
}

func (v *managerView) relayout() {
	if v.leftScroll != nil {
		v.leftScroll.Refresh()
		v.rightScroll.Refresh()
	}
}

// managerHints fits one line at 1024 px: the full words are on the
// screen beside each section.
const managerHints = "Enter do it  ↑↓ pick  " +
	"F2 reports  F3 PIN  F4 remove  F5 hand over  F6 change  F7 forgo  F8 settings  F9 claims  F10 details  F11 sync  Esc sale  F12 sign out"

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
		adjWho: newField(r, "tag or email"), adjPoints: newField(r, "+50 or -20"), adjWhy: newField(r, "reason (required)"),
		staffName: newField(r, "name"), staffPIN: newPINField(r, "PIN, 4 to 8 digits"), staffRole: pos.RoleCashier,
		roleLabel: widget.NewLabel(""), staffList: widget.NewLabel(""),
		giftWho: newField(r, "tag or email, Enter"), giftPick: newField(r, "gift no., Enter"),
		giftList: widget.NewLabel(""), giftNote: widget.NewLabel(""), resList: widget.NewLabel(""), giftMsg: widget.NewLabel(""),
		syncNote: widget.NewLabel(""), budgets: widget.NewLabel(""), conflicts: widget.NewLabel(""), msg: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{v.msg, v.giftNote, v.giftList, v.resList, v.giftMsg, v.syncNote, v.budgets, v.conflicts} {
		l.Wrapping = fyne.TextWrapWord
	}
	u.mgr = v
	v.tagWho.OnSubmitted = func(string) { u.previewReplaceTag() }
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
	v.giftWho.OnSubmitted = func(s string) { u.giftCustomer(s) }
	v.giftPick.OnSubmitted = func(string) { u.reserveGift() }
	resKeys := func(k *fyne.KeyEvent) bool {
		if len(v.reservations) == 0 || (k.Name != fyne.KeyUp && k.Name != fyne.KeyDown) {
			return false
		}
		n := len(v.reservations)
		if k.Name == fyne.KeyUp {
			v.resSel = (v.resSel + n - 1) % n
		} else {
			v.resSel = (v.resSel + 1) % n
		}
		u.showReservations()
		return true
	}
	v.giftWho.onKey, v.giftPick.onKey = resKeys, resKeys

	staffKeys := widget.NewLabel("Enter adds the name and PIN typed · F4 removes the one named · F3 gives the one named the PIN typed")
	staffKeys.Wrapping = fyne.TextWrapWord
	staffKeys.SizeName = theme.SizeNameCaptionText
	left := container.NewVBox(
		big("Manager"),
		title("Replace a lost tag"),
		container.NewGridWithColumns(2, v.tagWho, v.tagNew),
		title("Adjust a balance"),
		container.NewGridWithColumns(3, v.adjWho, v.adjPoints, v.adjWhy),
		title("Staff"),
		v.staffList,
		container.NewBorder(nil, nil, nil, v.roleLabel, container.NewGridWithColumns(2, v.staffName, v.staffPIN)),
		staffKeys,
		v.msg,
		widget.NewSeparator(),
		title("Sync: offline overspend and conflicts"), v.syncNote, v.budgets, v.conflicts,
	)
	giftKeys := widget.NewLabel("↑↓ pick a reservation · F5 hand over · F6 change it to the gift number typed · F7 forgo (points back)")
	giftKeys.Wrapping = fyne.TextWrapWord
	giftKeys.SizeName = theme.SizeNameCaptionText
	rightSide := container.NewVBox(
		title("Gift reservations"), v.giftNote, v.giftList,
		container.NewGridWithColumns(2, v.giftWho, v.giftPick),
		v.resList, giftKeys, v.giftMsg,
	)
	v.leftScroll, v.rightScroll = container.NewVScroll(left), container.NewVScroll(rightSide)
	split := container.NewHSplit(v.leftScroll, v.rightScroll)
	split.Offset = 0.55
	u.show("manager", split, managerHints,
		func(k *fyne.KeyEvent) bool {
			switch k.Name {
			case fyne.KeyEscape:
				u.showCheckout()
			case fyne.KeyF5:
				u.giftAction("hand over")
			case fyne.KeyF6:
				u.giftAction("change")
			case fyne.KeyF7:
				u.giftAction("forgo")
			case fyne.KeyF8:
				u.showSettings()
			case fyne.KeyF2:
				u.showClose()
			case fyne.KeyF9:
				u.showClaims()
			case fyne.KeyF3:
				u.resetPIN()
			case fyne.KeyF4:
				u.removeStaff()
			case fyne.KeyF10:
				u.showAccountEdit()
			default:
				return false
			}
			return true
		},
		func(s scanner.Scan) bool {
			code := s.Code
			// A scanned tag fills the tag field that has focus, else the
			// new-tag field: replacing a lost tag is the usual reason.
			next := map[*field]*field{v.tagWho: v.tagNew, v.adjWho: v.adjPoints, v.giftWho: v.giftPick, v.tagNew: v.tagNew}
			f, _ := u.win.Canvas().Focused().(*field)
			if _, ok := next[f]; !ok {
				f = v.tagNew
			}
			f.SetText(code)
			switch f {
			case v.giftWho:
				u.giftCustomer(code)
			case v.tagWho:
				u.previewReplaceTag()
			case v.tagNew:
				// The scan's Enter is the new tag's Enter: it commits,
				// once the customer it is for was shown.
				u.replaceTag()
			default:
				u.focus(next[f])
			}
			return true
		})
	u.loadCatalog()
	u.showSyncReview()
	u.showStaff()
	if c := u.sale.customer; c != nil && u.svc.Gifts != nil {
		// The customer at the counter is the usual one a gift is for.
		who := c.Tag
		if who == "" {
			who = c.Email
		}
		v.giftWho.SetText(who)
		u.giftCustomer(who) // the focus goes to the gift number
	} else {
		u.focus(v.tagWho)
	}
	v.relayout()
}

// showSyncReview lists what the sync service reports for a manager:
// points redeemed here past what the server confirmed, and the server's
// verdicts on this terminal's records that were not a plain "accepted".
func (u *UI) showSyncReview() {
	v := u.mgr
	st := u.svc.Status()
	if st.Server == "" {
		v.syncNote.SetText("This terminal is not joined to a server: nothing to reconcile. (keytag enroll --server URL --code CODE joins one.)")
		setOptional(v.budgets, "")
		setOptional(v.conflicts, "")
		return
	}
	state := "online"
	if !st.Online {
		state = "OFFLINE"
	}
	v.syncNote.SetText(fmt.Sprintf("%s; %s waiting to sync. F11 shows the sync detail.", state, plural(st.Waiting, "entry", "entries")))
	setOptional(v.budgets, "Offline budget: "+u.budgetText())
	setOptional(v.conflicts, "Conflicts: "+u.conflictsText(-1, "newest first"))
	v.relayout()
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
	} else {
		setOptional(v.giftNote, "")
	}
	if len(v.gifts) == 0 {
		v.giftList.SetText("catalog: asking the server…")
	}
	g := u.svc.Gifts
	u.spawn(func() {
		cat, err := g.Catalog(u.ctx)
		fyne.Do(func() {
			if u.mgr != v {
				return
			}
			if err != nil {
				setOptional(v.giftList, "")
				if pos.ErrorCode(err) == pos.ENeedsServer {
					setOptional(v.giftNote, "Offline: gift reservations need the server (stock is shared by all stores). Nothing is changed until it is back.")
				} else {
					setOptional(v.giftNote, "Gift catalog: "+pos.ErrorMessage(err))
				}
				v.relayout()
				return
			}
			v.giftList.Show()
			v.gifts = cat
			if len(cat) == 0 {
				v.giftList.SetText("The catalog has no gifts (keytagd gift add).")
				return
			}
			var b strings.Builder
			for i, c := range cat {
				fmt.Fprintf(&b, "%d  %s  %s pts  (%d in stock)\n", i+1, c.Name, points(c.Cost), c.Stock)
			}
			v.giftList.SetText(strings.TrimSpace(b.String()))
			v.relayout()
		})
	})
}

// giftCustomer finds the customer typed or scanned in the gift section
// and lists their reservations.
func (u *UI) giftCustomer(who string) {
	v := u.mgr
	if u.svc.Gifts == nil {
		return
	}
	a, err := u.svc.Terminal.FindAccount(u.ctx, strings.TrimSpace(who))
	if err != nil {
		setError(v.giftMsg, err)
		return
	}
	v.giftAccount = &a
	setMessage(v.giftMsg, "", widget.MediumImportance)
	u.loadReservations("")
	u.focus(v.giftPick)
}

// loadReservations asks the server for the listed customer's
// reservations, then shows them with the one of id picked.
func (u *UI) loadReservations(pick string) {
	v := u.mgr
	a := v.giftAccount
	if a == nil {
		return
	}
	v.resList.SetText(fmt.Sprintf("%s (%s points): asking the server for their reservations…", a.Name, points(a.Balance.Available)))
	g := u.svc.Gifts
	u.spawn(func() {
		rs, err := g.Reservations(u.ctx, a.ID)
		fyne.Do(func() {
			if u.mgr != v || v.giftAccount != a {
				return
			}
			if err != nil {
				v.reservations = nil
				v.resList.SetText(fmt.Sprintf("%s: %s", a.Name, pos.ErrorMessage(err)))
				v.relayout()
				return
			}
			// Held ones first: they are what a manager acts on.
			slices.SortStableFunc(rs, func(x, y pos.Reservation) int {
				return cmpBool(x.Status != pos.ReservationHeld, y.Status != pos.ReservationHeld)
			})
			v.reservations, v.resSel = rs, 0
			for i, r := range rs {
				if r.ID == pick {
					v.resSel = i
				}
			}
			u.showReservations()
		})
	})
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func (u *UI) giftName(id string) string {
	for _, g := range u.mgr.gifts {
		if g.ID == id {
			return g.Name
		}
	}
	return id
}

// showReservations draws the listed customer's reservations, the picked
// one marked.
func (u *UI) showReservations() {
	v := u.mgr
	a := v.giftAccount
	if a == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s — reservations:", a.Name)
	if len(v.reservations) == 0 {
		b.WriteString(" none")
	}
	for i, r := range v.reservations {
		mark := "   "
		if i == v.resSel {
			mark = "→ "
		}
		state := string(r.Status)
		switch r.Status {
		case pos.ReservationHeld:
			state = "held until " + r.HeldUntil.Local().Format("2006-01-02")
		case pos.ReservationHandedOver:
			state = "handed over"
		}
		fmt.Fprintf(&b, "\n%s%s  %s pts  %s", mark, u.giftName(r.Gift), points(r.Cost), state)
	}
	v.resList.SetText(b.String())
	v.relayout()
}

// giftCall runs a call to the server off Fyne's goroutine (it may wait
// on the network), then shows its outcome in the gift section.
func (u *UI) giftCall(doing string, call func(ctx context.Context) (string, string, error)) {
	v := u.mgr
	setMessage(v.giftMsg, doing+": asking the server…", widget.MediumImportance)
	v.relayout()
	u.spawn(func() {
		ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
		defer cancel()
		text, pick, err := call(ctx)
		fyne.Do(func() {
			if u.mgr != v {
				return
			}
			defer v.relayout()
			if err != nil {
				setError(v.giftMsg, err)
				return
			}
			// The server wrote ledger entries: the worker pulls them.
			u.notify()
			setMessage(v.giftMsg, text, widget.SuccessImportance)
			v.giftPick.SetText("")
			u.loadCatalog()
			u.loadReservations(pick)
		})
	})
}

func (u *UI) reserveGift() {
	v := u.mgr
	if u.svc.Gifts == nil {
		return
	}
	if v.giftAccount == nil || strings.TrimSpace(v.giftWho.Text) == "" {
		u.giftCustomer(v.giftWho.Text)
		if v.giftAccount == nil {
			return
		}
	}
	gift, ok := u.pickedGift()
	if !ok {
		return
	}
	a, g, by := *v.giftAccount, u.svc.Gifts, *u.staff
	u.giftCall("Reserving "+gift.Name, func(ctx context.Context) (string, string, error) {
		res, err := g.Reserve(ctx, by, a.ID, gift.ID)
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("%s reserved for %s until %s (%s points).", gift.Name, a.Name, res.HeldUntil.Local().Format("2006-01-02"), points(res.Cost)), res.ID, nil
	})
}

// pickedGift is the catalog entry whose number is in the gift field.
func (u *UI) pickedGift() (pos.Gift, bool) {
	v := u.mgr
	i, err := strconv.Atoi(strings.TrimSpace(v.giftPick.Text))
	if err != nil || i < 1 || i > len(v.gifts) {
		setMessage(v.giftMsg, "Gift: type its number from the catalog.", widget.DangerImportance)
		u.focus(v.giftPick)
		return pos.Gift{}, false
	}
	return v.gifts[i-1], true
}

// giftAction is F5 (hand over), F6 (change to the gift typed) or F7
// (forgo) on the picked reservation.
func (u *UI) giftAction(action string) {
	v := u.mgr
	if u.svc.Gifts == nil {
		setMessage(v.giftMsg, "Gift reservations need the central server; this terminal has none.", widget.WarningImportance)
		return
	}
	if len(v.reservations) == 0 {
		setMessage(v.giftMsg, "No reservation picked: type or scan the customer in the gift section, Enter, then ↑↓.", widget.WarningImportance)
		u.focus(v.giftWho)
		return
	}
	r := v.reservations[v.resSel]
	if r.Status != pos.ReservationHeld {
		setMessage(v.giftMsg, fmt.Sprintf("%s is %s: only a held gift can be handed over, changed or forgone.", u.giftName(r.Gift), r.Status), widget.WarningImportance)
		return
	}
	g, by, name := u.svc.Gifts, *u.staff, u.giftName(r.Gift)
	switch action {
	case "hand over":
		u.giftCall("Handing over "+name, func(ctx context.Context) (string, string, error) {
			_, err := g.HandOver(ctx, by, r.ID)
			return fmt.Sprintf("%s handed over; recorded under %s.", name, by.Name), r.ID, err
		})
	case "forgo":
		u.giftCall("Releasing "+name, func(ctx context.Context) (string, string, error) {
			_, err := g.Forgo(ctx, by, r.ID)
			return fmt.Sprintf("%s forgone: %s points back to the customer, the stock released.", name, points(r.Cost)), r.ID, err
		})
	case "change":
		gift, ok := u.pickedGift()
		if !ok {
			setMessage(v.giftMsg, "Change: type the new gift's number from the catalog in the gift field, then F6.", widget.WarningImportance)
			return
		}
		u.giftCall("Changing "+name+" for "+gift.Name, func(ctx context.Context) (string, string, error) {
			res, err := g.Change(ctx, by, r.ID, gift.ID)
			return fmt.Sprintf("%s changed for %s (%s points), held until %s.", name, gift.Name, points(res.Cost), res.HeldUntil.Local().Format("2006-01-02")), r.ID, err
		})
	}
}

// previewReplaceTag shows whose tag is about to be replaced before
// anything is written, and moves on to the new tag.
func (u *UI) previewReplaceTag() {
	v := u.mgr
	a, err := u.svc.Terminal.FindAccount(u.ctx, v.tagWho.Text)
	if err != nil {
		setError(v.msg, err)
		u.focus(v.tagWho)
		return
	}
	tag := a.Tag
	if tag == "" {
		tag = "no tag yet"
	}
	setMessage(v.msg, fmt.Sprintf("Replacing the tag of %s  %s (now %s): scan the new tag.", a.Name, a.MaskedEmail(), tag), widget.MediumImportance)
	u.focus(v.tagNew)
}

func (u *UI) replaceTag() {
	v := u.mgr
	if strings.TrimSpace(v.tagWho.Text) == "" {
		setMessage(v.msg, "Whose tag? Type or scan the customer's tag or email first, Enter.", widget.WarningImportance)
		u.focus(v.tagWho)
		return
	}
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
	who, balance := "", ""
	if a, err := u.svc.Terminal.Account(u.ctx, e.Account); err == nil {
		who, balance = a.Name+": ", fmt.Sprintf(", balance now %s points", points(a.Balance.Available))
	}
	for _, f := range []*field{v.adjWho, v.adjPoints, v.adjWhy} {
		f.SetText("")
	}
	setMessage(v.msg, fmt.Sprintf("%sadjusted by %+d points (%s)%s, recorded under %s.", who, e.Points, e.Reason, balance, u.staff.Name), widget.SuccessImportance)
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
	// The next one added is a cashier unless ↑↓ says otherwise again.
	v.staffRole = pos.RoleCashier
	v.roleLabel.SetText("role ▲▼ " + string(v.staffRole))
	u.showStaff()
	setMessage(v.msg, fmt.Sprintf("%s can now sign in as a %s.", s.Name, s.Role), widget.SuccessImportance)
}

// showStaff lists who can sign in here.
func (u *UI) showStaff() {
	v := u.mgr
	staff, err := u.svc.Terminal.ListStaff(u.ctx)
	if err != nil {
		v.staffList.SetText(pos.ErrorMessage(err))
		return
	}
	var names []string
	for _, s := range staff {
		names = append(names, fmt.Sprintf("%s (%s)", s.Name, s.Role))
	}
	v.staffList.SetText(strings.Join(names, " · "))
	v.staffList.Wrapping = fyne.TextWrapWord
}

// removeStaff is F4: the staff member named in the name field can no
// longer sign in here, once a second F4 confirmed it.
func (u *UI) removeStaff() {
	v := u.mgr
	name := strings.TrimSpace(v.staffName.Text)
	switch {
	case name == "":
		v.removing = ""
		setMessage(v.msg, "Type the name of the staff member to remove, then F4.", widget.WarningImportance)
		u.focus(v.staffName)
		return
	case strings.EqualFold(name, u.staff.Name):
		// Removing oneself would leave this window signed in as nobody
		// the store knows; another manager does it.
		v.removing = ""
		setMessage(v.msg, "You cannot remove yourself while signed in: another manager can.", widget.WarningImportance)
		u.focus(v.staffName)
		return
	case !strings.EqualFold(name, v.removing):
		v.removing = name
		setMessage(v.msg, fmt.Sprintf("Press F4 again to remove %s: they will no longer sign in here.", name), widget.WarningImportance)
		return
	}
	v.removing = ""
	if err := u.svc.Terminal.RemoveStaff(u.ctx, *u.staff, name); err != nil {
		setError(v.msg, err)
		u.focus(v.staffName)
		return
	}
	v.staffName.SetText("")
	v.staffPIN.SetText("")
	u.showStaff()
	setMessage(v.msg, fmt.Sprintf("%s was removed: they can no longer sign in here.", name), widget.SuccessImportance)
	u.focus(v.staffName)
}

// resetPIN is F3: the staff member named gets the PIN typed, and a
// lock-out from wrong PINs ends.
func (u *UI) resetPIN() {
	v := u.mgr
	v.removing = ""
	s, err := u.svc.Terminal.ResetPIN(u.ctx, *u.staff, v.staffName.Text, v.staffPIN.Text)
	v.staffPIN.SetText("")
	if err != nil {
		setError(v.msg, err)
		if pos.ErrorCode(err) == pos.EInvalidInput {
			u.focus(v.staffPIN)
		} else {
			u.focus(v.staffName)
		}
		return
	}
	v.staffName.SetText("")
	setMessage(v.msg, fmt.Sprintf("%s has a new PIN and can sign in again.", s.Name), widget.SuccessImportance)
	u.focus(v.staffName)
}
