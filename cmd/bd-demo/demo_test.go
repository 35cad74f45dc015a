//go:build unix

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/go-sql-driver/mysql"
)

// envRunMain makes the test binary act as bd-demo, so that the tests run
// the real program in its own process and can see the server outlive it.
const envRunMain = "BD_DEMO_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// bdDemo runs bd-demo with args in a child process and returns its exit
// code and output.
func bdDemo(t *testing.T, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}

func readServerJSON(t *testing.T, dir string) serverInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "server.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s serverInfo
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// openAs connects the way Backup Desktop will: with the settings file's
// user, password, host and port.
func openAs(t *testing.T, s settings.Settings) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = s.Database.User, s.Database.Password
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(s.Database.Host, strconv.Itoa(s.Database.Port))
	cfg.DBName = s.Database.Name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUpStatusDown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".demo")
	t.Cleanup(func() {
		// Never leave a server behind, whatever failed.
		if b, err := os.ReadFile(filepath.Join(dir, "mysql", "mysqld.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && newDemo(dir).alive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
				time.Sleep(200 * time.Millisecond)
			}
		}
	})

	code, out := bdDemo(t, "up", "--dir", dir)
	if code != 0 {
		t.Fatalf("up: exit %d\n%s", code, out)
	}
	for _, want := range []string{"Started MariaDB", "Seeded \"inventory\"", "Made the media folder", "settings.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("up output lacks %q:\n%s", want, out)
		}
	}
	srv := readServerJSON(t, dir)
	d := newDemo(dir)
	if !d.alive(srv.PID) {
		t.Fatalf("the server (pid %d) is not running after `up` exited", srv.PID)
	}

	s, err := settings.Load(filepath.Join(dir, "settings.json"))
	if err != nil {
		t.Fatalf("settings.Load: %v", err)
	}
	want := settings.Settings{
		Database:      settings.Database{Engine: "mysql", Host: "127.0.0.1", Port: srv.Port, User: "ims", Password: s.Database.Password, Name: "inventory"},
		MediaDir:      filepath.Join(dir, "media"),
		BackupDir:     filepath.Join(dir, "backups"),
		Schedule:      settings.Schedule{Enabled: true, Frequency: "daily", Time: "02:00"},
		RetentionDays: 30,
	}
	if s != want || s.Database.Password == "" {
		t.Errorf("settings:\n got %+v\nwant %+v (with a password)", s, want)
	}
	if fi, err := os.Stat(s.BackupDir); err != nil || !fi.IsDir() {
		t.Errorf("backup folder: %v", err)
	}

	db := openAs(t, s)
	var products, movements int
	if err := db.QueryRow("SELECT (SELECT COUNT(*) FROM inventory_product), (SELECT COUNT(*) FROM inventory_stockmovement)").Scan(&products, &movements); err != nil {
		t.Fatalf("query as %s: %v", s.Database.User, err)
	}
	if products < 500 || movements < 5000 {
		t.Errorf("%d products and %d stock movements; want a seeded database of about 20,000 rows", products, movements)
	}
	// The user may create and drop the staging databases of a restore,
	// and nothing else.
	if _, err := db.Exec("CREATE DATABASE inventory__bd_test1"); err != nil {
		t.Errorf("create a staging database: %v", err)
	}
	if _, err := db.Exec("CREATE TABLE inventory__bd_test1.t (a int)"); err != nil {
		t.Errorf("create a table in a staging database: %v", err)
	}
	if _, err := db.Exec("DROP DATABASE inventory__bd_test1"); err != nil {
		t.Errorf("drop a staging database: %v", err)
	}
	if _, err := db.Exec("CREATE DATABASE inventoryXXbdX"); err == nil {
		t.Errorf("the user may create databases outside inventory__bd%%")
		db.Exec("DROP DATABASE inventoryXXbdX")
	}

	var files int
	filepath.WalkDir(s.MediaDir, func(_ string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			files++
		}
		return err
	})
	if files != 60 {
		t.Errorf("%d media files, want 60", files)
	}

	// Again: same server, same password, nothing reseeded.
	code, out = bdDemo(t, "up", "--dir", dir)
	if code != 0 {
		t.Fatalf("second up: exit %d\n%s", code, out)
	}
	for _, want := range []string{"already running", "already seeded", "already made"} {
		if !strings.Contains(out, want) {
			t.Errorf("second up output lacks %q:\n%s", want, out)
		}
	}
	if again := readServerJSON(t, dir); again.PID != srv.PID || again.Port != srv.Port {
		t.Errorf("second up changed the server: pid %d→%d, port %d→%d", srv.PID, again.PID, srv.Port, again.Port)
	}
	s2, err := settings.Load(filepath.Join(dir, "settings.json"))
	if err != nil || s2 != s {
		t.Errorf("second up changed the settings (err %v):\n%+v\n%+v", err, s, s2)
	}
	var products2 int
	if err := db.QueryRow("SELECT COUNT(*) FROM inventory_product").Scan(&products2); err != nil || products2 != products {
		t.Errorf("after the second up: %d products (err %v), before %d", products2, err, products)
	}

	code, out = bdDemo(t, "status", "--dir", dir)
	if code != 0 || !strings.Contains(out, "running (pid "+strconv.Itoa(srv.PID)) {
		t.Errorf("status: exit %d\n%s", code, out)
	}

	code, out = bdDemo(t, "down", "--dir", dir)
	if code != 0 || !strings.Contains(out, "Stopped") {
		t.Fatalf("down: exit %d\n%s", code, out)
	}
	if d.alive(srv.PID) {
		t.Fatalf("the server (pid %d) still runs after down", srv.PID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err == nil {
		t.Errorf("the database still answers after down")
	}
	code, out = bdDemo(t, "status", "--dir", dir)
	if code != 0 || !strings.Contains(out, "stopped") {
		t.Errorf("status after down: exit %d\n%s", code, out)
	}
	if code, out = bdDemo(t, "down", "--dir", dir); code != 0 || !strings.Contains(out, "not running") {
		t.Errorf("second down: exit %d\n%s", code, out)
	}

	// Up after down starts the server again on its old data and port.
	code, out = bdDemo(t, "up", "--dir", dir)
	if code != 0 || !strings.Contains(out, "Started MariaDB") || !strings.Contains(out, "already seeded") {
		t.Fatalf("up after down: exit %d\n%s", code, out)
	}
	restarted := readServerJSON(t, dir)
	if restarted.Port != srv.Port {
		t.Errorf("port changed from %d to %d although it was free", srv.Port, restarted.Port)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM inventory_product").Scan(&products2); err != nil || products2 != products {
		t.Errorf("after restart: %d products (err %v), before %d", products2, err, products)
	}
	if code, out = bdDemo(t, "down", "--dir", dir); code != 0 {
		t.Fatalf("final down: exit %d\n%s", code, out)
	}
	if d.alive(restarted.PID) {
		t.Errorf("the server (pid %d) still runs after the final down", restarted.PID)
	}
}

func TestUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "no command"},
		{"unknown command", []string{"start"}, 2, `unknown command "start"`},
		{"bad flag", []string{"down", "--rows", "5"}, 2, "flag provided but not defined"},
		{"negative rows", []string{"up", "--rows", "-1"}, 2, "must be positive"},
		{"extra argument", []string{"status", "now"}, 2, `unexpected argument "now"`},
		{"help", []string{"help"}, 0, "Usage: bd-demo"},
		{"status of nothing", []string{"status", "--dir", filepath.Join(t.TempDir(), "none")}, 0, "No demo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), c.args, &out, &errOut)
			if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
				t.Errorf("exit %d (want %d), output:\n%s%s\nwant it to contain %q", code, c.code, out.String(), errOut.String(), c.want)
			}
		})
	}
}

func TestSocketPathFitsTheLimit(t *testing.T) {
	short := newDemo("/srv/demo")
	if got := short.socketPath(); got != "/srv/demo/mysql/mysqld.sock" {
		t.Errorf("short folder: socket %q", got)
	}
	long := newDemo("/" + strings.Repeat("very-long-folder-name/", 6) + ".demo")
	got := long.socketPath()
	if len(got) >= 100 || !strings.HasPrefix(got, os.TempDir()) {
		t.Errorf("long folder: socket %q (%d bytes)", got, len(got))
	}
	if other := newDemo(long.dir + "2").socketPath(); other == got {
		t.Errorf("two folders share the socket %q", got)
	}
}
