// Package single keeps one running window-and-tray app per settings file,
// so that a second double-click brings the running window forward instead
// of starting a second scheduler.
//
// The first instance holds an operating-system file lock in the state
// folder (github.com/gofrs/flock, released by the kernel when the process
// dies, so a crash never blocks the next start) and listens on a loopback
// TCP port. It writes the port and a random token to a file only its user
// can read. A later instance fails to take the lock, reads the file,
// connects and asks the first one to show itself. Loopback TCP works the
// same on Linux, macOS and Windows, without named-pipe or socket-path
// limits.
package single

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
)

// LockName and InfoName are the files the running instance keeps in the
// state folder.
const (
	LockName = "instance.lock"
	InfoName = "instance.json"
)

// ErrRunning is matched (errors.Is) by every error Acquire returns because
// another instance runs.
var ErrRunning = errors.New("Backup Desktop is already running")

// ErrShown is returned by Acquire when another instance runs and has
// brought its window forward: the caller's work is done and it should exit
// with success. It matches ErrRunning.
var ErrShown = fmt.Errorf("%w; its window was brought forward", ErrRunning)

// info is what a running instance publishes for the next one.
type info struct {
	PID   int    `json:"pid"`
	Port  int    `json:"port"`
	Token string `json:"token"`
}

// Instance is the running app's claim to be the only one.
type Instance struct {
	fl   *flock.Flock
	ln   net.Listener
	info info
	path string

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Acquire makes this process the instance for the state folder dir. When
// another live process already is, Acquire asks it to show its window and
// returns ErrShown (the caller should exit 0), or, when it does not answer,
// an error wrapping ErrRunning that says so. wait bounds how long to wait
// for a just-started first instance to answer.
func Acquire(dir string, wait time.Duration) (*Instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the state folder %s: %w", dir, err)
	}
	fl := flock.New(filepath.Join(dir, LockName))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("cannot take the single-instance lock in %s: %w", dir, err)
	}
	infoPath := filepath.Join(dir, InfoName)
	if !ok {
		if err := askToShow(infoPath, wait); err != nil {
			return nil, err
		}
		return nil, ErrShown
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("cannot listen for a second start of the app: %w", err)
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:]) // never fails (Go 1.24+)
	in := &Instance{fl: fl, ln: ln, path: infoPath, info: info{
		PID: os.Getpid(), Port: ln.Addr().(*net.TCPAddr).Port, Token: hex.EncodeToString(tok[:]),
	}}
	data, _ := json.Marshal(in.info)
	if err := fsutil.WriteFileAtomic(infoPath, data, 0o600); err != nil {
		ln.Close()
		fl.Unlock()
		return nil, fmt.Errorf("cannot write %s: %w", infoPath, err)
	}
	return in, nil
}

// askToShow tells the running instance to bring its window forward. The
// instance may have just taken the lock and not yet written its file, so
// this retries until wait has passed.
func askToShow(infoPath string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	var last error
	for {
		last = tryShow(infoPath)
		if last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w, but it does not answer (%v); wait a moment and try again, or end it in the task manager", ErrRunning, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tryShow(infoPath string) error {
	data, err := os.ReadFile(infoPath)
	if err != nil {
		return err
	}
	var in info
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("unreadable %s: %w", infoPath, err)
	}
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", in.Port), 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := fmt.Fprintf(conn, "show %s\n", in.Token); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no answer from process %d: %w", in.PID, err)
	}
	if strings.TrimSpace(reply) != "ok" {
		return fmt.Errorf("process %d answered %q", in.PID, strings.TrimSpace(reply))
	}
	return nil
}

// Serve answers later starts until Close, calling show for each one. show
// runs on a goroutine of Serve's own, never concurrently with itself; a
// GUI must hand the work to its UI thread (fyne.Do).
func (in *Instance) Serve(show func()) {
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		for {
			conn, err := in.ln.Accept()
			if err != nil {
				return // closed
			}
			in.handle(conn, show)
		}
	}()
}

func (in *Instance) handle(conn net.Conn, show func()) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return
	}
	if strings.TrimSpace(line) != "show "+in.info.Token {
		fmt.Fprintln(conn, "denied")
		return
	}
	show()
	fmt.Fprintln(conn, "ok")
}

// Close stops answering and gives the claim up. Safe to call more than
// once.
func (in *Instance) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return nil
	}
	in.closed = true
	in.ln.Close()
	in.wg.Wait()
	os.Remove(in.path)
	return in.fl.Unlock()
}
