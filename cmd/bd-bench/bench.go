package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/sample"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// Config says what to measure and how.
type Config struct {
	// Rows is the database's size in rows (sample.BenchRows by default).
	Rows int
	// MediaFiles and MediaBytes size the media folder; 0 scales them with
	// Rows (4000 files and 500 MiB at the default scale).
	MediaFiles int
	MediaBytes int64
	// Seed makes the data; the same seed gives the same data.
	Seed int64
	// Reps is the number of timed runs of every contender (after one
	// untimed warm-up run each); the table shows their median.
	Reps int
	// QuickReps is the number of timed runs of the contenders that take
	// about a second (the media rows), whose single runs vary the most
	// (3 × Reps by default).
	QuickReps int
	// Growth also measures our peak memory at twice the scale.
	Growth bool
	// RestoreWarmUp gives the restores (ours, mysql, myloader) an untimed
	// warm-up run too. Their inputs are cached anyway, written just before
	// by the backups' warm-up runs, and each restore loads into a new
	// database; without it make bench takes a quarter less time.
	RestoreWarmUp bool
	// CLI is the command that runs our command line (the built binary).
	CLI []string
	// CLIEnv is added to the environment of CLI.
	CLIEnv []string
	// WorkDir holds the media, settings, backups and dumps; empty means a
	// temporary folder, removed at the end unless Keep.
	WorkDir string
	Keep    bool
	// BufferPool is the private server's innodb_buffer_pool_size.
	BufferPool string
	// ProfileDir, when set, receives CPU profiles of an in-process database
	// backup and restore (made after the timed runs).
	ProfileDir string
	// Log receives progress lines.
	Log io.Writer
}

func (c *Config) defaults() {
	if c.Rows <= 0 {
		c.Rows = sample.BenchRows
	}
	if c.MediaFiles <= 0 {
		c.MediaFiles = mediaFilesFor(c.Rows)
	}
	if c.MediaBytes <= 0 {
		c.MediaBytes = mediaBytesFor(c.Rows)
	}
	if c.Reps <= 0 {
		c.Reps = 3
	}
	if c.QuickReps <= 0 {
		c.QuickReps = 3 * c.Reps
	}
	c.QuickReps = max(c.QuickReps, c.Reps)
	if c.BufferPool == "" {
		c.BufferPool = "2G"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// mediaFilesFor and mediaBytesFor scale the media folder with the
// database: about 4000 files and 500 MiB at the default scale.
func mediaFilesFor(rows int) int { return max(10, rows*4000/sample.BenchRows) }
func mediaBytesFor(rows int) int64 {
	return max(256<<10, int64(rows)*(500<<20)/sample.BenchRows)
}

// dataset is one generated database and media folder.
type dataset struct {
	label    string // "1×", "2×"
	dir      string // its work folder
	database string
	mediaDir string
	stats    *sample.Stats
	media    *sample.MediaStats
	genDB    time.Duration
	genMedia time.Duration
	// counts are the source's rows per table (COUNT(*)), to check restores.
	counts map[string]int64
	tables []string // base tables
	// Produced by warm-up runs, used by the restores.
	dbArchive, fullArchive, dumpSQL, mydumperDir string
}

// bench is one run of the benchmark.
type bench struct {
	cfg     Config
	srv     *mariadbtest.Server
	admin   *sql.DB
	work    string
	start   time.Time
	tools   tools
	created []string // databases to drop at the end
	emptyDB string   // a database without tables (media-only backups)
	// serverPID is the server's process, for its CPU time; 0 if unknown.
	serverPID int
}

// tools are the reference programs found on this machine.
type tools struct {
	mysql, mysqldump, gzip, tar, cat string
	mydumper, myloader               string // empty when not installed
	// sync (with tar), and find, xargs and sha256sum, time the media
	// backup's two mandatory parts apart; empty when missing.
	sync, find, xargs, sha256sum string
}

func findTools() (tools, error) {
	var t tools
	var missing []string
	look := func(dst *string, names ...string) {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				*dst = p
				return
			}
		}
		missing = append(missing, names[0])
	}
	look(&t.mysql, "mysql", "mariadb")
	look(&t.mysqldump, "mysqldump", "mariadb-dump")
	look(&t.gzip, "gzip")
	look(&t.tar, "tar")
	look(&t.cat, "cat")
	if len(missing) > 0 {
		return t, fmt.Errorf("the reference tools %s are not installed: install mariadb-client, gzip and tar (make test does this with apt)", strings.Join(missing, ", "))
	}
	t.sync, _ = exec.LookPath("sync")
	t.find, _ = exec.LookPath("find")
	t.xargs, _ = exec.LookPath("xargs")
	t.sha256sum, _ = exec.LookPath("sha256sum")
	t.mydumper, _ = exec.LookPath("mydumper")
	t.myloader, _ = exec.LookPath("myloader")
	if t.mydumper == "" || t.myloader == "" {
		t.mydumper, t.myloader = "", ""
	}
	return t, nil
}

// Run generates the data, measures every contender and returns the report.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	cfg.defaults()
	if len(cfg.CLI) == 0 {
		return nil, errors.New("no command to run Backup Desktop's command line was given")
	}
	b := &bench{cfg: cfg, start: time.Now()}
	if b.tools, err = findTools(); err != nil {
		return nil, err
	}
	if cfg.WorkDir == "" {
		if b.work, err = os.MkdirTemp("", "bd-bench-"); err != nil {
			return nil, fmt.Errorf("create a work folder: %w", err)
		}
		if !cfg.Keep {
			defer os.RemoveAll(b.work)
		}
	} else {
		b.work = cfg.WorkDir
		if err := os.MkdirAll(b.work, 0o755); err != nil {
			return nil, fmt.Errorf("create the work folder: %w", err)
		}
	}
	b.logf("work folder %s", b.work)

	b.logf("starting a private MariaDB server (innodb_buffer_pool_size=%s)", cfg.BufferPool)
	b.srv, err = mariadbtest.Start(mariadbtest.Options{ExtraArgs: []string{"--innodb-buffer-pool-size=" + cfg.BufferPool}})
	if err != nil {
		return nil, fmt.Errorf("start the benchmark's MariaDB server: %w", err)
	}
	defer b.srv.Stop()
	if b.admin, err = b.srv.Open(""); err != nil {
		return nil, err
	}
	defer b.admin.Close()
	defer b.dropCreated()

	rep = &Report{Reps: cfg.Reps, QuickReps: cfg.QuickReps, Seed: cfg.Seed, RestoreWarmUp: cfg.RestoreWarmUp}
	if rep.Machine, err = b.machine(ctx); err != nil {
		return nil, err
	}
	rep.Machine.BufferPool = cfg.BufferPool
	b.serverPID = b.findServerPID(ctx)
	if b.emptyDB, err = b.createDB("bench_empty"); err != nil {
		return nil, err
	}

	one, err := b.generate(ctx, "1×", cfg.Rows, cfg.MediaFiles, cfg.MediaBytes)
	if err != nil {
		return nil, err
	}
	rep.Scales = append(rep.Scales, one.scaleInfo())
	cs := b.contenders(one, false)
	if err := b.measure(ctx, one, cs); err != nil {
		return nil, err
	}
	rep.Results = results(cs)

	if cfg.ProfileDir != "" {
		if rep.Profiles, err = b.profile(ctx, one); err != nil {
			return nil, err
		}
	}

	if cfg.Growth {
		// Free the first data set so that the second one finds the server
		// and the disk as the first did.
		b.dropDB(one.database)
		os.RemoveAll(one.dir)
		two, err := b.generate(ctx, "2×", 2*cfg.Rows, 2*cfg.MediaFiles, 2*cfg.MediaBytes)
		if err != nil {
			return nil, err
		}
		rep.Scales = append(rep.Scales, two.scaleInfo())
		cs2 := b.contenders(two, true)
		if err := b.measure(ctx, two, cs2); err != nil {
			return nil, err
		}
		rep.Growth = results(cs2)
	}
	rep.Total = time.Since(b.start)
	rep.compare()
	return rep, nil
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.cfg.Log, "[%6.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, a...))
}

// createDB makes an empty database and remembers to drop it.
func (b *bench) createDB(prefix string) (string, error) {
	name, err := b.srv.CreateDatabase(prefix)
	if err != nil {
		return "", fmt.Errorf("create database %s…: %w", prefix, err)
	}
	b.created = append(b.created, name)
	return name, nil
}

func (b *bench) dropDB(name string) error {
	_, err := b.admin.Exec("DROP DATABASE IF EXISTS " + quoteName(name))
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// dropCreated drops every database the run made (it matters on an existing
// server; a private one is removed anyway).
func (b *bench) dropCreated() {
	for _, name := range b.created {
		b.dropDB(name)
		for _, suffix := range []string{"__bd_new", "__bd_old"} {
			b.dropDB(name + suffix)
		}
	}
}

func quoteName(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// generate makes a data set: the database with the sample's tables and the
// media folder, both timed.
func (b *bench) generate(ctx context.Context, label string, rows, files int, bytes int64) (*dataset, error) {
	d := &dataset{label: label, dir: filepath.Join(b.work, "scale"+strings.TrimSuffix(label, "×"))}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, err
	}
	var err error
	if d.database, err = b.createDB("bench_inventory"); err != nil {
		return nil, err
	}
	b.logf("%s: generating the database (%d rows)", label, rows)
	db, err := b.srv.Open("")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	next := int64(0)
	t0 := time.Now()
	d.stats, err = sample.Generate(ctx, db, d.database, sample.Options{Rows: rows, Seed: b.cfg.Seed,
		Progress: func(e progress.Event) {
			if e.Total > 0 && e.Done*10 >= next*e.Total && next <= 10 {
				b.logf("%s: generated %d of %d rows", label, e.Done, e.Total)
				next = e.Done*10/e.Total + 1
			}
		}})
	if err != nil {
		return nil, fmt.Errorf("generate the benchmark database: %w", err)
	}
	d.genDB = time.Since(t0)
	b.logf("%s: database ready: %d rows, %s data, %s indexes in %s", label, d.stats.Rows,
		mib(d.stats.DataBytes), mib(d.stats.IndexBytes), seconds(d.genDB))

	d.mediaDir = filepath.Join(d.dir, "media")
	b.logf("%s: generating the media folder (%d files, about %s)", label, files, mib(bytes))
	t0 = time.Now()
	d.media, err = sample.GenerateMedia(d.mediaDir, sample.MediaOptions{Files: files, Bytes: bytes, Seed: b.cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("generate the benchmark media folder: %w", err)
	}
	d.genMedia = time.Since(t0)
	b.logf("%s: media ready: %d files, %s in %s", label, d.media.Files, mib(d.media.Bytes), seconds(d.genMedia))

	if d.tables, err = baseTables(ctx, b.admin, d.database); err != nil {
		return nil, err
	}
	if d.counts, err = countRows(ctx, b.admin, d.database, d.tables); err != nil {
		return nil, err
	}
	return d, nil
}

func baseTables(ctx context.Context, db *sql.DB, database string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, database)
	if err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", database, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func countRows(ctx context.Context, db *sql.DB, database string, tables []string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteName(database)+"."+quoteName(t)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count the rows of %s.%s: %w", database, t, err)
		}
		counts[t] = n
	}
	return counts, nil
}

// checkRestored compares a restored database's row counts with the source's,
// so that a contender that loads nothing cannot look fast.
func (b *bench) checkRestored(ctx context.Context, d *dataset, target, who string) error {
	got, err := baseTables(ctx, b.admin, target)
	if err != nil {
		return err
	}
	if len(got) != len(d.tables) {
		return fmt.Errorf("%s restored %d tables into %s, the source has %d", who, len(got), target, len(d.tables))
	}
	counts, err := countRows(ctx, b.admin, target, got)
	if err != nil {
		return err
	}
	for t, want := range d.counts {
		if counts[t] != want {
			return fmt.Errorf("%s restored %d rows of table %s, the source has %d", who, counts[t], t, want)
		}
	}
	return nil
}

// countFiles counts the regular files under dir.
func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}

// writeSettings writes a settings file for our CLI in dir and returns its
// path. The backup folder is dir/backups.
func (b *bench) writeSettings(dir, database, mediaDir string) (string, error) {
	s := settings.Default()
	s.Database = settings.Database{Engine: "mysql", Host: b.srv.Host, Port: b.srv.Port, Socket: "",
		User: b.srv.User, Password: b.srv.Password, Name: database}
	s.MediaDir = mediaDir
	s.BackupDir = filepath.Join(dir, "backups")
	s.Schedule.Enabled = false
	for _, p := range []string{dir, mediaDir, s.BackupDir} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, settings.FileName)
	if err := settings.Save(path, s); err != nil {
		return "", fmt.Errorf("write the benchmark's settings: %w", err)
	}
	return path, nil
}

// onlyArchive returns the one backup file in dir.
func onlyArchive(dir string) (string, int64, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	if err != nil {
		return "", 0, err
	}
	if len(matches) != 1 {
		return "", 0, fmt.Errorf("expected one backup file in %s, found %d", dir, len(matches))
	}
	fi, err := os.Stat(matches[0])
	if err != nil {
		return "", 0, err
	}
	return matches[0], fi.Size(), nil
}

// keepNewest removes every backup file in dir but the newest and returns
// its size.
func keepNewest(dir string) (int64, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	if err != nil {
		return 0, err
	}
	var newest string
	var info os.FileInfo
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			return 0, err
		}
		if info == nil || fi.ModTime().After(info.ModTime()) {
			newest, info = m, fi
		}
	}
	if info == nil {
		return 0, fmt.Errorf("no backup file in %s", dir)
	}
	for _, m := range matches {
		if m != newest {
			if err := os.Remove(m); err != nil {
				return 0, err
			}
		}
	}
	return info.Size(), nil
}

// emptyDir removes everything in dir and leaves it empty.
func emptyDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// clockTicks is Linux's USER_HZ, the unit of the times in /proc/PID/stat.
const clockTicks = 100

// findServerPID finds the MariaDB server's process through its pid file,
// so that its CPU time can be read; 0 when it is not on this machine.
func (b *bench) findServerPID(ctx context.Context) int {
	var file string
	if err := b.admin.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&file); err != nil {
		return 0
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", pid)); err != nil {
		return 0
	}
	return pid
}

// serverCPU is the server's user + system CPU time so far (0 when unknown).
func (b *bench) serverCPU() time.Duration {
	if b.serverPID == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.serverPID))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it do not.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	// After the name: state is field 3, utime 14 and stime 15 (1-based).
	if len(f) < 13 {
		return 0
	}
	user, err1 := strconv.ParseInt(f[11], 10, 64)
	sys, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(user+sys) * time.Second / clockTicks
}
