package dump

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/backupdesktop/backup-desktop/internal/testutil/fixture"
)

// tuning sets LoadTables' tuning variables for one test and puts them back
// afterwards.
type tuning struct {
	conns               int
	insertBatch, infile int // batch sizes in bytes (0: unchanged)
	memory              int
	noInfile            bool
	deferMinRows        int64
}

func (tu tuning) apply(t *testing.T) {
	t.Helper()
	conns, ib, fb, mem, infile, minRows := loadConnections, insertBatch, infileBatch, loadMemory, useInfile, deferMinRows
	t.Cleanup(func() {
		loadConnections, insertBatch, infileBatch, loadMemory, useInfile, deferMinRows = conns, ib, fb, mem, infile, minRows
	})
	if tu.conns > 0 {
		loadConnections = tu.conns
	}
	if tu.insertBatch > 0 {
		insertBatch = tu.insertBatch
	}
	if tu.infile > 0 {
		infileBatch = tu.infile
	}
	if tu.memory > 0 {
		loadMemory = tu.memory
	}
	useInfile = !tu.noInfile
	deferMinRows = tu.deferMinRows
}

// loaded is what one LoadTables call did.
type loaded struct {
	deferred map[string]bool // table → indexes built after the rows
	logs     []string
}

// loadCopy dumps the database made by stmts, loads the dump with
// LoadTables (and CreateObjects) into a new database and checks that the
// mysqldump of both is identical.
func loadCopy(t *testing.T, stmts []string, opt LoadOptions) loaded {
	t.Helper()
	ctx := context.Background()
	srcName, src := newDatabase(t, "lsrc")
	execOn(t, src, stmts...)
	var buf bytes.Buffer
	if _, err := Write(ctx, src, srcName, &buf, WriteOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	dstName, dst := newDatabase(t, "ldst")
	var res loaded
	res.deferred = map[string]bool{}
	var mu sync.Mutex
	onTableLoaded = func(table string, deferred bool) {
		mu.Lock()
		res.deferred[table] = deferred
		mu.Unlock()
	}
	defer func() { onTableLoaded = nil }()
	opt.Log = func(m string) { res.logs = append(res.logs, m) }
	_, objs, err := LoadTables(ctx, dst, dstName, bytes.NewReader(buf.Bytes()), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := CreateObjects(ctx, dst, dstName, objs); err != nil {
		t.Fatal(err)
	}
	if a, b := mysqldump(t, srcName), mysqldump(t, dstName); a != b {
		t.Fatalf("mysqldump of the loaded database differs from the original:\n%s", firstDiff(a, b))
	}
	return res
}

// indexFixture has tables whose indexes can be built after their rows and
// tables where that is not safe, with foreign keys between them that point
// at indexes which the loader builds late.
func indexFixture() []string {
	stmts := []string{
		"SET foreign_key_checks = 0",
		// A child that comes before its parent, with a foreign key on the
		// parent's UNIQUE key: created while that key does not exist yet.
		`CREATE TABLE a_child (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL, note VARCHAR(100),
			KEY k_note (note(10)) COMMENT 'a prefix',
			CONSTRAINT zz_child_code FOREIGN KEY (code) REFERENCES z_parent (code) ON UPDATE CASCADE,
			CONSTRAINT aa_child_self FOREIGN KEY (id) REFERENCES a_child (id)) AUTO_INCREMENT = 500`,
		`CREATE TABLE z_parent (id BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL, name VARCHAR(50),
			parent_id BIGINT NULL, price DECIMAL(10,2), UNIQUE KEY code (code), KEY name_desc (name DESC, price),
			KEY k_ignored (price) IGNORED, KEY parent (parent_id),
			CONSTRAINT z_parent_up FOREIGN KEY (parent_id) REFERENCES z_parent (id) ON DELETE SET NULL)`,
		// FULLTEXT, a foreign key, and an AUTO_INCREMENT column that is not
		// the primary key's: built with the table.
		`CREATE TABLE ft (pk INT PRIMARY KEY, seq INT NOT NULL AUTO_INCREMENT, parent BIGINT, body TEXT,
			KEY seq (seq), KEY parent (parent), FULLTEXT KEY body (body),
			CONSTRAINT ft_parent FOREIGN KEY (parent) REFERENCES z_parent (id)) ENGINE=InnoDB`,
		// AUTO_INCREMENT second in the primary key: it needs its own key.
		"CREATE TABLE auto2 (a INT NOT NULL, id INT NOT NULL AUTO_INCREMENT, x INT, PRIMARY KEY (a, id), KEY id (id), KEY x (x))",
		// No primary key; MyISAM; partitioned; a long UNIQUE (hash).
		"CREATE TABLE nopk (a INT, b VARCHAR(10), KEY a (a), CONSTRAINT nopk_a FOREIGN KEY (a) REFERENCES a_child (id))",
		"CREATE TABLE my (id INT PRIMARY KEY, v VARCHAR(10), KEY v (v)) ENGINE=MyISAM",
		`CREATE TABLE parts (id INT NOT NULL, d DATE NOT NULL, v INT, PRIMARY KEY (id, d), KEY v (v))
			PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)`,
		"CREATE TABLE longu (id INT PRIMARY KEY, b BLOB, v INT, UNIQUE KEY b (b), KEY v (v))",
	}
	stmts = append(stmts,
		"INSERT INTO z_parent (id, code, name, parent_id, price) SELECT seq, CONCAT('c', seq), CONCAT('name ', seq % 7), NULLIF(seq DIV 2, 0), seq / 3 FROM seq_1_to_300",
		"INSERT INTO a_child (id, code, note) SELECT seq, CONCAT('c', seq % 300 + 1), REPEAT(CHAR(97 + seq % 26), seq % 40) FROM seq_1_to_400",
		"INSERT INTO ft (pk, parent, body) SELECT seq, seq % 300 + 1, CONCAT('word', seq % 13, ' other') FROM seq_1_to_200",
		"INSERT INTO auto2 (a, x) SELECT seq % 3, seq FROM seq_1_to_100",
		"INSERT INTO nopk VALUES (3, 'c'), (1, 'a'), (2, 'b'), (1, 'a')",
		"INSERT INTO my VALUES (2, 'b'), (1, 'a')",
		"INSERT INTO parts VALUES (1, '1999-01-01', 5), (2, '2024-01-01', 6)",
		"INSERT INTO longu VALUES (1, REPEAT('x', 3000), 1), (2, 'y', 2)",
	)
	return stmts
}

// TestLoadIndexes loads tables whose secondary indexes and foreign keys
// the loader adds after the rows, and tables where it must not, and
// checks that every definition comes out identical, in each way the
// loader can send rows.
func TestLoadIndexes(t *testing.T) {
	for _, tc := range []struct {
		name string
		tune tuning
	}{
		{"load data, parallel", tuning{conns: 3}},
		{"load data, one connection", tuning{conns: 1}},
		{"inserts, parallel", tuning{conns: 3, noInfile: true}},
		// Tiny batches and no room: the reader waits for each batch.
		{"load data, one batch at a time", tuning{conns: 2, infile: 512, memory: 1}},
		{"inserts, one batch at a time", tuning{conns: 2, insertBatch: 512, memory: 1, noInfile: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.tune.apply(t)
			got := loadCopy(t, indexFixture(), LoadOptions{})
			want := map[string]bool{"a_child": true, "z_parent": true, "ft": false, "auto2": false, "nopk": false, "my": false, "parts": false}
			for table, deferred := range want {
				if d, ok := got.deferred[table]; !ok || d != deferred {
					t.Errorf("table %s: indexes built after the rows = %v (loaded: %v), want %v", table, d, ok, deferred)
				}
			}
			if len(got.logs) != 0 && !tc.tune.noInfile {
				t.Errorf("unexpected log: %q", got.logs)
			}
		})
	}
}

// TestLoadIndexesSmallTables: below deferMinRows a table is created whole
// (proving the split costs more statements than it saves).
func TestLoadIndexesSmallTables(t *testing.T) {
	tuning{conns: 2, deferMinRows: 1000}.apply(t)
	got := loadCopy(t, indexFixture(), LoadOptions{})
	for table, deferred := range got.deferred {
		if deferred {
			t.Errorf("table %s: indexes deferred although it has fewer than 1000 rows", table)
		}
	}
	if len(got.deferred) != 8 {
		t.Errorf("loaded tables %v, want 8", got.deferred)
	}
}

// TestLoadIndexesMismatch: when adding the indexes back to the empty table
// does not give the dump's definition, the table is created whole.
func TestLoadIndexesMismatch(t *testing.T) {
	tuning{conns: 2}.apply(t)
	ctx := context.Background()
	srcName, src := newDatabase(t, "mm")
	execOn(t, src, "CREATE TABLE k (id INT PRIMARY KEY, a INT, b INT, KEY a (a), KEY b (b))", "INSERT INTO k VALUES (1, 2, 3)")
	var buf bytes.Buffer
	if _, err := Write(ctx, src, srcName, &buf, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// The same definition, in words this server prints differently.
	edited := bytes.Replace(buf.Bytes(), []byte("KEY `b` (`b`)"), []byte("KEY `b`  (`b`)"), 1)
	if bytes.Equal(edited, buf.Bytes()) {
		t.Fatal("the dump has no KEY `b` (`b`) to edit")
	}
	dstName, dst := newDatabase(t, "mmdst")
	var deferred []bool
	onTableLoaded = func(_ string, d bool) { deferred = append(deferred, d) }
	defer func() { onTableLoaded = nil }()
	if _, _, err := LoadTables(ctx, dst, dstName, bytes.NewReader(edited), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deferred, []bool{false}) {
		t.Errorf("deferred = %v, want the table created whole", deferred)
	}
	if a, b := mysqldump(t, srcName), mysqldump(t, dstName); a != b {
		t.Errorf("loaded database differs:\n%s", firstDiff(a, b))
	}
}

// TestLoadWithoutLocalInfile: a server with local_infile OFF still takes
// the dump, exactly, through INSERT statements, and the log says why it is
// slower.
func TestLoadWithoutLocalInfile(t *testing.T) {
	s := testServer(t)
	if s.External() {
		t.Skip("changes the server's local_infile setting, which an external server shares with others")
	}
	tuning{conns: 3}.apply(t)
	if err := s.Exec("", "SET GLOBAL local_infile = 0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Exec("", "SET GLOBAL local_infile = 1") })
	got := loadCopy(t, fixture.AllTypes(), LoadOptions{})
	if len(got.logs) != 1 || !strings.Contains(got.logs[0], "LOAD DATA LOCAL INFILE") || !strings.Contains(got.logs[0], "INSERT") {
		t.Errorf("logs = %q, want one message about INSERT instead of LOAD DATA", got.logs)
	}
}

// TestLoadAllTypesSmallBatches sends the all-types fixture (zero dates,
// BIT, GEOMETRY, UUID, latin1 and utf16 text, a 3.9 MiB row) through many
// small LOAD DATA batches, one at a time.
func TestLoadAllTypesSmallBatches(t *testing.T) {
	tuning{conns: 3, infile: 4096, memory: 1, deferMinRows: 1}.apply(t)
	got := loadCopy(t, fixture.AllTypes(), LoadOptions{})
	if len(got.logs) != 0 {
		t.Errorf("unexpected log: %q", got.logs)
	}
}

// TestLoadRefusedValue: a value the column cannot hold fails the load in
// both ways of sending rows (LOAD DATA LOCAL only warns; the loader checks
// the warnings).
func TestLoadRefusedValue(t *testing.T) {
	dump, _ := smallDump(t)
	bad := bytes.Replace(dump, []byte(`[1,"one",`), []byte(`[1,"far too long for ten",`), 1)
	for _, tc := range []struct {
		name string
		tune tuning
	}{
		{"load data", tuning{}},
		{"inserts", tuning{noInfile: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.tune.apply(t)
			name, db := newDatabase(t, "refused")
			_, _, err := LoadTables(context.Background(), db, name, bytes.NewReader(bad), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), `table "t"`) || !strings.Contains(err.Error(), "for column") {
				t.Fatalf("err = %v, want the refused value of table t explained", err)
			}
		})
	}
}

// TestLoadCancel cancels a parallel load while the server works on it, once
// while rows go in and once while the server builds a table's indexes (a
// statement the server would finish on its own, long after the client
// went away), and checks that nothing of the load is left when LoadTables
// returns: none of its sessions, none of its goroutines.
func TestLoadCancel(t *testing.T) {
	tuning{conns: 2}.apply(t)
	ctx := context.Background()
	srcName, src := newDatabase(t, "csrc")
	execOn(t, src,
		"CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, x INT, s VARCHAR(64), KEY x (x), KEY s (s), KEY xs (x, s))",
		"INSERT INTO a (x, s) SELECT seq * 7919 % 100003, MD5(seq) FROM seq_1_to_400000",
		"CREATE TABLE b (id INT PRIMARY KEY)",
		"INSERT INTO b SELECT seq FROM seq_1_to_10",
	)
	var buf bytes.Buffer
	if _, err := Write(ctx, src, srcName, &buf, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		index bool
	}{
		{"while rows go in", false},
		{"while indexes are built", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dstName, dst := newDatabase(t, "cdst")
			// A connection of the test's own, to watch the server.
			watch, err := dst.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer watch.Close()
			sessions := func(where string) []string {
				rows, err := watch.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND "+where)
				if err != nil {
					t.Error(err)
					return nil
				}
				defer rows.Close()
				var ids []string
				for rows.Next() {
					var id string
					rows.Scan(&id)
					ids = append(ids, id)
				}
				return ids
			}
			inTarget := "DB = " + quoteString(dstName)
			ignore := goleak.IgnoreCurrent()

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var load []string // the load's sessions when it was cancelled
			var opt LoadOptions
			watching := make(chan struct{})
			if tc.index {
				// a's indexes are added twice: to its empty table, to check
				// the definition, and after its rows, which are all sent
				// once the reader is at b.
				var atB atomic.Bool
				opt.Progress = func(e progressEvent) { atB.Store(atB.Load() || e.Item == "b") }
				go func() {
					defer close(watching)
					for cctx.Err() == nil {
						if atB.Load() && len(sessions(inTarget+" AND INFO LIKE 'ALTER TABLE `a` ADD %'")) > 0 {
							load = sessions(inTarget)
							cancel()
							return
						}
						time.Sleep(2 * time.Millisecond)
					}
				}()
			} else {
				close(watching)
				opt.Progress = func(e progressEvent) {
					if e.Item == "a" && e.Done > 100_000 && load == nil {
						load = sessions(inTarget)
						cancel()
					}
				}
			}
			start := time.Now()
			_, _, err = LoadTables(cctx, dst, dstName, bytes.NewReader(buf.Bytes()), opt)
			cancel()
			<-watching
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled (the load ended before the test cancelled it?)", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("LoadTables took %v to stop", d)
			}
			goleak.VerifyNone(t, ignore)
			if len(load) == 0 {
				t.Fatal("the test saw no session of the load")
			}
			if left := sessions("ID IN (" + strings.Join(load, ",") + ")"); len(left) > 0 {
				t.Errorf("sessions %v of the load still exist after LoadTables returned", left)
			}
		})
	}
}

// TestLoadOneConnection: a pool limited to one connection loads on that one
// (TestPoolUntouched checks that it does not come back changed).
func TestLoadOneConnection(t *testing.T) {
	tuning{conns: 3}.apply(t)
	dump, _ := smallDump(t)
	name, db := newDatabase(t, "one")
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := LoadTables(ctx, db, name, bytes.NewReader(dump), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Errorf("t has %d rows (%v), want 2", n, err)
	}
}

func TestPlanIndexes(t *testing.T) {
	const tail = ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
	create := func(items ...string) string {
		return "CREATE TABLE `t` (\n  " + strings.Join(items, ",\n  ") + "\n" + tail
	}
	const (
		id      = "`id` int(11) NOT NULL AUTO_INCREMENT"
		x       = "`x` int(11) DEFAULT NULL"
		pk      = "PRIMARY KEY (`id`)"
		kx      = "KEY `x` (`x`)"
		ux      = "UNIQUE KEY `u``x` (`x`)"
		fk      = "CONSTRAINT `fk` FOREIGN KEY (`x`) REFERENCES `p` (`id`) ON DELETE CASCADE"
		check   = "CONSTRAINT `c` CHECK (`x` > 0)"
		ft      = "FULLTEXT KEY `f` (`x`)"
		hashKey = "UNIQUE KEY `h` (`x`) USING HASH"
	)
	for _, tc := range []struct {
		name    string
		engine  string
		create  string
		want    indexPlan
		dropSQL string
	}{
		{
			name:    "keys and a foreign key",
			create:  create(id, x, pk, ux, kx, fk, check),
			want:    indexPlan{create: create(id, x, pk, check), full: create(id, x, pk, ux, kx, check), keys: []string{ux, kx}, foreignKeys: []string{fk}},
			dropSQL: "ALTER TABLE `t` DROP INDEX `u``x`, DROP INDEX `x`",
		},
		{
			name:   "FULLTEXT keeps the keys, not the foreign key",
			create: create(id, x, pk, kx, ft, fk),
			want:   indexPlan{create: create(id, x, pk, kx, ft), full: create(id, x, pk, kx, ft), foreignKeys: []string{fk}},
		},
		{
			name:   "AUTO_INCREMENT outside the primary key",
			create: create(id, x, "PRIMARY KEY (`x`,`id`)", "KEY `id` (`id`)", kx),
			want: indexPlan{create: create(id, x, "PRIMARY KEY (`x`,`id`)", "KEY `id` (`id`)", kx),
				full: create(id, x, "PRIMARY KEY (`x`,`id`)", "KEY `id` (`id`)", kx)},
		},
		{
			name:   "no primary key",
			create: create(x, kx, fk),
			want:   indexPlan{create: create(x, kx), full: create(x, kx), foreignKeys: []string{fk}},
		},
		{
			name:   "MyISAM",
			engine: "MyISAM",
			create: create(id, x, pk, kx),
			want:   indexPlan{create: create(id, x, pk, kx), full: create(id, x, pk, kx)},
		},
		{
			name:   "long unique stays",
			create: create(id, x, pk, hashKey, kx),
			want:   indexPlan{create: create(id, x, pk, hashKey), full: create(id, x, pk, hashKey, kx), keys: []string{kx}},
		},
		{
			name:   "partitioned",
			create: create(id, x, pk, kx) + "\n PARTITION BY HASH (`id`)\nPARTITIONS 2",
			want:   indexPlan{create: create(id, x, pk, kx) + "\n PARTITION BY HASH (`id`)\nPARTITIONS 2", full: create(id, x, pk, kx) + "\n PARTITION BY HASH (`id`)\nPARTITIONS 2"},
		},
		{
			name:   "not one item per line",
			create: "CREATE TABLE `t` (`id` int PRIMARY KEY, KEY `x` (`x`))",
			want:   indexPlan{create: "CREATE TABLE `t` (`id` int PRIMARY KEY, KEY `x` (`x`))", full: "CREATE TABLE `t` (`id` int PRIMARY KEY, KEY `x` (`x`))"},
		},
		{
			name:   "a comma missing",
			create: "CREATE TABLE `t` (\n  " + id + "\n  " + pk + "\n" + tail,
			want:   indexPlan{create: "CREATE TABLE `t` (\n  " + id + "\n  " + pk + "\n" + tail, full: "CREATE TABLE `t` (\n  " + id + "\n  " + pk + "\n" + tail},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engine := tc.engine
			if engine == "" {
				engine = "InnoDB"
			}
			got := planIndexes(&tableDef{Name: "t", Engine: engine, Create: tc.create})
			if got.create != tc.want.create || got.full != tc.want.full || !slices.Equal(got.keys, tc.want.keys) || !slices.Equal(got.foreignKeys, tc.want.foreignKeys) {
				t.Errorf("planIndexes =\n%#v\nwant\n%#v", got, tc.want)
			}
			if tc.dropSQL != "" {
				if d := got.dropKeys("t"); d != tc.dropSQL {
					t.Errorf("dropKeys = %s, want %s", d, tc.dropSQL)
				}
			}
		})
	}
}

func TestAppendRowTSV(t *testing.T) {
	r := &row{}
	add := func(kind byte, v string) {
		start := len(r.arena)
		r.arena = append(r.arena, v...)
		r.cells = append(r.cells, cell{kind: kind, start: start, end: len(r.arena)})
	}
	add(cellNumber, "0")
	add(cellNumber, "0")
	add(cellNull, "")
	add(cellText, "a\tb\nc\\d\x00e\rN")
	add(cellBytes, "\\N")
	add(cellText, "")
	add(cellText, "NULL")
	got := string(appendRowTSV(nil, r, []bool{false, true, false, false, false, false, false}))
	want := "0\t0000\t\\N\ta\\tb\\nc\\\\d\\0e\rN\t\\\\N\t\tNULL\n"
	if got != want {
		t.Errorf("appendRowTSV = %q, want %q", got, want)
	}
}

func TestLoadDataTail(t *testing.T) {
	td := &tableDef{Name: "t`x", Columns: []column{
		{Name: "id", Type: "int(11)", Encoding: EncNumber},
		{Name: "u", Type: "uuid", Encoding: EncText},
		{Name: "d", Type: "datetime(6)", Encoding: EncText},
		{Name: "s", Type: "varchar(10)", Encoding: EncText, Charset: "utf8mb4"},
		{Name: "b", Type: "blob", Encoding: EncBase64},
	}}
	want := " INTO TABLE `t``x` CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
		"(`id`,@c1,`d`,`s`,`b`) SET `u` = CONVERT(@c1 USING utf8mb4)"
	if got := loadDataTail(td); got != want {
		t.Errorf("loadDataTail =\n%s\nwant\n%s", got, want)
	}
}
