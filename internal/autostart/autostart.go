// Package autostart starts the tray app when the user logs in, so that the
// in-app scheduler runs after a reboot without anyone opening the app:
// an XDG autostart entry on Linux (~/.config/autostart), a value under the
// current user's Run key on Windows, and a LaunchAgent on macOS. Each is
// per user and needs no administrator rights.
//
// The file formats are built by plain functions in this file so that every
// platform's output is tested on every platform; the files named after an
// operating system only write and remove them.
package autostart

import (
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/ossched"
)

// Name is the entry's name as the user sees it in the desktop's list of
// startup programs.
const Name = "Backup Desktop"

// Label is the reverse-DNS name of the macOS LaunchAgent (its file is
// Label + ".plist").
const Label = "com.backupdesktop.BackupDesktop"

// FileName is the Linux autostart file's name.
const FileName = "backup-desktop.desktop"

// Entry is the program to start at login.
type Entry struct {
	// Exe is the executable's absolute path.
	Exe string
	// Args follow it, for example "--config", "/path/settings.json".
	Args []string
}

// ErrBadEntry is returned for an entry that cannot be written safely.
var ErrBadEntry = errors.New("invalid start-at-login entry")

func (e Entry) check() error {
	if e.Exe == "" {
		return fmt.Errorf("%w: no program given", ErrBadEntry)
	}
	for _, s := range append([]string{e.Exe}, e.Args...) {
		if strings.ContainsAny(s, "\x00\r\n") {
			return fmt.Errorf("%w: %q contains a line break or NUL", ErrBadEntry, s)
		}
	}
	return nil
}

// DesktopEntry returns the content of the XDG autostart file for e.
func DesktopEntry(e Entry) string {
	var exec []string
	for _, a := range append([]string{e.Exe}, e.Args...) {
		exec = append(exec, desktopQuote(a))
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=" + Name + "\n" +
		"Comment=Makes the scheduled backups of the Inventory Management System\n" +
		"Exec=" + strings.Join(exec, " ") + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// desktopQuote quotes one Exec argument as the Desktop Entry
// Specification asks: inside double quotes, '"', '`', '$' and '\' are
// escaped with a backslash; then, as for every string value, each
// backslash is doubled; and '%' (field codes) is written as "%%".
func desktopQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	q := strings.ReplaceAll(b.String(), `\`, `\\`)
	q = strings.ReplaceAll(q, "%", "%%")
	return `"` + q + `"`
}

// WindowsCommand returns the command line stored under the Run key: each
// argument quoted the way the Microsoft C runtime (and Go's
// os.Args on Windows) splits them again.
func WindowsCommand(e Entry) string {
	parts := []string{ossched.WindowsQuote(e.Exe)}
	for _, a := range e.Args {
		parts = append(parts, ossched.WindowsQuote(a))
	}
	return strings.Join(parts, " ")
}

// LaunchAgent returns the content of the macOS LaunchAgent plist for e.
func LaunchAgent(e Entry) string {
	var args strings.Builder
	for _, a := range append([]string{e.Exe}, e.Args...) {
		args.WriteString("\t\t<string>" + html.EscapeString(a) + "</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + Label + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}

// Set enables (on) or disables start at login. Disabling when nothing is
// registered is not an error.
func Set(on bool, e Entry) error {
	if !on {
		return Disable()
	}
	return Enable(e)
}
