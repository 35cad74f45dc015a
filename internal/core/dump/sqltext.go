package dump

import "strings"

// quoteIdent quotes a MySQL identifier with backticks.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// sqlEscape[c] is the escape letter for bytes that must not appear raw in
// a quoted SQL string (backslash escapes on, NO_BACKSLASH_ESCAPES off),
// or 0.
var sqlEscape = func() (t [256]byte) {
	t[0] = '0'
	t['\n'] = 'n'
	t['\r'] = 'r'
	t[0x1a] = 'Z'
	t['\''] = '\''
	t['\\'] = '\\'
	return t
}()

// appendQuoted appends b as a single-quoted SQL string literal. It is safe
// for any bytes when the session's sql_mode lacks NO_BACKSLASH_ESCAPES and
// its client character set is ASCII-safe (utf8mb4, latin1, binary): no byte
// of a multibyte character can then be a quote or a backslash.
func appendQuoted(dst, b []byte) []byte {
	dst = append(dst, '\'')
	start := 0
	for i, c := range b {
		if e := sqlEscape[c]; e != 0 {
			dst = append(dst, b[start:i]...)
			dst = append(dst, '\\', e)
			start = i + 1
		}
	}
	dst = append(dst, b[start:]...)
	return append(dst, '\'')
}

// quoteString returns s as a quoted SQL string literal (see appendQuoted).
func quoteString(s string) string {
	return string(appendQuoted(make([]byte, 0, len(s)+2), []byte(s)))
}

// appendHex appends b as a hexadecimal literal X'…'.
func appendHex(dst, b []byte) []byte {
	dst = append(dst, 'X', '\'')
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return append(dst, '\'')
}

// charsetOf returns the character set of a collation: the part before the
// first underscore ("utf8mb4_general_ci" → "utf8mb4", "binary" → "binary").
// No character set name contains an underscore.
func charsetOf(collation string) string {
	if i := strings.IndexByte(collation, '_'); i > 0 {
		return collation[:i]
	}
	return collation
}
