package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/dbconn"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
)

// count writes n with thousands separators: 1234567 → "1,234,567".
func count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural is "1 file", "2 files".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// when is a local date and time as the window shows it.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("Mon 2 Jan 2006, 15:04")
}

// kindText names a backup's kind for the list.
func kindText(k backupname.Kind, name string) string {
	switch k {
	case backupname.Manual:
		return "Manual"
	case backupname.Daily:
		return "Daily"
	case backupname.Weekly:
		return "Weekly"
	case backupname.Monthly:
		return "Monthly"
	case backupname.PreRestore:
		return "Before a restore"
	}
	return "Named: " + strings.TrimSuffix(name, backupname.Ext)
}

// sentence makes s start with a capital letter and end with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// explain turns an error from a job into sentences a shop owner can act
// on. The core's errors already say what failed and what to do; this only
// picks the right words for the ones the window treats specially.
func explain(err error) string {
	var busy *lock.BusyError
	var conn *dbconn.ConnError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "Cancelled."
	case errors.As(err, &busy):
		return sentence(busy.Error())
	case errors.As(err, &conn):
		return sentence(conn.Reason) + " " + sentence(conn.Advice)
	}
	return sentence(err.Error())
}

// connHeadline is the first words of a failed connection test.
func connHeadline(err error) string {
	switch {
	case errors.Is(err, dbconn.ErrUnreachable):
		return "Server unreachable"
	case errors.Is(err, dbconn.ErrAccessDenied):
		return "Access denied"
	case errors.Is(err, dbconn.ErrUnknownDB):
		return "Unknown database"
	case errors.Is(err, dbconn.ErrServerGone):
		return "Connection lost"
	}
	return "Connection failed"
}
