//go:build linux || freebsd || openbsd || netbsd

package gui

import (
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

// SessionBusAvailable reports whether a D-Bus session bus answers. The
// Linux tray needs one; Fyne 2.7.1's tray panics on quit without it
// (fyne#6403), so the app makes no tray then.
func SessionBusAvailable() bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		// godbus would fall back to $XDG_RUNTIME_DIR/bus, then to
		// autolaunching a bus: only the first is a real session.
		rt := os.Getenv("XDG_RUNTIME_DIR")
		if rt == "" {
			return false
		}
		if _, err := os.Stat(filepath.Join(rt, "bus")); err != nil {
			return false
		}
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// TrayHostPresent reports whether something shows tray icons now: a
// StatusNotifierWatcher owns its name on the session bus.
func TrayHostPresent() bool {
	if !SessionBusAvailable() {
		return false
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
