//go:build !(linux || freebsd || openbsd || netbsd)

package gui

// SessionBusAvailable is true: Windows and macOS trays need no D-Bus.
func SessionBusAvailable() bool { return true }

// TrayHostPresent is true: Windows and macOS always show tray icons.
func TrayHostPresent() bool { return true }
