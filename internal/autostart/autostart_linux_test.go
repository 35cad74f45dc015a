package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinuxEnableDisable(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	e := Entry{Exe: "/opt/backup desktop/backup-desktop", Args: []string{"--config", "/home/ann/bd/settings.json", "--hidden"}}

	if on, err := Enabled(); err != nil || on {
		t.Fatalf("Enabled before Enable = %v, %v", on, err)
	}
	if err := Set(true, e); err != nil {
		t.Fatalf("Set(true): %v", err)
	}
	p := filepath.Join(cfg, "autostart", FileName)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("autostart file not written: %v", err)
	}
	wantExec := `Exec="/opt/backup desktop/backup-desktop" "--config" "/home/ann/bd/settings.json" "--hidden"`
	if !strings.Contains(string(data), "\n"+wantExec+"\n") || !strings.HasPrefix(string(data), "[Desktop Entry]\n") {
		t.Errorf("autostart file:\n%s\nwant a line %s", data, wantExec)
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("Enabled after Enable = %v, %v", on, err)
	}
	// A desktop's settings tool switches it off by adding Hidden=true.
	if err := os.WriteFile(p, append(data, "Hidden=true\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); on {
		t.Error("Enabled with Hidden=true = true")
	}
	if err := Set(false, e); err != nil {
		t.Fatalf("Set(false): %v", err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("autostart file still there: %v", err)
	}
	if err := Disable(); err != nil {
		t.Errorf("second Disable: %v", err)
	}
}
