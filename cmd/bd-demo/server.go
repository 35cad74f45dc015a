//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/mariadbbin"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/go-sql-driver/mysql"
)

// demo is the demo folder and the paths in it.
type demo struct {
	dir        string
	mysqlDir   string // <dir>/mysql
	dataDir    string // <dir>/mysql/data
	tmpDir     string // <dir>/mysql/tmp: the server's own temporary files
	pidFile    string
	logFile    string
	serverJSON string // <dir>/server.json
	stateJSON  string // <dir>/demo.json: what has been seeded
	settings   string // <dir>/settings.json
	mediaDir   string
	backupDir  string
}

func newDemo(dir string) *demo {
	m := filepath.Join(dir, "mysql")
	return &demo{
		dir:        dir,
		mysqlDir:   m,
		dataDir:    filepath.Join(m, "data"),
		tmpDir:     filepath.Join(m, "tmp"),
		pidFile:    filepath.Join(m, "mysqld.pid"),
		logFile:    filepath.Join(m, "server.log"),
		serverJSON: filepath.Join(dir, "server.json"),
		stateJSON:  filepath.Join(dir, "demo.json"),
		settings:   filepath.Join(dir, "settings.json"),
		mediaDir:   filepath.Join(dir, "media"),
		backupDir:  filepath.Join(dir, "backups"),
	}
}

// serverInfo is <dir>/server.json: how to reach the demo server.
type serverInfo struct {
	PID       int       `json:"pid"` // 0 when stopped by "down"
	Host      string    `json:"host"`
	Port      int       `json:"port"`
	Socket    string    `json:"socket"`
	DataDir   string    `json:"datadir"`
	Log       string    `json:"log"`
	Version   string    `json:"version,omitempty"`
	StartedAt time.Time `json:"started_at,omitzero"`
}

func (d *demo) readServer() (*serverInfo, error) {
	b, err := os.ReadFile(d.serverJSON)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", d.serverJSON, err)
	}
	var s serverInfo
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); stop any demo server with `kill $(cat %s)`, delete the file and run `bd-demo up` again", d.serverJSON, err, d.pidFile)
	}
	return &s, nil
}

func (d *demo) writeServer(s *serverInfo) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(d.serverJSON, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", d.serverJSON, err)
	}
	return nil
}

// socketPath is the server's fixed socket: in the demo folder when the
// path fits the operating system's limit for socket names, otherwise in the
// temporary folder under a name made from the demo folder.
func (d *demo) socketPath() string {
	p := filepath.Join(d.mysqlDir, "mysqld.sock")
	if len(p) < 100 {
		return p
	}
	sum := sha256.Sum256([]byte(d.dir))
	return filepath.Join(os.TempDir(), "bd-demo-"+hex.EncodeToString(sum[:6])+".sock")
}

// adminDB opens a pool as the server's root user over the socket.
func adminDB(s *serverInfo, database string) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "unix"
	cfg.Addr = s.Socket
	cfg.DBName = database
	cfg.Timeout = 5 * time.Second
	cfg.Params = map[string]string{"charset": "utf8mb4"}
	return sql.Open("mysql", cfg.FormatDSN())
}

func ping(ctx context.Context, s *serverInfo) (string, error) {
	db, err := adminDB(s, "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var v string
	err = db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v)
	return v, err
}

// alive reports whether pid is a live (not zombie) process that runs this
// demo's mariadbd.
func (d *demo) alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if runtime.GOOS != "linux" {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false // exited, not yet reaped
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	// A recycled pid belongs to some other program.
	return bytes.Contains(cmdline, []byte("--datadir="+d.dataDir+"\x00"))
}

// runningServer returns the demo server when it is running, or nil.
func (d *demo) runningServer() (*serverInfo, error) {
	s, err := d.readServer()
	if err != nil || s == nil {
		return nil, err
	}
	if s.PID == 0 {
		// Stopped by "down" — unless someone started it by hand since.
		if b, err := os.ReadFile(d.pidFile); err == nil {
			s.PID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	if !d.alive(s.PID) {
		return nil, nil
	}
	return s, nil
}

// findBinary finds a MariaDB program and says how to install it if missing.
func findBinary(names ...string) (string, error) {
	p, err := mariadbbin.Find(names...)
	if err != nil {
		return "", fmt.Errorf("%w: install MariaDB (Debian/Ubuntu: sudo apt-get install mariadb-server; macOS: brew install mariadb) and run the demo again", err)
	}
	return p, nil
}

// initDataDir creates the server's system tables once. It installs into a
// temporary folder and renames it, so an interrupted run leaves nothing
// that looks installed.
func (d *demo) initDataDir() (bool, error) {
	if _, err := os.Stat(filepath.Join(d.dataDir, "mysql")); err == nil {
		return false, nil
	}
	install, err := findBinary("mariadb-install-db", "mysql_install_db")
	if err != nil {
		return false, err
	}
	if _, err := os.Stat(d.dataDir); err == nil {
		return false, fmt.Errorf("%s exists but holds no MariaDB system tables; delete the demo folder %s and run `bd-demo up` again", d.dataDir, d.dir)
	}
	if err := os.MkdirAll(d.mysqlDir, 0o755); err != nil {
		return false, fmt.Errorf("cannot create %s: %w", d.mysqlDir, err)
	}
	if err := os.MkdirAll(d.tmpDir, 0o755); err != nil {
		return false, fmt.Errorf("cannot create %s: %w", d.tmpDir, err)
	}
	tmp := d.dataDir + ".installing"
	os.RemoveAll(tmp)
	args := append([]string{"--no-defaults", "--datadir=" + tmp, "--tmpdir=" + d.tmpDir,
		"--auth-root-authentication-method=normal", "--skip-test-db"}, mariadbbin.UserArgs()...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return false, fmt.Errorf("mariadb-install-db failed (%v):\n%s", err, tail(string(out), 2000))
	}
	if err := os.Rename(tmp, d.dataDir); err != nil {
		return false, fmt.Errorf("cannot move the new data folder into place: %w", err)
	}
	return true, nil
}

func portFree(port int) bool {
	if port <= 0 {
		return false
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("cannot find a free TCP port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start launches mariadbd detached from this process (own session, output
// to the log file), so it keeps running after bd-demo exits, and waits
// until it answers. A previous port is kept when it is still free.
func (d *demo) start(ctx context.Context, prev *serverInfo) (*serverInfo, error) {
	mariadbd, err := findBinary("mariadbd", "mysqld")
	if err != nil {
		return nil, err
	}
	s := &serverInfo{Host: "127.0.0.1", Socket: d.socketPath(), DataDir: d.dataDir, Log: d.logFile}
	if prev != nil && portFree(prev.Port) {
		s.Port = prev.Port
	} else if s.Port, err = freePort(); err != nil {
		return nil, err
	}
	os.Remove(s.Socket) // left by a crash; mariadbd would refuse to start
	if err := os.MkdirAll(d.tmpDir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", d.tmpDir, err)
	}
	args := []string{"--no-defaults", "--datadir=" + d.dataDir, "--socket=" + s.Socket,
		"--port=" + strconv.Itoa(s.Port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--pid-file=" + d.pidFile, "--log-error=" + d.logFile, "--tmpdir=" + d.tmpDir,
		"--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
		"--local-infile=1", "--log-bin-trust-function-creators=1", "--max-allowed-packet=64M"}
	args = append(args, mariadbbin.UserArgs()...)
	log, err := os.OpenFile(d.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open the server log %s: %w", d.logFile, err)
	}
	defer log.Close()
	cmd := exec.Command(mariadbd, args...)
	cmd.Dir = d.mysqlDir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start mariadbd: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.PID = cmd.Process.Pid
	s.StartedAt = time.Now().UTC().Truncate(time.Second)
	if err := d.writeServer(s); err != nil {
		cmd.Process.Signal(syscall.SIGTERM)
		return nil, err
	}

	deadline := time.Now().Add(90 * time.Second)
	for {
		v, err := ping(ctx, s)
		if err == nil {
			s.Version = v
			return s, d.writeServer(s)
		}
		select {
		case werr := <-exited:
			logText, _ := os.ReadFile(d.logFile)
			return nil, fmt.Errorf("mariadbd stopped during start-up (%v); the end of its log %s:\n%s", werr, d.logFile, tail(string(logText), 2500))
		case <-ctx.Done():
			cmd.Process.Signal(syscall.SIGTERM)
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGTERM)
			return nil, fmt.Errorf("mariadbd did not answer on %s within 90 seconds (last error: %v); see its log %s", s.Socket, err, d.logFile)
		}
	}
}

// stop sends SIGTERM to the server and waits for it to finish shutting
// down, which writes everything to disk.
func (d *demo) stop(s *serverInfo, limit time.Duration) error {
	if err := syscall.Kill(s.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("cannot stop mariadbd (pid %d): %w", s.PID, err)
	}
	deadline := time.Now().Add(limit)
	for d.alive(s.PID) {
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd (pid %d) did not stop within %s; see %s, and if it hangs end it with `kill -9 %d`", s.PID, limit, d.logFile, s.PID)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
