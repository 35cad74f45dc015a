package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/backupdesktop/backup-desktop/assets"
)

// Tray menu labels.
const (
	MenuBackup  = "Back up now"
	MenuOpen    = "Open"
	MenuRestore = "Restore…"
	MenuQuit    = "Quit"
)

var trayIcons = map[health]fyne.Resource{
	healthOK:      fyne.NewStaticResource("tray_ok.png", assets.TrayOK),
	healthOverdue: fyne.NewStaticResource("tray_overdue.png", assets.TrayOverdue),
	healthFailed:  fyne.NewStaticResource("tray_failed.png", assets.TrayFailed),
}

// trayMenu is the tray icon and its menu.
type trayMenu struct {
	a    *App
	desk desktop.App
	menu *fyne.Menu

	status, backup, open, restore, quit *fyne.MenuItem

	health health
	shown  string // the menu as last handed to the tray, to skip no-op updates
}

func newTrayMenu(a *App, desk desktop.App) *trayMenu {
	t := &trayMenu{a: a, desk: desk, health: -1}
	t.status = fyne.NewMenuItem("Last backup: checking…", nil)
	t.status.Disabled = true
	t.backup = fyne.NewMenuItem(MenuBackup, a.backupNow)
	t.open = fyne.NewMenuItem(MenuOpen, a.showWindow)
	t.restore = fyne.NewMenuItem(MenuRestore, a.trayRestore)
	t.quit = fyne.NewMenuItem(MenuQuit, func() { a.confirmQuit(false) })
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu("Backup Desktop", t.status, fyne.NewMenuItemSeparator(),
		t.backup, t.open, t.restore, fyne.NewMenuItemSeparator(), t.quit)
	desk.SetSystemTrayIcon(trayIcons[healthOK])
	desk.SetSystemTrayMenu(t.menu)
	// A left click on the icon shows the window; SetSystemTrayWindow also
	// sets its own close handler, so ours is put back.
	desk.SetSystemTrayWindow(a.win)
	a.win.SetCloseIntercept(a.closeWindow)
	return t
}

// update enables the items for the app's state and hands a changed menu to
// the tray.
func (t *trayMenu) update() {
	busy := t.a.task != nil
	t.backup.Disabled = busy
	t.restore.Disabled = busy
	key := t.status.Label
	if busy {
		key += "|busy"
	}
	if key != t.shown {
		t.shown = key
		t.desk.SetSystemTrayMenu(t.menu)
	}
}

// updateTray shows the health and the last backup's status line.
func (a *App) updateTray(h health, line string) {
	if a.tray == nil {
		return
	}
	t := a.tray
	if h != t.health {
		t.health = h
		t.desk.SetSystemTrayIcon(trayIcons[h])
	}
	t.status.Label = line
	t.update()
}

// trayRestore is the tray's "Restore…": the window with the file picker.
func (a *App) trayRestore() {
	a.showWindow()
	if !a.configured {
		a.openSettings()
		return
	}
	if a.task == nil {
		a.main.chooseFile()
	}
}

// confirmQuit quits, after asking when work would be lost or, from the
// window's close button without a tray, whether to keep running.
func (a *App) confirmQuit(fromClose bool) {
	switch {
	case a.task != nil:
		a.showWindow()
		d := dialog.NewConfirm("Quit Backup Desktop?",
			sentence(a.task.title)+" is still running. Quit anyway? It will be cancelled; nothing half-written is left behind.",
			func(ok bool) {
				if ok {
					a.quit()
				}
			}, a.win)
		d.SetConfirmText("Quit")
		d.SetDismissText("Keep running")
		d.Show()
		a.main.lastDialog = d
	case fromClose:
		d := dialog.NewConfirm("Quit Backup Desktop?",
			"This desktop shows no tray icons, so the window is the only way to reach the app. "+
				"Scheduled backups run only while the app runs (or from the system's scheduler: backup-desktop schedule install). "+
				"Keep it running in the background? Start Backup Desktop again to bring the window back.",
			func(quit bool) {
				if quit {
					a.quit()
					return
				}
				a.win.Hide()
				a.shown = false
			}, a.win)
		d.SetConfirmText("Quit")
		d.SetDismissText("Keep running")
		d.Show()
		a.main.lastDialog = d
	default:
		a.quit()
	}
}
