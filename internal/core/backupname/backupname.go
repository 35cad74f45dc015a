// Package backupname makes and reads the file names of backups:
// backup_YYYYMMDD_HHMMSS.zip, daily_backup_…, weekly_backup_…,
// monthly_backup_…, pre_restore_… (timestamped, local time) and NAME.zip
// for a custom name.
package backupname

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is what made a backup.
type Kind string

// The kinds of backup. Custom backups carry a name the user chose and no
// timestamp; retention never deletes them.
const (
	Manual     Kind = "manual"      // backup_…
	Daily      Kind = "daily"       // daily_backup_…
	Weekly     Kind = "weekly"      // weekly_backup_…
	Monthly    Kind = "monthly"     // monthly_backup_…
	PreRestore Kind = "pre_restore" // pre_restore_…
	Custom     Kind = "custom"      // NAME.zip
)

// Ext is the file extension of every backup.
const Ext = ".zip"

const stamp = "20060102_150405"

var prefixes = map[Kind]string{
	Manual:     "backup_",
	Daily:      "daily_backup_",
	Weekly:     "weekly_backup_",
	Monthly:    "monthly_backup_",
	PreRestore: "pre_restore_",
}

// Timestamped returns the file name of a backup of kind k made at t (shown
// in t's location, which callers set to local time).
func Timestamped(k Kind, t time.Time) (string, error) {
	p, ok := prefixes[k]
	if !ok {
		return "", fmt.Errorf("backup kind %q has no timestamped name", k)
	}
	return p + t.Format(stamp) + Ext, nil
}

// ErrBadName is returned by CustomName for a name the user may not choose.
var ErrBadName = errors.New("invalid backup name")

// CustomName checks a user-chosen name and returns its file name
// ("NAME.zip"). Letters, digits, space, '-', '_' and '.' are allowed.
func CustomName(name string) (string, error) {
	trimmed := strings.TrimSuffix(name, Ext)
	switch {
	case strings.TrimSpace(trimmed) == "":
		return "", fmt.Errorf("%w: the name is empty; use letters, digits, spaces, '-', '_' or '.'", ErrBadName)
	case len(trimmed) > 200:
		return "", fmt.Errorf("%w: %q is longer than 200 characters", ErrBadName, name)
	case trimmed == "." || trimmed == ".." || strings.HasPrefix(trimmed, "."):
		return "", fmt.Errorf("%w: %q may not start with '.'", ErrBadName, name)
	case strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "."):
		return "", fmt.Errorf("%w: %q may not end with a space or '.' (Windows cannot keep such names)", ErrBadName, name)
	}
	for _, r := range trimmed {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_' || r == '.') {
			return "", fmt.Errorf("%w: %q contains %q; use only letters a-z and A-Z, digits, spaces, '-', '_' or '.'", ErrBadName, name, r)
		}
	}
	if _, ok := Parse(trimmed + Ext); ok {
		return "", fmt.Errorf("%w: %q looks like an automatic backup's name, which retention would delete; choose another name", ErrBadName, name)
	}
	return trimmed + Ext, nil
}

// Info is what a file name says about a backup.
type Info struct {
	Kind Kind
	// Time is the moment in the name, in loc; zero for Custom.
	Time time.Time
}

// Parse reads a timestamped backup name. ok is false for any other name
// (custom or foreign files); the time is read in time.Local.
func Parse(file string) (Info, bool) {
	return ParseIn(file, time.Local)
}

// ParseIn is Parse with the location of the name's wall-clock time.
func ParseIn(file string, loc *time.Location) (Info, bool) {
	if !strings.HasSuffix(file, Ext) {
		return Info{}, false
	}
	base := strings.TrimSuffix(file, Ext)
	// Longest prefix first: "backup_" is a suffix of "daily_backup_".
	for _, k := range []Kind{Daily, Weekly, Monthly, PreRestore, Manual} {
		p := prefixes[k]
		if !strings.HasPrefix(base, p) {
			continue
		}
		rest := base[len(p):]
		if len(rest) != len(stamp) {
			return Info{}, false
		}
		t, err := time.ParseInLocation(stamp, rest, loc)
		if err != nil {
			return Info{}, false
		}
		return Info{Kind: k, Time: t}, true
	}
	return Info{}, false
}
