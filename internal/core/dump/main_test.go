package dump

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// testMaxPacket is the test server's max_allowed_packet: small, so that a
// row close to it is cheap to make.
const testMaxPacket = 4 << 20

var (
	srvOnce sync.Once
	srv     *mariadbtest.Server
	srvErr  error
)

// TestMain stops the package's MariaDB server, which testServer starts once,
// on first use, so that tests and fuzz workers that need no database do
// not start one.
func TestMain(m *testing.M) {
	code := m.Run()
	if srv != nil {
		srv.Stop()
	}
	os.Exit(code)
}

// testServer returns the package's MariaDB server (Europe/Berlin, 4 MiB
// max_allowed_packet).
func testServer(t testing.TB) *mariadbtest.Server {
	t.Helper()
	srvOnce.Do(func() {
		srv, srvErr = mariadbtest.Start(mariadbtest.Options{TimeZone: "Europe/Berlin", MaxAllowedPacket: testMaxPacket})
	})
	if srvErr != nil {
		t.Fatalf("start MariaDB: %v", srvErr)
	}
	return srv
}

// newDatabase creates an empty database and opens a pool on it.
func newDatabase(t testing.TB, prefix string) (string, *sql.DB) {
	t.Helper()
	s := testServer(t)
	name, err := s.CreateDatabase(prefix)
	if err != nil {
		t.Fatal(err)
	}
	db, err := s.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		s.Exec("", "DROP DATABASE IF EXISTS "+quoteIdent(name))
	})
	return name, db
}

// execOn runs statements one by one on one connection (so that session
// settings carry over), failing the test on the first error.
func execOn(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer discardConn(conn)
	for _, q := range stmts {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			short := q
			if len(short) > 300 {
				short = short[:300] + "…"
			}
			t.Fatalf("%s: %v", short, err)
		}
	}
}

// mysqldump runs the standard client's dump of database, with the
// database name replaced by DB so that two databases can be compared.
func mysqldump(t testing.TB, database string) string {
	t.Helper()
	args := append(testServer(t).ClientArgs(), "--skip-dump-date", "--routines", "--events", "--triggers",
		"--hex-blob", "--skip-comments", database)
	bin, err := exec.LookPath("mariadb-dump")
	if err != nil {
		bin = "mysqldump"
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	return strings.ReplaceAll(string(out), quoteIdent(database), "`DB`")
}

// queryStrings returns all rows of a query as strings (NULL as "NULL").
func queryStrings(t testing.TB, db *sql.DB, query string) [][]string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		raw := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range raw {
			dest[i] = &raw[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		line := make([]string, len(cols))
		for i, r := range raw {
			line[i] = "NULL"
			if r.Valid {
				line[i] = r.String
			}
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var testNow = time.Date(2024, 3, 31, 1, 0, 0, 0, time.UTC)

type progressEvent = progress.Event

func sqlOpen(dsn string) (*sql.DB, error) { return sql.Open("mysql", dsn) }
