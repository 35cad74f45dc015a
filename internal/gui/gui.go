// Package gui is the desktop app: the "Backup & Restore" window, the
// "Configure Backup Settings" dialog, the restore confirmation and the tray
// icon with its menu. It drives the same core calls as the command line
// (internal/core/jobs) and runs them on background goroutines, so the
// window never freezes; every widget update from those goroutines goes
// through Options.Do (fyne.Do).
//
// The package does not import fyne.io/fyne/v2/app: cmd/backup-desktop
// creates the app and passes it to Run, and the tests pass the headless
// driver of fyne.io/fyne/v2/test, so no display is needed to test it.
package gui

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/backupdesktop/backup-desktop/assets"
	"github.com/backupdesktop/backup-desktop/internal/core/applog"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/scheduler"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Title is the main window's title, after the documented
// "Settings > Backup & Restore" page.
const Title = "Backup & Restore"

// Options configure the app.
type Options struct {
	// ConfigPath is the settings file (already resolved from --config,
	// BACKUP_DESKTOP_CONFIG or the default). Its folder is the state
	// folder: lock, history, logs.
	ConfigPath string
	// AppVersion is written into every backup's manifest.
	AppVersion string
	// Log receives the app's log lines; nil discards them.
	Log *slog.Logger
	// Tray creates the tray icon. The caller turns it off where the tray
	// cannot work (no D-Bus session bus on Linux; see SessionBusAvailable).
	Tray bool
	// TrayHost reports whether something shows tray icons right now
	// (a StatusNotifierWatcher on Linux). Closing the window only hides
	// it when there is one; nil means TrayHostPresent.
	TrayHost func() bool
	// Hidden starts with the window hidden in the tray (start at login).
	// Ignored without a tray.
	Hidden bool
	// StartAtLogin registers (true) or removes (false) the start-at-login
	// entry; nil hides the setting.
	StartAtLogin func(on bool) error
	// Scheduler runs the in-app scheduler while the app lives.
	Scheduler bool
	// Do runs f on the UI goroutine; nil means fyne.Do. Tests replace it
	// to serialise the UI with the test.
	Do func(f func())
	// Now is the clock for the window's status; nil means time.Now.
	Now func() time.Time
	// RefreshEvery is how often the status is re-read (backups made by the
	// command line, an overdue schedule); zero means one minute.
	RefreshEvery time.Duration
	// ScreenSize returns the screen's size in pixels, if known; it is
	// called on the UI goroutine once the app runs, to fit the window on
	// small screens. Nil keeps the default size.
	ScreenSize func() (width, height int, ok bool)
	// Show opens something at start, for screenshots: "settings" (the
	// settings dialog), "settings-test" (its lower half after Test
	// connection) or "restore" (the confirmation of restoring the newest
	// backup).
	Show string
}

// App is the running desktop app.
type App struct {
	fa       fyne.App
	win      fyne.Window
	o        Options
	log      *slog.Logger
	stateDir string
	do       func(func())

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool

	sched *scheduler.Scheduler
	// schedule is the current schedule for the scheduler's goroutines.
	schedule sync.Mutex
	sch      settings.Schedule

	// Everything below belongs to the UI goroutine.
	settings   settings.Settings // as jobs use it (password from the environment applied)
	configured bool
	loadErr    error
	list       []jobs.BackupInfo
	refreshSeq int
	task       *task
	// afterTask runs when the current task ends: a backup the user asked
	// for while the scheduler was only checking whether one is due.
	afterTask  func()
	shown      bool // the window is visible
	hintedTray bool // the "still running in the tray" notification was sent
	quitting   bool
	settingsUI *settingsDialog

	main *mainView
	tray *trayMenu
}

// New builds the app's window (not yet shown) and, with Options.Tray,
// its tray icon, and starts reading the status and (Options.Scheduler) the
// in-app scheduler. The caller then calls Start, runs the fyne app, and
// calls Close and Wait when it has quit.
func New(fa fyne.App, o Options) *App {
	if o.Do == nil {
		o.Do = fyne.Do
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RefreshEvery <= 0 {
		o.RefreshEvery = time.Minute
	}
	if o.TrayHost == nil {
		o.TrayHost = TrayHostPresent
	}
	a := &App{fa: fa, o: o, log: o.Log, stateDir: settings.StateDir(o.ConfigPath)}
	// After Close nothing more is handed to the UI: the app may be gone.
	a.do = func(f func()) {
		if !a.closed.Load() {
			o.Do(f)
		}
	}
	if a.log == nil {
		a.log = applog.Discard()
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	fa.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	a.win = fa.NewWindow(Title)
	a.win.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	a.main = newMainView(a)
	a.win.SetContent(a.main.content)
	a.win.Resize(defaultSize)
	a.win.SetCloseIntercept(a.closeWindow)
	if o.ScreenSize != nil {
		fa.Lifecycle().SetOnStarted(a.fitToScreen)
	}

	a.loadSettings()
	if desk, ok := fa.(desktop.App); ok && o.Tray {
		a.tray = newTrayMenu(a, desk)
	}
	a.main.update()
	a.refresh()
	a.goLoop()
	if o.Scheduler {
		a.startScheduler()
	}
	return a
}

// defaultSize is the window's size on a screen big enough for it.
var defaultSize = fyne.NewSize(900, 680)

// fitToScreen makes the window fit a small screen (with room for a
// panel and the title bar) and centres it.
func (a *App) fitToScreen() {
	w, h, ok := a.o.ScreenSize()
	if !ok || w <= 0 || h <= 0 {
		return
	}
	scale := a.win.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	sw, sh := float32(w)/scale, float32(h)/scale
	size := fyne.NewSize(min(defaultSize.Width, sw-40), min(defaultSize.Height, sh-70))
	a.win.Resize(size)
	a.win.CenterOnScreen()
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Start shows the window, or keeps it hidden when starting in the tray,
// and opens what Options.Show asks for.
func (a *App) Start() {
	if !(a.o.Hidden && a.tray != nil) || !a.configured {
		a.showWindow()
	}
	switch {
	case !a.configured:
		a.openSettings()
	case a.o.Show == "settings":
		a.openSettings()
	case a.o.Show == "settings-test":
		a.openSettings()
		a.settingsUI.afterResult = a.settingsUI.scroll.ScrollToBottom
		a.settingsUI.test()
	case a.o.Show == "restore":
		a.main.restoreNewestWhenListed = true
	}
}

// ShowWindow brings the window forward. It may be called from any
// goroutine (the single-instance listener).
func (a *App) ShowWindow() {
	a.do(a.showWindow)
}

func (a *App) showWindow() {
	a.win.Show()
	a.win.RequestFocus()
	a.shown = true
}

// closeWindow is the window's close button: hide to the tray where there
// is one, otherwise ask whether to quit.
func (a *App) closeWindow() {
	if a.tray != nil && a.o.TrayHost() {
		a.win.Hide()
		a.shown = false
		if !a.hintedTray {
			a.hintedTray = true
			a.notify("Backup Desktop is still running",
				"Scheduled backups keep running. Open the window again from the tray icon.")
		}
		return
	}
	a.confirmQuit(true)
}

// Close cancels the running backup or restore, stops the scheduler and
// hands nothing more to the UI. Call it after the fyne app has quit, then
// Wait.
func (a *App) Close() {
	if a.closed.Swap(true) {
		return
	}
	a.cancel()
	if a.sched != nil {
		if err := a.sched.Stop(); err != nil {
			a.log.Warn("scheduler stop", "err", err)
		}
	}
}

// Wait waits up to limit for the background work to end after Close: a
// cancelled backup removes its unfinished file, a cancelled restore puts
// the old data back. It reports whether everything ended.
func (a *App) Wait(limit time.Duration) bool {
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(limit):
		a.log.Warn("quitting while background work still runs", "waited", limit)
		return false
	}
}

// wait waits for the background goroutines after Close (tests).
func (a *App) wait() { a.wg.Wait() }

// quit ends the app: the fyne app stops, and Close (after it) cancels what
// still runs.
func (a *App) quit() {
	a.quitting = true
	if a.task != nil {
		a.task.cancel()
	}
	a.fa.Quit()
}

// goWork runs f on a new goroutine that Close's callers can wait for.
func (a *App) goWork(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

// goLoop re-reads the status periodically until Close.
func (a *App) goLoop() {
	a.goWork(func() {
		t := time.NewTicker(a.o.RefreshEvery)
		defer t.Stop()
		for {
			select {
			case <-a.ctx.Done():
				return
			case <-t.C:
				a.do(a.refresh)
			}
		}
	})
}

// env is what a job needs, from the current settings.
func (a *App) env() *jobs.Env {
	return &jobs.Env{
		ConfigPath: a.o.ConfigPath, Settings: a.settings, StateDir: a.stateDir,
		Log: a.log, AppVersion: a.o.AppVersion,
	}
}

// loadSettings reads the settings file for the jobs.
func (a *App) loadSettings() {
	s, err := settings.Load(a.o.ConfigPath)
	a.setLoaded(s, err)
}

func (a *App) setLoaded(s settings.Settings, err error) {
	a.loadErr = err
	if err != nil {
		a.configured = false
		if !errors.Is(err, settings.ErrNotFound) {
			a.log.Error("settings file cannot be used", "path", a.o.ConfigPath, "err", err)
		}
		return
	}
	changed := !a.configured || a.settings.Schedule != s.Schedule
	a.settings, a.configured = s, true
	a.schedule.Lock()
	a.sch = s.Schedule
	a.schedule.Unlock()
	if changed && a.sched != nil {
		a.goWork(func() {
			if err := a.sched.Update(); err != nil && !errors.Is(err, scheduler.ErrStopped) {
				a.log.Error("scheduler update", "err", err)
			}
		})
	}
}

// notify raises a desktop notification.
func (a *App) notify(title, content string) {
	a.fa.SendNotification(fyne.NewNotification(title, content))
}

// logPath is the log file, named in error messages.
func (a *App) logPath() string { return applog.Path(a.stateDir) }

// settingsExist reports whether the settings file exists.
func (a *App) settingsExist() bool {
	_, err := os.Stat(a.o.ConfigPath)
	return err == nil
}
