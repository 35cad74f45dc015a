package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// TestTrayEndToEnd builds the real app and this program and runs them under
// xvfb-run and dbus-run-session against a private MariaDB: the app's tray
// icon must register, show its menu, make a backup when "Back up now" is
// clicked over D-Bus and quit cleanly from "Quit".
func TestTrayEndToEnd(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "dbus-run-session", "Xvfb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the tray test (apt-get install xvfb dbus): %v", tool, err)
		}
	}
	srv, err := mariadbtest.Start(mariadbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	name, err := srv.CreateDatabase("tray")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(name, "CREATE TABLE inventory_product (id INT PRIMARY KEY, name VARCHAR(50)); INSERT INTO inventory_product VALUES (1, 'Hammer'), (2, 'Saw')"); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	s := settings.Default()
	s.Database.Host, s.Database.Port, s.Database.User, s.Database.Password, s.Database.Name = srv.Host, srv.Port, srv.User, srv.Password, name
	s.MediaDir, s.BackupDir = filepath.Join(dir, "media"), filepath.Join(dir, "backups")
	s.Schedule.Enabled = false // only the click may make a backup
	if err := os.MkdirAll(filepath.Join(s.MediaDir, "products"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.MediaDir, "products", "hammer.jpg"), []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config", "settings.json")
	if err := settings.Save(cfg, s); err != nil {
		t.Fatal(err)
	}

	bin := t.TempDir()
	app, tray := filepath.Join(bin, "backup-desktop"), filepath.Join(bin, "traytest")
	for out, pkg := range map[string]string{app: "../backup-desktop", tray: "."} {
		build := exec.Command("go", "build", "-o", out, pkg)
		if b, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}

	cmd := exec.Command("xvfb-run", "-a", "dbus-run-session", "--", tray, "-backups", s.BackupDir, "--", app, "--config", cfg)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.CombinedOutput()
	t.Logf("traytest output:\n%s", out)
	if err != nil {
		t.Fatalf("traytest: %v", err)
	}
	if !strings.Contains(string(out), "traytest: OK") {
		t.Fatal("traytest did not report OK")
	}

	list, err := jobs.List(&jobs.Env{Settings: s, StateDir: filepath.Dir(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Complete || !strings.HasPrefix(list[0].Name, "backup_") {
		t.Fatalf("backups after clicking the tray: %+v, want one complete manual backup", list)
	}
}
