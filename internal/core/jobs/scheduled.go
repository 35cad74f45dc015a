package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/history"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/retention"
	"github.com/backupdesktop/backup-desktop/internal/core/schedule"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// ScheduledOutcome is what RunScheduled did.
type ScheduledOutcome struct {
	// Made is the backup made, nil when none was due.
	Made *archive.Result
	// Next is the next scheduled moment after now.
	Next time.Time
	// Pruned lists the old backups retention deleted.
	Pruned []string
	// Reason says in words why no backup was made, when none was.
	Reason string
}

// KindFor is the backup kind a schedule of frequency f makes.
func KindFor(f string) backupname.Kind {
	switch f {
	case settings.Weekly:
		return backupname.Weekly
	case settings.Monthly:
		return backupname.Monthly
	}
	return backupname.Daily
}

// RunScheduled makes the scheduled backup if one is due and then applies
// retention; otherwise it says when the next one is due. Both the tray
// app's scheduler and run-scheduled-backup (cron, Task Scheduler) call it:
// the lock and the "due" rule together make exactly one backup per
// scheduled moment, and a moment missed while the computer was off is
// caught up once.
func RunScheduled(ctx context.Context, env *Env, p progress.Func) (*ScheduledOutcome, error) {
	now := env.now()
	sch := env.Settings.Schedule
	out := &ScheduledOutcome{Next: schedule.Next(sch, now)}
	if !sch.Enabled {
		out.Reason = "automated backups are turned off in the settings"
		return out, nil
	}
	l, err := lock.Acquire(env.StateDir, "backup")
	if err != nil {
		return nil, err
	}
	defer l.Release()
	last, err := lastScheduled(env)
	if err != nil {
		return nil, err
	}
	if !schedule.Due(sch, now, last) {
		out.Reason = fmt.Sprintf("no backup is due: the last scheduled backup was made %s", last.Local().Format("2006-01-02 15:04"))
		return out, nil
	}
	if err := prepareLocked(ctx, env); err != nil {
		return nil, err
	}
	res, err := backupLocked(ctx, env, BackupRequest{Kind: KindFor(sch.Frequency), Scheduled: true, Progress: p})
	if err != nil {
		return nil, err
	}
	out.Made = res
	out.Pruned, err = pruneLocked(env, now)
	return out, err
}

// lastScheduled is when the last successful scheduled backup was made: the
// later of the history's record and the newest complete backup file of a
// scheduled kind (so a lost history never causes a second backup).
func lastScheduled(env *Env) (time.Time, error) {
	var last time.Time
	rec, ok, err := history.Open(env.StateDir).LastSuccessfulScheduled()
	if err != nil {
		env.log().Warn("cannot read the history", "err", err)
	} else if ok {
		last = rec.When()
	}
	list, err := List(env)
	if err != nil {
		return time.Time{}, err
	}
	for _, b := range list {
		switch b.Kind {
		case backupname.Daily, backupname.Weekly, backupname.Monthly:
			if b.Complete && b.Created.After(last) {
				last = b.Created
			}
		}
	}
	return last, nil
}

// PruneOutcome lists retention's decisions and what was deleted.
type PruneOutcome struct {
	Decisions []retention.Decision
	Deleted   []string
}

// Prune applies retention now (or at env's simulated time). With dryRun it
// only decides.
func Prune(ctx context.Context, env *Env, dryRun bool) (*PruneOutcome, error) {
	l, err := lock.Acquire(env.StateDir, "prune")
	if err != nil {
		return nil, err
	}
	defer l.Release()
	if !dryRun {
		if err := prepareLocked(ctx, env); err != nil {
			return nil, err
		}
	}
	now := env.now()
	list, err := List(env)
	if err != nil {
		return nil, err
	}
	out := &PruneOutcome{Decisions: retention.Apply(backups(list), env.Settings.RetentionDays, now)}
	if dryRun {
		return out, nil
	}
	start := time.Now()
	out.Deleted, err = retention.Delete(env.Settings.BackupDir, out.Decisions)
	env.record(history.Record{Op: history.OpPrune, Start: start, Deleted: out.Deleted}, err)
	return out, err
}

// pruneLocked applies retention after a successful backup. The caller holds
// the lock.
func pruneLocked(env *Env, now time.Time) ([]string, error) {
	list, err := List(env)
	if err != nil {
		return nil, err
	}
	ds := retention.Apply(backups(list), env.Settings.RetentionDays, now)
	start := time.Now()
	deleted, err := retention.Delete(env.Settings.BackupDir, ds)
	for _, d := range deleted {
		env.log().Info("retention deleted an old backup", "file", d)
	}
	if len(deleted) > 0 || err != nil {
		env.record(history.Record{Op: history.OpPrune, Start: start, Deleted: deleted}, err)
	}
	if err != nil {
		err = fmt.Errorf("the backup was made, but deleting old backups failed: %w", err)
	}
	return deleted, err
}

func backups(list []BackupInfo) []retention.Backup {
	out := make([]retention.Backup, len(list))
	for i, b := range list {
		out[i] = b.Backup
	}
	return out
}

// record appends a finished run to the history; a history that cannot be
// written is logged, never fatal.
func (e *Env) record(r history.Record, err error) {
	r.End = time.Now()
	r.Result = history.ResultOK
	if err != nil {
		r.Result, r.Error = history.ResultFailed, err.Error()
		if errors.Is(err, context.Canceled) {
			r.Result = history.ResultCancelled
		}
	}
	if e.Simulated {
		r.At = e.now()
	}
	if herr := history.Open(e.StateDir).Append(r); herr != nil {
		e.log().Warn("cannot write the history", "err", herr)
	}
}
