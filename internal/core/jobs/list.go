package jobs

import (
	"errors"
	"path/filepath"

	"github.com/backupdesktop/backup-desktop/internal/core/retention"
)

// BackupInfo is one backup file in backup_dir.
type BackupInfo struct {
	retention.Backup
	Path string
	// Status in words: "complete", or what is wrong.
	Status string
}

// List returns the backups in backup_dir, newest first (an empty list when
// the folder does not exist yet). Unfinished files of a backup in progress
// are not listed.
func List(env *Env) ([]BackupInfo, error) {
	dir := env.Settings.BackupDir
	found, err := retention.Scan(dir)
	if errors.Is(err, retention.ErrNoBackupDir) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]BackupInfo, 0, len(found))
	for _, b := range found {
		info := BackupInfo{Backup: b, Path: filepath.Join(dir, b.Name), Status: "complete"}
		if !b.Complete {
			info.Status = "damaged or incomplete"
		}
		out = append(out, info)
	}
	return out, nil
}
