package ossched

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// taskNS is the Task Scheduler XML namespace.
const taskNS = "http://schemas.microsoft.com/windows/2004/02/mit/task"

// The Task Scheduler XML (schema version 1.2, Windows 7 and later), in the
// element order Task Scheduler itself exports.
type taskXML struct {
	XMLName          xml.Name `xml:"Task"`
	Version          string   `xml:"version,attr"`
	Xmlns            string   `xml:"xmlns,attr"`
	RegistrationInfo struct {
		Author      string `xml:"Author,omitempty"`
		Description string `xml:"Description"`
		URI         string `xml:"URI"`
	} `xml:"RegistrationInfo"`
	Triggers struct {
		CalendarTrigger struct {
			StartBoundary string `xml:"StartBoundary"`
			Enabled       bool   `xml:"Enabled"`
			ScheduleByDay struct {
				DaysInterval int `xml:"DaysInterval"`
			} `xml:"ScheduleByDay"`
		} `xml:"CalendarTrigger"`
	} `xml:"Triggers"`
	Principals struct {
		Principal struct {
			ID        string `xml:"id,attr"`
			UserID    string `xml:"UserId,omitempty"`
			LogonType string `xml:"LogonType"`
			RunLevel  string `xml:"RunLevel"`
		} `xml:"Principal"`
	} `xml:"Principals"`
	Settings struct {
		MultipleInstancesPolicy    string `xml:"MultipleInstancesPolicy"`
		DisallowStartIfOnBatteries bool   `xml:"DisallowStartIfOnBatteries"`
		StopIfGoingOnBatteries     bool   `xml:"StopIfGoingOnBatteries"`
		AllowHardTerminate         bool   `xml:"AllowHardTerminate"`
		StartWhenAvailable         bool   `xml:"StartWhenAvailable"`
		RunOnlyIfNetworkAvailable  bool   `xml:"RunOnlyIfNetworkAvailable"`
		IdleSettings               struct {
			StopOnIdleEnd bool `xml:"StopOnIdleEnd"`
			RestartOnIdle bool `xml:"RestartOnIdle"`
		} `xml:"IdleSettings"`
		AllowStartOnDemand bool   `xml:"AllowStartOnDemand"`
		Enabled            bool   `xml:"Enabled"`
		Hidden             bool   `xml:"Hidden"`
		RunOnlyIfIdle      bool   `xml:"RunOnlyIfIdle"`
		WakeToRun          bool   `xml:"WakeToRun"`
		ExecutionTimeLimit string `xml:"ExecutionTimeLimit"`
		Priority           int    `xml:"Priority"`
	} `xml:"Settings"`
	Actions struct {
		Context string `xml:"Context,attr"`
		Exec    struct {
			Command          string `xml:"Command"`
			Arguments        string `xml:"Arguments"`
			WorkingDirectory string `xml:"WorkingDirectory,omitempty"`
		} `xml:"Exec"`
	} `xml:"Actions"`
}

// TaskXML returns the Task Scheduler definition of the backup task, as
// UTF-8 text (see EncodeUTF16 for the file schtasks reads). It follows the
// documentation's manual setup: task InventoryManagementBackup; daily at
// o.At ("New > Daily > 2:00 AM"); "Run whether user is logged on or not"
// (logon type S4U: no password is stored, local files and the database
// server are reachable, Windows file shares are not — for a backup folder
// on a share, register with a password instead, see
// scripts/setup_backup_schedule.ps1 -Credential); "Allow task to be run on
// demand"; "Run task as soon as possible after a scheduled start is
// missed". It also runs on battery power, never starts a second copy while
// one runs, and stops a run after 72 hours. start gives the trigger's first
// day (its date only is used; the time of day is o.At, local time).
func TaskXML(o Options, start time.Time) ([]byte, error) {
	o, err := o.resolve()
	if err != nil {
		return nil, err
	}
	hh, mm, _ := parseAt(o.At)
	var t taskXML
	t.Version, t.Xmlns = "1.2", taskNS
	t.RegistrationInfo.Author = o.User
	t.RegistrationInfo.Description = "Backup Desktop: makes the scheduled backup of the Inventory Management System when one is due (run-scheduled-backup). Created by \"backup-desktop schedule install\"."
	t.RegistrationInfo.URI = `\` + TaskName

	ct := &t.Triggers.CalendarTrigger
	// No zone suffix: the boundary is local time, so the task keeps
	// running at 02:00 across daylight-saving changes.
	ct.StartBoundary = fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:00", start.Year(), start.Month(), start.Day(), hh, mm)
	ct.Enabled = true
	ct.ScheduleByDay.DaysInterval = 1

	p := &t.Principals.Principal
	p.ID = "Author"
	p.UserID = o.User
	p.LogonType = "S4U" // run whether user is logged on or not, no stored password
	p.RunLevel = "LeastPrivilege"

	st := &t.Settings
	st.MultipleInstancesPolicy = "IgnoreNew"
	st.DisallowStartIfOnBatteries = false
	st.StopIfGoingOnBatteries = false
	st.AllowHardTerminate = true
	st.StartWhenAvailable = true // run as soon as possible after a missed start
	st.RunOnlyIfNetworkAvailable = false
	st.AllowStartOnDemand = true
	st.Enabled = true
	st.ExecutionTimeLimit = "PT72H"
	st.Priority = 7

	t.Actions.Context = "Author"
	// Quoted when it has spaces, as Task Scheduler's own dialog writes it.
	t.Actions.Exec.Command = WindowsQuote(o.Exe)
	t.Actions.Exec.Arguments = "--config " + WindowsQuote(o.Config) + " " + Command
	t.Actions.Exec.WorkingDirectory = windowsDir(o.Exe)

	body, err := xml.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot build the task definition: %w", err)
	}
	return append([]byte(`<?xml version="1.0" encoding="UTF-16"?>`+"\n"), append(body, '\n')...), nil
}

// EncodeUTF16 turns UTF-8 text into UTF-16LE with a byte-order mark, the
// encoding the XML declaration of TaskXML announces and schtasks expects.
func EncodeUTF16(text []byte) []byte {
	u := utf16.Encode([]rune(strings.ReplaceAll(string(text), "\n", "\r\n")))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xFF, 0xFE
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

// WindowsQuote quotes one command-line argument the way Windows programs
// (CommandLineToArgvW, the Go runtime) split them back: quotes when it
// has a space, tab or quote, inner quotes escaped, backslashes before a
// quote or the closing quote doubled. Same rules as syscall.EscapeArg,
// available on every platform.
func WindowsQuote(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}

// windowsDir is the folder of a Windows path (path/filepath works on the
// running system's separators only).
func windowsDir(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	switch {
	case i < 0:
		return ""
	case i == 2 && p[1] == ':':
		return p[:3] // "C:\"
	}
	return p[:i]
}
