package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/history"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/retention"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// scheduleFor is a schedule in a test table.
type scheduleFor struct {
	on       bool
	freq, at string
}

func (s scheduleFor) settings() settings.Schedule {
	return settings.Schedule{Enabled: s.on, Frequency: s.freq, Time: s.at}
}

// state is the backup list and summary with a last good backup at
// lastGood (none when zero) and, with failed, a failed run after it.
func (s scheduleFor) state(lastGood time.Time, failed bool, now time.Time) ([]jobs.BackupInfo, *jobs.Summary) {
	var list []jobs.BackupInfo
	sum := &jobs.Summary{}
	if !lastGood.IsZero() {
		list = append(list, jobs.BackupInfo{Backup: retention.Backup{Name: "daily_backup_x.zip", Kind: backupname.Daily, Created: lastGood, Complete: true}})
		sum.LastOK, sum.LastTime = true, lastGood
	}
	if failed {
		sum.LastOK, sum.LastError, sum.LastTime = false, "boom", now
	}
	return list, sum
}

// menuItem finds a tray menu item by its label.
func menuItem(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("the tray menu has no %q item", label)
	return nil
}

func TestTrayMenu(t *testing.T) {
	name, _ := newDB(t, 50)
	s := testSettings(t, name)
	h := newHarness(t, harnessOpts{settings: &s, tray: true, trayHost: true})
	h.eventually("the first status", 10*time.Second, func() bool {
		return h.app.configured && strings.HasPrefix(h.desk.menu.Items[0].Label, "Last backup: none yet")
	})

	h.ui(func() {
		m := h.desk.menu
		if m == nil {
			t.Fatal("no tray menu")
		}
		var labels []string
		for _, it := range m.Items {
			if !it.IsSeparator {
				labels = append(labels, it.Label)
			}
		}
		want := []string{"Last backup: none yet", MenuBackup, MenuOpen, MenuRestore, MenuQuit}
		if strings.Join(labels, "|") != strings.Join(want, "|") {
			t.Errorf("tray menu %q, want %q", labels, want)
		}
		if !m.Items[0].Disabled {
			t.Error("the status line is not disabled")
		}
		if !menuItem(t, m, MenuQuit).IsQuit {
			t.Error("Quit is not marked as the quit item")
		}
		if h.desk.icon != trayIcons[healthOK] {
			t.Errorf("tray icon %v, want the OK icon", h.desk.icon.Name())
		}
		if h.desk.trayWin != h.app.win {
			t.Error("the tray does not control the window")
		}

		// Closing the window hides it to the tray (once with a hint).
		h.app.closeWindow() // the close button (the test window has none)
		if h.app.shown || h.desk.quit {
			t.Errorf("after closing the window: shown %v, quit %v", h.app.shown, h.desk.quit)
		}
		if len(h.desk.notes) != 1 || !strings.Contains(h.desk.notes[0].Content, "tray") {
			t.Errorf("notifications after closing: %v", h.desk.notes)
		}
		menuItem(t, m, MenuOpen).Action()
		if !h.app.shown {
			t.Error("Open did not show the window")
		}
		h.app.closeWindow() // the close button (the test window has none)
		if len(h.desk.notes) != 1 {
			t.Errorf("the tray hint was repeated: %v", h.desk.notes)
		}

		menuItem(t, m, MenuBackup).Action()
		if !menuItem(t, m, MenuBackup).Disabled || !menuItem(t, m, MenuRestore).Disabled {
			t.Error("Back up now and Restore… stay enabled while a backup runs")
		}
	})
	h.idle()
	h.eventually("the tray backup in the list", 20*time.Second, func() bool {
		return len(h.app.list) == 1 && strings.HasPrefix(h.desk.menu.Items[0].Label, "Last backup: OK ")
	})
	h.ui(func() {
		if !h.app.list[0].Complete {
			t.Errorf("tray backup %+v is not complete", h.app.list[0])
		}
		if last := h.desk.notes[len(h.desk.notes)-1]; last.Title != "Backup finished" || !strings.Contains(last.Content, "iB)") {
			t.Errorf("notification %q: %q, want the backup's size", last.Title, last.Content)
		}
		if menuItem(t, h.desk.menu, MenuBackup).Disabled {
			t.Error("Back up now stays disabled after the backup")
		}

		menuItem(t, h.desk.menu, MenuRestore).Action()
		if !h.app.shown {
			t.Error("Restore… did not show the window")
		}

		menuItem(t, h.desk.menu, MenuQuit).Action()
		if !h.desk.quit {
			t.Error("Quit did not quit the app")
		}
	})
}

func TestTrayIconShowsFailure(t *testing.T) {
	name, _ := newDB(t, 0)
	s := testSettings(t, name)
	s.Database.Password = "wrong"
	s.Database.User = "nobody"
	h := newHarness(t, harnessOpts{settings: &s, tray: true, trayHost: true})
	h.eventually("the first status", 10*time.Second, func() bool { return h.app.configured })
	h.ui(func() { menuItem(t, h.desk.menu, MenuBackup).Action() })
	h.idle()
	h.eventually("the failed icon", 20*time.Second, func() bool { return h.desk.icon == trayIcons[healthFailed] })
	h.ui(func() {
		last := h.desk.notes[len(h.desk.notes)-1]
		if last.Title != "Backup failed" || !strings.Contains(last.Content, "refused user \"nobody\"") || !strings.Contains(last.Content, "Check the user name and password") {
			t.Errorf("notification %q: %q", last.Title, last.Content)
		}
		if got := h.app.main.lastValue.Text; !strings.HasPrefix(got, "Failed on ") {
			t.Errorf("last backup shows %q", got)
		}
		if !strings.HasPrefix(h.desk.menu.Items[0].Label, "Last backup: failed ") {
			t.Errorf("tray status line %q", h.desk.menu.Items[0].Label)
		}
	})
}

func TestHealth(t *testing.T) {
	loc := time.FixedZone("shop", 2*3600)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc) // a Wednesday
	daily := func(hhmm string) scheduleFor { return scheduleFor{true, "daily", hhmm} }
	tests := []struct {
		name     string
		sch      scheduleFor
		lastGood time.Time
		failed   bool
		want     health
	}{
		{"fresh backup", daily("02:00"), time.Date(2026, 11, 25, 2, 0, 5, 0, loc), false, healthOK},
		{"yesterday's only", daily("02:00"), time.Date(2026, 11, 24, 2, 0, 5, 0, loc), false, healthOverdue},
		{"within grace", daily("09:00"), time.Date(2026, 11, 24, 9, 0, 0, 0, loc), false, healthOK},
		{"never", daily("02:00"), time.Time{}, false, healthOverdue},
		{"schedule off", scheduleFor{false, "daily", "02:00"}, time.Time{}, false, healthOK},
		{"weekly, Sunday's made", scheduleFor{true, "weekly", "02:00"}, time.Date(2026, 11, 22, 2, 1, 0, 0, loc), false, healthOK},
		{"last run failed", daily("02:00"), time.Date(2026, 11, 25, 2, 0, 5, 0, loc), true, healthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, sum := tt.sch.state(tt.lastGood, tt.failed, now)
			if got := healthOf(tt.sch.settings(), list, sum, now); got != tt.want {
				t.Errorf("healthOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScheduledRun(t *testing.T) {
	name, _ := newDB(t, 20)
	s := testSettings(t, name)
	s.Schedule.Enabled = true
	h := newHarness(t, harnessOpts{settings: &s, tray: true, trayHost: true})
	h.eventually("the first status", 10*time.Second, func() bool { return h.app.configured })

	// No backup yet: the scheduled run is due and makes one.
	h.app.runScheduled(context.Background(), time.Now())
	h.idle()
	h.eventually("the scheduled backup in the list", 20*time.Second, func() bool { return len(h.app.list) == 1 })
	h.ui(func() {
		if b := h.app.list[0]; !strings.HasPrefix(b.Name, "daily_backup_") || !b.Complete {
			t.Errorf("scheduled backup %q complete %v", b.Name, b.Complete)
		}
		if last := h.desk.notes[len(h.desk.notes)-1]; last.Title != "Backup finished" {
			t.Errorf("notification %q", last.Title)
		}
	})
	rec, ok, err := history.Open(h.app.stateDir).LastSuccessfulScheduled()
	if err != nil || !ok || !rec.Scheduled {
		t.Errorf("history: %+v, %v, %v; want a scheduled backup", rec, ok, err)
	}

	// Run again: nothing is due, nothing is made.
	h.app.runScheduled(context.Background(), time.Now())
	h.idle()
	if n := len(dirNames(t, s.BackupDir)); n != 1 {
		t.Errorf("a second scheduled run made another backup: %v", dirNames(t, s.BackupDir))
	}
}

func TestNoTrayHostAsksBeforeQuit(t *testing.T) {
	s := testSettings(t, "inventory")
	h := newHarness(t, harnessOpts{settings: &s, tray: true, trayHost: false})
	h.ui(func() {
		h.app.closeWindow() // the close button (the test window has none)
		if h.desk.quit {
			t.Fatal("closing the window without a tray host quit without asking")
		}
		if len(h.desk.notes) != 0 {
			t.Errorf("notified %v", h.desk.notes)
		}
		d := h.app.main.lastDialog
		if d == nil || h.app.win.Canvas().Overlays().Top() == nil {
			t.Fatal("closing the window without a tray host asked nothing")
		}
		d.Dismiss() // "Keep running"
		if h.desk.quit || h.app.shown {
			t.Errorf("Keep running: quit %v, window shown %v; want running hidden", h.desk.quit, h.app.shown)
		}
		h.app.showWindow()
		h.app.closeWindow()                                     // the close button (the test window has none)
		h.app.main.lastDialog.(*dialog.ConfirmDialog).Confirm() // "Quit"
		if !h.desk.quit {
			t.Error("Quit in the question did not quit")
		}
	})
}
