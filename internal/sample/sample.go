// Package sample generates a realistic, deterministic Django "Inventory
// Management" database and media folder at a chosen scale, for the demo
// (`make demo`), the benchmarks (`make bench`) and tests.
//
// Everything is a pure function of the seed: the same Options give the same
// rows and the same file bytes on every run, however many connections or
// goroutines do the work.
package sample

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/go-sql-driver/mysql"
)

// DefaultRows is the scale of the demo database.
const DefaultRows = 20_000

// BenchRows is the default scale of the benchmark database: about 150 MB
// of InnoDB table data plus about 130 MB of indexes. (Realistic rows make
// 4 million rows about 600 MB, so the benchmark is sized by data, not by
// row count.)
const BenchRows = 1_000_000

// ErrTablesExist is returned by Generate when the target database already
// holds one of the tables it would create and Options.Replace is false.
var ErrTablesExist = errors.New("the database already holds sample tables")

// Options choose the size and content of the generated database.
type Options struct {
	// Rows is the approximate total number of rows over all tables
	// (DefaultRows when 0). Django's fixed tables (content types,
	// permissions, migrations) are always complete, so very small values
	// still give a few hundred rows.
	Rows int
	// Seed makes the content; the same seed gives the same rows.
	Seed int64
	// Workers is the number of connections that insert in parallel
	// (2 × GOMAXPROCS, at least 2, when 0).
	Workers int
	// StatementBytes is the size of one multi-row INSERT (1 MiB when 0); it
	// is lowered to fit the server's max_allowed_packet.
	StatementBytes int
	// Replace drops the sample's tables first when they exist; otherwise
	// Generate refuses to touch a database that holds any of them.
	Replace bool
	// Progress, when set, receives one event per finished statement, from
	// one goroutine at a time.
	Progress progress.Func
}

// TableStat is the number of rows written to one table.
type TableStat struct {
	Name string
	Rows int64
}

// Stats describe what Generate wrote.
type Stats struct {
	Tables []TableStat // in creation order
	Rows   int64       // sum over Tables
	// SQLBytes is the size of the INSERT statements sent.
	SQLBytes int64
	// DataBytes and IndexBytes are the server's estimate of the tables'
	// size (information_schema, after ANALYZE TABLE).
	DataBytes, IndexBytes int64
	Elapsed               time.Duration
}

// TableRows returns the number of rows written to table name.
func (s *Stats) TableRows(name string) int64 {
	for _, t := range s.Tables {
		if t.Name == name {
			return t.Rows
		}
	}
	return 0
}

// Tables lists the tables Generate creates, parents before children.
func Tables() []string {
	names := make([]string, len(schema))
	for i, t := range schema {
		names[i] = t.name
	}
	return names
}

// Generate creates the sample tables in the existing database and fills
// them. db may point at any database (or none): every statement names
// database explicitly. Generate uses up to Options.Workers connections of
// db and restores their session settings before handing them back.
func Generate(ctx context.Context, db *sql.DB, database string, opt Options) (*Stats, error) {
	start := time.Now()
	if opt.Rows <= 0 {
		opt.Rows = DefaultRows
	}
	if opt.Workers <= 0 {
		opt.Workers = max(2, 2*runtime.GOMAXPROCS(0))
	}
	if opt.StatementBytes <= 0 {
		opt.StatementBytes = 1 << 20
	}
	if database == "" || strings.ContainsAny(database, "`\x00") {
		return nil, fmt.Errorf("sample: invalid database name %q", database)
	}
	var packet int64
	if err := db.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&packet); err != nil {
		return nil, fmt.Errorf("sample: cannot reach the database server: %w", err)
	}
	if limit := int(packet/2) - 64<<10; opt.StatementBytes > limit {
		opt.StatementBytes = max(limit, 16<<10)
	}
	if err := createSchema(ctx, db, database, opt.Replace); err != nil {
		return nil, err
	}

	p := newPlan(opt.Seed, opt.Rows)
	tasks := p.tasks()
	g := &generator{db: database, plan: p, limit: opt.StatementBytes, progress: opt.Progress, counts: map[string]int64{}}
	if err := g.run(ctx, db, tasks, opt.Workers); err != nil {
		return nil, err
	}

	st := &Stats{SQLBytes: g.sqlBytes}
	for _, t := range schema {
		n := g.counts[t.name]
		st.Tables = append(st.Tables, TableStat{Name: t.name, Rows: n})
		st.Rows += n
	}
	if err := sizes(ctx, db, database, st); err != nil {
		return nil, err
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// generator runs tasks on several connections and counts what they wrote.
type generator struct {
	db       string
	plan     *plan
	limit    int
	progress progress.Func

	mu       sync.Mutex
	counts   map[string]int64
	sqlBytes int64
	done     int64
}

func (g *generator) run(ctx context.Context, db *sql.DB, tasks []task, workers int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan task)
	var wg sync.WaitGroup
	for range min(workers, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.worker(ctx, db, ch); err != nil {
				cancel(err)
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case ch <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

func (g *generator) worker(ctx context.Context, db *sql.DB, tasks <-chan task) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sample: cannot connect to the database server: %w", err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sample: read sql_mode: %w", err)
	}
	if _, err := conn.ExecContext(ctx, sessionSetup); err != nil {
		return fmt.Errorf("sample: prepare session: %w", err)
	}
	defer func() {
		// Hand the connection back as it came.
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx),
			"SET SESSION foreign_key_checks=1, unique_checks=1, sql_mode=?", mode)
		if err == nil && rerr != nil {
			err = fmt.Errorf("sample: restore session: %w", rerr)
		}
	}()
	out := &sink{g: g, conn: conn, ctx: ctx}
	for t := range tasks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.run(g.plan, t, out.writer); err != nil {
			return err
		}
		if err := out.flushAll(); err != nil {
			return err
		}
	}
	return nil
}

// sessionSetup makes bulk loading fast and the generated SQL's escaping
// valid whatever the server's defaults are.
const sessionSetup = "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, SESSION foreign_key_checks=0, " +
	"unique_checks=0, sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION', time_zone='+00:00'"

// sink holds one row writer per table for one connection.
type sink struct {
	g       *generator
	conn    *sql.Conn
	ctx     context.Context
	writers map[string]*rowWriter
}

func (s *sink) writer(table string) *rowWriter {
	if w, ok := s.writers[table]; ok {
		return w
	}
	if s.writers == nil {
		s.writers = map[string]*rowWriter{}
	}
	t := tableByName(table)
	w := &rowWriter{
		prefix: "INSERT INTO `" + s.g.db + "`.`" + table + "` (" + t.insertColumns() + ") VALUES ",
		limit:  s.g.limit,
	}
	w.flush = func(stmt []byte, rows int) error { return s.exec(table, stmt, rows) }
	s.writers[table] = w
	return w
}

func (s *sink) exec(table string, stmt []byte, rows int) error {
	q := string(stmt)
	for attempt := 1; ; attempt++ {
		_, err := s.conn.ExecContext(s.ctx, q)
		if err == nil {
			break
		}
		// Parallel bulk inserts into one table can deadlock on InnoDB's
		// gap locks; the statement was rolled back whole, so send it again.
		var me *mysql.MySQLError
		if attempt < 10 && errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205) {
			select {
			case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
				continue
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
		return fmt.Errorf("sample: insert into %s: %w", table, err)
	}
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	s.g.counts[table] += int64(rows)
	s.g.sqlBytes += int64(len(stmt))
	s.g.done += int64(rows)
	s.g.progress.Report(progress.Event{Phase: "Generating sample data", Item: table,
		Done: s.g.done, Total: s.g.plan.total(), Unit: "rows"})
	return nil
}

func (s *sink) flushAll() error {
	names := make([]string, 0, len(s.writers))
	for n := range s.writers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := s.writers[n].Flush(); err != nil {
			return err
		}
	}
	return nil
}

func createSchema(ctx context.Context, db *sql.DB, database string, replace bool) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sample: cannot connect to the database server: %w", err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", database)
	if err != nil {
		return fmt.Errorf("sample: list tables of %s: %w", database, err)
	}
	var existing []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("sample: list tables of %s: %w", database, err)
		}
		if tableByName(n) != nil {
			existing = append(existing, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sample: list tables of %s: %w", database, err)
	}
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) > 0 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", database).Scan(&exists); err != nil {
		return fmt.Errorf("sample: look up database %s: %w", database, err)
	}
	if !exists {
		return fmt.Errorf("sample: database %q does not exist; create it first", database)
	}
	if len(existing) > 0 && !replace {
		slices.Sort(existing)
		return fmt.Errorf("%w: %s holds %s", ErrTablesExist, database, strings.Join(existing, ", "))
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks=0"); err != nil {
		return fmt.Errorf("sample: prepare session: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION foreign_key_checks=1")
	for _, n := range existing {
		if _, err := conn.ExecContext(ctx, "DROP TABLE `"+database+"`.`"+n+"`"); err != nil {
			return fmt.Errorf("sample: drop old table %s: %w", n, err)
		}
	}
	for _, t := range schema {
		if _, err := conn.ExecContext(ctx, t.create(database)); err != nil {
			return fmt.Errorf("sample: create table %s: %w", t.name, err)
		}
	}
	return nil
}

// sizes fills in the server's estimate of data and index size.
func sizes(ctx context.Context, db *sql.DB, database string, st *Stats) error {
	names := make([]string, 0, len(schema))
	for _, t := range schema {
		names = append(names, "`"+database+"`.`"+t.name+"`")
	}
	rows, err := db.QueryContext(ctx, "ANALYZE TABLE "+strings.Join(names, ", "))
	if err != nil {
		return fmt.Errorf("sample: analyze tables: %w", err)
	}
	for rows.Next() {
	}
	rows.Close()
	err = db.QueryRowContext(ctx, `SELECT COALESCE(SUM(DATA_LENGTH),0), COALESCE(SUM(INDEX_LENGTH),0)
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, database).Scan(&st.DataBytes, &st.IndexBytes)
	if err != nil {
		return fmt.Errorf("sample: read table sizes: %w", err)
	}
	return nil
}
