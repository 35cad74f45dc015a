package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCreateLargeMedia backs up media files around the sizes where the
// writer changes its way: read-ahead chunks, whole small files compressed
// ahead, deflate blocks, output blocks. Every file must come back intact
// with its time and mode, and unzip and Verify must accept the archive.
func TestCreateLargeMedia(t *testing.T) {
	db, name := newDB(t)
	media := filepath.Join(t.TempDir(), "media")
	files := map[string][]byte{
		"photos/big.jpg":           randomBytes(t, 3*mediaChunkSize+12345), // stored, several chunks
		"photos/chunk.png":         randomBytes(t, mediaChunkSize),         // stored, exactly a chunk
		"exports/big.csv":          textBytes(2*deflateBlockSize+999, 11),  // deflated, several blocks
		"exports/block.csv":        textBytes(deflateBlockSize, 12),        // deflated, exactly a block
		"exports/chunk.csv":        textBytes(mediaChunkSize, 13),          // deflated, exactly a chunk
		"exports/small.csv":        textBytes(mediaChunkSize-1, 14),        // deflated whole, ahead
		"exports/random.txt":       randomBytes(t, mediaChunkSize/2),       // deflated whole, incompressible
		"exports/empty.txt":        nil,
		"exports/one.txt":          []byte("1"),
		"docs/ünïcødé 名前.pdf":      randomBytes(t, 1000),
		"deep/a/b/c/d/e/f/g/h.txt": []byte("deep\n"),
	}
	for rel, data := range files {
		writeFile(t, media, rel, data)
	}
	must(t, os.Chmod(filepath.Join(media, "exports", "one.txt"), 0o600))
	res, err := Create(context.Background(), options(db, name, media, t.TempDir()))
	must(t, err)
	unzipTest(t, res.Path)
	if _, err := Verify(context.Background(), res.Path, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	r, err := Open(res.Path)
	must(t, err)
	defer r.Close()
	dest := filepath.Join(t.TempDir(), "restored")
	must(t, r.ExtractMedia(context.Background(), dest, nil))
	src, got := treeState(t, media), treeState(t, dest)
	for k, v := range src {
		if got[k] != v {
			t.Errorf("restored %s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(src) {
		t.Errorf("restored %d files and folders, want %d", len(got), len(src))
	}

	// The entries written raw carry the same header fields as those that
	// zip.Writer.CreateHeader would have written.
	zr, err := zip.OpenReader(res.Path)
	must(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		if f.Mode().IsDir() || f.Name == ConfigEntry || f.Name == ManifestEntry {
			continue
		}
		mod, mode := testNow, fs.FileMode(0o644) // the dump
		if rel, ok := strings.CutPrefix(f.Name, MediaPrefix); ok {
			info, err := os.Stat(filepath.Join(media, filepath.FromSlash(rel)))
			must(t, err)
			mod, mode = info.ModTime(), info.Mode().Perm()
		}
		want := createHeaderOf(t, f.Name, f.Method, mod, mode)
		g, w := f.FileHeader, want.FileHeader
		if g.Flags != w.Flags || g.CreatorVersion != w.CreatorVersion || g.ReaderVersion != w.ReaderVersion ||
			g.ModifiedTime != w.ModifiedTime || g.ModifiedDate != w.ModifiedDate || !g.Modified.Equal(w.Modified) ||
			g.Modified.Format(time.RFC3339) != w.Modified.Format(time.RFC3339) ||
			!bytes.Equal(g.Extra, w.Extra) || g.ExternalAttrs != w.ExternalAttrs || g.NonUTF8 != w.NonUTF8 {
			t.Errorf("%s: header\n%+v\nwant (as CreateHeader writes it)\n%+v", f.Name, g, w)
		}
	}
	for rel, data := range files {
		i := slices.IndexFunc(zr.File, func(f *zip.File) bool { return f.Name == "media/"+rel })
		if i < 0 {
			t.Errorf("media/%s missing", rel)
			continue
		}
		if got := readEntry(t, zr.File[i]); !bytes.Equal(got, data) {
			t.Errorf("media/%s holds %d bytes that differ from the %d of the file", rel, len(got), len(data))
		}
	}
}

// createHeaderOf writes an entry with zip.Writer.CreateHeader into a
// scratch archive and returns it as a reader sees it.
func createHeaderOf(tb testing.TB, name string, method uint16, mod time.Time, mode fs.FileMode) *zip.File {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: name, Method: method, Modified: mod}
	hdr.SetMode(mode)
	w, err := zw.CreateHeader(hdr)
	must(tb, err)
	_, err = w.Write([]byte("x"))
	must(tb, err)
	must(tb, zw.Close())
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	must(tb, err)
	return zr.File[0]
}
