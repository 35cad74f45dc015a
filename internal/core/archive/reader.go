package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// syncExtracted makes ExtractMedia fsync what it writes. Only the fuzz test
// turns it off, to run thousands of inputs a second.
var syncExtracted = true

// Reader reads a backup for a restore. Open checks that the archive is
// complete and that every entry name is safe; the content of each entry is
// checked against the manifest as it is read. A Reader is not safe for
// concurrent use.
type Reader struct {
	path string
	f    *os.File
	zr   *zip.Reader
	size int64
	m    *Manifest
	// listed[i] is the index in m.Entries of the entry of zr.File[i], or -1
	// when the manifest does not list it (folders, manifest.json, files
	// that should not be there). missing holds the indexes of the manifest
	// entries that have no file in the archive, in order. (See link.)
	listed  []int32
	missing []int32
}

// Open opens the backup at path. Errors wrap ErrNotZip, ErrTruncated,
// ErrIncomplete, ErrNotBackup, ErrUnsupportedVersion or ErrUnsafePath, or
// are a *CorruptEntryError. Close the Reader when done.
func Open(path string) (*Reader, error) {
	f, zr, size, err := openZip(path)
	if err != nil {
		return nil, err
	}
	r := &Reader{path: path, f: f, zr: zr, size: size}
	if err := r.init(); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) init() error {
	for _, f := range r.zr.File {
		if err := checkEntry(f); err != nil {
			return fmt.Errorf("%s: %w; the file may have been made or changed by something other than Backup Desktop: do not use it", r.path, err)
		}
	}
	m, byName, err := loadManifest(r.path, r.zr)
	if err != nil {
		return err
	}
	r.m = m
	if dup := r.link(byName); dup != "" {
		return &CorruptEntryError{Path: r.path, Name: dup, Reason: "appears twice in the archive"}
	}
	return nil
}

// link matches the archive's file entries with the manifest's entries by
// name (setting listed and missing) and returns a name that appears twice
// in the archive, if any. ei holds the indexes of the manifest's entries
// sorted by name (see sortedByName). It sorts indexes instead of building maps by
// name: a backup may hold hundreds of thousands of media files, and a
// restore should not need memory in proportion to them. The manifest's
// entries take the archive's copy of their names.
func (r *Reader) link(ei []int32) string {
	files, ents := r.zr.File, r.m.Entries
	fi, dup := sortedByName(len(files), func(i int32) string { return files[i].Name })

	r.listed = make([]int32, len(files))
	for i := range r.listed {
		r.listed[i] = -1
	}
	r.missing = nil
	a, b := 0, 0
	for b < len(ei) {
		c := 1
		if a < len(fi) {
			c = strings.Compare(files[fi[a]].Name, ents[ei[b]].Name)
		}
		switch {
		case c < 0:
			a++
		case c > 0:
			r.missing = append(r.missing, ei[b])
			b++
		default:
			if f := files[fi[a]]; !f.Mode().IsDir() && f.Name != ManifestEntry {
				r.listed[fi[a]] = ei[b]
				ents[ei[b]].Name = f.Name
			} else {
				r.missing = append(r.missing, ei[b])
			}
			a++
			b++
		}
	}
	slices.Sort(r.missing)
	return dup
}

// sortedByName returns the indexes 0…n-1 sorted by name (ties in index
// order), and a name that appears more than once, if any.
func sortedByName(n int, name func(int32) string) (idx []int32, dup string) {
	idx = make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return strings.Compare(name(a), name(b)) })
	for k := 1; k < n && dup == ""; k++ {
		if name(idx[k]) == name(idx[k-1]) {
			dup = name(idx[k])
		}
	}
	return idx, dup
}

// entry returns the manifest entry of zr.File[i], if the manifest lists it.
func (r *Reader) entry(i int) (Entry, bool) {
	if j := r.listed[i]; j >= 0 {
		return r.m.Entries[j], true
	}
	return Entry{}, false
}

// Path returns the archive's path.
func (r *Reader) Path() string { return r.path }

// Size returns the archive's size in bytes.
func (r *Reader) Size() int64 { return r.size }

// Manifest returns the archive's manifest.
func (r *Reader) Manifest() *Manifest { return r.m }

// Close closes the archive.
func (r *Reader) Close() error { return r.f.Close() }

// open opens zr.File[i] for reading with the manifest's size and SHA-256
// checked at its end.
func (r *Reader) open(i int) (*entryReader, error) {
	f := r.zr.File[i]
	want, ok := r.entry(i)
	if !ok {
		return nil, &CorruptEntryError{Path: r.path, Name: f.Name, Reason: "is not listed in the manifest"}
	}
	return openEntry(r.path, f, want)
}

// OpenDump opens database_dump.json for reading. The reader returns a
// *CorruptEntryError instead of io.EOF when the content read does not match
// the manifest's size and SHA-256, so a caller that reads to the end has
// read exactly what was backed up.
func (r *Reader) OpenDump() (io.ReadCloser, error) {
	// Open made sure that the archive holds the dump and that the manifest
	// lists it (see loadManifest).
	i := slices.IndexFunc(r.zr.File, func(f *zip.File) bool { return f.Name == DumpEntry })
	if i < 0 {
		return nil, &CorruptEntryError{Path: r.path, Name: DumpEntry, Reason: "is missing"}
	}
	return r.open(i)
}

// ExtractMedia writes the media folder of the backup into dest (created
// when missing; it should be empty): every file with its content, mode and
// modification time, and every folder, empty ones included. It is safe on
// an archive that was never verified: every name is checked first
// (CheckEntryName, no symbolic links or special files; ErrUnsafePath),
// nothing is written outside dest, existing files are not replaced, and
// every file's size and SHA-256 are checked against the manifest
// (*CorruptEntryError). Files are fsynced. On error dest may hold part of
// the media; the caller removes it. Progress is reported in bytes.
func (r *Reader) ExtractMedia(ctx context.Context, dest string, p progress.Func) error {
	var total int64
	for i, f := range r.zr.File {
		if err := checkEntry(f); err != nil {
			return fmt.Errorf("%s: %w; nothing was extracted: do not use this backup", r.path, err)
		}
		if isMedia(f.Name) && !f.Mode().IsDir() {
			e, ok := r.entry(i)
			if !ok {
				return &CorruptEntryError{Path: r.path, Name: f.Name, Reason: "is not listed in the manifest"}
			}
			total += e.Size
		}
	}
	for _, j := range r.missing {
		if name := r.m.Entries[j].Name; isMedia(name) {
			return &CorruptEntryError{Path: r.path, Name: name, Reason: "is listed in the manifest but missing from the archive"}
		}
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return fmt.Errorf("cannot create the folder %s for the media files: %w", dest, err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return fmt.Errorf("cannot open the folder %s for the media files: %w", dest, err)
	}
	defer root.Close()

	type dirTime struct {
		name  string
		perm  fs.FileMode
		mtime time.Time
	}
	var dirs []dirTime
	buf := make([]byte, 256<<10)
	var done int64
	report := func(item string) {
		p.Report(progress.Event{Phase: "Extracting media files", Item: item, Done: done, Total: total, Unit: "bytes"})
	}
	var made string // the folder last made for a file
	fl := newFlusher()
	defer fl.wait() // on an early return; the normal end waits below
	for i, f := range r.zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fl.failed(); err != nil {
			return err
		}
		if !isMedia(f.Name) {
			continue
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(f.Name, MediaPrefix), "/")
		if rel == "" {
			rel = "."
		}
		local := filepath.FromSlash(rel)
		if rel != "." && !filepath.IsLocal(local) {
			return fmt.Errorf("%s: %w: %q would be written outside the media folder", r.path, ErrUnsafePath, f.Name)
		}
		if f.Mode().IsDir() {
			if err := root.MkdirAll(local, f.Mode().Perm()|0o700); err != nil {
				return fmt.Errorf("cannot create the media folder %s: %w", filepath.Join(dest, local), err)
			}
			dirs = append(dirs, dirTime{local, f.Mode().Perm() | 0o700, f.Modified})
			continue
		}
		// Files come folder by folder: create a folder once, not for each
		// of its files.
		if parent := filepath.Dir(local); parent != "." && parent != made {
			if err := root.MkdirAll(parent, 0o755); err != nil {
				return fmt.Errorf("cannot create the media folder %s: %w", filepath.Join(dest, parent), err)
			}
			made = parent
		}
		if err := r.extractFile(ctx, root, i, local, buf, fl, func(n int) { done += int64(n); report(f.Name) }); err != nil {
			return err
		}
	}
	if err := fl.wait(); err != nil {
		return err
	}
	// Folder modes and times last: creating their content changed the
	// times. Deepest first.
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		if err := root.Chmod(d.name, d.perm); err != nil {
			return fmt.Errorf("cannot set the mode of %s: %w", filepath.Join(dest, d.name), err)
		}
		if !d.mtime.IsZero() {
			if err := root.Chtimes(d.name, d.mtime, d.mtime); err != nil {
				return fmt.Errorf("cannot set the time of %s: %w", filepath.Join(dest, d.name), err)
			}
		}
		if syncExtracted {
			if err := fsutil.SyncDir(filepath.Join(dest, d.name)); err != nil {
				return err
			}
		}
	}
	report("")
	return nil
}

func (r *Reader) extractFile(ctx context.Context, root *os.Root, i int, local string, buf []byte, fl *flusher, onData func(int)) (err error) {
	f := r.zr.File[i]
	in, err := r.open(i)
	if err != nil {
		return err
	}
	defer in.Close()
	perm := f.Mode().Perm()
	if perm == 0 {
		perm = 0o644
	}
	out, err := root.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("cannot extract %s: %s already exists; extract into an empty folder", f.Name, filepath.Join(root.Name(), local))
		}
		return fmt.Errorf("cannot create the media file %s: %w", filepath.Join(root.Name(), local), err)
	}
	defer func() {
		if out == nil {
			return // handed to the flusher
		}
		if cerr := out.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("cannot write the media file %s: %w", filepath.Join(root.Name(), local), cerr)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				return fmt.Errorf("cannot write the media file %s: %w", filepath.Join(root.Name(), local), err)
			}
			onData(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := out.Chmod(perm); err != nil { // exact, whatever the umask
		return fmt.Errorf("cannot set the mode of %s: %w", filepath.Join(root.Name(), local), err)
	}
	if !f.Modified.IsZero() {
		if err := root.Chtimes(local, f.Modified, f.Modified); err != nil {
			return fmt.Errorf("cannot set the time of %s: %w", filepath.Join(root.Name(), local), err)
		}
	}
	if syncExtracted {
		fl.add(out, filepath.Join(root.Name(), local))
		out = nil
	}
	return nil
}

// flusher fsyncs and closes extracted files on a few goroutines of its own,
// so that the disk flushes several files at once while the next ones are
// written: one file after the other, a restore of thousands of media files
// spends most of its time waiting for each flush.
type flusher struct {
	files chan flushFile
	wg    sync.WaitGroup
	once  sync.Once
	mu    sync.Mutex
	err   error
}

type flushFile struct {
	f    *os.File
	path string
}

// flushers is how many files are flushed at once.
const flushers = 4

func newFlusher() *flusher {
	fl := &flusher{files: make(chan flushFile, 4*flushers)}
	fl.wg.Add(flushers)
	for range flushers {
		go fl.run()
	}
	return fl
}

func (fl *flusher) run() {
	defer fl.wg.Done()
	for ff := range fl.files {
		err := ff.f.Sync()
		if err != nil {
			err = fmt.Errorf("cannot flush the media file %s to disk: %w", ff.path, err)
		}
		if cerr := ff.f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("cannot write the media file %s: %w", ff.path, cerr)
		}
		if err != nil {
			fl.mu.Lock()
			if fl.err == nil {
				fl.err = err
			}
			fl.mu.Unlock()
		}
	}
}

// add hands f, written completely, to the flusher, which closes it.
func (fl *flusher) add(f *os.File, path string) { fl.files <- flushFile{f, path} }

// failed returns the first error so far.
func (fl *flusher) failed() error {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.err
}

// wait waits until every file added is flushed and closed and returns the
// first error. It may be called more than once.
func (fl *flusher) wait() error {
	fl.once.Do(func() {
		close(fl.files)
		fl.wg.Wait()
	})
	return fl.failed()
}
