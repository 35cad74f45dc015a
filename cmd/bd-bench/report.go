package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Sample is one timed run of a contender.
type Sample struct {
	Wall time.Duration
	// CPU is the user + system time of the contender's processes;
	// ServerCPU that of the MariaDB server meanwhile (0 when the server's
	// process cannot be seen).
	CPU, ServerCPU time.Duration
	// Steal is the time the machine's virtual processors waited for the
	// host during the run, summed over processors (0 where not known).
	Steal  time.Duration
	RSSKiB int64 // peak resident memory of its largest process
	Size   int64 // bytes written (archive or dump), 0 when none
}

// Result is every timed run of one contender.
type Result struct {
	Key, Label string
	Ours       bool
	Runs       []Sample
}

// Median is the median wall time.
func (r *Result) Median() time.Duration {
	w := make([]time.Duration, len(r.Runs))
	for i, x := range r.Runs {
		w[i] = x.Wall
	}
	return medianOf(w)
}

// MedianCPU and MedianServerCPU are the median CPU times of the contender
// and of the server.
func (r *Result) MedianCPU() time.Duration {
	w := make([]time.Duration, len(r.Runs))
	for i, x := range r.Runs {
		w[i] = x.CPU
	}
	return medianOf(w)
}

// MedianServerCPU is the median CPU time the server spent during a run.
func (r *Result) MedianServerCPU() time.Duration {
	w := make([]time.Duration, len(r.Runs))
	for i, x := range r.Runs {
		w[i] = x.ServerCPU
	}
	return medianOf(w)
}

// MedianSteal is the median time the machine's processors were taken by
// the host during a run.
func (r *Result) MedianSteal() time.Duration {
	w := make([]time.Duration, len(r.Runs))
	for i, x := range r.Runs {
		w[i] = x.Steal
	}
	return medianOf(w)
}

// PeakKiB is the highest peak resident memory over the runs: the target is
// a ceiling, so the worst run counts.
func (r *Result) PeakKiB() int64 {
	var m int64
	for _, x := range r.Runs {
		m = max(m, x.RSSKiB)
	}
	return m
}

// MedianSize is the median size of what the runs wrote.
func (r *Result) MedianSize() int64 {
	s := make([]int64, len(r.Runs))
	for i, x := range r.Runs {
		s[i] = x.Size
	}
	return medianOf(s)
}

func medianOf[T int64 | time.Duration](v []T) T {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func results(cs []*contender) []*Result {
	out := make([]*Result, len(cs))
	for i, c := range cs {
		out[i] = &Result{Key: c.key, Label: c.label, Ours: c.ours, Runs: c.runs}
	}
	return out
}

// Machine describes where the numbers were measured.
type Machine struct {
	CPU        string
	Cores      int
	MemoryKiB  int64
	OS         string
	MariaDB    string
	Go         string
	Tools      []string // reference tools' versions
	BufferPool string
}

// ScaleInfo describes a generated data set.
type ScaleInfo struct {
	Label                 string
	Rows                  int64
	Tables                int
	DataBytes, IndexBytes int64
	SQLBytes              int64
	MediaFiles            int
	MediaBytes            int64
	GenDB, GenMedia       time.Duration
}

func (d *dataset) scaleInfo() ScaleInfo {
	return ScaleInfo{Label: d.label, Rows: d.stats.Rows, Tables: len(d.tables), DataBytes: d.stats.DataBytes,
		IndexBytes: d.stats.IndexBytes, SQLBytes: d.stats.SQLBytes, MediaFiles: d.media.Files,
		MediaBytes: d.media.Bytes, GenDB: d.genDB, GenMedia: d.genMedia}
}

// Row is one line of the results table: a figure of ours, its reference,
// their ratio and the target for it.
type Row struct {
	Key     string
	Measure string
	Ours    string
	Ref     string
	// Ratio is ours/reference (for media: reference time/our time, a
	// speed ratio); NaN when the row has no reference.
	Ratio  float64
	Target string
	// Status is "pass", "MISS" or "info" (no target).
	Status string
}

// Report is everything one benchmark run found.
type Report struct {
	Machine Machine
	Scales  []ScaleInfo
	Reps    int
	// QuickReps is the number of timed runs of the quick (media)
	// contenders.
	QuickReps int
	Seed      int64
	// RestoreWarmUp says whether the restores had warm-up runs.
	RestoreWarmUp bool
	Results       []*Result // at the first scale
	Growth        []*Result // at twice the scale (Config.Growth)
	Rows          []Row
	Profiles      []string // CPU profile files written
	Total         time.Duration
}

func find(rs []*Result, key string) *Result {
	for _, r := range rs {
		if r.Key == key {
			return r
		}
	}
	return nil
}

const memoryCeilingKiB = 100 << 10 // 100 MiB

// compare fills Rows from the results.
func (rep *Report) compare() {
	rs := rep.Results
	add := func(r Row) { rep.Rows = append(rep.Rows, r) }
	timeRow := func(key, measure, oursKey, refKey string, limit float64) {
		o, f := find(rs, oursKey), find(rs, refKey)
		if o == nil || f == nil {
			return
		}
		ratio := o.Median().Seconds() / f.Median().Seconds()
		add(Row{Key: key, Measure: measure, Ours: seconds(o.Median()), Ref: seconds(f.Median()),
			Ratio: ratio, Target: fmt.Sprintf("≤ %.2f×", limit), Status: status(ratio <= limit)})
	}
	timeRow("backup-vs-dump", "Database backup time vs mysqldump | gzip -6", kBackupDB, kDump, 0.5)
	timeRow("backup-vs-read", "Database backup time vs bare read of every table", kBackupDB, kRead, 2.5)
	if o, f := find(rs, kBackupDB), find(rs, kDump); o != nil && f != nil {
		ratio := float64(o.MedianSize()) / float64(f.MedianSize())
		add(Row{Key: "archive-size", Measure: "Archive size (database only) vs gzip -6 dump", Ours: mib(o.MedianSize()),
			Ref: mib(f.MedianSize()), Ratio: ratio, Target: "≤ 1.25×", Status: status(ratio <= 1.25)})
	}
	timeRow("restore-vs-mysql", "Restore time (database) vs mysql < dump.sql", kRestoreDB, kMysql, 0.7)
	if o, f := find(rs, kRestoreDB), find(rs, kMyloader); o != nil && f != nil {
		add(Row{Key: "restore-vs-myloader", Measure: "Restore time (database) vs myloader", Ours: seconds(o.Median()),
			Ref: seconds(f.Median()), Ratio: o.Median().Seconds() / f.Median().Seconds(), Target: "—", Status: "info"})
	} else if o != nil {
		add(Row{Key: "restore-vs-myloader", Measure: "Restore time (database) vs myloader", Ours: seconds(o.Median()),
			Ref: "not installed", Ratio: math.NaN(), Target: "—", Status: "info"})
	}
	if o, f := find(rs, kMediaAgain), find(rs, kTar); o != nil && f != nil {
		speed := f.Median().Seconds() / o.Median().Seconds()
		add(Row{Key: "media-vs-tar", Measure: "Media backup speed vs tar -cf - media | cat, the unchanged folder backed up again (speed ratio)", Ours: seconds(o.Median()),
			Ref: seconds(f.Median()), Ratio: speed, Target: "≥ 0.80×", Status: status(speed >= 0.8)})
	}
	if o, f := find(rs, kBackupMedia), find(rs, kTar); o != nil && f != nil {
		add(Row{Key: "media-first-vs-tar", Measure: "Media backup speed vs tar -cf - media | cat, first backup: every file hashed (speed ratio)",
			Ours: seconds(o.Median()), Ref: seconds(f.Median()), Ratio: f.Median().Seconds() / o.Median().Seconds(), Target: "—", Status: "info"})
	}
	if o, f := find(rs, kBackupMedia), find(rs, kTarFile); o != nil && f != nil {
		add(Row{Key: "media-vs-tar-file", Measure: "First media backup speed vs tar -cf FILE media && sync FILE: reading and writing alone (speed ratio)",
			Ours: seconds(o.Median()), Ref: seconds(f.Median()), Ratio: f.Median().Seconds() / o.Median().Seconds(), Target: "—", Status: "info"})
	}
	if o, f := find(rs, kBackupMedia), find(rs, kSHA256sum); o != nil && f != nil {
		add(Row{Key: "media-vs-sha256sum", Measure: "First media backup speed vs sha256sum of every file: checksums alone (speed ratio)",
			Ours: seconds(o.Median()), Ref: seconds(f.Median()), Ratio: f.Median().Seconds() / o.Median().Seconds(), Target: "—", Status: "info"})
	}
	if o, d, t := find(rs, kBackupFull), find(rs, kDump), find(rs, kTar); o != nil && d != nil && t != nil {
		ref := d.Median() + t.Median()
		add(Row{Key: "full-backup", Measure: "Database + media backup time vs mysqldump | gzip -6 plus tar | cat",
			Ours: seconds(o.Median()), Ref: seconds(ref), Ratio: o.Median().Seconds() / ref.Seconds(), Target: "—", Status: "info"})
	}
	if o, m := find(rs, kRestoreFull), find(rs, kMysql); o != nil && m != nil {
		add(Row{Key: "full-restore", Measure: "Database + media restore time vs mysql < dump.sql",
			Ours: seconds(o.Median()), Ref: seconds(m.Median()), Ratio: o.Median().Seconds() / m.Median().Seconds(), Target: "—", Status: "info"})
	}
	memRow := func(key, measure, oursKey string, refKeys ...string) {
		o := find(rs, oursKey)
		if o == nil {
			return
		}
		ref := "—"
		var parts []string
		for _, k := range refKeys {
			if f := find(rs, k); f != nil {
				parts = append(parts, kib(f.PeakKiB())+" ("+k+")")
			}
		}
		if len(parts) > 0 {
			ref = strings.Join(parts, ", ")
		}
		add(Row{Key: key, Measure: measure, Ours: kib(o.PeakKiB()), Ref: ref, Ratio: math.NaN(),
			Target: "≤ 100 MiB", Status: status(o.PeakKiB() <= memoryCeilingKiB)})
	}
	memRow("rss-backup-db", "Peak memory, database backup", kBackupDB, kDump)
	memRow("rss-backup-media", "Peak memory, media backup (first)", kBackupMedia, kTar, kTarFile)
	memRow("rss-backup-media-again", "Peak memory, media backup again", kMediaAgain)
	memRow("rss-backup-full", "Peak memory, database + media backup", kBackupFull)
	memRow("rss-restore-db", "Peak memory, database restore", kRestoreDB, kMysql)
	memRow("rss-restore-full", "Peak memory, database + media restore", kRestoreFull)
	growth := func(key, measure, oursKey string) {
		o, g := find(rs, oursKey), find(rep.Growth, oursKey)
		if o == nil || g == nil {
			return
		}
		ratio := float64(g.PeakKiB()) / float64(o.PeakKiB())
		add(Row{Key: key, Measure: measure, Ours: kib(g.PeakKiB()) + " at 2×", Ref: kib(o.PeakKiB()) + " at 1×",
			Ratio: ratio, Target: "≤ 1.10×", Status: status(ratio <= 1.1)})
	}
	growth("growth-backup", "Peak memory growth at twice the scale, database + media backup", kBackupFull)
	growth("growth-restore", "Peak memory growth at twice the scale, database + media restore", kRestoreFull)
}

// cell escapes the pipes of a shell command inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func status(ok bool) string {
	if ok {
		return "pass"
	}
	return "MISS"
}

// Markdown renders the report; command is the exact command that made it.
func (rep *Report) Markdown(command string) string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "Measured %s by `%s`.\n\n", time.Now().Format("2006-01-02 15:04 MST"), command)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s memory, %s; MariaDB %s (innodb_buffer_pool_size=%s); %s; %s.\n\n",
		m.CPU, m.Cores, kib(m.MemoryKiB), m.OS, m.MariaDB, m.BufferPool, m.Go, strings.Join(m.Tools, ", "))
	for _, s := range rep.Scales {
		fmt.Fprintf(&b, "Data (%s, seed %d): %d rows in %d tables, %s table data + %s indexes (%s of INSERTs), generated in %s; "+
			"media %d files, %s, generated in %s.\n\n", s.Label, rep.Seed, s.Rows, s.Tables, mib(s.DataBytes), mib(s.IndexBytes),
			mib(s.SQLBytes), seconds(s.GenDB), s.MediaFiles, mib(s.MediaBytes), seconds(s.GenMedia))
	}
	warm := "after one untimed warm-up run each"
	if !rep.RestoreWarmUp {
		warm = "after one untimed warm-up run of each backup and read (not of the restores, whose inputs those runs have just cached)"
	}
	runs := fmt.Sprintf("%d timed runs per contender", rep.Reps)
	if rep.QuickReps > rep.Reps {
		runs = fmt.Sprintf("%d timed runs per contender (%d of those that read or back up the media alone, which take about a second)", rep.Reps, rep.QuickReps)
	}
	fmt.Fprintf(&b, "Times are the median of %s, %s; "+
		"the runs are interleaved and their order rotates. Peak memory is the highest over the runs. CPU is the user + system "+
		"time of the contender's processes, server CPU that of the MariaDB server during the run, steal the time the host "+
		"took this machine's processors away during the run, over all processors (medians).\n\n", runs, warm)

	b.WriteString("| Measure | Ours | Reference | Ratio | Target | Result |\n|---|---|---|---|---|---|\n")
	for _, r := range rep.Rows {
		ratio := "—"
		if !math.IsNaN(r.Ratio) {
			ratio = fmt.Sprintf("%.2f×", r.Ratio)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cell(r.Measure), cell(r.Ours), cell(r.Ref), ratio, r.Target, r.Status)
	}

	writeRuns := func(title string, rs []*Result) {
		fmt.Fprintf(&b, "\n%s\n\n| Contender | Median | Runs | CPU | Server CPU | Steal | Peak memory | Output |\n|---|---|---|---|---|---|---|---|\n", title)
		for _, r := range rs {
			var runs []string
			for _, x := range r.Runs {
				runs = append(runs, seconds(x.Wall))
			}
			out := "—"
			if s := r.MedianSize(); s > 0 {
				out = mib(s)
			}
			label := r.Label
			if r.Ours {
				label = "**" + label + "**"
			}
			server := "—"
			if r.MedianServerCPU() > 0 {
				server = seconds(r.MedianServerCPU())
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", cell(label), seconds(r.Median()), strings.Join(runs, ", "),
				seconds(r.MedianCPU()), server, seconds(r.MedianSteal()), kib(r.PeakKiB()), out)
		}
	}
	writeRuns("Every timed run ("+rep.Scales[0].Label+"):", rep.Results)
	if len(rep.Growth) > 0 {
		writeRuns("At twice the scale:", rep.Growth)
	}
	if len(rep.Profiles) > 0 {
		fmt.Fprintf(&b, "\nCPU profiles (in-process, `go tool pprof -top FILE`): %s\n", strings.Join(rep.Profiles, ", "))
	}
	fmt.Fprintf(&b, "\nWhole run, generation included: %s.\n", seconds(rep.Total))
	return b.String()
}

// Document is docs/benchmarks.md: the table and how it was made.
func (rep *Report) Document(command string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("This file is written by `make bench` (`cmd/bd-bench --write docs/benchmarks.md`); do not edit the numbers by hand.\n" +
		"The targets are those of issue 5: a database backup at most half the time of `mysqldump | gzip -6` and at most\n" +
		"2.5 × a bare read of every table, with an archive at most 1.25 × the gzip -6 dump; a restore at most 0.7 × the time\n" +
		"of `mysql < dump.sql`; media at 0.8 × the speed of `tar | cat` or better; peak memory at most 100 MiB and no more\n" +
		"than 10 % higher at twice the scale.\n\n## Latest results\n\n")
	b.WriteString(rep.Markdown(command))
	b.WriteString(`
## How it is measured

- One private MariaDB server (the tests' harness, ` + "`internal/testutil/mariadbtest`" + `) holds the generated
  Inventory database (` + "`internal/sample`" + `: Django's tables, products, stock movements, orders, audit log …,
  deterministic from the seed) and the machine's disk holds the media folder (JPEG and PNG images, PDFs, CSVs).
- Every contender runs as its own process, started by the harness without a shell; pipelines are connected by
  pipes. Wall time runs from the first process's start to the last one's exit. Peak memory is ` + "`ru_maxrss`" + `
  of each process as GNU time (` + "`/usr/bin/time -f %M`" + `) reports it; for a pipeline the largest. (GNU time is
  needed because Linux keeps the pre-exec peak in ` + "`ru_maxrss`" + `: a process started straight from the
  harness would report at least the harness's own memory.)
- Our figures come from the built command line, ` + "`backup-desktop --config F create-backup`" + ` and
  ` + "`backup-desktop --config F restore FILE --yes --no-safety-backup`" + `, exactly as a user runs them.
  "Database only" backs up with an empty media folder. The media figures are measured directly: a backup of the
  media folder with an empty database (not derived by subtraction), twice. The first backup of the folder has an
  empty backup folder, so it computes the SHA-256 of every file. "Again" is the backup a schedule makes: the
  previous backup of the unchanged folder is in the backup folder, so the checksums of the files whose size,
  time and CRC-32 match are taken from it (docs/archive-format.md); it still reads and writes every byte. The
  harness checks in the app's log that every such run did take them over. The media target is judged on
  "again", the one a shop runs every night; the first backup's ratio is the info row below it. Restores go into
  a new, empty database and
  an empty media folder; after the first run of each restore, the row count of every table (and for the full
  restore, the number of media files) is checked against the source.
- ` + "`mysql DB < dump.sql`" + ` loads the plain dump written by the warm-up run of ` + "`mysqldump | gzip -6`" + `
  (unpacked untimed). The bare read is one ` + "`mysql --quick -N -e 'SELECT * FROM t' > /dev/null`" + ` per table,
  one after the other.
- ` + "`tar -cf - media | cat > /dev/null`" + ` writes nothing, while a backup must write its archive and flush it to
  the disk. Two info rows time, with standard tools, the two things a media backup cannot skip:
  ` + "`tar -cf FILE media && sync FILE`" + ` (both timed, one after the other) reads every file and writes it all to a
  file and flushes it, but computes no checksum, and ` + "`find media -type f | xargs -P CORES sha256sum`" + ` computes
  the SHA-256 of every file, which the archive's manifest must hold, but writes nothing.
- Before every timed run the harness waits until the writes of the runs before it are on the disk: the system's
  dirty pages (` + "`sync`" + `) and the server's dirty buffer-pool pages (down to 4 MiB; on the private server
  InnoDB is told to flush them at once). A run that writes thus does not pay for the one before it.
- Every contender reads warm data. Every backup and read gets one untimed warm-up run first, and right before each
  run the harness reads the files that the run will read (the media folder, the plain dump, our archives) once
  more, untimed: some systems evict cached pages that have gone unused for about a minute, less than a round of
  runs takes, and without this, which contender read from the disk would depend on the rotation. The restores'
  inputs are written by the warm-up runs; every restore loads into a new database, and gets a warm-up run of its
  own only with ` + "`--restore-warmup`" + ` (without it, the row counts are checked after its first timed run).
  Timed runs are interleaved, in an order that rotates each round. The contenders that read or back up the media
  alone take about a second, where single runs vary the most, so they get more runs (` + "`--quick-reps`" + `).
- On a virtual machine the host may take the processors away for its other guests. The runs tables show the
  median of that time during a run ("steal", from ` + "`/proc/stat`" + `, summed over the processors): a run with much
  steal took longer for reasons outside the contender.
`)
	return b.String()
}

// machine collects the facts about this machine and server.
func (b *bench) machine(ctx context.Context) (Machine, error) {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if err := b.admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&m.MariaDB); err != nil {
		return m, fmt.Errorf("ask the server its version: %w", err)
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS = "Linux " + strings.TrimSpace(string(rel))
	}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		fmt.Sscanf(v, "%d", &m.MemoryKiB)
	}
	version := func(args ...string) {
		out, err := output(ctx, args...)
		if err != nil {
			return
		}
		line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
		m.Tools = append(m.Tools, strings.Join(strings.Fields(line), " "))
	}
	version(b.tools.mysqldump, "--version")
	version(b.tools.gzip, "--version")
	version(b.tools.tar, "--version")
	if b.tools.myloader != "" {
		version(b.tools.myloader, "--version")
	}
	return m, nil
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func mib(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
}

func kib(n int64) string { return mib(n << 10) }
