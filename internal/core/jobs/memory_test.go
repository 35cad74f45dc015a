package jobs

import (
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)

	undo := limitMemory(10<<20, 1000)
	want := int64(10<<20 + restoreAllowance + 1000*memoryPerFile)
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("limit during the restore = %d, want %d", got, want)
	}
	undo()
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Errorf("limit after the restore = %d, want the previous %d", got, prev)
	}

	// A lower limit that is already set (GOMEMLIMIT) is kept.
	debug.SetMemoryLimit(8 << 20)
	undo = limitMemory(10<<20, 1000)
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Errorf("a lower limit was replaced by %d", got)
	}
	undo()
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Errorf("limit after the restore = %d, want 8 MiB", got)
	}
}
