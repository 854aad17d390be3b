package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

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

// keyTarget is where held-back keys go: a field, or the canvas (nil).
type keyTarget interface {
	passRune(rune)
	passKey(*fyne.KeyEvent)
	screenKey(*fyne.KeyEvent) bool
}

// keyRouter owns the burst detector. All its methods but the timer's run
// on Fyne's goroutine; the timer reaches it through fyne.Do.
type keyRouter struct {
	wedge *scanner.Wedge
	now   func() time.Time

	// onScan handles a scanned code; it reports false when the screen has
	// no use for scans (sign-in), and the code is then typed as text.
	onScan func(code string) bool
	// onKey handles the window's keys (F1–F12, Esc) before the field.
	onKey func(*fyne.KeyEvent) bool
	// onCanvasRune and onCanvasKey get what nobody focused takes.
	onCanvasRune func(rune)
	onCanvasKey  func(*fyne.KeyEvent)
	// onShortcut takes Ctrl keys; it reports whether it did.
	onShortcut func(fyne.Shortcut) bool

	mu     sync.Mutex
	holder keyTarget // who the held keys were typed into
	timer  *time.Timer
}

func newKeyRouter() *keyRouter {
	return &keyRouter{wedge: scanner.NewWedge(scanner.WedgeOptions{}), now: time.Now}
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
		r.drainTo(prev)
	}
	if typed := r.wedge.Key(x, r.now()); typed != "" {
		deliver(dst, typed)
	}
	r.arm()
}

// arm makes sure the held keys are released once no key follows them.
func (r *keyRouter) arm() {
	at, ok := r.wedge.Deadline()
	if !ok {
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
		deliver(dst, typed)
	}
}

// drainTo passes whatever is held to dst at once (a non-printable key
// came, or focus moved). Enter is the wedge's only way to empty itself;
// its verdict is ignored here.
func (r *keyRouter) drainTo(dst keyTarget) {
	if held, _ := r.wedge.Enter(r.now()); held != "" && dst != nil {
		deliver(dst, held)
	}
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
		code, isScan := r.wedge.Enter(r.now())
		if isScan && r.onScan != nil && r.onScan(code) {
			return
		}
		deliver(holder, code)
		if !dst.screenKey(k) {
			dst.passKey(k)
		}
		return
	}
	r.drainTo(holder)
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
