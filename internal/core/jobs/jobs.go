// Package jobs is what the user asks the app to do — back up, restore,
// run the scheduled backup, prune, list, report status — put together from
// the core packages. The command line, the window and the tray scheduler
// all call it, so they behave the same: one lock, one history, one log.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/dbconn"
	"github.com/backupdesktop/backup-desktop/internal/core/history"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/restore"
	"github.com/backupdesktop/backup-desktop/internal/core/retention"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Env is what every job needs: the settings and where state lives.
type Env struct {
	// ConfigPath is the settings file; StateDir (its folder) holds the
	// lock, the history, the logs and the restore journal.
	ConfigPath string
	Settings   settings.Settings
	StateDir   string
	Log        *slog.Logger
	AppVersion string
	// Now returns the current time; --at replaces it. Nil means time.Now.
	Now func() time.Time
	// Simulated marks Now as a simulated time (--at), recorded as such in
	// the history.
	Simulated bool
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// BackupRequest says what backup to make.
type BackupRequest struct {
	Kind backupname.Kind // Manual, Daily, Weekly, Monthly, PreRestore or Custom
	// Name is the custom name (Kind Custom).
	Name string
	// Overwrite allows replacing an existing custom-named backup.
	Overwrite bool
	// Scheduled marks a backup made by a schedule (for the "due" rule).
	Scheduled bool
	Progress  progress.Func
}

// ErrDeclined is returned when the user does not confirm a restore.
var ErrDeclined = errors.New("restore cancelled: nothing was changed")

// Backup makes a backup now. It takes the global lock (a *lock.BusyError
// when another backup or restore runs), puts right an interrupted restore
// first, records the run in the history and then applies retention.
func Backup(ctx context.Context, env *Env, req BackupRequest) (*archive.Result, error) {
	l, err := lock.Acquire(env.StateDir, "backup")
	if err != nil {
		return nil, err
	}
	defer l.Release()
	if err := prepareLocked(ctx, env); err != nil {
		return nil, err
	}
	res, err := backupLocked(ctx, env, req)
	if err != nil {
		return nil, err
	}
	if _, err := pruneLocked(env, env.now()); err != nil {
		env.log().Error("retention failed", "err", err)
	}
	return res, nil
}

// prepareLocked runs with the lock held before any backup or restore: it
// finishes or undoes an interrupted restore and removes unfinished backup
// files left by a killed process.
func prepareLocked(ctx context.Context, env *Env) error {
	msg, err := restore.Recover(ctx, env.Settings, env.StateDir, env.log())
	if err != nil {
		return err
	}
	if msg != "" {
		env.log().Warn(msg)
	}
	removed, err := archive.CleanupPartials(env.Settings.BackupDir)
	if err != nil {
		env.log().Warn("cannot remove unfinished backup files", "err", err)
	}
	for _, r := range removed {
		env.log().Info("removed an unfinished backup file left by an interrupted run", "file", r)
	}
	return nil
}

func backupLocked(ctx context.Context, env *Env, req BackupRequest) (*archive.Result, error) {
	now := env.now()
	var file string
	var err error
	if req.Kind == backupname.Custom {
		file, err = backupname.CustomName(req.Name)
	} else {
		file, err = backupname.Timestamped(req.Kind, now.Local())
	}
	if err != nil {
		return nil, &InputError{err}
	}
	log := env.log().With("op", "backup", "file", file)
	log.Info("backup started", "kind", req.Kind, "scheduled", req.Scheduled)
	rec := history.Record{Op: history.OpBackup, Kind: string(req.Kind), Scheduled: req.Scheduled, Start: time.Now()}
	db, err := dbconn.Open(ctx, env.Settings.Database)
	if err != nil {
		log.Error("backup failed", "err", err)
		env.record(rec, err)
		return nil, err
	}
	defer db.Close()
	defer extraProc()()
	res, err := archive.Create(ctx, archive.CreateOptions{
		DB: db, Database: env.Settings.Database.Name,
		MediaDir: env.Settings.MediaDir, Dir: env.Settings.BackupDir,
		FileName: file, Overwrite: req.Overwrite,
		Kind: req.Kind, Now: now, Config: env.Settings, AppVersion: env.AppVersion,
		Progress: req.Progress, Log: func(m string) { log.Info(m) },
		Known: knownMedia(env.Settings.BackupDir, log),
	})
	if err != nil {
		err = dbconn.Explain(err, env.Settings.Database)
		if errors.Is(err, archive.ErrExists) {
			err = &InputError{err}
		}
		log.Error("backup failed", "err", err)
		env.record(rec, err)
		return nil, err
	}
	log.Info("backup finished", "path", res.Path, "size", res.Size)
	if err := retention.Remember(res.Path, res.Manifest.CreatedUTC); err != nil {
		log.Warn("cannot note the new backup for the next listing", "err", err)
	}
	rec.File, rec.Size = res.Path, res.Size
	env.record(rec, nil)
	return res, nil
}

// InputError marks a failure caused by what the user asked for (a bad name,
// a damaged backup file), as opposed to a failure while working. The
// command line exits with code 2 for it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// RestoreRequest says which backup to restore and how.
type RestoreRequest struct {
	Archive string
	// SafetyBackup takes a pre_restore_… backup of the current database and
	// media first.
	SafetyBackup bool
	// Confirm is shown the plan and returns whether to go on. Nil means
	// yes (the command line's --yes).
	Confirm  func(*restore.Plan) bool
	Progress progress.Func
}

// RestoreOutcome is what a finished restore did.
type RestoreOutcome struct {
	*restore.Result
	Safety *archive.Result // nil without a safety backup
}

// Restore restores a backup, all or nothing, with the lock held throughout.
func Restore(ctx context.Context, env *Env, req RestoreRequest) (*RestoreOutcome, error) {
	base := goMemory()
	l, err := lock.Acquire(env.StateDir, "restore")
	if err != nil {
		return nil, err
	}
	defer l.Release()
	if err := prepareLocked(ctx, env); err != nil {
		return nil, err
	}
	log := env.log().With("op", "restore", "archive", req.Archive)
	log.Info("restore started")
	rec := history.Record{Op: history.OpRestore, Start: time.Now(), File: req.Archive}
	ropts := restore.Options{Settings: env.Settings, StateDir: env.StateDir, Archive: req.Archive, Progress: req.Progress, Log: log}
	plan, err := restore.Prepare(ctx, ropts)
	if err != nil {
		if isArchiveProblem(err) || errors.Is(err, fs.ErrNotExist) {
			err = &InputError{err}
		}
		log.Error("restore refused", "err", err)
		env.record(rec, err)
		return nil, err
	}
	if req.Confirm != nil && !req.Confirm(plan) {
		log.Info("restore declined by the user")
		return nil, ErrDeclined
	}
	out := &RestoreOutcome{}
	if req.SafetyBackup {
		// Taken once the backup is loaded and checked, so a damaged backup
		// is refused without one, and before anything live changes.
		ropts.BeforeSwitch = func(ctx context.Context) error {
			req.Progress.Report(progress.Event{Phase: "Saving a safety backup of the current data"})
			res, err := backupLocked(ctx, env, BackupRequest{Kind: backupname.PreRestore, Progress: req.Progress})
			if err != nil {
				return fmt.Errorf("the safety backup of the current data failed, so nothing was restored: %w", err)
			}
			out.Safety = res
			return nil
		}
	}
	defer limitMemory(base, plan.Manifest.Media.Files)()
	res, err := restore.Execute(ctx, plan, ropts)
	if isArchiveProblem(err) {
		err = &InputError{err}
	}
	env.record(rec, err)
	if err != nil {
		log.Error("restore failed", "err", err)
		return out, err
	}
	out.Result = res
	log.Info("restore finished", "tables", res.Tables, "rows", res.Rows, "files", res.Files)
	if plan.MigrationsWarning != "" {
		log.Warn(plan.MigrationsWarning)
	}
	return out, nil
}

func isArchiveProblem(err error) bool {
	var ce *archive.CorruptEntryError
	return errors.As(err, &ce) || errors.Is(err, archive.ErrNotZip) || errors.Is(err, archive.ErrTruncated) ||
		errors.Is(err, archive.ErrIncomplete) || errors.Is(err, archive.ErrNotBackup) ||
		errors.Is(err, archive.ErrUnsupportedVersion) || errors.Is(err, archive.ErrUnsafePath)
}
