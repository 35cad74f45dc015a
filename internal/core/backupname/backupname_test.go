package backupname

import (
	"errors"
	"testing"
	"time"
)

func TestTimestampedRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 29, 2, 30, 5, 0, time.UTC)
	for _, k := range []Kind{Manual, Daily, Weekly, Monthly, PreRestore} {
		name, err := Timestamped(k, at)
		if err != nil {
			t.Fatal(err)
		}
		info, ok := ParseIn(name, time.UTC)
		if !ok || info.Kind != k || !info.Time.Equal(at) {
			t.Errorf("%s: Parse(%q) = %+v, %v", k, name, info, ok)
		}
	}
	if _, err := Timestamped(Custom, at); err == nil {
		t.Error("custom kind got a timestamped name")
	}
}

func TestParseRejects(t *testing.T) {
	for _, name := range []string{
		"my_custom_backup.zip", "backup_2026.zip", "backup_20260101_999999.zip",
		"daily_backup_20260101_020000.tmp", "notes.txt", "backup_20260101_020000.zip.partial",
		"xdaily_backup_20260101_020000.zip",
	} {
		if info, ok := ParseIn(name, time.UTC); ok {
			t.Errorf("Parse(%q) = %+v, want not a timestamped backup", name, info)
		}
	}
}

func TestCustomName(t *testing.T) {
	good := map[string]string{
		"my_custom_backup":    "my_custom_backup.zip",
		"Before price update": "Before price update.zip",
		"v1.2-final":          "v1.2-final.zip",
		"already.zip":         "already.zip",
	}
	for in, want := range good {
		got, err := CustomName(in)
		if err != nil || got != want {
			t.Errorf("CustomName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  ", "../etc/passwd", "a/b", `a\b`, "x:y", ".hidden", "trailing ", "daily_backup_20260101_020000", "ümlaut"} {
		if got, err := CustomName(in); !errors.Is(err, ErrBadName) {
			t.Errorf("CustomName(%q) = %q, %v; want ErrBadName", in, got, err)
		}
	}
}
