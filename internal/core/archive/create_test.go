package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"go.uber.org/goleak"
)

// unzipTest runs Info-ZIP's "unzip -t", the standard tool's own check.
func unzipTest(tb testing.TB, path string) {
	tb.Helper()
	out, err := exec.Command("unzip", "-t", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No errors detected") {
		tb.Fatalf("unzip -t %s failed: %v\n%s", path, err, out)
	}
}

// treeState describes every file and folder under root (symbolic links
// excluded): type, permissions, modification second and content hash.
func treeState(tb testing.TB, root string) map[string]string {
	tb.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return nil
		case info.IsDir():
			state[filepath.ToSlash(rel)] = fmt.Sprintf("dir %v %d", info.Mode().Perm(), info.ModTime().Unix())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			state[filepath.ToSlash(rel)] = fmt.Sprintf("file %v %d %d %x", info.Mode().Perm(), info.ModTime().Unix(), len(data), sum)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return state
}

func readEntry(tb testing.TB, f *zip.File) []byte {
	tb.Helper()
	rc, err := f.Open()
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestCreateVerifyExtract(t *testing.T) {
	db, name := newDB(t)
	media := newMedia(t)
	dir := filepath.Join(t.TempDir(), "backups", "new") // created by Create
	o := options(db, name, media, dir)
	var logs []string
	o.Log = func(s string) { logs = append(logs, s) }
	var phases []string
	o.Progress = func(e progress.Event) {
		if len(phases) == 0 || phases[len(phases)-1] != e.Phase {
			phases = append(phases, e.Phase)
		}
	}
	res, err := Create(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, o.FileName); res.Path != want {
		t.Errorf("Path = %s, want %s", res.Path, want)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{o.FileName}) {
		t.Errorf("backup folder holds %q, want only the backup", got)
	}
	info, err := os.Stat(res.Path)
	must(t, err)
	if info.Size() != res.Size {
		t.Errorf("Size = %d, file has %d bytes", res.Size, info.Size())
	}
	if !slices.Contains(phases, "Copying media files") {
		t.Errorf("progress phases %q lack media copying", phases)
	}

	// The standard tool accepts it.
	unzipTest(t, res.Path)

	// Layout: dump first, manifest last, right compression per type.
	zr, err := zip.OpenReader(res.Path)
	must(t, err)
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	if first, last := zr.File[0].Name, zr.File[len(zr.File)-1].Name; first != DumpEntry || last != ManifestEntry {
		t.Errorf("entries run from %q to %q, want %s first and %s last", first, last, DumpEntry, ManifestEntry)
	}
	for entry, method := range map[string]uint16{
		"media/products/2024/widget.jpg": zip.Store, "media/logos/logo.PNG": zip.Store,
		"media/docs/readme.txt": zip.Deflate, "media/docs/prices.csv": zip.Deflate,
		DumpEntry: zip.Deflate,
	} {
		f := files[entry]
		if f == nil {
			t.Errorf("entry %s missing", entry)
			continue
		}
		if f.Method != method {
			t.Errorf("%s has method %d, want %d", entry, f.Method, method)
		}
		if strings.HasPrefix(entry, "media/docs/") && f.CompressedSize64*4 > f.UncompressedSize64 {
			t.Errorf("%s deflated to %d of %d bytes: not compressed", entry, f.CompressedSize64, f.UncompressedSize64)
		}
	}
	for _, d := range []string{"media/", "media/empty/", "media/nested/deeper/empty2/"} {
		if f := files[d]; f == nil || !f.Mode().IsDir() {
			t.Errorf("folder entry %s missing", d)
		}
	}
	if _, ok := files["media/link.jpg"]; ok {
		t.Error("the symbolic link was archived")
	}

	// Skipped link reported everywhere.
	for what, list := range map[string][]string{"Result.Skipped": res.Skipped, "Manifest.Skipped": res.Manifest.Skipped} {
		if !slices.Equal(list, []string{"media/link.jpg"}) {
			t.Errorf("%s = %q, want [media/link.jpg]", what, list)
		}
	}
	if !slices.ContainsFunc(logs, func(s string) bool {
		return strings.Contains(s, "media/link.jpg") && strings.Contains(s, "symbolic link")
	}) {
		t.Errorf("log %q does not mention the skipped link", logs)
	}

	// The manifest: counts and hashes match the sources.
	m := res.Manifest
	if m.FormatVersion != FormatVersion || m.AppVersion != "test-1.2.3" || m.Kind != "daily" ||
		!m.CreatedUTC.Equal(testNow) || m.CreatedUTC.Location() != time.UTC || m.LocalOffset != "+02:00" {
		t.Errorf("manifest header = %+v", m)
	}
	if !m.Created().Equal(testNow) {
		t.Errorf("Created() = %v, want %v", m.Created(), testNow)
	}
	if m.Database.Name != name || m.Database.ServerVersion == "" || m.Database.Engine != "mysql" {
		t.Errorf("manifest database = %+v", m.Database)
	}
	for _, table := range []string{"products", "categories", "empty_table", "legacy_log"} {
		if got, want := m.Tables[table], countRows(t, db, table); got != want {
			t.Errorf("manifest rows of %s = %d, server has %d", table, got, want)
		}
	}
	if len(m.Tables) != 4 {
		t.Errorf("manifest tables = %v, want 4", m.Tables)
	}
	if !slices.Contains(m.NonTransactionalTables, "legacy_log") {
		t.Errorf("non-transactional tables = %q, want legacy_log", m.NonTransactionalTables)
	}
	src := treeState(t, media)
	var wantFiles int
	var wantBytes int64
	for rel, st := range src {
		if !strings.HasPrefix(st, "file") {
			continue
		}
		wantFiles++
		data, err := os.ReadFile(filepath.Join(media, filepath.FromSlash(rel)))
		must(t, err)
		wantBytes += int64(len(data))
		sum := sha256.Sum256(data)
		var e *Entry
		for i := range m.Entries {
			if m.Entries[i].Name == "media/"+rel {
				e = &m.Entries[i]
			}
		}
		if e == nil || e.Size != int64(len(data)) || e.SHA256 != sum {
			t.Errorf("manifest entry of media/%s = %+v, want size %d sha256 %x", rel, e, len(data), sum)
		}
	}
	if m.Media.Files != wantFiles || m.Media.Bytes != wantBytes || m.Media.EmptyDirs != 2 {
		t.Errorf("manifest media = %+v, want %d files, %d bytes, 2 empty folders", m.Media, wantFiles, wantBytes)
	}
	// Every file entry but the manifest is listed with its real hash.
	for _, f := range zr.File {
		if f.Mode().IsDir() || f.Name == ManifestEntry {
			continue
		}
		sum := sha256.Sum256(readEntry(t, f))
		i := slices.IndexFunc(m.Entries, func(e Entry) bool { return e.Name == f.Name })
		if i < 0 || m.Entries[i].SHA256 != sum {
			t.Errorf("entry %s is not listed with its SHA-256", f.Name)
		}
	}
	if len(m.Entries) != wantFiles+2 {
		t.Errorf("manifest lists %d entries, want %d media files + dump + config", len(m.Entries), wantFiles)
	}

	// config.json: the settings, no secret.
	cfg := readEntry(t, files[ConfigEntry])
	if strings.Contains(string(cfg), testPassword) {
		t.Errorf("config.json contains the database password:\n%s", cfg)
	}
	cs, err := settings.Parse(cfg)
	if err != nil {
		t.Fatalf("config.json is not valid settings: %v\n%s", err, cfg)
	}
	if cs.MediaDir != media || cs.BackupDir != dir || cs.Database.Password != "" {
		t.Errorf("config.json = %+v", cs)
	}

	// The manifest on disk is the one returned; ReadManifest reads it.
	rm, err := ReadManifest(res.Path)
	must(t, err)
	a, _ := json.Marshal(rm)
	b, _ := json.Marshal(res.Manifest)
	if string(a) != string(b) {
		t.Errorf("ReadManifest differs from Result.Manifest:\n%s\n%s", a, b)
	}

	// Verify passes and agrees.
	var lastDone, total int64
	rep, err := Verify(context.Background(), res.Path, func(e progress.Event) { lastDone, total = e.Done, e.Total })
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Size != res.Size || rep.Dump == nil || len(rep.Dump.Tables) != 4 {
		t.Errorf("Verify report = %+v", rep)
	}
	if lastDone == 0 || lastDone != total {
		t.Errorf("Verify progress ended at %d of %d bytes", lastDone, total)
	}

	// ExtractMedia gives back the same tree.
	r, err := Open(res.Path)
	must(t, err)
	defer r.Close()
	dest := filepath.Join(t.TempDir(), "restored")
	must(t, r.ExtractMedia(context.Background(), dest, nil))
	got := treeState(t, dest)
	for k, v := range src {
		if got[k] != v {
			t.Errorf("restored %s = %q, want %q", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := src[k]; !ok {
			t.Errorf("restored extra %s = %q", k, v)
		}
	}

	// The dump reads back through the checked reader.
	rc, err := r.OpenDump()
	must(t, err)
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || int64(len(data)) != m.Entries[0].Size {
		t.Errorf("OpenDump read %d bytes, %v; want %d", len(data), err, m.Entries[0].Size)
	}
}

func TestCreateExists(t *testing.T) {
	db, name := newDB(t)
	dir := t.TempDir()
	o := options(db, name, newMedia(t), dir)
	o.FileName = "before price update.zip"
	old := filepath.Join(dir, o.FileName)
	must(t, os.WriteFile(old, []byte("old content"), 0o644))

	_, err := Create(context.Background(), o)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), old) || !strings.Contains(err.Error(), "choose another name") {
		t.Fatalf("Create over an existing file: %v, want ErrExists naming %s", err, old)
	}
	if data, _ := os.ReadFile(old); string(data) != "old content" {
		t.Errorf("the existing file was changed: %q", data)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{o.FileName}) {
		t.Errorf("folder holds %q after refusal", got)
	}

	o.Overwrite = true
	res, err := Create(context.Background(), o)
	if err != nil {
		t.Fatalf("Create with Overwrite: %v", err)
	}
	if _, err := Verify(context.Background(), res.Path, nil); err != nil {
		t.Errorf("the overwritten backup does not verify: %v", err)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	db, name := newDB(t)
	media := newMedia(t)
	tests := []struct {
		name string
		edit func(o *CreateOptions)
		want string
	}{
		{"media folder missing", func(o *CreateOptions) { o.MediaDir = filepath.Join(o.MediaDir, "nope") }, "does not exist"},
		{"media folder is a file", func(o *CreateOptions) { o.MediaDir = filepath.Join(o.MediaDir, ".hidden") }, "is not a folder"},
		{"no media folder", func(o *CreateOptions) { o.MediaDir = "" }, "media_dir"},
		{"backup folder inside media", func(o *CreateOptions) { o.Dir = filepath.Join(o.MediaDir, "backups") }, "inside the media folder"},
		{"path as file name", func(o *CreateOptions) { o.FileName = "../x.zip" }, "not a valid backup file name"},
		{"hidden file name", func(o *CreateOptions) { o.FileName = ".x.zip" }, "not a valid backup file name"},
		{"no database", func(o *CreateOptions) { o.DB = nil }, "database connection"},
		{"no backup folder", func(o *CreateOptions) { o.Dir = "" }, "backup_dir"},
		{"database missing", func(o *CreateOptions) { o.Database = "no_such_database_here" }, "cannot save the database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := options(db, name, media, dir)
			tc.edit(&o)
			_, err := Create(context.Background(), o)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Create: %v, want an error containing %q", err, tc.want)
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("backup folder holds %q after the error", got)
			}
		})
	}
}

func TestCreateCancel(t *testing.T) {
	db, name := newDB(t)
	media := newMedia(t)
	tests := []struct {
		name     string
		cancelAt string // phase whose first event cancels; "" cancels before the start
	}{
		{"before start", ""},
		{"at first progress", "*"},
		{"while copying media", "Copying media files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Pooled connections keep a watcher goroutine: not a leak.
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
				goleak.IgnoreTopFunction("github.com/go-sql-driver/mysql.(*mysqlConn).startWatcher.func1"))
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := options(db, name, media, dir)
			if tc.cancelAt == "" {
				cancel()
			}
			o.Progress = func(e progress.Event) {
				if tc.cancelAt == "*" || e.Phase == tc.cancelAt {
					cancel()
				}
			}
			res, err := Create(ctx, o)
			t.Log(err)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
				t.Fatalf("Create = %+v, %v; want a cancellation error", res, err)
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("backup folder holds %q after cancellation", got)
			}
		})
	}
}

// TestCreateKilled kills a process in the middle of a backup: what it
// leaves must not look like a finished backup, and CleanupPartials removes
// it.
func TestCreateKilled(t *testing.T) {
	_, name := newDB(t)
	media := newMedia(t)
	dir := t.TempDir()
	marker := filepath.Join(t.TempDir(), "copying")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "BD_TEST_DSN="+server(t).DSN(name), "BD_TEST_DB="+name,
		"BD_TEST_MEDIA="+media, "BD_TEST_DIR="+dir, "BD_TEST_MARKER="+marker)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	defer cmd.Process.Kill()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child process never reached the media files; its output:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	must(t, cmd.Process.Kill())
	cmd.Wait()

	left := listDir(t, dir)
	if len(left) != 1 {
		t.Fatalf("after the kill the backup folder holds %q, want one unfinished file", left)
	}
	if _, ok := backupname.Parse(left[0]); ok || !IsPartial(left[0]) || !strings.HasPrefix(left[0], ".") {
		t.Errorf("the unfinished file %q looks like a backup (or is not recognised as unfinished)", left[0])
	}
	if _, err := Verify(context.Background(), filepath.Join(dir, left[0]), nil); err == nil {
		t.Error("the unfinished file verifies as a backup")
	}
	removed, err := CleanupPartials(dir)
	must(t, err)
	if !slices.Equal(removed, left) {
		t.Errorf("CleanupPartials removed %q, want %q", removed, left)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("after CleanupPartials the folder holds %q", got)
	}
}

// TestCreateDiskFull fills a real 2 MiB file system.
func TestCreateDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a small tmpfs to fill a real disk needs root; run the tests as root to cover the disk-full path")
	}
	mnt := filepath.Join(t.TempDir(), "small-disk")
	must(t, os.Mkdir(mnt, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("skipped: cannot mount a 2 MiB tmpfs at %s (%v: %s); this environment does not allow mounting", mnt, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	db, name := newDB(t)
	media := newMedia(t)
	writeFile(t, media, "big/photo.jpg", randomBytes(t, 3<<20)) // stored: 3 MiB on disk
	o := options(db, name, media, mnt)
	_, err := Create(context.Background(), o)
	t.Log(err)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Create on a full disk: %v, want ErrDiskFull", err)
	}
	for _, want := range []string{"full", mnt, "free up space"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := listDir(t, mnt); len(got) != 0 {
		t.Errorf("the full disk holds %q after the error, want nothing", got)
	}
}

func TestIsPartial(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{partialName("backup_20260101_020000.zip"), true},
		{".my backup.zip.partial-42", true},
		{"backup_20260101_020000.zip", false},
		{".backup.zip.partial-", false},
		{".backup.zip.partial-12a", false},
		{"backup.zip.partial-12", false},
		{".partial-12", false},
		{".settings.json.tmp-123", false},
	}
	for _, tc := range tests {
		if got := IsPartial(tc.name); got != tc.want {
			t.Errorf("IsPartial(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCleanupPartials(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".daily_backup_20260101_020000.zip.partial-999999", ".x.zip.partial-1", "backup_20260101_020000.zip", "notes.txt"} {
		must(t, os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644))
	}
	must(t, os.Mkdir(filepath.Join(dir, ".dir.zip.partial-5"), 0o755)) // not a file: kept
	busy := filepath.Join(dir, ".busy.zip.partial-7")
	must(t, os.WriteFile(busy, []byte("x"), 0o644))
	writing.Store(absPath(busy), true) // as if this process were writing it
	defer writing.Delete(absPath(busy))

	removed, err := CleanupPartials(dir)
	must(t, err)
	want := []string{".daily_backup_20260101_020000.zip.partial-999999", ".x.zip.partial-1"}
	if !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{".busy.zip.partial-7", ".dir.zip.partial-5", "backup_20260101_020000.zip", "notes.txt"}) {
		t.Errorf("left %q", got)
	}
	if removed, err := CleanupPartials(filepath.Join(dir, "missing")); err != nil || removed != nil {
		t.Errorf("CleanupPartials(missing) = %q, %v", removed, err)
	}
}

// TestCreateManySmallFiles backs up a media folder of many small files,
// some compressed ahead and some stored, with a few that span several read
// chunks, with four processors: every file must arrive whole, in the scan's
// order, with its SHA-256, and the backup must not stall while the read-ahead
// and the compressors wait for each other.
func TestCreateManySmallFiles(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	db, name := newDB(t)
	root := filepath.Join(t.TempDir(), "media")
	for i := range 600 {
		switch {
		case i%97 == 0:
			writeFile(t, root, fmt.Sprintf("big/%03d.jpg", i), randomBytes(t, 3*mediaChunkSize+i))
		case i%89 == 0:
			writeFile(t, root, fmt.Sprintf("big/%03d.txt", i), bytes.Repeat([]byte(fmt.Sprintf("line %d\n", i)), 150_000))
		case i%3 == 0:
			writeFile(t, root, fmt.Sprintf("img/%03d.jpg", i), randomBytes(t, 1000+i*37))
		default:
			writeFile(t, root, fmt.Sprintf("txt/%03d.csv", i), bytes.Repeat([]byte(fmt.Sprintf("%d,item,%d\n", i, i*7)), 50+i))
		}
	}
	o := options(db, name, root, t.TempDir())
	type result struct {
		res *Result
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		res, err := Create(ctx, o)
		done <- result{res, err}
	}()
	var res *Result
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		res = r.res
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("the backup of 600 small files did not finish within 2 minutes: the read-ahead stalled")
	}
	unzipTest(t, res.Path)
	if _, err := Verify(context.Background(), res.Path, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	zr, err := zip.OpenReader(res.Path)
	must(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, "media/")
		if !ok || strings.HasSuffix(f.Name, "/") {
			continue
		}
		names = append(names, rel)
		want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		must(t, err)
		if got := readEntry(t, f); !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes in the archive differ from the file's %d", f.Name, len(got), len(want))
		}
	}
	if len(names) != 600 || !slices.IsSorted(names) {
		t.Errorf("the archive holds %d media files (want 600), sorted: %v", len(names), slices.IsSorted(names))
	}
}
