package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// Path returns the LaunchAgent file, ~/Library/LaunchAgents/<Label>.plist.
// launchd loads it at the next login.
func Path() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", Label+".plist"), nil
}

// Enable writes the LaunchAgent for e.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cannot create the LaunchAgents folder: %w", err)
	}
	if err := fsutil.WriteFileAtomic(p, []byte(LaunchAgent(e)), 0o644); err != nil {
		return fmt.Errorf("cannot write the LaunchAgent %s: %w", p, err)
	}
	return nil
}

// Disable removes the LaunchAgent.
func Disable() error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the LaunchAgent %s: %w", p, err)
	}
	return nil
}

// Enabled reports whether the LaunchAgent exists.
func Enabled() (bool, error) {
	p, err := Path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
