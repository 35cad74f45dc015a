package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// mediaItem is a file or folder of the media folder to be archived.
type mediaItem struct {
	name  string // entry name: "media/a/b.jpg", or "media/a/" for a folder
	dir   bool
	mode  fs.FileMode
	mtime time.Time
	size  int64 // at scan time; the archive records what was read
}

// mediaScan is the media folder as found before the archive is written.
type mediaScan struct {
	root      string
	items     []mediaItem
	skipped   []string
	files     int
	bytes     int64
	emptyDirs int
	log       func(string)
}

// path returns where the item is on disk. (Items do not keep it: a media
// folder may hold many thousands of files.)
func (it *mediaItem) path(root string) string {
	return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(it.name, MediaPrefix)))
}

// scanMedia lists the media folder root: folders before their content,
// names sorted. Symbolic links and special files are not followed; they are
// listed in skipped and logged.
func scanMedia(ctx context.Context, root string, log func(string)) (*mediaScan, error) {
	if root == "" {
		return nil, errors.New("no media folder is set; set media_dir in the settings to the Inventory system's media folder")
	}
	info, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("the media folder %s does not exist; check media_dir in the settings, or create the folder if the Inventory system has no uploaded files yet", root)
	case err != nil:
		return nil, fmt.Errorf("cannot read the media folder %s: %w; check that it is reachable and readable by this user", root, err)
	case !info.IsDir():
		return nil, fmt.Errorf("the media folder %s is not a folder; set media_dir in the settings to the Inventory system's media folder", root)
	}
	s := &mediaScan{root: root, log: log}
	s.items = append(s.items, mediaItem{name: MediaPrefix, dir: true, mode: info.Mode(), mtime: info.ModTime()})
	if _, err := s.walk(ctx, root, MediaPrefix); err != nil {
		return nil, err
	}
	return s, nil
}

// walk adds the content of folder dir (entry name prefix rel, ending in
// '/') and returns how many entries it added directly inside it.
func (s *mediaScan) walk(ctx context.Context, dir, rel string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("cannot read the media folder %s: %w; check that this user may read it", dir, err)
	}
	added := 0
	for _, e := range entries {
		name := rel + e.Name()
		full := filepath.Join(dir, e.Name())
		t := e.Type()
		if !t.IsDir() && !t.IsRegular() {
			s.skip(name, describeType(t))
			continue
		}
		if t.IsDir() {
			name += "/"
		}
		if err := CheckEntryName(name); err != nil {
			s.skip(name, "its name cannot be stored safely in a ZIP file (rename it without '\\')")
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			s.skip(name, "it was deleted while the backup ran")
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("cannot read the media file %s: %w", full, err)
		}
		if t.IsDir() {
			s.items = append(s.items, mediaItem{name: name, dir: true, mode: info.Mode(), mtime: info.ModTime()})
			n, err := s.walk(ctx, full, name)
			if err != nil {
				return 0, err
			}
			if n == 0 {
				s.emptyDirs++
			}
		} else {
			s.items = append(s.items, mediaItem{name: name, mode: info.Mode(), mtime: info.ModTime(), size: info.Size()})
			s.files++
			s.bytes += info.Size()
		}
		added++
	}
	return added, nil
}

func (s *mediaScan) skip(name, why string) {
	s.skipped = append(s.skipped, name)
	if s.log != nil {
		s.log(fmt.Sprintf("not backed up: %s: %s", name, why))
	}
}

func describeType(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "a symbolic link (links are not followed; back up its target instead)"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (special file)"
	case t&fs.ModeSocket != 0:
		return "a socket (special file)"
	case t&fs.ModeDevice != 0:
		return "a device (special file)"
	default:
		return "not a regular file or folder"
	}
}
