package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Contender keys; the report's rows refer to them.
const (
	kRead        = "read"
	kDump        = "mysqldump"
	kBackupDB    = "backup-db"
	kTar         = "tar"
	kTarFile     = "tar-file"
	kSHA256sum   = "sha256sum"
	kBackupMedia = "backup-media"
	kMediaAgain  = "backup-media-again"
	kBackupFull  = "backup-full"
	kMysql       = "mysql-restore"
	kMyloader    = "myloader"
	kRestoreDB   = "restore-db"
	kRestoreFull = "restore-full"
)

// contender is one thing that is timed: one of our commands or a reference
// tool. Only run is timed; prepare and finish (set-up, checks, clean-up)
// are not.
type contender struct {
	key, label string
	ours       bool
	setup      func(ctx context.Context) error // once, before the warm-up
	prepare    func(ctx context.Context) error // before every run
	run        func(ctx context.Context) (measurement, error)
	// finish returns the size of what the run wrote (0 if nothing); first
	// is true after the contender's first run (the warm-up when it has
	// one), whose output later contenders use and whose result is checked.
	finish func(ctx context.Context, first bool) (int64, error)
	// restore marks a restore, whose warm-up Config.RestoreWarmUp decides.
	restore bool
	// reads are the files and folders the run reads from the disk, read
	// into the page cache again before every run (see warmUpReads).
	reads func() []string
	// quick marks a contender of about a second, timed Config.QuickReps
	// times.
	quick bool
	done  int // runs so far
	runs  []Sample
}

// backupAgain makes c, a backup contender (see contenders) writing to
// backups, back up as a scheduled backup does: the media folder has not
// changed since the previous backup, which is in the backup folder, so the
// checksums are taken from it. Each run keeps its archive for the next; the
// warm-up makes the first.
func backupAgain(c *contender, dir string) {
	backups := filepath.Join(dir, "backups")
	finished := 0
	c.prepare = func(context.Context) error {
		// The previous backup under a name of its own, so that two runs
		// within one second do not make the same file name.
		matches, err := filepath.Glob(filepath.Join(backups, "*.zip"))
		if err != nil || len(matches) != 1 {
			return err
		}
		return os.Rename(matches[0], filepath.Join(backups, "previous.zip"))
	}
	c.finish = func(context.Context, bool) (int64, error) {
		// Every run after the first must have taken the checksums from
		// the previous backup, or this is not what it says it measures.
		finished++
		log, err := os.ReadFile(filepath.Join(dir, "logs", "backup-desktop.log"))
		if err != nil {
			return 0, err
		}
		if n := strings.Count(string(log), "unchanged media files were taken from"); n != finished-1 {
			return 0, fmt.Errorf("%d of the %d backups made again took the media checksums from the previous one; see %s", n, finished-1, filepath.Join(dir, "logs"))
		}
		return keepNewest(backups)
	}
}

// contenders lists what is measured on data set d, in the order of the
// warm-up (backups before the restores that use their output). At the
// second scale (growth) only our database + media backup and restore run.
func (b *bench) contenders(d *dataset, growth bool) []*contender {
	client := append([]string{b.tools.mysql}, b.srv.ClientArgs()...)
	ours := func(args ...string) pipeline {
		a := append(append([]string{}, b.cfg.CLI...), args...)
		return pipeline{procs: []proc{{args: a, env: b.cfg.CLIEnv}}}
	}
	ref := filepath.Join(d.dir, "ref")
	inputs := filepath.Join(d.dir, "inputs")
	for _, p := range []string{ref, inputs} {
		os.MkdirAll(p, 0o755)
	}

	// Our backups: database only (an empty media folder), media only (an
	// empty database) and both.
	backup := func(key, label, sub, database, mediaDir string, keep *string) *contender {
		dir := filepath.Join(d.dir, sub)
		var cfgPath string
		return &contender{key: key, label: label, ours: true,
			reads: func() []string { return []string{mediaDir} },
			setup: func(context.Context) (err error) {
				cfgPath, err = b.writeSettings(dir, database, mediaDir)
				return err
			},
			prepare: func(context.Context) error { return emptyDir(filepath.Join(dir, "backups")) },
			run: func(ctx context.Context) (measurement, error) {
				return ours("--config", cfgPath, "create-backup").run(ctx)
			},
			finish: func(_ context.Context, first bool) (int64, error) {
				path, size, err := onlyArchive(filepath.Join(dir, "backups"))
				if err != nil {
					return 0, err
				}
				if first && keep != nil {
					*keep = filepath.Join(inputs, key+".zip")
					return size, os.Rename(path, *keep)
				}
				return size, os.Remove(path)
			},
		}
	}
	// Our restores into an empty database and an empty media folder.
	restore := func(key, label string, archive *string, withMedia bool) *contender {
		dir := filepath.Join(d.dir, key)
		mediaDir := filepath.Join(dir, "media")
		var cfgPath, target string
		return &contender{key: key, label: label, ours: true, restore: true,
			reads: func() []string { return []string{*archive} },
			prepare: func(context.Context) (err error) {
				if target, err = b.createDB("bench_restore_ours"); err != nil {
					return err
				}
				if err := emptyDir(mediaDir); err != nil {
					return err
				}
				cfgPath, err = b.writeSettings(dir, target, mediaDir)
				return err
			},
			run: func(ctx context.Context) (measurement, error) {
				return ours("--config", cfgPath, "restore", *archive, "--yes", "--no-safety-backup").run(ctx)
			},
			finish: func(ctx context.Context, first bool) (int64, error) {
				if first {
					if err := b.checkRestored(ctx, d, target, "our restore"); err != nil {
						return 0, err
					}
					if withMedia {
						n, err := countFiles(mediaDir)
						if err != nil {
							return 0, err
						}
						if n != d.media.Files {
							return 0, fmt.Errorf("our restore put %d media files back, the backup has %d", n, d.media.Files)
						}
					}
				}
				if err := b.dropDB(target); err != nil {
					return 0, err
				}
				return 0, os.RemoveAll(mediaDir)
			},
		}
	}

	emptyMedia := filepath.Join(d.dir, "empty-media")
	full := backup(kBackupFull, "our create-backup, database + media", "ours-full", d.database, d.mediaDir, &d.fullArchive)
	fullRestore := restore(kRestoreFull, "our restore, database + media", &d.fullArchive, true)
	if growth {
		return []*contender{full, fullRestore}
	}

	var cs []*contender
	cs = append(cs, &contender{key: kRead, label: "bare read: mysql --quick -N -e 'SELECT * FROM t' > /dev/null, each table",
		run: func(ctx context.Context) (measurement, error) {
			var m measurement
			start := time.Now()
			for _, t := range d.tables {
				args := append(append([]string{}, client...), "--quick", "-N", "-e", "SELECT * FROM "+quoteName(t), d.database)
				one, err := pipeline{procs: []proc{{args: args}}}.run(ctx)
				if err != nil {
					return m, err
				}
				m.rssKiB = max(m.rssKiB, one.rssKiB)
				m.cpu += one.cpu
			}
			m.wall = time.Since(start)
			return m, nil
		},
	})

	gz := filepath.Join(ref, "dump.sql.gz")
	d.dumpSQL = filepath.Join(ref, "dump.sql")
	cs = append(cs, &contender{key: kDump, label: "mysqldump --single-transaction --routines --events --triggers | gzip -6 > file",
		run: func(ctx context.Context) (measurement, error) {
			dump := append([]string{b.tools.mysqldump}, b.srv.ClientArgs()...)
			dump = append(dump, "--single-transaction", "--routines", "--events", "--triggers", d.database)
			return pipeline{procs: []proc{{args: dump}, {args: []string{b.tools.gzip, "-6"}}}, stdout: gz}.run(ctx)
		},
		finish: func(ctx context.Context, first bool) (int64, error) {
			fi, err := os.Stat(gz)
			if err != nil {
				return 0, err
			}
			if first {
				// The plain dump that mysql < dump.sql reads.
				_, err := pipeline{procs: []proc{{args: []string{b.tools.gzip, "-dc", gz}}}, stdout: d.dumpSQL}.run(ctx)
				if err != nil {
					return 0, fmt.Errorf("unpack the reference dump: %w", err)
				}
			}
			return fi.Size(), nil
		},
	})
	cs = append(cs, backup(kBackupDB, "our create-backup, database only", "ours-db", d.database, emptyMedia, &d.dbArchive))
	media := func() []string { return []string{d.mediaDir} }
	cs = append(cs, &contender{key: kTar, label: "tar -cf - media | cat > /dev/null", quick: true, reads: media,
		run: func(ctx context.Context) (measurement, error) {
			return pipeline{procs: []proc{
				{args: []string{b.tools.tar, "-cf", "-", "-C", filepath.Dir(d.mediaDir), filepath.Base(d.mediaDir)}},
				{args: []string{b.tools.cat}},
			}}.run(ctx)
		},
	})
	if b.tools.sync != "" {
		// tar | cat writes nothing; a backup must write its archive and
		// flush it to the disk. This reference does both, with no
		// checksums: what a media backup must do besides checksumming.
		tarFile := filepath.Join(ref, "media.tar")
		cs = append(cs, &contender{key: kTarFile, label: "tar -cf FILE media && sync FILE", quick: true, reads: media,
			run: func(ctx context.Context) (measurement, error) {
				start := time.Now()
				m, err := pipeline{procs: []proc{{args: []string{b.tools.tar, "-cf", tarFile, "-C", filepath.Dir(d.mediaDir), filepath.Base(d.mediaDir)}}}}.run(ctx)
				if err != nil {
					return m, err
				}
				s, err := pipeline{procs: []proc{{args: []string{b.tools.sync, tarFile}}}}.run(ctx)
				m.wall = time.Since(start)
				m.cpu += s.cpu
				m.rssKiB = max(m.rssKiB, s.rssKiB)
				return m, err
			},
			finish: func(context.Context, bool) (int64, error) {
				fi, err := os.Stat(tarFile)
				if err != nil {
					return 0, err
				}
				return fi.Size(), os.Remove(tarFile)
			},
		})
	}
	if b.tools.find != "" && b.tools.xargs != "" && b.tools.sha256sum != "" {
		// The other part: the SHA-256 of every file that the archive's
		// manifest holds, with the standard tool on every core.
		cs = append(cs, &contender{key: kSHA256sum, label: fmt.Sprintf("find media -type f | xargs -P %d sha256sum > /dev/null", runtime.NumCPU()),
			quick: true, reads: media,
			run: func(ctx context.Context) (measurement, error) {
				return pipeline{procs: []proc{
					{args: []string{b.tools.find, d.mediaDir, "-type", "f", "-print0"}},
					{args: []string{b.tools.xargs, "-0", "-P", strconv.Itoa(runtime.NumCPU()), "-n", "200", b.tools.sha256sum}},
				}}.run(ctx)
			},
		})
	}
	mediaOnly := backup(kBackupMedia, "our create-backup, media only (empty database), first backup: every file hashed", "ours-media", b.emptyDB, d.mediaDir, nil)
	mediaOnly.quick = true
	const againDir = "ours-media-again"
	again := backup(kMediaAgain, "our create-backup, media only (empty database), again: the previous backup in the folder", againDir, b.emptyDB, d.mediaDir, nil)
	again.quick = true
	backupAgain(again, filepath.Join(d.dir, againDir))
	cs = append(cs, mediaOnly, again)
	cs = append(cs, full)

	var mysqlTarget string
	cs = append(cs, &contender{key: kMysql, label: "mysql DB < dump.sql (empty database)", restore: true,
		reads: func() []string { return []string{d.dumpSQL} },
		prepare: func(context.Context) (err error) {
			mysqlTarget, err = b.createDB("bench_restore_mysql")
			return err
		},
		run: func(ctx context.Context) (measurement, error) {
			args := append(append([]string{}, client...), mysqlTarget)
			return pipeline{procs: []proc{{args: args}}, stdin: d.dumpSQL}.run(ctx)
		},
		finish: func(ctx context.Context, first bool) (int64, error) {
			if first {
				if err := b.checkRestored(ctx, d, mysqlTarget, "mysql < dump.sql"); err != nil {
					return 0, err
				}
			}
			return 0, b.dropDB(mysqlTarget)
		},
	})
	if b.tools.myloader != "" {
		cs = append(cs, b.myloader(d, ref))
	}
	cs = append(cs, restore(kRestoreDB, "our restore, database only", &d.dbArchive, false))
	cs = append(cs, fullRestore)
	return cs
}

// myloader restores, with myloader, a dump that mydumper makes (untimed)
// before the warm-up.
func (b *bench) myloader(d *dataset, ref string) *contender {
	dir := filepath.Join(ref, "mydumper")
	conn := []string{"--host", b.srv.Host, "--port", strconv.Itoa(b.srv.Port), "--user", b.srv.User}
	if b.srv.Password != "" {
		conn = append(conn, "--password", b.srv.Password)
	}
	var target string
	return &contender{key: kMyloader, label: "myloader --threads 2 (mydumper's dump, empty database)", restore: true,
		reads: func() []string { return []string{dir} },
		setup: func(ctx context.Context) error {
			if err := emptyDir(dir); err != nil {
				return err
			}
			args := append([]string{b.tools.mydumper}, conn...)
			args = append(args, "--database", d.database, "--outputdir", dir, "--threads", "2", "--triggers", "--events", "--routines")
			if _, err := (pipeline{procs: []proc{{args: args}}}).run(ctx); err != nil {
				return fmt.Errorf("make mydumper's dump for myloader: %w", err)
			}
			d.mydumperDir = dir
			return nil
		},
		prepare: func(context.Context) (err error) {
			target, err = b.createDB("bench_restore_myloader")
			return err
		},
		run: func(ctx context.Context) (measurement, error) {
			args := append([]string{b.tools.myloader}, conn...)
			args = append(args, "--directory", dir, "--database", target, "--threads", "2")
			return pipeline{procs: []proc{{args: args}}}.run(ctx)
		},
		finish: func(ctx context.Context, first bool) (int64, error) {
			if first {
				if err := b.checkRestored(ctx, d, target, "myloader"); err != nil {
					return 0, err
				}
			}
			return 0, b.dropDB(target)
		},
	}
}

// settle waits, before a timed run, until the writes that earlier runs
// left behind are on the disk: the system's dirty pages (sync) and the
// server's dirty buffer-pool pages, which InnoDB flushes in the
// background for many seconds after a restore. Otherwise a run that
// writes and flushes (a backup, a restore) pays for the run before it, and
// which one that is depends on the rotation. On the private server the
// flushing is hurried (innodb_max_dirty_pages_pct = 0 for the wait); an
// existing server is only waited for, up to settleMax.
func (b *bench) settle(ctx context.Context) {
	start := time.Now()
	syscall.Sync()
	if !b.srv.External() {
		var old string
		if err := b.admin.QueryRowContext(ctx, "SELECT @@GLOBAL.innodb_max_dirty_pages_pct").Scan(&old); err == nil {
			if _, err := b.admin.ExecContext(ctx, "SET GLOBAL innodb_max_dirty_pages_pct = 0"); err == nil {
				defer b.admin.ExecContext(ctx, "SET GLOBAL innodb_max_dirty_pages_pct = "+old)
			}
		}
	}
	for time.Since(start) < settleMax {
		var name string
		var dirty int64
		err := b.admin.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'").Scan(&name, &dirty)
		if err != nil || dirty <= settleDirtyPages {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Sync()
	if d := time.Since(start); d > time.Second {
		b.logf("waited %s for earlier writes to reach the disk", seconds(d))
	}
}

// settleMax bounds settle's wait for the server; settleDirtyPages (4 MiB
// of 16 KiB pages) is few enough not to matter.
const (
	settleMax        = time.Minute
	settleDirtyPages = 256
)

// measure runs every contender once untimed (the warm-up: the same files
// and table pages are then cached for all; restores only with
// Config.RestoreWarmUp), then Reps timed rounds. The rounds interleave the
// contenders and rotate their order, so that no contender always follows
// the same other one.
func (b *bench) measure(ctx context.Context, d *dataset, cs []*contender) error {
	for _, c := range cs {
		if c.setup != nil {
			if err := c.setup(ctx); err != nil {
				return fmt.Errorf("%s: %w", c.label, err)
			}
		}
	}
	one := func(c *contender, warm bool, round string) error {
		if c.prepare != nil {
			if err := c.prepare(ctx); err != nil {
				return fmt.Errorf("%s: prepare: %w", c.label, err)
			}
		}
		if !warm {
			b.settle(ctx)
		}
		if c.reads != nil {
			if err := warmUpReads(c.reads()); err != nil {
				return fmt.Errorf("%s: read its input: %w", c.label, err)
			}
		}
		server0, steal0 := b.serverCPU(), stealTime()
		m, err := c.run(ctx)
		if err != nil {
			return fmt.Errorf("%s failed: %w", c.label, err)
		}
		serverCPU, steal := b.serverCPU()-server0, stealTime()-steal0
		var size int64
		c.done++
		if c.finish != nil {
			if size, err = c.finish(ctx, c.done == 1); err != nil {
				return fmt.Errorf("%s: %w", c.label, err)
			}
		}
		b.logf("%s %s %-12s %9s  cpu %9s  server cpu %9s  steal %8s  peak %9s  %s", d.label, round, c.key, seconds(m.wall),
			seconds(m.cpu), seconds(serverCPU), seconds(steal), kib(m.rssKiB), sizeNote(size))
		if !warm {
			c.runs = append(c.runs, Sample{Wall: m.wall, CPU: m.cpu, ServerCPU: serverCPU, Steal: steal, RSSKiB: m.rssKiB, Size: size})
		}
		return nil
	}
	for _, c := range cs {
		if c.restore && !b.cfg.RestoreWarmUp {
			continue
		}
		if err := one(c, true, "warm-up"); err != nil {
			return err
		}
	}
	// Restores need the warm-up's output; rotate only the order of the
	// round, which is safe once every input exists. The quick contenders
	// go on for more rounds than the others.
	reps := func(c *contender) int {
		if c.quick {
			return b.cfg.QuickReps
		}
		return b.cfg.Reps
	}
	rounds := 0
	for _, c := range cs {
		rounds = max(rounds, reps(c))
	}
	for r := range rounds {
		for i := range cs {
			c := cs[(i+r)%len(cs)]
			if r >= reps(c) {
				continue
			}
			if err := one(c, false, fmt.Sprintf("run %d/%d", r+1, reps(c))); err != nil {
				return err
			}
		}
	}
	return nil
}

// warmUpReads reads every file in paths (files, or folders read whole) so
// that the run after it finds them in the page cache, as the warm-up runs
// left them. Some systems reclaim cached pages that have not been used for a
// while (the kernel's DAMON-based reclaim, set to a minute on the machines
// this was written on), and a round of runs takes longer than that: without
// this, which contender reads from the disk would depend on the rotation.
func warmUpReads(paths []string) error {
	buf := make([]byte, 1<<20)
	readAll := func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			_, err := f.Read(buf)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		err := filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Type().IsRegular() {
				return readAll(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func sizeNote(n int64) string {
	if n == 0 {
		return ""
	}
	return "wrote " + mib(n)
}
