package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Path returns the autostart file: $XDG_CONFIG_HOME/autostart (by default
// ~/.config/autostart)/backup-desktop.desktop.
func Path() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user's configuration folder: %w", err)
	}
	return filepath.Join(dir, "autostart", FileName), nil
}

// Enable writes the autostart file for e.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	return writeEntry("autostart file", DesktopEntry(e))
}

// Disable removes the autostart file.
func Disable() error { return removeEntry("autostart file") }

// Enabled reports whether the autostart file exists and is not switched
// off (Hidden=true, as desktop settings tools write to turn it off).
func Enabled() (bool, error) {
	p, err := Path()
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cannot read the autostart file: %w", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "Hidden=true" || strings.TrimSpace(l) == "X-GNOME-Autostart-enabled=false" {
			return false, nil
		}
	}
	return true, nil
}
