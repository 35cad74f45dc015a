package archive

import (
	"errors"
	"time"
)

// KnownMedia is what an earlier complete backup says about the media files
// it holds: for each entry name, the content's size, CRC-32 and SHA-256 and
// the file's modification time. Create uses it to skip computing the
// SHA-256 of media files that have not changed since (see
// CreateOptions.Known). Make one with LoadKnownMedia.
type KnownMedia struct {
	from  string
	files map[string]knownFile
}

type knownFile struct {
	size  int64
	mtime int64 // Unix seconds, as the archive records it
	crc   uint32
	sum   Digest
}

// From returns the path of the backup k was read from.
func (k *KnownMedia) From() string {
	if k == nil {
		return ""
	}
	return k.from
}

// Len returns the number of media files k knows.
func (k *KnownMedia) Len() int {
	if k == nil {
		return 0
	}
	return len(k.files)
}

// match returns what k knows of the entry name when the file's size and
// modification time are those recorded; a file that may have changed since
// is not matched.
func (k *KnownMedia) match(name string, size int64, mtime time.Time) (*knownFile, bool) {
	if k == nil {
		return nil, false
	}
	f, ok := k.files[name]
	if !ok || f.size != size || f.mtime != mtime.Unix() {
		return nil, false
	}
	return &f, true
}

// LoadKnownMedia reads what the backup at path says about its media files:
// its manifest (whose own CRC-32 is checked as it is read) and the ZIP
// directory's CRC-32 and modification time of each media entry. The
// content of the entries is not read. Errors are those of Open.
func LoadKnownMedia(path string) (*KnownMedia, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	k := &KnownMedia{from: path, files: make(map[string]knownFile, r.m.Media.Files)}
	for i, f := range r.zr.File {
		e, ok := r.entry(i)
		if !ok || !isMedia(e.Name) || f.Mode().IsDir() {
			continue
		}
		if f.UncompressedSize64 != uint64(e.Size) || f.Modified.IsZero() {
			continue
		}
		k.files[e.Name] = knownFile{size: e.Size, mtime: f.Modified.Unix(), crc: f.CRC32, sum: e.SHA256}
	}
	return k, nil
}

// errKnownStale: a media file matched CreateOptions.Known by size and
// modification time, but the CRC-32 of the content just read differs from
// the one recorded, so the recorded SHA-256 cannot be taken over.
var errKnownStale = errors.New("a media file changed without a new modification time")
