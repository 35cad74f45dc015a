package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/cli"
	"github.com/backupdesktop/backup-desktop/internal/sample"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// envCLI makes the test binary act as Backup Desktop's command line, so
// that the smoke test measures the real CLI code without building the
// desktop binary (and Fyne).
const envCLI = "BD_BENCH_ACT_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envCLI) == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// testLog sends the harness's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSmoke runs the whole benchmark at a tiny scale: every contender,
// both scales, the profiles and the document. It checks that every row is
// there with sane numbers; it never judges the timings.
func TestSmoke(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	profiles := t.TempDir()
	cfg := Config{
		Rows: 3000, MediaFiles: 12, MediaBytes: 400 << 10, Seed: 7, Reps: 2, QuickReps: 3, Growth: true,
		CLI: []string{exe}, CLIEnv: []string{envCLI + "=1"},
		BufferPool: "64M", ProfileDir: profiles, Log: testLog{t},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	if len(rep.Scales) != 2 || rep.Scales[0].Rows < 3000 || rep.Scales[1].Rows < 2*rep.Scales[0].Rows*9/10 {
		t.Errorf("scales = %+v, want about 3000 rows and twice that", rep.Scales)
	}
	for _, s := range rep.Scales {
		if s.Tables < 10 || s.MediaFiles < 12 || s.MediaBytes <= 0 || s.DataBytes <= 0 {
			t.Errorf("scale %s: implausible data set %+v", s.Label, s)
		}
	}

	want := []string{kRead, kDump, kBackupDB, kTar, kBackupMedia, kMediaAgain, kBackupFull, kMysql, kRestoreDB, kRestoreFull}
	tl, err := findTools()
	if err == nil && tl.myloader != "" {
		want = append(want, kMyloader)
	}
	if err == nil && tl.sync != "" {
		want = append(want, kTarFile)
	}
	if err == nil && tl.find != "" && tl.xargs != "" && tl.sha256sum != "" {
		want = append(want, kSHA256sum)
	}
	for _, key := range want {
		r := find(rep.Results, key)
		if r == nil {
			t.Errorf("no results for %s", key)
			continue
		}
		want := cfg.Reps
		switch key {
		case kTar, kTarFile, kSHA256sum, kBackupMedia, kMediaAgain: // the media contenders of about a second
			want = cfg.QuickReps
		}
		if len(r.Runs) != want {
			t.Errorf("%s: %d timed runs, want %d", key, len(r.Runs), want)
		}
		for i, x := range r.Runs {
			if x.Wall <= 0 || x.RSSKiB <= 0 || x.RSSKiB > 8<<20 {
				t.Errorf("%s run %d: wall %v, peak %d KiB: not a measurement", key, i, x.Wall, x.RSSKiB)
			}
		}
	}
	// The private server runs here, so its CPU time is seen.
	if os.Getenv(mariadbtest.EnvExisting) == "" {
		var server time.Duration
		for _, r := range rep.Results {
			for _, x := range r.Runs {
				server += x.ServerCPU
			}
		}
		if server <= 0 {
			t.Error("the server's CPU time was not measured")
		}
	}
	for _, key := range []string{kDump, kBackupDB, kTarFile, kBackupMedia, kMediaAgain, kBackupFull} {
		if r := find(rep.Results, key); r != nil && r.MedianSize() <= 0 {
			t.Errorf("%s wrote nothing", key)
		}
	}
	// The full backup holds the media, which the database-only one lacks.
	if db, full := find(rep.Results, kBackupDB), find(rep.Results, kBackupFull); db != nil && full != nil &&
		full.MedianSize() < db.MedianSize()+rep.Scales[0].MediaBytes*9/10 {
		t.Errorf("database + media archive %d bytes, database only %d, media %d", full.MedianSize(), db.MedianSize(), rep.Scales[0].MediaBytes)
	}
	for _, key := range []string{kBackupFull, kRestoreFull} {
		if r := find(rep.Growth, key); r == nil || len(r.Runs) != cfg.Reps || r.PeakKiB() <= 0 {
			t.Errorf("growth results for %s missing or empty: %+v", key, r)
		}
	}

	rows := []string{"backup-vs-dump", "backup-vs-read", "archive-size", "restore-vs-mysql", "restore-vs-myloader",
		"media-vs-tar", "media-first-vs-tar", "full-backup", "full-restore", "rss-backup-db", "rss-backup-media", "rss-backup-media-again", "rss-backup-full",
		"rss-restore-db", "rss-restore-full", "growth-backup", "growth-restore"}
	if tl.sync != "" {
		rows = append(rows, "media-vs-tar-file")
	}
	if tl.find != "" && tl.xargs != "" && tl.sha256sum != "" {
		rows = append(rows, "media-vs-sha256sum")
	}
	byKey := map[string]Row{}
	for _, r := range rep.Rows {
		byKey[r.Key] = r
	}
	for _, key := range rows {
		r, ok := byKey[key]
		if !ok {
			t.Errorf("the table has no row %s", key)
			continue
		}
		switch r.Status {
		case "pass", "MISS":
			if r.Target == "" || r.Target == "—" {
				t.Errorf("row %s is judged without a target", key)
			}
		case "info":
		default:
			t.Errorf("row %s: status %q", key, r.Status)
		}
		noRatio := strings.HasPrefix(key, "rss-") || (key == "restore-vs-myloader" && r.Ref == "not installed")
		if noRatio != math.IsNaN(r.Ratio) || (!noRatio && !(r.Ratio > 0 && r.Ratio < 1e4)) {
			t.Errorf("row %s: ratio %v", key, r.Ratio)
		}
	}
	if len(rep.Rows) != len(rows) {
		t.Errorf("the table has %d rows, want %d", len(rep.Rows), len(rows))
	}

	if len(rep.Profiles) != 3 {
		t.Errorf("profiles = %v, want database backup, restore and media backup profiles", rep.Profiles)
	}
	for _, p := range rep.Profiles {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v", p, err)
		}
	}

	doc := rep.Document("go run ./cmd/bd-bench --scale 3000")
	for _, s := range []string{"# Benchmarks", "`go run ./cmd/bd-bench --scale 3000`", "cores", "MariaDB", "go1.", "Server CPU", "| Steal |",
		"| Measure | Ours | Reference | Ratio | Target | Result |", "At twice the scale"} {
		if !strings.Contains(doc, s) {
			t.Errorf("the document lacks %q", s)
		}
	}
	for _, r := range rep.Rows {
		if !strings.Contains(doc, "| "+cell(r.Measure)+" | "+cell(r.Ours)+" |") {
			t.Errorf("the document lacks the row %q", r.Measure)
		}
	}
	if t.Failed() {
		t.Log("\n" + doc)
	}
}

func TestParseSteal(t *testing.T) {
	stat := "cpu  4705 356 584 3699176 23060 0 277 81 0 0\ncpu0 1393 280 283 1832735 11450 0 135 40 0 0\n"
	if d, ok := parseSteal([]byte(stat)); !ok || d != 810*time.Millisecond {
		t.Errorf("parseSteal = %v, %v; want 810ms, true", d, ok)
	}
	for _, bad := range []string{"", "cpu 1 2 3\n", "intr 1 2 3 4 5 6 7 8 9\n", "cpu 1 2 3 4 5 6 7 x 9\n"} {
		if d, ok := parseSteal([]byte(bad)); ok || d != 0 {
			t.Errorf("parseSteal(%q) = %v, %v; want 0, false", bad, d, ok)
		}
	}
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
		bad  bool
	}{
		{name: "default", in: "", want: sample.BenchRows},
		{name: "plain", in: "250000", want: 250_000},
		{name: "thousands", in: "400k", want: 400_000},
		{name: "millions", in: "4M", want: 4_000_000},
		{name: "fraction", in: "1.5m", want: 1_500_000},
		{name: "word", in: "big", bad: true},
		{name: "zero", in: "0", bad: true},
		{name: "negative", in: "-5k", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseScale(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("parseScale(%q) = %d, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseScale(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-binary")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "bad scale", args: []string{"--scale", "lots"}, want: "not a row count"},
		{name: "no binary", args: []string{"--bin", missing}, want: "run make build first"},
		{name: "stray argument", args: []string{"extra"}, want: "takes no arguments"},
		{name: "no reps", args: []string{"--reps", "0"}, want: "at least 1"},
		{name: "unknown flag", args: []string{"--fast"}, want: "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := mainArgs(tc.args, &stdout, &stderr); code != 2 {
				t.Fatalf("exit code %d, want 2; stderr: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("stderr %q does not say %q", stderr.String(), tc.want)
			}
		})
	}
}
