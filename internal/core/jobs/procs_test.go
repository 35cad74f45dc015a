package jobs

import (
	"runtime"
	"testing"
)

func TestExtraProc(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	runtime.SetDefaultGOMAXPROCS()
	n := runtime.GOMAXPROCS(0)
	undo := extraProc()
	if got := runtime.GOMAXPROCS(0); got != n+1 {
		t.Errorf("during a backup GOMAXPROCS = %d, want %d", got, n+1)
	}
	undo()
	if got := runtime.GOMAXPROCS(0); got != n {
		t.Errorf("after a backup GOMAXPROCS = %d, want %d back", got, n)
	}

	// Set by the user: kept.
	t.Setenv("GOMAXPROCS", "1")
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	undo = extraProc()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("with GOMAXPROCS=1 in the environment, a backup set it to %d", got)
	}
	undo()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("with GOMAXPROCS=1 in the environment, after a backup it is %d", got)
	}
	runtime.SetDefaultGOMAXPROCS()
}
