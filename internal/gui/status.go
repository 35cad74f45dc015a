package gui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/units"

	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/schedule"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// overdueGrace is how long after a scheduled moment a missing backup
// counts as overdue (the scheduler needs a moment, a big backup longer).
const overdueGrace = 2 * time.Hour

// health is what the tray icon shows.
type health int

const (
	healthOK health = iota
	healthOverdue
	healthFailed
)

// snapshot is the state read from disk by a refresh.
type snapshot struct {
	seq      int
	settings settings.Settings
	loadErr  error
	list     []jobs.BackupInfo
	listErr  error
	sum      *jobs.Summary
	free     int64
	freeErr  error
	health   health
}

// refresh re-reads the settings, the backups and the history on a worker
// goroutine and then shows them. UI goroutine only.
func (a *App) refresh() {
	a.refreshSeq++
	seq := a.refreshSeq
	path, stateDir, now := a.o.ConfigPath, a.stateDir, a.o.Now
	a.goWork(func() {
		snap := collect(path, stateDir, now())
		snap.seq = seq
		a.do(func() { a.apply(snap) })
	})
}

// collect reads the state; it runs on a worker goroutine.
func collect(path, stateDir string, now time.Time) *snapshot {
	snap := &snapshot{}
	snap.settings, snap.loadErr = settings.Load(path)
	if snap.loadErr != nil {
		return snap
	}
	env := &jobs.Env{ConfigPath: path, Settings: snap.settings, StateDir: stateDir, Now: func() time.Time { return now }}
	snap.list, snap.listErr = jobs.List(env)
	snap.sum, _ = jobs.Status(env)
	snap.free, snap.freeErr = freeSpace(existingParent(snap.settings.BackupDir))
	snap.health = healthOf(snap.settings.Schedule, snap.list, snap.sum, now)
	return snap
}

// existingParent is dir or its nearest existing parent (the backup folder
// may not exist before the first backup).
func existingParent(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return dir
		}
		dir = up
	}
}

// healthOf says whether the last backup failed, or a scheduled backup is
// overdue: the schedule is on, its latest moment passed more than
// overdueGrace ago, and no complete backup was made since.
func healthOf(sch settings.Schedule, list []jobs.BackupInfo, sum *jobs.Summary, now time.Time) health {
	if sum != nil && !sum.LastOK && sum.LastError != "" {
		return healthFailed
	}
	if !sch.Enabled {
		return healthOK
	}
	prev := schedule.Prev(sch, now)
	if prev.IsZero() || now.Sub(prev) < overdueGrace {
		return healthOK
	}
	for _, b := range list {
		if b.Complete && !b.Created.Before(prev) {
			return healthOK
		}
	}
	return healthOverdue
}

// apply shows a snapshot. UI goroutine only.
func (a *App) apply(s *snapshot) {
	if s.seq != a.refreshSeq {
		return // a newer refresh is on its way
	}
	m := a.main
	if s.loadErr != nil && errors.Is(s.loadErr, settings.ErrNotFound) && a.configured {
		// The file was removed while the app runs: keep working with what
		// was loaded, but say so.
		m.lastValue.SetText("The settings file " + a.o.ConfigPath + " is gone; save the settings again.")
		return
	}
	a.setLoaded(s.settings, s.loadErr)
	if s.loadErr != nil {
		a.list = nil
		m.list.Refresh()
		m.update()
		if errors.Is(s.loadErr, settings.ErrNotFound) {
			m.lastValue.SetText("Not set up yet: click “Configure Backup Settings”.")
		} else {
			m.lastValue.SetText("The settings file cannot be used: " + sentence(s.loadErr.Error()) + " Open “Configure Backup Settings” to fix it.")
		}
		m.lastValue.Importance = widget.DangerImportance
		m.nextValue.SetText("—")
		m.storageValue.SetText("—")
		a.updateTray(healthOK, "Not set up yet")
		return
	}
	a.list = s.list
	m.list.UnselectAll()
	if m.restorePath != "" && filepath.Dir(m.restorePath) == filepath.Clean(s.settings.BackupDir) {
		if _, err := os.Stat(m.restorePath); err != nil {
			m.restorePath = "" // deleted by retention or by hand
		}
	}
	for i, b := range a.list {
		if b.Path == m.restorePath {
			m.list.Select(i)
		}
	}
	m.list.Refresh()

	last := "none yet"
	m.lastValue.Importance = widget.MediumImportance
	if s.sum != nil {
		switch {
		case !s.sum.LastOK && s.sum.LastError != "":
			last = "Failed on " + when(s.sum.LastTime) + ": " + sentence(s.sum.LastError)
			m.lastValue.Importance = widget.DangerImportance
		case s.sum.LastOK:
			last = lastGood(a.list)
		}
	}
	if s.listErr != nil {
		last = "Cannot read the backup folder: " + sentence(s.listErr.Error())
		m.lastValue.Importance = widget.DangerImportance
	}
	m.lastValue.SetText(last)
	showIf(m.lastMore, m.lastValue.Importance == widget.DangerImportance)

	next := "Automated backups are off (turn them on in “Configure Backup Settings”)."
	m.nextValue.Importance = widget.MediumImportance
	if s.settings.Schedule.Enabled {
		t := schedule.Next(s.settings.Schedule, a.o.Now())
		next = when(t) + " (" + frequencyText(s.settings.Schedule.Frequency) + ")"
		if s.health == healthOverdue {
			next = "Overdue: no backup since " + when(schedule.Prev(s.settings.Schedule, a.o.Now())) + ". " + next
			m.nextValue.Importance = widget.WarningImportance
		}
	}
	m.nextValue.SetText(next)

	var total int64
	for _, b := range a.list {
		total += b.Size
	}
	storage := fmt.Sprintf("%s, %s", plural(int64(len(a.list)), "backup", "backups"), units.Bytes(total))
	if s.freeErr == nil {
		storage += fmt.Sprintf("; %s free", units.Bytes(s.free))
	}
	storage += " in " + s.settings.BackupDir
	m.storageValue.SetText(storage)
	m.update()
	a.updateTray(s.health, "Last backup: "+trayLast(s.sum))

	if m.restoreNewestWhenListed && len(a.list) > 0 && a.task == nil {
		m.restoreNewestWhenListed = false
		m.list.Select(0)
		a.restore(a.list[0].Path, m.safety.Checked)
	}
}

// lastGood describes the newest complete backup.
func lastGood(list []jobs.BackupInfo) string {
	for _, b := range list {
		if b.Complete {
			return fmt.Sprintf("%s — %s, %s — complete", when(b.Created), kindText(b.Kind, b.Name), units.Bytes(b.Size))
		}
	}
	return "none yet"
}

// trayLast is the tray menu's status line.
func trayLast(sum *jobs.Summary) string {
	switch {
	case sum == nil || sum.LastTime.IsZero():
		return "none yet"
	case !sum.LastOK:
		return "failed " + sum.LastTime.Local().Format("2 Jan 15:04")
	}
	return "OK " + sum.LastTime.Local().Format("2 Jan 15:04")
}

// frequencyText is the schedule's frequency in words.
func frequencyText(f string) string {
	switch f {
	case settings.Weekly:
		return "weekly, on Sundays"
	case settings.Monthly:
		return "monthly, on the 1st"
	}
	return "daily"
}
