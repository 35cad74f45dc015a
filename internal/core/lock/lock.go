// Package lock makes sure only one backup or restore runs at a time across
// all processes that share a settings file.
//
// It uses an operating-system file lock (github.com/gofrs/flock: flock on
// Unix, LockFileEx on Windows), which the kernel releases when its holder
// exits or dies, so a lock left behind by a killed process never blocks the
// next run. Who holds the lock and since when is kept in a small side file
// so that a second process can say so.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// FileName is the lock file's name inside the state folder.
const FileName = "backup-desktop.lock"

// Holder describes the process that holds the lock.
type Holder struct {
	PID   int       `json:"pid"`
	Op    string    `json:"op"` // "backup", "restore", "prune"
	Since time.Time `json:"since"`
	Host  string    `json:"host"`
}

// BusyError is returned when another process holds the lock.
type BusyError struct {
	Holder Holder // zero if unknown
}

// ErrBusy is matched by every BusyError (errors.Is).
var ErrBusy = errors.New("another backup or restore is running")

func (e *BusyError) Error() string {
	if e.Holder.PID == 0 {
		return ErrBusy.Error() + "; wait for it to finish and try again"
	}
	return fmt.Sprintf("another %s is running (process %d on %s, since %s); wait for it to finish and try again",
		e.Holder.Op, e.Holder.PID, e.Holder.Host, e.Holder.Since.Local().Format("2006-01-02 15:04:05"))
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Lock is a held lock. Release it when the work is done.
type Lock struct {
	fl   *flock.Flock
	info string
}

// Acquire takes the lock in dir for op without waiting. When another live
// process holds it, the error is a *BusyError naming that process.
func Acquire(dir, op string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the folder for the lock file: %w", err)
	}
	path := filepath.Join(dir, FileName)
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("cannot take the lock %s: %w", path, err)
	}
	info := path + ".json"
	if !ok {
		return nil, &BusyError{Holder: readHolder(info)}
	}
	host, _ := os.Hostname()
	h := Holder{PID: os.Getpid(), Op: op, Since: time.Now(), Host: host}
	data, _ := json.Marshal(h)
	// Best effort: the lock itself is what excludes others; the side file
	// only lets them say who holds it.
	_ = os.WriteFile(info, data, 0o600)
	return &Lock{fl: fl, info: info}, nil
}

// Release gives the lock up. Safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	os.Remove(l.info)
	err := l.fl.Unlock()
	l.fl = nil
	return err
}

// Current reports who holds the lock in dir, if anyone.
func Current(dir string) (Holder, bool) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return Holder{}, false
	}
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return Holder{}, false
	}
	if ok {
		fl.Unlock()
		return Holder{}, false
	}
	return readHolder(path + ".json"), true
}

func readHolder(path string) Holder {
	var h Holder
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &h)
	}
	return h
}
