package archive

import (
	"archive/zip"
	"encoding/binary"
	"io"
	"time"
	"unicode/utf8"
)

// Entries whose content this package compresses (or stores) and checksums
// itself are added with zip.Writer.CreateRaw: the zip.Writer then neither
// copies the content through its own compressor nor computes its CRC-32.
// rawHeader fills in what CreateHeader would, and finishRaw the CRC-32 and
// sizes, which the zip.Writer writes in the data descriptor after the
// content and in the central directory (it keeps fh and reads them when
// the next entry starts or the archive is closed).

const (
	zipVersion20  = 20 // 2.0
	zipVersion45  = 45 // 4.5 (reads and writes zip64 archives)
	uint32max     = 1<<32 - 1
	flagDataDesc  = 0x8
	flagUTF8      = 0x800
	extTimeExtra  = 0x5455 // Info-ZIP's extended timestamp
	extTimeMTime  = 1      // its flag: modification time present
	extTimeLength = 5      // flags byte + uint32 modification time
)

// createRaw adds the entry fh (name, method, mode and Modified set by the
// caller) for content the caller writes in its final, compressed form; call
// finishRaw before the next entry starts.
func createRaw(zw *zip.Writer, fh *zip.FileHeader) (io.Writer, error) {
	rawHeader(fh)
	return zw.CreateRaw(fh)
}

// rawHeader sets fh's flags, versions and times as zip.Writer.CreateHeader
// does, and asks for a data descriptor after the content.
func rawHeader(fh *zip.FileHeader) {
	valid1, require1 := detectUTF8(fh.Name)
	valid2, require2 := detectUTF8(fh.Comment)
	switch {
	case fh.NonUTF8:
		fh.Flags &^= flagUTF8
	case (require1 || require2) && (valid1 && valid2):
		fh.Flags |= flagUTF8
	}
	fh.CreatorVersion = fh.CreatorVersion&0xff00 | zipVersion20
	fh.ReaderVersion = zipVersion20
	if !fh.Modified.IsZero() {
		fh.ModifiedDate, fh.ModifiedTime = msDosTime(fh.Modified)
		var ext [4 + extTimeLength]byte
		binary.LittleEndian.PutUint16(ext[0:], extTimeExtra)
		binary.LittleEndian.PutUint16(ext[2:], extTimeLength)
		ext[4] = extTimeMTime
		binary.LittleEndian.PutUint32(ext[5:], uint32(fh.Modified.Unix()))
		fh.Extra = append(fh.Extra, ext[:]...)
	}
	fh.Flags |= flagDataDesc
	fh.CRC32 = 0
	fh.CompressedSize, fh.CompressedSize64 = 0, 0
	fh.UncompressedSize, fh.UncompressedSize64 = 0, 0
}

// finishRaw records the entry's CRC-32 and sizes, switching to zip64 sizes
// when they need it, as zip.Writer does for the entries it compresses.
func finishRaw(fh *zip.FileHeader, crc uint32, compressed, uncompressed int64) {
	fh.CRC32 = crc
	fh.CompressedSize64 = uint64(compressed)
	fh.UncompressedSize64 = uint64(uncompressed)
	if fh.CompressedSize64 >= uint32max || fh.UncompressedSize64 >= uint32max {
		fh.CompressedSize = uint32max
		fh.UncompressedSize = uint32max
		fh.ReaderVersion = zipVersion45
	} else {
		fh.CompressedSize = uint32(fh.CompressedSize64)
		fh.UncompressedSize = uint32(fh.UncompressedSize64)
	}
}

// msDosTime is the MS-DOS date and time of t in t's own time zone, as
// zip.Writer.CreateHeader writes them.
func msDosTime(t time.Time) (date, tm uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

// detectUTF8 reports whether s is valid UTF-8 and whether it needs the
// UTF-8 flag: characters outside the part of CP-437 that matches ASCII.
func detectUTF8(s string) (valid, require bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		// Officially, ZIP uses CP-437, but many readers use the system's
		// local character encoding. Most encodings are compatible with a
		// large subset of CP-437, which itself is ASCII-like.
		//
		// Forbid 0x7e and 0x5c since EUC-KR and Shift-JIS replace those
		// characters with localized currency and overline characters.
		if r < 0x20 || r > 0x7d || r == 0x5c {
			if !utf8.ValidRune(r) || (r == utf8.RuneError && size == 1) {
				return false, false
			}
			require = true
		}
	}
	return true, require
}
