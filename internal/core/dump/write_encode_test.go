package dump

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// referenceText is the plain, byte-at-a-time form of what textValue must
// write: a JSON string escaping '"', '\\' and control bytes when value is
// UTF-8, {"base64":"…"} otherwise.
func referenceText(value []byte) string {
	if !utf8.Valid(value) {
		return `{"base64":"` + base64.StdEncoding.EncodeToString(value) + `"}`
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range value {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestTextValue compares the one-pass, eight-bytes-at-a-time encoder with
// the plain form on values built to hit every path: each special byte at
// every position of an eight-byte word, multi-byte and broken UTF-8, and
// values larger than the buffer.
func TestTextValue(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"a", "Z", " ", "~", "\x7f", "\"", "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x20", "é", "名", "😀", "\xff", "\xc3", "\xe2\x82"}
	var cases []string
	for _, special := range alphabet {
		for pos := range 17 {
			cases = append(cases, strings.Repeat("x", pos)+special+strings.Repeat("y", 16-pos))
		}
	}
	for range 2000 {
		var b strings.Builder
		for n := r.IntN(40); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	cases = append(cases, "",
		strings.Repeat("plain text ", smallText/11+1),                        // just above smallText: checked, then runs
		strings.Repeat("a\"b\\c\nd", jsonBufferSize/7*3),                     // large with escapes: flushes inside
		strings.Repeat("0123456789abcdef", jsonBufferSize/16*3)+"é",          // large run handed on straight
		strings.Repeat("0123456789abcdef", jsonBufferSize/16*2)+"\xff",       // large, not UTF-8: base64
		strings.Repeat("ü", smallText)+"\x00"+strings.Repeat("€", smallText), // large multi-byte with an escape
	)
	for i, c := range cases {
		var out bytes.Buffer
		j := newJSONWriter(&out)
		j.byte1('[')
		j.textValue([]byte(c))
		j.byte1(']')
		if err := j.flush(); err != nil {
			t.Fatal(err)
		}
		want := "[" + referenceText([]byte(c)) + "]"
		if got := out.String(); got != want {
			t.Fatalf("case %d (%d bytes): got %.200q…, want %.200q…", i, len(c), got, want)
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("case %d: not valid JSON", i)
		}
		if cap(j.buf) > 2*jsonBufferSize {
			t.Errorf("case %d (%d bytes): the buffer grew to %d bytes", i, len(c), cap(j.buf))
		}
	}
}

// TestPlainASCII checks the eight-byte test against the byte table for
// every byte value at every position, next to plain and special bytes.
func TestPlainASCII(t *testing.T) {
	for _, fill := range []byte{'a', 0x20, 0x7f, '"', 0x00, 0x80} {
		for pos := range 8 {
			for c := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				want := true
				for _, b := range w {
					if b >= 0x80 || !jsonSafe[b] {
						want = false
					}
				}
				if got := plainASCII(binary.LittleEndian.Uint64(w[:])); got != want {
					t.Fatalf("plainASCII(% x) = %v, want %v", w, got, want)
				}
			}
		}
	}
}
