package dump

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// LoadOptions tune LoadTables.
type LoadOptions struct {
	// Progress receives rows per table (Phase "Restoring database", Unit
	// "rows"), then PhaseFinishing once every row is read. It is called
	// from LoadTables' goroutine.
	Progress progress.Func
	// Log receives notable things in plain words. It is called from
	// LoadTables' goroutine.
	Log func(msg string)
	// Expected, when set (the Summary of an earlier Scan of the same
	// dump), gives progress exact totals (and tells which tables are big
	// enough to build their indexes after their rows).
	Expected *Summary
}

// loadSQLMode lets every value the dump can hold in: zero and invalid
// dates (no NO_ZERO_DATE), explicit 0 in AUTO_INCREMENT columns, and
// errors instead of silent truncation.
const loadSQLMode = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,ALLOW_INVALID_DATES,STRICT_ALL_TABLES"

// Tuning of LoadTables, measured with BenchmarkLoadTables on 2 cores
// (variables so that the benchmark and tests can change them).
var (
	// loadConnections is how many tables load at once, each on its own
	// connection (fewer when the pool allows fewer).
	loadConnections = 2
	// insertBatch is the size an INSERT statement grows to before it is
	// sent (smaller when the server's max_allowed_packet is smaller).
	insertBatch = 1 << 20
	// infileBatch is the size of one LOAD DATA file.
	infileBatch = 1 << 20
	// loadMemory is how many bytes of batches may wait for the server (or
	// be on their way to it); beyond that the reader waits.
	loadMemory = 4 << 20
	// useInfile allows LOAD DATA LOCAL INFILE when the server does.
	useInfile = true
	// deferIndexes allows building secondary indexes after the rows.
	deferIndexes = true
	// deferMinRows is the size from which a table's indexes are built
	// after its rows: for a small table, the statements that prove the
	// definition comes out the same cost more than they save.
	deferMinRows int64 = 10000
)

// packetHeadroom is kept free below max_allowed_packet in every statement.
const packetHeadroom = 1024

// PhaseFinishing is the last progress phase of LoadTables: the rows are
// read and the server finishes loading them and builds the indexes and
// foreign keys.
const PhaseFinishing = "Building indexes and foreign keys"

// LoadTables creates every table and sequence of the dump read from r, with
// its rows and AUTO_INCREMENT, in the existing empty database target, and
// checks the dump to its end as Scan does. Views, triggers, routines and
// events are returned, not created: call CreateObjects when the tables are
// in place. On error the target holds whatever was loaded so far, and no
// statement of the load is still running on the server; the caller drops
// the database.
//
// LoadTables loads two tables at once, on two connections of db (one if
// db's pool allows no more), and closes them at the end instead of
// returning them to the pool, since it changes their session settings. The
// rows go in with LOAD DATA LOCAL INFILE when the server allows it (INSERT
// statements otherwise); the secondary indexes of large tables are built
// after their rows, foreign keys after all tables; the definitions come out
// identical to the dump's.
func LoadTables(ctx context.Context, db *sql.DB, target string, r io.Reader, opt LoadOptions) (*Summary, *Objects, error) {
	s, o, err := loadTables(ctx, db, target, r, opt)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, nil, fmt.Errorf("load the database into %q: %w", target, err)
	}
	return s, o, nil
}

func loadTables(ctx context.Context, db *sql.DB, target string, r io.Reader, opt LoadOptions) (*Summary, *Objects, error) {
	n := loadConnections
	if st := db.Stats(); st.MaxOpenConnections > 0 {
		n = max(1, min(n, st.MaxOpenConnections-st.InUse))
	}
	first, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to the database server: %w", err)
	}
	conns := []*sql.Conn{first}
	defer func() {
		for _, c := range conns {
			discardConn(c)
		}
	}()
	if err := prepareLoadSession(ctx, first); err != nil {
		return nil, nil, fmt.Errorf("prepare session: %w", err)
	}
	var tables int
	if err := first.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+quoteString(target)).Scan(&tables); err != nil {
		return nil, nil, fmt.Errorf("look at database %q: %w", target, err)
	}
	if tables > 0 {
		return nil, nil, fmt.Errorf("database %q is not empty (%d tables); the dump is only loaded into an empty database", target, tables)
	}
	if _, err := first.ExecContext(ctx, "USE "+quoteIdent(target)); err != nil {
		return nil, nil, fmt.Errorf("open database %q: %w", target, err)
	}
	var maxPacket int64
	if err := first.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&maxPacket); err != nil {
		return nil, nil, fmt.Errorf("read max_allowed_packet: %w", err)
	}
	var version string
	if err := first.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return nil, nil, fmt.Errorf("read the server version: %w", err)
	}
	l := &loader{opt: opt, maxStmt: int(maxPacket) - packetHeadroom, target: server{Flavor: flavorOf(version), Version: version}}
	l.infile = useInfile && localInfileWorks(ctx, first)
	if useInfile && !l.infile && opt.Log != nil {
		opt.Log("The database server does not allow LOAD DATA LOCAL INFILE (its local_infile setting is OFF), " +
			"so the rows are loaded with INSERT statements, which takes longer.")
	}
	l.batch = min(insertBatch, l.maxStmt)
	if l.infile {
		l.batch = infileBatch
	}
	if opt.Expected != nil {
		l.expected = map[string]int64{}
		for _, t := range opt.Expected.Tables {
			l.expected[t.Name] = t.Rows
		}
	}
	// More connections, each set up like the first; the load goes on with
	// fewer if the server refuses some (max_connections).
	for len(conns) < n {
		c, err := db.Conn(ctx)
		if err != nil {
			break
		}
		if err := prepareLoadSession(ctx, c); err != nil {
			discardConn(c)
			break
		}
		if _, err := c.ExecContext(ctx, "USE "+quoteIdent(target)); err != nil {
			discardConn(c)
			break
		}
		conns = append(conns, c)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := newLoadQueue(loadMemory)
	stop := q.stopOn(ctx)
	defer stop()
	l.q = q

	var ids []int64
	var wg sync.WaitGroup
	for _, c := range conns {
		w := &worker{ctx: ctx, q: q, conn: c}
		if err := c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&w.id); err != nil {
			q.fail(fmt.Errorf("prepare session: %w", err))
			break
		}
		ids = append(ids, w.id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run()
			if q.failed() != nil {
				cancel() // stop the statements of the other workers now
			}
		}()
	}
	s, o, rerr := readDump(r, l)
	if rerr != nil {
		q.fail(rerr)
		cancel()
	} else {
		q.close()
		// Every row is read; the sessions may still be loading the last
		// rows and then build the deferred indexes and foreign keys, which
		// takes a while on big tables: say so rather than sit at 100%.
		opt.Progress.Report(progress.Event{Phase: PhaseFinishing})
	}
	wg.Wait()
	if err := q.failed(); err != nil {
		for _, c := range conns {
			discardConn(c)
		}
		conns = nil
		killSessions(ctx, db, ids)
		return nil, nil, err
	}
	return s, o, nil
}

// prepareLoadSession gives a connection the settings every value of the
// dump needs to arrive exactly (see docs/dump-format.md).
func prepareLoadSession(ctx context.Context, conn *sql.Conn) error {
	if err := execAll(ctx, conn,
		"SET NAMES utf8mb4",
		"SET time_zone = '+00:00'",
		"SET foreign_key_checks = 0",
		"SET unique_checks = 0",
		"SET sql_mode = '"+loadSQLMode+"'",
	); err != nil {
		return err
	}
	execOptional(ctx, conn, "SET SESSION max_statement_time = 0", "SET SESSION max_execution_time = 0")
	return nil
}

// loader is the visitor that turns a dump into tables and batches of rows
// for the workers. It runs on LoadTables' goroutine.
type loader struct {
	opt      LoadOptions
	q        *loadQueue
	infile   bool // batches are LOAD DATA files
	maxStmt  int  // largest statement the server accepts
	batch    int  // batch size to aim for
	expected map[string]int64
	target   server

	t         *tableLoad // the table being read
	buf       []byte     // the batch being filled
	batchRows int64
	rowBuf    []byte
	ev        progress.Event
	rows      int64
	bits      []bool // per column: BIT, written as X'…' in INSERTs
	years     []bool // per column: YEAR, whose 0 is 0000 in LOAD DATA
}

func (l *loader) header(s *Summary) error {
	if l.opt.Log == nil {
		return nil
	}
	switch {
	case s.Flavor != "" && s.Flavor != l.target.Flavor:
		l.opt.Log(fmt.Sprintf("The backup was made on %s %s and is being loaded into %s %s; "+
			"if a table or object uses something only the first one has, loading it fails and nothing is changed.",
			s.Flavor, s.ServerVersion, l.target.Flavor, l.target.Version))
	case compareVersions(l.target.Version, s.ServerVersion) < 0:
		l.opt.Log(fmt.Sprintf("The backup was made on %s %s and is being loaded into the older %s; "+
			"if a table or object uses something newer, loading it fails and nothing is changed.",
			s.Flavor, s.ServerVersion, l.target.Version))
	}
	return nil
}

// compareVersions compares the leading numbers of two VERSION() strings
// ("10.11.19-MariaDB…").
func compareVersions(a, b string) int {
	num := func(v string) []int {
		var out []int
		for _, p := range strings.SplitN(v, ".", 3) {
			n := 0
			i := 0
			for i < len(p) && isDigit(p[i]) {
				n = n*10 + int(p[i]-'0')
				i++
			}
			out = append(out, n)
			if i < len(p) {
				break
			}
		}
		return out
	}
	return slices.Compare(num(a), num(b))
}

func (l *loader) begin(t *tableDef) error {
	if t.Type == TypeSequence {
		return l.q.addTable(&tableLoad{def: t, seqDone: make(chan struct{})})
	}
	tl := &tableLoad{def: t, plan: planIndexes(t), infile: l.infile, expected: t.RowsEstimate}
	if n, ok := l.expected[t.Name]; ok {
		tl.expected = n
	}
	if l.infile {
		tl.stmt = loadDataTail(t)
	} else {
		var p strings.Builder
		p.WriteString("INSERT INTO ")
		p.WriteString(quoteIdent(t.Name))
		p.WriteString(" (")
		for i, c := range t.Columns {
			if i > 0 {
				p.WriteByte(',')
			}
			p.WriteString(quoteIdent(c.Name))
		}
		p.WriteString(") VALUES ")
		tl.stmt = p.String()
	}
	l.bits, l.years = l.bits[:0], l.years[:0]
	for _, c := range t.Columns {
		typ := strings.ToLower(c.Type)
		l.bits = append(l.bits, strings.HasPrefix(typ, "bit"))
		l.years = append(l.years, strings.HasPrefix(typ, "year"))
	}
	l.t = tl
	l.buf = l.q.buffer()[:0]
	l.batchRows = 0
	l.rows = 0
	l.ev = progress.Event{Phase: "Restoring database", Item: t.Name, Total: t.RowsEstimate, Unit: "rows"}
	if n, ok := l.expected[t.Name]; ok {
		l.ev.Total = n
	}
	l.opt.Progress.Report(l.ev)
	// The worker creates the table while the reader parses its rows.
	return l.q.addTable(tl)
}

func (l *loader) row(t *tableDef, r *row) error {
	var b []byte
	var need int
	if l.infile {
		b = appendRowTSV(l.rowBuf[:0], r, l.years)
		need = len(b)
	} else {
		b = l.appendRowSQL(l.rowBuf[:0], r)
		need = len(l.t.stmt) + len(b)
	}
	l.rowBuf = b
	l.rows++
	if need > l.maxStmt {
		return fmt.Errorf("row %d of table %q needs a %d-byte statement, more than the target server accepts (max_allowed_packet %d bytes); "+
			"raise max_allowed_packet on the server to at least %d MiB and restore again",
			l.rows, t.Name, need, l.maxStmt+packetHeadroom, (need+packetHeadroom)>>20+1)
	}
	if l.batchRows > 0 && len(l.buf)+1+len(b) > l.batch {
		if err := l.flush(l.rows - 1); err != nil {
			return err
		}
	}
	switch {
	case l.infile:
	case l.batchRows == 0:
		l.buf = append(l.buf, l.t.stmt...)
	default:
		l.buf = append(l.buf, ',')
	}
	l.buf = append(l.buf, b...)
	l.batchRows++
	if cap(l.rowBuf) > 16<<20 {
		l.rowBuf = nil
	}
	if l.rows%progressEvery == 0 {
		l.ev.Done = l.rows
		l.opt.Progress.Report(l.ev)
	}
	return nil
}

// appendRowSQL appends r as "(v1,v2,…)" for an INSERT.
func (l *loader) appendRowSQL(b []byte, r *row) []byte {
	b = append(b, '(')
	for i := range r.cells {
		if i > 0 {
			b = append(b, ',')
		}
		kind, v := r.value(i)
		switch kind {
		case cellNull:
			b = append(b, "NULL"...)
		case cellNumber:
			b = append(b, v...)
		case cellText:
			b = appendQuoted(b, v)
		case cellBytes:
			if l.bits[i] {
				b = appendHex(b, v)
			} else {
				b = append(b, "_binary"...)
				b = appendQuoted(b, v)
			}
		}
	}
	return append(b, ')')
}

// flush queues the pending batch, which ends with row upTo.
func (l *loader) flush(upTo int64) error {
	if l.batchRows == 0 {
		return nil
	}
	err := l.q.addBatch(l.t, l.buf, l.batchRows, upTo)
	l.buf = l.q.buffer()[:0]
	l.batchRows = 0
	return err
}

func (l *loader) end(t *tableDef) error {
	if t.Type == TypeSequence {
		return nil
	}
	if err := l.flush(l.rows); err != nil {
		return err
	}
	l.t.autoInc = t.AutoIncrement
	if err := l.q.endTable(l.t); err != nil {
		return err
	}
	l.ev.Done = l.rows
	if l.ev.Total < l.ev.Done {
		l.ev.Total = l.ev.Done
	}
	l.opt.Progress.Report(l.ev)
	return nil
}
