package autostart

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestDesktopQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain path", "/usr/bin/backup-desktop", `"/usr/bin/backup-desktop"`},
		{"space", "/home/ann/My Settings/settings.json", `"/home/ann/My Settings/settings.json"`},
		{"dollar and backtick", "/tmp/$x`y`", "\"/tmp/\\\\$x\\\\`y\\\\`\""},
		{"double quote", `/tmp/a"b`, `"/tmp/a\\"b"`},
		{"backslash needs four", `/tmp/a\b`, `"/tmp/a\\\\b"`},
		{"percent is not a field code", "/tmp/100%", `"/tmp/100%%"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := desktopQuote(tt.in); got != tt.want {
				t.Errorf("desktopQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// splitWindows is the Microsoft C runtime's command-line splitting (the
// rules Go's os.Args follows on Windows), to check WindowsCommand against.
func splitWindows(cmd string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(cmd); {
		c := cmd[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(cmd) && cmd[i] == '\\' {
				n++
				i++
			}
			if i < len(cmd) && cmd[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
					i++
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
			}
			have = true
			continue
		case c == '"':
			inQuote = !inQuote
			have = true
		case (c == ' ' || c == '\t') && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
		i++
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

func TestWindowsCommandRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
	}{
		{"program files", Entry{`C:\Program Files\Backup Desktop\backup-desktop.exe`, nil}},
		{"config with spaces", Entry{`C:\bd.exe`, []string{"--config", `C:\Users\Ann Lee\AppData\Roaming\backup-desktop\settings.json`}}},
		{"trailing backslash", Entry{`C:\bd.exe`, []string{`D:\folder\`}}},
		{"quote inside", Entry{`C:\bd.exe`, []string{`a"b`, `c\"d`}}},
		{"empty argument", Entry{`C:\bd.exe`, []string{""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := WindowsCommand(tt.e)
			got := splitWindows(cmd)
			want := append([]string{tt.e.Exe}, tt.e.Args...)
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
				t.Errorf("WindowsCommand = %s, which splits into %q, want %q", cmd, got, want)
			}
		})
	}
}

func TestLaunchAgentIsValidPlist(t *testing.T) {
	e := Entry{"/Applications/Backup Desktop.app/Contents/MacOS/backup-desktop", []string{"--config", "/Users/a&b/<s>.json"}}
	doc := LaunchAgent(e)
	var p struct {
		Dict struct {
			Keys    []string `xml:"key"`
			Strings []string `xml:"string"`
			Array   struct {
				Strings []string `xml:"string"`
			} `xml:"array"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	want := append([]string{e.Exe}, e.Args...)
	if strings.Join(p.Dict.Array.Strings, "|") != strings.Join(want, "|") {
		t.Errorf("ProgramArguments = %q, want %q", p.Dict.Array.Strings, want)
	}
	if len(p.Dict.Strings) == 0 || p.Dict.Strings[0] != Label {
		t.Errorf("Label = %q", p.Dict.Strings)
	}
	if !strings.Contains(doc, "<key>RunAtLoad</key>\n\t<true/>") {
		t.Errorf("RunAtLoad missing:\n%s", doc)
	}
}

func TestBadEntry(t *testing.T) {
	for _, e := range []Entry{{}, {Exe: "/bin/x", Args: []string{"a\nb"}}} {
		if err := Enable(e); !errors.Is(err, ErrBadEntry) {
			t.Errorf("Enable(%q) = %v, want ErrBadEntry", e, err)
		}
	}
}
