package dump

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// heapPeak samples HeapInuse while f runs and returns the peak above the
// level before it.
func heapPeak(f func()) (peak uint64, totalAlloc uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, alloc0 := ms.HeapInuse, ms.TotalAlloc
	var mu sync.Mutex
	var top uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			top = max(top, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	runtime.ReadMemStats(&ms)
	if top < base {
		return 0, ms.TotalAlloc - alloc0
	}
	return top - base, ms.TotalAlloc - alloc0
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestMemoryFlat dumps, scans and loads a table far larger than the memory
// it may use: a dump that buffered a table whole would fail here.
func TestMemoryFlat(t *testing.T) {
	const rows = 300_000
	const limit = 24 << 20 // the dump is about 80 MB
	ctx := context.Background()
	name, db := newDatabase(t, "mem")
	execOn(t, db,
		"CREATE TABLE big (id INT PRIMARY KEY, s VARCHAR(255), b VARBINARY(64), d DOUBLE, at DATETIME)",
		"INSERT INTO big SELECT seq, REPEAT(CHAR(65 + seq % 26), 200), UNHEX(MD5(seq)), seq / 7, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_300000",
	)

	var cw countingWriter
	var err error
	peak, _ := heapPeak(func() { _, err = Write(ctx, db, name, &cw, WriteOptions{}) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Write: %d bytes of dump, heap peak %.1f MiB", cw.n, float64(peak)/(1<<20))
	if cw.n < 60<<20 {
		t.Fatalf("the dump is only %d bytes; the test needs one larger than the limit", cw.n)
	}
	if peak > limit {
		t.Errorf("Write's heap grew by %.1f MiB for a %d MiB dump (limit %d MiB)", float64(peak)/(1<<20), cw.n>>20, limit>>20)
	}

	path := filepath.Join(t.TempDir(), "dump.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Write(ctx, db, name, f, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	var scanned *Summary
	start := time.Now()
	peak, alloc := heapPeak(func() {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		scanned, err = Scan(f)
		if err != nil {
			t.Error(err)
		}
	})
	t.Logf("Scan: %v, heap peak %.1f MiB, %d bytes allocated (%.1f per row)", time.Since(start), float64(peak)/(1<<20), alloc, float64(alloc)/rows)
	if scanned == nil || scanned.TotalRows() != rows || sum.TotalRows() != rows {
		t.Fatalf("rows: scanned %v, written %d", scanned, sum.TotalRows())
	}
	if peak > limit {
		t.Errorf("Scan's heap grew by %.1f MiB", float64(peak)/(1<<20))
	}
	if alloc > 2<<20 {
		t.Errorf("Scan allocated %d bytes for %d rows; it should reuse its buffers row after row", alloc, rows)
	}

	dstName, dst := newDatabase(t, "memdst")
	peak, _ = heapPeak(func() {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if _, _, err := LoadTables(ctx, dst, dstName, f, LoadOptions{}); err != nil {
			t.Error(err)
		}
	})
	t.Logf("LoadTables: heap peak %.1f MiB", float64(peak)/(1<<20))
	if peak > limit {
		t.Errorf("LoadTables' heap grew by %.1f MiB", float64(peak)/(1<<20))
	}
	var n int
	if err := dst.QueryRow("SELECT COUNT(*) FROM big").Scan(&n); err != nil || n != rows {
		t.Errorf("loaded %d rows (%v), want %d", n, err, rows)
	}
}
