package dump

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/sample"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// BenchmarkLoadTables times LoadTables against `mysql DB < dump.sql` of the
// same generated Inventory database (internal/sample) on a private server
// shaped like the one of cmd/bd-bench (1 GiB buffer pool). Each iteration
// loads the mysqldump SQL with the mysql client and then our dump with
// LoadTables, each into a new database. It reports, per load, our time
// (ns/op) and the server's CPU time, the ratio of our total time to
// mysql's as "x-mysql" (issue 5 wants at most 0.7 for the whole restore),
// and the largest growth of the Go heap during one load.
//
//	go test -run '^$' -bench LoadTables -benchtime 5x ./internal/core/dump/
//
// BD_LOAD_BENCH_ROWS sets the scale (default 300000 rows).
// BD_LOAD_BENCH_CACHE names a folder that keeps the two dumps between runs
// (they are made again when missing; delete them after changing the scale).
// BD_LOAD_BENCH_VARIANTS compares tunings in the same run, interleaved:
// a comma-separated list of variants like "conns=1+infile=0+defer=0" (see
// setKnobs; "" is the default tuning). Each gets its own x-mysql metric.
func BenchmarkLoadTables(b *testing.B) {
	rows := 300_000
	if s := os.Getenv("BD_LOAD_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("BD_LOAD_BENCH_ROWS=%q is not a row count", s)
		}
		rows = n
	}
	variants := strings.Split(os.Getenv("BD_LOAD_BENCH_VARIANTS"), ",")
	for _, v := range variants {
		setKnobs(b, v)() // check them before the long set-up
	}
	bs := setupLoadBench(b, rows)
	defer bs.close()
	// A sub-benchmark, so that the set-up above runs once: the testing
	// package calls a benchmark function with b.N = 1 before the real run.
	b.Run("vs-mysql", func(b *testing.B) { bs.run(b, variants) })
}

// loadBench is the generated database and its two dumps.
type loadBench struct {
	dir         string
	srv         *mariadbtest.Server
	pool        *sql.DB
	plain, ours string // mysqldump's SQL, our JSON
	mysqlBin    string
	cpu         func() time.Duration
}

func (bs *loadBench) close() {
	if bs.pool != nil {
		bs.pool.Close()
	}
	bs.srv.Stop()
	os.RemoveAll(bs.dir)
}

func (bs *loadBench) run(b *testing.B, variants []string) {
	ctx := context.Background()
	ours := make([]time.Duration, len(variants))
	oursCPU := make([]time.Duration, len(variants))
	heap := make([]uint64, len(variants)) // peak heap growth during LoadTables
	var mysqlTotal, mysqlCPU time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		elapsed, cpu := bs.timed(b, func(target string) error {
			in, err := os.Open(bs.plain)
			if err != nil {
				return err
			}
			defer in.Close()
			cmd := exec.Command(bs.mysqlBin, append(bs.srv.ClientArgs(), target)...)
			cmd.Stdin = in
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v %s", bs.mysqlBin, err, msg)
			}
			return nil
		})
		mysqlTotal += elapsed
		mysqlCPU += cpu
		// Rotate the order of the variants so that none always runs
		// right after mysql.
		for k := range variants {
			j := (i + k) % len(variants)
			restore := setKnobs(b, variants[j])
			elapsed, cpu := bs.timed(b, func(target string) error {
				in, err := os.Open(bs.ours)
				if err != nil {
					return err
				}
				defer in.Close()
				b.StartTimer()
				peak, _ := heapPeak(func() { _, _, err = LoadTables(ctx, bs.pool, target, in, LoadOptions{}) })
				b.StopTimer()
				heap[j] = max(heap[j], peak)
				return err
			})
			restore()
			ours[j] += elapsed
			oursCPU[j] += cpu
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(mysqlTotal.Milliseconds())/n, "mysql-ms/op")
	b.ReportMetric(float64(mysqlCPU.Milliseconds())/n, "mysql-server-cpu-ms/op")
	for j, v := range variants {
		name := strings.ReplaceAll(v, "=", "")
		if name != "" {
			name = "(" + name + ")"
		}
		b.ReportMetric(float64(ours[j].Milliseconds())/n, "ms/op"+name)
		b.ReportMetric(float64(oursCPU[j].Milliseconds())/n, "server-cpu-ms/op"+name)
		b.ReportMetric(float64(ours[j])/float64(mysqlTotal), "x-mysql"+name)
		b.ReportMetric(float64(heap[j])/(1<<20), "peak-heap-MiB"+name)
	}
}

// timed runs load into a new database, which it drops afterwards, and
// returns the wall time and the server's CPU time it took.
func (bs *loadBench) timed(b *testing.B, load func(target string) error) (time.Duration, time.Duration) {
	target, err := bs.srv.CreateDatabase("bench_load")
	if err != nil {
		b.Fatal(err)
	}
	defer bs.srv.Exec("", "DROP DATABASE "+quoteIdent(target))
	c0, t0 := bs.cpu(), time.Now()
	if err := load(target); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0), bs.cpu() - c0
}

func setupLoadBench(b *testing.B, rows int) *loadBench {
	ctx := context.Background()
	bs := &loadBench{}
	var err error
	if bs.mysqlBin, err = exec.LookPath("mariadb"); err != nil {
		if bs.mysqlBin, err = exec.LookPath("mysql"); err != nil {
			b.Fatal("neither mariadb nor mysql (the command-line client) is installed")
		}
	}
	dumpBin, err := exec.LookPath("mariadb-dump")
	if err != nil {
		if dumpBin, err = exec.LookPath("mysqldump"); err != nil {
			b.Fatal("neither mariadb-dump nor mysqldump is installed")
		}
	}
	if bs.srv, err = mariadbtest.Start(mariadbtest.Options{ExtraArgs: []string{"--innodb-buffer-pool-size=1G"}}); err != nil {
		b.Fatal(err)
	}
	ok := false
	defer func() {
		if !ok {
			bs.close()
		}
	}()
	if bs.dir, err = os.MkdirTemp("", "bd-load-bench-"); err != nil {
		b.Fatal(err)
	}
	bs.ours = filepath.Join(bs.dir, "database_dump.json")
	bs.plain = filepath.Join(bs.dir, "dump.sql")
	if cache := os.Getenv("BD_LOAD_BENCH_CACHE"); cache != "" {
		bs.ours = filepath.Join(cache, "database_dump.json")
		bs.plain = filepath.Join(cache, "dump.sql")
		_, err1 := os.Stat(bs.ours)
		_, err2 := os.Stat(bs.plain)
		if err1 == nil && err2 == nil {
			if bs.pool, err = bs.srv.Open(""); err != nil {
				b.Fatal(err)
			}
			bs.cpu = serverCPU(b, bs.pool)
			ok = true
			return bs
		}
	}
	src, err := bs.srv.CreateDatabase("bench_src")
	if err != nil {
		b.Fatal(err)
	}
	if bs.pool, err = bs.srv.Open(src); err != nil {
		b.Fatal(err)
	}
	st, err := sample.Generate(ctx, bs.pool, src, sample.Options{Rows: rows, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d rows, %d MiB data + %d MiB indexes", st.Rows, st.DataBytes>>20, st.IndexBytes>>20)

	f, err := os.Create(bs.ours)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Write(ctx, bs.pool, src, f, WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	out, err := os.Create(bs.plain)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	var stderr strings.Builder
	cmd := exec.Command(dumpBin, append(bs.srv.ClientArgs(), "--single-transaction", "--routines", "--events", "--triggers", src)...)
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v %s", dumpBin, err, stderr.String())
	}
	bs.cpu = serverCPU(b, bs.pool)
	ok = true
	return bs
}

// serverCPU returns a function that reads the user + system CPU time the
// server process has used so far, from /proc.
func serverCPU(b *testing.B, db *sql.DB) func() time.Duration {
	var pidFile string
	if err := db.QueryRow("SELECT @@pid_file").Scan(&pidFile); err != nil {
		b.Fatal(err)
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		b.Fatal(err)
	}
	stat := fmt.Sprintf("/proc/%s/stat", strings.TrimSpace(string(pid)))
	return func() time.Duration {
		raw, err := os.ReadFile(stat)
		if err != nil {
			b.Fatal(err)
		}
		// utime and stime are the 14th and 15th fields; the command name
		// before them, in parentheses, may hold spaces.
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		return time.Duration(u+s) * time.Second / 100
	}
}

// setKnobs applies a variant such as "conns=2+infile=0+mem=8" (sizes in
// MiB) to LoadTables' tuning and returns a function that restores it.
func setKnobs(b *testing.B, variant string) func() {
	conns, ib, fb, mem, infile, deferKeys, minRows := loadConnections, insertBatch, infileBatch, loadMemory, useInfile, deferIndexes, deferMinRows
	restore := func() {
		loadConnections, insertBatch, infileBatch, loadMemory, useInfile, deferIndexes, deferMinRows = conns, ib, fb, mem, infile, deferKeys, minRows
	}
	for _, kv := range strings.Split(variant, "+") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if err != nil {
			restore()
			b.Fatalf("variant %q: %q is not a number", variant, kv)
		}
		switch k {
		case "conns":
			loadConnections = n
		case "insert":
			insertBatch = n << 20
		case "batch":
			infileBatch = n << 20
		case "mem":
			loadMemory = n << 20
		case "minrows":
			deferMinRows = int64(n)
		case "infile":
			useInfile = n != 0
		case "defer":
			deferIndexes = n != 0
		default:
			restore()
			b.Fatalf("variant %q: unknown knob %q (conns, insert, batch, mem, infile, defer, minrows)", variant, k)
		}
	}
	return restore
}
