package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/backupdesktop/backup-desktop/internal/core/dump"
	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// Report is the result of a successful Verify.
type Report struct {
	Manifest *Manifest
	Dump     *dump.Summary
	Size     int64 // the archive's size in bytes
}

// Verify checks the backup at path completely: it is a whole ZIP file with
// a manifest of a supported version; every entry name is safe; every entry
// the manifest lists is present with its size and SHA-256, and no file
// entry is unlisted; the database dump reads to its end (dump.Scan) and its
// per-table row counts equal the manifest's; the media counts match.
// Progress is reported in bytes of content read.
//
// Errors wrap ErrNotZip, ErrTruncated, ErrIncomplete, ErrNotBackup,
// ErrUnsupportedVersion or ErrUnsafePath, or are a *CorruptEntryError
// naming the damaged entry; each message says what to do.
func Verify(ctx context.Context, path string, p progress.Func) (*Report, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	m := r.m

	// Structure first: it costs no reading of content.
	if err := r.CheckStructure(); err != nil {
		return nil, err
	}
	var total int64
	for _, e := range m.Entries {
		total += e.Size
	}

	// Then every byte, in archive order.
	pr := &progressReader{ctx: ctx, p: p, total: total}
	var sum *dump.Summary
	for i, f := range r.zr.File {
		if f.Mode().IsDir() || f.Name == ManifestEntry {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		er, err := r.open(i)
		if err != nil {
			return nil, err
		}
		pr.r, pr.item = er, f.Name
		if f.Name == DumpEntry {
			sum, err = scanDump(path, pr)
		} else {
			_, err = io.CopyBuffer(io.Discard, pr, make([]byte, 256<<10))
		}
		er.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
	}
	if sum == nil {
		return nil, &CorruptEntryError{Path: path, Name: DumpEntry, Reason: "is missing"}
	}
	if err := compareTables(path, m, sum); err != nil {
		return nil, err
	}
	pr.report()
	return &Report{Manifest: m, Dump: sum, Size: r.size}, nil
}

// CheckStructure checks what the archive's central directory and manifest
// say, without reading any content: every entry the manifest lists is
// present with its size, no file entry is unlisted, folders lie under
// media/, and the media counts match. Open has already checked every name.
// A restore runs it up front and checks the content while it loads.
func (r *Reader) CheckStructure() error {
	m, path := r.m, r.path
	if len(r.missing) > 0 {
		return &CorruptEntryError{Path: path, Name: m.Entries[r.missing[0]].Name, Reason: "is listed in the manifest but missing from the archive"}
	}
	var mediaFiles int
	var mediaBytes int64
	for i, f := range r.zr.File {
		if f.Mode().IsDir() {
			if !isMedia(f.Name) {
				return &CorruptEntryError{Path: path, Name: f.Name, Reason: "is a folder outside media/"}
			}
			continue
		}
		if f.Name == ManifestEntry {
			continue
		}
		want, ok := r.entry(i)
		if !ok {
			return &CorruptEntryError{Path: path, Name: f.Name, Reason: "is not listed in the manifest"}
		}
		if f.UncompressedSize64 != uint64(want.Size) {
			return &CorruptEntryError{Path: path, Name: f.Name, Reason: fmt.Sprintf("has %d bytes, but the manifest says %d", f.UncompressedSize64, want.Size)}
		}
		if isMedia(f.Name) {
			mediaFiles++
			mediaBytes += want.Size
		}
	}
	if mediaFiles != m.Media.Files || mediaBytes != m.Media.Bytes {
		return &CorruptEntryError{Path: path, Name: ManifestEntry, Reason: fmt.Sprintf("counts %d media files of %d bytes, but the archive holds %d files of %d bytes", m.Media.Files, m.Media.Bytes, mediaFiles, mediaBytes)}
	}
	return nil
}

// CheckRows checks that a loaded or scanned dump holds the row counts the
// manifest lists for every table.
func (r *Reader) CheckRows(sum *dump.Summary) error { return compareTables(r.path, r.m, sum) }

// scanDump reads the dump entry through r with dump.Scan and then to its
// end, so that its checksum is checked even when Scan stops early.
func scanDump(path string, r io.Reader) (*dump.Summary, error) {
	sum, scanErr := dump.Scan(r)
	_, drainErr := io.Copy(io.Discard, r)
	var ce *CorruptEntryError
	switch {
	case errors.As(scanErr, &ce): // the content is damaged: say so first
		return nil, ce
	case errors.As(drainErr, &ce):
		return nil, ce
	case errors.Is(scanErr, dump.ErrUnsupportedVersion):
		return nil, fmt.Errorf("%s: %w: its database dump has a newer format (%w); update Backup Desktop to use this backup", path, ErrUnsupportedVersion, scanErr)
	case scanErr != nil:
		return nil, &CorruptEntryError{Path: path, Name: DumpEntry, Reason: "is not a complete, well-formed database dump", Err: scanErr}
	case drainErr != nil:
		return nil, &CorruptEntryError{Path: path, Name: DumpEntry, Reason: "cannot be read", Err: drainErr}
	case sum == nil:
		return nil, &CorruptEntryError{Path: path, Name: DumpEntry, Reason: "has no summary"}
	}
	return sum, nil
}

// compareTables checks that the dump and the manifest agree on every
// table's row count.
func compareTables(path string, m *Manifest, sum *dump.Summary) error {
	got := make(map[string]int64, len(sum.Tables))
	for _, t := range sum.Tables {
		got[t.Name] = t.Rows
	}
	names := make([]string, 0, len(got)+len(m.Tables))
	for n := range got {
		names = append(names, n)
	}
	for n := range m.Tables {
		if _, ok := got[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		rows, inDump := got[n]
		want, inManifest := m.Tables[n]
		var reason string
		switch {
		case !inManifest:
			reason = fmt.Sprintf("holds table %q, which the manifest does not list", n)
		case !inDump:
			reason = fmt.Sprintf("lacks table %q, which the manifest lists with %d rows", n, want)
		case rows != want:
			reason = fmt.Sprintf("holds %d rows of table %q, but the manifest says %d", rows, n, want)
		default:
			continue
		}
		return &CorruptEntryError{Path: path, Name: DumpEntry, Reason: reason}
	}
	return nil
}

// progressReader reports bytes read across the entries of an archive, at
// most once per MiB, and stops when ctx is cancelled.
type progressReader struct {
	ctx        context.Context
	p          progress.Func
	r          io.Reader
	item       string
	done, last int64
	total      int64
}

func (pr *progressReader) Read(b []byte) (int, error) {
	if err := pr.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := pr.r.Read(b)
	pr.done += int64(n)
	if pr.done-pr.last >= 1<<20 {
		pr.report()
	}
	return n, err
}

func (pr *progressReader) report() {
	pr.last = pr.done
	pr.p.Report(progress.Event{Phase: "Checking backup", Item: pr.item, Done: pr.done, Total: pr.total, Unit: "bytes"})
}
