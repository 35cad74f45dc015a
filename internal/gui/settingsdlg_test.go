package gui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/backupdesktop/backup-desktop/internal/autostart"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// setText replaces an entry's text the way a user does: focus, select
// nothing, type.
func setText(c fyne.Canvas, e *keyEntry, text string) {
	c.Focus(e)
	e.SetText("")
	test.Type(e, text)
}

func press(c fyne.Canvas, key fyne.KeyName) {
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: key})
		return
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: key})
}

func errorText(sd *settingsDialog, key string) string {
	l := sd.errs[key]
	if l == nil || !l.Visible() {
		return ""
	}
	return l.Text
}

func TestFirstRunValidatesAndSaves(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	var autostartCalls []bool
	h := newHarness(t, harnessOpts{startAtLogin: func(on bool) error {
		autostartCalls = append(autostartCalls, on)
		return autostart.Set(on, autostart.Entry{Exe: "/usr/bin/backup-desktop", Args: []string{"--hidden"}})
	}})
	c := h.app.win.Canvas()
	var sd *settingsDialog
	h.ui(func() {
		sd = h.app.settingsUI
		if sd == nil {
			t.Fatal("first run: the settings dialog is not open")
		}
		if sd.intro.Text != firstRunIntro {
			t.Errorf("intro = %q, want the first-run sentence", sd.intro.Text)
		}
		if strings.Count(firstRunIntro, ". ") != 0 {
			t.Errorf("the first-run explanation should be one sentence: %q", firstRunIntro)
		}
		// Defaults are filled in.
		if sd.port.Text != "3306" || sd.retention.Text != "30" || sd.timeOfDay.Text != "02:00" || sd.frequency.Selected != "Daily" || !sd.enabled.Checked {
			t.Errorf("defaults not shown: port %q retention %q time %q frequency %q enabled %v",
				sd.port.Text, sd.retention.Text, sd.timeOfDay.Text, sd.frequency.Selected, sd.enabled.Checked)
		}
		// A first run starts at the database.
		if c.Focused() != sd.host {
			t.Errorf("focus on %T, want the database host", c.Focused())
		}
	})

	type step struct {
		name  string
		edit  func()
		want  map[string]string // settings key → part of the message under it
		saved bool
	}
	media, backups := filepath.Join(h.dir, "media"), filepath.Join(h.dir, "backups")
	steps := []step{
		{
			name: "empty folders refused",
			edit: func() {},
			want: map[string]string{"media_dir": "full path of the media folder", "backup_dir": "full path of the folder for backups"},
		},
		{
			name: "bad time, port, retention, relative folder",
			edit: func() {
				setText(c, sd.timeOfDay, "25:00")
				setText(c, sd.port, "33o6")
				setText(c, sd.retention, "0")
				setText(c, sd.mediaDir, "media")
				setText(c, sd.backupDir, backups)
			},
			want: map[string]string{
				"schedule.time":  "24-hour",
				"database.port":  "port number from 1 to 65535",
				"retention_days": "whole number of days",
				"media_dir":      "full path",
			},
		},
		{
			name: "backup folder inside the media folder",
			edit: func() {
				setText(c, sd.timeOfDay, "03:30")
				setText(c, sd.port, "3306")
				setText(c, sd.retention, "14")
				setText(c, sd.mediaDir, media)
				setText(c, sd.backupDir, filepath.Join(media, "backups"))
			},
			want: map[string]string{"backup_dir": "outside the media folder"},
		},
		{
			name: "valid input is saved",
			edit: func() {
				setText(c, sd.backupDir, backups)
				sd.frequency.SetSelected("Weekly — Sundays")
				setText(c, sd.host, srv.Host)
				setText(c, sd.user, "shop")
				setText(c, sd.password, "s3cret \"pw\"")
				setText(c, sd.name, "inventory")
				sd.startAtLogin.SetChecked(true)
			},
			saved: true,
		},
	}
	for _, st := range steps {
		h.ui(func() {
			st.edit()
			test.Tap(sd.saveBtn)
			for key, part := range st.want {
				if got := errorText(sd, key); !strings.Contains(got, part) {
					t.Errorf("%s: message under %s = %q, want it to contain %q", st.name, key, got, part)
				}
			}
			for key := range sd.errs {
				if _, want := st.want[key]; !want && errorText(sd, key) != "" {
					t.Errorf("%s: unexpected message under %s: %q", st.name, key, errorText(sd, key))
				}
			}
			if open := h.app.settingsUI != nil; open == st.saved {
				t.Errorf("%s: dialog open = %v after Save", st.name, open)
			}
		})
		_, err := os.Stat(h.cfg)
		if exists := err == nil; exists != st.saved {
			t.Fatalf("%s: settings file exists = %v, want %v", st.name, exists, st.saved)
		}
	}

	got, err := settings.Load(h.cfg)
	if err != nil {
		t.Fatalf("reading the saved settings back: %v", err)
	}
	want := settings.Default()
	want.Database.Host, want.Database.User, want.Database.Password = srv.Host, "shop", "s3cret \"pw\""
	want.MediaDir, want.BackupDir = media, backups
	want.Schedule = settings.Schedule{Enabled: true, Frequency: settings.Weekly, Time: "03:30"}
	want.RetentionDays = 14
	want.StartAtLogin = true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("saved settings:\n got %+v\nwant %+v", got, want)
	}
	if info, err := os.Stat(h.cfg); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode: %v, %v; want 0600", info.Mode(), err)
	}
	if !reflect.DeepEqual(autostartCalls, []bool{true}) {
		t.Errorf("start at login calls = %v, want [true]", autostartCalls)
	}
	if data, err := os.ReadFile(filepath.Join(xdg, "autostart", autostart.FileName)); err != nil || !strings.Contains(string(data), "--hidden") {
		t.Errorf("autostart entry: %q, %v", data, err)
	}
	h.ui(func() {
		if !h.app.configured || h.app.settings.Schedule.Frequency != settings.Weekly {
			t.Errorf("the app did not take the saved settings: configured %v, %+v", h.app.configured, h.app.settings.Schedule)
		}
	})
}

func TestSettingsKeyboard(t *testing.T) {
	s := testSettings(t, "inventory")
	s.Schedule.Enabled = true
	h := newHarness(t, harnessOpts{settings: &s, startAtLogin: func(bool) error { return nil }})
	c := h.app.win.Canvas()
	before, _ := os.ReadFile(h.cfg)

	// Escape in a field cancels: nothing is saved.
	h.ui(func() {
		test.Tap(h.app.main.settingsBtn)
		sd := h.app.settingsUI
		if sd == nil {
			t.Fatal("Configure Backup Settings did not open the dialog")
		}
		setText(c, sd.timeOfDay, "04:45")
		press(c, fyne.KeyEscape)
		if h.app.settingsUI != nil {
			t.Error("Escape did not close the dialog")
		}
	})
	if after, _ := os.ReadFile(h.cfg); string(after) != string(before) {
		t.Errorf("Escape saved the settings:\n%s", after)
	}

	// Tab walks the fields in reading order.
	h.ui(func() {
		h.app.openSettings()
		sd := h.app.settingsUI
		c.Focus(sd.enabled)
		order := []fyne.Focusable{sd.frequency, sd.timeOfDay, sd.retention, sd.startAtLogin,
			sd.host, sd.port, sd.user, sd.password, sd.name, sd.socket, sd.testBtn, sd.mediaDir, sd.mediaBrowse, sd.backupDir, sd.backupBrowse}
		names := []string{"frequency", "time", "retention", "start at login", "host", "port", "user", "password", "name", "socket", "test", "media", "media browse", "backups", "backups browse"}
		for i, want := range order {
			test.FocusNext(c)
			if c.Focused() != want {
				t.Errorf("Tab %d: focus on %T, want %s", i+1, c.Focused(), names[i])
				break
			}
		}
	})

	// Enter in a field saves.
	h.ui(func() {
		sd := h.app.settingsUI
		setText(c, sd.timeOfDay, "05:15")
		press(c, fyne.KeyReturn)
		if h.app.settingsUI != nil {
			t.Error("Enter did not save and close the dialog")
		}
	})
	got, err := settings.Load(h.cfg)
	if err != nil || got.Schedule.Time != "05:15" {
		t.Errorf("after Enter: time %q, %v; want 05:15 saved", got.Schedule.Time, err)
	}

	// With nothing focused, Escape still cancels.
	h.ui(func() {
		h.app.openSettings()
		c.Unfocus()
		press(c, fyne.KeyEscape)
		if h.app.settingsUI != nil {
			t.Error("Escape without focus did not close the dialog")
		}
	})
}

func TestTestConnection(t *testing.T) {
	name, _ := newDB(t, 0)
	s := testSettings(t, name)
	h := newHarness(t, harnessOpts{settings: &s})
	tests := []struct {
		name string
		edit func(sd *settingsDialog, c fyne.Canvas)
		want string
	}{
		{"works", func(*settingsDialog, fyne.Canvas) {}, "✓ Connected to the database “" + name + "”"},
		{"unknown database", func(sd *settingsDialog, c fyne.Canvas) { setText(c, sd.name, name+"_nope") }, "✗ Unknown database."},
		{"access denied", func(sd *settingsDialog, c fyne.Canvas) {
			setText(c, sd.name, name)
			setText(c, sd.user, "nobody")
		}, "✗ Access denied."},
		{"unreachable", func(sd *settingsDialog, c fyne.Canvas) {
			setText(c, sd.user, srv.User)
			setText(c, sd.port, "1")
		}, "✗ Server unreachable."},
		{"bad input first", func(sd *settingsDialog, c fyne.Canvas) { setText(c, sd.port, "x") }, "Correct the marked database settings first."},
	}
	c := h.app.win.Canvas()
	h.ui(func() { h.app.openSettings() })
	for _, tt := range tests {
		var sd *settingsDialog
		h.ui(func() {
			sd = h.app.settingsUI
			tt.edit(sd, c)
			test.Tap(sd.testBtn)
		})
		h.eventually("the connection test "+tt.name, 40*time.Second, func() bool {
			return strings.HasPrefix(sd.testResult.Text, tt.want) && !sd.testBtn.Disabled()
		})
	}
	// Testing never saves.
	got, err := settings.Load(h.cfg)
	if err != nil || got.Database != s.Database {
		t.Errorf("settings changed by Test connection: %+v, %v", got.Database, err)
	}
}

func TestSettingsFileWithMistakes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "settings.json")
	s := testSettings(t, "inventory")
	s.Schedule.Enabled = true
	if err := settings.Save(cfg, s); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(cfg)
	bad := strings.Replace(strings.Replace(string(data), `"time": "02:00"`, `"time": "2am"`, 1), `"retention_days": 30`, `"retention_days": 0`, 1)
	if bad == string(data) {
		t.Fatal("test setup: could not break the file")
	}
	if err := os.WriteFile(cfg, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir, cfg: cfg}
	h.desk = &fakeDesk{App: test.NewTempApp(t)}
	h.ui(func() {
		h.app = New(h.desk, Options{ConfigPath: cfg, Do: h.do})
		h.app.Start()
	})
	t.Cleanup(func() {
		h.ui(h.app.Close)
		h.app.wait()
	})
	h.ui(func() {
		sd := h.app.settingsUI
		if sd == nil || h.app.configured {
			t.Fatalf("a settings file with mistakes: dialog %v, configured %v", sd != nil, h.app.configured)
		}
		if !strings.Contains(sd.intro.Text, "has mistakes") {
			t.Errorf("intro %q", sd.intro.Text)
		}
		if !strings.Contains(errorText(sd, "schedule.time"), "24-hour") || !strings.Contains(errorText(sd, "retention_days"), "whole number") {
			t.Errorf("marks: time %q, retention %q", errorText(sd, "schedule.time"), errorText(sd, "retention_days"))
		}
		if sd.timeOfDay.Text != "2am" {
			t.Errorf("the bad value is not shown for correcting: %q", sd.timeOfDay.Text)
		}
		if h.app.win.Canvas().Focused() != sd.timeOfDay {
			t.Errorf("focus on %T, want the first mistake", h.app.win.Canvas().Focused())
		}
	})
}
