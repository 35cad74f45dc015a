package gui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/dbconn"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// The frequency choices as the dialog shows them, in order.
var frequencies = []struct{ value, label string }{
	{settings.Daily, "Daily"},
	{settings.Weekly, "Weekly — Sundays"},
	{settings.Monthly, "Monthly — the 1st"},
}

// firstRunIntro is the one sentence shown when there is no settings file.
const firstRunIntro = "Welcome! Tell Backup Desktop how to reach the Inventory system's database and where its media folder is, choose a folder for the backups, and click Save."

// settingsDialog is "Configure Backup Settings".
type settingsDialog struct {
	a    *App
	d    *dialog.CustomDialog
	keys *keys
	// base holds the values the dialog does not show (the engine).
	base settings.Settings

	intro, formError *widget.Label
	box              *fyne.Container
	scroll           *container.Scroll

	enabled      *keyCheck
	frequency    *keySelect
	timeOfDay    *keyEntry
	retention    *keyEntry
	startAtLogin *keyCheck

	host, port, user, password, name, socket *keyEntry
	testBtn                                  *widget.Button
	testResult                               *widget.Label
	testGen                                  int

	mediaDir, backupDir         *keyEntry
	mediaBrowse, backupBrowse   *widget.Button
	saveBtn, cancelBtn          *widget.Button
	errs                        map[string]*widget.Label // by settings key
	fields                      map[string]fyne.Focusable
	restoreKeys                 func()
	afterResult                 func() // screenshots: runs after a connection test shows its result
	firstBad                    fyne.Focusable
	shown                       bool
	passwordFromEnv, hadSavedPW bool
}

// openSettings shows the settings dialog (once).
func (a *App) openSettings() {
	if a.settingsUI != nil {
		return
	}
	a.settingsUI = newSettingsDialog(a)
	a.settingsUI.show()
}

// readForDialog reads the settings file as it is, without the password
// from the environment (which must never be written into the file). A
// file with mistakes is read as far as possible and the mistakes returned.
func readForDialog(path string) (s settings.Settings, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return settings.Default(), false, nil
	}
	if err != nil {
		return settings.Default(), true, fmt.Errorf("cannot read the settings file %s: %w", path, err)
	}
	s, err = settings.Parse(data)
	if err == nil {
		return s, true, nil
	}
	s = settings.Default()
	_ = json.Unmarshal(data, &s) // best effort: show what can be read
	return s, true, err
}

func newSettingsDialog(a *App) *settingsDialog {
	sd := &settingsDialog{a: a, errs: map[string]*widget.Label{}, fields: map[string]fyne.Focusable{}}
	sd.keys = &keys{enter: sd.save, escape: sd.cancel}
	s, exists, readErr := readForDialog(a.o.ConfigPath)
	sd.base = s

	sd.intro = widget.NewLabel("")
	sd.intro.Wrapping = fyne.TextWrapWord
	sd.formError = widget.NewLabel("")
	sd.formError.Wrapping = fyne.TextWrapWord
	sd.formError.Importance = widget.DangerImportance
	sd.formError.Hide()

	// Automated backups.
	sd.enabled = newKeyCheck(sd.keys, "Enable automated backups")
	sd.enabled.OnChanged = func(bool) { sd.updateEnabled() }
	labels := make([]string, len(frequencies))
	for i, f := range frequencies {
		labels[i] = f.label
	}
	sd.frequency = newKeySelect(sd.keys, labels)
	sd.timeOfDay = newKeyEntry(sd.keys, false)
	sd.timeOfDay.PlaceHolder = "HH:MM, for example 02:00"
	sd.retention = newKeyEntry(sd.keys, false)
	sd.retention.PlaceHolder = "days"
	sd.startAtLogin = newKeyCheck(sd.keys, "Start Backup Desktop when I log in")

	// Database.
	sd.host = newKeyEntry(sd.keys, false)
	sd.port = newKeyEntry(sd.keys, false)
	sd.user = newKeyEntry(sd.keys, false)
	sd.password = newKeyEntry(sd.keys, true)
	sd.name = newKeyEntry(sd.keys, false)
	sd.socket = newKeyEntry(sd.keys, false)
	sd.socket.PlaceHolder = "optional: the server's socket file instead of host and port"
	sd.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), sd.test)
	sd.testResult = widget.NewLabel("")
	sd.testResult.Wrapping = fyne.TextWrapWord
	sd.testResult.Hide()

	// Folders.
	sd.mediaDir = newKeyEntry(sd.keys, false)
	sd.mediaDir.PlaceHolder = "the Inventory system's media folder"
	sd.backupDir = newKeyEntry(sd.keys, false)
	sd.backupDir.PlaceHolder = "where the backups are kept"
	sd.mediaBrowse = widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), func() { sd.browse(sd.mediaDir, "Media folder") })
	sd.backupBrowse = widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), func() { sd.browse(sd.backupDir, "Backup folder") })

	sd.fill(s)

	section := func(t string) (fyne.CanvasObject, fyne.CanvasObject) {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), layout.NewSpacer()
	}
	label := func(t string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{})
	}
	var objs []fyne.CanvasObject
	add := func(o ...fyne.CanvasObject) { objs = append(objs, o...) }
	h1, s1 := section("Automated backups")
	add(h1, s1)
	add(layout.NewSpacer(), sd.field("schedule.enabled", sd.enabled, sd.enabled))
	add(label("Backup frequency"), sd.field("schedule.frequency", sd.frequency, sd.frequency))
	add(label("Backup time"), sd.field("schedule.time", sd.timeOfDay, container.NewBorder(nil, nil, nil,
		widget.NewLabel("24-hour clock, this computer's time"), sd.timeOfDay)))
	add(label("Retention period"), sd.field("retention_days", sd.retention, container.NewBorder(nil, nil, nil,
		widget.NewLabel("days"), sd.retention)))
	if a.o.StartAtLogin != nil {
		add(layout.NewSpacer(), sd.field("start_at_login", sd.startAtLogin, sd.startAtLogin))
	}
	h2, s2 := section("Database")
	add(h2, s2)
	add(label("Host"), sd.field("database.host", sd.host, sd.host))
	add(label("Port"), sd.field("database.port", sd.port, sd.port))
	add(label("User"), sd.field("database.user", sd.user, sd.user))
	add(label("Password"), sd.field("database.password", sd.password, sd.password))
	add(label("Database name"), sd.field("database.name", sd.name, sd.name))
	add(label("Socket"), sd.field("database.socket", sd.socket, sd.socket))
	add(layout.NewSpacer(), container.NewVBox(container.NewHBox(sd.testBtn), sd.testResult))
	h3, s3 := section("Folders")
	add(h3, s3)
	add(label("Media folder"), sd.field("media_dir", sd.mediaDir, container.NewBorder(nil, nil, nil, sd.mediaBrowse, sd.mediaDir)))
	add(label("Backup folder"), sd.field("backup_dir", sd.backupDir, container.NewBorder(nil, nil, nil, sd.backupBrowse, sd.backupDir)))
	form := container.New(layout.NewFormLayout(), objs...)

	switch {
	case !exists:
		sd.intro.SetText(firstRunIntro)
	case readErr != nil:
		sd.intro.SetText("The settings file " + a.o.ConfigPath + " has mistakes, marked below. Correct them and click Save.")
		sd.intro.Importance = widget.WarningImportance
	default:
		sd.intro.SetText("These settings are shared with the command line and the scheduled backups.")
	}
	if _, ok := os.LookupEnv(settings.EnvPassword); ok {
		sd.passwordFromEnv = true
		sd.showError("database.password", "The environment variable "+settings.EnvPassword+" is set: backups use its password instead of this one.", widget.WarningImportance)
	}

	sd.box = container.NewVBox(sd.intro, sd.formError, form)
	// The right padding keeps the fields clear of the scroll bar.
	gutter := canvas.NewRectangle(color.Transparent)
	gutter.SetMinSize(fyne.NewSize(theme.Padding()*3, 0))
	content := container.NewVScroll(container.NewBorder(nil, nil, nil, gutter, sd.box))
	sd.scroll = content
	sd.d = dialog.NewCustomWithoutButtons("Configure Backup Settings", content, a.win)
	sd.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), sd.cancel)
	sd.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), sd.save)
	sd.saveBtn.Importance = widget.HighImportance
	sd.d.SetButtons([]fyne.CanvasObject{sd.cancelBtn, sd.saveBtn})
	if readErr != nil {
		sd.markErrors(readErr)
	}
	return sd
}

// field registers a setting's input and returns it with its error line
// below.
func (sd *settingsDialog) field(key string, focus fyne.Focusable, o fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	sd.errs[key] = l
	sd.fields[key] = focus
	return container.NewVBox(o, l)
}

// fill puts s into the inputs.
func (sd *settingsDialog) fill(s settings.Settings) {
	sd.enabled.SetChecked(s.Schedule.Enabled)
	sd.frequency.ClearSelected()
	for _, f := range frequencies {
		if f.value == s.Schedule.Frequency {
			sd.frequency.SetSelected(f.label)
		}
	}
	sd.timeOfDay.SetText(s.Schedule.Time)
	sd.retention.SetText(strconv.Itoa(s.RetentionDays))
	sd.startAtLogin.SetChecked(s.StartAtLogin)
	sd.host.SetText(s.Database.Host)
	sd.port.SetText(strconv.Itoa(s.Database.Port))
	sd.user.SetText(s.Database.User)
	sd.password.SetText(s.Database.Password)
	sd.name.SetText(s.Database.Name)
	sd.socket.SetText(s.Database.Socket)
	sd.mediaDir.SetText(s.MediaDir)
	sd.backupDir.SetText(s.BackupDir)
	sd.updateEnabled()
}

func (sd *settingsDialog) updateEnabled() {
	if sd.enabled.Checked {
		sd.frequency.Enable()
		sd.timeOfDay.Enable()
	} else {
		sd.frequency.Disable()
		sd.timeOfDay.Disable()
	}
}

// collect reads the inputs into settings. Numbers that are not numbers are
// returned as errors here; everything else is left to Validate.
func (sd *settingsDialog) collect() (settings.Settings, settings.Errors) {
	s := sd.base
	var es settings.Errors
	number := func(key, text, accept string) int {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			es = append(es, &settings.FieldError{Key: key, Value: text, Accept: accept})
		}
		return n
	}
	s.Schedule.Enabled = sd.enabled.Checked
	s.Schedule.Frequency = ""
	for _, f := range frequencies {
		if f.label == sd.frequency.Selected {
			s.Schedule.Frequency = f.value
		}
	}
	s.Schedule.Time = strings.TrimSpace(sd.timeOfDay.Text)
	s.RetentionDays = number("retention_days", sd.retention.Text, "use a whole number of days from 1 to 36500")
	s.StartAtLogin = sd.startAtLogin.Checked
	s.Database.Host = strings.TrimSpace(sd.host.Text)
	s.Database.Port = number("database.port", sd.port.Text, "use a port number from 1 to 65535 (MySQL and MariaDB use 3306)")
	s.Database.User = strings.TrimSpace(sd.user.Text)
	s.Database.Password = sd.password.Text
	s.Database.Name = sd.name.Text
	s.Database.Socket = strings.TrimSpace(sd.socket.Text)
	s.MediaDir = strings.TrimSpace(sd.mediaDir.Text)
	s.BackupDir = strings.TrimSpace(sd.backupDir.Text)
	if err := s.Validate(); err != nil {
		var ves settings.Errors
		if errors.As(err, &ves) {
			for _, e := range ves {
				if !hasKey(es, e.Key) {
					es = append(es, e)
				}
			}
		}
	}
	return s, es
}

func hasKey(es settings.Errors, key string) bool {
	for _, e := range es {
		if e.Key == key {
			return true
		}
	}
	return false
}

// fieldMessage is a FieldError as the dialog shows it under its field:
// the setting's name is already beside it.
func fieldMessage(e *settings.FieldError) string {
	return sentence(e.Accept)
}

// clearErrors hides every error line.
func (sd *settingsDialog) clearErrors() {
	for key, l := range sd.errs {
		if key == "database.password" && sd.passwordFromEnv {
			continue
		}
		l.Hide()
	}
	sd.formError.Hide()
}

func (sd *settingsDialog) showError(key, text string, imp widget.Importance) {
	l, ok := sd.errs[key]
	if !ok {
		sd.formError.SetText(text)
		sd.formError.Show()
		return
	}
	l.Importance = imp
	l.SetText(text)
	l.Show()
}

// markErrors shows each error under its field and focuses the first.
func (sd *settingsDialog) markErrors(err error) {
	var es settings.Errors
	var fe *settings.FieldError
	switch {
	case errors.As(err, &es):
	case errors.As(err, &fe):
		es = settings.Errors{fe}
	default:
		sd.showError("", sentence(err.Error()), widget.DangerImportance)
		return
	}
	var first fyne.Focusable
	for _, e := range es {
		f, ok := sd.fields[e.Key]
		if !ok {
			sd.showError("", sentence(e.Error()), widget.DangerImportance)
			continue
		}
		sd.showError(e.Key, fieldMessage(e), widget.DangerImportance)
		if first == nil {
			first = f
		}
	}
	sd.firstBad = first
	if first != nil && sd.d != nil && sd.shown {
		sd.a.win.Canvas().Focus(first)
	}
}

func (sd *settingsDialog) show() {
	sd.d.Resize(fitDialog(sd.a.win, 680, sd.box))
	sd.restoreKeys = sd.a.dialogKeys(sd.save, sd.cancel)
	sd.d.Show()
	sd.shown = true
	// Start at the first mistake of a file with mistakes, at the database
	// on a first run (the folders follow it), else at the schedule.
	focus := sd.firstBad
	switch {
	case focus != nil:
	case sd.intro.Text == firstRunIntro:
		focus = sd.host
	default:
		focus = sd.timeOfDay
	}
	sd.a.win.Canvas().Focus(focus)
}

func (sd *settingsDialog) close() {
	sd.testGen++ // a connection test still running is no longer shown
	sd.restoreKeys()
	sd.d.Hide()
	sd.a.settingsUI = nil
}

func (sd *settingsDialog) cancel() {
	sd.close()
	if !sd.a.configured {
		sd.a.main.say(widget.WarningImportance, "Backup Desktop needs its settings before it can make backups: click “Configure Backup Settings”.")
	}
}

// save checks every field, refuses invalid input with the reasons next to
// the fields, and otherwise writes the settings file.
func (sd *settingsDialog) save() {
	sd.clearErrors()
	s, es := sd.collect()
	if len(es) > 0 {
		sd.markErrors(es)
		return
	}
	if err := settings.Save(sd.a.o.ConfigPath, s); err != nil {
		sd.markErrors(err)
		return
	}
	a := sd.a
	sd.close()
	a.log.Info("settings saved", "path", a.o.ConfigPath)
	a.loadSettings()
	a.main.say(widget.SuccessImportance, "Settings saved.")
	if a.o.StartAtLogin != nil {
		if err := a.o.StartAtLogin(s.StartAtLogin); err != nil {
			a.log.Error("start at login", "err", err)
			a.showMessage("Start at login", "The settings were saved, but starting at login could not be changed.",
				sentence(err.Error()))
		}
	}
	a.main.update()
	a.refresh()
}

// browse opens a folder picker for entry.
func (sd *settingsDialog) browse(entry *keyEntry, title string) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		entry.SetText(u.Path())
	}, sd.a.win)
	d.SetTitleText(title)
	if dir := strings.TrimSpace(entry.Text); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(existingParent(dir))); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(dialogSize(sd.a.win, 760, 520))
	d.Show()
}

// test connects to the database with the values in the dialog, on a worker
// goroutine, and says plainly what is wrong.
func (sd *settingsDialog) test() {
	sd.clearErrors()
	s, es := sd.collect()
	var dbErrs settings.Errors
	for _, e := range es {
		if strings.HasPrefix(e.Key, "database.") {
			dbErrs = append(dbErrs, e)
		}
	}
	if len(dbErrs) > 0 {
		sd.markErrors(dbErrs)
		sd.result(widget.DangerImportance, "Correct the marked database settings first.")
		return
	}
	db := s.Database
	if pw, ok := os.LookupEnv(settings.EnvPassword); ok {
		db.Password = pw
	}
	where := net.JoinHostPort(db.Host, strconv.Itoa(db.Port))
	if db.Socket != "" {
		where = db.Socket
	}
	sd.testGen++
	gen := sd.testGen
	sd.testBtn.Disable()
	sd.result(widget.MediumImportance, "Connecting to "+where+"…")
	a := sd.a
	a.goWork(func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		var version string
		conn, err := dbconn.Open(ctx, db)
		if err == nil {
			err = conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version)
			conn.Close()
			err = dbconn.Explain(err, db)
		}
		a.do(func() {
			if gen != sd.testGen {
				return // the dialog was closed or a newer test started
			}
			sd.testBtn.Enable()
			if err != nil {
				sd.result(widget.DangerImportance, "✗ "+connHeadline(err)+". "+explain(err))
				return
			}
			sd.result(widget.SuccessImportance, fmt.Sprintf("✓ Connected to the database “%s” on %s (server %s).", db.Name, where, version))
		})
	})
}

func (sd *settingsDialog) result(imp widget.Importance, text string) {
	sd.testResult.Importance = imp
	sd.testResult.SetText(text)
	sd.testResult.Show()
	if sd.afterResult != nil && !sd.testBtn.Disabled() {
		sd.afterResult()
	}
}
