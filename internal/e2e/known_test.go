package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logSince returns what the app's log file gained after n bytes, and its
// new length.
func (s *setup) logSince(n int) (string, int) {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(filepath.Dir(s.config), "logs", "backup-desktop.log"))
	if os.IsNotExist(err) && n == 0 {
		return "", 0 // no run has logged yet
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return string(data[n:]), len(data)
}

// A backup takes the checksums of unchanged media files from the newest
// backup it can read, and every backup made so verifies.
func TestRepeatBackupTakesChecksumsOfUnchangedFiles(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	s.writeMedia(map[string]string{
		"products/a.jpg": strings.Repeat("\xff\xd8 jpeg-ish ", 40_000),
		"products/b.jpg": "\xff\xd8 small",
		"docs/list.csv":  strings.Repeat("sku,price\nA-1,9.99\n", 5_000),
	})
	_, mark := s.logSince(0)
	s.backup("--name", "first")
	var log string
	log, mark = s.logSince(mark)
	if strings.Contains(log, "checksums of") {
		t.Fatalf("the first backup had nothing to take checksums from, yet:\n%s", log)
	}

	second := s.backup("--name", "second")
	log, mark = s.logSince(mark)
	if !strings.Contains(log, "the checksums of 3 unchanged media files were taken from first.zip") {
		t.Fatalf("the second backup did not take the checksums from the first:\n%s", log)
	}
	s.mustRun("verify", second)

	// The newest backup is damaged: the one before it lends the checksums.
	if err := os.Truncate(second, 1000); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Minute)
	os.Chtimes(second, now, now)
	third := s.backup("--name", "third")
	log, mark = s.logSince(mark)
	if !strings.Contains(log, "cannot lend its media checksums") || !strings.Contains(log, "taken from first.zip") {
		t.Fatalf("the third backup did not pass over the damaged one to the first:\n%s", log)
	}
	s.mustRun("verify", third)

	// A file edited in place with its time put back: found by its CRC-32,
	// and the backup is made again with every file hashed.
	p := filepath.Join(s.media, "products", "a.jpg")
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	copy(data[1000:], "EDITED")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, info.ModTime(), info.ModTime())
	fourth := s.backup("--name", "fourth")
	log, _ = s.logSince(mark)
	if !strings.Contains(log, "changed without a new modification time: media/products/a.jpg") {
		t.Fatalf("the fourth backup did not notice the edited file:\n%s", log)
	}
	s.mustRun("verify", fourth)
}
