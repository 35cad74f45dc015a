package dump

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
)

// Rows go into the server as LOAD DATA LOCAL INFILE "files" that the
// driver streams from memory: the server parses them with about a third
// less work than the same rows as INSERT statements (measured with
// BenchmarkLoadTables). The file is in LOAD DATA's own escaped text form
// with CHARACTER SET binary, so every value arrives as its exact bytes,
// whatever the column's type or character set (text, base64-decoded
// bytes, BIT and GEOMETRY alike); see appendRowTSV and textNeedsConversion
// for the two kinds of values that need care.
//
// The server must allow it (local_infile, ON by default in MariaDB, OFF in
// MySQL 8); when it does not, LoadTables falls back to INSERT statements.
//
// LOCAL makes the server turn data errors into warnings (it cannot stop
// the client mid-file), so after every batch the load checks that the
// server took every row without a single warning; otherwise it fails, as
// an INSERT under STRICT_ALL_TABLES would have.

// tsvEscape[c] is the letter that escapes byte c in a LOAD DATA field with
// ESCAPED BY '\\', or 0: the escape character itself, the field and line
// terminators, and NUL (kept off the wire for safety).
var tsvEscape = func() (t [256]byte) {
	t['\\'] = '\\'
	t['\t'] = 't'
	t['\n'] = 'n'
	t[0] = '0'
	return t
}()

// appendField appends v as one LOAD DATA field.
func appendField(dst, v []byte) []byte {
	start := 0
	for i, c := range v {
		if e := tsvEscape[c]; e != 0 {
			dst = append(dst, v[start:i]...)
			dst = append(dst, '\\', e)
			start = i + 1
		}
	}
	return append(dst, v[start:]...)
}

// appendRowTSV appends r as one line of a LOAD DATA file. year marks the
// YEAR columns: every field is a string to LOAD DATA, and the string "0"
// means 2000 to YEAR where the number 0 means 0000.
func appendRowTSV(dst []byte, r *row, year []bool) []byte {
	for i := range r.cells {
		if i > 0 {
			dst = append(dst, '\t')
		}
		kind, v := r.value(i)
		switch kind {
		case cellNull:
			dst = append(dst, '\\', 'N')
		case cellNumber:
			if year[i] && len(v) == 1 && v[0] == '0' {
				dst = append(dst, "0000"...)
			} else {
				dst = append(dst, v...)
			}
		default:
			dst = appendField(dst, v)
		}
	}
	return append(dst, '\n')
}

// loadDataTail is the part of the LOAD DATA statement after the file name.
func loadDataTail(t *tableDef) string {
	var b, set strings.Builder
	b.WriteString(" INTO TABLE ")
	b.WriteString(quoteIdent(t.Name))
	b.WriteString(" CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		if !textNeedsConversion(&c) {
			b.WriteString(quoteIdent(c.Name))
			continue
		}
		v := fmt.Sprintf("@c%d", i)
		b.WriteString(v)
		if set.Len() == 0 {
			set.WriteString(" SET ")
		} else {
			set.WriteString(", ")
		}
		fmt.Fprintf(&set, "%s = CONVERT(%s USING utf8mb4)", quoteIdent(c.Name), v)
	}
	b.WriteByte(')')
	b.WriteString(set.String())
	return b.String()
}

// textNeedsConversion reports whether a text column's values must be
// marked as UTF-8 text: a binary string means the stored binary form to
// types such as UUID and INET6 (and MySQL refuses one for JSON). Character
// columns, DECIMAL and dates and times parse binary strings as text, and
// skip the extra conversion, which costs time on every row.
func textNeedsConversion(c *column) bool {
	if c.Encoding != EncText || c.Charset != "" {
		return false
	}
	typ := strings.ToLower(c.Type)
	for _, p := range []string{"decimal", "numeric", "date", "time", "year"} {
		if strings.HasPrefix(typ, p) {
			return false
		}
	}
	return true
}

// infileSeq makes the names under which the driver finds each batch's
// reader unique in the process.
var infileSeq atomic.Int64

// loadDataFrom runs LOAD DATA LOCAL INFILE with r as the file: tail is the
// rest of the statement. It returns the rows the server inserted.
func loadDataFrom(ctx context.Context, conn *sql.Conn, r io.Reader, tail string) (int64, error) {
	name := "backup-desktop-" + strconv.FormatInt(infileSeq.Add(1), 10)
	mysql.RegisterReaderHandler(name, func() io.Reader { return r })
	defer mysql.DeregisterReaderHandler(name)
	res, err := conn.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"'"+tail)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// loadData sends one batch with LOAD DATA and checks that the server took
// it whole and as it is.
func (w *worker) loadData(t *tableLoad, b batch) error {
	d := t.def
	n, err := loadDataFrom(w.ctx, w.conn, bytes.NewReader(b.data), t.stmt)
	if err != nil {
		return w.wrap(err, "insert rows into table %q (up to row %d)", d.Name, b.upTo)
	}
	var warnings int64
	if err := w.conn.QueryRowContext(w.ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		return w.wrap(err, "insert rows into table %q (up to row %d)", d.Name, b.upTo)
	}
	if warnings == 0 && n == b.rows {
		return nil
	}
	detail := fmt.Sprintf("the server stored %d of %d rows", n, b.rows)
	if warnings > 0 {
		detail = w.warnings()
	}
	return w.wrap(fmt.Errorf("%s (rows %d to %d)", detail, b.upTo-b.rows+1, b.upTo),
		"insert rows into table %q", d.Name)
}

// warnings describes the session's first warnings.
func (w *worker) warnings() string {
	rows, err := w.conn.QueryContext(w.ctx, "SHOW WARNINGS LIMIT 3")
	if err != nil {
		return "the server reported warnings"
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var level, msg string
		var code int
		if rows.Scan(&level, &code, &msg) == nil {
			list = append(list, fmt.Sprintf("%s %d: %s", level, code, msg))
		}
	}
	if len(list) == 0 {
		return "the server reported warnings"
	}
	return "the server changed or refused values: " + strings.Join(list, "; ")
}

// localInfileWorks tells whether the server takes LOAD DATA LOCAL INFILE
// on conn: local_infile is ON and a one-row load into a temporary table
// works. The session must be in the target database.
func localInfileWorks(ctx context.Context, conn *sql.Conn) bool {
	var on sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT @@local_infile").Scan(&on); err != nil || !on.Valid ||
		(on.String != "1" && !strings.EqualFold(on.String, "ON")) {
		return false
	}
	const probe = "`backup_desktop_load_probe`"
	if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+probe+" (x INT)"); err != nil {
		return false
	}
	defer conn.ExecContext(ctx, "DROP TEMPORARY TABLE IF EXISTS "+probe)
	n, err := loadDataFrom(ctx, conn, strings.NewReader("1\n"), " INTO TABLE "+probe+" (x)")
	return err == nil && n == 1
}
