package dump

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"
)

// FuzzScan feeds Scan damaged and invented dumps, starting from a real
// one: it must never panic, must fail only with ErrCorrupt or
// ErrUnsupportedVersion, and must allocate in proportion to its input.
func FuzzScan(f *testing.F) {
	seed, err := os.ReadFile(testdataDump)
	if err != nil {
		f.Fatalf("%v (run go test -run TestTestdataDump -update)", err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(`{"format":"backup-desktop-database-dump","format_version":1,"database":"x","tables":[],"summary":{}}`))
	f.Add([]byte(`{"format":"backup-desktop-database-dump","format_version":2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Scan(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("Scan failed with neither ErrCorrupt nor ErrUnsupportedVersion: %v", err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20+64*uint64(len(data)) {
			t.Fatalf("Scan allocated %d bytes for %d bytes of input", alloc, len(data))
		}
	})
}
