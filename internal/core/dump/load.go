package dump

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// LoadOptions tune LoadTables.
type LoadOptions struct {
	// Progress receives rows per table (Phase "Restoring database", Unit
	// "rows"). It is called from LoadTables' goroutine.
	Progress progress.Func
	// Log receives notable things in plain words. It is called from
	// LoadTables' goroutine.
	Log func(msg string)
	// Expected, when set (the Summary of an earlier Scan of the same
	// dump), gives progress exact totals.
	Expected *Summary
}

// loadSQLMode lets every value the dump can hold in: zero and invalid
// dates (no NO_ZERO_DATE), explicit 0 in AUTO_INCREMENT columns, and
// errors instead of silent truncation.
const loadSQLMode = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,ALLOW_INVALID_DATES,STRICT_ALL_TABLES"

// batchBytes is the size an INSERT statement grows to before it is sent
// (smaller when the server's max_allowed_packet is smaller).
const batchBytes = 1 << 20

// packetHeadroom is kept free below max_allowed_packet in every statement.
const packetHeadroom = 1024

// LoadTables creates every table and sequence of the dump read from r, with
// its rows and AUTO_INCREMENT, in the existing empty database target, and
// checks the dump to its end as Scan does. Views, triggers, routines and
// events are returned, not created: call CreateObjects when the tables are
// in place. On error the target holds whatever was loaded so far; the
// caller drops it.
//
// LoadTables uses one connection of db and closes it at the end instead of
// returning it to the pool, since it changes that session's settings.
func LoadTables(ctx context.Context, db *sql.DB, target string, r io.Reader, opt LoadOptions) (*Summary, *Objects, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to the database server: %w", err)
	}
	defer discardConn(conn)
	s, o, err := loadTables(ctx, conn, target, r, opt)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, nil, fmt.Errorf("load the database into %q: %w", target, err)
	}
	return s, o, nil
}

func loadTables(ctx context.Context, conn *sql.Conn, target string, r io.Reader, opt LoadOptions) (*Summary, *Objects, error) {
	if err := execAll(ctx, conn,
		"SET NAMES utf8mb4",
		"SET time_zone = '+00:00'",
		"SET foreign_key_checks = 0",
		"SET unique_checks = 0",
		"SET sql_mode = '"+loadSQLMode+"'",
	); err != nil {
		return nil, nil, fmt.Errorf("prepare session: %w", err)
	}
	execOptional(ctx, conn, "SET SESSION max_statement_time = 0", "SET SESSION max_execution_time = 0")
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+quoteString(target)).Scan(&n); err != nil {
		return nil, nil, fmt.Errorf("look at database %q: %w", target, err)
	}
	if n > 0 {
		return nil, nil, fmt.Errorf("database %q is not empty (%d tables); the dump is only loaded into an empty database", target, n)
	}
	if _, err := conn.ExecContext(ctx, "USE "+quoteIdent(target)); err != nil {
		return nil, nil, fmt.Errorf("open database %q: %w", target, err)
	}
	var maxPacket int64
	if err := conn.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&maxPacket); err != nil {
		return nil, nil, fmt.Errorf("read max_allowed_packet: %w", err)
	}
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return nil, nil, fmt.Errorf("read the server version: %w", err)
	}
	l := &loader{opt: opt, maxStmt: int(maxPacket) - packetHeadroom, target: server{Flavor: flavorOf(version), Version: version}}
	l.batch = min(batchBytes, l.maxStmt)
	if opt.Expected != nil {
		l.expected = map[string]int64{}
		for _, t := range opt.Expected.Tables {
			l.expected[t.Name] = t.Rows
		}
	}
	l.ex = startExecutor(ctx, conn)
	s, o, err := readDump(r, l)
	if exErr := l.ex.finish(); exErr != nil {
		// The server's error explains more than the reader's.
		err = exErr
	}
	if err != nil {
		return nil, nil, err
	}
	return s, o, nil
}

// loader is the visitor that turns a dump into SQL statements.
type loader struct {
	opt      LoadOptions
	ex       *executor
	maxStmt  int // largest statement the server accepts
	batch    int // statement size to aim for
	expected map[string]int64
	target   server

	prefix []byte // INSERT INTO `t` (`a`,`b`) VALUES
	stmt   []byte
	rowSQL []byte
	ev     progress.Event
	rows   int64
	bits   []bool // per column: BIT, written as X'…'
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
	kind := "table"
	if t.Type == TypeSequence {
		kind = "sequence"
	}
	if err := l.ex.run([]byte(t.Create), fmt.Sprintf("create %s %q", kind, t.Name)); err != nil {
		return err
	}
	if t.Type == TypeSequence {
		return nil
	}
	var p strings.Builder
	p.WriteString("INSERT INTO ")
	p.WriteString(quoteIdent(t.Name))
	p.WriteString(" (")
	l.bits = l.bits[:0]
	for i, c := range t.Columns {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(quoteIdent(c.Name))
		l.bits = append(l.bits, strings.HasPrefix(strings.ToLower(c.Type), "bit"))
	}
	p.WriteString(") VALUES ")
	l.prefix = []byte(p.String())
	l.stmt = l.ex.buffer()
	l.rows = 0
	l.ev = progress.Event{Phase: "Restoring database", Item: t.Name, Total: t.RowsEstimate, Unit: "rows"}
	if n, ok := l.expected[t.Name]; ok {
		l.ev.Total = n
	}
	l.opt.Progress.Report(l.ev)
	return nil
}

func (l *loader) row(t *tableDef, r *row) error {
	b := append(l.rowSQL[:0], '(')
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
	b = append(b, ')')
	l.rowSQL = b
	l.rows++
	if len(l.prefix)+len(b) > l.maxStmt {
		return fmt.Errorf("row %d of table %q needs a %d-byte statement, more than the target server accepts (max_allowed_packet %d bytes); "+
			"raise max_allowed_packet on the server to at least %d MiB and restore again",
			l.rows, t.Name, len(l.prefix)+len(b), l.maxStmt+packetHeadroom, (len(l.prefix)+len(b)+packetHeadroom)>>20+1)
	}
	if len(l.stmt) > 0 && len(l.stmt)+1+len(b) > l.batch {
		if err := l.flush(t); err != nil {
			return err
		}
	}
	if len(l.stmt) == 0 {
		l.stmt = append(l.stmt, l.prefix...)
	} else {
		l.stmt = append(l.stmt, ',')
	}
	l.stmt = append(l.stmt, b...)
	if cap(l.rowSQL) > 16<<20 {
		l.rowSQL = nil
	}
	if l.rows%progressEvery == 0 {
		l.ev.Done = l.rows
		l.opt.Progress.Report(l.ev)
	}
	return nil
}

// flush sends the pending INSERT.
func (l *loader) flush(t *tableDef) error {
	if len(l.stmt) == 0 {
		return nil
	}
	err := l.ex.send(l.stmt, fmt.Sprintf("insert rows into table %q (up to row %d)", t.Name, l.rows))
	l.stmt = l.ex.buffer()
	return err
}

func (l *loader) end(t *tableDef) error {
	if t.Type == TypeSequence {
		next, _ := t.stateValue("next_not_cached_value")
		q := "DO SETVAL(" + quoteIdent(t.Name) + ", " + next + ", 0"
		if round, ok := t.stateValue("cycle_count"); ok && round != "0" {
			q += ", " + round
		}
		return l.ex.run([]byte(q+")"), fmt.Sprintf("set the position of sequence %q", t.Name))
	}
	if err := l.flush(t); err != nil {
		return err
	}
	if t.AutoIncrement != "" {
		q := "ALTER TABLE " + quoteIdent(t.Name) + " AUTO_INCREMENT = " + t.AutoIncrement
		if err := l.ex.run([]byte(q), fmt.Sprintf("set AUTO_INCREMENT of table %q", t.Name)); err != nil {
			return err
		}
	}
	l.ev.Done = l.rows
	if l.ev.Total < l.ev.Done {
		l.ev.Total = l.ev.Done
	}
	l.opt.Progress.Report(l.ev)
	return nil
}
