package ossched

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// parsedTask is what the documentation's "Option 2: Manual Task Scheduler
// Setup" lists, read back from the XML with encoding/xml.
type parsedTask struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Task"`
	Version string   `xml:"version,attr"`
	URI     string   `xml:"RegistrationInfo>URI"`
	Trigger []struct {
		StartBoundary string `xml:"StartBoundary"`
		Enabled       string `xml:"Enabled"`
		DaysInterval  string `xml:"ScheduleByDay>DaysInterval"`
	} `xml:"Triggers>CalendarTrigger"`
	Principal struct {
		ID        string `xml:"id,attr"`
		UserID    string `xml:"UserId"`
		LogonType string `xml:"LogonType"`
		RunLevel  string `xml:"RunLevel"`
	} `xml:"Principals>Principal"`
	Actions struct {
		Context string `xml:"Context,attr"`
		Exec    []struct {
			Command          string `xml:"Command"`
			Arguments        string `xml:"Arguments"`
			WorkingDirectory string `xml:"WorkingDirectory"`
		} `xml:"Exec"`
	} `xml:"Actions"`
}

// settingsOf reads every direct child of <Settings> into a map.
func settingsOf(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var s struct {
		Settings struct {
			Items []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"Settings"`
	}
	if err := decode(doc, &s); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, it := range s.Settings.Items {
		m[it.XMLName.Local] = strings.TrimSpace(it.Value)
	}
	return m
}

// decode parses the XML, accepting its UTF-16 declaration (the text given
// is already UTF-8).
func decode(doc []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if label != "UTF-16" {
			return nil, errors.New("unexpected charset " + label)
		}
		return r, nil
	}
	return d.Decode(v)
}

func TestTaskXMLMatchesTheDocumentation(t *testing.T) {
	o := Options{
		Exe:    `C:\Program Files\Backup Desktop\backup-desktop.exe`,
		Config: `C:\Users\Shop Owner\AppData\Roaming\backup-desktop\settings.json`,
		User:   `SHOP-PC\Shop Owner`,
	}
	doc, err := TaskXML(o, time.Date(2026, 6, 10, 15, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte(`<?xml version="1.0" encoding="UTF-16"?>`)) {
		t.Errorf("missing XML declaration:\n%s", doc)
	}
	var got parsedTask
	if err := decode(doc, &got); err != nil {
		t.Fatalf("generated XML does not parse: %v\n%s", err, doc)
	}
	set := settingsOf(t, doc)
	checks := []struct {
		doc       string // the documentation's words
		got, want string
	}{
		{"Name: InventoryManagementBackup", got.URI, `\InventoryManagementBackup`},
		{"schema version", got.Version, "1.2"},
		{"Triggers: New > Daily > 2:00 AM (start)", got.Trigger[0].StartBoundary, "2026-06-10T02:00:00"},
		{"Triggers: Daily (every day)", got.Trigger[0].DaysInterval, "1"},
		{"Triggers: enabled", got.Trigger[0].Enabled, "true"},
		{"Security options: Run whether user is logged on or not", got.Principal.LogonType, "S4U"},
		{"runs as the user", got.Principal.UserID, `SHOP-PC\Shop Owner`},
		{"not elevated", got.Principal.RunLevel, "LeastPrivilege"},
		{"action runs as the principal", got.Actions.Context, got.Principal.ID},
		{"Actions: Start a program", got.Actions.Exec[0].Command, `"C:\Program Files\Backup Desktop\backup-desktop.exe"`},
		{"Arguments: run_scheduled_backup with the settings", got.Actions.Exec[0].Arguments, `--config "C:\Users\Shop Owner\AppData\Roaming\backup-desktop\settings.json" run-scheduled-backup`},
		{"Start in: the program's folder", got.Actions.Exec[0].WorkingDirectory, `C:\Program Files\Backup Desktop`},
		{"Settings: Allow task to be run on demand", set["AllowStartOnDemand"], "true"},
		{"Settings: Run task as soon as possible after a scheduled start is missed", set["StartWhenAvailable"], "true"},
		{"task enabled", set["Enabled"], "true"},
		{"runs on battery (laptops)", set["DisallowStartIfOnBatteries"], "false"},
		{"not stopped on battery", set["StopIfGoingOnBatteries"], "false"},
		{"no second copy while one runs", set["MultipleInstancesPolicy"], "IgnoreNew"},
		{"not only when idle", set["RunOnlyIfIdle"], "false"},
		{"not only with network", set["RunOnlyIfNetworkAvailable"], "false"},
	}
	if len(got.Trigger) != 1 || len(got.Actions.Exec) != 1 {
		t.Fatalf("want one daily trigger and one action, got %d and %d:\n%s", len(got.Trigger), len(got.Actions.Exec), doc)
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.doc, c.got, c.want)
		}
	}
}

func TestTaskXMLOtherTimeAndPlainPaths(t *testing.T) {
	doc, err := TaskXML(Options{Exe: `D:\bd\backup-desktop.exe`, Config: `D:\bd\settings.json`, At: "23:30", User: "u"}, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got parsedTask
	if err := decode(doc, &got); err != nil {
		t.Fatal(err)
	}
	if got.Trigger[0].StartBoundary != "2028-02-29T23:30:00" || got.Actions.Exec[0].Command != `D:\bd\backup-desktop.exe` ||
		got.Actions.Exec[0].Arguments != `--config D:\bd\settings.json run-scheduled-backup` || got.Actions.Exec[0].WorkingDirectory != `D:\bd` {
		t.Errorf("got %+v", got)
	}
}

func TestTaskXMLRejects(t *testing.T) {
	for name, o := range map[string]Options{
		"relative config":  {Exe: `C:\bd\bd.exe`, Config: `settings.json`},
		"no config":        {Exe: `C:\bd\bd.exe`},
		"newline in path":  {Exe: `C:\bd\bd.exe`, Config: "C:\\a\nb\\settings.json"},
		"bad time":         {Exe: `C:\bd\bd.exe`, Config: `C:\bd\s.json`, At: "25:00"},
		"time without pad": {Exe: `C:\bd\bd.exe`, Config: `C:\bd\s.json`, At: "2:00"},
	} {
		if _, err := TaskXML(o, time.Now()); err == nil {
			t.Errorf("%s: TaskXML accepted %+v", name, o)
		}
	}
}

func TestEncodeUTF16(t *testing.T) {
	in := []byte("<a>Ä €\n😀</a>\n")
	out := EncodeUTF16(in)
	if out[0] != 0xFF || out[1] != 0xFE {
		t.Fatalf("no UTF-16LE byte-order mark: % x", out[:2])
	}
	u := make([]uint16, (len(out)-2)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(out[2+2*i:])
	}
	if got, want := string(utf16.Decode(u)), "<a>Ä €\r\n😀</a>\r\n"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}

func TestWindowsQuote(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", `C:\bd\settings.json`, `C:\bd\settings.json`},
		{"empty", ``, `""`},
		{"space", `C:\Shop Owner\s.json`, `"C:\Shop Owner\s.json"`},
		{"tab", "a\tb", "\"a\tb\""},
		{"quote", `a"b`, `"a\"b"`},
		{"backslashes before quote", `a\\"b`, `"a\\\\\"b"`},
		{"trailing backslash with space", `C:\dir with space\`, `"C:\dir with space\\"`},
		{"inner backslashes untouched", `C:\a b\c\d`, `"C:\a b\c\d"`},
	}
	for _, c := range cases {
		if got := WindowsQuote(c.in); got != c.want {
			t.Errorf("%s: WindowsQuote(%q) = %s, want %s", c.name, c.in, got, c.want)
		}
	}
}

// TestPowerShellScriptMatchesTask keeps scripts/setup_backup_schedule.ps1
// (which cannot run here) registering the same task as TaskXML.
func TestPowerShellScriptMatchesTask(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "scripts", "setup_backup_schedule.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	for _, want := range []string{
		"$TaskName = '" + TaskName + "'",
		"[string]$At = '" + DefaultAt + "'",
		"New-ScheduledTaskTrigger -Daily",
		"-StartWhenAvailable",
		"-AllowStartIfOnBatteries",
		"-DontStopIfGoingOnBatteries",
		"-MultipleInstances IgnoreNew",
		"$settings.AllowDemandStart = $true",
		"-LogonType S4U",
		`'--config "{0}" ` + Command + `'`,
		"Register-ScheduledTask",
		"-Force",
		".SYNOPSIS",
		".PARAMETER ExePath",
		".PARAMETER ConfigPath",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("setup_backup_schedule.ps1 lacks %q", want)
		}
	}
}
