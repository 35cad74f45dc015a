package dump

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// column is one stored (not generated) column of a table.
type column struct {
	Name      string
	Type      string // COLUMN_TYPE, e.g. "int(10) unsigned"
	DataType  string // DATA_TYPE, e.g. "int"
	Charset   string // character columns only
	Collation string // character columns only
	Encoding  string // EncNumber, EncText or EncBase64
	Invisible bool
}

// tableDef is what the dump says about a table or sequence.
type tableDef struct {
	Name          string
	Type          string // TypeTable or TypeSequence
	Engine        string
	Collation     string
	Charset       string
	Create        string
	AutoIncrement string // decimal digits, "" when not set
	RowsEstimate  int64
	Columns       []column
	State         []namedNumber // sequences: the row of the sequence table
	RowCount      int64

	versioned bool // MariaDB SYSTEM VERSIONED: only current rows are dumped
}

// namedNumber is one field of a sequence's state, kept as its exact
// numeric literal.
type namedNumber struct {
	Name  string
	Value string
}

// server describes the connected server.
type server struct {
	Flavor  string // "mariadb" or "mysql"
	Version string
}

// discardConn returns conn's underlying connection to nobody: it is closed
// rather than put back in the pool, because its session variables
// (character_set_results, time_zone, sql_mode, current database) differ
// from what other users of the pool expect.
func discardConn(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// execAll runs statements one by one on conn.
func execAll(ctx context.Context, conn *sql.Conn, stmts ...string) error {
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// execOptional runs statements whose failure does not matter (a variable
// that exists only on one flavor or version).
func execOptional(ctx context.Context, conn *sql.Conn, stmts ...string) {
	for _, q := range stmts {
		conn.ExecContext(ctx, q)
	}
}

// prepareReadSession sets up a session that reads data and definitions
// exactly: text columns arrive as their stored bytes, TIMESTAMPs in UTC,
// SHOW CREATE prints plain backtick-quoted SQL.
func prepareReadSession(ctx context.Context, conn *sql.Conn) (server, error) {
	if err := execAll(ctx, conn,
		"SET NAMES utf8mb4",
		"SET character_set_results = binary",
		"SET time_zone = '+00:00'",
		"SET sql_mode = ''",
	); err != nil {
		return server{}, err
	}
	// Long tables stream slowly when the consumer (compression, a slow
	// disk) is slow; do not let the server give up on us.
	execOptional(ctx, conn,
		"SET SESSION net_write_timeout = 3600",
		"SET SESSION max_statement_time = 0",              // MariaDB
		"SET SESSION max_execution_time = 0",              // MySQL
		"SET SESSION information_schema_stats_expiry = 0", // MySQL 8: fresh TABLE_ROWS
	)
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return server{}, fmt.Errorf("read server version: %w", err)
	}
	return server{Flavor: flavorOf(version), Version: version}, nil
}

func flavorOf(version string) string {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return "mariadb"
	}
	return "mysql"
}

// useDatabase makes database the session's current one, so that SHOW
// CREATE VIEW leaves names in it unqualified. It fails with a clear
// message when the database does not exist.
func useDatabase(ctx context.Context, conn *sql.Conn, database string) (charset, collation string, err error) {
	err = conn.QueryRowContext(ctx,
		"SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "+quoteString(database),
	).Scan(&charset, &collation)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("database %q does not exist on the server (check the database name in the settings)", database)
	}
	if err != nil {
		return "", "", fmt.Errorf("read database %q: %w", database, err)
	}
	if _, err := conn.ExecContext(ctx, "USE "+quoteIdent(database)); err != nil {
		return "", "", fmt.Errorf("open database %q: %w", database, err)
	}
	return charset, collation, nil
}

// transactionalEngines can join a consistent snapshot.
var transactionalEngines = map[string]bool{"innodb": true, "xtradb": true, "rocksdb": true, "tokudb": true, "ndbcluster": true}

// listTables returns the tables and sequences of database (not views):
// sequences first, each group sorted by name.
func listTables(ctx context.Context, conn *sql.Conn, database string) ([]*tableDef, error) {
	rows, err := conn.QueryContext(ctx,
		"SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+quoteString(database))
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var tables []*tableDef
	for rows.Next() {
		var name, typ string
		var engine, coll sql.NullString
		var est sql.NullInt64
		if err := rows.Scan(&name, &typ, &engine, &coll, &est); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		t := &tableDef{Name: name, Engine: engine.String, Collation: coll.String, RowsEstimate: est.Int64}
		t.Charset = charsetOf(t.Collation)
		switch typ {
		case "VIEW", "SYSTEM VIEW":
			continue
		case "SEQUENCE":
			t.Type = TypeSequence
		case "SYSTEM VERSIONED":
			t.Type = TypeTable
			t.versioned = true
		default:
			t.Type = TypeTable
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	slices.SortFunc(tables, func(a, b *tableDef) int {
		if a.Type != b.Type {
			if a.Type == TypeSequence {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return tables, nil
}

// readColumns fills in the stored columns of every table.
func readColumns(ctx context.Context, conn *sql.Conn, database string, tables []*tableDef) error {
	byName := make(map[string]*tableDef, len(tables))
	for _, t := range tables {
		byName[t.Name] = t
	}
	rows, err := conn.QueryContext(ctx,
		"SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA "+
			"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "+quoteString(database)+" ORDER BY TABLE_NAME, ORDINAL_POSITION")
	if err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, name, colType, dataType, extra string
		var charset, coll sql.NullString
		if err := rows.Scan(&table, &name, &colType, &dataType, &charset, &coll, &extra); err != nil {
			return fmt.Errorf("list columns: %w", err)
		}
		t := byName[table]
		if t == nil || t.Type == TypeSequence {
			continue // a view's column, or a sequence (its state is read whole)
		}
		ex := strings.ToUpper(extra)
		if generated(ex) {
			continue // the server computes it again on load
		}
		c := column{Name: name, Type: colType, DataType: strings.ToLower(dataType), Charset: charset.String, Collation: coll.String,
			Invisible: strings.Contains(ex, "INVISIBLE")}
		c.Encoding = encodingOf(c.DataType, c.Charset)
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	for _, t := range tables {
		if t.Type == TypeTable && len(t.Columns) == 0 {
			return fmt.Errorf("table %q has no columns that can be read (information_schema shows none: does the database user have SELECT on it?)", t.Name)
		}
	}
	return nil
}

// generated reports whether a column with this EXTRA is computed by the
// server (VIRTUAL/STORED/PERSISTENT generated, or a system-versioning row
// start/end). MySQL's "DEFAULT_GENERATED" (an expression default) is not.
func generated(extra string) bool {
	for _, w := range []string{"VIRTUAL", "STORED", "PERSISTENT", "ROW START", "ROW END"} {
		if strings.Contains(extra, w) {
			return true
		}
	}
	return false
}

// encodingOf decides how a column's values are written.
func encodingOf(dataType, charset string) string {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint",
		"float", "double", "double precision", "real", "year":
		return EncNumber
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit",
		"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
		"multipolygon", "geometrycollection", "geomcollection", "vector":
		return EncBase64
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "long", "long varchar":
		switch strings.ToLower(charset) {
		case "utf8mb4", "utf8mb3", "utf8", "ascii":
			return EncText
		case "":
			return EncText
		}
		return EncBase64
	}
	// DECIMAL, dates and times, JSON, UUID, INET4/6 and anything newer: the
	// server's text. A value that is not UTF-8 falls back to base64.
	if charset != "" {
		switch strings.ToLower(charset) {
		case "utf8mb4", "utf8mb3", "utf8", "ascii":
		default:
			return EncBase64
		}
	}
	return EncText
}

// selectExpr is the expression that reads a column exactly.
func selectExpr(c column) string {
	q := quoteIdent(c.Name)
	switch c.DataType {
	case "float":
		// FLOAT's own text is rounded to 6 digits (16777216 prints as
		// 16777200); the double of a float prints as the shortest text
		// that converts back to the same float.
		return q + "+0e0"
	case "date", "datetime", "timestamp":
		// As a string, so that a connection opened with parseTime=true
		// still hands us the server's text (zero dates included).
		return "CONCAT(" + q + ")"
	}
	return q
}

// showCreate runs a SHOW CREATE statement and returns its first row by
// lower-case column name; NULL is "" and absent from present.
func showCreate(ctx context.Context, conn *sql.Conn, query string) (vals map[string]string, present map[string]bool, err error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		return nil, nil, errors.New("no result")
	}
	raw := make([]sql.NullString, len(names))
	dest := make([]any, len(names))
	for i := range raw {
		dest[i] = &raw[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, nil, err
	}
	vals = make(map[string]string, len(names))
	present = make(map[string]bool, len(names))
	for i, n := range names {
		n = strings.ToLower(n)
		vals[n] = raw[i].String
		present[n] = raw[i].Valid
	}
	return vals, present, rows.Err()
}

var autoIncRe = regexp.MustCompile(`\bAUTO_INCREMENT=([0-9]+)`)

// readCreateTable fills in t.Create and t.AutoIncrement.
func readCreateTable(ctx context.Context, conn *sql.Conn, database string, t *tableDef) error {
	what := "TABLE"
	if t.Type == TypeSequence {
		what = "SEQUENCE"
	}
	vals, present, err := showCreate(ctx, conn, "SHOW CREATE "+what+" "+quoteIdent(t.Name))
	if err != nil {
		return fmt.Errorf("read definition of %s %q: %w", strings.ToLower(what), t.Name, err)
	}
	if !present["create table"] {
		return fmt.Errorf("read definition of %s %q: the server returned none", strings.ToLower(what), t.Name)
	}
	t.Create = vals["create table"]
	if t.Type == TypeTable {
		// MariaDB prints a DEFAULT NEXTVAL(seq) of this database's own
		// sequence qualified with the database name; unqualified, it means
		// the sequence of whichever database the table is created in.
		own := quoteIdent(database) + "."
		for _, f := range []string{"nextval(", "lastval("} {
			t.Create = strings.ReplaceAll(t.Create, f+own, f)
		}
		// Table options are on the first line that starts with ")",
		// AUTO_INCREMENT before any COMMENT.
		for _, line := range strings.Split(t.Create, "\n") {
			if strings.HasPrefix(line, ")") {
				if m := autoIncRe.FindStringSubmatch(line); m != nil {
					t.AutoIncrement = m[1]
				}
				break
			}
		}
	}
	return nil
}

// readSequenceState reads the single row of a sequence table.
func readSequenceState(ctx context.Context, conn *sql.Conn, t *tableDef) error {
	rows, err := conn.QueryContext(ctx, "SELECT * FROM "+quoteIdent(t.Name))
	if err != nil {
		return fmt.Errorf("read sequence %q: %w", t.Name, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read sequence %q: %w", t.Name, err)
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read sequence %q: %w", t.Name, err)
		}
		return fmt.Errorf("read sequence %q: it has no state row", t.Name)
	}
	raw := make([]sql.RawBytes, len(names))
	dest := make([]any, len(names))
	for i := range raw {
		dest[i] = &raw[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return fmt.Errorf("read sequence %q: %w", t.Name, err)
	}
	t.State = t.State[:0]
	for i, n := range names {
		v, ok := normalizeNumber(slices.Clone([]byte(raw[i])))
		if !ok {
			return fmt.Errorf("read sequence %q: %s = %q is not a number", t.Name, n, raw[i])
		}
		t.State = append(t.State, namedNumber{Name: n, Value: string(v)})
	}
	return rows.Err()
}

// stateValue returns a field of a sequence's state.
func (t *tableDef) stateValue(name string) (string, bool) {
	for _, f := range t.State {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}
