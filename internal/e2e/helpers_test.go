// Package e2e runs the real backup-desktop binary against a real MariaDB
// server, the way cron, a shell or a user runs it: exit codes, messages, and
// faults (SIGKILL, the server stopped, a full disk, damaged archives).
package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

var (
	srv *mariadbtest.Server
	bin string // the built backup-desktop binary
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "bd-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "backup-desktop")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/backup-desktop")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building backup-desktop: %v\n%s", err, out)
		return 1
	}
	srv, err = mariadbtest.Start(mariadbtest.Options{TimeZone: "Europe/Berlin", MaxAllowedPacket: 16 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Stop()
	return m.Run()
}

// setup is one user's installation: a database, a media folder, a backup
// folder and a settings file, all fresh.
type setup struct {
	t        *testing.T
	dir      string
	db       string
	media    string
	backups  string
	config   string
	settings settings.Settings
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	db, err := srv.CreateDatabase("e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Exec("", "DROP DATABASE IF EXISTS `"+db+"`; DROP DATABASE IF EXISTS `"+db+"__bd_new`; DROP DATABASE IF EXISTS `"+db+"__bd_old`")
	})
	dir := t.TempDir()
	s := &setup{t: t, dir: dir, db: db, media: filepath.Join(dir, "media"), backups: filepath.Join(dir, "backups"),
		config: filepath.Join(dir, "config", "settings.json")}
	s.settings = settings.Default()
	s.settings.Database = settings.Database{Engine: "mysql", Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Name: db}
	s.settings.MediaDir = s.media
	s.settings.BackupDir = s.backups
	if err := settings.Save(s.config, s.settings); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(s.media, 0o755); err != nil {
		t.Fatal(err)
	}
	return s
}

// result of one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func (s *setup) command(args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--config", s.config}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=Europe/Berlin")
	return cmd
}

// run runs the binary to its end.
func (s *setup) run(args ...string) result {
	s.t.Helper()
	cmd := s.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("running %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

// mustRun runs the binary and fails the test unless it exits 0.
func (s *setup) mustRun(args ...string) result {
	s.t.Helper()
	r := s.run(args...)
	if r.code != 0 {
		s.t.Fatalf("%v: %s", args, r)
	}
	return r
}

// exec runs SQL in the setup's database.
func (s *setup) exec(query string) {
	s.t.Helper()
	if err := srv.Exec(s.db, query); err != nil {
		s.t.Fatalf("%v\n%s", err, query)
	}
}

var backupPath = regexp.MustCompile(`Backup saved: (.+\.zip) \(`)

// backup makes a backup with the CLI and returns its path.
func (s *setup) backup(args ...string) string {
	s.t.Helper()
	r := s.mustRun(append([]string{"create-backup"}, args...)...)
	m := backupPath.FindStringSubmatch(r.stdout)
	if m == nil {
		s.t.Fatalf("no backup path in output: %s", r)
	}
	return m[1]
}

// mysqldump returns the database's full dump text, with its name replaced
// so that two databases can be compared.
func mysqldump(t *testing.T, db string) string {
	t.Helper()
	args := append(srv.ClientArgs(), "--skip-dump-date", "--routines", "--events", "--triggers",
		"--hex-blob", "--skip-comments", "--single-transaction", "--tz-utc", "--databases", db)
	out, err := exec.Command("mysqldump", args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("mysqldump %s: %v\n%s", db, err, stderr)
	}
	return strings.ReplaceAll(string(out), db, "<DB>")
}

// tree describes a folder: every file's content hash, every folder (so
// empty ones count), every link.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link:" + target
		case d.IsDir():
			out[rel+"/"] = "dir"
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			out[rel] = hex.EncodeToString(sum[:])
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, want, got map[string]string) {
	t.Helper()
	var diffs []string
	for k, v := range want {
		if got[k] != v {
			diffs = append(diffs, fmt.Sprintf("%s: want %s, got %q", k, v, got[k]))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+": unexpected")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Fatalf("media trees differ:\n%s", strings.Join(diffs, "\n"))
	}
}

// writeMedia makes a small media tree with nested and empty folders.
func (s *setup) writeMedia(files map[string]string) {
	s.t.Helper()
	for name, content := range files {
		p := filepath.Join(s.media, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				s.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			s.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// backupFiles lists the files in the backup folder (hidden ones too).
func (s *setup) backupFiles() []string {
	s.t.Helper()
	entries, err := os.ReadDir(s.backups)
	if err != nil && !os.IsNotExist(err) {
		s.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

var execCommand = exec.Command

var _ = context.Background
