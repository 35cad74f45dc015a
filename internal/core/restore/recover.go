package restore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/dbconn"
	"github.com/backupdesktop/backup-desktop/internal/core/dump"
	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Pending reports whether an interrupted restore waits to be put right.
func Pending(stateDir string) bool {
	_, err := os.Stat(journalPath(stateDir))
	return err == nil
}

// Recover finishes or undoes a restore that was interrupted (the process
// killed, the computer off, the server gone). Call it with the global lock
// held before any backup or restore. It returns a sentence saying what it
// did, or "" when there was nothing to do.
func Recover(ctx context.Context, s settings.Settings, stateDir string, log *slog.Logger) (string, error) {
	j, err := loadJournal(stateDir)
	if err != nil || j == nil {
		return "", err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err := dbconn.OpenDB(ctx, s.Database, "")
	if err != nil {
		return "", fmt.Errorf("an interrupted restore (started %s) must be put right first, but the database server cannot be reached: %w",
			j.Started.Local().Format("2006-01-02 15:04"), err)
	}
	defer srv.Close()
	state := j.State
	if err := recoverJournal(ctx, srv, j, stateDir, log); err != nil {
		return "", fmt.Errorf("putting right an interrupted restore failed: %w", err)
	}
	if state == stateCommitted {
		return "An interrupted restore of " + j.Archive + " had completed; its leftovers were removed.", nil
	}
	return "An interrupted restore of " + j.Archive + " was undone; the database and media folder are as they were before it.", nil
}

// recoverJournal rolls back (staging, swapping) or finishes (committed)
// the restore that j describes, then removes the journal.
func recoverJournal(ctx context.Context, srv *sql.DB, j *journal, stateDir string, log *slog.Logger) error {
	switch j.State {
	case stateCommitted:
		return finish(ctx, srv, j, stateDir)
	case stateSwapping:
		if err := rollback(ctx, srv, j, log); err != nil {
			return err
		}
	}
	// Staging (or rolled back): only the staging copies remain to remove.
	if err := dropDatabases(ctx, srv, j.StageDB, j.OldDB); err != nil {
		return err
	}
	if err := os.RemoveAll(j.MediaNew); err != nil {
		return fmt.Errorf("cannot remove the staging media folder %s: %w", j.MediaNew, err)
	}
	log.Info("interrupted restore undone", "archive", j.Archive, "state", j.State)
	return removeJournal(stateDir)
}

// finish removes what the previous state left after a complete switch.
func finish(ctx context.Context, srv *sql.DB, j *journal, stateDir string) error {
	if err := dropDatabases(ctx, srv, j.OldDB, j.StageDB); err != nil {
		return err
	}
	if err := os.RemoveAll(j.MediaOld); err != nil {
		return fmt.Errorf("cannot remove the previous media folder %s: %w", j.MediaOld, err)
	}
	if err := os.RemoveAll(j.MediaNew); err != nil {
		return err
	}
	return removeJournal(stateDir)
}

func dropDatabases(ctx context.Context, srv *sql.DB, names ...string) error {
	for _, n := range names {
		if n == "" {
			continue
		}
		if _, err := srv.ExecContext(ctx, "DROP DATABASE IF EXISTS "+qi(n)); err != nil {
			return fmt.Errorf("cannot drop the temporary database %q: %w", n, err)
		}
	}
	return nil
}

// rollback puts the previous tables, objects, defaults and media folder
// back, from wherever the interrupted switch left them. Every step checks
// the actual state, so it can itself be interrupted and run again.
func rollback(ctx context.Context, srv *sql.DB, j *journal, log *slog.Logger) error {
	if err := rollbackMedia(j); err != nil {
		return err
	}
	movedOld, err := tables(ctx, srv, j.OldDB)
	if err != nil {
		return err
	}
	if len(movedOld) > 0 {
		// The RENAME happened (it is all or nothing): the backup's tables
		// are live. Their triggers cannot move between databases, so the
		// backup's objects go first.
		if j.NewObjects != nil {
			if err := dump.DropObjects(ctx, srv, j.Database, j.NewObjects); err != nil {
				return fmt.Errorf("cannot remove the restored views, triggers and routines: %w", err)
			}
		}
		var renames []string
		for _, t := range j.NewTables {
			renames = append(renames, qi(j.Database)+"."+qi(t)+" TO "+qi(j.StageDB)+"."+qi(t))
		}
		for _, t := range movedOld {
			renames = append(renames, qi(j.OldDB)+"."+qi(t)+" TO "+qi(j.Database)+"."+qi(t))
		}
		if _, err := srv.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+qi(j.StageDB)); err != nil {
			return err
		}
		if _, err := srv.ExecContext(ctx, "RENAME TABLE "+strings.Join(renames, ", ")); err != nil {
			return fmt.Errorf("cannot move the previous tables back: %w", err)
		}
	}
	if j.OldObjects != nil {
		// Some may still exist if the switch stopped while dropping them:
		// drop what is there, then create them all as they were.
		if err := dump.DropObjects(ctx, srv, j.Database, j.OldObjects); err != nil {
			return err
		}
		if err := dump.CreateObjects(ctx, srv, j.Database, j.OldObjects); err != nil {
			return fmt.Errorf("cannot put the previous views, triggers and routines back: %w", err)
		}
	}
	if j.CreatedDB {
		// There was no database before the restore: leave none.
		if _, err := srv.ExecContext(ctx, "DROP DATABASE IF EXISTS "+qi(j.Database)); err != nil {
			return err
		}
	} else if j.OldCharset != "" {
		if _, err := srv.ExecContext(ctx, "ALTER DATABASE "+qi(j.Database)+" CHARACTER SET "+j.OldCharset+" COLLATE "+j.OldCollation); err != nil {
			return err
		}
	}
	log.Info("previous database state put back", "database", j.Database)
	return nil
}

// rollbackMedia puts the previous media folder back. The switch does two
// renames: live → old, then new → live.
func rollbackMedia(j *journal) error {
	newThere := exists(j.MediaNew)
	if !newThere && exists(j.MediaDir) {
		// The second rename happened: the live folder is the backup's.
		if err := os.Rename(j.MediaDir, j.MediaNew); err != nil {
			return fmt.Errorf("cannot move the restored media folder away: %w", err)
		}
	}
	if j.MediaExisted && exists(j.MediaOld) && !exists(j.MediaDir) {
		if err := os.Rename(j.MediaOld, j.MediaDir); err != nil {
			return fmt.Errorf("cannot put the previous media folder back: %w", err)
		}
	}
	return fsutil.SyncDir(filepath.Dir(j.MediaDir))
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
