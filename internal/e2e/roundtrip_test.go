package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const inventorySchema = `
CREATE TABLE category (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE) ENGINE=InnoDB;
CREATE TABLE product (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  category_id INT NOT NULL,
  sku VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  price DECIMAL(12,2) NOT NULL,
  weight DOUBLE,
  photo LONGBLOB,
  updated TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY (sku),
  CONSTRAINT product_category FOREIGN KEY (category_id) REFERENCES category (id)
) ENGINE=InnoDB;
CREATE TABLE django_migrations (id INT AUTO_INCREMENT PRIMARY KEY, app VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, applied DATETIME(6) NOT NULL);
CREATE VIEW product_names AS SELECT id, name FROM product;
CREATE TRIGGER product_sku BEFORE INSERT ON product FOR EACH ROW SET NEW.sku = UPPER(NEW.sku);
INSERT INTO category (name) VALUES ('Tools'), ('Größen & Maße'), ('日本語');
INSERT INTO product (category_id, sku, name, price, weight, photo, updated) VALUES
  (1, 'ab-1', 'Hammer', 12.50, 0.75, X'89504E470D0A1A0A00FF', '2026-03-29 01:30:00'),
  (2, 'cd-2', 'Zange "extra" \\ gross', 7.99, NULL, NULL, '2026-10-25 00:30:00'),
  (3, 'ef-3', 'ドライバー 🔧', 0.01, 1e-300, '', '2026-10-25 01:30:00');
INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes','0001_initial','2026-01-01 10:00:00'), ('inventory','0001_initial','2026-01-02 10:00:00');
`

func TestBackupRestoreRoundTrip(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	s.writeMedia(map[string]string{
		"products/2026/hammer.jpg": "\xff\xd8\xff\xe0 not really a jpeg",
		"products/2026/notes.txt":  strings.Repeat("compressible text\n", 500),
		"logos/ünïcode name.png":   "\x89PNG fake",
		"documents/empty-folder/":  "",
		"documents/manual.pdf":     "%PDF-1.4 fake",
	})
	wantDB := mysqldump(t, s.db)
	wantMedia := tree(t, s.media)

	file := s.backup()
	if filepath.Dir(file) != s.backups || !strings.HasPrefix(filepath.Base(file), "backup_") {
		t.Fatalf("backup at %s, want backup_… in %s", file, s.backups)
	}
	if out, err := runTool("unzip", "-t", file); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	r := s.mustRun("verify", file)
	if !strings.Contains(r.stdout, "OK") {
		t.Errorf("verify said: %s", r)
	}

	// Change everything: rows, schema, objects, media.
	s.exec(`INSERT INTO product (category_id, sku, name, price) VALUES (1, 'zz', 'New', 1);
		UPDATE category SET name = 'changed' WHERE id = 1;
		DROP VIEW product_names; DROP TRIGGER product_sku;
		CREATE TABLE extra (a INT);
		INSERT INTO django_migrations (app, name, applied) VALUES ('inventory','0002_more', NOW());`)
	os.RemoveAll(filepath.Join(s.media, "documents"))
	os.WriteFile(filepath.Join(s.media, "new.txt"), []byte("added later"), 0o644)

	r = s.mustRun("restore", file, "--yes")
	if !strings.Contains(r.stdout, "Restored") {
		t.Errorf("restore said: %s", r)
	}
	if !strings.Contains(r.stdout, "0002_more") || !strings.Contains(r.stdout, "migrate") {
		t.Errorf("restore did not warn about the differing migrations: %s", r)
	}
	if got := mysqldump(t, s.db); got != wantDB {
		t.Fatalf("database after restore differs from the backup:\n%s", diff(wantDB, got))
	}
	sameTree(t, wantMedia, tree(t, s.media))

	// The safety backup holds the state just before the restore.
	var safety string
	for _, n := range s.backupFiles() {
		if strings.HasPrefix(n, "pre_restore_") {
			safety = filepath.Join(s.backups, n)
		}
	}
	if safety == "" {
		t.Fatalf("no pre_restore_ safety backup in %v", s.backupFiles())
	}
	s.mustRun("verify", safety)
	// Nothing of the switch is left behind.
	for _, leftover := range []string{s.db + "__bd_new", s.db + "__bd_old"} {
		if databaseExists(t, leftover) {
			t.Errorf("leftover database %s", leftover)
		}
	}
	for _, p := range []string{filepath.Join(s.dir, ".media.bd-new"), filepath.Join(s.dir, ".media.bd-old")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("leftover folder %s", p)
		}
	}
}

func TestRestoreWithoutSafetyBackupAndList(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	file := s.backup("--weekly")
	if !strings.HasPrefix(filepath.Base(file), "weekly_backup_") {
		t.Fatalf("--weekly made %s", file)
	}
	custom := s.backup("--name", "before price update")
	if filepath.Base(custom) != "before price update.zip" {
		t.Fatalf("--name made %s", custom)
	}
	r := s.run("create-backup", "--name", "before price update")
	if r.code != 2 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("second backup with the same --name: %s", r)
	}
	s.mustRun("restore", file, "--yes", "--no-safety-backup")
	for _, n := range s.backupFiles() {
		if strings.HasPrefix(n, "pre_restore_") {
			t.Errorf("--no-safety-backup made %s", n)
		}
	}
	r = s.mustRun("list")
	for _, want := range []string{"weekly", "custom", "before price update.zip", filepath.Base(file)} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func runTool(name string, args ...string) (string, error) {
	out, err := execCommand(name, args...).CombinedOutput()
	return string(out), err
}

// diff shows the first differing lines of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("- " + wl + "\n+ " + gl + "\n")
			if n++; n > 10 {
				break
			}
		}
	}
	return b.String()
}
