// Package ossched registers run-scheduled-backup with the operating
// system's scheduler, for `backup-desktop schedule install|remove|show`:
//
//   - Linux and macOS: a line in the user's crontab, daily at 02:00 by
//     default, marked with the comment "# backup-desktop" so that install
//     replaces it and remove deletes it without touching the user's other
//     lines. macOS uses cron too (not a launchd agent): one mechanism, one
//     code path and the same line the documentation shows. On macOS 10.15
//     and later cron may need Full Disk Access to read a backup folder
//     under Documents or Desktop.
//   - Windows: a Task Scheduler task named InventoryManagementBackup, as in
//     the documentation's "Step 2: Set Up Task Scheduler": daily at 02:00,
//     run whether the user is logged on or not, run as soon as possible
//     after a missed start, runnable on demand. It is registered with
//     `schtasks /Create /XML`; scripts/setup_backup_schedule.ps1 registers
//     the same task from PowerShell.
//
// The OS scheduler only wakes the app daily; run-scheduled-backup decides
// whether a backup is due (weekly, monthly, or already made by the tray
// app), so a daily trigger is right for every frequency.
package ossched

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TaskName is the Windows Task Scheduler task's name (from the
// documentation).
const TaskName = "InventoryManagementBackup"

// Marker ends the crontab line this package owns.
const Marker = "# backup-desktop"

// DefaultAt is the time of day the OS scheduler starts the check.
const DefaultAt = "02:00"

// EnvCrontab names an environment variable holding the crontab command to
// use instead of "crontab", split on spaces (for example
// "crontab -u backupuser"); tests use it to work on a private crontab.
const EnvCrontab = "BACKUP_DESKTOP_CRONTAB"

// Command is the subcommand the OS scheduler runs.
const Command = "run-scheduled-backup"

// Options say what to register.
type Options struct {
	// Exe is the absolute path of the backup-desktop executable; empty
	// means the running executable.
	Exe string
	// Config is the absolute path of the settings file (required): the
	// scheduled run must use the same settings as the app.
	Config string
	// At is the time of day, "HH:MM"; empty means DefaultAt.
	At string
	// Crontab is the crontab command and leading arguments (Linux, macOS);
	// empty means $BACKUP_DESKTOP_CRONTAB, or else "crontab".
	Crontab []string
	// User is the Windows account the task runs as ("DOMAIN\user"); empty
	// means the current user.
	User string
}

// Status is what the OS scheduler holds.
type Status struct {
	Installed bool
	// Mechanism names the OS scheduler: "cron" or "Windows Task Scheduler".
	Mechanism string
	// Entry is the crontab line, or the task's description from schtasks.
	Entry string
}

// ErrUnsafePath is returned for a path that cannot be written safely into
// a crontab line or a task (a newline, NUL, or a relative path).
var ErrUnsafePath = errors.New("path cannot be used in a scheduled command")

// resolve fills in defaults and checks the paths.
func (o Options) resolve() (Options, error) {
	if o.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("cannot find this program's own path: %w; pass the executable's full path", err)
		}
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		o.Exe = exe
	}
	if o.At == "" {
		o.At = DefaultAt
	}
	if _, _, err := parseAt(o.At); err != nil {
		return o, err
	}
	for _, p := range []struct{ what, path string }{{"the program", o.Exe}, {"the settings file", o.Config}} {
		switch {
		case p.path == "":
			return o, fmt.Errorf("%w: the path of %s is empty", ErrUnsafePath, p.what)
		case !isAbs(p.path):
			return o, fmt.Errorf("%w: the path of %s, %q, is not absolute; give its full path", ErrUnsafePath, p.what, p.path)
		case strings.ContainsAny(p.path, "\n\r\x00"):
			return o, fmt.Errorf("%w: the path of %s, %q, contains a line break; move it to a folder with a plain name", ErrUnsafePath, p.what, p.path)
		}
	}
	return o, nil
}

// isAbs accepts both forms, so that task definitions for Windows can be
// generated and tested anywhere.
func isAbs(p string) bool {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\\`) {
		return true
	}
	return len(p) >= 3 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

func parseAt(at string) (hh, mm int, err error) {
	if len(at) == 5 && at[2] == ':' {
		if _, serr := fmt.Sscanf(at, "%02d:%02d", &hh, &mm); serr == nil && hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 {
			return hh, mm, nil
		}
	}
	return 0, 0, fmt.Errorf("invalid time of day %q; use 24-hour \"HH:MM\", for example \"02:00\"", at)
}
