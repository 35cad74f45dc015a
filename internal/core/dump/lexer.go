package dump

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer is a small pull parser for the JSON of a dump. It reads through a
// bufio.Reader, copies strings into caller-provided buffers and never
// builds a tree, so memory stays bounded by the largest single value.
type lexer struct {
	r   *bufio.Reader
	off int64 // bytes consumed so far, for error messages
}

// maxDepth bounds the nesting of values the reader skips (unknown keys).
const maxDepth = 64

// maxNumberLen bounds a number literal. The writer's longest is a double
// such as -2.2250738585072014e-308.
const maxNumberLen = 400

func newLexer(r io.Reader) *lexer {
	return &lexer{r: bufio.NewReaderSize(r, 64<<10)}
}

// corrupt returns an ErrCorrupt with the position and detail.
func (l *lexer) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrCorrupt, l.off, fmt.Sprintf(format, args...))
}

// ioErr turns a read error into the error to return.
func (l *lexer) ioErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return l.corrupt("the data ends too early (the dump is cut off)")
	}
	return fmt.Errorf("read the database dump at byte %d: %w", l.off, err)
}

// peek skips whitespace and returns the next byte without consuming it.
func (l *lexer) peek() (byte, error) {
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return 0, l.ioErr(err)
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			l.off++
			continue
		}
		l.r.UnreadByte()
		return c, nil
	}
}

// next skips whitespace and consumes the next byte.
func (l *lexer) next() (byte, error) {
	c, err := l.peek()
	if err != nil {
		return 0, err
	}
	l.r.ReadByte()
	l.off++
	return c, nil
}

// expect consumes c (after whitespace) or fails naming what was expected.
func (l *lexer) expect(c byte, what string) error {
	got, err := l.next()
	if err != nil {
		return err
	}
	if got != c {
		return l.corrupt("expected %s, found %s", what, describe(got))
	}
	return nil
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// more reads the separator after a member or element: it returns true
// after ',' and false after the closing byte end.
func (l *lexer) more(end byte, what string) (bool, error) {
	c, err := l.next()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		return true, nil
	case end:
		return false, nil
	}
	return false, l.corrupt("expected ',' or %q in %s, found %s", rune(end), what, describe(c))
}

// openArray consumes '[' and reports whether the array has elements
// (false: "[]" consumed whole).
func (l *lexer) openArray(what string) (bool, error) {
	if err := l.expect('[', "an array for "+what); err != nil {
		return false, err
	}
	c, err := l.peek()
	if err != nil {
		return false, err
	}
	if c == ']' {
		l.next()
		return false, nil
	}
	return true, nil
}

// openObject consumes '{' and reports whether the object has members.
func (l *lexer) openObject(what string) (bool, error) {
	if err := l.expect('{', "an object for "+what); err != nil {
		return false, err
	}
	c, err := l.peek()
	if err != nil {
		return false, err
	}
	if c == '}' {
		l.next()
		return false, nil
	}
	return true, nil
}

// key reads a member name and the colon after it into dst.
func (l *lexer) key(dst []byte) ([]byte, error) {
	dst, err := l.str(dst[:0])
	if err != nil {
		return nil, err
	}
	return dst, l.expect(':', "':' after a key")
}

// str reads a JSON string (after whitespace) and appends its decoded bytes
// to dst. Decoded strings are valid UTF-8 or the call fails.
func (l *lexer) str(dst []byte) ([]byte, error) {
	if err := l.expect('"', "a string"); err != nil {
		return nil, err
	}
	start := len(dst)
	for {
		if l.r.Buffered() == 0 {
			if _, err := l.r.Peek(1); err != nil {
				return nil, l.ioErr(err)
			}
		}
		buf, _ := l.r.Peek(l.r.Buffered())
		i := 0
		for i < len(buf) && jsonSafe[buf[i]] {
			i++
		}
		dst = append(dst, buf[:i]...)
		l.r.Discard(i)
		l.off += int64(i)
		if i == len(buf) {
			continue
		}
		c := buf[i]
		l.r.Discard(1)
		l.off++
		switch c {
		case '"':
			if !utf8.Valid(dst[start:]) {
				return nil, l.corrupt("a string is not valid UTF-8")
			}
			return dst, nil
		case '\\':
			var err error
			if dst, err = l.escape(dst); err != nil {
				return nil, err
			}
		default:
			return nil, l.corrupt("a string holds the raw control byte 0x%02x", c)
		}
	}
}

func (l *lexer) escape(dst []byte) ([]byte, error) {
	c, err := l.r.ReadByte()
	if err != nil {
		return nil, l.ioErr(err)
	}
	l.off++
	switch c {
	case '"', '\\', '/':
		return append(dst, c), nil
	case 'b':
		return append(dst, '\b'), nil
	case 'f':
		return append(dst, '\f'), nil
	case 'n':
		return append(dst, '\n'), nil
	case 'r':
		return append(dst, '\r'), nil
	case 't':
		return append(dst, '\t'), nil
	case 'u':
		r, err := l.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			if r >= 0xdc00 {
				return nil, l.corrupt("a string holds a lone UTF-16 surrogate")
			}
			if b, err := l.r.Peek(2); err != nil || b[0] != '\\' || b[1] != 'u' {
				if err != nil {
					return nil, l.ioErr(err)
				}
				return nil, l.corrupt("a string holds a lone UTF-16 surrogate")
			}
			l.r.Discard(2)
			l.off += 2
			r2, err := l.hex4()
			if err != nil {
				return nil, err
			}
			r = utf16.DecodeRune(r, r2)
			if r == utf8.RuneError {
				return nil, l.corrupt("a string holds a bad UTF-16 surrogate pair")
			}
		}
		return utf8.AppendRune(dst, r), nil
	}
	return nil, l.corrupt("unknown escape \\%c in a string", c)
}

func (l *lexer) hex4() (rune, error) {
	var r rune
	for range 4 {
		c, err := l.r.ReadByte()
		if err != nil {
			return 0, l.ioErr(err)
		}
		l.off++
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, l.corrupt("bad \\u escape in a string")
		}
	}
	return r, nil
}

// number reads a JSON number literal (after whitespace) and appends it to
// dst unchanged.
func (l *lexer) number(dst []byte) ([]byte, error) {
	if _, err := l.peek(); err != nil {
		return nil, err
	}
	start := len(dst)
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				break // validNumber decides; the caller's next read reports the end
			}
			return nil, l.ioErr(err)
		}
		if !(isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			l.r.UnreadByte()
			break
		}
		l.off++
		dst = append(dst, c)
		if len(dst)-start > maxNumberLen {
			return nil, l.corrupt("a number is too long")
		}
	}
	if !validNumber(dst[start:]) {
		return nil, l.corrupt("%q is not a valid number", dst[start:])
	}
	return dst, nil
}

// literal consumes the bare word w (true, false, null).
func (l *lexer) literal(w string) error {
	if _, err := l.peek(); err != nil {
		return err
	}
	for i := 0; i < len(w); i++ {
		c, err := l.r.ReadByte()
		if err != nil {
			return l.ioErr(err)
		}
		l.off++
		if c != w[i] {
			return l.corrupt("expected %s", w)
		}
	}
	return nil
}

// skip consumes any value.
func (l *lexer) skip(depth int, scratch []byte) error {
	if depth > maxDepth {
		return l.corrupt("values are nested too deeply")
	}
	c, err := l.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, err := l.str(scratch[:0])
		return err
	case c == '-' || isDigit(c):
		_, err := l.number(scratch[:0])
		return err
	case c == 't':
		return l.literal("true")
	case c == 'f':
		return l.literal("false")
	case c == 'n':
		return l.literal("null")
	case c == '[':
		more, err := l.openArray("a value")
		for more && err == nil {
			if err = l.skip(depth+1, scratch); err == nil {
				more, err = l.more(']', "an array")
			}
		}
		return err
	case c == '{':
		more, err := l.openObject("a value")
		for more && err == nil {
			if _, err = l.key(scratch); err == nil {
				if err = l.skip(depth+1, scratch); err == nil {
					more, err = l.more('}', "an object")
				}
			}
		}
		return err
	}
	l.next()
	return l.corrupt("unexpected %s", describe(c))
}

// end checks that only whitespace follows.
func (l *lexer) end() error {
	for {
		c, err := l.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return l.ioErr(err)
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			l.off++
			continue
		}
		return l.corrupt("unexpected data after the end of the dump")
	}
}
