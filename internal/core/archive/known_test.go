package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// knownMediaDir is a media folder with files on every path through the
// reader: stored and deflated, in one read-ahead chunk and in several.
func knownMediaDir(tb testing.TB) string {
	tb.Helper()
	root := newMedia(tb)
	writeFile(tb, root, "products/big.jpg", randomBytes(tb, 3*mediaChunkSize+123))
	writeFile(tb, root, "docs/big.csv", bytes.Repeat([]byte("sku,name,price\nA-1,Widget,9.99\n"), 30_000))
	return root
}

// mediaSums returns the SHA-256 the manifest lists for each media file.
func mediaSums(m *Manifest) map[string]Digest {
	sums := map[string]Digest{}
	for _, e := range m.Entries {
		if isMedia(e.Name) {
			sums[e.Name] = e.SHA256
		}
	}
	return sums
}

// backupWithKnown makes a backup named file of media, lending it known, and
// checks it completely: Verify, unzip -t, and the SHA-256 of every media
// file against the file itself. It returns the result and the log lines.
func backupWithKnown(t *testing.T, o CreateOptions, file string, known *KnownMedia) (*Result, []string) {
	t.Helper()
	var log []string
	o.FileName, o.Known, o.Log = file, known, func(s string) { log = append(log, s) }
	res, err := Create(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(context.Background(), res.Path, nil); err != nil {
		t.Fatalf("the backup made with known checksums does not verify: %v", err)
	}
	unzipTest(t, res.Path)
	for name, sum := range mediaSums(res.Manifest) {
		data, err := os.ReadFile(filepath.Join(o.MediaDir, filepath.FromSlash(strings.TrimPrefix(name, MediaPrefix))))
		if err != nil {
			t.Fatal(err)
		}
		if Digest(sha256.Sum256(data)) != sum {
			t.Errorf("%s: the manifest lists %s, the file's SHA-256 is %x", name, sum, sha256.Sum256(data))
		}
	}
	return res, log
}

// rewriteKeepingTime changes a byte of the file rel under root without
// changing its size or modification time, as a program that restores the
// time after editing would.
func rewriteKeepingTime(t *testing.T, root, rel string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	info := statMedia(t, root, rel)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x5a
	must(t, os.WriteFile(p, data, 0o644))
	must(t, os.Chtimes(p, info.ModTime(), info.ModTime()))
}

func TestKnownMedia(t *testing.T) {
	db, name := newDB(t)
	media := knownMediaDir(t)
	o := options(db, name, media, t.TempDir())

	first, _ := backupWithKnown(t, o, "first.zip", nil)
	if first.Reused != 0 {
		t.Fatalf("a backup without known checksums reused %d", first.Reused)
	}
	files := first.Manifest.Media.Files
	known, err := LoadKnownMedia(first.Path)
	if err != nil {
		t.Fatal(err)
	}
	if known.Len() != files || known.From() != first.Path {
		t.Fatalf("LoadKnownMedia knows %d files from %s, want %d from %s", known.Len(), known.From(), files, first.Path)
	}

	t.Run("unchanged files are not hashed again", func(t *testing.T) {
		res, log := backupWithKnown(t, o, "second.zip", known)
		if res.Reused != files {
			t.Errorf("reused the checksums of %d files, want all %d", res.Reused, files)
		}
		if !strings.Contains(strings.Join(log, "\n"), "taken from first.zip") {
			t.Errorf("the log does not say where the checksums came from:\n%s", strings.Join(log, "\n"))
		}
	})

	t.Run("a file with a new modification time is hashed", func(t *testing.T) {
		p := filepath.Join(media, "logos", "logo.PNG")
		must(t, os.WriteFile(p, randomBytes(t, 5_000), 0o644)) // same size, new time
		res, _ := backupWithKnown(t, o, "third.zip", known)
		if res.Reused != files-1 {
			t.Errorf("reused the checksums of %d files, want %d", res.Reused, files-1)
		}
	})

	// Content changed but size and time kept: the CRC-32 of the bytes read
	// gives it away, and the backup is made again with every file hashed.
	// One file per path through the reader.
	for _, rel := range []string{"products/big.jpg", "docs/big.csv", "products/2024/widget.jpg", "docs/prices.csv"} {
		t.Run("changed in place: "+rel, func(t *testing.T) {
			rewriteKeepingTime(t, media, rel)
			info := statMedia(t, media, rel)
			if _, ok := known.match(MediaPrefix+rel, info.Size(), info.ModTime()); !ok {
				t.Fatal("the rewritten file no longer matches by size and time; the test would prove nothing")
			}
			res, log := backupWithKnown(t, o, "changed-"+filepath.Base(rel)+".zip", known)
			if res.Reused != 0 {
				t.Errorf("reused %d checksums after finding a changed file, want none", res.Reused)
			}
			if !strings.Contains(strings.Join(log, "\n"), "changed without a new modification time: "+MediaPrefix+rel) {
				t.Errorf("the log does not name the changed file:\n%s", strings.Join(log, "\n"))
			}
			rewriteKeepingTime(t, media, rel) // back as it was
		})
	}
}

// statMedia returns the file information of rel under the media folder root.
func statMedia(t *testing.T, root, rel string) os.FileInfo {
	t.Helper()
	info, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestLoadKnownMediaRefusesDamage(t *testing.T) {
	good := backupBytes(t)
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"truncated.zip": good[:len(good)/2],
		"not-a-zip.zip": []byte("hello"),
	} {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, data, 0o644))
		if k, err := LoadKnownMedia(p); err == nil {
			t.Errorf("%s: LoadKnownMedia gave %d files, want an error", name, k.Len())
		}
	}
}
