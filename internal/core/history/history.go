// Package history records every backup, restore and prune run, scheduled
// or manual, as one JSON line in <stateDir>/history.jsonl, where both the
// command line and the window read it ("status", "list", the last-backup
// line of the window) and where the due-check finds the last successful
// scheduled backup.
//
// Several processes (the tray app, cron's run-scheduled-backup, a manual
// command) may append at the same time. Each record is written with one
// O_APPEND write followed by fsync, under a short exclusive file lock
// (history.jsonl.lock) that also guards the occasional rewrite which keeps
// the file small. A line torn by a crash is skipped when reading and
// closed off before the next record is appended.
package history

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// FileName is the history file's name inside the state folder.
const FileName = "history.jsonl"

// Op is the kind of run.
type Op string

// The operations that are recorded.
const (
	OpBackup  Op = "backup"
	OpRestore Op = "restore"
	OpPrune   Op = "prune"
)

// Result is how a run ended.
type Result string

// The results of a run.
const (
	ResultOK        Result = "ok"
	ResultFailed    Result = "failed"
	ResultCancelled Result = "cancelled"
)

// maxErrorLen bounds the error text kept per record.
const maxErrorLen = 4000

// Record is one run. The JSON names are read by scripts and by older and
// newer versions of the app; add fields, never rename them.
type Record struct {
	// ID identifies the record; Append fills it in when empty.
	ID string `json:"id"`
	Op Op     `json:"op"`
	// Kind is the backup kind (backupname.Kind: "daily", "manual", …) for
	// backups; empty otherwise.
	Kind string `json:"kind,omitempty"`
	// Scheduled is true for runs made by a scheduler (the tray app or
	// run-scheduled-backup).
	Scheduled bool      `json:"scheduled"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Result    Result    `json:"result"`
	// File is the backup file made (backup) or read (restore), as a full
	// path.
	File string `json:"file,omitempty"`
	// Size is File's size in bytes.
	Size int64 `json:"size,omitempty"`
	// Error is the failure's message, for failed and cancelled runs.
	Error string `json:"error,omitempty"`
	// At is the simulated time of a run made with --at; zero otherwise.
	At time.Time `json:"at,omitzero"`
	// Deleted lists the backups a prune (or the retention step after a
	// backup) deleted.
	Deleted []string `json:"deleted,omitempty"`
}

// When is the moment the run counts for: At for a run with a simulated
// time, otherwise Start. The due-check compares it with the most recent
// scheduled moment.
func (r Record) When() time.Time {
	if !r.At.IsZero() {
		return r.At
	}
	return r.Start
}

// Store is the history of one state folder. It holds no open files; each
// method opens, works and closes, so a Store may be used from several
// goroutines and alongside other processes.
type Store struct {
	dir string
	// The file is rewritten to its last keepRecords records once it holds
	// more than maxRecords; compactBytes is the size below which it is not
	// even counted.
	maxRecords, keepRecords int
	compactBytes            int64
}

// Open returns the history kept in stateDir (settings.StateDir). Nothing is
// created until the first Append.
func Open(stateDir string) *Store {
	return &Store{dir: stateDir, maxRecords: 2000, keepRecords: 1000, compactBytes: 256 << 10}
}

// Path is the history file's full path (for messages and `status`).
func (s *Store) Path() string { return filepath.Join(s.dir, FileName) }

// Append writes r as one line. An empty r.ID is replaced by a new one;
// times are kept as given. It is safe to call from several processes at
// once.
func (s *Store) Append(r Record) error {
	if r.ID == "" {
		r.ID = newID(r.Start)
	}
	if len(r.Error) > maxErrorLen {
		r.Error = r.Error[:maxErrorLen] + "…"
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("cannot encode the history record: %w", err)
	}
	line = append(line, '\n')
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the state folder %s for the history: %w", s.dir, err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()

	f, err := os.OpenFile(s.Path(), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot open the history file: %w", err)
	}
	size, torn, err := lastLineTorn(f)
	if err == nil {
		if torn {
			line = append([]byte{'\n'}, line...)
		}
		_, err = f.Write(line) // one write: O_APPEND keeps it whole
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write to the history file %s: %w; check free disk space and permissions", s.Path(), err)
	}
	if size+int64(len(line)) > s.compactBytes {
		// A failed rewrite loses nothing and is retried next time.
		_ = s.compact()
	}
	return nil
}

// lastLineTorn returns the file's size and whether its last byte is not a
// newline (a record torn by a crash).
func lastLineTorn(f *os.File) (size int64, torn bool, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, false, err
	}
	size = fi.Size()
	if size == 0 {
		return 0, false, nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return 0, false, err
	}
	return size, last[0] != '\n', nil
}

// lock takes the history's exclusive lock; it is held for milliseconds.
func (s *Store) lock() (func(), error) {
	fl := flock.New(s.Path()+".lock", flock.SetPermissions(0o600))
	if err := fl.Lock(); err != nil {
		fl.Close()
		return nil, fmt.Errorf("cannot lock the history file: %w", err)
	}
	return func() { fl.Unlock(); fl.Close() }, nil
}

// compact rewrites the file to its last keepRecords lines when it holds
// more than maxRecords. The caller holds the lock.
func (s *Store) compact() error {
	data, err := os.ReadFile(s.Path())
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(data, []byte{'\n'})
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	if len(lines) <= s.maxRecords {
		return nil
	}
	kept := bytes.Join(lines[len(lines)-s.keepRecords:], nil)
	if len(kept) > 0 && kept[len(kept)-1] != '\n' {
		kept = append(kept, '\n')
	}
	return fsutil.WriteFileAtomic(s.Path(), kept, 0o600)
}

// List returns every readable record, oldest first (in the order they
// were appended). Lines that are not a record (a line torn by a crash, or
// damaged by hand) are skipped. A missing file is an empty history.
func (s *Store) List() ([]Record, error) {
	f, err := os.Open(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the history file: %w", err)
	}
	defer f.Close()
	var out []Record
	br := bufio.NewReader(f)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var r Record
			if json.Unmarshal(line, &r) == nil && r.Op != "" {
				out = append(out, r)
			}
		}
		// A last line without its newline is a record being written or
		// torn by a crash: skipped either way.
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("cannot read the history file: %w", err)
		}
	}
}

// Last returns the most recently appended record of op; ok is false when
// there is none.
func (s *Store) Last(op Op) (r Record, ok bool, err error) {
	return s.find(func(r Record) bool { return r.Op == op }, false)
}

// LastSuccessful returns the most recently appended successful record of
// op.
func (s *Store) LastSuccessful(op Op) (Record, bool, error) {
	return s.find(func(r Record) bool { return r.Op == op && r.Result == ResultOK }, false)
}

// LastSuccessfulScheduled returns the successful scheduled backup with the
// latest When(): the one the due-check compares with the most recent
// scheduled moment.
func (s *Store) LastSuccessfulScheduled() (Record, bool, error) {
	return s.find(func(r Record) bool {
		return r.Op == OpBackup && r.Scheduled && r.Result == ResultOK
	}, true)
}

// find returns the last matching record, or the one with the latest
// When() when byWhen is set.
func (s *Store) find(match func(Record) bool, byWhen bool) (Record, bool, error) {
	rs, err := s.List()
	if err != nil {
		return Record{}, false, err
	}
	var best Record
	found := false
	for _, r := range rs {
		if !match(r) {
			continue
		}
		if !found || !byWhen || !r.When().Before(best.When()) {
			best, found = r, true
		}
	}
	return best, found, nil
}

// newID makes a sortable, unique record ID from the run's start and 64
// random bits.
func newID(start time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return start.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
