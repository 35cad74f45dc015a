//go:build !linux && !darwin && !windows

package autostart

import "errors"

// ErrUnsupported is returned on systems without a known autostart
// mechanism.
var ErrUnsupported = errors.New("start at login is not supported on this system; start the app from your desktop's startup settings instead")

// Enable is not supported here.
func Enable(Entry) error { return ErrUnsupported }

// Disable has nothing to remove here.
func Disable() error { return nil }

// Enabled is always false here.
func Enabled() (bool, error) { return false, nil }
