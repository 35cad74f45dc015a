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
	"strings"
	"time"
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
//	  "media": {"files": 310, "bytes": 52428800, "empty_dirs": 2},
//	  "entries": [{"name": "database_dump.json", "size": 123456,
//	               "sha256": "9f86d0…"}, …],                     // every other file entry
//	  "skipped": ["media/current-logo.png"]                     // symlinks, special files
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
	Media                  MediaInfo        `json:"media"`
	Entries                []Entry          `json:"entries"`
	// Skipped names the media entries that were not backed up: symbolic
	// links and special files (they are not followed), files that vanished
	// while the backup ran, and names a ZIP file cannot carry safely.
	Skipped []string `json:"skipped"`
}

// DatabaseInfo describes the database a backup was taken from.
type DatabaseInfo struct {
	Engine        string `json:"engine"` // the settings' engine, "mysql"
	Flavor        string `json:"flavor"` // "mariadb" or "mysql"
	ServerVersion string `json:"server_version"`
	Name          string `json:"name"`
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
	SHA256 string `json:"sha256"`
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
