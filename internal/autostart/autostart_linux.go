package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
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
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cannot create the autostart folder: %w", err)
	}
	if err := fsutil.WriteFileAtomic(p, []byte(DesktopEntry(e)), 0o644); err != nil {
		return fmt.Errorf("cannot write the autostart file %s: %w", p, err)
	}
	return nil
}

// Disable removes the autostart file.
func Disable() error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the autostart file %s: %w", p, err)
	}
	return nil
}

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
