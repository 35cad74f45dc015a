package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Read-ahead of the media folder: mediaChunks buffers of mediaChunkSize
// bytes bound the memory it takes.
const (
	mediaChunkSize = 256 << 10
	mediaChunks    = 32
)

// mediaChunk is a piece of a media file's content, read ahead of the
// archive writer. It is shared by the writer and the hash queue and goes
// back to the pool when both are done with it.
type mediaChunk struct {
	buf  []byte
	data []byte
	refs atomic.Int32
}

// mediaFile is a media item as the reader found it, in the scan's order.
type mediaFile struct {
	it *mediaItem
	// skip: the file vanished or is no longer a regular file; nothing is
	// written for it.
	skip bool
	// err: the file could not be opened or examined; the backup fails.
	err   error
	mtime time.Time
	mode  fs.FileMode
	hash  *entryHash
	// known is set when the file matched CreateOptions.Known: its content
	// is not hashed, and hash holds the recorded SHA-256, valid only if the
	// content read has the recorded CRC-32 and size (the writer checks).
	known *knownFile
	// whole is set when the file's whole content, which fits one chunk, is
	// being compressed ahead (a deflated entry); wholeChunk holds it.
	whole      *deflateBlock
	wholeChunk *mediaChunk
	// Otherwise chunks carries the content in order; it is closed at the
	// end of the file, or early after a read error, which readErr then
	// holds. crc and size are the content's CRC-32 and size, set before
	// chunks is closed.
	chunks  chan *mediaChunk
	readErr error
	crc     uint32
	size    int64
}

// mediaReader opens and reads the media files in the scan's order on a
// goroutine of its own, ahead of the archive writer: it computes each
// file's CRC-32 while the content is fresh in the processor's cache, has
// the SHA-256 computed by a hash queue (one lane per processor) and small
// files that are deflated compressed ahead by the deflate pool, so that
// reading, hashing, compressing and writing the archive overlap. It may run
// ahead while the database is being dumped.
type mediaReader struct {
	root  string
	items []mediaItem
	known *KnownMedia
	bs    *buffers
	made  int // chunks allocated so far
	dpool *deflatePool
	files chan *mediaFile
	pool  chan *mediaChunk
	hq    *hashQueue
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// startMediaReader starts reading items. Receive every file from files,
// then call finish; or call stop at any time to give up.
func startMediaReader(root string, items []mediaItem, known *KnownMedia, dpool *deflatePool, bs *buffers) *mediaReader {
	r := &mediaReader{root: root, items: items, known: known, dpool: dpool, bs: bs, files: make(chan *mediaFile, 64), pool: make(chan *mediaChunk, mediaChunks),
		hq: newHashQueue(min(max(runtime.GOMAXPROCS(0), 1), 4), mediaChunks+64), quit: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

// release gives up one reference to c.
func (r *mediaReader) release(c *mediaChunk) {
	if c.refs.Add(-1) == 0 {
		r.pool <- c
	}
}

func (r *mediaReader) send(mf *mediaFile) bool {
	select {
	case r.files <- mf:
		return true
	case <-r.quit:
		return false
	}
}

func (r *mediaReader) run() {
	defer close(r.done)
	defer close(r.files)
	for i := range r.items {
		it := &r.items[i]
		mf := &mediaFile{it: it}
		if it.dir {
			if !r.send(mf) {
				return
			}
			continue
		}
		path := it.path(r.root)
		f, err := os.OpenFile(path, mediaOpenFlags, 0)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || isLinkLoop(err) {
				mf.skip = true
				if !r.send(mf) {
					return
				}
				continue
			}
			mf.err = fmt.Errorf("cannot read the media file %s: %w; check that this user may read it", path, err)
			r.send(mf)
			return
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			mf.err = fmt.Errorf("cannot read the media file %s: %w", path, err)
			r.send(mf)
			return
		}
		if !info.Mode().IsRegular() {
			f.Close()
			mf.skip = true
			if !r.send(mf) {
				return
			}
			continue
		}
		mf.mtime, mf.mode = info.ModTime(), info.Mode().Perm()
		if k, ok := r.known.match(it.name, info.Size(), mf.mtime); ok {
			mf.known = k
			mf.hash = &entryHash{sum: k.sum, known: true}
		} else {
			mf.hash = r.hq.newEntry(info.Size())
		}
		ok := r.read(f, mf)
		f.Close()
		if !ok {
			return
		}
	}
}

// fillChunk reads from f into c until c is full or the file ends; eof reports
// the end.
func fillChunk(f *os.File, c *mediaChunk) (eof bool, err error) {
	n := 0
	for n < len(c.buf) {
		k, err := f.Read(c.buf[n:])
		n += k
		if err == io.EOF {
			c.data = c.buf[:n]
			return true, nil
		}
		if err != nil {
			c.data = c.buf[:n]
			return false, err
		}
	}
	c.data = c.buf[:n]
	return false, nil
}

// hash gives c, a piece of mf's content, to the hash queue (unless mf's
// checksum is known), and takes the writer's reference on c. last says that
// c is all of the content.
func (r *mediaReader) hash(mf *mediaFile, c *mediaChunk, last bool) {
	if mf.known != nil {
		c.refs.Store(1)
		return
	}
	c.refs.Store(2)
	r.hq.add(mf.hash, c.data, func() { r.release(c) })
	if last {
		r.hq.end(mf.hash)
	}
}

// read reads f's content and sends mf: either compressed ahead (a small
// deflated file) or followed by its content on mf.chunks. Every piece goes
// to the hash queue too, unless mf's checksum is known. It returns false when reading failed or the
// reader was stopped.
func (r *mediaReader) read(f *os.File, mf *mediaFile) bool {
	first := true
	for {
		var c *mediaChunk
		select {
		case c = <-r.pool:
		case <-r.quit:
			if !first {
				close(mf.chunks)
			}
			return false
		default:
			// The chunks are made as they are first needed, up to
			// mediaChunks: a backup without media files needs none.
			if r.made < mediaChunks {
				r.made++
				c = &mediaChunk{buf: r.bs.get(mediaChunkSize)}
				break
			}
			select {
			case c = <-r.pool:
			case <-r.quit:
				if !first {
					close(mf.chunks)
				}
				return false
			}
		}
		eof, err := fillChunk(f, c)
		if err != nil {
			err = fmt.Errorf("cannot read the media file %s: %w", mf.it.path(r.root), err)
		}
		if first && eof && err == nil && len(c.data) > 0 && methodFor(mf.it.name) == zip.Deflate {
			// All of it in one chunk: compress it now, on a worker.
			r.hash(mf, c, true)
			if mf.whole = r.dpool.compressWhole(c.data, r.quit); mf.whole == nil {
				return false
			}
			mf.wholeChunk = c
			return r.send(mf)
		}
		if first {
			first = false
			mf.chunks = make(chan *mediaChunk, 8)
			if !r.send(mf) {
				return false
			}
		}
		if len(c.data) > 0 {
			mf.crc = crc32.Update(mf.crc, crc32.IEEETable, c.data)
			mf.size += int64(len(c.data))
			r.hash(mf, c, false)
			select {
			case mf.chunks <- c:
			case <-r.quit:
				close(mf.chunks)
				return false
			}
		} else {
			r.pool <- c
		}
		switch {
		case err != nil:
			mf.readErr = err
			close(mf.chunks)
			return false
		case eof:
			if mf.known == nil {
				r.hq.end(mf.hash)
			}
			close(mf.chunks)
			return true
		}
	}
}

// finish waits until every file has been read and hashed; the entries'
// hashes are complete afterwards. Call it after receiving the last file.
func (r *mediaReader) finish() {
	r.once.Do(func() {
		<-r.done
		r.hq.close()
	})
}

// stop makes the reader give up and waits for it and its hash queue.
func (r *mediaReader) stop() {
	r.once.Do(func() {
		close(r.quit)
		<-r.done
		r.hq.abandon()
	})
}
