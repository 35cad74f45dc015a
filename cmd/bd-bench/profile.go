package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// profile runs one database-only backup, one restore of it and one
// media-only backup inside this process, through the same jobs package that
// the command line calls, each under the CPU profiler, and returns the
// profile files.
func (b *bench) profile(ctx context.Context, d *dataset) ([]string, error) {
	out := b.cfg.ProfileDir
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create the profile folder: %w", err)
	}
	dir := filepath.Join(d.dir, "profile")
	cfgPath, err := b.writeSettings(filepath.Join(dir, "backup"), d.database, filepath.Join(dir, "empty-media"))
	if err != nil {
		return nil, err
	}
	env, err := jobEnv(cfgPath)
	if err != nil {
		return nil, err
	}
	backupProf := filepath.Join(out, "backup-db.cpu.pprof")
	var archive string
	err = cpuProfile(backupProf, func() error {
		res, err := jobs.Backup(ctx, env, jobs.BackupRequest{Kind: backupname.Manual})
		if err == nil {
			archive = res.Path
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("profiled backup: %w", err)
	}

	target, err := b.createDB("bench_restore_profile")
	if err != nil {
		return nil, err
	}
	defer b.dropDB(target)
	rcfg, err := b.writeSettings(filepath.Join(dir, "restore"), target, filepath.Join(dir, "restore", "media"))
	if err != nil {
		return nil, err
	}
	renv, err := jobEnv(rcfg)
	if err != nil {
		return nil, err
	}
	restoreProf := filepath.Join(out, "restore-db.cpu.pprof")
	err = cpuProfile(restoreProf, func() error {
		_, err := jobs.Restore(ctx, renv, jobs.RestoreRequest{Archive: archive})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("profiled restore: %w", err)
	}
	if err := b.checkRestored(ctx, d, target, "the profiled restore"); err != nil {
		return nil, err
	}

	mcfg, err := b.writeSettings(filepath.Join(dir, "media"), b.emptyDB, d.mediaDir)
	if err != nil {
		return nil, err
	}
	menv, err := jobEnv(mcfg)
	if err != nil {
		return nil, err
	}
	mediaProf := filepath.Join(out, "backup-media.cpu.pprof")
	err = cpuProfile(mediaProf, func() error {
		_, err := jobs.Backup(ctx, menv, jobs.BackupRequest{Kind: backupname.Manual})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("profiled media backup: %w", err)
	}
	return []string{backupProf, restoreProf, mediaProf}, nil
}

func jobEnv(cfgPath string) (*jobs.Env, error) {
	s, err := settings.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	return &jobs.Env{ConfigPath: cfgPath, Settings: s, StateDir: settings.StateDir(cfgPath), AppVersion: "bench"}, nil
}

// cpuProfile runs f with the CPU profiler writing to path.
func cpuProfile(path string, f func() error) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create the profile: %w", err)
	}
	defer file.Close()
	if err := pprof.StartCPUProfile(file); err != nil {
		return fmt.Errorf("start the CPU profiler: %w", err)
	}
	err = f()
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	return file.Close()
}
