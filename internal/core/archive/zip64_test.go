package archive

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestZip64 backs up a media file larger than 4 GiB (a sparse file of
// zeros, so it costs CPU but little disk): the archive needs ZIP64, and
// unzip, Verify and the reader must all handle it.
func TestZip64(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: compresses and checks 4 GiB (about a minute)")
	}
	db, name := newDB(t)
	media := filepath.Join(t.TempDir(), "media")
	must(t, os.MkdirAll(media, 0o755))
	const size = 4<<30 + 12345
	big := filepath.Join(media, "big.txt")
	f, err := os.Create(big)
	must(t, err)
	must(t, f.Truncate(size))
	must(t, f.Close())
	writeFile(t, media, "after.txt", []byte("an entry after the big one\n"))

	start := time.Now()
	res, err := Create(context.Background(), options(db, name, media, t.TempDir()))
	must(t, err)
	t.Logf("Create: %v, archive %d bytes", time.Since(start), res.Size)

	zr, err := zip.OpenReader(res.Path)
	must(t, err)
	var found bool
	for _, f := range zr.File {
		if f.Name == "media/big.txt" {
			found = f.UncompressedSize64 == size
		}
	}
	zr.Close()
	if !found {
		t.Fatalf("the archive lacks media/big.txt with %d bytes", uint64(size))
	}
	start = time.Now()
	unzipTest(t, res.Path)
	t.Logf("unzip -t: %v", time.Since(start))
	start = time.Now()
	rep, err := Verify(context.Background(), res.Path, nil)
	must(t, err)
	t.Logf("Verify: %v", time.Since(start))
	if rep.Manifest.Media.Bytes != size+27 {
		t.Errorf("manifest media bytes = %d", rep.Manifest.Media.Bytes)
	}
}
