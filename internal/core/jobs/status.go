package jobs

import (
	"fmt"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/history"
	"github.com/backupdesktop/backup-desktop/internal/core/schedule"
	"github.com/backupdesktop/backup-desktop/internal/core/units"
)

// Summary is the at-a-glance state shown by `status`, the window and the
// tray.
type Summary struct {
	LastBackup string // in words, e.g. "2026-11-25 02:00 (daily, 12.1 MiB, ok)"
	LastTime   time.Time
	LastOK     bool
	LastError  string
	NextBackup string // in words, or "automated backups are off"
	NextTime   time.Time
	Count      int
	TotalSize  int64
}

// Status sums up the backups and the schedule.
func Status(env *Env) (*Summary, error) {
	list, err := List(env)
	if err != nil {
		return nil, err
	}
	s := &Summary{Count: len(list), LastBackup: "none yet"}
	for _, b := range list {
		s.TotalSize += b.Size
	}
	for _, b := range list {
		if b.Complete {
			s.LastTime, s.LastOK = b.Created, true
			s.LastBackup = fmt.Sprintf("%s (%s, %s, ok)", units.Time(b.Created), b.Kind, units.Bytes(b.Size))
			break
		}
	}
	// A failed run after the newest good backup is what the user must see.
	if rec, ok, err := history.Open(env.StateDir).Last(history.OpBackup); err == nil && ok &&
		rec.Result != history.ResultOK && rec.Start.After(s.LastTime) {
		s.LastTime, s.LastOK, s.LastError = rec.Start, false, rec.Error
		s.LastBackup = fmt.Sprintf("%s FAILED: %s", units.Time(rec.Start), rec.Error)
	}
	sch := env.Settings.Schedule
	if !sch.Enabled {
		s.NextBackup = "automated backups are off"
	} else {
		s.NextTime = schedule.Next(sch, env.now())
		s.NextBackup = units.Time(s.NextTime) + " (" + sch.Frequency + ")"
	}
	return s, nil
}
