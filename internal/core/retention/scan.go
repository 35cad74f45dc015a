package retention

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// Entry names that make a ZIP a complete backup (see PRODUCT.md, "The
// backup archive"; manifest.json is written last).
const (
	manifestEntry = "manifest.json"
	dumpEntry     = "database_dump.json"
)

// maxManifest bounds how much of manifest.json Scan reads.
const maxManifest = 16 << 20

// ErrNoBackupDir is returned by Scan when backup_dir does not exist.
var ErrNoBackupDir = errors.New("backup folder does not exist")

// known remembers what inspect found in complete backups, by path. A
// backup never changes once it has its name (it is written under a hidden
// name and renamed), and the window lists the folder every minute: reading
// every backup's central directory and manifest again each time would cost
// a noticeable share of a processor once a folder holds a month of backups
// with thousands of media files each. A file is read again when its size,
// modification time or identity changed; entries of files no longer in the
// folder are dropped. Incomplete files are not remembered, so a failure to
// read one is never kept.
var known = struct {
	sync.Mutex
	files map[string]knownFile
}{files: map[string]knownFile{}}

type knownFile struct {
	info    fs.FileInfo
	created time.Time
}

// inspectFile is inspect; tests count the calls.
var inspectFile = inspect

// inspectCached is inspectFile, skipped for a complete backup seen before.
func inspectCached(path string, info fs.FileInfo) (complete bool, created time.Time) {
	known.Lock()
	k, ok := known.files[path]
	known.Unlock()
	if ok && k.info.Size() == info.Size() && k.info.ModTime().Equal(info.ModTime()) && os.SameFile(k.info, info) {
		return true, k.created
	}
	complete, created = inspectFile(path)
	known.Lock()
	if complete {
		known.files[path] = knownFile{info: info, created: created}
	} else {
		delete(known.files, path)
	}
	known.Unlock()
	return complete, created
}

// Remember records that path is a complete backup, created at created, as
// the process that has just written it knows: the next Scan of its folder
// then need not read it. After every backup the retention pass lists the
// folder; without this it would read the new archive's central directory
// and manifest back from the disk (the archive's pages leave the cache once
// they are flushed), which for thousands of media files takes a noticeable
// time. The file is read again once its size, modification time or
// identity changes, as for any remembered file.
func Remember(path string, created time.Time) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	known.Lock()
	known.files[filepath.Clean(path)] = knownFile{info: info, created: created.Local()}
	known.Unlock()
	return nil
}

// forgetOthers drops the remembered files in dir that are not in present.
func forgetOthers(dir string, present map[string]bool) {
	known.Lock()
	defer known.Unlock()
	for path := range known.files {
		if filepath.Dir(path) == dir && !present[path] {
			delete(known.files, path)
		}
	}
}

// Scan lists the backups in dir, newest first (backups without a known
// creation time last, by name). Only regular files ending in ".zip" are
// listed; hidden files (such as the ".NAME.partial-…" files of a backup
// being written), folders, symbolic links and other files are ignored.
// Timestamped names are read with backupname.Parse (local time). Each ZIP
// is opened to see whether it is complete (holds manifest.json and
// database_dump.json); for a custom-named backup, Created comes from the
// manifest's "created_utc". InProgress is never set: a backup in progress
// still has its hidden temporary name.
func Scan(dir string) ([]Backup, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s; check backup_dir in the settings, or make a first backup to create it", ErrNoBackupDir, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot list the backup folder %s: %w", dir, err)
	}
	var out []Backup
	dir = filepath.Clean(dir)
	present := map[string]bool{}
	defer forgetOthers(dir, present)
	for _, e := range entries {
		name := e.Name()
		if !IsBackupFile(e) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted since ReadDir
			}
			return nil, fmt.Errorf("cannot read %s: %w", filepath.Join(dir, name), err)
		}
		b := Backup{Name: name, Kind: backupname.Custom, Size: info.Size()}
		if bi, ok := backupname.Parse(name); ok {
			b.Kind, b.Created = bi.Kind, bi.Time
		}
		path := filepath.Join(dir, name)
		present[path] = true
		complete, created := inspectCached(path, info)
		b.Complete = complete
		if b.Created.IsZero() && complete {
			b.Created = created
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Created.IsZero() != b.Created.IsZero():
			return !a.Created.IsZero()
		case !a.Created.Equal(b.Created):
			return a.Created.After(b.Created)
		}
		return a.Name < b.Name
	})
	return out, nil
}

// IsBackupFile reports whether e, an entry of the backup folder, is listed
// as a backup: a regular, not hidden file named *.zip. (A backup being
// written has a hidden name.)
func IsBackupFile(e fs.DirEntry) bool {
	name := e.Name()
	return !strings.HasPrefix(name, ".") && strings.HasSuffix(name, backupname.Ext) && e.Type().IsRegular()
}

// inspect opens a ZIP and reports whether it is a complete backup and the
// creation time its manifest records (zero if absent). Unreadable or
// truncated files are simply not complete.
func inspect(path string) (complete bool, created time.Time) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false, time.Time{}
	}
	defer zr.Close()
	var manifest, dump *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case manifestEntry:
			manifest = f
		case dumpEntry:
			dump = f
		}
	}
	if manifest == nil || dump == nil {
		return false, time.Time{}
	}
	rc, err := manifest.Open()
	if err != nil {
		return false, time.Time{}
	}
	defer rc.Close()
	var m struct {
		CreatedUTC string `json:"created_utc"`
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	if err != nil || json.Unmarshal(data, &m) != nil {
		return false, time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, m.CreatedUTC); err == nil {
		created = t.Local()
	}
	return true, created
}

// Delete removes the files of the decisions marked Remove from dir and
// returns the names it deleted. As a last guard it refuses any name that is
// not a plain timestamped backup name. It goes on after a failure and
// returns every failure joined; a file already gone is skipped silently.
func Delete(dir string, ds []Decision) (deleted []string, err error) {
	var errs []error
	for _, d := range ds {
		if !d.Remove {
			continue
		}
		name := d.Backup.Name
		if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			errs = append(errs, fmt.Errorf("refusing to delete %q: not a file name inside the backup folder", name))
			continue
		}
		if bi, ok := backupname.Parse(name); !ok || !removable[bi.Kind] {
			errs = append(errs, fmt.Errorf("refusing to delete %q: not a timestamped backup name", name))
			continue
		}
		switch rmErr := os.Remove(filepath.Join(dir, name)); {
		case rmErr == nil:
			deleted = append(deleted, name)
		case errors.Is(rmErr, fs.ErrNotExist):
		default:
			errs = append(errs, fmt.Errorf("cannot delete the old backup %s: %w; check that the backup folder is writable and the file is not open in another program", name, rmErr))
		}
	}
	if len(deleted) > 0 {
		if serr := fsutil.SyncDir(dir); serr != nil {
			errs = append(errs, serr)
		}
	}
	return deleted, errors.Join(errs...)
}
