package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// partialMark separates a temporary archive's final name from the id of the
// process writing it: ".NAME.partial-PID".
const partialMark = ".partial-"

// partialName returns the hidden temporary name under which the archive
// that will be called final is written.
func partialName(final string) string {
	return "." + final + partialMark + strconv.Itoa(os.Getpid())
}

// IsPartial reports whether a file name (not a path) is an unfinished
// archive written by Create: ".NAME.partial-PID". Such a file is never a
// backup; listings should hide it and retention must not count it.
func IsPartial(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, partialMark)
	if i < 2 {
		return false
	}
	pid := name[i+len(partialMark):]
	if pid == "" {
		return false
	}
	for _, c := range pid {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// writing holds the temporary files this process is writing right now, so
// that CleanupPartials never removes them even if called concurrently.
var writing sync.Map

// CleanupPartials removes the unfinished archives (see IsPartial) that a
// killed or crashed process left in dir and returns their names. Call it
// while holding the global backup lock: any partial file present then
// belongs to no running backup. Files this process is writing are kept. A
// missing dir is not an error.
func CleanupPartials(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot look for unfinished backups in %s: %w", dir, err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !IsPartial(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if _, busy := writing.Load(absPath(p)); busy {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Name())
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("cannot remove an unfinished backup; delete it by hand or check the folder's permissions: %w", errors.Join(errs...))
	}
	return removed, nil
}

// absPath is path made absolute and clean, the key of writing; path itself
// when that fails.
func absPath(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return filepath.Clean(path)
}
