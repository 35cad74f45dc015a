package gui

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

var srv *mariadbtest.Server

func TestMain(m *testing.M) {
	s, err := mariadbtest.Start(mariadbtest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the test database server:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// fakeDesk is the fyne test app with the tray host and the notification
// centre of a desktop: it records what the app hands them.
type fakeDesk struct {
	fyne.App
	menu    *fyne.Menu
	icon    fyne.Resource
	trayWin fyne.Window
	notes   []*fyne.Notification
	quit    bool
}

func (f *fakeDesk) SetSystemTrayMenu(m *fyne.Menu)        { f.menu = m }
func (f *fakeDesk) SetSystemTrayIcon(r fyne.Resource)     { f.icon = r }
func (f *fakeDesk) SetSystemTrayWindow(w fyne.Window)     { f.trayWin = w }
func (f *fakeDesk) SendNotification(n *fyne.Notification) { f.notes = append(f.notes, n) }
func (f *fakeDesk) Quit()                                 { f.quit = true }

// harness runs an App on the headless test driver. The UI "goroutine" is
// a mutex: the app's background work hands its updates over with Do, and
// the test touches widgets only inside ui, so the two never overlap
// (go test -race checks this).
type harness struct {
	t    *testing.T
	mu   sync.Mutex
	desk *fakeDesk
	app  *App
	dir  string
	cfg  string
}

func (h *harness) do(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

// ui runs f as the UI goroutine would.
func (h *harness) ui(f func()) { h.do(f) }

// eventually waits until cond (run on the UI goroutine) holds.
func (h *harness) eventually(what string, limit time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var msg string
			h.ui(func() { msg = h.app.main.message.Text })
			h.t.Fatalf("timed out after %v waiting for %s (window message: %q)", limit, what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// idle waits for the running task and refresh to end.
func (h *harness) idle() {
	h.t.Helper()
	h.eventually("the task to end", 2*time.Minute, func() bool { return h.app.task == nil })
}

type harnessOpts struct {
	settings     *settings.Settings // saved before start; nil for a first run
	tray         bool
	trayHost     bool
	startAtLogin func(bool) error
}

func newHarness(t *testing.T, ho harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	h.cfg = filepath.Join(h.dir, "config", "settings.json")
	if ho.settings != nil {
		if err := settings.Save(h.cfg, *ho.settings); err != nil {
			t.Fatal(err)
		}
	}
	h.desk = &fakeDesk{App: test.NewTempApp(t)}
	o := Options{
		ConfigPath: h.cfg, AppVersion: "test", Do: h.do, Tray: ho.tray,
		TrayHost: func() bool { return ho.trayHost }, StartAtLogin: ho.startAtLogin,
	}
	h.ui(func() {
		h.app = New(h.desk, o)
		h.app.win.Resize(fyne.NewSize(860, 620))
		h.app.Start()
	})
	t.Cleanup(func() {
		h.ui(h.app.Close)
		h.app.wait()
	})
	return h
}

// newDB makes a database on the test server with a little inventory.
func newDB(t *testing.T, rows int) (string, *sql.DB) {
	t.Helper()
	name, err := srv.CreateDatabase("gui")
	if err != nil {
		t.Fatal(err)
	}
	db, err := srv.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE inventory_product (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, price DECIMAL(10,2), note TEXT) ENGINE=InnoDB",
		"CREATE TABLE django_migrations (id INT PRIMARY KEY AUTO_INCREMENT, app VARCHAR(255), name VARCHAR(255), applied DATETIME(6))",
		"INSERT INTO django_migrations (app, name, applied) VALUES ('inventory', '0001_initial', NOW(6))",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for start := 0; start < rows; start += 1000 {
		q := "INSERT INTO inventory_product (name, price, note) VALUES "
		var args []any
		for n := start; n < min(rows, start+1000); n++ {
			if n > start {
				q += ","
			}
			q += "(?, ?, REPEAT(MD5(?), 8))"
			args = append(args, fmt.Sprintf("Product %d", n), fmt.Sprintf("%d.25", n), n)
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	return name, db
}

// testSettings are valid settings for database name with fresh media and
// backup folders.
func testSettings(t *testing.T, name string) settings.Settings {
	t.Helper()
	dir := t.TempDir()
	s := settings.Default()
	s.Database.Host, s.Database.Port = srv.Host, srv.Port
	s.Database.User, s.Database.Password, s.Database.Name = srv.User, srv.Password, name
	s.MediaDir = filepath.Join(dir, "media")
	s.BackupDir = filepath.Join(dir, "backups")
	s.Schedule.Enabled = false
	for _, f := range []string{"products/2026/a.jpg", "logos/logo.png", "documents/price list.pdf"} {
		p := filepath.Join(s.MediaDir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("content of "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func countRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM inventory_product").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
