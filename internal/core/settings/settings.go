// Package settings reads, checks and writes settings.json, the one settings
// file shared by the window, the tray scheduler and the command line.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// EnvConfig names the environment variable that points at the settings file.
const EnvConfig = "BACKUP_DESKTOP_CONFIG"

// EnvPassword names the environment variable that overrides the stored
// database password.
const EnvPassword = "BACKUP_DESKTOP_DB_PASSWORD"

// FileName is the settings file's name inside its folder.
const FileName = "settings.json"

// Frequencies a schedule may have.
const (
	Daily   = "daily"
	Weekly  = "weekly"
	Monthly = "monthly"
)

// Database says how to reach the Inventory system's database.
type Database struct {
	Engine   string `json:"engine"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Socket   string `json:"socket"`
	User     string `json:"user"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// Schedule says when automated backups run.
type Schedule struct {
	Enabled   bool   `json:"enabled"`
	Frequency string `json:"frequency"`
	Time      string `json:"time"`
}

// Settings is the content of settings.json. The JSON names are a contract.
type Settings struct {
	Database      Database `json:"database"`
	MediaDir      string   `json:"media_dir"`
	BackupDir     string   `json:"backup_dir"`
	Schedule      Schedule `json:"schedule"`
	RetentionDays int      `json:"retention_days"`
	// StartAtLogin starts the tray app when the user logs in.
	StartAtLogin bool `json:"start_at_login"`
}

// Default returns the settings a new installation starts from.
func Default() Settings {
	return Settings{
		Database: Database{Engine: "mysql", Host: "127.0.0.1", Port: 3306, User: "ims", Name: "inventory"},
		Schedule: Schedule{Enabled: true, Frequency: Daily, Time: "02:00"},
		// Left empty: the user must say where the media and backups live.
		RetentionDays: 30,
	}
}

// ErrNotFound is returned by Load when the settings file does not exist.
var ErrNotFound = errors.New("settings file not found")

// FieldError is a setting that is not acceptable.
type FieldError struct {
	Key    string // JSON path, for example "schedule.time"
	Value  any
	Accept string // the accepted form, in words
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("setting %q has the invalid value %s; %s", e.Key, quote(e.Value), e.Accept)
}

func quote(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Errors lists every invalid setting found.
type Errors []*FieldError

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate checks every value and returns Errors naming each bad one, or nil.
func (s *Settings) Validate() error {
	var es Errors
	bad := func(key string, v any, accept string) { es = append(es, &FieldError{key, v, accept}) }
	switch s.Database.Engine {
	case "mysql", "mariadb":
	default:
		bad("database.engine", s.Database.Engine, `use "mysql" (also for MariaDB)`)
	}
	if s.Database.Socket == "" {
		if strings.TrimSpace(s.Database.Host) == "" || strings.ContainsAny(s.Database.Host, " /\\") {
			bad("database.host", s.Database.Host, "give the database server's host name or IP address, for example \"127.0.0.1\", or set database.socket")
		}
		if s.Database.Port < 1 || s.Database.Port > 65535 {
			bad("database.port", s.Database.Port, "use a port number from 1 to 65535 (MySQL and MariaDB use 3306)")
		}
	} else if !filepath.IsAbs(s.Database.Socket) && !strings.HasPrefix(s.Database.Socket, `\\.\pipe\`) {
		bad("database.socket", s.Database.Socket, "give the full path of the server's socket file, or leave it empty to connect by host and port")
	}
	if strings.TrimSpace(s.Database.User) == "" {
		bad("database.user", s.Database.User, "give the database user name")
	}
	if n := s.Database.Name; strings.TrimSpace(n) == "" || len(n) > 64 || strings.ContainsAny(n, "/\\.`\x00") || strings.TrimSpace(n) != n {
		bad("database.name", n, "give the database's name: at most 64 characters, without '/', '\\', '.', '`' or surrounding spaces")
	}
	checkDir := func(key, v, what string) {
		if strings.TrimSpace(v) == "" || !filepath.IsAbs(v) {
			bad(key, v, "give the full path of "+what+", for example "+exampleDir(what))
		}
	}
	checkDir("media_dir", s.MediaDir, "the media folder")
	checkDir("backup_dir", s.BackupDir, "the folder for backups")
	if s.MediaDir != "" && s.BackupDir != "" && filepath.IsAbs(s.MediaDir) && filepath.IsAbs(s.BackupDir) {
		if within(s.BackupDir, s.MediaDir) {
			bad("backup_dir", s.BackupDir, "choose a folder outside the media folder (backups would otherwise contain older backups)")
		}
	}
	switch s.Schedule.Frequency {
	case Daily, Weekly, Monthly:
	default:
		bad("schedule.frequency", s.Schedule.Frequency, `use "daily", "weekly" (Sundays) or "monthly" (the 1st)`)
	}
	if !hhmm.MatchString(s.Schedule.Time) {
		bad("schedule.time", s.Schedule.Time, `use 24-hour "HH:MM", for example "02:00" or "23:30"`)
	}
	if s.RetentionDays < 1 || s.RetentionDays > 36500 {
		bad("retention_days", s.RetentionDays, "use a whole number of days from 1 to 36500")
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

func exampleDir(what string) string {
	if what == "the media folder" {
		return "/srv/ims/media"
	}
	return "/srv/ims/backups"
}

// within reports whether path is dir or lies inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// DefaultPath returns the settings file used when neither --config nor
// BACKUP_DESKTOP_CONFIG names one.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user's configuration folder: %w", err)
	}
	return filepath.Join(dir, "backup-desktop", FileName), nil
}

// ResolvePath picks the settings file: flag (from --config) first, then
// BACKUP_DESKTOP_CONFIG, then DefaultPath.
func ResolvePath(flag string) (string, error) {
	p := flag
	if p == "" {
		p = os.Getenv(EnvConfig)
	}
	if p == "" {
		return DefaultPath()
	}
	return filepath.Abs(p)
}

// Load reads and validates the settings file at path. The environment
// variable BACKUP_DESKTOP_DB_PASSWORD, when set, replaces the password.
// A missing file gives an error wrapping ErrNotFound.
func Load(path string) (Settings, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, fmt.Errorf("%w: %s does not exist; open the app to create it, or pass --config with the path of your settings file", ErrNotFound, path)
	}
	if err != nil {
		return Settings{}, fmt.Errorf("cannot read the settings file: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return Settings{}, fmt.Errorf("settings file %s: %w", path, err)
	}
	if pw, ok := os.LookupEnv(EnvPassword); ok {
		s.Database.Password = pw
	}
	return s, nil
}

// Parse decodes and validates settings JSON. Keys that are missing keep
// their default; unknown keys are refused so that a typo is not ignored.
func Parse(data []byte) (Settings, error) {
	s := Default()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return Settings{}, &FieldError{Key: te.Field, Value: te.Value, Accept: "use a " + te.Type.String() + " value"}
		case errors.As(err, &se):
			return Settings{}, fmt.Errorf("the file is not valid JSON (at byte %d: %v); fix it or delete it and set the settings again in the app", se.Offset, err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return Settings{}, errors.New("the file is not valid JSON (it ends too early); fix it or delete it and set the settings again in the app")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return Settings{}, fmt.Errorf("%s; check its spelling against the documented keys", strings.TrimPrefix(err.Error(), "json: "))
		}
		return Settings{}, fmt.Errorf("the file is not valid settings JSON: %w", err)
	}
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// Save validates s and writes it to path atomically with mode 0600. The
// folder is created when missing. Nothing is written when s is invalid.
func Save(path string, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot create the settings folder: %w", err)
	}
	if err := fsutil.WriteFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("cannot save the settings: %w", err)
	}
	return nil
}

// Redacted returns a copy without secrets, for the archive's config.json.
func (s Settings) Redacted() Settings {
	r := s
	r.Database.Password = ""
	return r
}

// StateDir is the folder that holds the lock, history, logs and restore
// journal that go with the settings file at path.
func StateDir(path string) string {
	return filepath.Dir(path)
}
