package jobs

import (
	"cmp"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/retention"
)

// knownTries is how many of the newest archives in the backup folder
// knownMedia tries before giving up (one may be damaged or incomplete).
const knownTries = 3

// knownMedia returns what the newest complete backup in dir says about its
// media files, so that a new backup need not compute the checksums of the
// files that have not changed (archive.CreateOptions.Known). It returns
// nil when there is none; a backup then hashes every file, as it always
// may.
func knownMedia(dir string, log *slog.Logger) *archive.KnownMedia {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	type cand struct {
		path string
		mod  time.Time
	}
	var cs []cand
	for _, e := range ents {
		if !retention.IsBackupFile(e) {
			continue
		}
		if info, err := e.Info(); err == nil {
			cs = append(cs, cand{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Or(b.mod.Compare(a.mod), strings.Compare(a.path, b.path)) })
	for _, c := range cs[:min(len(cs), knownTries)] {
		k, err := archive.LoadKnownMedia(c.path)
		if err == nil {
			return k
		}
		log.Info("an earlier backup cannot lend its media checksums", "file", c.path, "err", err)
	}
	return nil
}
