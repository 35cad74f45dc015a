package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	return writeEntry("LaunchAgent", LaunchAgent(e))
}

// Disable removes the LaunchAgent.
func Disable() error { return removeEntry("LaunchAgent") }

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
