//go:build unix

package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/sample"
	"github.com/gofrs/flock"
)

// The demo's database and user, as the Inventory system would have them.
const (
	dbName = "inventory"
	dbUser = "ims"
	// stagingPattern matches the staging databases a restore creates
	// (inventory__bd…); the underscores are escaped because they are
	// wildcards in a GRANT's database name.
	stagingPattern = `inventory\_\_bd%`
)

type upOptions struct {
	rows       int
	mediaFiles int
	mediaBytes int64
	seed       int64
}

// state is <dir>/demo.json: what has been seeded, written after each part
// succeeds so that an interrupted `up` redoes only the unfinished part.
type state struct {
	Database *dbState    `json:"database,omitempty"`
	Media    *mediaState `json:"media,omitempty"`
}

type dbState struct {
	Rows     int       `json:"rows_option"`
	Seed     int64     `json:"seed"`
	Written  int64     `json:"rows_written"`
	SeededAt time.Time `json:"seeded_at"`
}

type mediaState struct {
	Files    int       `json:"files_option"`
	Bytes    int64     `json:"bytes_option"`
	Seed     int64     `json:"seed"`
	Written  int64     `json:"bytes_written"`
	Count    int       `json:"files_written"`
	SeededAt time.Time `json:"seeded_at"`
}

func (d *demo) readState() state {
	var st state
	if b, err := os.ReadFile(d.stateJSON); err == nil {
		json.Unmarshal(b, &st) // a damaged file means: seed again
	}
	return st
}

func (d *demo) writeState(st state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(d.stateJSON, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", d.stateJSON, err)
	}
	return nil
}

// lock keeps two bd-demo runs on one folder apart.
func (d *demo) lock() (func(), error) {
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the demo folder %s: %w", d.dir, err)
	}
	l := flock.New(filepath.Join(d.dir, ".bd-demo.lock"))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("cannot lock the demo folder: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("another bd-demo is working on %s; wait for it to finish", d.dir)
	}
	return func() { l.Unlock() }, nil
}

func (d *demo) rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}

func (d *demo) up(ctx context.Context, out io.Writer, opt upOptions) error {
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()

	// 1. The server.
	srv, err := d.runningServer()
	if err != nil {
		return err
	}
	if srv != nil {
		if srv.Version, err = ping(ctx, srv); err != nil {
			return fmt.Errorf("the demo server (pid %d) runs but does not answer on %s: %v; run `bd-demo down --dir %s` and try again", srv.PID, srv.Socket, err, d.rel(d.dir))
		}
		fmt.Fprintf(out, "MariaDB %s already running (pid %d) on %s:%d, socket %s\n", srv.Version, srv.PID, srv.Host, srv.Port, d.rel(srv.Socket))
	} else {
		installed, err := d.initDataDir()
		if err != nil {
			return err
		}
		if installed {
			fmt.Fprintf(out, "Created a new MariaDB data folder %s\n", d.rel(d.dataDir))
		}
		prev, _ := d.readServer()
		if srv, err = d.start(ctx, prev); err != nil {
			return err
		}
		fmt.Fprintf(out, "Started MariaDB %s (pid %d) on %s:%d, socket %s, log %s\n", srv.Version, srv.PID, srv.Host, srv.Port, d.rel(srv.Socket), d.rel(d.logFile))
	}

	// 2. The database and its user.
	admin, err := adminDB(srv, "")
	if err != nil {
		return err
	}
	defer admin.Close()
	password, err := d.password()
	if err != nil {
		return err
	}
	if err := createDatabaseAndUser(ctx, admin, password); err != nil {
		return err
	}
	fmt.Fprintf(out, "Database %q with user %s@localhost and %s@127.0.0.1 (ALL on %s.* and on %s.*)\n", dbName, dbUser, dbUser, dbName, stagingPattern)

	// 3. The sample data.
	st := d.readState()
	tables, err := countTables(ctx, admin)
	if err != nil {
		return err
	}
	if st.Database != nil && st.Database.Rows == opt.rows && st.Database.Seed == opt.seed && tables > 0 {
		fmt.Fprintf(out, "Database %q already seeded (%d rows on %s); kept as it is\n", dbName, st.Database.Written, st.Database.SeededAt.Local().Format("2006-01-02 15:04"))
	} else {
		st.Database = nil
		if err := d.writeState(st); err != nil {
			return err
		}
		stats, err := sample.Generate(ctx, admin, dbName, sample.Options{Rows: opt.rows, Seed: opt.seed, Replace: true})
		if err != nil {
			return fmt.Errorf("cannot fill the sample database: %w", err)
		}
		st.Database = &dbState{Rows: opt.rows, Seed: opt.seed, Written: stats.Rows, SeededAt: time.Now().UTC().Truncate(time.Second)}
		if err := d.writeState(st); err != nil {
			return err
		}
		fmt.Fprintf(out, "Seeded %q: %d rows in %d tables (%.1f MB of table data) in %.1fs\n",
			dbName, stats.Rows, len(stats.Tables), float64(stats.DataBytes)/1e6, stats.Elapsed.Seconds())
	}

	// 4. The media folder.
	if m := st.Media; m != nil && m.Files == opt.mediaFiles && m.Bytes == opt.mediaBytes && m.Seed == opt.seed && dirExists(d.mediaDir) {
		fmt.Fprintf(out, "Media folder %s already made (%d files, %.1f MB); kept as it is\n", d.rel(d.mediaDir), m.Count, float64(m.Written)/1e6)
	} else {
		st.Media = nil
		if err := d.writeState(st); err != nil {
			return err
		}
		if err := os.RemoveAll(d.mediaDir); err != nil {
			return fmt.Errorf("cannot clear the old media folder: %w", err)
		}
		ms, err := sample.GenerateMedia(d.mediaDir, sample.MediaOptions{Files: opt.mediaFiles, Bytes: opt.mediaBytes, Seed: opt.seed})
		if err != nil {
			return fmt.Errorf("cannot make the media folder: %w", err)
		}
		st.Media = &mediaState{Files: opt.mediaFiles, Bytes: opt.mediaBytes, Seed: opt.seed, Written: ms.Bytes, Count: ms.Files, SeededAt: time.Now().UTC().Truncate(time.Second)}
		if err := d.writeState(st); err != nil {
			return err
		}
		fmt.Fprintf(out, "Made the media folder %s: %d files (%d jpg, %d png, %d pdf, %d csv), %.1f MB, and the empty folder %s\n",
			d.rel(d.mediaDir), ms.Files, ms.Kinds["jpg"], ms.Kinds["png"], ms.Kinds["pdf"], ms.Kinds["csv"], float64(ms.Bytes)/1e6, sample.EmptyDir)
	}

	// 5. The settings.
	if err := os.MkdirAll(d.backupDir, 0o755); err != nil {
		return fmt.Errorf("cannot create the backup folder: %w", err)
	}
	s, kept := d.loadSettings()
	s.Database.Engine = "mysql"
	s.Database.Host = srv.Host
	s.Database.Port = srv.Port
	s.Database.Socket = ""
	s.Database.User = dbUser
	s.Database.Password = password
	s.Database.Name = dbName
	s.MediaDir = d.mediaDir
	s.BackupDir = d.backupDir
	if err := settings.Save(d.settings, s); err != nil {
		return fmt.Errorf("cannot write the demo settings: %w", err)
	}
	what := "Wrote"
	if kept {
		what = "Updated"
	}
	fmt.Fprintf(out, "%s %s (backups to %s, %s backups at %s, kept %d days)\n", what, d.rel(d.settings), d.rel(d.backupDir), s.Schedule.Frequency, s.Schedule.Time, s.RetentionDays)
	fmt.Fprintf(out, "\nNext: backup-desktop --config %s create-backup\nStop the server with: bd-demo down --dir %s\n", d.rel(d.settings), d.rel(d.dir))
	return nil
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// loadSettings returns the demo settings file's content when it is valid
// (so that changes made in the app survive another `up`), else defaults.
// The file is parsed directly: the password override from the environment
// must not be written into it.
func (d *demo) loadSettings() (settings.Settings, bool) {
	if b, err := os.ReadFile(d.settings); err == nil {
		if s, err := settings.Parse(b); err == nil {
			return s, true
		}
	}
	return settings.Default(), false
}

// password keeps the password already in the settings file, or makes one.
func (d *demo) password() (string, error) {
	if s, ok := d.loadSettings(); ok && s.Database.Password != "" {
		return s.Database.Password, nil
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a password: %w", err)
	}
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	pw := []byte("demo-")
	for _, c := range b {
		pw = append(pw, letters[int(c)%len(letters)])
	}
	return string(pw), nil
}

func createDatabaseAndUser(ctx context.Context, db *sql.DB, password string) error {
	stmts := []string{
		"CREATE DATABASE IF NOT EXISTS `" + dbName + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
	}
	for _, host := range []string{"localhost", "127.0.0.1"} {
		acct := "'" + dbUser + "'@'" + host + "'"
		stmts = append(stmts,
			"CREATE USER IF NOT EXISTS "+acct+" IDENTIFIED BY "+quote(password),
			"ALTER USER "+acct+" IDENTIFIED BY "+quote(password),
			"GRANT ALL PRIVILEGES ON `"+dbName+"`.* TO "+acct,
			"GRANT ALL PRIVILEGES ON `"+stagingPattern+"`.* TO "+acct,
		)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("cannot set up the demo database and user (%s): %w", strings.SplitN(q, " IDENTIFIED", 2)[0], err)
		}
	}
	return nil
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func countTables(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", dbName).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("cannot list the tables of %s: %w", dbName, err)
	}
	return n, nil
}

func (d *demo) down(out io.Writer) error {
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	srv, err := d.runningServer()
	if err != nil {
		return err
	}
	if srv == nil {
		fmt.Fprintf(out, "The demo server in %s is not running\n", d.rel(d.dir))
		return nil
	}
	if err := d.stop(srv, 2*time.Minute); err != nil {
		return err
	}
	srv.PID = 0
	if err := d.writeServer(srv); err != nil {
		return err
	}
	fmt.Fprintf(out, "Stopped the demo MariaDB server; its data stays in %s (`bd-demo up` starts it again, `rm -rf %s` removes the demo)\n", d.rel(d.dataDir), d.rel(d.dir))
	return nil
}

func (d *demo) status(ctx context.Context, out io.Writer) error {
	if !dirExists(d.dir) {
		fmt.Fprintf(out, "No demo in %s; run `bd-demo up --dir %s`\n", d.rel(d.dir), d.rel(d.dir))
		return nil
	}
	srv, err := d.runningServer()
	if err != nil {
		return err
	}
	if srv == nil {
		fmt.Fprintf(out, "Server:   stopped (data in %s)\n", d.rel(d.dataDir))
	} else {
		v, err := ping(ctx, srv)
		if err != nil {
			fmt.Fprintf(out, "Server:   running (pid %d) but not answering: %v\n", srv.PID, err)
		} else {
			fmt.Fprintf(out, "Server:   MariaDB %s running (pid %d) on %s:%d, socket %s\n", v, srv.PID, srv.Host, srv.Port, d.rel(srv.Socket))
			if db, err := adminDB(srv, ""); err == nil {
				var tables int
				var rows sql.NullInt64
				err := db.QueryRowContext(ctx, "SELECT COUNT(*), SUM(TABLE_ROWS) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", dbName).Scan(&tables, &rows)
				if err == nil {
					fmt.Fprintf(out, "Database: %q, %d tables, about %d rows\n", dbName, tables, rows.Int64)
				}
				db.Close()
			}
		}
		fmt.Fprintf(out, "Log:      %s\n", d.rel(d.logFile))
	}
	if n, size, err := countFiles(d.mediaDir); err == nil {
		fmt.Fprintf(out, "Media:    %s, %d files, %.1f MB\n", d.rel(d.mediaDir), n, float64(size)/1e6)
	}
	if _, err := os.Stat(d.settings); err == nil {
		fmt.Fprintf(out, "Settings: %s\n", d.rel(d.settings))
	}
	if entries, err := os.ReadDir(d.backupDir); err == nil {
		fmt.Fprintf(out, "Backups:  %s, %d files\n", d.rel(d.backupDir), len(entries))
	}
	return nil
}

func countFiles(dir string) (int, int64, error) {
	var n int
	var size int64
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			fi, err := e.Info()
			if err != nil {
				return err
			}
			n++
			size += fi.Size()
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, err
	}
	return n, size, err
}
