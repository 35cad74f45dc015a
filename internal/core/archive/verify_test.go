package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// zentry is one entry of an archive being rebuilt by a test.
type zentry struct {
	name   string
	data   []byte
	mode   fs.FileMode
	method uint16
}

// entriesOf reads every entry of an archive.
func entriesOf(tb testing.TB, archive []byte) []zentry {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	must(tb, err)
	var es []zentry
	for _, f := range zr.File {
		es = append(es, zentry{f.Name, readEntry(tb, f), f.Mode(), f.Method})
	}
	return es
}

// buildZip writes entries as a ZIP file with the standard library.
func buildZip(tb testing.TB, es []zentry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		h := &zip.FileHeader{Name: e.name, Method: e.method}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		must(tb, err)
		_, err = w.Write(e.data)
		must(tb, err)
	}
	must(tb, zw.Close())
	return buf.Bytes()
}

// editManifest changes manifest.json through its generic JSON form.
func editManifest(tb testing.TB, es []zentry, edit func(m map[string]any)) []zentry {
	tb.Helper()
	out := slices.Clone(es)
	for i, e := range out {
		if e.name != ManifestEntry {
			continue
		}
		var m map[string]any
		must(tb, json.Unmarshal(e.data, &m))
		edit(m)
		data, err := json.Marshal(m)
		must(tb, err)
		out[i].data = data
	}
	return out
}

// without drops the entry called name.
func without(es []zentry, name string) []zentry {
	return slices.DeleteFunc(slices.Clone(es), func(e zentry) bool { return e.name == name })
}

// withListed adds an entry before the manifest and lists it there with its
// true size and SHA-256, so that only its name or type can be faulted.
func withListed(tb testing.TB, es []zentry, add zentry) []zentry {
	tb.Helper()
	out := slices.Insert(slices.Clone(es), len(es)-1, add)
	sum := sha256.Sum256(add.data)
	return editManifest(tb, out, func(m map[string]any) {
		m["entries"] = append(m["entries"].([]any), map[string]any{"name": add.name, "size": len(add.data), "sha256": hex.EncodeToString(sum[:])})
	})
}

// flipInEntry flips one byte in the middle of an entry's stored data.
func flipInEntry(tb testing.TB, archive []byte, name string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	must(tb, err)
	out := slices.Clone(archive)
	for _, f := range zr.File {
		if f.Name == name {
			off, err := f.DataOffset()
			must(tb, err)
			out[off+int64(f.CompressedSize64)/2] ^= 0x40
			return out
		}
	}
	tb.Fatalf("no entry %s", name)
	return nil
}

func writeTemp(tb testing.TB, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "backup.zip")
	must(tb, os.WriteFile(p, data, 0o644))
	return p
}

func TestVerifyFailures(t *testing.T) {
	base := backupBytes(t)
	es := entriesOf(t, base)
	tests := []struct {
		name    string
		archive func(t *testing.T) []byte
		is      error  // the sentinel, or nil for a *CorruptEntryError
		entry   string // the CorruptEntryError's entry
		msg     []string
	}{
		{"flipped byte in the dump", func(t *testing.T) []byte { return flipInEntry(t, base, DumpEntry) },
			nil, DumpEntry, []string{"damaged", "database_dump.json", "choose another backup"}},
		{"flipped byte in a stored image", func(t *testing.T) []byte { return flipInEntry(t, base, "media/a/b.jpg") },
			nil, "media/a/b.jpg", []string{"damaged"}},
		{"cut in half", func(t *testing.T) []byte { return base[:len(base)/2] },
			ErrTruncated, "", []string{"end is missing", "interrupted copy or download"}},
		{"last bytes missing", func(t *testing.T) []byte { return base[:len(base)-10] },
			ErrTruncated, "", []string{"cut off"}},
		{"random bytes", func(t *testing.T) []byte { return append([]byte("xx"), randomBytes(t, 4096)...) },
			ErrNotZip, "", []string{"not a ZIP file", "choose a backup file"}},
		{"text file", func(t *testing.T) []byte { return []byte("Dear customer,\nthis is not a backup.\n") },
			ErrNotZip, "", []string{"not a ZIP file"}},
		{"empty file", func(t *testing.T) []byte { return nil },
			ErrNotZip, "", []string{"empty"}},
		{"no manifest", func(t *testing.T) []byte { return buildZip(t, without(es, ManifestEntry)) },
			ErrIncomplete, "", []string{"incomplete", "manifest.json", "never finished"}},
		{"manifest but no dump", func(t *testing.T) []byte { return buildZip(t, without(es, DumpEntry)) },
			ErrNotBackup, "", []string{"not a Backup Desktop backup", "database_dump.json"}},
		{"another program's ZIP", func(t *testing.T) []byte {
			return buildZip(t, []zentry{{"photos/cat.jpg", []byte("meow"), 0o644, zip.Store}})
		}, ErrNotBackup, "", []string{"not a Backup Desktop backup"}},
		{"newer format", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) { m["format_version"] = 99 }))
		}, ErrUnsupportedVersion, "", []string{"newer version", "99", "update Backup Desktop"}},
		{"newer format with another shape", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) { m["format_version"] = 2; m["tables"] = "elsewhere" }))
		}, ErrUnsupportedVersion, "", []string{"update"}},
		{"zip-slip with ..", func(t *testing.T) []byte {
			return buildZip(t, withListed(t, es, zentry{"media/../../evil", []byte("x"), 0o644, zip.Store}))
		}, ErrUnsafePath, "", []string{`"media/../../evil"`, "do not use it"}},
		{"absolute name", func(t *testing.T) []byte {
			return buildZip(t, withListed(t, es, zentry{"/abs", []byte("x"), 0o644, zip.Store}))
		}, ErrUnsafePath, "", []string{`"/abs"`, "absolute"}},
		{"backslash", func(t *testing.T) []byte {
			return buildZip(t, withListed(t, es, zentry{`media\x`, []byte("x"), 0o644, zip.Store}))
		}, ErrUnsafePath, "", []string{"backslash"}},
		{"symbolic link entry", func(t *testing.T) []byte {
			return buildZip(t, withListed(t, es, zentry{"media/passwd", []byte("../../../../etc/passwd"), fs.ModeSymlink | 0o777, zip.Store}))
		}, ErrUnsafePath, "", []string{"symbolic link"}},
		{"row count differs", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) {
				tables := m["tables"].(map[string]any)
				tables["products"] = tables["products"].(float64) + 1
			}))
		}, nil, DumpEntry, []string{"rows", `"products"`}},
		{"table missing from the manifest", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) { delete(m["tables"].(map[string]any), "categories") }))
		}, nil, DumpEntry, []string{`"categories"`}},
		{"unlisted entry", func(t *testing.T) []byte {
			return buildZip(t, slices.Insert(slices.Clone(es), 1, zentry{"media/extra.txt", []byte("x"), 0o644, zip.Deflate}))
		}, nil, "media/extra.txt", []string{"not listed"}},
		{"listed entry missing", func(t *testing.T) []byte { return buildZip(t, without(es, "media/a/c.txt")) },
			nil, "media/a/c.txt", []string{"missing"}},
		{"wrong checksum in the manifest", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) {
				for _, e := range m["entries"].([]any) {
					if e := e.(map[string]any); e["name"] == ConfigEntry {
						e["sha256"] = strings.Repeat("0", 64)
					}
				}
			}))
		}, nil, ConfigEntry, []string{"SHA-256"}},
		{"wrong size in the manifest", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) {
				for _, e := range m["entries"].([]any) {
					if e := e.(map[string]any); e["name"] == "media/a/c.txt" {
						e["size"] = 3
					}
				}
			}))
		}, nil, "media/a/c.txt", []string{"bytes"}},
		{"duplicate entry", func(t *testing.T) []byte {
			return buildZip(t, slices.Insert(slices.Clone(es), 1, es[0]))
		}, nil, DumpEntry, []string{"twice"}},
		{"manifest not JSON", func(t *testing.T) []byte {
			out := slices.Clone(es)
			out[len(out)-1].data = []byte("{\"format_version\": 1, ")
			return buildZip(t, out)
		}, nil, ManifestEntry, []string{"not valid JSON"}},
		{"media count differs", func(t *testing.T) []byte {
			return buildZip(t, editManifest(t, es, func(m map[string]any) { m["media"].(map[string]any)["files"] = 7 }))
		}, nil, ManifestEntry, []string{"media files"}},
		{"dump cut short but listed so", func(t *testing.T) []byte {
			out := slices.Clone(es)
			out[0].data = out[0].data[:len(out[0].data)/2]
			return buildZip(t, withListedReplace(t, out, out[0]))
		}, nil, DumpEntry, []string{"well-formed database dump"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, tc.archive(t))
			rep, err := Verify(context.Background(), path, nil)
			if err == nil {
				t.Fatalf("Verify passed (%+v), want an error", rep)
			}
			t.Log(err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Verify: %v; want %v", err, tc.is)
			}
			if tc.entry != "" {
				var ce *CorruptEntryError
				if !errors.As(err, &ce) || ce.Name != tc.entry {
					t.Errorf("Verify: %v (%T); want a CorruptEntryError for %s", err, err, tc.entry)
				}
			}
			for _, want := range append(tc.msg, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
		})
	}
}

// withListedReplace relists an existing entry with its current content.
func withListedReplace(tb testing.TB, es []zentry, e zentry) []zentry {
	tb.Helper()
	sum := sha256.Sum256(e.data)
	return editManifest(tb, es, func(m map[string]any) {
		for _, me := range m["entries"].([]any) {
			if me := me.(map[string]any); me["name"] == e.name {
				me["size"], me["sha256"] = len(e.data), hex.EncodeToString(sum[:])
			}
		}
	})
}

// uncheckedReader opens an archive the way Open does but without Open's
// checks, to reach ExtractMedia's own checks with a hostile archive.
func uncheckedReader(tb testing.TB, path string) *Reader {
	tb.Helper()
	f, zr, size, err := openZip(path)
	must(tb, err)
	tb.Cleanup(func() { f.Close() })
	r := &Reader{path: path, f: f, zr: zr, size: size, m: &Manifest{}}
	for _, zf := range zr.File {
		if zf.Name == ManifestEntry {
			must(tb, json.Unmarshal(readEntry(tb, zf), r.m))
		}
	}
	byName, _ := sortedByName(len(r.m.Entries), func(i int32) string { return r.m.Entries[i].Name })
	r.link(byName)
	return r
}

func TestExtractMediaRefusesUnsafe(t *testing.T) {
	es := entriesOf(t, backupBytes(t))
	for _, bad := range []zentry{
		{"media/../../evil", []byte("x"), 0o644, zip.Store},
		{"media/../evil", []byte("x"), 0o644, zip.Store},
		{"/abs-backup-desktop-test", []byte("x"), 0o644, zip.Store},
		{`media\..\..\evil`, []byte("x"), 0o644, zip.Store},
		{"media/passwd", []byte("../../../../etc/passwd"), fs.ModeSymlink | 0o777, zip.Store},
		{"media/fifo", nil, fs.ModeNamedPipe | 0o644, zip.Store},
	} {
		t.Run(bad.name, func(t *testing.T) {
			tmp := t.TempDir()
			path := filepath.Join(tmp, "backup.zip")
			must(t, os.WriteFile(path, buildZip(t, withListed(t, es, bad)), 0o644))
			if _, err := Open(path); !errors.Is(err, ErrUnsafePath) {
				t.Errorf("Open: %v, want ErrUnsafePath", err)
			}
			dest := filepath.Join(tmp, "sub", "dest")
			err := uncheckedReader(t, path).ExtractMedia(context.Background(), dest, nil)
			if !errors.Is(err, ErrUnsafePath) {
				t.Errorf("ExtractMedia: %v, want ErrUnsafePath", err)
			}
			if got := listDir(t, tmp); !slices.Equal(got, []string{"backup.zip"}) {
				t.Errorf("after ExtractMedia the folder holds %q, want only the archive", got)
			}
			if _, err := os.Lstat("/abs-backup-desktop-test"); err == nil {
				t.Error("ExtractMedia wrote an absolute path")
			}
		})
	}
}

func TestExtractMediaRefusesDamaged(t *testing.T) {
	es := entriesOf(t, backupBytes(t))
	changed := slices.Clone(es)
	for i, e := range changed {
		if e.name == "media/a/c.txt" {
			d := slices.Clone(e.data)
			d[0] ^= 1
			changed[i].data = d
		}
	}
	tests := []struct {
		name    string
		archive []byte
	}{
		{"file missing", buildZip(t, without(es, "media/a/c.txt"))},
		{"file changed", buildZip(t, changed)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(writeTemp(t, tc.archive))
			must(t, err)
			defer r.Close()
			err = r.ExtractMedia(context.Background(), filepath.Join(t.TempDir(), "dest"), nil)
			var ce *CorruptEntryError
			if !errors.As(err, &ce) || ce.Name != "media/a/c.txt" {
				t.Fatalf("ExtractMedia: %v, want a CorruptEntryError for media/a/c.txt", err)
			}
		})
	}
}

func TestCheckEntryName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"database_dump.json", true},
		{"media/", true},
		{"media/a/b c/ünï.jpg", true},
		{"media/.hidden", true},
		{"media/dir/", true},
		{"", false},
		{"/", false},
		{"/abs", false},
		{"media/../x", false},
		{"../x", false},
		{"media/./x", false},
		{"media//x", false},
		{`media\x`, false},
		{"media/x\x00y", false},
		{"..", false},
		{"media/..", false},
	}
	for _, tc := range tests {
		err := CheckEntryName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckEntryName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafePath) {
			t.Errorf("CheckEntryName(%q) = %v, want ErrUnsafePath", tc.name, err)
		}
	}
}

func TestOpenDumpDetectsChange(t *testing.T) {
	es := entriesOf(t, backupBytes(t))
	// Same length, other content, manifest untouched: only the SHA-256 tells.
	out := slices.Clone(es)
	d := slices.Clone(out[0].data)
	d[len(d)/2] ^= 1
	out[0].data = d
	r, err := Open(writeTemp(t, buildZip(t, out)))
	must(t, err)
	defer r.Close()
	rc, err := r.OpenDump()
	must(t, err)
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	var ce *CorruptEntryError
	if !errors.As(err, &ce) || ce.Name != DumpEntry || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("reading a changed dump: %v, want a CorruptEntryError about its SHA-256", err)
	}
}

func TestReadManifestErrors(t *testing.T) {
	es := entriesOf(t, backupBytes(t))
	if _, err := ReadManifest(writeTemp(t, buildZip(t, without(es, ManifestEntry)))); !errors.Is(err, ErrIncomplete) {
		t.Errorf("ReadManifest without manifest: %v, want ErrIncomplete", err)
	}
	if _, err := ReadManifest(filepath.Join(t.TempDir(), "missing.zip")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadManifest of a missing file: %v, want fs.ErrNotExist", err)
	}
	m, err := ReadManifest(writeTemp(t, backupBytes(t)))
	if err != nil || m.Kind != "daily" || m.Media.Files != 2 {
		t.Errorf("ReadManifest = %+v, %v", m, err)
	}
}
