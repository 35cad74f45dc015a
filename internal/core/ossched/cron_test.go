package ossched

import (
	"errors"
	"testing"
)

func TestCronLine(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"documented default 02:00", Options{Exe: "/usr/local/bin/backup-desktop", Config: "/home/shop/.config/backup-desktop/settings.json"},
			"0 2 * * * '/usr/local/bin/backup-desktop' --config '/home/shop/.config/backup-desktop/settings.json' run-scheduled-backup >/dev/null 2>&1 # backup-desktop"},
		{"other time", Options{Exe: "/opt/bd/bd", Config: "/etc/bd.json", At: "23:05"},
			"5 23 * * * '/opt/bd/bd' --config '/etc/bd.json' run-scheduled-backup >/dev/null 2>&1 # backup-desktop"},
		{"spaces and quotes", Options{Exe: "/opt/my apps/bd", Config: "/home/o'brien/settings.json"},
			`0 2 * * * '/opt/my apps/bd' --config '/home/o'\''brien/settings.json' run-scheduled-backup >/dev/null 2>&1 # backup-desktop`},
	}
	for _, c := range cases {
		got, err := CronLine(c.o)
		if err != nil || got != c.want {
			t.Errorf("%s: CronLine = %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
	for name, o := range map[string]Options{
		"relative":  {Exe: "/bin/bd", Config: "settings.json"},
		"percent":   {Exe: "/bin/bd", Config: "/home/a/100%/settings.json"},
		"backslash": {Exe: `/bin/b\d`, Config: "/s.json"},
		"newline":   {Exe: "/bin/bd", Config: "/a\n* * * * * rm -rf ~/s.json"},
		"empty":     {Exe: "/bin/bd"},
		"bad time":  {Exe: "/bin/bd", Config: "/s.json", At: "7pm"},
	} {
		if line, err := CronLine(o); err == nil {
			t.Errorf("%s: CronLine accepted %+v: %q", name, o, line)
		} else if name != "bad time" && !errors.Is(err, ErrUnsafePath) {
			t.Errorf("%s: error %v is not ErrUnsafePath", name, err)
		}
	}
}

func TestCrontabEditing(t *testing.T) {
	const line = "0 2 * * * '/bin/bd' --config '/s.json' run-scheduled-backup >/dev/null 2>&1 # backup-desktop"
	const old = "30 1 * * * '/old/bd' --config '/s.json' run-scheduled-backup >/dev/null 2>&1 # backup-desktop"
	user := "MAILTO=\"\"\n# my jobs\n*/5 * * * * /usr/bin/true # backup-desktop-ish but not ours?\n15 3 * * 0 /usr/local/bin/report \\%\n"
	cases := []struct {
		name        string
		in          string
		wantInstall string
		wantRemove  string
		wantFound   bool
	}{
		{"empty crontab", "", line + "\n", "", false},
		{"user lines kept", user, user + line + "\n", user, false},
		{"old entry replaced in place of none", user + old + "\n", user + line + "\n", user, true},
		{"entry in the middle", "A=1\n" + old + "\n5 * * * * x\n", "A=1\n5 * * * * x\n" + line + "\n", "A=1\n5 * * * * x\n", true},
		{"two old entries collapse to one", old + "\n" + old + "\n", line + "\n", "", true},
		{"no final newline", "5 * * * * x", "5 * * * * x\n" + line + "\n", "5 * * * * x\n", false},
		{"trailing spaces after marker", "5 * * * * x\n" + old + "  \n", "5 * * * * x\n" + line + "\n", "5 * * * * x\n", true},
		{"blank lines and comments kept", "\n# c\n\n", "\n# c\n\n" + line + "\n", "\n# c\n\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := WithEntry(c.in, line); got != c.wantInstall {
				t.Errorf("WithEntry:\n%q\nwant\n%q", got, c.wantInstall)
			}
			if got := WithEntry(WithEntry(c.in, line), line); got != c.wantInstall {
				t.Errorf("WithEntry twice is not idempotent:\n%q", got)
			}
			got, found := WithoutEntry(c.in)
			if got != c.wantRemove || found != c.wantFound {
				t.Errorf("WithoutEntry = %q, %v; want %q, %v", got, found, c.wantRemove, c.wantFound)
			}
			if e, ok := Entry(WithEntry(c.in, line)); !ok || e != line {
				t.Errorf("Entry after install = %q, %v", e, ok)
			}
		})
	}
	if e, ok := Entry(user); ok {
		t.Errorf("a user's line that merely mentions backup-desktop was taken for ours: %q", e)
	}
}
