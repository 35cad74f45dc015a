// Package assets holds the app icon and the tray icons, drawn by ./gen
// (run `go generate ./assets` after changing it) and embedded in the
// binary. They are PNG files: the Linux tray and the Windows .ico
// conversion do not take SVG.
package assets

import _ "embed"

//go:generate go run ./gen -out .

// Icon is the 512×512 app icon (also named in FyneApp.toml).
//
//go:embed icon.png
var Icon []byte

// TrayOK is the tray icon when all is well.
//
//go:embed tray_ok.png
var TrayOK []byte

// TrayFailed is the tray icon when the last backup failed.
//
//go:embed tray_failed.png
var TrayFailed []byte

// TrayOverdue is the tray icon when a scheduled backup is overdue.
//
//go:embed tray_overdue.png
var TrayOverdue []byte
