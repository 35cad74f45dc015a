// Package retention decides which old backups to delete and deletes them.
//
// Apply is a pure function from (backups, retention_days, now) to a
// keep/remove decision with a reason for every backup; Delete is the
// separate step that removes the files, so `prune --dry-run` can show the
// decisions without acting on them. The rules are those of PRODUCT.md:
// only timestamped backups this app wrote (manual, daily, weekly, monthly,
// pre-restore) that were created more than retention_days days ago are
// removed; a custom-named backup, a file this app did not write, an
// incomplete or in-progress backup and the newest successful backup are
// always kept. Age comes from the time in the name (or the manifest),
// never from the file's modification time.
package retention

import (
	"fmt"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
)

// Backup is one file in backup_dir as retention sees it.
type Backup struct {
	// Name is the file name inside backup_dir (no folder).
	Name string
	// Kind is what the name says made it; backupname.Custom for any name
	// that is not a timestamped one.
	Kind backupname.Kind
	// Created is when the backup was made, from the name (timestamped
	// kinds) or the manifest; zero when unknown.
	Created time.Time
	// Complete is true for a finished backup: a readable ZIP holding
	// manifest.json and database_dump.json.
	Complete bool
	// InProgress is true while a backup is still being written.
	InProgress bool
	// Size is the file's size in bytes (for listings; retention ignores it).
	Size int64
}

// Decision is what retention does with one backup, and why.
type Decision struct {
	Backup Backup
	Remove bool
	// Reason is a short sentence for `prune --dry-run` and the log.
	Reason string
}

// removable lists the kinds retention may delete: the timestamped names
// this app writes.
var removable = map[backupname.Kind]bool{
	backupname.Manual:     true,
	backupname.Daily:      true,
	backupname.Weekly:     true,
	backupname.Monthly:    true,
	backupname.PreRestore: true,
}

// Apply decides, for each backup, whether retention removes it. The
// result has one Decision per backup, in the same order. A backup is
// removed only when it is a complete, not in-progress, timestamped backup
// created before now minus retentionDays calendar days (in now's
// location), and is not the newest successful backup. A retentionDays
// below 1 keeps everything.
func Apply(backups []Backup, retentionDays int, now time.Time) []Decision {
	ds := make([]Decision, len(backups))
	// The newest successful backup, of any kind, is never deleted; ties
	// keep them all.
	var newest time.Time
	for _, b := range backups {
		if b.Complete && !b.InProgress && b.Created.After(newest) {
			newest = b.Created
		}
	}
	cutoff := now.AddDate(0, 0, -retentionDays)
	for i, b := range backups {
		d := Decision{Backup: b}
		switch {
		case retentionDays < 1:
			d.Reason = fmt.Sprintf("kept: retention_days is %d, so nothing is deleted", retentionDays)
		case b.InProgress:
			d.Reason = "kept: backup in progress"
		case b.Kind == backupname.Custom:
			d.Reason = "kept: custom-named backups are never deleted automatically"
		case !removable[b.Kind]:
			d.Reason = fmt.Sprintf("kept: unknown kind %q", b.Kind)
		case !b.Complete:
			d.Reason = "kept: not a complete backup (no manifest.json or database_dump.json); it may be unfinished or not made by this app, so it is never deleted automatically"
		case b.Created.IsZero():
			d.Reason = "kept: creation time unknown"
		case b.Created.Equal(newest):
			d.Reason = "kept: newest successful backup"
		case b.Created.Before(cutoff):
			d.Remove = true
			d.Reason = fmt.Sprintf("delete: created %s, %s ago, more than retention_days=%d", b.Created.In(now.Location()).Format("2006-01-02 15:04"), age(now.Sub(b.Created)), retentionDays)
		default:
			d.Reason = fmt.Sprintf("kept: created %s, within retention_days=%d", b.Created.In(now.Location()).Format("2006-01-02 15:04"), retentionDays)
		}
		ds[i] = d
	}
	return ds
}

// age says how long ago, in whole days (or hours for less than a day).
func age(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	switch {
	case days == 1:
		return "1 day"
	case days > 1:
		return fmt.Sprintf("%d days", days)
	}
	return fmt.Sprintf("%d hours", int(d/time.Hour))
}
