package sample

import (
	"encoding/hex"
	"strconv"
	"time"
)

// rowWriter builds multi-row INSERT statements of about limit bytes and
// hands each full one to flush. Values are SQL literals escaped for a
// session without NO_BACKSLASH_ESCAPES (sessionSetup makes sure of that).
type rowWriter struct {
	prefix string
	limit  int
	flush  func(stmt []byte, rows int) error

	buf   []byte
	rows  int
	first bool
}

// Begin starts a row.
func (w *rowWriter) Begin() {
	if w.rows == 0 {
		if cap(w.buf) == 0 {
			w.buf = make([]byte, 0, w.limit+64<<10)
		}
		w.buf = append(w.buf[:0], w.prefix...)
	} else {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, '(')
	w.first = true
}

// End finishes a row and sends the statement when it is full.
func (w *rowWriter) End() error {
	w.buf = append(w.buf, ')')
	w.rows++
	if len(w.buf) >= w.limit {
		return w.Flush()
	}
	return nil
}

// Flush sends what is pending.
func (w *rowWriter) Flush() error {
	if w.rows == 0 {
		return nil
	}
	n := w.rows
	w.rows = 0
	return w.flush(w.buf, n)
}

func (w *rowWriter) sep() {
	if w.first {
		w.first = false
		return
	}
	w.buf = append(w.buf, ',')
}

// Int appends an integer.
func (w *rowWriter) Int(v int64) {
	w.sep()
	w.buf = strconv.AppendInt(w.buf, v, 10)
}

// Bool appends 1 or 0.
func (w *rowWriter) Bool(v bool) {
	if v {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Null appends NULL.
func (w *rowWriter) Null() {
	w.sep()
	w.buf = append(w.buf, "NULL"...)
}

// Dec appends v / 10^scale as an exact decimal literal.
func (w *rowWriter) Dec(v int64, scale int) {
	w.sep()
	w.buf = appendDecimal(w.buf, v, scale)
}

// Str appends a quoted, escaped string.
func (w *rowWriter) Str(s string) {
	w.sep()
	w.buf = append(w.buf, '\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			w.buf = append(w.buf, '\\', '0')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\\', '\'', '"':
			w.buf = append(w.buf, '\\', c)
		case 0x1a:
			w.buf = append(w.buf, '\\', 'Z')
		default:
			w.buf = append(w.buf, c)
		}
	}
	w.buf = append(w.buf, '\'')
}

// Time appends a DATETIME(6) literal.
func (w *rowWriter) Time(t time.Time) {
	w.sep()
	w.buf = append(w.buf, '\'')
	w.buf = t.AppendFormat(w.buf, "2006-01-02 15:04:05.000000")
	w.buf = append(w.buf, '\'')
}

// Date appends a DATE literal.
func (w *rowWriter) Date(t time.Time) {
	w.sep()
	w.buf = append(w.buf, '\'')
	w.buf = t.AppendFormat(w.buf, "2006-01-02")
	w.buf = append(w.buf, '\'')
}

// Blob appends binary data as a hex literal.
func (w *rowWriter) Blob(b []byte) {
	w.sep()
	w.buf = append(w.buf, "X'"...)
	w.buf = hex.AppendEncode(w.buf, b)
	w.buf = append(w.buf, '\'')
}

// appendDecimal formats v / 10^scale, for example (12345, 2) as "123.45".
func appendDecimal(b []byte, v int64, scale int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	if scale == 0 {
		return strconv.AppendInt(b, v, 10)
	}
	p := int64(1)
	for range scale {
		p *= 10
	}
	b = strconv.AppendInt(b, v/p, 10)
	b = append(b, '.')
	frac := strconv.AppendInt(nil, v%p, 10)
	for range scale - len(frac) {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// decimalString is appendDecimal for a string.
func decimalString(v int64, scale int) string {
	return string(appendDecimal(nil, v, scale))
}
