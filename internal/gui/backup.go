package gui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/units"

	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/scheduler"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// backupNow is "Back up now" in the window and the tray.
func (a *App) backupNow() {
	if !a.configured {
		a.showWindow()
		a.openSettings()
		return
	}
	if a.waitForCheck(a.backupNow) {
		return
	}
	ctx, report, ok := a.begin("Backing up", false)
	if !ok {
		return
	}
	env := a.env()
	a.main.say(widget.MediumImportance, "")
	a.goWork(func() {
		res, err := jobs.Backup(ctx, env, jobs.BackupRequest{Kind: backupname.Manual, Progress: report})
		a.do(func() {
			a.end()
			a.backupDone(res, err)
		})
	})
}

// backupDone tells the user how a backup went: in the window and as a
// desktop notification.
func (a *App) backupDone(res *archive.Result, err error) {
	switch {
	case err == nil:
		msg := fmt.Sprintf("Backup saved: %s (%s).", filepath.Base(res.Path), units.Bytes(res.Size))
		if n := len(res.Skipped); n > 0 {
			msg += fmt.Sprintf(" %s could not be included (see the log file %s).", plural(int64(n), "media entry", "media entries"), a.logPath())
		}
		a.main.say(widget.SuccessImportance, msg)
		a.notify("Backup finished", msg)
	case errors.Is(err, context.Canceled):
		msg := "Backup cancelled. No backup file was written."
		if a.quitting {
			return
		}
		a.main.say(widget.WarningImportance, msg)
		a.notify("Backup cancelled", msg)
	default:
		msg := explain(err)
		a.main.say(widget.DangerImportance, "The backup failed: "+msg)
		a.notify("Backup failed", msg)
		if a.shown {
			a.showMessage("Backup failed", "The backup failed. No backup file was written.", msg,
				"Details are in the log file "+a.logPath()+".")
		}
	}
}

// startScheduler starts the in-app scheduler. Its Run makes the scheduled
// backup when one is due, as run-scheduled-backup does.
func (a *App) startScheduler() {
	s, err := scheduler.New(scheduler.Options{
		Settings: func() settings.Schedule {
			a.schedule.Lock()
			defer a.schedule.Unlock()
			return a.sch
		},
		Run: a.runScheduled,
	})
	if err == nil {
		err = s.Start()
	}
	if err != nil {
		a.log.Error("the in-app scheduler cannot start; scheduled backups need run-scheduled-backup (schedule install)", "err", err)
		return
	}
	a.sched = s
	a.log.Info("in-app scheduler started")
}

// busyRetry is how often a scheduled run retries while another backup or
// restore runs, and busyGiveUp how long it keeps trying.
const (
	busyRetry  = 30 * time.Second
	busyGiveUp = 3 * time.Hour
)

// runScheduled is the scheduler's Run. It runs on a scheduler goroutine.
// While the window runs a backup or restore, or another process holds the
// lock, it waits and tries again, so the scheduled moment is not lost.
func (a *App) runScheduled(ctx context.Context, now time.Time) {
	giveUp := time.Now().Add(busyGiveUp)
	for {
		var (
			tctx     context.Context
			report   progress.Func
			env      *jobs.Env
			started  bool
			skip     bool
			claimOut = make(chan struct{})
		)
		a.do(func() {
			defer close(claimOut)
			if !a.configured || !a.settings.Schedule.Enabled {
				skip = true
				return
			}
			if a.task != nil {
				return
			}
			var ok bool
			tctx, report, ok = a.begin("Scheduled backup", true)
			started = ok
			env = a.env()
		})
		select {
		case <-claimOut:
		case <-ctx.Done():
			return
		}
		if skip {
			return
		}
		if started {
			out, err := jobs.RunScheduled(tctx, env, report)
			var busy *lock.BusyError
			retry := errors.As(err, &busy)
			done := make(chan struct{})
			a.do(func() {
				defer close(done)
				a.end()
				if !retry {
					a.scheduledDone(out, err)
				}
			})
			select {
			case <-done:
			case <-ctx.Done():
				return
			}
			if !retry {
				return
			}
			a.log.Info("scheduled backup waits: another backup or restore runs", "holder", busy.Holder.PID)
		}
		if time.Now().After(giveUp) {
			a.log.Error("scheduled backup skipped: another backup or restore kept running", "since", now)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(busyRetry):
		}
	}
}

// scheduledDone reports a scheduled run. A run that found nothing due says
// nothing.
func (a *App) scheduledDone(out *jobs.ScheduledOutcome, err error) {
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		if !a.quitting {
			a.main.say(widget.WarningImportance, "Scheduled backup cancelled. No backup file was written.")
		}
	case err != nil && out != nil && out.Made != nil:
		// The backup was made; only retention failed.
		a.backupDone(out.Made, nil)
		a.main.say(widget.WarningImportance, explain(err))
	case err != nil:
		msg := explain(err)
		a.main.say(widget.DangerImportance, "The scheduled backup failed: "+msg)
		a.notify("Scheduled backup failed", msg)
	case out != nil && out.Made != nil:
		msg := fmt.Sprintf("Scheduled backup saved: %s (%s).", filepath.Base(out.Made.Path), units.Bytes(out.Made.Size))
		if len(out.Pruned) > 0 {
			msg += " Removed " + plural(int64(len(out.Pruned)), "old backup", "old backups") + " (retention)."
		}
		a.main.say(widget.SuccessImportance, msg)
		a.notify("Backup finished", msg)
	case out != nil:
		a.log.Info("scheduled check: " + strings.TrimSpace(out.Reason))
	}
}
