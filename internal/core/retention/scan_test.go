package retention

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
)

// writeZip writes a real ZIP with the given entries (name → content).
func writeZip(t *testing.T, path string, entries map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(entries[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func complete(created time.Time) map[string]string {
	return map[string]string{
		"database_dump.json": `{"format_version":1}`,
		"media/a.txt":        "a",
		"manifest.json":      `{"format_version":1,"created_utc":"` + created.UTC().Format(time.RFC3339) + `"}`,
	}
}

func stamped(t *testing.T, k backupname.Kind, at time.Time) string {
	t.Helper()
	n, err := backupname.Timestamped(k, at.In(time.Local))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestScanApplyDelete(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.Local)
	old := now.AddDate(0, 0, -40)
	recent := now.AddDate(0, 0, -2)

	oldDaily := stamped(t, backupname.Daily, old)
	oldManual := stamped(t, backupname.Manual, old.Add(time.Hour))
	oldPre := stamped(t, backupname.PreRestore, old.Add(2*time.Hour))
	recentDaily := stamped(t, backupname.Daily, recent)
	incomplete := stamped(t, backupname.Weekly, old.Add(-24*time.Hour))
	truncated := stamped(t, backupname.Monthly, old.Add(-48*time.Hour))

	writeZip(t, filepath.Join(dir, oldDaily), complete(old))
	writeZip(t, filepath.Join(dir, oldManual), complete(old.Add(time.Hour)))
	writeZip(t, filepath.Join(dir, oldPre), complete(old.Add(2*time.Hour)))
	writeZip(t, filepath.Join(dir, recentDaily), complete(recent))
	// No manifest: an unfinished backup or someone else's file.
	writeZip(t, filepath.Join(dir, incomplete), map[string]string{"database_dump.json": "{}"})
	// A backup name whose bytes are not a whole ZIP.
	if err := os.WriteFile(filepath.Join(dir, truncated), []byte("PK\x03\x04 cut short"), 0o600); err != nil {
		t.Fatal(err)
	}
	customCreated := now.AddDate(-1, 0, 0)
	writeZip(t, filepath.Join(dir, "before price update.zip"), complete(customCreated))
	writeZip(t, filepath.Join(dir, "holiday photos.zip"), map[string]string{"img.jpg": "x"})
	// Files Scan must ignore.
	writeZip(t, filepath.Join(dir, "."+oldDaily+".partial-1234"), complete(old))
	writeZip(t, filepath.Join(dir, ".hidden.zip"), complete(old))
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, stamped(t, backupname.Daily, old.Add(-time.Hour))), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, oldDaily), filepath.Join(dir, stamped(t, backupname.Daily, old.Add(-2*time.Hour)))); err != nil {
		t.Fatal(err)
	}
	// A modification time that says "new" must not save an old backup, nor
	// an old one condemn a new backup.
	if err := os.Chtimes(filepath.Join(dir, oldDaily), now, now); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, recentDaily), old, old); err != nil {
		t.Fatal(err)
	}

	bs, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]Backup{}
	for _, b := range bs {
		names = append(names, b.Name)
		byName[b.Name] = b
	}
	// Newest first by creation time (the name's, or the manifest's for the
	// custom backup, a year old); "holiday photos.zip" has no known time.
	wantOrder := []string{recentDaily, oldPre, oldManual, oldDaily, incomplete, truncated, "before price update.zip", "holiday photos.zip"}
	if !slices.Equal(names, wantOrder) {
		t.Fatalf("Scan listed\n%q\nwant\n%q", names, wantOrder)
	}
	checks := []struct {
		name     string
		kind     backupname.Kind
		complete bool
		created  time.Time
	}{
		{oldDaily, backupname.Daily, true, old},
		{oldManual, backupname.Manual, true, old.Add(time.Hour)},
		{oldPre, backupname.PreRestore, true, old.Add(2 * time.Hour)},
		{recentDaily, backupname.Daily, true, recent},
		{incomplete, backupname.Weekly, false, old.Add(-24 * time.Hour)},
		{truncated, backupname.Monthly, false, old.Add(-48 * time.Hour)},
		{"before price update.zip", backupname.Custom, true, customCreated},
		{"holiday photos.zip", backupname.Custom, false, time.Time{}},
	}
	for _, c := range checks {
		b, ok := byName[c.name]
		if !ok {
			t.Errorf("Scan did not list %s", c.name)
			continue
		}
		if b.Kind != c.kind || b.Complete != c.complete || !b.Created.Equal(c.created) || b.Size <= 0 {
			t.Errorf("%s: got kind %s complete %v created %v size %d; want %s %v %v", c.name, b.Kind, b.Complete, b.Created, b.Size, c.kind, c.complete, c.created)
		}
	}

	ds := Apply(bs, 30, now)
	deleted, err := Delete(dir, ds)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(deleted)
	want := []string{oldDaily, oldManual, oldPre}
	slices.Sort(want)
	if !slices.Equal(deleted, want) {
		t.Errorf("deleted %q, want %q", deleted, want)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var leftNames []string
	for _, e := range left {
		leftNames = append(leftNames, e.Name())
	}
	for _, n := range want {
		if slices.Contains(leftNames, n) {
			t.Errorf("%s still exists after Delete", n)
		}
	}
	for _, n := range []string{recentDaily, incomplete, truncated, "before price update.zip", "holiday photos.zip", "notes.txt", "." + oldDaily + ".partial-1234"} {
		if !slices.Contains(leftNames, n) {
			t.Errorf("%s was deleted; it must stay", n)
		}
	}
	// A second run finds nothing more to delete.
	bs, err = Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Apply(bs, 30, now) {
		if d.Remove {
			t.Errorf("second prune would remove %s: %s", d.Backup.Name, d.Reason)
		}
	}
}

func TestDeleteRefusesOtherNames(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "keep.zip")
	if err := os.WriteFile(victim, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "daily_backup_20200101_020000.zip")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ds := []Decision{
		{Backup: Backup{Name: "keep.zip"}, Remove: true},
		{Backup: Backup{Name: "../" + filepath.Base(filepath.Dir(outside)) + "/daily_backup_20200101_020000.zip"}, Remove: true},
		{Backup: Backup{Name: ".daily_backup_20200101_020000.zip"}, Remove: true},
		{Backup: Backup{Name: "daily_backup_20200102_020000.zip"}, Remove: true}, // already gone
	}
	deleted, err := Delete(dir, ds)
	if len(deleted) != 0 {
		t.Errorf("deleted %q, want nothing", deleted)
	}
	if err == nil || !strings.Contains(err.Error(), `refusing to delete "keep.zip"`) || !strings.Contains(err.Error(), "not a file name inside the backup folder") {
		t.Errorf("error = %v, want refusals naming the files", err)
	}
	for _, p := range []string{victim, outside} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestDeleteReportsFailure(t *testing.T) {
	// A non-empty folder with a backup's name: os.Remove fails even for
	// root, who ignores permission bits.
	dir := t.TempDir()
	name := "daily_backup_20200101_020000.zip"
	if err := os.MkdirAll(filepath.Join(dir, name, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	deleted, err := Delete(dir, []Decision{{Backup: Backup{Name: name}, Remove: true}})
	if len(deleted) != 0 || err == nil || !strings.Contains(err.Error(), "cannot delete the old backup "+name) {
		t.Errorf("Delete = %q, %v; want an error naming the file", deleted, err)
	}
}

func TestScanMissingDir(t *testing.T) {
	_, err := Scan(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, ErrNoBackupDir) || !strings.Contains(err.Error(), "backup_dir") {
		t.Errorf("Scan of a missing folder: %v; want ErrNoBackupDir naming backup_dir", err)
	}
}

// TestScanRemembersCompleteBackups checks that a complete backup is read
// once, and read again when it changes; incomplete files are read each time.
func TestScanRemembersCompleteBackups(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.Local)
	good := filepath.Join(dir, stamped(t, backupname.Daily, at))
	partial := filepath.Join(dir, stamped(t, backupname.Daily, at.Add(-24*time.Hour)))
	writeZip(t, good, complete(at))
	writeZip(t, partial, map[string]string{"database_dump.json": "{}"})

	read := map[string]int{}
	inspectFile = func(path string) (bool, time.Time) {
		read[filepath.Base(path)]++
		return inspect(path)
	}
	t.Cleanup(func() { inspectFile = inspect })
	scan := func() map[string]bool {
		t.Helper()
		bs, err := Scan(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, b := range bs {
			out[b.Name] = b.Complete
		}
		return out
	}
	g, p := filepath.Base(good), filepath.Base(partial)

	for range 3 {
		if got := scan(); !got[g] || got[p] {
			t.Fatalf("complete: %v, want %s only", got, g)
		}
	}
	if read[g] != 1 || read[p] != 3 {
		t.Fatalf("three scans read the complete backup %d times and the incomplete one %d times, want 1 and 3", read[g], read[p])
	}

	// Damaged in place, with a new modification time: read again.
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(good, later, later); err != nil {
		t.Fatal(err)
	}
	if got := scan(); got[g] {
		t.Fatalf("a backup cut in half after it was listed is still complete: %v", got)
	}

	// Completed later under the same name: complete.
	writeZip(t, partial, complete(at.Add(-24*time.Hour)))
	if got := scan(); !got[p] {
		t.Fatalf("a backup completed later is still incomplete: %v", got)
	}

	// Deleted: forgotten.
	if err := os.Remove(partial); err != nil {
		t.Fatal(err)
	}
	scan()
	known.Lock()
	_, kept := known.files[partial]
	known.Unlock()
	if kept {
		t.Fatal("a deleted backup is still remembered")
	}
}

// TestRemember checks that a backup the process has just written is listed
// without being read, with the creation time it was given, and is read
// again once it changes.
func TestRemember(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 6, 2, 2, 0, 0, 0, time.Local)
	custom := filepath.Join(dir, "before-the-update.zip")
	writeZip(t, custom, complete(at))
	read := 0
	inspectFile = func(path string) (bool, time.Time) {
		read++
		return inspect(path)
	}
	t.Cleanup(func() { inspectFile = inspect })

	made := at.Add(time.Hour) // differs from the manifest's, to tell them apart
	if err := Remember(custom, made); err != nil {
		t.Fatal(err)
	}
	bs, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || !bs[0].Complete || !bs[0].Created.Equal(made) || read != 0 {
		t.Fatalf("after Remember: %+v, read %d times; want complete, created %v, not read", bs, read, made)
	}

	// Replaced by a damaged file: read, and no longer complete.
	if err := os.WriteFile(custom, []byte("PK not a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	if bs, err = Scan(dir); err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Complete || read != 1 {
		t.Fatalf("after the file changed: %+v, read %d times; want incomplete, read once", bs, read)
	}

	if err := Remember(filepath.Join(dir, "missing.zip"), made); err == nil {
		t.Error("Remember of a missing file succeeded")
	}
	if err := Remember(dir, made); err == nil {
		t.Error("Remember of a folder succeeded")
	}
}
