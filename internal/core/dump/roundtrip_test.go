package dump

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/testutil/fixture"
)

// TestRoundTrip dumps the fixture database, loads the dump into an empty
// database and checks that the standard mysqldump of both is identical,
// and then some things mysqldump cannot see (float bits, sequence state).
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	srcName, src := newDatabase(t, "src")
	execOn(t, src, fixture.AllTypes()...)
	dstName, dst := newDatabase(t, "dst")

	now := time.Date(2024, 10, 27, 1, 30, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "database_dump.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	var events []progress.Event
	sum, err := Write(ctx, src, srcName, f, WriteOptions{
		Now:      now,
		Log:      func(m string) { logs = append(logs, m) },
		Progress: func(e progress.Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("summary", func(t *testing.T) {
		if sum.Database != srcName || sum.Flavor != "mariadb" || !strings.Contains(sum.ServerVersion, "MariaDB") ||
			sum.FormatVersion != FormatVersion || !sum.CreatedUTC.Equal(now) || !sum.ConsistentSnapshot {
			t.Errorf("header: %+v", sum)
		}
		if sum.CharacterSet != "utf8mb4" || sum.Collation != "utf8mb4_general_ci" {
			t.Errorf("database charset/collation = %s/%s", sum.CharacterSet, sum.Collation)
		}
		for _, ts := range sum.Tables {
			if ts.Type == TypeSequence {
				if ts.Rows != 0 {
					t.Errorf("sequence %s: rows %d", ts.Name, ts.Rows)
				}
				continue
			}
			var n int64
			if err := src.QueryRow("SELECT COUNT(*) FROM " + quoteIdent(ts.Name)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if ts.Rows != n {
				t.Errorf("table %s: summary says %d rows, the table has %d", ts.Name, ts.Rows, n)
			}
		}
		var names []string
		for _, ts := range sum.Tables {
			names = append(names, ts.Name)
		}
		var want []string
		for _, r := range queryStrings(t, src, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE <> 'VIEW'") {
			want = append(want, r[0])
		}
		if len(names) != len(want) || names[0] != "seq_cycle" || names[1] != "seq_plain" {
			t.Errorf("tables %v, want all of %v with the sequences first", names, want)
		}
		if !slices.Equal(sum.NonTransactional, []string{"t_myisam"}) {
			t.Errorf("non-transactional = %v", sum.NonTransactional)
		}
		if len(logs) == 0 || !strings.Contains(strings.Join(logs, "\n"), `"t_myisam"`) {
			t.Errorf("log does not name t_myisam: %q", logs)
		}
		if sum.Views != 5 || sum.Triggers != 4 || sum.Routines != 5 || sum.Events != 2 {
			t.Errorf("objects: %d views, %d triggers, %d routines, %d events", sum.Views, sum.Triggers, sum.Routines, sum.Events)
		}
		wantMig := []Migration{{"contenttypes", "0001_initial"}, {"inventory", "0002_product_price"}}
		if !reflect.DeepEqual(sum.DjangoMigrations, wantMig) {
			t.Errorf("django migrations = %v", sum.DjangoMigrations)
		}
		for _, c := range []string{"latin1_swedish_ci", "latin1_bin", "utf16_general_ci", "utf8mb3_general_ci", "utf8mb4_general_ci", "utf8mb4_bin"} {
			if !slices.Contains(sum.Collations, c) {
				t.Errorf("collations %v lack %s", sum.Collations, c)
			}
		}
		for _, e := range []string{"InnoDB", "MyISAM"} {
			if !slices.Contains(sum.Engines, e) {
				t.Errorf("engines %v lack %s", sum.Engines, e)
			}
		}
		var sawIntsDone bool
		for _, e := range events {
			if e.Item == "ints" && e.Unit == "rows" && e.Done == 4 && e.Phase != "" {
				sawIntsDone = true
			}
		}
		if !sawIntsDone {
			t.Errorf("no progress event with 4 rows done for table ints: %v", events)
		}
	})

	t.Run("scan", func(t *testing.T) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		scanned, err := Scan(f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(scanned, sum) {
			t.Errorf("Scan summary differs from Write's:\n scan: %+v\nwrite: %+v", scanned, sum)
		}
	})

	// Load into the second database and create the objects.
	f, err = os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var loadEvents []progress.Event
	loaded, objs, err := LoadTables(ctx, dst, dstName, f, LoadOptions{Progress: func(e progress.Event) { loadEvents = append(loadEvents, e) }})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, sum) {
		t.Errorf("LoadTables summary differs from Write's:\n load: %+v\nwrite: %+v", loaded, sum)
	}
	if len(loadEvents) == 0 || loadEvents[len(loadEvents)-1].Phase != PhaseFinishing {
		t.Errorf("LoadTables reported %d progress events, want the last one in phase %q: %+v", len(loadEvents), PhaseFinishing, loadEvents[max(0, len(loadEvents)-2):])
	}
	if err := CreateObjects(ctx, dst, dstName, objs); err != nil {
		t.Fatal(err)
	}

	t.Run("mysqldump identical", func(t *testing.T) {
		a, b := mysqldump(t, srcName), mysqldump(t, dstName)
		if a != b {
			t.Errorf("mysqldump of the restored database differs from the original:\n%s", firstDiff(a, b))
		}
		for _, want := range []string{"AUTO_INCREMENT=1000", "AUTO_INCREMENT=57", "AUTO_INCREMENT=77", "DO SETVAL(`seq_plain`, 125, 0)",
			"'0000-00-00 00:00:00'", "18446744073709551615", "TRIGGER trg_plus", "EVENT `ev_once`", `PROCEDURE "p_concat"`,
			"SET sql_mode              = 'PIPES_AS_CONCAT,ANSI_QUOTES'", `PACKAGE BODY "pkg"`} {
			if !strings.Contains(b, want) {
				t.Errorf("restored mysqldump lacks %q", want)
			}
		}
	})

	t.Run("checksums", func(t *testing.T) {
		for _, ts := range sum.Tables {
			if ts.Type != TypeTable {
				continue
			}
			q := "CHECKSUM TABLE " + quoteIdent(ts.Name) + " EXTENDED"
			a, b := queryStrings(t, src, q), queryStrings(t, dst, q)
			if a[0][1] != b[0][1] {
				t.Errorf("table %s: checksum %s, restored %s", ts.Name, a[0][1], b[0][1])
			}
		}
	})

	t.Run("exact values", func(t *testing.T) {
		for _, q := range []string{
			// FLOAT's text is lossy; its double is exact.
			"SELECT id, f+0e0, d, fu+0e0, fp+0e0, dp, r FROM floats ORDER BY id",
			// Both DST instants, in UTC.
			"SELECT id, UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(ts6), HEX(dt6) FROM times ORDER BY id",
			"SELECT id, HEX(v), HEX(t), HEX(c), HEX(l), HEX(vb), HEX(bn), HEX(a), HEX(u16), HEX(m3), HEX(lt) FROM strs ORDER BY id",
			"SELECT id, MD5(tb), MD5(b), MD5(mb), HEX(lb) FROM blobs ORDER BY id",
			"SELECT id, MD5(b), LENGTH(b), MD5(t), LENGTH(t) FROM big ORDER BY id",
			"SELECT id, HEX(b1), HEX(b64), HEX(b5), HEX(g), ST_AsText(poly), HEX(el), j FROM misc ORDER BY id",
			"SELECT id, a, v, s, inv FROM gen ORDER BY id",
			"SELECT * FROM seq_plain",
			"SELECT * FROM seq_cycle",
		} {
			a, b := queryStrings(t, src, q), queryStrings(t, dst, q)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s:\n original %q\n restored %q", q, a, b)
			}
		}
		var lengths [2]int64
		if err := dst.QueryRow("SELECT LENGTH(b), (SELECT LENGTH(t) FROM big WHERE id = 2) FROM big WHERE id = 1").Scan(&lengths[0], &lengths[1]); err != nil {
			t.Fatal(err)
		}
		if lengths[0] != fixture.BigRowBytes || lengths[1] != 5*595000 {
			t.Errorf("big rows restored with lengths %v", lengths)
		}
		// The instants that share the local time 02:30 stay distinct.
		var distinct int
		if err := dst.QueryRow("SELECT COUNT(DISTINCT UNIX_TIMESTAMP(ts)) FROM times WHERE id IN (6, 7)").Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		if distinct != 2 {
			t.Errorf("the two autumn 02:30 TIMESTAMPs became %d distinct instants", distinct)
		}
		// Sequences continue identically.
		for _, seq := range []string{"seq_plain", "seq_cycle"} {
			q := fmt.Sprintf("SELECT NEXTVAL(%s), NEXTVAL(%s)", seq, seq)
			a, b := queryStrings(t, src, q), queryStrings(t, dst, q)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s continues with %v, restored with %v", seq, a, b)
			}
		}
		// A new row takes the next AUTO_INCREMENT value, as in the original.
		for _, db := range []struct {
			*sql.DB
			name string
		}{{src, "original"}, {dst, "restored"}} {
			res, err := db.Exec("INSERT INTO ints (ti) VALUES (5)")
			if err != nil {
				t.Fatal(err)
			}
			if id, _ := res.LastInsertId(); id != 1000 {
				t.Errorf("%s: new row got id %d, want 1000", db.name, id)
			}
		}
	})

	t.Run("objects", func(t *testing.T) {
		read, err := ReadObjects(ctx, dst, dstName)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(read, objs) {
			t.Errorf("ReadObjects of the restored database:\n%+v\nwant the dump's\n%+v", read, objs)
		}
		var latin1 bool
		for _, v := range read.Views {
			if v.Name == "v_latin1" && strings.Contains(v.Create, "'caf\xe9'") && v.CharacterSetClient == "latin1" {
				latin1 = true
			}
		}
		if !latin1 {
			t.Errorf("view v_latin1 not read in its latin1 bytes: %+v", read.Views)
		}
		b, err := json.Marshal(read)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"create_base64"`) {
			t.Errorf("objects JSON has no create_base64 for the latin1 view: %s", b)
		}
		var back Objects
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, read) {
			t.Errorf("objects changed through JSON")
		}
		if err := DropObjects(ctx, dst, dstName, read); err != nil {
			t.Fatal(err)
		}
		left, err := ReadObjects(ctx, dst, dstName)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(left.all()); n != 0 {
			t.Errorf("%d objects left after DropObjects: %+v", n, left)
		}
		if err := CreateObjects(ctx, dst, dstName, &back); err != nil {
			t.Fatal(err)
		}
		again, err := ReadObjects(ctx, dst, dstName)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, read) {
			t.Errorf("objects differ after drop and create")
		}
	})
}

// firstDiff shows where two texts start to differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			clip := func(s string) string {
				if len(s) > 400 {
					return s[:400] + "…"
				}
				return s
			}
			return fmt.Sprintf("line %d:\n original: %s\n restored: %s", i+1, clip(x), clip(y))
		}
	}
	return "(no line differs)"
}
