package archive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// textBytes returns n bytes of compressible, JSON-like text that varies
// enough to keep deflate busy.
func textBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "[%d,\"SKU-%05d\",\"Widget %s\",%d.%02d,\"2026-%02d-%02d\"],\n",
			r.IntN(1_000_000), r.IntN(100_000), []string{"red", "blue", "large", "ünï"}[r.IntN(4)],
			r.IntN(1000), r.IntN(100), 1+r.IntN(12), 1+r.IntN(28))
	}
	return b.Bytes()[:n]
}

// writePieces writes data to w in pieces of varying sizes, as a stream
// would arrive.
func writePieces(tb testing.TB, w io.Writer, data []byte, seed uint64) {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 2))
	for len(data) > 0 {
		n := min(len(data), 1+r.IntN(300_000))
		if _, err := w.Write(data[:n]); err != nil {
			tb.Fatal(err)
		}
		data = data[n:]
	}
}

// TestParallelDeflate writes entries deflated in parallel blocks, through
// the same output path as Create, and checks that unzip, the standard
// library's inflater and the CRC-32 and SHA-256 agree with the content:
// above all at block boundaries, where an empty last block or a dictionary
// from the previous block could go wrong.
func TestParallelDeflate(t *testing.T) {
	random := randomBytes(t, 2*deflateBlockSize+777)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte("x")},
		{"just under one block", textBytes(deflateBlockSize-1, 1)},
		{"exactly one block", textBytes(deflateBlockSize, 2)},
		{"one block and a byte", textBytes(deflateBlockSize+1, 3)},
		{"many blocks", textBytes(5*deflateBlockSize+12345, 4)},
		{"many blocks ending on a boundary", textBytes(4*deflateBlockSize, 5)},
		{"incompressible", random},
	}
	bs := &buffers{}
	defer bs.free()
	pool := newDeflatePool(deflateLevel, bs)
	defer pool.close()
	hq := newHashQueue(2, 16)
	path := filepath.Join(t.TempDir(), "parallel.zip")
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	out := newOutFile(f, bs)
	defer out.abort()
	zw := zip.NewWriter(out)
	hashes := make([]*entryHash, len(tests))
	headers := make([]*zip.FileHeader, len(tests))
	for i, tc := range tests {
		hdr := &zip.FileHeader{Name: fmt.Sprintf("%02d %s.json", i, tc.name), Method: zip.Deflate, Modified: testNow}
		hdr.SetMode(0o644)
		w, err := createRaw(zw, hdr)
		must(t, err)
		hashes[i] = hq.newEntry(int64(len(tc.data)))
		de := pool.entry(w, hq, hashes[i])
		writePieces(t, de, tc.data, uint64(i))
		must(t, de.Close())
		finishRaw(hdr, de.crc, de.csize, de.size)
		headers[i] = hdr
		if de.size != int64(len(tc.data)) {
			t.Errorf("%s: counted %d bytes, wrote %d", tc.name, de.size, len(tc.data))
		}
	}
	hq.close()
	must(t, zw.Close())
	must(t, out.finish())
	must(t, f.Close())
	unzipTest(t, path)

	zr, err := zip.OpenReader(path)
	must(t, err)
	defer zr.Close()
	if len(zr.File) != len(tests) {
		t.Fatalf("the archive has %d entries, want %d", len(zr.File), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zf := zr.File[i]
			// The standard library's inflater, not the pooled one.
			raw, err := zf.OpenRaw()
			must(t, err)
			got, err := io.ReadAll(flate.NewReader(raw))
			if err != nil {
				t.Fatalf("inflate: %v", err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Fatalf("inflated %d bytes that differ from the %d written", len(got), len(tc.data))
			}
			if rc, err := zf.Open(); err != nil {
				t.Fatal(err)
			} else if _, err := io.Copy(io.Discard, rc); err != nil { // checks the CRC-32
				t.Fatalf("read through archive/zip: %v", err)
			}
			sum := sha256.Sum256(tc.data)
			if hashes[i].sum != sum {
				t.Errorf("SHA-256 %s, want %x", hashes[i].sum, sum)
			}
			if zf.UncompressedSize64 != uint64(len(tc.data)) || zf.CompressedSize64 != headers[i].CompressedSize64 {
				t.Errorf("sizes %d/%d, want %d/%d", zf.CompressedSize64, zf.UncompressedSize64, headers[i].CompressedSize64, len(tc.data))
			}
			if !zf.Modified.Equal(testNow) {
				t.Errorf("modified %v, want %v", zf.Modified, testNow)
			}
		})
	}
}

// TestParallelDeflateRatio checks that compressing in parallel blocks,
// each primed with the previous 32 KiB, costs next to nothing in size
// against one deflate stream at the same level: 0.05 % at most (without
// the dictionaries this content grows by 0.1 %).
func TestParallelDeflateRatio(t *testing.T) {
	data := textBytes(6*deflateBlockSize+999, 7)
	bs := &buffers{}
	defer bs.free()
	pool := newDeflatePool(deflateLevel, bs)
	defer pool.close()
	var par bytes.Buffer
	de := pool.entry(&par, nil, nil)
	writePieces(t, de, data, 9)
	must(t, de.Close())

	var one bytes.Buffer
	fw := newSerialDeflater(t, &one)
	writePieces(t, fw, data, 9)
	must(t, fw.Close())
	t.Logf("%d bytes: parallel %d, one stream %d", len(data), par.Len(), one.Len())
	if float64(par.Len()) > 1.0005*float64(one.Len()) {
		t.Errorf("parallel blocks take %d bytes, one stream %d: more than 0.05%% larger", par.Len(), one.Len())
	}
	if got, err := io.ReadAll(flate.NewReader(&par)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the parallel stream does not inflate to the content: %v", err)
	}
}

func newSerialDeflater(tb testing.TB, w io.Writer) io.WriteCloser {
	tb.Helper()
	fw, err := newDeflater(w)
	must(tb, err)
	return fw
}

// failWriter fails every write after the first n bytes.
type failWriter struct{ n int }

var errTestWrite = errors.New("test: the disk said no")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errTestWrite
	}
	f.n -= len(p)
	return len(p), nil
}

// TestParallelDeflateWriteError: an error of the writer under the entry
// reaches the caller, and the pool's blocks all come back, so that the
// pool can be closed and used again.
func TestParallelDeflateWriteError(t *testing.T) {
	bs := &buffers{}
	defer bs.free()
	pool := newDeflatePool(deflateLevel, bs)
	defer pool.close()
	hq := newHashQueue(1, 4)
	de := pool.entry(&failWriter{n: 1000}, hq, hq.newEntry(0))
	data := randomBytes(t, 6*deflateBlockSize)
	var err error
	for off := 0; off < len(data) && err == nil; off += 100_000 {
		_, err = de.Write(data[off:min(off+100_000, len(data))])
	}
	if err == nil {
		err = de.Close()
	} else if cerr := de.Close(); !errors.Is(cerr, errTestWrite) {
		t.Errorf("Close after a failed Write = %v", cerr)
	}
	if !errors.Is(err, errTestWrite) {
		t.Fatalf("writing through a failing writer: %v, want the writer's error", err)
	}
	hq.abandon()
	if n := len(pool.free); n != cap(pool.free) {
		t.Errorf("%d of %d blocks came back to the pool", n, cap(pool.free))
	}
	var buf bytes.Buffer
	de = pool.entry(&buf, nil, nil)
	writePieces(t, de, data[:12345], 1)
	must(t, de.Close())
	if got, err := io.ReadAll(flate.NewReader(&buf)); err != nil || !bytes.Equal(got, data[:12345]) {
		t.Errorf("the pool does not work after a failed entry: %v", err)
	}
}

// TestHashQueueLanes hashes interleaved entries on several lanes.
func TestHashQueueLanes(t *testing.T) {
	for _, lanes := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(lanes, " lanes"), func(t *testing.T) {
			hq := newHashQueue(lanes, 4)
			const n = 7
			data := make([][]byte, n)
			hs := make([]*entryHash, n)
			for i := range n {
				data[i] = textBytes(i*40_000+i, uint64(i))
				hs[i] = hq.newEntry(int64(len(data[i])))
			}
			released := 0
			done := make(chan struct{}, 1000)
			for off := 0; off < 300_000; off += 10_000 {
				for i := range n {
					if off < len(data[i]) {
						hq.add(hs[i], data[i][off:min(off+10_000, len(data[i]))], func() { done <- struct{}{} })
						released++
					}
				}
			}
			for i := range n {
				hq.end(hs[i])
			}
			hq.close()
			if len(done) != released {
				t.Errorf("%d of %d pieces released", len(done), released)
			}
			for i := range n {
				sum := sha256.Sum256(data[i])
				if hs[i].sum != sum {
					t.Errorf("entry %d: SHA-256 %s, want %x", i, hs[i].sum, sum)
				}
			}
		})
	}
}

// TestOutFile writes streams of awkward lengths through the background
// writer (flushed on the way where flushEarly) and reads them back.
func TestOutFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097, outBlockSize, outBlockSize + 1,
		3*outBlockSize + 777, (outBlocks+2)*outBlockSize - 4096, flushEvery + 3*outBlockSize + 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := randomBytes(t, size)
			path := filepath.Join(dir, fmt.Sprint(size))
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			must(t, err)
			defer f.Close()
			o := testOutFile(t, f)
			writePieces(t, o, data, uint64(size))
			must(t, o.finish())
			must(t, f.Sync())
			must(t, f.Close())
			got, err := os.ReadFile(path)
			must(t, err)
			if !bytes.Equal(got, data) {
				t.Fatalf("the file holds %d bytes that differ from the %d written", len(got), len(data))
			}
		})
	}
}

// testOutFile starts an outFile writing to f, with buffers of its own that
// are freed when the test ends.
func testOutFile(t *testing.T, f *os.File) *outFile {
	bs := &buffers{}
	t.Cleanup(bs.free)
	return newOutFile(f, bs)
}

// TestOutFileError: a write error found by the background writer reaches
// the writer's caller and names the part being written then.
func TestOutFileError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "read-only")
	must(t, os.WriteFile(path, nil, 0o600))
	f, err := os.Open(path) // writes fail
	must(t, err)
	defer f.Close()
	o := testOutFile(t, f)
	o.mark("the first part")
	_, err = o.Write(make([]byte, 100))
	must(t, err)
	o.mark("the second part")
	var werr error
	deadline := time.Now().Add(10 * time.Second)
	for werr == nil && time.Now().Before(deadline) {
		_, werr = o.Write(make([]byte, outBlockSize))
	}
	ferr := o.finish()
	if werr == nil || ferr == nil {
		t.Fatalf("writes to a read-only file: Write %v, finish %v; want errors", werr, ferr)
	}
	if part, ok := o.failedPart(); !ok || part != "the first part" {
		t.Errorf("failedPart = %q, %v; want the first part (the write of its first block failed)", part, ok)
	}
}

// TestOutFileFlushError: a flush that fails while the archive is being
// written fails the archive, even though every write succeeded. /dev/null
// takes every write and refuses fdatasync.
func TestOutFileFlushError(t *testing.T) {
	if !flushEarly {
		t.Skip("the archive is flushed only at its end on this system")
	}
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	o := testOutFile(t, f)
	o.mark("the media")
	block := make([]byte, outBlockSize)
	for range flushEvery/outBlockSize + 2 {
		if _, err := o.Write(block); err != nil {
			break
		}
	}
	err = o.finish()
	if err == nil || !strings.Contains(err.Error(), "fdatasync") {
		t.Fatalf("finish = %v, want the failed fdatasync", err)
	}
	if part, ok := o.failedPart(); !ok || part != "the media" {
		t.Errorf("failedPart = %q, %v; want the media", part, ok)
	}
}
