package sample

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

var server *mariadbtest.Server

func TestMain(m *testing.M) {
	s, err := mariadbtest.Start(mariadbtest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sample tests need a MariaDB server:", err)
		os.Exit(1)
	}
	server = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// newDB returns a fresh database and a pool on the server (no default
// database, as Generate must not rely on one).
func newDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	name, err := server.CreateDatabase("sample")
	if err != nil {
		t.Fatal(err)
	}
	db, err := server.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		server.Exec("", "DROP DATABASE `"+name+"`")
		db.Close()
	})
	return db, name
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	db, name := newDB(t)
	const rows = 6000
	st, err := Generate(context.Background(), db, name, Options{Rows: rows, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows < rows*9/10 || st.Rows > rows*11/10 {
		t.Errorf("generated %d rows, want about %d", st.Rows, rows)
	}
	if len(st.Tables) != len(schema) {
		t.Fatalf("stats list %d tables, want %d", len(st.Tables), len(schema))
	}
	var sum int64
	for _, ts := range st.Tables {
		got := count(t, db, "SELECT COUNT(*) FROM `"+name+"`.`"+ts.Name+"`")
		if got != ts.Rows || got == 0 {
			t.Errorf("%s: %d rows in the table, stats say %d (and no table may be empty)", ts.Name, got, ts.Rows)
		}
		sum += got
	}
	if sum != st.Rows {
		t.Errorf("tables hold %d rows, stats say %d", sum, st.Rows)
	}
	if st.DataBytes <= 0 || st.SQLBytes <= 0 {
		t.Errorf("sizes not reported: %+v", st)
	}

	t.Run("engine and charset", func(t *testing.T) {
		n := count(t, db, `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?
			AND ENGINE = 'InnoDB' AND TABLE_COLLATION = 'utf8mb4_unicode_ci'`, name)
		if n != int64(len(schema)) {
			t.Errorf("%d of %d tables are InnoDB/utf8mb4_unicode_ci", n, len(schema))
		}
	})

	t.Run("foreign keys hold", func(t *testing.T) {
		rows, err := db.Query(`SELECT TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
			FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`, name)
		if err != nil {
			t.Fatal(err)
		}
		type fk struct{ table, col, ref, refCol string }
		var fks []fk
		for rows.Next() {
			var f fk
			if err := rows.Scan(&f.table, &f.col, &f.ref, &f.refCol); err != nil {
				t.Fatal(err)
			}
			fks = append(fks, f)
		}
		rows.Close()
		if len(fks) < 25 {
			t.Fatalf("only %d foreign keys", len(fks))
		}
		for _, f := range fks {
			bad := count(t, db, fmt.Sprintf("SELECT COUNT(*) FROM `%[1]s`.`%[2]s` c LEFT JOIN `%[1]s`.`%[4]s` p ON c.`%[3]s` = p.`%[5]s` WHERE c.`%[3]s` IS NOT NULL AND p.`%[5]s` IS NULL",
				name, f.table, f.col, f.ref, f.refCol))
			if bad != 0 {
				t.Errorf("%s.%s: %d rows point at no %s", f.table, f.col, bad, f.ref)
			}
		}
	})

	t.Run("secondary indexes", func(t *testing.T) {
		n := count(t, db, `SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS
			WHERE TABLE_SCHEMA = ? AND INDEX_NAME <> 'PRIMARY'`, name)
		if n < 30 {
			t.Errorf("%d secondary indexes, want at least 30", n)
		}
	})

	checks := []struct {
		name  string
		query string // counts rows that are wrong; must be 0
	}{
		{"attributes are JSON", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE NOT JSON_VALID(attributes)"},
		{"audit changes are JSON", "SELECT COUNT(*) FROM `{db}`.inventory_auditlog WHERE NOT JSON_VALID(changes)"},
		{"sales subtotals add up", "SELECT COUNT(*) FROM `{db}`.inventory_salesorder o WHERE o.subtotal <> (SELECT SUM(line_total) FROM `{db}`.inventory_salesorderline l WHERE l.order_id = o.id) OR o.total <> o.subtotal + o.tax"},
		{"purchase totals add up", "SELECT COUNT(*) FROM `{db}`.inventory_purchaseorder o WHERE o.total <> (SELECT SUM(quantity * unit_cost) FROM `{db}`.inventory_purchaseorderline l WHERE l.order_id = o.id)"},
		{"every order has lines", "SELECT COUNT(*) FROM `{db}`.inventory_salesorder o WHERE NOT EXISTS (SELECT 1 FROM `{db}`.inventory_salesorderline l WHERE l.order_id = o.id)"},
		{"image paths", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE image <> '' AND image NOT REGEXP '^products/20[0-9]{2}/[01][0-9]/[a-z0-9-]+\\\\.jpg$'"},
		{"barcodes are 13 digits", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE barcode NOT REGEXP '^[0-9]{13}$'"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := count(t, db, strings.ReplaceAll(c.query, "{db}", name)); n != 0 {
				t.Errorf("%d rows are wrong", n)
			}
		})
	}

	present := []struct {
		name  string
		query string // must find at least one row
	}{
		{"German text", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE description LIKE '%ä%' OR description LIKE '%ü%' OR description LIKE '%ß%'"},
		{"Japanese text", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE description REGEXP '[ぁ-んァ-ン]'"},
		{"emoji", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE HEX(description) LIKE '%F09F%'"},
		{"quotes and backslashes", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE INSTR(description, CHAR(92)) > 0 AND INSTR(description, CHAR(34)) > 0"},
		{"thumbnails", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE thumbnail IS NOT NULL"},
		{"microseconds", "SELECT COUNT(*) FROM `{db}`.inventory_stockmovement WHERE MICROSECOND(created_at) <> 0"},
		{"NULLs", "SELECT COUNT(*) FROM `{db}`.inventory_product WHERE supplier_id IS NULL OR weight_kg IS NULL"},
		{"Django migrations", "SELECT COUNT(*) FROM `{db}`.django_migrations WHERE app = 'inventory' AND name = '0001_initial'"},
		{"superuser", "SELECT COUNT(*) FROM `{db}`.auth_user WHERE username = 'admin' AND is_superuser = 1"},
		{"category tree", "SELECT COUNT(*) FROM `{db}`.inventory_category WHERE parent_id IS NOT NULL"},
	}
	for _, c := range present {
		t.Run(c.name, func(t *testing.T) {
			if n := count(t, db, strings.ReplaceAll(c.query, "{db}", name)); n == 0 {
				t.Errorf("no rows with %s", c.name)
			}
		})
	}

	t.Run("thumbnails are images", func(t *testing.T) {
		rows, err := db.Query("SELECT thumbnail FROM `" + name + "`.inventory_product WHERE thumbnail IS NOT NULL LIMIT 20")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			if _, err := decodeImage(b); err != nil {
				t.Errorf("thumbnail does not decode: %v", err)
			}
		}
	})

	t.Run("image paths match ProductImagePath", func(t *testing.T) {
		rows, err := db.Query("SELECT id, image FROM `" + name + "`.inventory_product WHERE image <> '' ORDER BY id LIMIT 50")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var img string
			if err := rows.Scan(&id, &img); err != nil {
				t.Fatal(err)
			}
			if want := ProductImagePath(7, id); img != want {
				t.Errorf("product %d: image %q, ProductImagePath says %q", id, img, want)
			}
		}
	})
}

// checksums returns CHECKSUM TABLE of every sample table.
func checksums(t *testing.T, db *sql.DB, name string) map[string]int64 {
	t.Helper()
	sums := map[string]int64{}
	for _, tb := range Tables() {
		var n string
		var sum sql.NullInt64
		if err := db.QueryRow("CHECKSUM TABLE `"+name+"`.`"+tb+"`").Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		sums[tb] = sum.Int64
	}
	return sums
}

func TestGenerateIsDeterministic(t *testing.T) {
	db1, a := newDB(t)
	db2, b := newDB(t)
	db3, c := newDB(t)
	ctx := context.Background()
	opt := Options{Rows: 3000, Seed: 42}
	if _, err := Generate(ctx, db1, a, Options{Rows: opt.Rows, Seed: opt.Seed, Workers: 1, StatementBytes: 64 << 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, db2, b, Options{Rows: opt.Rows, Seed: opt.Seed, Workers: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, db3, c, Options{Rows: opt.Rows, Seed: opt.Seed + 1}); err != nil {
		t.Fatal(err)
	}
	sa, sb, sc := checksums(t, db1, a), checksums(t, db2, b), checksums(t, db3, c)
	for _, tb := range Tables() {
		if sa[tb] != sb[tb] {
			t.Errorf("%s differs between two runs with the same seed", tb)
		}
	}
	for _, tb := range []string{tProduct, tStockMovement, tSalesOrder, tCustomer} {
		if sa[tb] == sc[tb] {
			t.Errorf("%s is the same with another seed", tb)
		}
	}
}

func TestGenerateRefusesExistingTables(t *testing.T) {
	db, name := newDB(t)
	ctx := context.Background()
	if _, err := db.Exec("CREATE TABLE `" + name + "`.inventory_product (id int)"); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(ctx, db, name, Options{Rows: 500})
	if !errors.Is(err, ErrTablesExist) {
		t.Fatalf("err = %v, want ErrTablesExist", err)
	}
	st, err := Generate(ctx, db, name, Options{Rows: 500, Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM `"+name+"`.inventory_product"); n != st.TableRows(tProduct) || n == 0 {
		t.Errorf("after replace: %d products, stats say %d", n, st.TableRows(tProduct))
	}
	if _, err := Generate(ctx, db, name+"_missing", Options{Rows: 500}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing database: err = %v", err)
	}
}

// TestRowWriterEscaping sends awkward strings through the SQL literal
// writer and reads them back from the server.
func TestRowWriterEscaping(t *testing.T) {
	db, name := newDB(t)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), sessionSetup); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "CREATE TABLE `"+name+"`.esc (id int PRIMARY KEY, s longtext, b longblob, d decimal(20,3)) DEFAULT CHARSET=utf8mb4"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		s    string
		b    []byte
		dec  int64
	}{
		{"empty", "", []byte{}, 0},
		{"quotes", `it's "quoted"`, []byte("'"), 1},
		{"backslashes", `C:\path\n\0`, []byte(`\`), -1},
		{"control bytes", "a\x00b\x1ac\r\nd\t", []byte{0, 1, 2, 0x1a, 0xff}, 123456},
		{"unicode", "Größe 製品 🔧 ♻️", bytes.Repeat([]byte{0x80}, 3), -987654321},
		{"NULL string", "NULL", nil, 5},
	}
	w := &rowWriter{prefix: "INSERT INTO `" + name + "`.esc (id, s, b, d) VALUES ", limit: 40,
		flush: func(stmt []byte, _ int) error {
			_, err := conn.ExecContext(context.Background(), string(stmt))
			return err
		}}
	for i, c := range cases {
		w.Begin()
		w.Int(int64(i))
		w.Str(c.s)
		if c.b == nil {
			w.Null()
		} else {
			w.Blob(c.b)
		}
		w.Dec(c.dec, 3)
		if err := w.End(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s, d string
			var b []byte
			if err := db.QueryRow("SELECT s, b, d FROM `"+name+"`.esc WHERE id = ?", i).Scan(&s, &b, &d); err != nil {
				t.Fatal(err)
			}
			if s != c.s {
				t.Errorf("string: got %q, want %q", s, c.s)
			}
			if (b == nil) != (c.b == nil) || !bytes.Equal(b, c.b) {
				t.Errorf("blob: got %x (nil %v), want %x (nil %v)", b, b == nil, c.b, c.b == nil)
			}
			if want := decimalString(c.dec, 3); d != want {
				t.Errorf("decimal: got %s, want %s", d, want)
			}
		})
	}
}

func TestDecimalString(t *testing.T) {
	cases := []struct {
		name  string
		v     int64
		scale int
		want  string
	}{
		{"zero", 0, 2, "0.00"},
		{"cents", 5, 2, "0.05"},
		{"price", 12399, 2, "123.99"},
		{"negative", -1050, 2, "-10.50"},
		{"no scale", 42, 0, "42"},
		{"grams", 7, 3, "0.007"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := decimalString(c.v, c.scale); got != c.want {
				t.Errorf("decimalString(%d, %d) = %q, want %q", c.v, c.scale, got, c.want)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"english", "Heavy-Duty Desk Lamp", "heavy-duty-desk-lamp"},
		{"german", "Größerer Türscharnier", "groesserer-tuerscharnier"},
		{"japanese", "高品質ドアヒンジ", "product"},
		{"french", "Étanche Perceuse sans fil", "etanche-perceuse-sans-fil"},
		{"long", strings.Repeat("abcdefghij ", 10), "abcdefghij-abcdefghij-abcdefghij-abcdefg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := slugify(c.in); got != c.want {
				t.Errorf("slugify(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestGenerateReportsProgress(t *testing.T) {
	db, name := newDB(t)
	var events []int64
	var total int64
	st, err := Generate(context.Background(), db, name, Options{Rows: 4000, StatementBytes: 32 << 10,
		Progress: func(e progress.Event) {
			events = append(events, e.Done)
			total = e.Total
			if e.Unit != "rows" || e.Item == "" {
				t.Errorf("event %+v lacks unit or item", e)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 5 {
		t.Fatalf("%d progress events", len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i] <= events[i-1] {
			t.Fatalf("progress went from %d to %d", events[i-1], events[i])
		}
	}
	if last := events[len(events)-1]; last != st.Rows || total != st.Rows {
		t.Errorf("last event %d of %d, generated %d", last, total, st.Rows)
	}
}

func TestGenerateStopsWhenCancelled(t *testing.T) {
	db, name := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	_, err := Generate(ctx, db, name, Options{Rows: 2_000_000, Progress: func(e progress.Event) {
		if e.Done > 20_000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to stop", d)
	}
	// The pool's connections come back usable, with checks on.
	var fk int
	for range 4 {
		if err := db.QueryRow("SELECT @@SESSION.foreign_key_checks").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("a pooled connection has foreign_key_checks=%d (err %v)", fk, err)
		}
	}
}
