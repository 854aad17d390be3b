package ui

import (
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// A keyboard-wedge scanner types a code as key presses and Enter. Fyne
// gives key events to the focused widget, or to the canvas when nothing
// has focus, so every text field of this window is a field, whose keys go
// through one keyRouter with the canvas's: a burst ending in Enter becomes
// a scan whatever has focus, and is never typed into the field. Keys held
// back while the burst detector decides (at most ~30 ms) are then passed
// to the field they were meant for.

// field is a text entry whose keys go through the window's key router.
type field struct {
	widget.Entry
	router *keyRouter
	// onKey lets a screen use keys an entry has no use for (Up/Down to
	// pick a staff member or tender type); it reports whether it did.
	onKey func(*fyne.KeyEvent) bool
}

func newField(r *keyRouter, placeholder string) *field {
	f := &field{router: r}
	f.PlaceHolder = placeholder
	f.ExtendBaseWidget(f)
	return f
}

func newPINField(r *keyRouter, placeholder string) *field {
	f := newField(r, placeholder)
	f.Password = true
	return f
}

func (f *field) TypedRune(r rune)          { f.router.rune(r, f) }
func (f *field) TypedKey(k *fyne.KeyEvent) { f.router.key(k, f) }
func (f *field) passRune(r rune)           { f.Entry.TypedRune(r) }

// TypedShortcut lets the window take Ctrl keys (Ctrl+Z undoes the last
// tender or line) before the entry does.
func (f *field) TypedShortcut(s fyne.Shortcut) {
	if f.router.onShortcut != nil && f.router.onShortcut(s) {
		return
	}
	f.Entry.TypedShortcut(s)
}
func (f *field) passKey(k *fyne.KeyEvent) { f.Entry.TypedKey(k) }
func (f *field) screenKey(k *fyne.KeyEvent) bool {
	return f.onKey != nil && f.onKey(k)
}

// takeBack removes s from the end of the field, where the start of a
// scan was typed before it was known to be one.
func (f *field) takeBack(s string) {
	if t := f.Text; strings.HasSuffix(t, s) {
		f.SetText(strings.TrimSuffix(t, s))
		f.CursorColumn = len([]rune(f.Text))
		f.Refresh()
	}
}

// keyTarget is where held-back keys go: a field, or the canvas (nil).
type keyTarget interface {
	passRune(rune)
	passKey(*fyne.KeyEvent)
	screenKey(*fyne.KeyEvent) bool
	takeBack(string)
}

// keyRouter owns the burst detector. All its methods but the timer's run
// on Fyne's goroutine; the timer reaches it through fyne.Do.
type keyRouter struct {
	wedge *scanner.Wedge
	now   func() time.Time
	// format is the key-tag format scans are classified against.
	format func() pos.TagFormat
	// tookBack is how many keys the last scan took back from fields.
	tookBack int

	// onScan handles a scan; it reports false when the screen has no use
	// for scans, and the code is then typed as text.
	onScan func(scanner.Scan) bool
	// onKey handles the window's keys (F1–F12, Esc) before the field.
	onKey func(*fyne.KeyEvent) bool
	// onCanvasRune and onCanvasKey get what nobody focused takes.
	onCanvasRune func(rune)
	onCanvasKey  func(*fyne.KeyEvent)
	// onShortcut takes Ctrl keys; it reports whether it did.
	onShortcut func(fyne.Shortcut) bool

	// manual is set by tests, which release held keys by hand (release):
	// Fyne's test driver would run the timer's fyne.Do on the timer's own
	// goroutine, beside the test's.
	manual bool

	mu     sync.Mutex
	holder keyTarget // who the held keys were typed into
	timer  *time.Timer
	// passed is where each key the wedge passed through lately went,
	// oldest first (as many as the wedge remembers), so that the start of
	// a scan can be taken back from the field that got it.
	passed []keyTarget
}

func newKeyRouter(format func() pos.TagFormat) *keyRouter {
	return &keyRouter{wedge: scanner.NewWedge(scanner.WedgeOptions{}), now: time.Now, format: format}
}

// canvasTarget stands for "nothing focused".
type canvasTarget struct{ r *keyRouter }

func (c canvasTarget) passRune(x rune) {
	if c.r.onCanvasRune != nil {
		c.r.onCanvasRune(x)
	}
}
func (c canvasTarget) passKey(k *fyne.KeyEvent) {
	if c.r.onCanvasKey != nil {
		c.r.onCanvasKey(k)
	}
}
func (c canvasTarget) screenKey(*fyne.KeyEvent) bool { return false }

// takeBack has nothing to undo: a key given to the canvas was a screen's
// key (the receipt's "any key"), done already.
func (c canvasTarget) takeBack(string) {}

// install hooks the canvas: keys typed while nothing has focus.
func (r *keyRouter) install(c fyne.Canvas) {
	c.SetOnTypedRune(func(x rune) { r.rune(x, canvasTarget{r}) })
	c.SetOnTypedKey(func(k *fyne.KeyEvent) { r.key(k, canvasTarget{r}) })
	c.AddShortcut(&fyne.ShortcutUndo{}, func(s fyne.Shortcut) {
		if r.onShortcut != nil {
			r.onShortcut(s)
		}
	})
}

func (r *keyRouter) rune(x rune, dst keyTarget) {
	r.mu.Lock()
	prev := r.holder
	r.holder = dst
	r.mu.Unlock()
	if prev != nil && prev != dst {
		// Focus moved while keys were held: they belong where they were typed.
		r.pass(prev, r.wedge.Release())
	}
	r.pass(dst, r.wedge.Key(x, r.now()))
	r.arm()
}

// arm makes sure the held keys are released once no key follows them.
func (r *keyRouter) arm() {
	at, ok := r.wedge.Deadline()
	if !ok || r.manual {
		return
	}
	d := time.Until(at)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		r.timer = time.AfterFunc(d, func() { fyne.Do(r.release) })
		return
	}
	r.timer.Reset(d)
}

// release runs on Fyne's goroutine when the timer fires: a person's last
// keystrokes appear ~30 ms after they were typed.
func (r *keyRouter) release() {
	typed := r.wedge.Flush(r.now())
	if typed == "" {
		r.arm() // a key came meanwhile; wait for it
		return
	}
	r.mu.Lock()
	dst := r.holder
	r.mu.Unlock()
	if dst != nil {
		r.pass(dst, typed)
	}
}

// pass gives typed keys to dst and remembers where they went.
func (r *keyRouter) pass(dst keyTarget, typed string) {
	if typed == "" || dst == nil {
		return
	}
	deliver(dst, typed)
	for range typed {
		r.passed = append(r.passed, dst)
	}
	if over := len(r.passed) - scanner.MaxCodeLen; over > 0 {
		r.passed = append(r.passed[:0], r.passed[over:]...)
	}
}

// takeBack removes the last n keys passed through, which turned out to be
// the start of code, from the fields that got them.
func (r *keyRouter) takeBack(n int, code string) {
	if n > len(r.passed) {
		n = len(r.passed) // cannot happen: the wedge remembers no more than we do
	}
	head := []rune(code)
	if n > len(head) {
		n = len(head)
	}
	head = head[:n]
	tail := r.passed[len(r.passed)-n:]
	// Each field gets back its own run of keys, last field first.
	for end := len(tail); end > 0; {
		start := end - 1
		for start > 0 && tail[start-1] == tail[end-1] {
			start--
		}
		tail[end-1].takeBack(string(head[start:end]))
		end = start
	}
	r.tookBack = n
}

// printable reports whether a key event belongs to a character that
// also arrives as a rune (letters, digits, punctuation, Space) or is a
// modifier. The desktop driver sends every key press to TypedKey before
// its rune goes to TypedRune, and a scanner presses Shift for capitals:
// these must neither end a burst nor count as the window's keys.
func printable(n fyne.KeyName) bool {
	if len(n) <= 1 {
		return true
	}
	switch n {
	case fyne.KeySpace, desktop.KeyShiftLeft, desktop.KeyShiftRight, desktop.KeyControlLeft, desktop.KeyControlRight,
		desktop.KeyAltLeft, desktop.KeyAltRight, desktop.KeySuperLeft, desktop.KeySuperRight, desktop.KeyCapsLock:
		return true
	}
	return false
}

func (r *keyRouter) key(k *fyne.KeyEvent, dst keyTarget) {
	if printable(k.Name) {
		return
	}
	r.mu.Lock()
	holder := r.holder
	r.mu.Unlock()
	if holder == nil {
		holder = dst
	}
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		end := r.wedge.End(r.now(), r.format())
		if end.IsScan {
			r.takeBack(end.TakeBack, end.Scan.Code)
			r.passed = r.passed[:0]
			if r.onScan != nil && r.onScan(end.Scan) {
				return
			}
			// The screen has no use for scans: the code is typed, whole,
			// where the Enter was pressed.
			end.Typed = end.Scan.Code
		}
		r.passed = r.passed[:0]
		deliver(holder, end.Typed)
		if !dst.screenKey(k) {
			dst.passKey(k)
		}
		return
	}
	r.passed = r.passed[:0]
	deliver(holder, r.wedge.Break())
	if r.onKey != nil && r.onKey(k) {
		return
	}
	if dst.screenKey(k) {
		return
	}
	dst.passKey(k)
}

func deliver(dst keyTarget, s string) {
	for _, x := range s {
		dst.passRune(x)
	}
}

// tickBox is a check box whose keys go through the window's key router
// like a field's: a scan while it has focus is still a scan, and Enter
// moves on (Space ticks it).
type tickBox struct {
	widget.Check
	router  *keyRouter
	onEnter func()
}

func newTickBox(r *keyRouter, text string) *tickBox {
	t := &tickBox{router: r}
	t.Text = text
	t.ExtendBaseWidget(t)
	return t
}

func (t *tickBox) TypedRune(x rune)          { t.router.rune(x, t) }
func (t *tickBox) TypedKey(k *fyne.KeyEvent) { t.router.key(k, t) }
func (t *tickBox) passRune(x rune) {
	if x == ' ' {
		t.SetChecked(!t.Checked)
	}
}
func (t *tickBox) passKey(k *fyne.KeyEvent) { t.Check.TypedKey(k) }
func (t *tickBox) screenKey(k *fyne.KeyEvent) bool {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && t.onEnter != nil {
		t.onEnter()
		return true
	}
	return false
}
func (t *tickBox) takeBack(string) {}
