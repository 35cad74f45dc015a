// Package archive writes, checks and reads the backup ZIP file: the database
// dump, the media folder, the settings used (without secrets) and a manifest
// that lists every other entry with its size and SHA-256.
//
// Layout of a backup (entries in this order):
//
//	database_dump.json   the database (see package dump), deflated
//	media/               the media folder: every file, relative paths with
//	media/…              '/', one "media/dir/" entry per folder (so empty
//	                     folders are kept), modification times kept;
//	                     already-compressed formats stored, the rest deflated
//	config.json          the settings used, with every secret removed
//	manifest.json        written last: an archive without it is unfinished
//
// Create writes the archive under a hidden temporary name in the backup
// folder and renames it only when it is complete and on disk, so a crash,
// a kill or a full disk never leaves a file that looks like a finished
// backup. Verify checks an archive completely; Open and Reader.ExtractMedia
// read it for a restore and are safe on hostile archives.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/dump"
)

// FormatVersion is the version of the archive layout and manifest written by
// this package. Readers refuse archives with a higher version.
const FormatVersion = 1

// Names of the fixed entries of a backup.
const (
	DumpEntry     = "database_dump.json"
	ConfigEntry   = "config.json"
	ManifestEntry = "manifest.json"
	// MediaPrefix starts the name of every media entry; "media/" itself is
	// the entry of the media folder.
	MediaPrefix = "media/"
)

// maxManifestSize bounds how much of manifest.json is read, so that a
// hostile archive cannot make the reader allocate without limit. A manifest
// of a million media files stays well below it.
const maxManifestSize = 256 << 20

// Manifest is manifest.json, the table of contents of a backup. Its JSON
// form (snake_case keys) is:
//
//	{
//	  "format_version": 1,
//	  "app_version": "1.0.0",
//	  "created_utc": "2026-03-29T00:30:05Z",
//	  "local_offset": "+02:00",
//	  "host": "shop-pc",
//	  "kind": "daily",                       // manual, daily, weekly, monthly, pre_restore, custom
//	  "database": {"engine": "mysql", "flavor": "mariadb",
//	               "server_version": "10.11.19-MariaDB", "name": "inventory"},
//	  "dump_format_version": 1,
//	  "tables": {"products": 1200, "django_migrations": 42},   // rows per table
//	  "non_transactional_tables": ["legacy_log"],              // not in the snapshot
//	  "schema": {"character_set": "utf8mb4", "collation": "utf8mb4_general_ci",
//	             "charsets": […], "collations": […], "engines": ["InnoDB"],
//	             "tables": [{"name": "products", "type": "table", "engine": "InnoDB", "rows": 1200}, …],
//	             "views": 2, "triggers": 1, "routines": 0, "events": 0,
//	             "django_migrations": [["auth", "0001_initial"], …]},
//	  "media": {"files": 310, "bytes": 52428800, "empty_dirs": 2},
//	  "skipped": ["media/current-logo.png"],                    // symlinks, special files
//	  "entries": [                                              // every other file entry, one per line
//	    {"name": "database_dump.json", "size": 123456, "sha256": "9f86d0…"}, …]
//	}
//
// "size" is the entry's uncompressed size in bytes and "sha256" the
// lowercase hex SHA-256 of its uncompressed content. "entries" lists every
// file entry except manifest.json itself; folder entries ("media/…/") are
// not listed.
type Manifest struct {
	FormatVersion int          `json:"format_version"`
	AppVersion    string       `json:"app_version"`
	CreatedUTC    time.Time    `json:"created_utc"`
	LocalOffset   string       `json:"local_offset"`
	Host          string       `json:"host"`
	Kind          string       `json:"kind"`
	Database      DatabaseInfo `json:"database"`
	// DumpFormatVersion is the format version of database_dump.json.
	DumpFormatVersion      int              `json:"dump_format_version"`
	Tables                 map[string]int64 `json:"tables"`
	NonTransactionalTables []string         `json:"non_transactional_tables"`
	// Schema says what the dump needs from a server and what it holds,
	// so that a restore can check the target and show what it will
	// replace before reading the dump.
	Schema *SchemaInfo `json:"schema,omitempty"`
	Media  MediaInfo   `json:"media"`
	// Skipped names the media entries that were not backed up: symbolic
	// links and special files (they are not followed), files that vanished
	// while the backup ran, and names a ZIP file cannot carry safely.
	Skipped []string `json:"skipped"`
	// Entries comes last in the file: Create writes it one entry at a
	// time after the rest (see writeManifest).
	Entries []Entry `json:"entries,omitempty"`
}

// DatabaseInfo describes the database a backup was taken from.
type DatabaseInfo struct {
	Engine        string `json:"engine"` // the settings' engine, "mysql"
	Flavor        string `json:"flavor"` // "mariadb" or "mysql"
	ServerVersion string `json:"server_version"`
	Name          string `json:"name"`
}

// SchemaInfo is the part of the dump's summary a restore needs up front.
type SchemaInfo struct {
	CharacterSet string      `json:"character_set"` // the database's default
	Collation    string      `json:"collation"`
	Charsets     []string    `json:"charsets"` // everything the dump uses
	Collations   []string    `json:"collations"`
	Engines      []string    `json:"engines"`
	Tables       []TableInfo `json:"tables"` // in dump order
	Views        int         `json:"views"`
	Triggers     int         `json:"triggers"`
	Routines     int         `json:"routines"`
	Events       int         `json:"events"`
	// DjangoMigrations lists the applied Django migrations as [app, name]
	// pairs; null when the database has no django_migrations table.
	DjangoMigrations [][2]string `json:"django_migrations"`
}

// TableInfo is one table or sequence of the dump.
type TableInfo struct {
	Name   string `json:"name"`
	Type   string `json:"type"` // "table" or "sequence"
	Engine string `json:"engine"`
	Rows   int64  `json:"rows"`
}

// DumpSummary rebuilds the dump's summary from the manifest, for the checks
// a restore makes before it reads the dump. Nil when the manifest has no
// schema part.
func (m *Manifest) DumpSummary() *dump.Summary {
	sc := m.Schema
	if sc == nil {
		return nil
	}
	s := &dump.Summary{
		FormatVersion: m.DumpFormatVersion, Database: m.Database.Name,
		Flavor: m.Database.Flavor, ServerVersion: m.Database.ServerVersion,
		CharacterSet: sc.CharacterSet, Collation: sc.Collation, CreatedUTC: m.CreatedUTC,
		NonTransactional: m.NonTransactionalTables,
		Views:            sc.Views, Triggers: sc.Triggers, Routines: sc.Routines, Events: sc.Events,
		Charsets: sc.Charsets, Collations: sc.Collations, Engines: sc.Engines,
	}
	for _, t := range sc.Tables {
		s.Tables = append(s.Tables, dump.TableSummary{Name: t.Name, Type: t.Type, Engine: t.Engine, Rows: t.Rows})
	}
	if sc.DjangoMigrations != nil {
		s.DjangoMigrations = make([]dump.Migration, len(sc.DjangoMigrations))
		for i, p := range sc.DjangoMigrations {
			s.DjangoMigrations[i] = dump.Migration{App: p[0], Name: p[1]}
		}
	}
	return s
}

// MediaInfo counts the media folder's content in a backup.
type MediaInfo struct {
	Files     int   `json:"files"`
	Bytes     int64 `json:"bytes"`
	EmptyDirs int   `json:"empty_dirs"`
}

// Entry is one file entry of the archive.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 Digest `json:"sha256"`
}

// Digest is a SHA-256 checksum. In JSON it is 64 lowercase hex digits; it is
// kept as bytes because a backup may list many thousands of them.
type Digest [sha256.Size]byte

// String returns d as lowercase hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MarshalText returns d as lowercase hex.
func (d Digest) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, d[:]), nil }

// UnmarshalText reads 64 lowercase hex digits.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*sha256.Size {
		return fmt.Errorf("invalid SHA-256 %q: it has %d characters, not %d", b, len(b), 2*sha256.Size)
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("invalid SHA-256 %q: it is not lowercase hex", b)
		}
	}
	_, err := hex.Decode(d[:], b)
	return err
}

// Created returns the moment the backup was made, in the time zone offset
// of the computer that made it.
func (m *Manifest) Created() time.Time {
	if t, err := time.Parse("-07:00", m.LocalOffset); err == nil {
		_, off := t.Zone()
		return m.CreatedUTC.In(time.FixedZone(m.LocalOffset, off))
	}
	return m.CreatedUTC
}

// isMedia reports whether an entry name belongs to the media folder.
func isMedia(name string) bool { return strings.HasPrefix(name, MediaPrefix) }
