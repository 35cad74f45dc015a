package lock

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestHelperProcess holds the lock for the parent test when run as a child.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("LOCK_TEST_DIR")
	if dir == "" {
		return
	}
	l, err := Acquire(dir, "backup")
	if err != nil {
		os.Stdout.WriteString("ERR " + err.Error() + "\n")
		os.Exit(3)
	}
	os.Stdout.WriteString("LOCKED\n")
	time.Sleep(time.Minute)
	l.Release()
	os.Exit(0)
}

func startHolder(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "LOCK_TEST_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "LOCKED") {
		t.Fatalf("child did not take the lock: %q", buf[:n])
	}
	return cmd
}

func TestOtherProcessHoldsLock(t *testing.T) {
	dir := t.TempDir()
	child := startHolder(t, dir)
	defer child.Process.Kill()

	_, err := Acquire(dir, "restore")
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrBusy) {
		t.Fatalf("Acquire while held = %v, want BusyError", err)
	}
	if busy.Holder.PID != child.Process.Pid || busy.Holder.Op != "backup" {
		t.Errorf("holder = %+v, want pid %d op backup", busy.Holder, child.Process.Pid)
	}
	if !strings.Contains(err.Error(), "another backup is running") {
		t.Errorf("message %q does not say what is running", err)
	}
	if h, held := Current(dir); !held || h.PID != child.Process.Pid {
		t.Errorf("Current = %+v, %v", h, held)
	}
}

func TestLockOfKilledProcessDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	child := startHolder(t, dir)
	child.Process.Kill()
	child.Wait()

	l, err := Acquire(dir, "backup")
	if err != nil {
		t.Fatalf("lock left by a killed process blocks: %v", err)
	}
	defer l.Release()
	if h, held := Current(dir); held {
		// Current from the same process sees its own lock as free on
		// some systems; it must never report the dead child.
		if h.PID == child.Process.Pid {
			t.Errorf("Current names the dead process %d", h.PID)
		}
	}
}

func TestReleaseLetsNextIn(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "backup")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal("second Release:", err)
	}
	l2, err := Acquire(dir, "backup")
	if err != nil {
		t.Fatal(err)
	}
	l2.Release()
}
