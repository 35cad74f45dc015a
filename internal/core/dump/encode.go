package dump

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonWriter writes JSON pieces straight into a bufio.Writer without
// reflection or per-value allocation. Write errors are sticky in the
// bufio.Writer and surface at Flush.
type jsonWriter struct {
	w       *bufio.Writer
	scratch []byte
}

func newJSONWriter(w *bufio.Writer) *jsonWriter {
	return &jsonWriter{w: w, scratch: make([]byte, 0, 4096)}
}

// err returns the first error of the underlying writer, if any: the
// bufio.Writer keeps it and hands it back on every later Write.
func (j *jsonWriter) err() error {
	if _, err := j.w.Write(nil); err != nil {
		return fmt.Errorf("write the dump: %w", err)
	}
	return nil
}

func (j *jsonWriter) raw(s string)      { j.w.WriteString(s) }
func (j *jsonWriter) rawBytes(b []byte) { j.w.Write(b) }
func (j *jsonWriter) byte1(c byte)      { j.w.WriteByte(c) }

// key writes ,"name": (or "name": when first).
func (j *jsonWriter) key(name string, first bool) {
	if !first {
		j.w.WriteByte(',')
	}
	j.str(name)
	j.w.WriteByte(':')
}

func (j *jsonWriter) int(v int64) {
	j.w.Write(strconv.AppendInt(j.w.AvailableBuffer(), v, 10))
}

func (j *jsonWriter) bool(v bool) {
	if v {
		j.w.WriteString("true")
	} else {
		j.w.WriteString("false")
	}
}

func (j *jsonWriter) str(s string) { j.strBytes(unsafeBytes(s)) }

// strings writes a JSON array of strings.
func (j *jsonWriter) strings(list []string) {
	j.w.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.str(s)
	}
	j.w.WriteByte(']')
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

// strBytes writes b, which must be valid UTF-8, as a JSON string.
func (j *jsonWriter) strBytes(b []byte) {
	w := j.w
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if jsonSafe[c] {
			continue
		}
		if start < i {
			w.Write(b[start:i])
		}
		switch c {
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			w.WriteString(`\u00`)
			w.WriteByte(hexDigits[c>>4])
			w.WriteByte(hexDigits[c&15])
		}
		start = i + 1
	}
	if start < len(b) {
		w.Write(b[start:])
	}
	w.WriteByte('"')
}

// b64 writes b as a JSON string holding its standard base64 encoding,
// in chunks so that a large value is not copied whole.
func (j *jsonWriter) b64(b []byte) {
	const chunk = 3 * 1024
	j.w.WriteByte('"')
	if cap(j.scratch) < base64.StdEncoding.EncodedLen(chunk) {
		j.scratch = make([]byte, 0, base64.StdEncoding.EncodedLen(chunk))
	}
	for len(b) > 0 {
		n := min(len(b), chunk)
		out := j.scratch[:base64.StdEncoding.EncodedLen(n)]
		base64.StdEncoding.Encode(out, b[:n])
		j.w.Write(out)
		b = b[n:]
	}
	j.w.WriteByte('"')
}

// textValue writes a value of a "text" column: a JSON string when the
// bytes are UTF-8, otherwise {"base64":"…"} so that no byte is lost.
func (j *jsonWriter) textValue(b []byte) {
	if utf8.Valid(b) {
		j.strBytes(b)
		return
	}
	j.w.WriteString(`{"base64":`)
	j.b64(b)
	j.w.WriteByte('}')
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
