package gui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/backupdesktop/backup-desktop/internal/core/units"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/restore"
)

// restore restores the backup at path after the user confirms the plan.
// UI goroutine only.
func (a *App) restore(path string, safety bool) {
	if !a.configured {
		a.openSettings()
		return
	}
	if a.waitForCheck(func() { a.restore(path, safety) }) {
		return
	}
	ctx, report, ok := a.begin("Restoring", false)
	if !ok {
		return
	}
	env := a.env()
	a.main.say(widget.MediumImportance, "")
	a.goWork(func() {
		out, err := jobs.Restore(ctx, env, jobs.RestoreRequest{
			Archive: path, SafetyBackup: safety, Progress: report,
			Confirm: func(p *restore.Plan) bool { return a.confirmRestore(ctx, p, safety) },
		})
		a.do(func() {
			a.end()
			a.restoreDone(path, out, err)
		})
	})
}

// confirmRestore shows the plan and waits for the answer. It runs on the
// restore's worker goroutine and blocks it; the dialog lives on the UI
// goroutine. Cancelling the task (or quitting) answers no.
func (a *App) confirmRestore(ctx context.Context, p *restore.Plan, safety bool) bool {
	answer := make(chan bool, 1)
	reply := func(ok bool) {
		select {
		case answer <- ok:
		default: // already answered
		}
	}
	var d *dialog.CustomDialog
	a.do(func() {
		a.main.progress.waiting("Waiting for your confirmation")
		d = a.showRestoreConfirm(p, safety, reply)
	})
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
		a.do(func() {
			if d != nil {
				d.Hide()
			}
		})
		return false
	}
}

// showRestoreConfirm shows what a restore replaces and asks to go on.
// answer is called once with the user's choice.
func (a *App) showRestoreConfirm(p *restore.Plan, safety bool, answer func(bool)) *dialog.CustomDialog {
	m := p.Manifest
	var tables, rows int64
	if m != nil {
		for _, n := range m.Tables {
			tables++
			rows += n
		}
	}
	val := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	made, holds := "unknown", "unknown"
	if m != nil {
		made = when(m.Created())
		if m.Host != "" {
			made += " on " + m.Host
		}
		holds = fmt.Sprintf("%s with %s; %s (%s)", plural(tables, "table", "tables"), plural(rows, "row", "rows"),
			plural(int64(m.Media.Files), "media file", "media files"), units.Bytes(m.Media.Bytes))
	}
	db := fmt.Sprintf("“%s” on %s", p.Database, a.serverText())
	if p.DatabaseExists {
		db += fmt.Sprintf(" — now %s, about %s", plural(int64(p.CurrentTables), "table", "tables"), plural(p.CurrentRows, "row", "rows"))
	} else {
		db += " — does not exist yet and will be created"
	}
	media := fmt.Sprintf("%s — now %s", p.MediaDir, plural(int64(p.CurrentFiles), "file", "files"))

	k := keyLabels("Backup", "Made", "It holds", "Database", "Media folder")
	backupInfo := container.New(layout.NewFormLayout(),
		k[0], val(filepath.Base(p.Archive)),
		k[1], val(made),
		k[2], val(holds),
	)
	replaces := container.New(layout.NewFormLayout(),
		k[3], val(db),
		k[4], val(media),
	)
	note := widget.NewLabel("")
	note.Wrapping = fyne.TextWrapWord
	if safety {
		note.SetText("A safety backup of the current database and media folder is saved first (pre_restore_….zip), so you can go back to today's data.")
	} else {
		note.Importance = widget.WarningImportance
		note.SetText("No safety backup will be made: the current data cannot be brought back after the restore.")
	}
	items := []fyne.CanvasObject{
		backupInfo,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("The restore replaces all of this:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		replaces,
		widget.NewSeparator(),
		note,
	}
	if p.MigrationsWarning != "" {
		w := widget.NewLabel(sentence(p.MigrationsWarning))
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.WarningImportance
		items = append(items, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w))
	}
	box := container.NewVBox(items...)
	content := container.NewVScroll(box)
	d := dialog.NewCustomWithoutButtons("Restore this backup?", content, a.win)
	restoreKeys := func() {}
	var answered bool
	done := func(ok bool) {
		if answered {
			return
		}
		answered = true
		restoreKeys()
		d.Hide()
		answer(ok)
	}
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { done(false) })
	confirm := widget.NewButtonWithIcon("Restore Backup", theme.HistoryIcon(), func() { done(true) })
	confirm.Importance = widget.DangerImportance
	d.SetButtons([]fyne.CanvasObject{cancel, confirm})
	d.SetOnClosed(func() { done(false) })
	d.Resize(fitDialog(a.win, 640, box))
	restoreKeys = a.dialogKeys(nil, func() { done(false) })
	d.Show()
	a.main.restoreConfirm, a.main.restoreConfirmContent = d, content
	a.main.restoreConfirmOK, a.main.restoreConfirmCancel = confirm, cancel
	return d
}

// serverText names the database server of the settings.
func (a *App) serverText() string {
	d := a.settings.Database
	if d.Socket != "" {
		return d.Socket
	}
	return net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
}

// restoreDone reports a restore's outcome.
func (a *App) restoreDone(path string, out *jobs.RestoreOutcome, err error) {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, jobs.ErrDeclined):
		a.main.say(widget.MediumImportance, "Restore cancelled. Nothing was changed.")
		return
	case err != nil && errors.Is(err, context.Canceled):
		if a.quitting {
			return
		}
		msg := "Restore cancelled. The database and the media folder are as they were before."
		a.main.say(widget.WarningImportance, msg)
		a.notify("Restore cancelled", msg)
		return
	case err != nil:
		msg := explain(err)
		a.main.say(widget.DangerImportance, "The restore of "+name+" failed: "+msg)
		a.notify("Restore failed", msg)
		a.showMessage("Restore failed", "The restore of "+name+" failed.", msg,
			"Details are in the log file "+a.logPath()+".")
		return
	}
	res := out.Result
	msg := fmt.Sprintf("Restored %s: %s with %s and %s.", name,
		plural(int64(res.Tables), "table", "tables"), plural(res.Rows, "row", "rows"), plural(int64(res.Files), "media file", "media files"))
	lines := []string{msg}
	if out.Safety != nil {
		lines = append(lines, "The data from before the restore was saved as "+filepath.Base(out.Safety.Path)+".")
	}
	warning := ""
	if res.Plan != nil && res.Plan.MigrationsWarning != "" {
		warning = sentence(res.Plan.MigrationsWarning)
	}
	a.main.say(widget.SuccessImportance, msg)
	note := msg
	if warning != "" {
		note += " " + warning
	}
	a.notify("Restore finished", note)
	a.showOutcome("Restore finished", lines, warning)
}

// showMessage shows a dialog with a bold first line and wrapped text.
func (a *App) showMessage(title, head string, lines ...string) {
	items := []fyne.CanvasObject{widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	for _, l := range lines {
		w := widget.NewLabel(l)
		w.Wrapping = fyne.TextWrapWord
		items = append(items, w)
	}
	a.showDialog(title, items)
}

// showText shows a long text in a dialog.
func (a *App) showText(title, text string) {
	w := widget.NewLabel(text)
	w.Wrapping = fyne.TextWrapWord
	a.showDialog(title, []fyne.CanvasObject{w})
}

// showOutcome shows a finished job's result, with a warning if any.
func (a *App) showOutcome(title string, lines []string, warning string) {
	var items []fyne.CanvasObject
	for _, l := range lines {
		w := widget.NewLabel(l)
		w.Wrapping = fyne.TextWrapWord
		items = append(items, w)
	}
	if warning != "" {
		w := widget.NewLabel(warning)
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.WarningImportance
		items = append(items, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w))
	}
	a.showDialog(title, items)
}

func (a *App) showDialog(title string, items []fyne.CanvasObject) {
	box := container.NewVBox(items...)
	d := dialog.NewCustom(title, "OK", box, a.win)
	restoreKeys := a.dialogKeys(d.Hide, d.Hide)
	d.SetOnClosed(restoreKeys)
	d.Resize(fitDialog(a.win, 560, box))
	d.Show()
	a.main.lastDialog = d
}
