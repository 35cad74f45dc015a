package jobs

import (
	"runtime"
	"runtime/debug"
)

// A restore keeps, for the whole run, the archive's directory and manifest:
// about half a KiB for each media file. The garbage collector normally lets
// the heap grow to twice what is live, so that per-file memory would count
// twice in the process's peak, on top of the garbage that loading the
// database makes. limitMemory sets a soft memory limit for the time of a
// restore instead: what the process's Go memory was when the restore began,
// plus a fixed allowance for the work itself and a little more than what
// each media file keeps. Past the limit the runtime collects more often
// (at most half the CPU time), so an estimate that is too low slows a
// restore down and never fails it.
//
// Measured with `make bench`'s data (1 million rows with 4000 media files,
// and twice that), peak RSS of a restore: 45.1-45.4 and 47.0-47.4 MiB with
// the limit, 47-50 and 52.8-54.3 MiB without; the times did not change.
const (
	restoreAllowance = 16 << 20
	memoryPerFile    = 512
)

// goMemory is what the soft memory limit counts: the memory the Go runtime
// holds from the system, less what it has given back.
func goMemory() int64 {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return int64(s.Sys - s.HeapReleased)
}

// limitMemory sets the soft memory limit for a restore of an archive with
// files media files, over base (goMemory before the restore began), and
// returns the function that puts the previous limit back.
func limitMemory(base int64, files int) (undo func()) {
	prev := debug.SetMemoryLimit(-1)
	limit := base + restoreAllowance + int64(files)*memoryPerFile
	if limit >= prev {
		return func() {}
	}
	debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}
