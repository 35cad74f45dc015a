package single

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestMain lets the test binary act as a separate running app: with
// SINGLE_TEST_HOLD set it takes the instance for that folder, prints
// "ready", prints "show" for every later start, and runs until killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("SINGLE_TEST_HOLD"); dir != "" {
		in, err := Acquire(dir, time.Second)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		in.Serve(func() { fmt.Println("show") })
		fmt.Println("ready")
		select {}
	}
	os.Exit(m.Run())
}

func TestSecondStartShowsFirst(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, time.Second)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	var shows atomic.Int32
	first.Serve(func() { shows.Add(1) })

	for i := 1; i <= 2; i++ {
		second, err := Acquire(dir, time.Second)
		if !errors.Is(err, ErrShown) || !errors.Is(err, ErrRunning) {
			t.Fatalf("start %d: got %v, %v; want ErrShown", i+1, second, err)
		}
		if got := shows.Load(); got != int32(i) {
			t.Fatalf("after start %d the first instance was asked to show %d times, want %d", i+1, got, i)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := os.Stat(dir + "/" + InfoName); !os.IsNotExist(err) {
		t.Errorf("info file still there after Close: %v", err)
	}
	again, err := Acquire(dir, time.Second)
	if err != nil {
		t.Fatalf("Acquire after Close: %v", err)
	}
	again.Close()
}

func TestWrongTokenIsRefused(t *testing.T) {
	dir := t.TempDir()
	in, err := Acquire(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var shows atomic.Int32
	in.Serve(func() { shows.Add(1) })
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", in.info.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintln(conn, "show not-the-token")
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	if strings.TrimSpace(reply) != "denied" || shows.Load() != 0 {
		t.Errorf("reply %q, shows %d; want denied and no show", reply, shows.Load())
	}
}

// TestOtherProcess checks the real case: another process holds the
// instance, a later start makes it show, and once it is killed the lock
// it left never blocks the next start.
func TestOtherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SINGLE_TEST_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("holder printed %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("holder did not print %q", want)
		}
	}
	expect("ready")
	if _, err := Acquire(dir, 2*time.Second); !errors.Is(err, ErrShown) {
		t.Fatalf("Acquire while another process runs: %v, want ErrShown", err)
	}
	expect("show")

	cmd.Process.Kill()
	cmd.Wait()
	in, err := Acquire(dir, time.Second)
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	in.Close()
}

func TestUnansweringHolder(t *testing.T) {
	dir := t.TempDir()
	in, err := Acquire(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	// Not serving: the listener accepts (backlog) but never answers.
	start := time.Now()
	_, err = Acquire(dir, 300*time.Millisecond)
	if !errors.Is(err, ErrRunning) || errors.Is(err, ErrShown) || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("got %v; want an ErrRunning that says it does not answer", err)
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
