// Command bd-bench is `make bench`: it generates a realistic Inventory
// database and media folder at a chosen scale on a private MariaDB server,
// then times Backup Desktop's create-backup and restore against the standard
// tools (mysqldump | gzip -6, a bare read of every table, mysql < dump.sql,
// myloader when installed, tar | cat), interleaved and repeated, measures
// peak memory, and prints a table of ratios against the targets of issue 5.
//
// Usage:
//
//	go run ./cmd/bd-bench [--scale 1M] [--reps 3] [--growth] [--bin bin/backup-desktop]
//	                      [--write docs/benchmarks.md] [--profile DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/backupdesktop/backup-desktop/internal/sample"
)

// budget is how long `make bench` may take at the default scale.
const budget = 15 * time.Minute

func main() {
	os.Exit(mainArgs(os.Args[1:], os.Stdout, os.Stderr))
}

// mainArgs runs the command with args and returns the exit code: 0 done
// (targets missed or not), 1 failed (or --fail-on-miss and a target
// missed), 2 bad usage.
func mainArgs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bd-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg        Config
		scale      = fs.String("scale", "", "database size in rows, for example 4M, 400k or 250000 (default 1M, about 150 MB of table data)")
		mediaMiB   = fs.Int64("media-mb", 0, "media folder size in MiB (default: scaled with --scale, 500 MiB at the default scale)")
		bin        = fs.String("bin", "bin/backup-desktop", "the Backup Desktop binary to measure (make build writes it)")
		write      = fs.String("write", "", "also write the table and the command to this file (docs/benchmarks.md)")
		failOnMiss = fs.Bool("fail-on-miss", false, "exit with code 1 when a target is missed")
	)
	fs.IntVar(&cfg.MediaFiles, "media-files", 0, "number of media files (default: scaled with --scale, 4000 at the default scale)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated data")
	fs.IntVar(&cfg.Reps, "reps", 3, "timed runs per contender; the table shows the median")
	fs.IntVar(&cfg.QuickReps, "quick-reps", 0, "timed runs of the media contenders, which take about a second (default: 3 × --reps)")
	fs.BoolVar(&cfg.Growth, "growth", false, "also measure peak memory at twice the scale")
	fs.BoolVar(&cfg.RestoreWarmUp, "restore-warmup", false, "give the restores an untimed warm-up run too (longer; their inputs are cached anyway)")
	fs.StringVar(&cfg.WorkDir, "workdir", "", "folder for the media, backups and dumps (default: a temporary folder, removed)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary work folder")
	fs.StringVar(&cfg.BufferPool, "innodb-buffer-pool", "2G", "innodb_buffer_pool_size of the private server (big enough to hold the default scale's tables, so every contender reads warm pages)")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "write CPU profiles of an in-process database backup and restore to this folder")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bd-bench [flags]\n\nMeasures Backup Desktop against mysqldump | gzip, mysql < dump.sql and tar | cat (issue 5).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bd-bench takes no arguments, got %q (see bd-bench --help)\n", fs.Args())
		return 2
	}
	var err error
	if cfg.Rows, err = parseScale(*scale); err != nil {
		fmt.Fprintf(stderr, "bd-bench: %v\n", err)
		return 2
	}
	if cfg.Reps < 1 {
		fmt.Fprintln(stderr, "bd-bench: --reps must be at least 1 (3 or more for a meaningful median)")
		return 2
	}
	cfg.MediaBytes = *mediaMiB << 20
	path, err := filepath.Abs(*bin)
	if err == nil {
		_, err = os.Stat(path)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bd-bench: the binary to measure, %s, is missing: run make build first (make bench does), or pass --bin\n", *bin)
		return 2
	}
	cfg.CLI = []string{path}
	cfg.Log = stderr
	command := commandLine(args)
	return execute(cfg, command, *write, *failOnMiss, stdout, stderr)
}

// execute runs the benchmark and prints (and writes) the report.
func execute(cfg Config, command, write string, failOnMiss bool, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, cfg)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "bd-bench: interrupted: the private server was stopped and no report was written")
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "bd-bench: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, rep.Markdown(command))
	if cfg.Rows == sample.BenchRows && !cfg.Growth && cfg.ProfileDir == "" && rep.Total > budget {
		fmt.Fprintf(stderr, "bd-bench: warning: the run took %s, more than the %s that make bench may take\n", seconds(rep.Total), budget)
	}
	if write != "" {
		if err := fsutil.WriteFileAtomic(write, []byte(rep.Document(command)), 0o644); err != nil {
			fmt.Fprintf(stderr, "bd-bench: write %s: %v\n", write, err)
			return 1
		}
		fmt.Fprintf(stderr, "bd-bench: wrote %s\n", write)
	}
	if failOnMiss {
		for _, r := range rep.Rows {
			if r.Status == "MISS" {
				return 1
			}
		}
	}
	return 0
}

// parseScale reads a row count such as "4M", "400k" or "250000"; empty
// means the default.
func parseScale(s string) (int, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return sample.BenchRows, nil
	}
	mult := 1.0
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1e3, s[:len(s)-1]
	case "m":
		mult, s = 1e6, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v*mult < 1 || v*mult > 1e9 {
		return 0, fmt.Errorf("--scale %q is not a row count: give a number of rows such as 4M, 400k or 250000", orig)
	}
	return int(v * mult), nil
}

// commandLine is the command as a user would type it again.
func commandLine(args []string) string {
	parts := []string{"go run ./cmd/bd-bench"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$\\*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	cmd := strings.Join(parts, " ")
	if os.Getenv("MAKELEVEL") != "" {
		target := "make bench"
		if s := os.Getenv("SCALE"); s != "" {
			target += " SCALE=" + s
		}
		cmd = target + "`, which runs `" + cmd
	}
	return cmd
}
