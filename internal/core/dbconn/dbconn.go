// Package dbconn opens connections to the Inventory system's database from
// the settings and turns connection failures into sentences a shop owner can
// act on.
package dbconn

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Config returns the driver configuration for d, connected to database db
// ("" for none).
func Config(d settings.Database, db string) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User = d.User
	cfg.Passwd = d.Password
	if d.Socket != "" {
		cfg.Net = "unix"
		cfg.Addr = d.Socket
	} else {
		cfg.Net = "tcp"
		cfg.Addr = net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
	}
	cfg.DBName = db
	cfg.Timeout = 10 * time.Second
	// 0 asks the server for its max_allowed_packet, so rows as large as the
	// server allows can be read and written.
	cfg.MaxAllowedPacket = 0
	cfg.AllowNativePasswords = true
	_ = cfg.Apply(mysql.Charset("utf8mb4", "")) // cannot fail for a fixed charset
	return cfg
}

// Open connects to the database named in d and checks that it answers.
func Open(ctx context.Context, d settings.Database) (*sql.DB, error) {
	return OpenDB(ctx, d, d.Name)
}

// OpenDB connects to the server in d with db as the default database ("" for
// none) and checks that it answers.
func OpenDB(ctx context.Context, d settings.Database, db string) (*sql.DB, error) {
	connector, err := mysql.NewConnector(Config(d, db))
	if err != nil {
		return nil, fmt.Errorf("database settings: %w", err)
	}
	pool := sql.OpenDB(connector)
	pool.SetConnMaxIdleTime(time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, Explain(err, d)
	}
	return pool, nil
}

// ConnError is a connection failure explained for the user.
type ConnError struct {
	Reason string // what is wrong, in words
	Advice string // what to do
	Err    error
}

func (e *ConnError) Error() string { return e.Reason + ": " + e.Advice }
func (e *ConnError) Unwrap() error { return e.Err }

// Sentinel reasons callers (the window's "Test connection") can branch on.
var (
	ErrUnreachable  = errors.New("database server unreachable")
	ErrAccessDenied = errors.New("access denied")
	ErrUnknownDB    = errors.New("unknown database")
	ErrServerGone   = errors.New("database server connection lost")
)

// Explain turns a driver error into a *ConnError when it is a connection
// problem; other errors are returned as they are.
func Explain(err error, d settings.Database) error {
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("%s:%d", d.Host, d.Port)
	if d.Socket != "" {
		where = d.Socket
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045, 1044, 1698:
			return &ConnError{
				Reason: fmt.Sprintf("the database server at %s refused user %q (%s)", where, d.User, me.Message),
				Advice: "check the user name and password in the settings",
				Err:    fmt.Errorf("%w: %w", ErrAccessDenied, err)}
		case 1049:
			return &ConnError{
				Reason: fmt.Sprintf("the database %q does not exist on the server at %s", d.Name, where),
				Advice: "check the database name in the settings (the Inventory system's settings file names it)",
				Err:    fmt.Errorf("%w: %w", ErrUnknownDB, err)}
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return &ConnError{
			Reason: fmt.Sprintf("cannot reach the database server at %s (%v)", where, err),
			Advice: "check that the database server is running and that the host and port (or socket) in the settings are right",
			Err:    fmt.Errorf("%w: %w", ErrUnreachable, err)}
	}
	if errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, sql.ErrConnDone) {
		return &ConnError{
			Reason: fmt.Sprintf("the connection to the database server at %s was lost (%v)", where, err),
			Advice: "check that the database server is running, then try again",
			Err:    fmt.Errorf("%w: %w", ErrServerGone, err)}
	}
	return err
}
