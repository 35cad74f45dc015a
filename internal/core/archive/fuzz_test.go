package archive

import (
	"archive/zip"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/seed-backup.zip from a fresh backup")

// seedBackup is a real small backup made by Create from a real database. It
// seeds FuzzVerify without a database server (fuzz workers are separate
// processes that may be killed) and checks that an archive made by an
// earlier build still verifies.
const seedBackup = "testdata/seed-backup.zip"

// TestSeedBackup checks that the committed archive still verifies: backups
// already made must stay readable. With -update it makes it again.
func TestSeedBackup(t *testing.T) {
	if *update {
		must(t, os.MkdirAll(filepath.Dir(seedBackup), 0o755))
		must(t, os.WriteFile(seedBackup, backupBytes(t), 0o644))
	}
	rep, err := Verify(context.Background(), seedBackup, nil)
	if err != nil {
		t.Fatalf("%s, a backup made by an earlier build, no longer verifies: %v\n"+
			"If the archive or dump format changed on purpose (with its format version raised and old versions still read), "+
			"make a new one with: go test ./internal/core/archive/ -run TestSeedBackup -update", seedBackup, err)
	}
	if rep.Manifest.Media.Files == 0 || len(rep.Dump.Tables) == 0 {
		t.Errorf("%s holds no media or no tables: %+v", seedBackup, rep.Manifest)
	}
}

// FuzzVerify feeds arbitrary bytes to Verify, Open and ExtractMedia: they
// must never panic and never write outside the destination folder. The
// seeds are a real small backup and damaged variants of it.
//
//	go test ./internal/core/archive/ -run '^$' -fuzz FuzzVerify -fuzztime 60s
func FuzzVerify(f *testing.F) {
	seed, err := os.ReadFile(seedBackup)
	must(f, err)
	es := entriesOf(f, seed)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(flipInEntry(f, seed, DumpEntry))
	f.Add(buildZip(f, without(es, ManifestEntry)))
	f.Add(buildZip(f, withListed(f, es, zentry{"media/../../evil", []byte("x"), 0o644, zip.Store})))
	f.Add(buildZip(f, withListed(f, es, zentry{"media/link", []byte("../../x"), fs.ModeSymlink | 0o777, zip.Store})))
	f.Add(buildZip(f, withListed(f, es, zentry{"media/a/b.jpg/", nil, fs.ModeDir | 0o755, zip.Store})))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte("not a zip"))

	// Durability is not what this tests, and each input creates a few
	// folders: skip fsync and, on Linux, work in memory.
	syncExtracted = false
	defer func() { syncExtracted = true }()
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		f.Setenv("TMPDIR", "/dev/shm")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		path := filepath.Join(tmp, "fuzz.zip")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, verr := Verify(ctx, path, nil)
		r, err := Open(path)
		if err == nil {
			dest := filepath.Join(tmp, "sub", "dest")
			eerr := r.ExtractMedia(ctx, dest, nil)
			r.Close()
			if verr == nil && eerr != nil {
				t.Errorf("Verify passed but ExtractMedia failed: %v", eerr)
			}
		}
		err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(tmp, p)
			switch {
			case rel == "." || rel == "fuzz.zip" || rel == "sub" || rel == filepath.Join("sub", "dest"):
			case strings.HasPrefix(rel, filepath.Join("sub", "dest")+string(filepath.Separator)):
				if d.Type()&fs.ModeSymlink != 0 || !(d.Type().IsDir() || d.Type().IsRegular()) {
					t.Errorf("ExtractMedia made a link or special file: %s (%v)", rel, d.Type())
				}
			default:
				t.Errorf("written outside the destination: %s", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
