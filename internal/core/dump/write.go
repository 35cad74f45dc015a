package dump

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// WriteOptions tune Write.
type WriteOptions struct {
	// Progress receives rows per table (Phase "Saving database", Unit
	// "rows", Total the server's estimate). It is called from Write's
	// goroutine.
	Progress progress.Func
	// Log receives notable things in plain words: tables that cannot join
	// the snapshot, history that is not kept. It is called from Write's
	// goroutine.
	Log func(msg string)
	// Now is the time recorded as created_utc; zero means time.Now().
	Now time.Time
}

// progressEvery is how many rows pass between progress reports and
// cancellation checks.
const progressEvery = 4096

// Write writes a consistent snapshot of database to w, streamed through a
// buffer: one session reads every table inside one REPEATABLE READ
// transaction started WITH CONSISTENT SNAPSHOT, row by row. It returns the
// Summary of what it wrote. Write does not close w.
//
// Write uses one connection of db for its whole run and closes it at the
// end instead of returning it to the pool, since it changes that
// session's settings.
func Write(ctx context.Context, db *sql.DB, database string, w io.Writer, opt WriteOptions) (*Summary, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the database server: %w", err)
	}
	defer discardConn(conn)
	dw := &dumpWriter{conn: conn, opt: opt, num: make([]byte, 0, 64)}
	s, err := dw.run(ctx, database, w)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, fmt.Errorf("save database %q: %w", database, err)
	}
	return s, nil
}

type dumpWriter struct {
	conn *sql.Conn
	opt  WriteOptions
	j    *jsonWriter
	sum  Summary
	num  []byte // scratch for numbers formatted from driver values
}

func (dw *dumpWriter) log(format string, args ...any) {
	if dw.opt.Log != nil {
		dw.opt.Log(fmt.Sprintf(format, args...))
	}
}

func (dw *dumpWriter) run(ctx context.Context, database string, w io.Writer) (*Summary, error) {
	conn := dw.conn
	srv, err := prepareReadSession(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("prepare session: %w", err)
	}
	if err := execAll(ctx, conn,
		"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
	); err != nil {
		return nil, fmt.Errorf("start a consistent snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")

	charset, collation, err := useDatabase(ctx, conn, database)
	if err != nil {
		return nil, err
	}
	tables, err := listTables(ctx, conn, database)
	if err != nil {
		return nil, err
	}
	if err := readColumns(ctx, conn, database, tables); err != nil {
		return nil, err
	}
	objs, err := readObjects(ctx, conn, database)
	if err != nil {
		return nil, err
	}

	now := dw.opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := &dw.sum
	*s = Summary{FormatVersion: FormatVersion, Database: database, Flavor: srv.Flavor, ServerVersion: srv.Version,
		CharacterSet: charset, Collation: collation, CreatedUTC: now.UTC(), ConsistentSnapshot: true}
	for _, t := range tables {
		if t.Type == TypeTable && !transactionalEngines[strings.ToLower(t.Engine)] {
			s.NonTransactional = append(s.NonTransactional, t.Name)
			dw.log("Table %q uses the %s storage engine, which cannot join the consistent snapshot: its rows are read as they are when the backup reaches it, "+
				"so changes made meanwhile may not match the other tables.", t.Name, t.Engine)
		}
		if t.versioned {
			dw.log("Table %q is system-versioned: its current rows are saved, its history is not.", t.Name)
		}
	}

	j := newJSONWriter(w)
	dw.j = j
	n := newNeeds()
	n.charset(charset)
	n.collation(collation)

	j.raw(`{"format":`)
	j.str(FormatName)
	j.raw(`,"format_version":`)
	j.int(FormatVersion)
	j.raw(",\n")
	j.key("database", true)
	j.str(database)
	j.raw(`,"server":{"flavor":`)
	j.str(srv.Flavor)
	j.raw(`,"version":`)
	j.str(srv.Version)
	j.raw("}")
	j.key("character_set", false)
	j.str(charset)
	j.key("collation", false)
	j.str(collation)
	j.key("created_utc", false)
	j.str(s.CreatedUTC.Format(time.RFC3339Nano))
	j.key("consistent_snapshot", false)
	j.bool(true)
	j.key("non_transactional_tables", false)
	j.strings(s.NonTransactional)
	j.raw(",\n\"tables\":[")
	for i, t := range tables {
		if i > 0 {
			j.byte1(',')
		}
		j.byte1('\n')
		if err := dw.table(ctx, database, t); err != nil {
			return nil, err
		}
		n.table(t)
		s.Tables = append(s.Tables, TableSummary{Name: t.Name, Type: t.Type, Engine: t.Engine, Rows: t.RowCount})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := j.err(); err != nil {
			return nil, err
		}
	}
	j.raw("\n]")
	for _, g := range []struct {
		key  string
		list []Object
	}{{"views", objs.Views}, {"triggers", objs.Triggers}, {"routines", objs.Routines}, {"events", objs.Events}} {
		j.raw(",\n")
		j.key(g.key, true)
		j.byte1('[')
		for i := range g.list {
			if i > 0 {
				j.byte1(',')
			}
			j.byte1('\n')
			j.object(&g.list[i])
			n.object(&g.list[i])
		}
		j.raw("\n]")
	}
	s.Views, s.Triggers, s.Routines, s.Events = len(objs.Views), len(objs.Triggers), len(objs.Routines), len(objs.Events)
	n.fill(s)
	j.raw(",\n")
	writeSummary(j, s)
	j.raw("}\n")
	if err := j.flush(); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("finish the snapshot: %w", err)
	}
	return s, nil
}

// writeSummary writes the "summary" member, the last of the document.
func writeSummary(j *jsonWriter, s *Summary) {
	var tables, seqs int64
	for _, t := range s.Tables {
		if t.Type == TypeSequence {
			seqs++
		} else {
			tables++
		}
	}
	j.raw(`"summary":{"tables":`)
	j.int(tables)
	j.raw(`,"sequences":`)
	j.int(seqs)
	j.raw(`,"rows":`)
	j.int(s.TotalRows())
	j.raw(`,"views":`)
	j.int(int64(s.Views))
	j.raw(`,"triggers":`)
	j.int(int64(s.Triggers))
	j.raw(`,"routines":`)
	j.int(int64(s.Routines))
	j.raw(`,"events":`)
	j.int(int64(s.Events))
	j.raw(`,"charsets":`)
	j.strings(s.Charsets)
	j.raw(`,"collations":`)
	j.strings(s.Collations)
	j.raw(`,"engines":`)
	j.strings(s.Engines)
	j.byte1('}')
}

// table writes one table or sequence object.
func (dw *dumpWriter) table(ctx context.Context, database string, t *tableDef) error {
	if err := readCreateTable(ctx, dw.conn, database, t); err != nil {
		return err
	}
	j := dw.j
	j.byte1('{')
	j.key("name", true)
	j.str(t.Name)
	j.key("type", false)
	j.str(t.Type)
	if t.Engine != "" {
		j.key("engine", false)
		j.str(t.Engine)
	}
	if t.Collation != "" {
		j.key("character_set", false)
		j.str(t.Charset)
		j.key("collation", false)
		j.str(t.Collation)
	}
	j.textField("create", t.Create, false)
	if t.Type == TypeSequence {
		if err := readSequenceState(ctx, dw.conn, t); err != nil {
			return err
		}
		j.key("state", false)
		j.byte1('{')
		for i, f := range t.State {
			j.key(f.Name, i == 0)
			j.raw(f.Value)
		}
		j.raw("}}")
		return nil
	}
	if t.AutoIncrement != "" {
		j.key("auto_increment", false)
		j.raw(t.AutoIncrement)
	}
	j.key("rows_estimate", false)
	j.int(t.RowsEstimate)
	j.raw(",\n")
	j.key("columns", true)
	j.byte1('[')
	for i, c := range t.Columns {
		if i > 0 {
			j.byte1(',')
		}
		j.raw(`{"name":`)
		j.str(c.Name)
		j.raw(`,"type":`)
		j.str(c.Type)
		j.raw(`,"encoding":`)
		j.str(c.Encoding)
		if c.Charset != "" {
			j.raw(`,"charset":`)
			j.str(c.Charset)
			j.raw(`,"collation":`)
			j.str(c.Collation)
		}
		if c.Invisible {
			j.raw(`,"invisible":true`)
		}
		j.byte1('}')
	}
	j.raw("],\n\"rows\":[")
	if err := dw.rows(ctx, t); err != nil {
		return err
	}
	j.raw("\n],\"row_count\":")
	j.int(t.RowCount)
	j.byte1('}')
	return nil
}

// rows streams the rows of t into the dump. It talks to the driver
// directly (database/sql's Scan would convert every value once more) and
// keeps one row in memory.
func (dw *dumpWriter) rows(ctx context.Context, t *tableDef) error {
	var q strings.Builder
	q.WriteString("SELECT ")
	for i, c := range t.Columns {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(selectExpr(c))
	}
	q.WriteString(" FROM ")
	q.WriteString(quoteIdent(t.Name))
	query := q.String()

	mig := migrationColumns(t)
	if t.Name == "django_migrations" && dw.sum.DjangoMigrations == nil {
		dw.sum.DjangoMigrations = []Migration{}
	}
	ev := progress.Event{Phase: "Saving database", Item: t.Name, Total: t.RowsEstimate, Unit: "rows"}
	dw.opt.Progress.Report(ev)
	err := dw.conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("the database driver %T cannot run plain queries", dc)
		}
		rows, err := qc.QueryContext(ctx, query, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if got := len(rows.Columns()); got != len(t.Columns) {
			return fmt.Errorf("the server returned %d columns, expected %d", got, len(t.Columns))
		}
		dest := make([]driver.Value, len(t.Columns))
		kinds := make([]valueKind, len(t.Columns))
		for i := range t.Columns {
			kinds[i] = kindOf(t.Columns[i].Encoding)
		}
		j := dw.j
		for {
			if err := rows.Next(dest); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if t.RowCount > 0 {
				j.buf = append(j.buf, ",\n["...)
			} else {
				j.buf = append(j.buf, "\n["...)
			}
			for i, v := range dest {
				if i > 0 {
					j.buf = append(j.buf, ',')
				}
				if err := dw.value(&t.Columns[i], kinds[i], v); err != nil {
					return fmt.Errorf("row %d: %w", t.RowCount+1, err)
				}
			}
			j.buf = append(j.buf, ']')
			j.flushIfFull()
			if mig != nil {
				dw.sum.DjangoMigrations = append(dw.sum.DjangoMigrations, mig.take(dest))
			}
			t.RowCount++
			if t.RowCount%progressEvery == 0 {
				ev.Done = t.RowCount
				dw.opt.Progress.Report(ev)
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := j.err(); err != nil {
					return err
				}
			}
		}
	})
	if err != nil {
		return fmt.Errorf("read rows of table %q: %w", t.Name, err)
	}
	ev.Done = t.RowCount
	if ev.Total < ev.Done {
		ev.Total = ev.Done
	}
	dw.opt.Progress.Report(ev)
	return nil
}

// valueKind is a column's encoding (EncNumber, EncBase64, EncText) as a
// number, for the per-value switch.
type valueKind uint8

const (
	kindText valueKind = iota
	kindNumber
	kindBase64
)

func kindOf(encoding string) valueKind {
	switch encoding {
	case EncNumber:
		return kindNumber
	case EncBase64:
		return kindBase64
	}
	return kindText
}

// value writes one value of column c, whose encoding is kind.
func (dw *dumpWriter) value(c *column, kind valueKind, v driver.Value) error {
	j := dw.j
	var b []byte
	switch x := v.(type) {
	case nil:
		j.buf = append(j.buf, "null"...)
		return nil
	case []byte:
		b = x
	case int64:
		if kind == kindNumber { // the driver's integers: already canonical
			j.buf = strconv.AppendInt(j.buf, x, 10)
			return nil
		}
		b = strconv.AppendInt(dw.num[:0], x, 10)
	case uint64:
		if kind == kindNumber {
			j.buf = strconv.AppendUint(j.buf, x, 10)
			return nil
		}
		b = strconv.AppendUint(dw.num[:0], x, 10)
	case string:
		b = unsafeBytes(x)
	case float64:
		b = appendFloat(dw.num[:0], x, 64)
	case float32:
		b = appendFloat(dw.num[:0], float64(x), 32)
	case bool:
		b = strconv.AppendBool(dw.num[:0], x)
	default:
		return fmt.Errorf("column %q: the driver returned a %T instead of the server's text (is parseTime set on the connection?)", c.Name, v)
	}
	switch kind {
	case kindNumber:
		n, ok := normalizeNumber(b)
		if !ok {
			return fmt.Errorf("column %q: the server returned %q, which is not a number", c.Name, b)
		}
		j.rawBytes(n)
	case kindBase64:
		j.b64(b)
	default:
		j.textValue(b)
	}
	return nil
}

// migrationCols finds app and name in django_migrations.
type migrationCols struct{ app, name int }

func migrationColumns(t *tableDef) *migrationCols {
	if t.Name != "django_migrations" {
		return nil
	}
	m := &migrationCols{app: -1, name: -1}
	for i, c := range t.Columns {
		switch c.Name {
		case "app":
			m.app = i
		case "name":
			m.name = i
		}
	}
	if m.app < 0 || m.name < 0 {
		return nil
	}
	return m
}

func (m *migrationCols) take(vals []driver.Value) Migration {
	str := func(v driver.Value) string {
		switch x := v.(type) {
		case []byte:
			return string(x)
		case string:
			return x
		}
		return ""
	}
	return Migration{App: str(vals[m.app]), Name: str(vals[m.name])}
}
