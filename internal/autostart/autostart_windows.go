package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// runKey is the current user's Run key: Windows starts every command under
// it at login.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Enable stores the command for e under the Run key.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`cannot open HKCU\%s: %w`, runKey, err)
	}
	defer k.Close()
	if err := k.SetStringValue(Name, WindowsCommand(e)); err != nil {
		return fmt.Errorf(`cannot write %q under HKCU\%s: %w`, Name, runKey, err)
	}
	return nil
}

// Disable removes the command from the Run key.
func Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(`cannot open HKCU\%s: %w`, runKey, err)
	}
	defer k.Close()
	if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf(`cannot remove %q from HKCU\%s: %w`, Name, runKey, err)
	}
	return nil
}

// Enabled reports whether the Run key holds the command.
func Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf(`cannot open HKCU\%s: %w`, runKey, err)
	}
	defer k.Close()
	_, _, err = k.GetStringValue(Name)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
