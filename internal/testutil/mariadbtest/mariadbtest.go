// Package mariadbtest gives tests a real, private MariaDB server.
//
// Start launches a throwaway mariadbd on its own temporary data directory,
// socket and free TCP port, waits until it answers and stops it when the test
// (or TestMain) is done. Tests may stop or kill it on purpose to check how the
// product behaves when the server goes away.
//
// When BACKUP_DESKTOP_TEST_MYSQL is set (for example
// "root:@tcp(127.0.0.1:3306)/"), the suite uses that existing server instead;
// tests that must stop the server then skip with a message saying why.
package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/mariadbbin"

	"github.com/go-sql-driver/mysql"
)

// EnvExisting names the environment variable that points the suite at an
// existing server (a go-sql-driver DSN without a database name).
const EnvExisting = "BACKUP_DESKTOP_TEST_MYSQL"

// Server is a running MariaDB server used by tests.
type Server struct {
	Host     string // "127.0.0.1"
	Port     int
	Socket   string // empty for an existing server reached over TCP
	User     string
	Password string

	dir      string
	cmd      *exec.Cmd
	done     chan struct{}
	external bool
	mu       sync.Mutex
	args     []string
	logPath  string
}

// Options tune a private server.
type Options struct {
	// TimeZone is the server's default time zone (for example
	// "Europe/Berlin"); the zone tables are loaded for it. Empty means UTC.
	TimeZone string
	// MaxAllowedPacket in bytes; 0 keeps the server default.
	MaxAllowedPacket int
	// ExtraArgs are appended to the mariadbd command line.
	ExtraArgs []string
}

// External reports whether the server is an existing one that tests must
// not stop.
func (s *Server) External() bool { return s.external }

// DSN returns a go-sql-driver DSN for database db ("" for none).
func (s *Server) DSN(db string) string {
	cfg := mysql.NewConfig()
	cfg.User = s.User
	cfg.Passwd = s.Password
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	cfg.DBName = db
	cfg.MultiStatements = true
	cfg.ParseTime = false
	cfg.Params = map[string]string{"charset": "utf8mb4"}
	return cfg.FormatDSN()
}

// Open returns a connection pool to database db on the server.
func (s *Server) Open(db string) (*sql.DB, error) {
	return sql.Open("mysql", s.DSN(db))
}

// Start starts a private server (or connects to the one named by
// EnvExisting). Call Stop when done.
func Start(opts Options) (*Server, error) {
	if dsn := os.Getenv(EnvExisting); dsn != "" {
		return external(dsn)
	}
	if _, err := findBinary("mariadbd", "mysqld"); err != nil {
		return nil, err
	}
	installDB, err := findBinary("mariadb-install-db", "mysql_install_db")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bd-mariadb-")
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", User: "root", dir: dir, Socket: filepath.Join(dir, "mysqld.sock"), logPath: filepath.Join(dir, "server.log")}
	datadir := filepath.Join(dir, "data")
	tmpdir := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmpdir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A private tmpdir: servers started side by side by parallel test
	// packages must not share temporary table files.
	install := exec.Command(installDB, append([]string{"--no-defaults", "--datadir=" + datadir, "--tmpdir=" + tmpdir,
		"--auth-root-authentication-method=normal", "--skip-test-db"}, mariadbbin.UserArgs()...)...)
	if out, err := install.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("mariadb-install-db failed: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.Port = port
	s.args = []string{"--no-defaults", "--datadir=" + datadir, "--socket=" + s.Socket,
		"--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--pid-file=" + filepath.Join(dir, "mysqld.pid"), "--log-error=" + s.logPath, "--tmpdir=" + tmpdir,
		"--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M",
		"--innodb-flush-log-at-trx-commit=2", "--skip-name-resolve",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
		"--event-scheduler=OFF", "--local-infile=1", "--log-bin-trust-function-creators=1"}
	s.args = append(s.args, mariadbbin.UserArgs()...)
	if opts.MaxAllowedPacket > 0 {
		s.args = append(s.args, "--max-allowed-packet="+strconv.Itoa(opts.MaxAllowedPacket))
	}
	s.args = append(s.args, opts.ExtraArgs...)
	if err := s.launch(); err != nil {
		s.Stop()
		return nil, err
	}
	if opts.TimeZone != "" {
		if err := s.loadZone(opts.TimeZone); err != nil {
			s.Stop()
			return nil, err
		}
		// Restart with the zone as the default so every session uses it.
		s.args = append(s.args, "--default-time-zone="+opts.TimeZone)
		if err := s.Restart(); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

func external(dsn string) (*Server, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvExisting, err)
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("%s: address %q: %w", EnvExisting, cfg.Addr, err)
	}
	port, _ := strconv.Atoi(portStr)
	s := &Server{Host: host, Port: port, User: cfg.User, Password: cfg.Passwd, external: true}
	if err := s.wait(30 * time.Second); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) launch() error {
	mariadbd, _ := findBinary("mariadbd", "mysqld")
	cmd := exec.Command(mariadbd, s.args...)
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	if err := s.wait(60 * time.Second); err != nil {
		log, _ := os.ReadFile(s.logPath)
		return fmt.Errorf("%w\nserver log:\n%s", err, tail(string(log), 3000))
	}
	return nil
}

func (s *Server) wait(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if s.done != nil {
			select {
			case <-s.done:
				return errors.New("mariadbd exited during start-up")
			default:
			}
		}
		db, err := s.Open("")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("MariaDB at %s:%d did not answer within %s: %v", s.Host, s.Port, limit, last)
}

func (s *Server) loadZone(zone string) error {
	tool, err := findBinary("mariadb-tzinfo-to-sql", "mysql_tzinfo_to_sql")
	if err != nil {
		return err
	}
	file := filepath.Join("/usr/share/zoneinfo", zone)
	out, err := exec.Command(tool, file, zone).Output()
	if err != nil {
		return fmt.Errorf("mariadb-tzinfo-to-sql %s: %w", zone, err)
	}
	db, err := s.Open("mysql")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(string(out)); err != nil {
		return fmt.Errorf("load time zone %s: %w", zone, err)
	}
	return nil
}

// Stop shuts the server down and removes its files. Safe to call twice.
func (s *Server) Stop() {
	if s.external {
		return
	}
	s.Kill()
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// Kill stops the server abruptly (SIGKILL), as a crash or a pulled plug
// would. Its data stays; Restart brings it back.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Restart starts the server again after Kill, on the same port and data.
func (s *Server) Restart() error {
	if s.external {
		return errors.New("cannot restart an external server")
	}
	s.Kill()
	return s.launch()
}

// Exec runs statements (multi-statements allowed) as the admin user.
func (s *Server) Exec(db, query string) error {
	conn, err := s.Open(db)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(query)
	return err
}

// CreateDatabase makes a fresh, empty database with a unique name that
// starts with prefix, and returns its name.
func (s *Server) CreateDatabase(prefix string) (string, error) {
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), seq.next())
	if err := s.Exec("", "CREATE DATABASE `"+name+"`"); err != nil {
		return "", err
	}
	return name, nil
}

// ClientArgs returns the connection arguments for the mysql, mariadb and
// mysqldump command-line clients.
func (s *Server) ClientArgs() []string {
	args := []string{"--no-defaults", "--protocol=TCP", "-h", s.Host, "-P", strconv.Itoa(s.Port), "-u", s.User}
	if s.Password != "" {
		args = append(args, "-p"+s.Password)
	}
	return args
}

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

var seq counter

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// findBinary finds a MariaDB program and says how to install it if missing.
func findBinary(names ...string) (string, error) {
	p, err := mariadbbin.Find(names...)
	if err != nil {
		return "", fmt.Errorf("%w: install mariadb-server (make test does this with apt when run as root), or set %s to an existing server", err, EnvExisting)
	}
	return p, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
