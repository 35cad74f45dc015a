package archive

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/dump"
	"github.com/backupdesktop/backup-desktop/internal/core/fsutil"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// CreateOptions says what to back up and where.
type CreateOptions struct {
	// DB and Database are the source database.
	DB       *sql.DB
	Database string
	// MediaDir is the media folder; it must exist.
	MediaDir string
	// Dir is the backup folder, created when missing. It may not lie inside
	// MediaDir.
	Dir string
	// FileName is the archive's final name in Dir (see package backupname).
	FileName string
	// Overwrite allows replacing an existing FileName; without it Create
	// returns ErrExists and writes nothing.
	Overwrite bool
	// Kind and Now are recorded in the manifest. Now is the backup's moment
	// in local time (it may be simulated); zero means time.Now().
	Kind backupname.Kind
	Now  time.Time
	// Config is written as config.json, without secrets (Redacted).
	Config settings.Settings
	// AppVersion is recorded in the manifest.
	AppVersion string
	// Progress receives progress events: first those of dump.Write
	// ("Saving database"), then "Copying media files" in bytes. It is never
	// called concurrently.
	Progress progress.Func
	// Log receives lines for the log file (skipped media files, tables
	// outside the snapshot, …). It is never called concurrently.
	Log func(string)
}

// Result describes a finished backup.
type Result struct {
	Path     string // the archive, Dir/FileName
	Size     int64  // its size in bytes
	Manifest *Manifest
	// Skipped are the media entries not backed up (see Manifest.Skipped).
	Skipped []string
}

// Create writes a complete backup archive to Dir/FileName. It writes under
// a hidden temporary name (see IsPartial), fsyncs, and renames only when
// everything succeeded; on any error or cancellation the temporary file is
// removed and no file is left. A full disk gives an error wrapping
// ErrDiskFull. Callers hold the global backup lock and should run
// CleanupPartials(Dir) first.
func Create(ctx context.Context, o CreateOptions) (res *Result, err error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	logf := func(msg string) {
		if o.Log != nil {
			o.Log(msg)
		}
	}
	media, err := scanMedia(ctx, o.MediaDir, logf)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the backup folder %s: %w; check backup_dir in the settings and the folder's permissions", o.Dir, err)
	}
	final := filepath.Join(o.Dir, o.FileName)
	if !o.Overwrite {
		if err := noClobber(final); err != nil {
			return nil, err
		}
	}

	tmp := filepath.Join(o.Dir, partialName(o.FileName))
	key := absPath(tmp)
	writing.Store(key, true)
	defer writing.Delete(key)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		if isDiskFull(err) {
			return nil, &DiskFullError{Dir: o.Dir, What: "a new backup file", Err: err}
		}
		return nil, fmt.Errorf("cannot create a file in the backup folder %s: %w; check that this user may write there", o.Dir, err)
	}
	stage := "the database dump"
	closed := false
	defer func() {
		if err == nil {
			return
		}
		if !closed {
			f.Close()
		}
		os.Remove(tmp)
		switch {
		case ctx.Err() != nil:
			err = cancelled(ctx, err)
		case isDiskFull(err):
			err = &DiskFullError{Dir: o.Dir, What: stage, Err: err}
		}
		res = nil
	}()

	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	registerWriter(zw)
	m := o.newManifest()

	// The database dump, streamed straight into its entry.
	sum, ent, err := writeDump(ctx, zw, o)
	if err != nil {
		return nil, err
	}
	m.Entries = append(m.Entries, ent)
	m.addSummary(sum)

	// The media folder.
	buf := make([]byte, 256<<10)
	var done int64
	for _, it := range media.items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		stage = it.name
		ent, ok, err := writeMedia(ctx, zw, it, buf, func(n int) {
			done += int64(n)
			o.Progress.Report(progress.Event{Phase: "Copying media files", Item: it.name, Done: done, Total: media.bytes, Unit: "bytes"})
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			media.skip(it.name, "it was deleted or replaced by a link or special file while the backup ran")
			continue
		}
		if !it.dir {
			m.Entries = append(m.Entries, ent)
			m.Media.Files++
			m.Media.Bytes += ent.Size
		}
	}
	m.Media.EmptyDirs = media.emptyDirs
	m.Skipped = append(m.Skipped, media.skipped...)

	// The settings, without secrets.
	stage = ConfigEntry
	cfg, err := json.MarshalIndent(o.Config.Redacted(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot encode the settings: %w", err)
	}
	ent, err = writeBytes(zw, ConfigEntry, o.Now, append(cfg, '\n'))
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", ConfigEntry, err)
	}
	m.Entries = append(m.Entries, ent)

	// The manifest, last.
	stage = ManifestEntry
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot encode the manifest: %w", err)
	}
	if _, err = writeBytes(zw, ManifestEntry, o.Now, append(man, '\n')); err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", ManifestEntry, err)
	}

	stage = "the end of the archive"
	if err = zw.Close(); err != nil {
		return nil, fmt.Errorf("cannot finish the archive: %w", err)
	}
	if err = bw.Flush(); err != nil {
		return nil, fmt.Errorf("cannot write the archive: %w", err)
	}
	if err = f.Sync(); err != nil {
		return nil, fmt.Errorf("cannot flush the archive to disk: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	closed = true
	if err = f.Close(); err != nil {
		return nil, fmt.Errorf("cannot write the archive: %w", err)
	}
	if err = ctx.Err(); err != nil {
		return nil, err
	}
	if !o.Overwrite {
		if err = noClobber(final); err != nil {
			return nil, err
		}
	}
	if err = os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("cannot give the backup its name %s: %w", final, err)
	}
	if err := fsutil.SyncDir(o.Dir); err != nil {
		// The archive is complete and named; only the folder's entry may
		// not have reached the disk yet. Keep the file, report the problem.
		return nil, fmt.Errorf("the backup %s was written, but the backup folder could not be flushed to disk (%w); check the disk", final, err)
	}
	logf(fmt.Sprintf("backup written: %s (%d bytes, %d media files, %d skipped)", final, info.Size(), m.Media.Files, len(m.Skipped)))
	return &Result{Path: final, Size: info.Size(), Manifest: m, Skipped: m.Skipped}, nil
}

func (o *CreateOptions) check() error {
	switch {
	case o.DB == nil:
		return errors.New("no database connection was given")
	case o.Database == "":
		return errors.New("no database name is set; set database.name in the settings")
	case o.Dir == "":
		return errors.New("no backup folder is set; set backup_dir in the settings")
	case o.FileName == "" || o.FileName != filepath.Base(o.FileName) || strings.ContainsAny(o.FileName, `/\`) ||
		strings.HasPrefix(o.FileName, ".") || IsPartial(o.FileName):
		return fmt.Errorf("%q is not a valid backup file name: use a plain file name such as backup_20260101_020000.zip", o.FileName)
	}
	if o.MediaDir != "" && within(o.Dir, o.MediaDir) {
		return fmt.Errorf("the backup folder %s lies inside the media folder %s: every backup would contain the older ones; choose a backup folder outside it", o.Dir, o.MediaDir)
	}
	return nil
}

// within reports whether path is dir or lies inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(absPath(dir), absPath(path))
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// noClobber returns ErrExists when path exists.
func noClobber(path string) error {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return fmt.Errorf("%s: %w; choose another name, or allow overwriting it", path, ErrExists)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("cannot check whether %s exists: %w", path, err)
	}
}

// cancelled turns an error caused by the cancellation of ctx into one that
// says so and wraps ctx's error.
func cancelled(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("the backup was cancelled; no backup file was kept: %w", context.Cause(ctx))
}

func (o *CreateOptions) newManifest() *Manifest {
	host, _ := os.Hostname()
	engine := o.Config.Database.Engine
	if engine == "" {
		engine = "mysql"
	}
	return &Manifest{
		FormatVersion:          FormatVersion,
		AppVersion:             o.AppVersion,
		CreatedUTC:             o.Now.UTC().Round(0),
		LocalOffset:            o.Now.Format("-07:00"),
		Host:                   host,
		Kind:                   string(o.Kind),
		Database:               DatabaseInfo{Engine: engine, Name: o.Database},
		Tables:                 map[string]int64{},
		NonTransactionalTables: []string{},
		Entries:                []Entry{},
		Skipped:                []string{},
	}
}

func (m *Manifest) addSummary(s *dump.Summary) {
	m.Database.Flavor = s.Flavor
	m.Database.ServerVersion = s.ServerVersion
	m.DumpFormatVersion = s.FormatVersion
	for _, t := range s.Tables {
		m.Tables[t.Name] = t.Rows
	}
	m.NonTransactionalTables = append(m.NonTransactionalTables, s.NonTransactional...)
	sc := &SchemaInfo{
		CharacterSet: s.CharacterSet, Collation: s.Collation,
		Charsets: s.Charsets, Collations: s.Collations, Engines: s.Engines,
		Tables: make([]TableInfo, 0, len(s.Tables)),
		Views:  s.Views, Triggers: s.Triggers, Routines: s.Routines, Events: s.Events,
	}
	for _, t := range s.Tables {
		sc.Tables = append(sc.Tables, TableInfo{Name: t.Name, Type: t.Type, Engine: t.Engine, Rows: t.Rows})
	}
	if s.DjangoMigrations != nil {
		sc.DjangoMigrations = make([][2]string, len(s.DjangoMigrations))
		for i, mg := range s.DjangoMigrations {
			sc.DjangoMigrations[i] = [2]string{mg.App, mg.Name}
		}
	}
	m.Schema = sc
}

// hashWriter hashes and counts what it passes on, and stops when ctx is
// cancelled.
type hashWriter struct {
	ctx context.Context
	w   io.Writer
	h   hash.Hash
	n   int64
	err error // the first error of w
}

func newHashWriter(ctx context.Context, w io.Writer) *hashWriter {
	return &hashWriter{ctx: ctx, w: w, h: sha256.New()}
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	if err := hw.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	if err != nil && hw.err == nil {
		hw.err = err
	}
	return n, err
}

func (hw *hashWriter) entry(name string) Entry {
	return Entry{Name: name, Size: hw.n, SHA256: hex.EncodeToString(hw.h.Sum(nil))}
}

// writeDump streams dump.Write into the dump entry. The dump is produced on
// its own goroutine and compressed on this one, so that reading the
// database and compressing overlap.
func writeDump(ctx context.Context, zw *zip.Writer, o CreateOptions) (*dump.Summary, Entry, error) {
	hdr := &zip.FileHeader{Name: DumpEntry, Method: zip.Deflate, Modified: o.Now}
	hdr.SetMode(0o644)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, Entry{}, fmt.Errorf("cannot start %s: %w", DumpEntry, err)
	}
	hw := newHashWriter(ctx, w)
	pr, pw := io.Pipe()
	type result struct {
		sum *dump.Summary
		err error
	}
	ch := make(chan result, 1)
	go func() {
		sum, err := dump.Write(ctx, o.DB, o.Database, pw, dump.WriteOptions{Progress: o.Progress, Log: o.Log})
		if err == nil && sum == nil {
			err = errors.New("the dump returned no summary")
		}
		pw.CloseWithError(err) // nil: the reader sees io.EOF
		ch <- result{sum, err}
	}()
	_, cerr := io.CopyBuffer(hw, pr, make([]byte, 256<<10))
	// Unblock the dump if the copy stopped early (full disk, cancellation).
	pr.CloseWithError(errors.New("the archive stopped accepting data"))
	r := <-ch
	switch {
	case hw.err != nil: // the archive's side failed first: that is the cause
		return nil, Entry{}, fmt.Errorf("cannot write %s: %w", DumpEntry, hw.err)
	case ctx.Err() != nil:
		return nil, Entry{}, ctx.Err()
	case r.err != nil:
		return nil, Entry{}, fmt.Errorf("cannot save the database: %w", r.err)
	case cerr != nil:
		return nil, Entry{}, fmt.Errorf("cannot write %s: %w", DumpEntry, cerr)
	}
	return r.sum, hw.entry(DumpEntry), nil
}

// writeMedia adds one media item. ok is false when the file is gone or is no
// longer a regular file; nothing is written then.
func writeMedia(ctx context.Context, zw *zip.Writer, it mediaItem, buf []byte, onData func(int)) (ent Entry, ok bool, err error) {
	if it.dir {
		hdr := &zip.FileHeader{Name: it.name, Method: zip.Store, Modified: it.mtime}
		hdr.SetMode(fs.ModeDir | it.mode.Perm())
		if _, err := zw.CreateHeader(hdr); err != nil {
			return Entry{}, false, fmt.Errorf("cannot add the folder %s: %w", it.name, err)
		}
		return Entry{}, true, nil
	}
	f, err := os.OpenFile(it.path, mediaOpenFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isLinkLoop(err) {
			return Entry{}, false, nil
		}
		return Entry{}, false, fmt.Errorf("cannot read the media file %s: %w; check that this user may read it", it.path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Entry{}, false, fmt.Errorf("cannot read the media file %s: %w", it.path, err)
	}
	if !info.Mode().IsRegular() {
		return Entry{}, false, nil
	}
	hdr := &zip.FileHeader{Name: it.name, Method: methodFor(it.name), Modified: info.ModTime()}
	hdr.SetMode(info.Mode().Perm())
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return Entry{}, false, fmt.Errorf("cannot add %s: %w", it.name, err)
	}
	hw := newHashWriter(ctx, w)
	for {
		n, rerr := f.Read(buf)
		if n > 0 {
			if _, err := hw.Write(buf[:n]); err != nil {
				return Entry{}, false, fmt.Errorf("cannot write %s: %w", it.name, err)
			}
			onData(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return Entry{}, false, fmt.Errorf("cannot read the media file %s: %w", it.path, rerr)
		}
	}
	return hw.entry(it.name), true, nil
}

// writeBytes adds a small deflated entry holding data.
func writeBytes(zw *zip.Writer, name string, mod time.Time, data []byte) (Entry, error) {
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod}
	hdr.SetMode(0o644)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return Entry{}, err
	}
	hw := newHashWriter(context.Background(), w)
	if _, err := hw.Write(data); err != nil {
		return Entry{}, err
	}
	return hw.entry(name), nil
}
