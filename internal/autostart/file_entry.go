//go:build linux || darwin

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// writeEntry writes an autostart file (a .desktop entry or a LaunchAgent;
// what names it in messages) atomically, creating its folder.
func writeEntry(what, content string) error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cannot create the folder for the %s: %w", what, err)
	}
	if err := fsutil.WriteFileAtomic(p, []byte(content), 0o644); err != nil {
		return fmt.Errorf("cannot write the %s %s: %w", what, p, err)
	}
	return nil
}

// removeEntry removes the autostart file; a missing one is fine.
func removeEntry(what string) error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the %s %s: %w", what, p, err)
	}
	return nil
}
