package dump

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/small_dump.json from the test server")

// smallFixture is a small database with one of each kind of thing, whose
// dump is cheap to cut at every byte.
func smallFixture() []string {
	return []string{
		"SET time_zone = '+00:00'",
		"CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10), b VARBINARY(10), f FLOAT, l VARCHAR(10) CHARACTER SET latin1)",
		"INSERT INTO t VALUES (1, 'one', X'00FF', 1.5, 'café'), (2, NULL, NULL, NULL, NULL)",
		"CREATE TABLE d (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6), ts TIMESTAMP NULL, amount DECIMAL(10,2), note TEXT) AUTO_INCREMENT = 10",
		"INSERT INTO d VALUES (1, '2024-01-02 03:04:05.5', '2024-10-27 00:30:00', 12.34, 'line\nbreak \"quoted\" \\\\ 😀'), (2, NULL, NULL, -0.5, '')",
		"CREATE TABLE django_migrations (id INT AUTO_INCREMENT PRIMARY KEY, app VARCHAR(255), name VARCHAR(255), applied DATETIME)",
		"INSERT INTO django_migrations (app, name, applied) VALUES ('auth', '0001_initial', '2024-01-01 00:00:00')",
		"CREATE TABLE m (id INT PRIMARY KEY) ENGINE=MyISAM",
		"CREATE SEQUENCE s START WITH 7 NOCACHE",
		"CREATE VIEW v AS SELECT id, s FROM t",
		"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.s = LOWER(NEW.s)",
		"CREATE FUNCTION fn(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
		"CREATE EVENT ev ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00' DO DELETE FROM m",
	}
}

// smallDump writes the dump of a fresh small fixture database.
func smallDump(t *testing.T) ([]byte, *Summary) {
	t.Helper()
	name, db := newDatabase(t, "small")
	execOn(t, db, smallFixture()...)
	var buf bytes.Buffer
	sum, err := Write(context.Background(), db, name, &buf, WriteOptions{Now: time.Date(2024, 3, 31, 1, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

const testdataDump = "testdata/small_dump.json"

// TestTestdataDump keeps testdata/small_dump.json (the fuzz seed) a real
// dump that this version reads; -update rewrites it from the server.
func TestTestdataDump(t *testing.T) {
	if *update {
		dump, _ := smallDump(t)
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(testdataDump, dump, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(testdataDump)
	if err != nil {
		t.Fatalf("%v (run go test -run TestTestdataDump -update to create it)", err)
	}
	sum, err := Scan(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Tables) != 5 || sum.Views != 1 || sum.Triggers != 1 || sum.Routines != 1 || sum.Events != 1 || sum.TotalRows() != 5 {
		t.Errorf("testdata summary: %+v", sum)
	}
}

func TestScanGood(t *testing.T) {
	dump, sum := smallDump(t)
	got, err := Scan(bytes.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sum) {
		t.Errorf("Scan = %+v\nwant Write's %+v", got, sum)
	}
	want := map[string]int64{"s": 0, "t": 2, "d": 2, "django_migrations": 1, "m": 0}
	for _, ts := range got.Tables {
		if n, ok := want[ts.Name]; !ok || n != ts.Rows {
			t.Errorf("table %s: %d rows, want %d", ts.Name, ts.Rows, n)
		}
	}
	if len(got.Tables) != len(want) {
		t.Errorf("%d tables, want %d", len(got.Tables), len(want))
	}
	if !reflect.DeepEqual(got.DjangoMigrations, []Migration{{"auth", "0001_initial"}}) {
		t.Errorf("django migrations: %v", got.DjangoMigrations)
	}
}

func TestScanTruncated(t *testing.T) {
	dump, _ := smallDump(t)
	whole := bytes.TrimRight(dump, "\n")
	for i := 0; i < len(whole); i++ {
		_, err := Scan(bytes.NewReader(whole[:i]))
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at byte %d of %d: err = %v, want ErrCorrupt", i, len(whole), err)
		}
	}
	_, err := Scan(bytes.NewReader(whole[:len(whole)/2]))
	if !strings.Contains(err.Error(), "cut off") {
		t.Errorf("a dump cut in half says %q; it should say it is cut off", err)
	}
	// The same through a reader that hands out one byte at a time.
	if _, err := Scan(iotest.OneByteReader(bytes.NewReader(whole[:len(whole)-1]))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("one byte at a time, missing the last byte: err = %v", err)
	}
	if _, err := Scan(iotest.OneByteReader(bytes.NewReader(dump))); err != nil {
		t.Errorf("one byte at a time, whole: %v", err)
	}
}

func TestScanGarbageByte(t *testing.T) {
	dump, _ := smallDump(t)
	for i := 0; i < len(dump); i++ {
		for _, mode := range []string{"replace 0xff", "insert NUL"} {
			bad := bytes.Clone(dump)
			if mode == "replace 0xff" {
				bad[i] = 0xff
			} else {
				bad = append(bad[:i:i], append([]byte{0}, dump[i:]...)...)
			}
			if _, err := Scan(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s at byte %d (%q): err = %v, want ErrCorrupt", mode, i, dump[max(0, i-20):min(len(dump), i+20)], err)
			}
		}
	}
}

func TestScanVersion(t *testing.T) {
	dump, _ := smallDump(t)
	newer := bytes.Replace(dump, []byte(`"format_version":1,`), []byte(`"format_version":99,`), 1)
	_, err := Scan(bytes.NewReader(newer))
	if !errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrUnsupportedVersion", err)
	}
	for _, want := range []string{"99", "up to 1", "update Backup Desktop"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	// Only the version is read: the rest of a newer dump may be anything.
	if _, err := Scan(strings.NewReader(`{"format":"backup-desktop-database-dump","format_version":2,"tables":"whatever"`)); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("version 2 with a different body: err = %v", err)
	}
}

func TestScanCases(t *testing.T) {
	dump, _ := smallDump(t)
	s := string(dump)
	summaryRe := regexp.MustCompile(`,\n"summary":\{[^}]*\}`)
	for _, tc := range []struct {
		name   string
		edit   func(string) string
		ok     bool   // still a valid dump
		reason string // part of the error message
	}{
		{"unchanged", func(s string) string { return s }, true, ""},
		{"unknown keys are skipped", func(s string) string {
			return strings.Replace(s, `"tables":[`, `"future":{"x":[1,-2.5e3,{"y":null,"z":[true,false]}],"w":"\u00e9"},"tables":[`, 1)
		}, true, ""},
		{"text given as base64", func(s string) string { return strings.Replace(s, `[1,"one",`, `[1,{"base64":"b25l"},`, 1) }, true, ""},
		{"escaped slash and unicode", func(s string) string { return strings.Replace(s, `[1,"one",`, `[1,"\u006f\/e",`, 1) }, true, ""},
		{"empty", func(string) string { return "" }, false, "empty"},
		{"not JSON", func(string) string { return "PK\x03\x04" }, false, "not a Backup Desktop database dump"},
		{"other JSON", func(string) string { return `{"foo":1}` }, false, "not a Backup Desktop database dump"},
		{"other format", func(s string) string { return strings.Replace(s, FormatName, "mysqldump", 1) }, false, `format "mysqldump"`},
		{"version zero", func(s string) string { return strings.Replace(s, `"format_version":1`, `"format_version":0`, 1) }, false, "format_version 0"},
		{"extra value in a row", func(s string) string {
			return strings.Replace(s, `[2,null,null,null,null]`, `[2,null,null,null,null,null]`, 1)
		}, false, "']' after the 5 values"},
		{"missing value in a row", func(s string) string { return strings.Replace(s, `[2,null,null,null,null]`, `[2,null,null,null]`, 1) }, false, "a row"},
		{"number in a text column", func(s string) string { return strings.Replace(s, `[1,"one",`, `[1,1,`, 1) }, false, "holds text"},
		{"string in a number column", func(s string) string { return strings.Replace(s, `[1,"one",`, `["1","one",`, 1) }, false, "holds numbers"},
		{"bad number", func(s string) string { return strings.Replace(s, `[1,"one",`, `[01,"one",`, 1) }, false, "not a valid number"},
		{"bad base64", func(s string) string { return strings.Replace(s, `"AP8="`, `"AP8"`, 1) }, false, "not valid base64"},
		{"base64 with a bad letter", func(s string) string { return strings.Replace(s, `"AP8="`, `"A*8="`, 1) }, false, "not valid base64"},
		{"lone surrogate", func(s string) string { return strings.Replace(s, `[1,"one",`, `[1,"\ud800",`, 1) }, false, "surrogate"},
		{"raw control byte", func(s string) string { return strings.Replace(s, `[1,"one",`, "[1,\"o\x01ne\",", 1) }, false, "control byte"},
		{"row_count too high", func(s string) string {
			return strings.Replace(s, "[2,null,null,null,null]\n],\"row_count\":2", "[2,null,null,null,null]\n],\"row_count\":3", 1)
		}, false, "row_count says 3"},
		{"unknown encoding", func(s string) string { return strings.Replace(s, `"encoding":"base64"`, `"encoding":"hex"`, 1) }, false, "unknown encoding"},
		{"unknown table type", func(s string) string { return strings.Replace(s, `"type":"table"`, `"type":"view"`, 1) }, false, "rows come before"},
		{"duplicate key", func(s string) string { return strings.Replace(s, `"tables":[`, `"database":"x","tables":[`, 1) }, false, "twice"},
		{"table twice", func(s string) string {
			i := strings.Index(s, `{"name":"d"`)
			j := strings.Index(s[i:], "\n{") + i
			return s[:i] + s[i:j] + s[i:]
		}, false, "appears twice"},
		{"summary missing", func(s string) string { return summaryRe.ReplaceAllString(s, "") }, false, "no summary"},
		{"summary row count", func(s string) string { return strings.Replace(s, `,"rows":5,`, `,"rows":6,`, 1) }, false, "counts 6 rows"},
		{"summary view count", func(s string) string { return strings.Replace(s, `,"views":1,`, `,"views":0,`, 1) }, false, "counts 0 views"},
		{"summary engines", func(s string) string {
			return strings.Replace(s, `"engines":["InnoDB","MyISAM"]`, `"engines":["InnoDB"]`, 1)
		}, false, "engines"},
		{"summary not last", func(s string) string {
			return strings.Replace(strings.TrimRight(s, "\n}"), `"events":[`, `"events":[`, 1) + `},"late":1}`
		}, false, "must be the last"},
		{"data after the end", func(s string) string { return s + "{}" }, false, "after the end"},
		{"view without create", func(s string) string {
			return regexp.MustCompile(`("kind":"view".*?),"create":"[^"]*"`).ReplaceAllString(s, "$1")
		}, false, "without a name"},
		{"table create is not CREATE TABLE", func(s string) string {
			return strings.Replace(s, `"create":"CREATE TABLE`+" `t`", `"create":"DROP DATABASE x; CREATE TABLE`+" `t`", 1)
		}, false, "does not start with"},
		{"object create is not CREATE", func(s string) string {
			return strings.Replace(s, `"create":"CREATE ALGORITHM`, `"create":"DROP ALGORITHM`, 1)
		}, false, "does not start with CREATE"},
		{"trigger in views", func(s string) string { return strings.Replace(s, `"kind":"view"`, `"kind":"trigger"`, 1) }, false, `kind "trigger"`},
		{"deep nesting", func(s string) string {
			return strings.Replace(s, `"tables":[`, `"future":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`,"tables":[`, 1)
		}, false, "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := tc.edit(s)
			if edited == s && tc.name != "unchanged" {
				t.Fatalf("the edit did not change the dump")
			}
			_, err := Scan(strings.NewReader(edited))
			if tc.ok {
				if err != nil {
					t.Fatalf("Scan: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("message %q does not say %q", err, tc.reason)
			}
		})
	}
}

// TestScanReadError passes a read error through instead of calling the
// dump corrupt.
func TestScanReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Scan(iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want the read error", err)
	}
}

// TestReadObjectsMissingDatabase says which database is missing.
func TestReadObjectsMissingDatabase(t *testing.T) {
	_, db := newDatabase(t, "any")
	_, err := ReadObjects(context.Background(), db, "no_such_db")
	if err == nil || !strings.Contains(err.Error(), `"no_such_db" does not exist`) {
		t.Errorf("err = %v", err)
	}
	_, err = Write(context.Background(), db, "no_such_db", &bytes.Buffer{}, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), `"no_such_db" does not exist`) {
		t.Errorf("Write: err = %v", err)
	}
}
