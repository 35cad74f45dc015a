package dump

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestCheckTarget(t *testing.T) {
	_, db := newDatabase(t, "check")
	good := &Summary{Flavor: "mysql", ServerVersion: "8.0.36",
		Charsets:   []string{"utf8mb4", "latin1", "utf8mb3", "utf8", "binary"},
		Collations: []string{"utf8mb4_general_ci", "latin1_swedish_ci", "utf8mb3_general_ci", "utf8_bin", "binary"},
		Engines:    []string{"InnoDB", "MyISAM", "Aria", "SEQUENCE"},
		Tables:     []TableSummary{{Name: "t", Type: TypeTable, Engine: "InnoDB"}, {Name: "s", Type: TypeSequence, Engine: "InnoDB"}},
	}
	if err := CheckTarget(context.Background(), db, good); err != nil {
		t.Fatalf("a dump this server can take: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(s *Summary)
		want []string
	}{
		{"missing collation", func(s *Summary) { s.Collations = append(s.Collations, "utf8mb4_0900_ai_ci") },
			[]string{"collation utf8mb4_0900_ai_ci", "mysql 8.0.36", "10.11"}},
		{"missing charset", func(s *Summary) { s.Charsets = append(s.Charsets, "klingon") }, []string{"character set klingon"}},
		{"missing engine", func(s *Summary) {
			s.Engines = append(s.Engines, "ROCKSDB")
			s.Tables = append(s.Tables, TableSummary{Name: "events_log", Type: TypeTable, Engine: "ROCKSDB"}, TableSummary{Name: "audit", Type: TypeTable, Engine: "RocksDB"})
		}, []string{"storage engine ROCKSDB", "events_log, audit", "missing or disabled"}},
		{"two problems", func(s *Summary) {
			s.Collations = append(s.Collations, "utf8mb4_ja_0900_as_cs")
			s.Engines = append(s.Engines, "NDBCLUSTER")
		}, []string{"utf8mb4_ja_0900_as_cs", "NDBCLUSTER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := *good
			s.Charsets = append([]string(nil), good.Charsets...)
			s.Collations = append([]string(nil), good.Collations...)
			s.Engines = append([]string(nil), good.Engines...)
			s.Tables = append([]TableSummary(nil), good.Tables...)
			tc.edit(&s)
			err := CheckTarget(context.Background(), db, &s)
			if !errors.Is(err, ErrIncompatibleTarget) {
				t.Fatalf("err = %v, want ErrIncompatibleTarget", err)
			}
			for _, w := range append(tc.want, "restore onto a server") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestSupportsSequences(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.3.0-MariaDB", true},
		{"10.2.44-MariaDB", false},
		{"11.4.2-MariaDB", true},
		{"8.0.36", false},
		{"garbage", false},
	} {
		if got := supportsSequences(tc.version); got != tc.want {
			t.Errorf("supportsSequences(%q) = %v", tc.version, got)
		}
	}
}

// TestWriteParseTime: a pool opened with parseTime=true (which makes the
// driver turn dates into time.Time) gives the same dump, zero dates and
// all.
func TestWriteParseTime(t *testing.T) {
	name, db := newDatabase(t, "ptime")
	execOn(t, db, smallFixture()...)
	execOn(t, db, "SET sql_mode = ''", "INSERT INTO d VALUES (3, '0000-00-00 00:00:00', '0000-00-00 00:00:00', 0, 'zero')")
	parsed, err := sqlOpen(testServer(t).DSN(name) + "&parseTime=true&loc=Local")
	if err != nil {
		t.Fatal(err)
	}
	defer parsed.Close()
	opt := WriteOptions{Now: testNow}
	var a, b bytes.Buffer
	if _, err := Write(context.Background(), db, name, &a, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(context.Background(), parsed, name, &b, opt); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("parseTime=true changes the dump:\n%s", firstDiff(a.String(), b.String()))
	}
	if !strings.Contains(a.String(), `[3,"0000-00-00 00:00:00.000000","0000-00-00 00:00:00"`) {
		t.Errorf("zero dates not in the dump")
	}
}

// TestLoadRefusesNonEmpty keeps LoadTables from mixing a dump into a
// database that has tables.
func TestLoadRefusesNonEmpty(t *testing.T) {
	dump, _ := smallDump(t)
	name, db := newDatabase(t, "full")
	execOn(t, db, "CREATE TABLE keep_me (id INT)")
	_, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(dump), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v", err)
	}
}

// TestLoadCorrupt fails on a damaged dump with ErrCorrupt, a cut-off one
// too, even after tables were created.
func TestLoadCorrupt(t *testing.T) {
	dump, _ := smallDump(t)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut off", dump[:len(dump)-30]},
		{"bad row", bytes.Replace(dump, []byte(`[1,"one",`), []byte(`[1,1,`), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, db := newDatabase(t, "corrupt")
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			_, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(tc.data), LoadOptions{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestLoadTextFromBase64 loads text that a dump gives as {"base64": …}
// (bytes that were not UTF-8 when dumped; here valid ones) into a text
// column, and BIT values as bits.
func TestLoadTextFromBase64(t *testing.T) {
	dump, _ := smallDump(t)
	edited := bytes.Replace(dump, []byte(`[1,"one",`), []byte(`[1,{"base64":"w6k="},`), 1)
	name, db := newDatabase(t, "b64")
	if _, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(edited), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := db.QueryRow("SELECT s FROM t WHERE id = 1").Scan(&s); err != nil || s != "é" {
		t.Errorf("s = %q (%v), want é", s, err)
	}
}

// TestWriteCancel stops a dump promptly when its context is cancelled.
func TestWriteCancel(t *testing.T) {
	name, db := newDatabase(t, "cancel")
	execOn(t, db, "CREATE TABLE n (id INT PRIMARY KEY)", "INSERT INTO n SELECT seq FROM seq_1_to_50000")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cw countingWriter
	_, err := Write(ctx, db, name, &cw, WriteOptions{Progress: func(e progressEvent) {
		if e.Done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestPoolUntouched: the sessions whose settings Write, LoadTables and the
// object functions change never go back into the caller's pool.
func TestPoolUntouched(t *testing.T) {
	ctx := context.Background()
	name, db := newDatabase(t, "pool")
	db.SetMaxOpenConns(1)
	execOn(t, db, smallFixture()...)
	check := func(after string) {
		t.Helper()
		var cs, tz, mode string
		if err := db.QueryRow("SELECT @@character_set_results, @@time_zone, @@sql_mode").Scan(&cs, &tz, &mode); err != nil {
			t.Fatal(err)
		}
		if cs != "utf8mb4" || tz != "Europe/Berlin" || strings.Contains(mode, "ALLOW_INVALID_DATES") {
			t.Errorf("after %s a pooled session has character_set_results %q, time_zone %q, sql_mode %q", after, cs, tz, mode)
		}
	}
	check("nothing")
	var buf bytes.Buffer
	if _, err := Write(ctx, db, name, &buf, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("Write")
	dstName, dst := newDatabase(t, "pooldst")
	_, objs, err := LoadTables(ctx, db, dstName, bytes.NewReader(buf.Bytes()), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check("LoadTables")
	if err := CreateObjects(ctx, db, dstName, objs); err != nil {
		t.Fatal(err)
	}
	check("CreateObjects")
	if _, err := ReadObjects(ctx, db, dstName); err != nil {
		t.Fatal(err)
	}
	check("ReadObjects")
	_ = dst
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"10.11.19-MariaDB-0+deb12u1", "10.11.19-MariaDB", 0},
		{"10.6.2-MariaDB", "10.11.1-MariaDB", -1},
		{"11.4.2-MariaDB", "10.11.19-MariaDB", 1},
		{"8.0.36", "8.0.4", 1},
		{"10.11", "10.11.0", -1},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestLoadLogsNewerSource: loading a dump from a newer server is allowed
// and logged.
func TestLoadLogsNewerSource(t *testing.T) {
	dump, _ := smallDump(t)
	newer := bytes.Replace(dump, []byte(`"version":"10.11.`), []byte(`"version":"99.11.`), 1)
	name, db := newDatabase(t, "newer")
	var logs []string
	if _, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(newer), LoadOptions{Log: func(m string) { logs = append(logs, m) }}); err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "99.11.") || !strings.Contains(logs[0], "older") {
		t.Errorf("logs = %q", logs)
	}
}

type failingWriter struct{ left int }

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n := f.left
		f.left = 0
		return n, errDiskFull
	}
	f.left -= len(p)
	return len(p), nil
}

// TestWriteFailsEarly stops reading the database soon after the writer
// fails (a full disk), and passes the writer's error on.
func TestWriteFailsEarly(t *testing.T) {
	name, db := newDatabase(t, "full")
	execOn(t, db, "CREATE TABLE n (id INT PRIMARY KEY, s VARCHAR(100))", "INSERT INTO n SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000")
	var rowsSeen int64
	_, err := Write(context.Background(), db, name, &failingWriter{left: 1 << 20}, WriteOptions{Progress: func(e progressEvent) { rowsSeen = e.Done }})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	if rowsSeen > 50_000 {
		t.Errorf("Write read %d rows after the writer failed at about 9000", rowsSeen)
	}
}

// TestLoadRowTooLarge explains what to change when a row cannot fit in one
// statement on the target server.
func TestLoadRowTooLarge(t *testing.T) {
	dump, _ := smallDump(t)
	huge := bytes.Replace(dump, []byte(`[1,"one",`), []byte(`[1,"`+strings.Repeat("x", testMaxPacket)+`",`), 1)
	name, db := newDatabase(t, "huge")
	_, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(huge), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "raise max_allowed_packet") || !strings.Contains(err.Error(), `table "t"`) {
		t.Fatalf("err = %v", err)
	}
}
