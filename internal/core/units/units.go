// Package units writes sizes and times the way the app shows them to people,
// the same in the window, the tray and on the command line.
package units

import (
	"fmt"
	"time"
)

// Bytes writes n bytes in binary units: "512 B", "4.9 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Time writes t in local time to the minute, or "never" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}
