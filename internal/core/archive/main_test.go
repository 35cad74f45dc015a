package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

// The MariaDB server is started on first use, so that tests and fuzz
// workers that need no database do not pay for one; TestMain stops it.
var (
	srvOnce sync.Once
	srv     *mariadbtest.Server
	srvErr  error
)

// childEnv makes the test binary run childCreate instead of the tests
// (see TestCreateKilled).
const childEnv = "BACKUP_DESKTOP_ARCHIVE_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childCreate())
	}
	code := m.Run()
	if srv != nil {
		srv.Stop()
	}
	os.Exit(code)
}

func server(tb testing.TB) *mariadbtest.Server {
	tb.Helper()
	srvOnce.Do(func() { srv, srvErr = mariadbtest.Start(mariadbtest.Options{}) })
	if srvErr != nil {
		tb.Fatalf("cannot start the test MariaDB server: %v", srvErr)
	}
	return srv
}

// childCreate starts a backup described by environment variables and, once
// it copies media files, announces it by creating the marker file and
// waits to be killed.
func childCreate() int {
	db, err := sql.Open("mysql", os.Getenv("BD_TEST_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	o := options(db, os.Getenv("BD_TEST_DB"), os.Getenv("BD_TEST_MEDIA"), os.Getenv("BD_TEST_DIR"))
	o.Progress = func(e progress.Event) {
		if e.Phase == "Copying media files" {
			os.WriteFile(os.Getenv("BD_TEST_MARKER"), nil, 0o644)
			time.Sleep(time.Hour)
		}
	}
	_, err = Create(context.Background(), o)
	fmt.Fprintln(os.Stderr, "Create returned:", err)
	return 3
}

// newDB creates a small real database: an InnoDB table with a few rows, one
// with none, and a MyISAM table that cannot join the snapshot.
func newDB(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	s := server(tb)
	name, err := s.CreateDatabase("archive")
	if err != nil {
		tb.Fatal(err)
	}
	err = s.Exec(name, `
CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL,
  price DECIMAL(10,2), note TEXT NULL) ENGINE=InnoDB;
INSERT INTO products (name, price, note) VALUES ('Widget', 9.99, NULL), ('Gadget ünï', 1234.50, 'fragile'),
  ('Bolt', 0.05, 'box of 100'), ('Nut', 0.04, ''), ('Washer', 0.01, NULL);
CREATE TABLE categories (id INT PRIMARY KEY, title VARCHAR(50)) ENGINE=InnoDB;
INSERT INTO categories VALUES (1, 'Hardware'), (2, 'Tools'), (3, 'Misc');
CREATE TABLE empty_table (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE legacy_log (id INT, msg VARCHAR(20)) ENGINE=MyISAM;
INSERT INTO legacy_log VALUES (1, 'a'), (2, 'b');`)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := s.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		s.Exec("", "DROP DATABASE IF EXISTS `"+name+"`")
	})
	return db, name
}

// countRows asks the server how many rows table holds.
func countRows(tb testing.TB, db *sql.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.QueryRow("SELECT COUNT(*) FROM `" + table + "`").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

var mediaTime = time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)

// writeFile writes data to root/rel with a fixed modification time.
func writeFile(tb testing.TB, root, rel string, data []byte) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chtimes(p, mediaTime, mediaTime.Add(time.Duration(len(rel))*time.Hour)); err != nil {
		tb.Fatal(err)
	}
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// newMedia builds a media folder: nested folders, empty folders, already
// compressed images, text, a unicode name, a hidden file and a symbolic
// link (which must be skipped).
func newMedia(tb testing.TB) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "media")
	writeFile(tb, root, "products/2024/widget.jpg", randomBytes(tb, 70_000))
	writeFile(tb, root, "logos/logo.PNG", randomBytes(tb, 5_000))
	writeFile(tb, root, "docs/readme.txt", bytes.Repeat([]byte("Inventory readme line.\n"), 2000))
	writeFile(tb, root, "docs/prices.csv", bytes.Repeat([]byte("sku,price\nA-1,9.99\n"), 1000))
	writeFile(tb, root, "ünïcødé файл 名前.txt", []byte("unicode name\n"))
	writeFile(tb, root, ".hidden", []byte("dot file"))
	writeFile(tb, root, "zero.bin", nil)
	for _, d := range []string{"empty", "nested/deeper/empty2"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o750); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Symlink("products/2024/widget.jpg", filepath.Join(root, "link.jpg")); err != nil {
		tb.Fatal(err)
	}
	// Folder times last: adding content changed them.
	for _, d := range []string{"nested/deeper/empty2", "empty", "docs"} {
		if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(d)), mediaTime, mediaTime.Add(-time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// testConfig is the settings recorded in config.json, with a password that
// must not appear in the archive.
const testPassword = "s3cret-Pa55word"

func testConfig(mediaDir, dir string) settings.Settings {
	c := settings.Default()
	c.Database.Password = testPassword
	c.MediaDir = mediaDir
	c.BackupDir = dir
	return c
}

var testNow = time.Date(2026, 3, 29, 2, 30, 5, 0, time.FixedZone("CEST", 2*3600))

// options returns CreateOptions for a backup of db and media into dir.
func options(db *sql.DB, name, media, dir string) CreateOptions {
	file, err := backupname.Timestamped(backupname.Daily, testNow)
	if err != nil {
		panic(err)
	}
	return CreateOptions{
		DB: db, Database: name, MediaDir: media, Dir: dir, FileName: file,
		Kind: backupname.Daily, Now: testNow, Config: testConfig(media, dir), AppVersion: "test-1.2.3",
	}
}

// makeBackup creates a real backup of a fresh database and media folder and
// returns its path.
func makeBackup(tb testing.TB) string {
	tb.Helper()
	db, name := newDB(tb)
	res, err := Create(context.Background(), options(db, name, newMedia(tb), tb.TempDir()))
	if err != nil {
		tb.Fatal(err)
	}
	return res.Path
}

// cachedBackup is one backup shared by the tests that only read it.
var (
	cachedOnce sync.Once
	cachedData []byte
)

// backupBytes returns the content of a real backup, made once per process.
func backupBytes(tb testing.TB) []byte {
	tb.Helper()
	cachedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archive-seed-")
		if err != nil {
			tb.Fatal(err)
		}
		defer os.RemoveAll(dir)
		db, name := newDB(tb)
		media := filepath.Join(dir, "media")
		writeFile(tb, media, "a/b.jpg", randomBytes(tb, 300))
		writeFile(tb, media, "a/c.txt", []byte("hello hello hello\n"))
		os.MkdirAll(filepath.Join(media, "empty"), 0o755)
		res, err := Create(context.Background(), options(db, name, media, filepath.Join(dir, "out")))
		if err != nil {
			tb.Fatal(err)
		}
		cachedData, err = os.ReadFile(res.Path)
		if err != nil {
			tb.Fatal(err)
		}
	})
	if cachedData == nil {
		tb.Fatal("no cached backup: its creation failed earlier")
	}
	return cachedData
}

// listDir returns the names in dir.
func listDir(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
