package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/backupdesktop/backup-desktop/assets"
	"github.com/backupdesktop/backup-desktop/internal/autostart"
	"github.com/backupdesktop/backup-desktop/internal/core/applog"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/gui"
	"github.com/backupdesktop/backup-desktop/internal/single"
)

// appID is the app's unique ID (as in FyneApp.toml).
const appID = "com.backupdesktop.BackupDesktop"

// envShow names a hidden environment variable for screenshots: "settings"
// opens the settings dialog at start, "restore" the confirmation of
// restoring the newest backup.
const envShow = "BACKUP_DESKTOP_SHOW"

// runGUI runs the window and tray app until the user quits it.
func runGUI(o guiOptions) int {
	path, err := settings.ResolvePath(o.config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: "+err.Error())
		return 1
	}
	stateDir := settings.StateDir(path)
	log, closeLog := applog.Open(stateDir, nil)
	defer closeLog()
	log = log.With("command", "window")

	inst, err := single.Acquire(stateDir, 10*time.Second)
	if errors.Is(err, single.ErrShown) {
		log.Info("already running: brought its window forward")
		return 0
	}
	if err != nil {
		log.Error("cannot start", "err", err)
		fmt.Fprintln(os.Stderr, "Error: "+err.Error())
		return 1
	}
	defer inst.Close()

	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	// The metadata a packaged build gets from FyneApp.toml, also for a
	// plain "go build": every widget update already goes through fyne.Do.
	app.SetMetadata(fyne.AppMetadata{
		ID: appID, Name: "Backup Desktop", Version: version, Icon: icon,
		Migrations: map[string]bool{"fyneDo": true},
	})
	a := app.NewWithID(appID)

	tray := gui.SessionBusAvailable()
	if !tray {
		log.Warn("no D-Bus session bus: running without a tray icon (Fyne's tray cannot work without one and would crash on quit, fyne#6403); closing the window asks whether to quit")
	}
	exe, err := os.Executable()
	if err != nil {
		log.Warn("cannot find the program's path for start at login", "err", err)
	}
	// Start at login opens this settings file, unless it is the default.
	loginArgs := []string{"--hidden"}
	if def, err := settings.DefaultPath(); err != nil || def != path {
		loginArgs = []string{"--config", path, "--hidden"}
	}
	g := gui.New(a, gui.Options{
		ConfigPath: path, AppVersion: version, Log: log,
		Tray: tray, Hidden: o.hidden, Scheduler: true,
		StartAtLogin: func(on bool) error {
			if on && exe == "" {
				return errors.New("the program's own path is unknown, so it cannot be started at login")
			}
			return autostart.Set(on, autostart.Entry{Exe: exe, Args: loginArgs})
		},
		ScreenSize: screenSize,
		Show:       os.Getenv(envShow),
	})
	inst.Serve(g.ShowWindow)
	log.Info("window started", "settings", path, "tray", tray)
	g.Start()
	a.Run()
	g.Close()
	g.Wait(2 * time.Minute)
	log.Info("window closed")
	return 0
}
