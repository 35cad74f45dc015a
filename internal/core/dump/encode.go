package dump

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonWriter writes JSON pieces into a buffer of its own, without
// reflection or per-value allocation, and hands the buffer to the
// underlying writer when it is full (see flushIfFull) and at the end
// (flush). The first write error is kept: later pieces are dropped and err
// and flush return it.
type jsonWriter struct {
	w    io.Writer
	buf  []byte
	werr error
}

// jsonBufferSize is the capacity of a jsonWriter's buffer; it is handed on
// once it holds jsonFlushAt bytes, which leaves room for a row's small
// pieces between the checks.
const (
	jsonBufferSize = 256 << 10
	jsonFlushAt    = jsonBufferSize - 16<<10
)

func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{w: w, buf: make([]byte, 0, jsonBufferSize)}
}

// flushIfFull hands the buffer on when it is nearly full.
func (j *jsonWriter) flushIfFull() {
	if len(j.buf) >= jsonFlushAt {
		j.flush()
	}
}

// flush hands everything buffered to the underlying writer.
func (j *jsonWriter) flush() error {
	if j.werr == nil && len(j.buf) > 0 {
		_, j.werr = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
	return j.err()
}

// err returns the first error of the underlying writer, if any.
func (j *jsonWriter) err() error {
	if j.werr != nil {
		return fmt.Errorf("write the dump: %w", j.werr)
	}
	return nil
}

func (j *jsonWriter) raw(s string)      { j.buf = append(j.buf, s...) }
func (j *jsonWriter) rawBytes(b []byte) { j.buf = append(j.buf, b...) }
func (j *jsonWriter) byte1(c byte)      { j.buf = append(j.buf, c) }

// key writes ,"name": (or "name": when first).
func (j *jsonWriter) key(name string, first bool) {
	if !first {
		j.buf = append(j.buf, ',')
	}
	j.str(name)
	j.buf = append(j.buf, ':')
}

func (j *jsonWriter) int(v int64) { j.buf = strconv.AppendInt(j.buf, v, 10) }

func (j *jsonWriter) bool(v bool) { j.buf = strconv.AppendBool(j.buf, v) }

func (j *jsonWriter) str(s string) { j.strBytes(unsafeBytes(s)) }

// strings writes a JSON array of strings.
func (j *jsonWriter) strings(list []string) {
	j.buf = append(j.buf, '[')
	for i, s := range list {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.str(s)
	}
	j.buf = append(j.buf, ']')
}

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for bytes that go into a JSON string unchanged.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return t
}()

// Eight bytes at a time: lanes holds 0x01 in every byte, high 0x80.
const (
	lanes = 0x0101010101010101
	high  = 0x8080808080808080
)

// plainASCII reports whether all eight bytes of x (little-endian) are
// ASCII that a JSON string holds unchanged: none is 0x80 or above, below
// 0x20, '"' or '\\'. (A byte below 0x20, or a zero byte of x^c for a byte
// equal to c, borrows in the subtraction and sets its high bit.)
func plainASCII(x uint64) bool {
	const quote, bslash = lanes * '"', lanes * '\\'
	below := (x - lanes*0x20) &^ x
	q := ((x ^ quote) - lanes) &^ (x ^ quote)
	b := ((x ^ bslash) - lanes) &^ (x ^ bslash)
	return (x|below|q|b)&high == 0
}

// appendEscaped appends the JSON escape of c, a byte for which jsonSafe is
// false.
func appendEscaped(buf []byte, c byte) []byte {
	switch c {
	case '"':
		return append(buf, '\\', '"')
	case '\\':
		return append(buf, '\\', '\\')
	case '\n':
		return append(buf, '\\', 'n')
	case '\r':
		return append(buf, '\\', 'r')
	case '\t':
		return append(buf, '\\', 't')
	}
	return append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
}

// appendRun appends run, a piece of a string that needs no escaping, to
// buf (which is j.buf, possibly longer). A run that does not fit makes the
// buffer flush first, and a large one is handed on straight, not copied.
func (j *jsonWriter) appendRun(buf, run []byte) []byte {
	if len(buf)+len(run)+8 <= cap(buf) { // 8: room for an escape or the closing quote
		return append(buf, run...)
	}
	j.buf = buf
	j.flush()
	if len(run) >= jsonFlushAt {
		if j.werr == nil {
			_, j.werr = j.w.Write(run)
		}
		return j.buf
	}
	return append(j.buf, run...)
}

// strBytes writes b, which must be valid UTF-8, as a JSON string.
func (j *jsonWriter) strBytes(b []byte) {
	buf := append(j.buf, '"')
	start := 0
	for i := 0; i < len(b); {
		if i+8 <= len(b) && plainASCII(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
			continue
		}
		c := b[i]
		i++
		if jsonSafe[c] {
			continue
		}
		buf = appendEscaped(j.appendRun(buf, b[start:i-1]), c)
		start = i
	}
	j.buf = append(j.appendRun(buf, b[start:]), '"')
}

// smallText is the size below which textValue checks and escapes a value
// in one pass; larger ones are checked first and then written in runs.
const smallText = 8 << 10

// validString appends b (shorter than smallText) as a JSON string, as
// strBytes does, when b is valid UTF-8, and reports whether it was; when
// it was not, nothing is appended. It checks and escapes in one pass.
func (j *jsonWriter) validString(b []byte) bool {
	buf := append(j.buf, '"')
	start := 0
	for i := 0; i < len(b); {
		if i+8 <= len(b) && plainASCII(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
			continue
		}
		c := b[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
			continue
		}
		i++
		if jsonSafe[c] {
			continue
		}
		buf = appendEscaped(append(buf, b[start:i-1]...), c)
		start = i
	}
	j.buf = append(append(buf, b[start:]...), '"')
	return true
}

// b64 writes b as a JSON string holding its standard base64 encoding,
// in chunks so that a large value is not copied whole.
func (j *jsonWriter) b64(b []byte) {
	const chunk = 3 * 1024
	j.buf = append(j.buf, '"')
	for len(b) > 0 {
		n := min(len(b), chunk)
		j.buf = base64.StdEncoding.AppendEncode(j.buf, b[:n])
		b = b[n:]
		j.flushIfFull()
	}
	j.buf = append(j.buf, '"')
}

// textValue writes a value of a "text" column: a JSON string when the
// bytes are UTF-8, otherwise {"base64":"…"} so that no byte is lost.
func (j *jsonWriter) textValue(b []byte) {
	if len(b) < smallText {
		if j.validString(b) {
			return
		}
	} else if utf8.Valid(b) {
		j.strBytes(b)
		return
	}
	j.buf = append(j.buf, `{"base64":`...)
	j.b64(b)
	j.buf = append(j.buf, '}')
}

// textField writes a string field that holds SQL text which may, in rare
// cases, not be UTF-8 (the statement text of a trigger created by a latin1
// client, for example): name when it is UTF-8, name_base64 otherwise.
func (j *jsonWriter) textField(name string, s string, first bool) {
	if utf8.ValidString(s) {
		j.key(name, first)
		j.str(s)
		return
	}
	j.key(name+"_base64", first)
	j.b64(unsafeBytes(s))
}

// normalizeNumber turns the server's text of a numeric value into a JSON
// number literal with the same value: leading zeros (ZEROFILL, YEAR 0000)
// are dropped. It reports false when s is not a number at all.
func normalizeNumber(s []byte) ([]byte, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	// Drop leading zeros of the integer part, keeping one digit.
	j := i
	for j+1 < len(s) && s[j] == '0' && isDigit(s[j+1]) {
		j++
	}
	if j > i {
		if i == 1 {
			s = append(s[:1:1], s[j:]...)
		} else {
			s = s[j:]
		}
	}
	return s, validNumber(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validNumber reports whether s is exactly a JSON number literal:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — which is also a valid
// SQL numeric literal.
func validNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if '1' <= s[i] && s[i] <= '9' {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

// appendFloat appends the shortest decimal text that reads back as the same
// float (of the given bits), in plain notation where that is short (as
// JavaScript and encoding/json do) and with an exponent otherwise.
func appendFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
