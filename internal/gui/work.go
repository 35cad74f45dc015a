package gui

import (
	"context"
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/backupdesktop/backup-desktop/internal/core/units"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// task is the one backup or restore the app runs at a time.
type task struct {
	title  string
	cancel context.CancelFunc
	// quiet tasks (the scheduler's due-check) show the progress panel
	// only once they report progress, that is once a backup really runs.
	quiet bool
	pump  *pump
}

// progressPanel shows the running task: what it does, how far it is, and
// a Cancel button.
type progressPanel struct {
	box *fyne.Container
	// replaces is hidden while the panel shows (the restore section: the
	// window stays small enough for an 800×600 screen).
	replaces fyne.CanvasObject
	title    *widget.Label
	phase    *widget.Label
	bar      *widget.ProgressBar
	detail   *widget.Label
	cancel   *widget.Button
	known    bool // the bar shows a real percentage
}

func newProgressPanel(onCancel func()) *progressPanel {
	p := &progressPanel{
		title:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		phase:  widget.NewLabel(""),
		bar:    widget.NewProgressBar(),
		detail: widget.NewLabel(""),
	}
	p.phase.Truncation = fyne.TextTruncateEllipsis
	p.detail.Truncation = fyne.TextTruncateEllipsis
	p.bar.TextFormatter = func() string {
		if !p.known {
			return ""
		}
		return fmt.Sprintf("%.0f%%", p.bar.Value*100)
	}
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), onCancel)
	p.box = container.NewBorder(nil, nil, nil, container.NewCenter(p.cancel), container.NewVBox(
		container.NewBorder(nil, nil, p.title, nil, p.phase),
		p.bar,
		p.detail,
	))
	p.box.Hide()
	return p
}

func (p *progressPanel) show(title string) {
	p.title.SetText(title)
	p.phase.SetText("Starting…")
	p.detail.SetText("")
	p.known = false
	p.bar.SetValue(0)
	p.cancel.SetText("Cancel")
	p.cancel.Enable()
	if p.replaces != nil {
		p.replaces.Hide()
	}
	p.box.Show()
}

func (p *progressPanel) hide() {
	p.box.Hide()
	if p.replaces != nil {
		p.replaces.Show()
	}
}

// waiting shows that the task waits for the user.
func (p *progressPanel) waiting(text string) {
	p.phase.SetText(text)
	p.known = false
	p.bar.SetValue(0)
	p.detail.SetText("")
}

// apply shows one progress event.
func (p *progressPanel) apply(e progress.Event) {
	phase := e.Phase
	if e.Item != "" {
		phase += ": " + e.Item
	}
	if phase != "" {
		p.phase.SetText(phase)
	}
	switch {
	case e.Total > 0:
		p.known = true
		v := float64(e.Done) / float64(e.Total)
		p.bar.SetValue(min(max(v, 0), 1))
		p.detail.SetText(amount(e.Done, e.Unit) + " of " + amount(e.Total, e.Unit))
	case e.Done > 0:
		p.known = false
		p.bar.SetValue(0)
		p.detail.SetText(amount(e.Done, e.Unit) + " so far")
	default:
		p.detail.SetText("")
	}
}

// amount writes n in unit: "12.1 MiB", "1,234 rows", "3 files".
func amount(n int64, unit string) string {
	switch unit {
	case "bytes":
		return units.Bytes(n)
	case "rows":
		return plural(n, "row", "rows")
	case "files":
		return plural(n, "file", "files")
	case "":
		return count(n)
	}
	return count(n) + " " + unit
}

// pump hands progress events from a worker goroutine to the UI goroutine,
// keeping at most one hand-over pending, so a fast stream of events never
// floods the UI queue: the UI shows the latest event when it gets to it.
type pump struct {
	do    func(func())
	apply func(progress.Event)

	mu      sync.Mutex
	ev      progress.Event
	pending bool
}

func (p *pump) report(e progress.Event) {
	p.mu.Lock()
	p.ev = e
	if p.pending {
		p.mu.Unlock()
		return
	}
	p.pending = true
	p.mu.Unlock()
	p.do(func() {
		p.mu.Lock()
		ev := p.ev
		p.pending = false
		p.mu.Unlock()
		p.apply(ev)
	})
}

// begin claims the task slot for a new task and shows the progress panel.
// It returns false (and says why) when a task is already running. UI
// goroutine only.
func (a *App) begin(title string, quiet bool) (context.Context, progress.Func, bool) {
	if a.task != nil {
		msg := fmt.Sprintf("Please wait: %s is still running.", lower(a.task.title))
		if a.task.quiet {
			msg = "Please wait a moment: checking whether a scheduled backup is due."
		}
		a.main.say(widget.WarningImportance, msg)
		return nil, nil, false
	}
	ctx, cancel := context.WithCancel(a.ctx)
	t := &task{title: title, cancel: cancel, quiet: quiet}
	t.pump = &pump{do: a.do, apply: func(e progress.Event) {
		if a.task != t {
			return // a late event of a task that has ended
		}
		if t.quiet {
			t.quiet = false
			a.main.progress.show(t.title)
		}
		a.main.progress.apply(e)
	}}
	a.task = t
	if !quiet {
		a.main.progress.show(title)
	}
	a.main.update()
	if a.tray != nil {
		a.tray.update()
	}
	return ctx, t.pump.report, true
}

// end releases the task slot. UI goroutine only.
func (a *App) end() {
	if a.task == nil {
		return
	}
	a.task.cancel()
	a.task = nil
	a.main.progress.hide()
	a.main.update()
	if a.tray != nil {
		a.tray.update()
	}
	a.refresh()
	if f := a.afterTask; f != nil {
		a.afterTask = nil
		f()
	}
}

// waitForCheck reports whether the running task is only the scheduler's
// quick due-check; then f runs when it ends, rather than asking the user
// to try again.
func (a *App) waitForCheck(f func()) bool {
	if a.task == nil || !a.task.quiet {
		return false
	}
	a.afterTask = f
	return true
}

// cancelTask is the Cancel button.
func (a *App) cancelTask() {
	if a.task == nil {
		return
	}
	a.task.cancel()
	a.main.progress.cancel.SetText("Cancelling…")
	a.main.progress.cancel.Disable()
}

// lower makes the first letter of s lower case.
func lower(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
