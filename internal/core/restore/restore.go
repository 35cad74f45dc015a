// Package restore puts a backup back: the database and the media folder,
// all or nothing.
//
// How: the backup is first loaded into a staging database (<name>__bd_new)
// and a staging media folder beside the live one, while the live database and
// media folder stay untouched. Only when both are complete does the switch
// happen: the live views, triggers, routines and events are dropped, one
// RENAME TABLE statement moves every live table into <name>__bd_old and every
// staged table into the live database (atomic on the server, and crash-safe
// in MariaDB 10.6+), the backup's objects are created, and the media folders
// are swapped by two renames. A journal in the state folder, written and
// synced before each step, records what was there before; if the process is
// killed or the server goes away at any point, Recover (run before every
// backup or restore) either puts the previous state back or, once the switch
// is complete, removes the previous copies. See docs/restore.md.
package restore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/dbconn"
	"github.com/backupdesktop/backup-desktop/internal/core/dump"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Options configure a restore.
type Options struct {
	Settings settings.Settings
	// StateDir holds the restore journal.
	StateDir string
	// Archive is the backup file to restore.
	Archive  string
	Progress progress.Func
	Log      *slog.Logger
	// BeforeSwitch runs after the backup is loaded and checked, and before
	// the switch: the safety backup of the current data. An error stops
	// the restore with nothing changed.
	BeforeSwitch func(ctx context.Context) error
}

// Plan is what a restore will do, found out without changing anything. The
// window and the command line show it before asking for confirmation.
type Plan struct {
	Archive  string
	Manifest *archive.Manifest // without Entries
	Dump     *dump.Summary
	// Database is the live database that will be replaced.
	Database       string
	DatabaseExists bool
	CurrentTables  int
	CurrentRows    int64 // the server's estimate
	MediaDir       string
	CurrentFiles   int
	// MigrationsWarning is non-empty when the backup's Django migrations
	// differ from the current database's.
	MigrationsWarning string
}

// Result is what a finished restore did.
type Result struct {
	Plan     *Plan
	Tables   int
	Rows     int64
	Files    int
	Duration time.Duration
}

// ErrLeftover is returned when a staging database exists that no journal
// explains, so it might hold someone's data.
var ErrLeftover = errors.New("leftover staging database")

// StageName and OldName are the temporary databases a restore of database
// name uses. Database user rights must allow creating and dropping them.
func StageName(name string) string { return tempName(name, "__bd_new") }

// OldName is the database that holds the previous tables during the switch.
func OldName(name string) string { return tempName(name, "__bd_old") }

func tempName(name, suffix string) string {
	if len(name)+len(suffix) <= 64 {
		return name + suffix
	}
	sum := sha256.Sum256([]byte(name))
	keep := 64 - len(suffix) - 9
	return name[:keep] + "_" + hex.EncodeToString(sum[:4]) + suffix
}

func mediaTemp(mediaDir, suffix string) string {
	dir := filepath.Clean(mediaDir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+suffix)
}

func qi(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// Prepare checks everything a restore needs and describes what it will
// replace. It changes nothing the user has (it creates and drops the empty
// staging database to prove the rights are there).
//
// It reads the archive's structure and manifest, not its content: every
// byte is checked while Execute loads it into the staging copies (the
// checksums of the dump and of each media file, the dump's structure and
// row counts), before anything live changes. An archive whose manifest
// lacks the schema part is verified completely here instead.
func Prepare(ctx context.Context, o Options) (*Plan, error) {
	o.Progress.Report(progress.Event{Phase: "Checking backup"})
	ar, err := archive.Open(o.Archive)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	if err := ar.CheckStructure(); err != nil {
		return nil, err
	}
	m, sum := ar.Manifest(), ar.Manifest().DumpSummary()
	if sum == nil {
		rep, err := archive.Verify(ctx, o.Archive, o.Progress)
		if err != nil {
			return nil, err
		}
		sum = rep.Dump
	}
	s := o.Settings
	srv, err := dbconn.OpenDB(ctx, s.Database, "")
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	if err := dump.CheckTarget(ctx, srv, sum); err != nil {
		return nil, fmt.Errorf("the database server cannot take this backup: %w", err)
	}
	// The plan keeps what the manifest says of the backup, not its list of
	// entries (one per media file): Execute reads the archive again.
	described := *m
	described.Entries = nil
	p := &Plan{Archive: o.Archive, Manifest: &described, Dump: sum, Database: s.Database.Name, MediaDir: s.MediaDir}
	if p.DatabaseExists, err = databaseExists(ctx, srv, p.Database); err != nil {
		return nil, err
	}
	if p.DatabaseExists {
		err := srv.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(TABLE_ROWS),0) FROM information_schema.TABLES
			WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW'`, p.Database).Scan(&p.CurrentTables, &p.CurrentRows)
		if err != nil {
			return nil, fmt.Errorf("cannot read the current database: %w", err)
		}
	}
	for _, name := range []string{StageName(p.Database), OldName(p.Database)} {
		exists, err := databaseExists(ctx, srv, name)
		if err != nil {
			return nil, err
		}
		if exists {
			return nil, fmt.Errorf("%w: the database %q exists, probably left by an interrupted restore that this app has no record of; check that it holds nothing you need, drop it, and try again", ErrLeftover, name)
		}
	}
	if err := checkCreateRights(ctx, srv, s.Database.User, StageName(p.Database)); err != nil {
		return nil, err
	}
	p.CurrentFiles, err = countFiles(s.MediaDir)
	if err != nil {
		return nil, err
	}
	if p.DatabaseExists {
		p.MigrationsWarning, err = migrationsWarning(ctx, srv, p.Database, sum.DjangoMigrations)
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

func databaseExists(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("cannot list the server's databases: %w", err)
	}
	return n > 0, nil
}

func checkCreateRights(ctx context.Context, db *sql.DB, user, stage string) error {
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+qi(stage)); err != nil {
		return fmt.Errorf("the database user %q may not create the temporary database %q that a safe restore loads into first (%v); "+
			"as the server's administrator run: GRANT ALL ON `%s`.* TO '%s'@'%%' (adjust the host part) and try again",
			user, stage, err, strings.ReplaceAll(strings.TrimSuffix(stage, "_new"), "_", `\_`)+"%", user)
	}
	if _, err := db.ExecContext(ctx, "DROP DATABASE "+qi(stage)); err != nil {
		return fmt.Errorf("cannot drop the temporary database %q: %w", stage, err)
	}
	return nil
}

func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot read the media folder: %w", err)
	}
	return n, nil
}

func migrationsWarning(ctx context.Context, db *sql.DB, database string, backup []dump.Migration) (string, error) {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'django_migrations'`, database).Scan(&exists); err != nil {
		return "", err
	}
	if exists == 0 && backup == nil {
		return "", nil
	}
	current := map[dump.Migration]bool{}
	if exists > 0 {
		rows, err := db.QueryContext(ctx, "SELECT app, name FROM "+qi(database)+".django_migrations")
		if err != nil {
			return "", fmt.Errorf("cannot read the current django_migrations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m dump.Migration
			if err := rows.Scan(&m.App, &m.Name); err != nil {
				return "", err
			}
			current[m] = true
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	inBackup := map[dump.Migration]bool{}
	for _, m := range backup {
		inBackup[m] = true
	}
	var onlyCurrent, onlyBackup []string
	for m := range current {
		if !inBackup[m] {
			onlyCurrent = append(onlyCurrent, m.App+"."+m.Name)
		}
	}
	for m := range inBackup {
		if !current[m] {
			onlyBackup = append(onlyBackup, m.App+"."+m.Name)
		}
	}
	if len(onlyCurrent) == 0 && len(onlyBackup) == 0 {
		return "", nil
	}
	sort.Strings(onlyCurrent)
	sort.Strings(onlyBackup)
	var b strings.Builder
	b.WriteString("The backup's database schema (Django migrations) differs from the current one")
	if len(onlyCurrent) > 0 {
		fmt.Fprintf(&b, "; %d applied now but not in the backup (%s)", len(onlyCurrent), sample(onlyCurrent))
	}
	if len(onlyBackup) > 0 {
		fmt.Fprintf(&b, "; %d in the backup but not applied now (%s)", len(onlyBackup), sample(onlyBackup))
	}
	b.WriteString(". After restoring, run the Inventory system's migrations (python manage.py migrate) so the program and the data match.")
	return b.String(), nil
}

func sample(list []string) string {
	if len(list) > 3 {
		return strings.Join(list[:3], ", ") + ", …"
	}
	return strings.Join(list, ", ")
}

// Execute carries out a prepared restore. The caller holds the global lock,
// has run Recover, and has taken the safety backup. On any failure the live
// database and media folder are left as they were; if even putting them back
// fails (the server is gone), the journal stays and the next Recover does it.
func Execute(ctx context.Context, p *Plan, o Options) (*Result, error) {
	start := time.Now()
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := o.Settings
	j := &journal{
		Version: 1, State: stateStaging, Started: start, Archive: p.Archive,
		Database: p.Database, StageDB: StageName(p.Database), OldDB: OldName(p.Database),
		MediaDir: filepath.Clean(s.MediaDir), MediaNew: mediaTemp(s.MediaDir, ".bd-new"), MediaOld: mediaTemp(s.MediaDir, ".bd-old"),
		NewCharset: p.Dump.CharacterSet, NewCollation: p.Dump.Collation,
	}
	if err := j.save(o.StateDir); err != nil {
		return nil, err
	}
	srv, err := dbconn.OpenDB(ctx, s.Database, "")
	if err != nil {
		removeJournal(o.StateDir)
		return nil, err
	}
	defer srv.Close()

	res, err := stage(ctx, srv, p, j, o)
	checkpoint("staged")
	if err == nil && o.BeforeSwitch != nil {
		err = o.BeforeSwitch(ctx)
	}
	if err == nil {
		err = swap(context.WithoutCancel(ctx), srv, j, o)
	}
	if err != nil {
		log.Error("restore failed, putting the previous state back", "err", err)
		if rerr := recoverJournal(context.WithoutCancel(ctx), srv, j, o.StateDir, log); rerr != nil {
			return nil, fmt.Errorf("%w; putting the previous state back could not finish either (%v): it will be completed the next time the app runs a backup or restore", err, rerr)
		}
		return nil, err
	}
	if err := finish(context.WithoutCancel(ctx), srv, j, o.StateDir); err != nil {
		// The restore is complete; only the previous copies remain.
		log.Warn("restore finished but the previous copies could not be removed yet", "err", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// stage loads the backup into the staging database and media folder.
func stage(ctx context.Context, srv *sql.DB, p *Plan, j *journal, o Options) (*Result, error) {
	sum := p.Dump
	create := "CREATE DATABASE " + qi(j.StageDB)
	if sum.CharacterSet != "" {
		create += " CHARACTER SET " + sum.CharacterSet
	}
	if sum.Collation != "" {
		create += " COLLATE " + sum.Collation
	}
	if _, err := srv.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("cannot create the staging database %q: %w", j.StageDB, err)
	}
	ar, err := archive.Open(p.Archive)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	rd, err := ar.OpenDump()
	if err != nil {
		return nil, err
	}
	o.Progress.Report(progress.Event{Phase: "Loading database"})
	loaded, objs, err := dump.LoadTables(ctx, srv, j.StageDB, rd, dump.LoadOptions{Progress: o.Progress, Log: logFunc(o.Log), Expected: p.Dump})
	// Read to the end: the dump's checksum is checked there.
	_, drainErr := io.Copy(io.Discard, rd)
	rd.Close()
	if err = dumpError(p.Archive, err, drainErr); err != nil {
		return nil, fmt.Errorf("loading the backup's database failed: %w", dbconn.Explain(err, o.Settings.Database))
	}
	if err := ar.CheckRows(loaded); err != nil {
		return nil, err
	}
	j.NewObjects = objs
	o.Progress.Report(progress.Event{Phase: "Restoring media files"})
	if err := os.MkdirAll(filepath.Dir(j.MediaDir), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the folder that holds the media folder: %w", err)
	}
	if err := os.RemoveAll(j.MediaNew); err != nil {
		return nil, err
	}
	if err := os.Mkdir(j.MediaNew, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the staging media folder beside %s: %w", j.MediaDir, err)
	}
	if err := ar.ExtractMedia(ctx, j.MediaNew, o.Progress); err != nil {
		return nil, fmt.Errorf("restoring the media files failed: %w", err)
	}
	res := &Result{Plan: p, Tables: len(loaded.Tables)}
	for _, t := range loaded.Tables {
		res.Rows += t.Rows
	}
	if p.Manifest != nil {
		res.Files = p.Manifest.Media.Files
	}
	return res, ctx.Err()
}

// dumpError says what went wrong reading the dump, putting damage to the
// archive first: a damaged dump often also fails to parse or load.
func dumpError(path string, loadErr, drainErr error) error {
	var ce *archive.CorruptEntryError
	switch {
	case errors.As(loadErr, &ce):
		return ce
	case errors.As(drainErr, &ce):
		return ce
	case errors.Is(loadErr, dump.ErrUnsupportedVersion):
		return fmt.Errorf("%w: %w; update Backup Desktop to use this backup", archive.ErrUnsupportedVersion, loadErr)
	case errors.Is(loadErr, dump.ErrCorrupt):
		return &archive.CorruptEntryError{Path: path, Name: archive.DumpEntry, Reason: "is not a complete, well-formed database dump", Err: loadErr}
	case loadErr != nil:
		return loadErr
	case drainErr != nil:
		return &archive.CorruptEntryError{Path: path, Name: archive.DumpEntry, Reason: "cannot be read", Err: drainErr}
	}
	return nil
}

// swap makes the staged copies live. It runs to its end even if the caller
// cancels: the journal covers a kill, but a cancel must not stop it midway.
func swap(ctx context.Context, srv *sql.DB, j *journal, o Options) error {
	o.Progress.Report(progress.Event{Phase: "Switching to the restored data"})
	var err error
	if j.OldTables, err = tables(ctx, srv, j.Database); err != nil {
		return err
	}
	if j.NewTables, err = tables(ctx, srv, j.StageDB); err != nil {
		return err
	}
	exists, err := databaseExists(ctx, srv, j.Database)
	if err != nil {
		return err
	}
	if !exists {
		if _, err := srv.ExecContext(ctx, "CREATE DATABASE "+qi(j.Database)); err != nil {
			return fmt.Errorf("cannot create the database %q: %w", j.Database, err)
		}
		j.CreatedDB = true
	}
	if j.OldObjects, err = dump.ReadObjects(ctx, srv, j.Database); err != nil {
		return fmt.Errorf("cannot read the current views, triggers and routines: %w", err)
	}
	if err := srv.QueryRowContext(ctx, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME
		FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, j.Database).Scan(&j.OldCharset, &j.OldCollation); err != nil {
		return err
	}
	seqDefaults, err := sequenceDefaults(ctx, srv, j.StageDB, j.Database)
	if err != nil {
		return err
	}
	if _, err := srv.ExecContext(ctx, "CREATE DATABASE "+qi(j.OldDB)); err != nil {
		return fmt.Errorf("cannot create the temporary database %q: %w", j.OldDB, err)
	}
	if _, err := os.Lstat(j.MediaDir); err == nil {
		j.MediaExisted = true
	}
	j.State = stateSwapping
	if err := j.save(o.StateDir); err != nil {
		return err
	}
	// From here on every step is undone by rollback() if anything fails.
	checkpoint("swap-begin")
	if err := dump.DropObjects(ctx, srv, j.Database, j.OldObjects); err != nil {
		return fmt.Errorf("cannot remove the current views, triggers and routines: %w", err)
	}
	checkpoint("swap-dropped")
	var renames []string
	for _, t := range j.OldTables {
		renames = append(renames, qi(j.Database)+"."+qi(t)+" TO "+qi(j.OldDB)+"."+qi(t))
	}
	for _, t := range j.NewTables {
		renames = append(renames, qi(j.StageDB)+"."+qi(t)+" TO "+qi(j.Database)+"."+qi(t))
	}
	if len(renames) > 0 {
		if _, err := srv.ExecContext(ctx, "RENAME TABLE "+strings.Join(renames, ", ")); err != nil {
			return fmt.Errorf("cannot switch the tables over: %w", err)
		}
	}
	checkpoint("swap-renamed")
	for _, stmt := range seqDefaults {
		if _, err := srv.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("cannot point a column's default at the restored sequence: %w", err)
		}
	}
	if err := dump.CreateObjects(ctx, srv, j.Database, j.NewObjects); err != nil {
		return fmt.Errorf("cannot create the backup's views, triggers and routines: %w", err)
	}
	checkpoint("swap-objects")
	if sum := charsetClause(j.NewCharset, j.NewCollation, j); sum != "" {
		if _, err := srv.ExecContext(ctx, "ALTER DATABASE "+qi(j.Database)+sum); err != nil {
			return fmt.Errorf("cannot set the database's character set: %w", err)
		}
	}
	if j.MediaExisted {
		if err := os.Rename(j.MediaDir, j.MediaOld); err != nil {
			return fmt.Errorf("cannot move the current media folder aside: %w", err)
		}
	}
	checkpoint("swap-media-old")
	if err := os.Rename(j.MediaNew, j.MediaDir); err != nil {
		return fmt.Errorf("cannot put the restored media folder in place: %w", err)
	}
	checkpoint("swap-media-new")
	j.State = stateCommitted
	if err := j.save(o.StateDir); err != nil {
		return err
	}
	checkpoint("committed")
	return nil
}

// charsetClause returns the ALTER DATABASE clause that gives the live
// database the backup's defaults, or "" when they already match.
func charsetClause(charset, collation string, j *journal) string {
	if charset == "" || (charset == j.OldCharset && collation == j.OldCollation) {
		return ""
	}
	c := " CHARACTER SET " + charset
	if collation != "" {
		c += " COLLATE " + collation
	}
	return c
}

// sequenceDefaults returns the statements that, after the switch, point
// column defaults such as NEXTVAL(seq) at the live database: the server
// binds them to the database a table was created in (the staging one) and
// RENAME TABLE keeps that binding.
func sequenceDefaults(ctx context.Context, db *sql.DB, stage, live string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND COLUMN_DEFAULT LIKE ?`, stage, "%"+qi(stage)+".%")
	if err != nil {
		return nil, fmt.Errorf("cannot read the staged column defaults: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, column, def string
		if err := rows.Scan(&table, &column, &def); err != nil {
			return nil, err
		}
		def = strings.ReplaceAll(def, qi(stage)+".", qi(live)+".")
		out = append(out, "ALTER TABLE "+qi(live)+"."+qi(table)+" ALTER COLUMN "+qi(column)+" SET DEFAULT "+def)
	}
	return out, rows.Err()
}

// tables lists the base tables and sequences of database (not views).
func tables(ctx context.Context, db *sql.DB, database string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW' ORDER BY TABLE_NAME`, database)
	if err != nil {
		return nil, fmt.Errorf("cannot list the tables of %q: %w", database, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func logFunc(l *slog.Logger) func(string) {
	if l == nil {
		return nil
	}
	return func(msg string) { l.Info(msg) }
}
