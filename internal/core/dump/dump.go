// Package dump writes and reads database_dump.json: one consistent snapshot
// of a whole MySQL/MariaDB database (schema, rows, views, triggers, routines,
// events, sequences, AUTO_INCREMENT positions) as streamed JSON, and loads
// it back into a server. The format is documented in docs/dump-format.md.
//
// Everything streams: Write reads each table row by row from one
// consistent-snapshot session and encodes it straight into the writer; Scan
// and LoadTables read the document with a small pull parser that keeps one
// row in memory at a time.
package dump

import (
	"errors"
	"time"
)

// FormatName is the value of the "format" key that every dump starts with.
const FormatName = "backup-desktop-database-dump"

// FormatVersion is the dump format this package writes and the newest one
// it reads. It grows only when older readers could not read a new dump
// correctly; new optional keys, which readers ignore, do not change it.
const FormatVersion = 1

// ErrCorrupt means the stream is not a well-formed, complete dump: cut off,
// damaged or not a dump at all. It is wrapped with the detail.
var ErrCorrupt = errors.New("the database dump is damaged or incomplete")

// ErrUnsupportedVersion means the dump was written in a newer format than
// this version of the app reads. It is wrapped with both versions.
var ErrUnsupportedVersion = errors.New("the database dump was made by a newer version of Backup Desktop")

// ErrIncompatibleTarget means the target server lacks something the dump
// needs (a character set, collation, storage engine or feature). Nothing
// has been changed when CheckTarget returns it.
var ErrIncompatibleTarget = errors.New("the database server cannot take this backup")

// Summary describes a dump: where it came from, what it holds and what a
// server needs to load it.
type Summary struct {
	FormatVersion int
	Database      string
	Flavor        string // "mariadb" or "mysql"
	ServerVersion string
	CharacterSet  string // database default
	Collation     string // database default
	CreatedUTC    time.Time
	// ConsistentSnapshot is true when every transactional table was read in
	// one snapshot.
	ConsistentSnapshot bool
	// Tables lists the tables and sequences in the order of the dump
	// (sequences first).
	Tables []TableSummary
	// NonTransactional names the tables that could not join the snapshot
	// (MyISAM, Aria, …): their rows may be from a slightly different moment.
	NonTransactional []string
	Views            int
	Triggers         int
	Routines         int
	Events           int
	// DjangoMigrations holds the rows of django_migrations in dump order, or
	// nil when the database has no such table.
	DjangoMigrations []Migration
	// Charsets, Collations and Engines name everything the dump needs on the
	// target server, sorted.
	Charsets   []string
	Collations []string
	Engines    []string
}

// TableSummary describes one table or sequence of a dump.
type TableSummary struct {
	Name   string
	Type   string // "table" or "sequence"
	Engine string
	Rows   int64 // 0 for a sequence
}

// Migration is one applied Django migration (a row of django_migrations).
type Migration struct {
	App  string
	Name string
}

// TotalRows is the number of table rows in the dump.
func (s *Summary) TotalRows() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Rows
	}
	return n
}

// Table types in the dump and in TableSummary.Type.
const (
	TypeTable    = "table"
	TypeSequence = "sequence"
)

// Column encodings: how a column's values are written in the rows.
const (
	EncNumber = "number" // a bare JSON number, the server's exact value
	EncText   = "text"   // a JSON string (UTF-8 text)
	EncBase64 = "base64" // a JSON string with the raw stored bytes, base64
)
