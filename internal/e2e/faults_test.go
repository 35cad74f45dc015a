package e2e

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/restore"
)

// bigTable fills the setup's database with enough rows that a backup or a
// restore takes a few seconds, long enough to interrupt it.
func (s *setup) bigTable(rows int) {
	s.t.Helper()
	s.exec(`CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(400), note TEXT);
		INSERT INTO big SELECT seq, REPEAT(MD5(seq), 10), CONCAT('row ', seq) FROM seq_1_to_` + strconv.Itoa(rows) + `;`)
}

// finished lists the backup folder's files that look like finished backups.
func (s *setup) finished() []string {
	var out []string
	for _, n := range s.backupFiles() {
		if strings.HasSuffix(n, ".zip") && !strings.HasPrefix(n, ".") {
			out = append(out, n)
		}
	}
	return out
}

func (s *setup) hasPartial() bool {
	for _, n := range s.backupFiles() {
		if strings.HasPrefix(n, ".") {
			return true
		}
	}
	return false
}

func TestKillMidBackup(t *testing.T) {
	s := newSetup(t)
	s.bigTable(400000)
	cmd := s.command("create-backup")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the backup to start writing", 60*time.Second, s.hasPartial)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if f := s.finished(); len(f) > 0 {
		t.Fatalf("a killed backup left files that look finished: %v", f)
	}
	r := s.mustRun("list")
	if !strings.Contains(r.stdout, "No backups") {
		t.Errorf("list shows the killed backup:\n%s", r.stdout)
	}
	file := s.backup()
	s.mustRun("verify", file)
	if s.hasPartial() {
		t.Errorf("the next backup did not clean up the killed one's file: %v", s.backupFiles())
	}
}

func TestServerStoppedMidDump(t *testing.T) {
	if srv.External() {
		t.Skip("uses an existing server (BACKUP_DESKTOP_TEST_MYSQL), which this test must not stop")
	}
	s := newSetup(t)
	s.bigTable(400000)
	cmd := s.command("create-backup")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the backup to start writing", 60*time.Second, s.hasPartial)
	srv.Kill()
	err := cmd.Wait()
	if rerr := srv.Restart(); rerr != nil {
		t.Fatal(rerr)
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("backup with the server gone: %v, want exit 1; stderr:\n%s", err, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "server") {
		t.Errorf("error does not say the server went away:\n%s", msg)
	}
	if f := s.backupFiles(); len(f) > 0 {
		t.Errorf("failed backup left files: %v", f)
	}
}

func TestDiskFull(t *testing.T) {
	s := newSetup(t)
	s.bigTable(100000)
	if err := os.MkdirAll(s.backups, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", s.backups).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	defer exec.Command("umount", s.backups).Run()
	r := s.run("create-backup")
	if r.code != 1 || !strings.Contains(r.stderr, "full") {
		t.Fatalf("backup onto a full disk: %s", r)
	}
	if f := s.backupFiles(); len(f) > 0 {
		t.Errorf("failed backup left files on the full disk: %v", f)
	}
}

// restoreScenario: the database and media hold state A; the backup holds
// state B. It returns the backup and A's dump and media tree.
func restoreScenario(t *testing.T, s *setup, rows int) (file, dumpA string, mediaA map[string]string) {
	t.Helper()
	s.exec(inventorySchema)
	s.bigTable(rows)
	s.writeMedia(map[string]string{"b/only-in-backup.txt": "B", "shared.txt": "B version", "b/empty/": ""})
	file = s.backup()
	// State A: different rows, objects and media.
	s.exec(`DELETE FROM big WHERE id % 3 = 0; UPDATE category SET name = CONCAT(name, ' (A)');
		DROP VIEW product_names; CREATE VIEW only_in_a AS SELECT 1 AS one;
		CREATE TABLE only_in_a_table (x INT); INSERT INTO only_in_a_table VALUES (1), (2);`)
	os.RemoveAll(filepath.Join(s.media, "b"))
	s.writeMedia(map[string]string{"a/only-in-a.jpg": "A", "shared.txt": "A version", "a/empty-a/": ""})
	return file, mysqldump(t, s.db), tree(t, s.media)
}

func (s *setup) assertState(dumpWant string, mediaWant map[string]string) {
	s.t.Helper()
	if got := mysqldump(s.t, s.db); got != dumpWant {
		s.t.Fatalf("database differs:\n%s", diff(dumpWant, got))
	}
	sameTree(s.t, mediaWant, tree(s.t, s.media))
}

func (s *setup) assertNoLeftovers() {
	s.t.Helper()
	for _, n := range []string{restore.StageName(s.db), restore.OldName(s.db)} {
		if databaseExists(s.t, n) {
			s.t.Errorf("leftover database %s", n)
		}
	}
	for _, p := range []string{filepath.Join(s.dir, ".media.bd-new"), filepath.Join(s.dir, ".media.bd-old"),
		filepath.Join(filepath.Dir(s.config), restore.JournalFile)} {
		if _, err := os.Stat(p); err == nil {
			s.t.Errorf("leftover %s", p)
		}
	}
}

func TestKillMidRestoreAtEveryStep(t *testing.T) {
	s := newSetup(t)
	file, dumpA, mediaA := restoreScenario(t, s, 2000)
	// What the backup holds, to compare with after a completed restore.
	stateA := s.backup("--name", "state A")
	s.mustRun("restore", file, "--yes", "--no-safety-backup")
	dumpB, mediaB := mysqldump(t, s.db), tree(t, s.media)
	s.mustRun("restore", stateA, "--yes", "--no-safety-backup")
	s.assertState(dumpA, mediaA)

	for _, step := range restore.CrashSteps {
		t.Run(step, func(t *testing.T) {
			cmd := s.command("restore", file, "--yes", "--no-safety-backup")
			cmd.Env = append(cmd.Env, restore.EnvCrashAt+"="+step)
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("restore was not killed at %s: %v", step, err)
			}
			if step == "staged" {
				// Nothing live was touched yet, even before any repair.
				s.assertState(dumpA, mediaA)
			}
			r := s.mustRun("status")
			if !strings.Contains(r.stdout, "interrupted restore") {
				t.Errorf("status does not mention the interrupted restore:\n%s", r.stdout)
			}
			// The next backup or restore puts things right first.
			s.mustRun("create-backup", "--name", "after "+step)
			s.assertNoLeftovers()
			if step == "committed" {
				s.assertState(dumpB, mediaB)
				s.mustRun("restore", stateA, "--yes", "--no-safety-backup")
			}
			s.assertState(dumpA, mediaA)
		})
	}
}

func TestKillMidRestoreWhileLoading(t *testing.T) {
	s := newSetup(t)
	file, dumpA, mediaA := restoreScenario(t, s, 300000)
	cmd := s.command("restore", file, "--yes", "--no-safety-backup")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(filepath.Dir(s.config), restore.JournalFile)
	waitFor(t, "the restore to start loading", 60*time.Second, func() bool {
		_, err := os.Stat(journal)
		return err == nil && databaseExists(t, restore.StageName(s.db))
	})
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s.assertState(dumpA, mediaA)
	s.mustRun("create-backup")
	s.assertNoLeftovers()
	s.assertState(dumpA, mediaA)
}

func TestServerStoppedMidRestore(t *testing.T) {
	if srv.External() {
		t.Skip("uses an existing server (BACKUP_DESKTOP_TEST_MYSQL), which this test must not stop")
	}
	s := newSetup(t)
	file, dumpA, mediaA := restoreScenario(t, s, 300000)
	cmd := s.command("restore", file, "--yes", "--no-safety-backup")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(filepath.Dir(s.config), restore.JournalFile)
	waitFor(t, "the restore to start loading", 60*time.Second, func() bool {
		_, err := os.Stat(journal)
		return err == nil && databaseExists(t, restore.StageName(s.db))
	})
	time.Sleep(300 * time.Millisecond)
	srv.Kill()
	err := cmd.Wait()
	if rerr := srv.Restart(); rerr != nil {
		t.Fatal(rerr)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("restore with the server gone: %v, want exit 1; stderr:\n%s", err, stderr.String())
	}
	s.assertState(dumpA, mediaA)
	s.mustRun("create-backup")
	s.assertNoLeftovers()
	s.assertState(dumpA, mediaA)
}

// damaged makes broken variants of a good backup.
func damaged(t *testing.T, good string, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	write := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	// A flipped byte inside the dump entry's data.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "database_dump.json" {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			flipped := bytes.Clone(data)
			flipped[off+int64(f.CompressedSize64)/2] ^= 0x55
			write("flipped.zip", flipped)
		}
	}
	write("truncated.zip", data[:len(data)*2/3])
	write("not-a-zip.zip", []byte("these are my shopping notes, not a backup\n"))
	write("no-dump.zip", rezip(t, zr, func(name string) bool { return name != "database_dump.json" }, nil, nil))
	write("zip-slip.zip", rezip(t, zr, nil, map[string]string{"media/../../evil.txt": "gotcha"}, nil))
	write("newer-version.zip", rezip(t, zr, nil, nil, func(manifest []byte) []byte {
		return bytes.Replace(manifest, []byte(`"format_version": 1`), []byte(`"format_version": 99`), 1)
	}))
	return out
}

// rezip copies a ZIP, keeping entries for which keep is true, adding extra
// files (listed in the manifest so only their names are wrong), and passing
// the manifest through edit.
func rezip(t *testing.T, zr *zip.Reader, keep func(string) bool, extra map[string]string, edit func([]byte) []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if keep != nil && !keep(f.Name) {
			continue
		}
		if f.Name == "manifest.json" {
			rc, _ := f.Open()
			m, _ := io.ReadAll(rc)
			rc.Close()
			if edit != nil {
				m = edit(m)
			}
			if bytes.Equal(m, nil) {
				t.Fatal("empty manifest")
			}
			for name, content := range extra {
				w, _ := zw.Create(name)
				w.Write([]byte(content))
			}
			w, _ := zw.Create("manifest.json")
			w.Write(m)
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRestoreRefusesDamagedArchives(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	s.writeMedia(map[string]string{"a.txt": "media"})
	good := s.backup()
	before, media := mysqldump(t, s.db), tree(t, s.media)
	want := map[string]string{
		"flipped.zip":       "database_dump.json",
		"truncated.zip":     "cut off",
		"not-a-zip.zip":     "not a ZIP",
		"no-dump.zip":       "database_dump.json",
		"zip-slip.zip":      "evil.txt",
		"newer-version.zip": "newer",
	}
	for name, path := range damaged(t, good, t.TempDir()) {
		t.Run(name, func(t *testing.T) {
			r := s.run("restore", path, "--yes")
			if r.code != 2 {
				t.Errorf("restore of %s: want exit 2, got %s", name, r)
			}
			if !strings.Contains(r.stderr, want[name]) {
				t.Errorf("restore of %s: message lacks %q:\n%s", name, want[name], r.stderr)
			}
			v := s.run("verify", path)
			if v.code == 0 {
				t.Errorf("verify accepted %s", name)
			}
			s.assertState(before, media)
			for _, n := range s.backupFiles() {
				if strings.HasPrefix(n, "pre_restore_") {
					t.Fatalf("a refused restore made a safety backup %s", n)
				}
			}
		})
	}
}

func TestOneAtATime(t *testing.T) {
	s := newSetup(t)
	s.bigTable(400000)
	good := s.backup("--name", "good")
	cmd := s.command("create-backup")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	waitFor(t, "the first backup to start writing", 60*time.Second, s.hasPartial)
	for _, args := range [][]string{{"create-backup"}, {"restore", good, "--yes"}} {
		r := s.run(args...)
		if r.code != 75 {
			t.Errorf("%v while a backup runs: want exit 75, got %s", args, r)
		}
		if !strings.Contains(r.stderr, "another backup is running (process "+strconv.Itoa(cmd.Process.Pid)) {
			t.Errorf("%v: message does not name the holder:\n%s", args, r.stderr)
		}
	}
}

func TestBadUsage(t *testing.T) {
	s := newSetup(t)
	cases := []struct {
		name  string
		args  []string
		words string
	}{
		{"unknown flag", []string{"create-backup", "--hourly"}, "unknown flag"},
		{"bad name", []string{"create-backup", "--name", "shop/x"}, "'/'"},
		{"two kinds", []string{"create-backup", "--daily", "--weekly"}, "choose one"},
		{"restore without file", []string{"restore"}, "backup file"},
		{"restore without --yes", []string{"restore", "x.zip"}, "--yes"},
		{"missing settings", []string{"--config", filepath.Join(s.dir, "nope.json"), "list"}, "does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.run(c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.words) {
				t.Errorf("want exit 2 and %q, got %s", c.words, r)
			}
		})
	}
	bad := filepath.Join(s.dir, "bad.json")
	os.WriteFile(bad, []byte(`{"schedule": {"frequency": "hourly", "time": "25:00"}, "retention_days": 0}`), 0o600)
	r := s.run("--config", bad, "status")
	for _, want := range []string{`"schedule.frequency"`, `"hourly"`, `"schedule.time"`, `"25:00"`, "HH:MM", `"retention_days"`} {
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("invalid settings: want exit 2 and %s in the message, got %s", want, r)
		}
	}
}

// TestQuietUnderCLocale: with the C locale of containers and cron jobs a
// command prints its result and nothing else (no library start-up noise).
func TestQuietUnderCLocale(t *testing.T) {
	s := newSetup(t)
	cmd := s.command("list")
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANGUAGE=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("list: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("list wrote to standard error:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "No backups") {
		t.Errorf("list said: %s", stdout.String())
	}
}
