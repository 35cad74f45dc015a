package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
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
	// Known, when not nil, is what an earlier backup says about its media
	// files (LoadKnownMedia). A media file with the size and modification
	// time recorded there is not hashed again: once it has been read, and
	// the CRC-32 of the bytes read matches the one recorded, the recorded
	// SHA-256 is taken over. If the CRC-32 differs (the content changed
	// without a new modification time), the whole backup is made again with
	// every file hashed, so a manifest never lists a checksum that was not
	// made from the same bytes.
	Known *KnownMedia
}

// Result describes a finished backup.
type Result struct {
	Path     string // the archive, Dir/FileName
	Size     int64  // its size in bytes
	Manifest *Manifest
	// Skipped are the media entries not backed up (see Manifest.Skipped).
	Skipped []string
	// Reused is the number of media files whose SHA-256 was taken over from
	// CreateOptions.Known instead of computed.
	Reused int
}

// Create writes a complete backup archive to Dir/FileName. It writes under
// a hidden temporary name (see IsPartial), fsyncs, and renames only when
// everything succeeded; on any error or cancellation the temporary file is
// removed and no file is left. A full disk gives an error wrapping
// ErrDiskFull. Callers hold the global backup lock and should run
// CleanupPartials(Dir) first.
func Create(ctx context.Context, o CreateOptions) (*Result, error) {
	res, err := create(ctx, o)
	if errors.Is(err, errKnownStale) && ctx.Err() == nil {
		if o.Log != nil {
			o.Log(fmt.Sprintf("%v; making the backup again with the checksum of every media file computed", err))
		}
		o.Known = nil
		res, err = create(ctx, o)
	}
	return res, err
}

func create(ctx context.Context, o CreateOptions) (res *Result, err error) {
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
	var out *outFile
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
			// The archive is written in the background: name the part
			// that did not fit rather than the one being produced.
			if part, ok := out.failedPart(); ok {
				stage = part
			}
			err = &DiskFullError{Dir: o.Dir, What: stage, Err: err}
		}
		res = nil
	}()

	bs := &buffers{}
	out = newOutFile(f, bs)
	pool := newDeflatePool(deflateLevel, bs)
	// The media files are read and hashed ahead, from now on, while the
	// database is dumped.
	rd := startMediaReader(media.root, media.items, o.Known, pool, bs)
	defer func() {
		rd.stop()
		pool.close()
		out.abort()
		bs.free()
	}()
	zw := zip.NewWriter(out)
	registerWriter(zw)
	setStage := func(s string) {
		stage = s
		zw.Flush() // so that out knows where the part begins; errors surface later
		out.mark(s)
	}
	setStage(stage)
	m := o.newManifest()

	// The database dump, streamed straight into its entry.
	sum, ent, err := writeDump(ctx, zw, pool, o)
	if err != nil {
		return nil, err
	}
	m.Entries = append(m.Entries, ent)
	m.addSummary(sum)

	// The media folder.
	hashes, err := writeMediaFiles(ctx, zw, pool, rd, media, m, setStage, o.Progress)
	if err != nil {
		return nil, err
	}
	rd.finish()
	reused := 0
	for _, h := range hashes {
		m.Entries[h.entry].SHA256 = h.hash.sum
		if h.hash.known {
			reused++
		}
	}
	if reused > 0 {
		logf(fmt.Sprintf("the checksums of %d unchanged media files were taken from %s", reused, filepath.Base(o.Known.From())))
	}
	m.Media.EmptyDirs = media.emptyDirs
	m.Skipped = append(m.Skipped, media.skipped...)

	// The settings, without secrets.
	setStage(ConfigEntry)
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
	setStage(ManifestEntry)
	if err = writeManifest(zw, o.Now, m); err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", ManifestEntry, err)
	}

	setStage("the end of the archive")
	if err = zw.Close(); err != nil {
		return nil, fmt.Errorf("cannot finish the archive: %w", err)
	}
	if err = out.finish(); err != nil {
		return nil, fmt.Errorf("cannot write the archive: %w", err)
	}
	if err = f.Sync(); err != nil {
		return nil, fmt.Errorf("cannot flush the archive to disk: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// All of it is on the disk now: its pages need not stay in memory.
	dropCached(f, 0, info.Size())
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
	return &Result{Path: final, Size: info.Size(), Manifest: m, Skipped: m.Skipped, Reused: reused}, nil
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
	e := Entry{Name: name, Size: hw.n}
	hw.h.Sum(e.SHA256[:0])
	return e
}

// writeDump streams dump.Write into the dump entry. The dump is encoded on
// this goroutine while the pool's workers compress it and a hash queue
// hashes it, so that reading the database, compressing and hashing overlap.
func writeDump(ctx context.Context, zw *zip.Writer, pool *deflatePool, o CreateOptions) (*dump.Summary, Entry, error) {
	hdr := &zip.FileHeader{Name: DumpEntry, Method: zip.Deflate, Modified: o.Now}
	hdr.SetMode(0o644)
	w, err := createRaw(zw, hdr)
	if err != nil {
		return nil, Entry{}, fmt.Errorf("cannot start %s: %w", DumpEntry, err)
	}
	hq := newHashQueue(1, 16)
	eh := hq.newEntry(0)
	de := pool.entry(w, hq, eh)
	sum, err := dump.Write(ctx, o.DB, o.Database, ctxWriter{ctx, de}, dump.WriteOptions{Progress: o.Progress, Log: o.Log})
	if err == nil && sum == nil {
		err = errors.New("the dump returned no summary")
	}
	if err == nil {
		if cerr := de.Close(); cerr != nil && ctx.Err() == nil {
			hq.abandon()
			return nil, Entry{}, fmt.Errorf("cannot write %s: %w", DumpEntry, cerr)
		}
		hq.close()
	} else {
		de.abort()
		hq.abandon()
	}
	switch {
	case de.err != nil && ctx.Err() == nil: // the archive's side failed first: that is the cause
		return nil, Entry{}, fmt.Errorf("cannot write %s: %w", DumpEntry, de.err)
	case ctx.Err() != nil:
		return nil, Entry{}, ctx.Err()
	case err != nil:
		return nil, Entry{}, fmt.Errorf("cannot save the database: %w", err)
	}
	finishRaw(hdr, de.crc, de.csize, de.size)
	return sum, Entry{Name: DumpEntry, Size: de.size, SHA256: eh.sum}, nil
}

// ctxWriter stops writing once ctx is cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(p)
}

// pendingHash is a manifest entry whose SHA-256 the media reader's hash
// queue is still computing.
type pendingHash struct {
	entry int // index in Manifest.Entries
	hash  *entryHash
}

// writeMediaFiles adds the media items in the order rd delivers them (the
// scan's) and their file entries to m, with the SHA-256 left empty: the
// hashes it returns are complete once rd.finish returns. Items that
// vanished or stopped being regular files are skipped and logged.
func writeMediaFiles(ctx context.Context, zw *zip.Writer, pool *deflatePool, rd *mediaReader, media *mediaScan,
	m *Manifest, setStage func(string), report progress.Func) ([]pendingHash, error) {
	var hashes []pendingHash
	var done int64
	for mf := range rd.files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		it := mf.it
		setStage(it.name)
		switch {
		case mf.err != nil:
			return nil, mf.err
		case mf.skip:
			media.skip(it.name, "it was deleted or replaced by a link or special file while the backup ran")
			continue
		case it.dir:
			hdr := &zip.FileHeader{Name: it.name, Method: zip.Store, Modified: it.mtime}
			hdr.SetMode(fs.ModeDir | it.mode.Perm())
			if _, err := zw.CreateHeader(hdr); err != nil {
				return nil, fmt.Errorf("cannot add the folder %s: %w", it.name, err)
			}
			continue
		}
		size, err := writeMediaFile(ctx, zw, pool, rd, mf, func(n int) {
			done += int64(n)
			report.Report(progress.Event{Phase: "Copying media files", Item: it.name, Done: done, Total: media.bytes, Unit: "bytes"})
		})
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, pendingHash{entry: len(m.Entries), hash: mf.hash})
		m.Entries = append(m.Entries, Entry{Name: it.name, Size: size})
		m.Media.Files++
		m.Media.Bytes += size
	}
	return hashes, nil
}

// writeMediaFile writes one regular file's entry: stored, or deflated (see
// methodFor) on the pool's workers, with the CRC-32 and SHA-256 that the
// reader computes. It returns the content's size.
func writeMediaFile(ctx context.Context, zw *zip.Writer, pool *deflatePool, rd *mediaReader, mf *mediaFile, onData func(int)) (int64, error) {
	it := mf.it
	hdr := &zip.FileHeader{Name: it.name, Method: methodFor(it.name), Modified: mf.mtime}
	hdr.SetMode(mf.mode)
	w, err := createRaw(zw, hdr)
	if mf.whole != nil {
		// Compressed ahead by the reader's workers.
		b := mf.whole
		<-b.compressed
		size := int64(len(b.in))
		werr := b.err
		if err == nil && werr == nil && mf.known != nil && (b.crc != mf.known.crc || size != mf.known.size) {
			werr = fmt.Errorf("%w: %s", errKnownStale, it.name)
		}
		if err == nil && werr == nil {
			_, werr = w.Write(b.out.Bytes())
			finishRaw(hdr, b.crc, int64(b.out.Len()), size)
		}
		pool.release(b)
		rd.release(mf.wholeChunk)
		switch {
		case err != nil:
			return 0, fmt.Errorf("cannot add %s: %w", it.name, err)
		case errors.Is(werr, errKnownStale):
			return 0, werr
		case werr != nil:
			return 0, fmt.Errorf("cannot write %s: %w", it.name, werr)
		}
		onData(int(size))
		return size, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot add %s: %w", it.name, err)
	}
	var de *deflateEntry
	if hdr.Method == zip.Deflate {
		de = pool.entry(w, nil, nil)
		defer de.abort()
	}
	for c := range mf.chunks {
		if err := ctx.Err(); err != nil {
			rd.release(c)
			return 0, err
		}
		if de != nil {
			_, err = de.Write(c.data)
		} else {
			_, err = w.Write(c.data)
		}
		n := len(c.data)
		rd.release(c)
		if err != nil {
			return 0, fmt.Errorf("cannot write %s: %w", it.name, err)
		}
		onData(n)
	}
	if mf.readErr != nil {
		return 0, mf.readErr
	}
	if mf.known != nil && (mf.crc != mf.known.crc || mf.size != mf.known.size) {
		return 0, fmt.Errorf("%w: %s", errKnownStale, it.name)
	}
	csize := mf.size
	if de != nil {
		if err := de.Close(); err != nil {
			return 0, fmt.Errorf("cannot write %s: %w", it.name, err)
		}
		csize = de.csize
	}
	finishRaw(hdr, mf.crc, csize, mf.size)
	return mf.size, nil
}

// writeManifest adds manifest.json: m as indented JSON with its entries
// last, one line each, encoded as they are written. A backup may list many
// thousands of files; the manifest is never held whole in memory.
func writeManifest(zw *zip.Writer, mod time.Time, m *Manifest) error {
	head := *m
	head.Entries = nil // omitted: written below
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the manifest: %w", err)
	}
	b, ok := bytes.CutSuffix(b, []byte("\n}"))
	if !ok {
		return fmt.Errorf("cannot encode the manifest: unexpected end %q", b[max(0, len(b)-8):])
	}
	w, err := createSmall(zw, ManifestEntry, mod)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b)
	bw.WriteString(",\n  \"entries\": [")
	for i, e := range m.Entries {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("cannot encode the manifest: %w", err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(line)
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// createSmall starts a small deflated entry (config.json, manifest.json).
func createSmall(zw *zip.Writer, name string, mod time.Time) (io.Writer, error) {
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod}
	hdr.SetMode(0o644)
	return zw.CreateHeader(hdr)
}

// writeBytes adds a small deflated entry holding data.
func writeBytes(zw *zip.Writer, name string, mod time.Time, data []byte) (Entry, error) {
	w, err := createSmall(zw, name, mod)
	if err != nil {
		return Entry{}, err
	}
	hw := newHashWriter(context.Background(), w)
	if _, err := hw.Write(data); err != nil {
		return Entry{}, err
	}
	return hw.entry(name), nil
}
