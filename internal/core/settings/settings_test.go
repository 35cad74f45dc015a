package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func valid() Settings {
	s := Default()
	s.MediaDir = "/srv/ims/media"
	s.BackupDir = "/srv/ims/backups"
	return s
}

func TestValidateNamesKeyValueAndForm(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Settings)
		key    string
		words  []string
	}{
		{"frequency", func(s *Settings) { s.Schedule.Frequency = "hourly" }, "schedule.frequency", []string{`"hourly"`, `"daily", "weekly"`}},
		{"time 25:00", func(s *Settings) { s.Schedule.Time = "25:00" }, "schedule.time", []string{`"25:00"`, "HH:MM"}},
		{"time without zero", func(s *Settings) { s.Schedule.Time = "2:00" }, "schedule.time", []string{`"2:00"`}},
		{"retention zero", func(s *Settings) { s.RetentionDays = 0 }, "retention_days", []string{"0", "whole number of days"}},
		{"port", func(s *Settings) { s.Database.Port = 70000 }, "database.port", []string{"70000", "1 to 65535"}},
		{"engine", func(s *Settings) { s.Database.Engine = "postgres" }, "database.engine", []string{`"postgres"`}},
		{"empty user", func(s *Settings) { s.Database.User = "" }, "database.user", nil},
		{"db name with dot", func(s *Settings) { s.Database.Name = "a.b" }, "database.name", []string{`"a.b"`}},
		{"relative media", func(s *Settings) { s.MediaDir = "media" }, "media_dir", []string{`"media"`, "full path"}},
		{"backups inside media", func(s *Settings) { s.BackupDir = "/srv/ims/media/backups" }, "backup_dir", []string{"outside the media folder"}},
		{"relative socket", func(s *Settings) { s.Database.Socket = "mysqld.sock" }, "database.socket", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := valid()
			c.change(&s)
			err := s.Validate()
			var es Errors
			if !errors.As(err, &es) || len(es) != 1 || es[0].Key != c.key {
				t.Fatalf("Validate() = %v, want one error for %s", err, c.key)
			}
			msg := err.Error()
			if !strings.Contains(msg, `"`+c.key+`"`) {
				t.Errorf("message %q does not name the key", msg)
			}
			for _, w := range c.words {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	good := valid()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid settings refused: %v", err)
	}
	sock := valid()
	sock.Database.Host, sock.Database.Port, sock.Database.Socket = "", 0, "/run/mysqld/mysqld.sock"
	if err := sock.Validate(); err != nil {
		t.Errorf("socket without host refused: %v", err)
	}
}

func TestSaveLoadRoundTripAtomic0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", FileName)
	s := valid()
	s.Database.Password = "s3cret"
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	t.Setenv(EnvPassword, "")
	os.Unsetenv(EnvPassword)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != s {
		t.Errorf("Load = %+v, want %+v", got, s)
	}
	t.Setenv(EnvPassword, "from-env")
	got, _ = Load(path)
	if got.Database.Password != "from-env" {
		t.Errorf("%s did not override the password: %q", EnvPassword, got.Database.Password)
	}
	// Invalid settings are refused and the file keeps its content.
	bad := s
	bad.RetentionDays = -1
	if err := Save(path, bad); err == nil {
		t.Fatal("Save accepted invalid settings")
	}
	got, _ = Load(path)
	if got.RetentionDays != s.RetentionDays {
		t.Errorf("invalid Save changed the file")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// The keys are the contract.
	data, _ := os.ReadFile(path)
	for _, key := range []string{`"database"`, `"engine"`, `"host"`, `"port"`, `"socket"`, `"user"`, `"password"`, `"name"`,
		`"media_dir"`, `"backup_dir"`, `"schedule"`, `"enabled"`, `"frequency"`, `"time"`, `"retention_days"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("settings file lacks key %s", key)
		}
	}
	if r := s.Redacted(); r.Database.Password != "" {
		t.Error("Redacted keeps the password")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"not json":      `{"database": `,
		"unknown key":   `{"retention_day": 5}`,
		"wrong type":    `{"retention_days": "thirty"}`,
		"invalid value": `{"media_dir": "/m", "backup_dir": "/b", "schedule": {"time": "7pm"}}`,
	}
	words := map[string]string{
		"not json":      "not valid JSON",
		"unknown key":   "retention_day",
		"wrong type":    "retention_days",
		"invalid value": "schedule.time",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(in))
			if err == nil || !strings.Contains(err.Error(), words[name]) {
				t.Errorf("Parse(%s) = %v, want an error mentioning %q", in, err, words[name])
			}
		})
	}
}

func TestResolvePath(t *testing.T) {
	t.Setenv(EnvConfig, "/env/settings.json")
	if p, _ := ResolvePath("/flag/s.json"); p != "/flag/s.json" {
		t.Errorf("flag not first: %s", p)
	}
	if p, _ := ResolvePath(""); p != "/env/settings.json" {
		t.Errorf("env not used: %s", p)
	}
	t.Setenv(EnvConfig, "")
	p, err := ResolvePath("")
	if err != nil || !strings.HasSuffix(p, filepath.Join("backup-desktop", FileName)) {
		t.Errorf("default path = %s, %v", p, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
}
