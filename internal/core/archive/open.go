package archive

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"

	"github.com/klauspost/compress/flate"
)

// zipSignature starts every ZIP file that holds at least one entry.
var zipSignature = []byte("PK\x03\x04")

// openZip opens the archive at path and tells apart a file that is not a
// ZIP file at all from one whose end is missing.
func openZip(path string) (*os.File, *zip.Reader, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, 0, fmt.Errorf("the backup %s does not exist: %w", path, err)
		}
		return nil, nil, 0, fmt.Errorf("cannot open the backup %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("cannot read the backup %s: %w", path, err)
	}
	if info.IsDir() {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: %w: it is a folder; choose a backup file (.zip)", path, ErrNotZip)
	}
	if info.Size() == 0 {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: %w: the file is empty (0 bytes); choose another backup", path, ErrNotZip)
	}
	zr, err := zip.NewReader(f, info.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are checked by checkEntry
		head := make([]byte, len(zipSignature))
		n, _ := f.ReadAt(head, 0)
		f.Close()
		if n == len(head) && bytes.Equal(head, zipSignature) {
			return nil, nil, 0, fmt.Errorf("%s: %w: it starts like a ZIP file but its end is missing, as after an interrupted copy or download; copy the backup again from where it came from, or choose another backup", path, ErrTruncated)
		}
		return nil, nil, 0, fmt.Errorf("%s: %w; choose a backup file made by Backup Desktop", path, ErrNotZip)
	}
	registerReader(zr)
	return f, zr, info.Size(), nil
}

// findFile returns the archive's entry called name, or nil.
func findFile(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// loadManifest reads and checks manifest.json of the archive at path. It
// also returns the indexes of the manifest's entries sorted by name, which
// it sorts to find names listed twice.
func loadManifest(path string, zr *zip.Reader) (*Manifest, []int32, error) {
	mf := findFile(zr, ManifestEntry)
	if mf == nil {
		if findFile(zr, DumpEntry) == nil {
			return nil, nil, fmt.Errorf("%s: %w: the ZIP file has neither %s nor %s; choose a backup made by Backup Desktop", path, ErrNotBackup, DumpEntry, ManifestEntry)
		}
		return nil, nil, fmt.Errorf("%s: %w: it has no %s, so the backup that wrote it never finished (or it was made by another program); choose another backup", path, ErrIncomplete, ManifestEntry)
	}
	corrupt := func(reason string, err error) error {
		return &CorruptEntryError{Path: path, Name: ManifestEntry, Reason: reason, Err: err}
	}
	if mf.Mode().IsDir() {
		return nil, nil, corrupt("is a folder", nil)
	}
	if mf.UncompressedSize64 > maxManifestSize {
		return nil, nil, corrupt(fmt.Sprintf("is too large (%d bytes)", mf.UncompressedSize64), nil)
	}
	rc, err := mf.Open()
	if err != nil {
		return nil, nil, corrupt("cannot be read", err)
	}
	// Room for the size the directory gives (up to a point: it may lie),
	// so that a long manifest is read without copies.
	buf := bytes.NewBuffer(make([]byte, 0, min(mf.UncompressedSize64, 64<<20)+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(rc, maxManifestSize+1))
	rc.Close()
	data := buf.Bytes()
	if err != nil {
		return nil, nil, corrupt("cannot be read", err)
	}
	if len(data) > maxManifestSize {
		return nil, nil, corrupt("is too large", nil)
	}
	// The version first: a newer format may not decode into this Manifest.
	var v struct {
		FormatVersion int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, nil, corrupt("is not valid JSON", err)
	}
	switch {
	case v.FormatVersion > FormatVersion:
		return nil, nil, fmt.Errorf("%s: %w (archive format version %d; this app reads up to version %d); update Backup Desktop to use this backup", path, ErrUnsupportedVersion, v.FormatVersion, FormatVersion)
	case v.FormatVersion < 1:
		return nil, nil, corrupt(fmt.Sprintf("has no valid format_version (%d)", v.FormatVersion), nil)
	}
	m := new(Manifest)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, nil, corrupt("is not a valid manifest", err)
	}
	listsDump := false
	for _, e := range m.Entries {
		if err := CheckEntryName(e.Name); err != nil {
			return nil, nil, fmt.Errorf("%s: %s lists an unsafe name: %w; do not use this backup", path, ManifestEntry, err)
		}
		switch {
		case e.Name == ManifestEntry || e.Name[len(e.Name)-1] == '/':
			return nil, nil, corrupt(fmt.Sprintf("lists %q as a file", e.Name), nil)
		case e.Size < 0:
			return nil, nil, corrupt(fmt.Sprintf("gives %q a negative size", e.Name), nil)
		}
		listsDump = listsDump || e.Name == DumpEntry
	}
	byName, dup := sortedByName(len(m.Entries), func(i int32) string { return m.Entries[i].Name })
	if dup != "" {
		return nil, nil, corrupt(fmt.Sprintf("lists %q twice", dup), nil)
	}
	if findFile(zr, DumpEntry) == nil {
		return nil, nil, fmt.Errorf("%s: %w: the ZIP file has no %s; choose a backup that contains the database", path, ErrNotBackup, DumpEntry)
	}
	if !listsDump {
		return nil, nil, corrupt("does not list "+DumpEntry, nil)
	}
	return m, byName, nil
}

// ReadManifest reads only manifest.json of the backup at path: a cheap look
// for listings. It does not check the other entries (see Verify). Errors
// wrap ErrNotZip, ErrTruncated, ErrIncomplete, ErrNotBackup,
// ErrUnsupportedVersion or are a *CorruptEntryError.
func ReadManifest(path string) (*Manifest, error) {
	f, zr, _, err := openZip(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, _, err := loadManifest(path, zr)
	return m, err
}

// entryReader reads one entry and checks, at its end, that its size and
// SHA-256 are those of the manifest. Every failure is a *CorruptEntryError.
type entryReader struct {
	path string
	want Entry
	rc   io.ReadCloser
	h    hash.Hash
	n    int64
	err  error // sticky
}

func openEntry(path string, f *zip.File, want Entry) (*entryReader, error) {
	if f.UncompressedSize64 != uint64(want.Size) {
		return nil, &CorruptEntryError{Path: path, Name: f.Name, Reason: fmt.Sprintf("has %d bytes, but the manifest says %d", f.UncompressedSize64, want.Size)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &CorruptEntryError{Path: path, Name: f.Name, Reason: "cannot be read", Err: err}
	}
	return &entryReader{path: path, want: want, rc: rc, h: sha256.New()}, nil
}

func (r *entryReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.rc.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	switch {
	case r.n > r.want.Size:
		r.err = r.corrupt("is longer than the manifest says", nil)
	case err == io.EOF:
		if r.n != r.want.Size {
			r.err = r.corrupt(fmt.Sprintf("has %d bytes, but the manifest says %d", r.n, r.want.Size), nil)
		} else if got := r.h.Sum(nil); !bytes.Equal(got, r.want.SHA256[:]) {
			r.err = r.corrupt("does not match its SHA-256 checksum in the manifest", nil)
		} else {
			r.err = io.EOF
		}
	case errors.Is(err, zip.ErrChecksum):
		r.err = r.corrupt("does not match its CRC-32 checksum", err)
	case isDamagedData(err):
		r.err = r.corrupt("has damaged compressed data", err)
	case err != nil:
		r.err = r.corrupt("cannot be read", err)
	}
	if r.err != nil {
		return n, r.err
	}
	return n, nil
}

func (r *entryReader) corrupt(reason string, err error) error {
	return &CorruptEntryError{Path: r.path, Name: r.want.Name, Reason: reason, Err: err}
}

func (r *entryReader) Close() error { return r.rc.Close() }

// isDamagedData reports whether a read error comes from damaged content
// rather than from the disk.
func isDamagedData(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce)
}
