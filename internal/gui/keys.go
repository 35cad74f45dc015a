package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Fyne's dialogs do not react to Enter and Escape by themselves: a key goes
// to the focused widget, or to the canvas when nothing has focus. The
// dialog's fields are therefore these small wrappers that hand Enter and
// Escape to the dialog, and dialogKeys covers the case of no focus.

// keys are a dialog's Enter and Escape actions; nil does nothing.
type keys struct {
	enter, escape func()
}

func (k *keys) handle(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		if k.escape != nil {
			k.escape()
			return true
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.enter != nil {
			k.enter()
			return true
		}
	}
	return false
}

// keyEntry is a single-line entry whose Enter and Escape act on its dialog.
type keyEntry struct {
	widget.Entry
	keys *keys
}

func newKeyEntry(k *keys, password bool) *keyEntry {
	e := &keyEntry{keys: k}
	e.Password = password
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey hands Enter and Escape to the dialog.
func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.keys.handle(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// keyCheck is a check box whose Enter and Escape act on its dialog.
type keyCheck struct {
	widget.Check
	keys *keys
}

func newKeyCheck(k *keys, label string) *keyCheck {
	c := &keyCheck{keys: k}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey hands Enter and Escape to the dialog.
func (c *keyCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.keys.handle(ev) {
		c.Check.TypedKey(ev)
	}
}

// keySelect is a drop-down whose Enter and Escape act on its dialog.
type keySelect struct {
	widget.Select
	keys *keys
}

func newKeySelect(k *keys, options []string) *keySelect {
	s := &keySelect{keys: k}
	s.Options = options
	s.PlaceHolder = "(choose one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey hands Enter and Escape to the dialog.
func (s *keySelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.keys.handle(ev) {
		s.Select.TypedKey(ev)
	}
}

// dialogKeys makes Enter and Escape act on a dialog while nothing has the
// focus, and returns the function that puts the window's previous key
// handler back.
func (a *App) dialogKeys(enter, escape func()) func() {
	c := a.win.Canvas()
	prev := c.OnTypedKey()
	k := &keys{enter: enter, escape: escape}
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !k.handle(ev) && prev != nil {
			prev(ev)
		}
	})
	done := false
	return func() {
		if !done {
			done = true
			c.SetOnTypedKey(prev)
		}
	}
}
