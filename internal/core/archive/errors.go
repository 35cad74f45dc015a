package archive

import (
	"errors"
	"fmt"
)

// Errors callers branch on. Each is returned wrapped in a message that names
// the file and says what to do; test with errors.Is.
var (
	// ErrNotZip: the file is not a ZIP file at all.
	ErrNotZip = errors.New("not a ZIP file")
	// ErrTruncated: the file starts like a ZIP file but its end is missing,
	// as after an interrupted copy or download.
	ErrTruncated = errors.New("the file is cut off")
	// ErrIncomplete: the archive has no manifest.json, so the backup that
	// wrote it never finished.
	ErrIncomplete = errors.New("the backup is incomplete")
	// ErrNotBackup: a ZIP file that is not a backup (no database_dump.json).
	ErrNotBackup = errors.New("not a Backup Desktop backup")
	// ErrUnsupportedVersion: the archive was written by a newer version of
	// the app.
	ErrUnsupportedVersion = errors.New("the backup was made by a newer version of Backup Desktop")
	// ErrUnsafePath: an entry name that could write outside the media folder
	// (absolute, "..", a backslash), or a symbolic link or special file entry.
	ErrUnsafePath = errors.New("unsafe entry in the backup")
	// ErrExists: Create would replace an existing file.
	ErrExists = errors.New("a file with that name already exists")
	// ErrDiskFull: the disk holding the backup folder ran out of space.
	ErrDiskFull = errors.New("the disk is full")
)

// CorruptEntryError says that an entry of the archive is damaged: its
// content does not match the manifest's size or SHA-256, it cannot be read,
// it is missing, unexpected, or (for the dump) not a well-formed dump.
type CorruptEntryError struct {
	Path   string // the archive
	Name   string // the entry, for example "database_dump.json"
	Reason string // what is wrong, in words
	Err    error  // the underlying error, if any
}

func (e *CorruptEntryError) Error() string {
	msg := fmt.Sprintf("%s: the backup is damaged: %s %s", e.Path, e.Name, e.Reason)
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg + "; this backup cannot be used safely: choose another backup"
}

func (e *CorruptEntryError) Unwrap() error { return e.Err }

// DiskFullError is returned by Create when the disk holding the backup
// folder is full. Nothing is left behind.
type DiskFullError struct {
	Dir  string // the backup folder
	What string // what was being written, for example "the database dump"
	Err  error  // the operating system's error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the disk holding %s is full (needed more space for %s); free up space or choose another backup folder; no backup file was kept", e.Dir, e.What)
}

// Unwrap lets errors.Is find both ErrDiskFull and the system error.
func (e *DiskFullError) Unwrap() []error { return []error{ErrDiskFull, e.Err} }

func unsafeErr(path, name, why string) error {
	return fmt.Errorf("%s: %w: %q %s; the file may have been made or changed by something other than Backup Desktop: do not use it", path, ErrUnsafePath, name, why)
}
