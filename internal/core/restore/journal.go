package restore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/dump"
	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// JournalFile is the name of the restore journal in the state folder. It
// exists only while a restore is under way, or after one was interrupted.
const JournalFile = "restore-journal.json"

// The states of a restore, in order. The journal is written (and synced)
// before each step it announces, so an interrupted restore can always be
// put back or finished.
const (
	// stateStaging: the backup is being loaded into the staging database and
	// staging media folder. The live ones are untouched. Recovery: throw the
	// staging copies away.
	stateStaging = "staging"
	// stateSwapping: the live objects are being replaced. Recovery: put the
	// previous tables, objects and media folder back.
	stateSwapping = "swapping"
	// stateCommitted: the backup's content is live. Recovery: remove the
	// previous copies.
	stateCommitted = "committed"
)

type journal struct {
	Version   int       `json:"version"`
	State     string    `json:"state"`
	Started   time.Time `json:"started"`
	Archive   string    `json:"archive"`
	Database  string    `json:"database"`
	StageDB   string    `json:"stage_db"`
	OldDB     string    `json:"old_db"`
	OldTables []string  `json:"old_tables,omitempty"`
	// CreatedDB: the live database did not exist and the restore made it.
	CreatedDB bool     `json:"created_db,omitempty"`
	NewTables []string `json:"new_tables,omitempty"`
	// OldObjects are the live database's views, triggers, routines and
	// events before the restore, to put back on rollback.
	OldObjects *dump.Objects `json:"old_objects,omitempty"`
	// NewObjects are the backup's, to remove on rollback.
	NewObjects   *dump.Objects `json:"new_objects,omitempty"`
	OldCharset   string        `json:"old_charset,omitempty"`
	OldCollation string        `json:"old_collation,omitempty"`
	NewCharset   string        `json:"new_charset,omitempty"`
	NewCollation string        `json:"new_collation,omitempty"`
	MediaDir     string        `json:"media_dir"`
	MediaNew     string        `json:"media_new"`
	MediaOld     string        `json:"media_old"`
	MediaExisted bool          `json:"media_existed"`
}

func journalPath(stateDir string) string { return filepath.Join(stateDir, JournalFile) }

func (j *journal) save(stateDir string) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(journalPath(stateDir), data, 0o600); err != nil {
		return fmt.Errorf("cannot write the restore journal: %w", err)
	}
	return nil
}

// loadJournal returns nil, nil when there is no journal.
func loadJournal(stateDir string) (*journal, error) {
	data, err := os.ReadFile(journalPath(stateDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("the restore journal %s is unreadable (%v); remove it only after checking the database", journalPath(stateDir), err)
	}
	return &j, nil
}

func removeJournal(stateDir string) error {
	err := os.Remove(journalPath(stateDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = fsutil.SyncDir(stateDir)
	}
	return err
}
