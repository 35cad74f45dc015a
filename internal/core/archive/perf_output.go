package archive

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
)

// Sizes of the archive file's output blocks: the ZIP stream is gathered into
// outBlocks blocks of outBlockSize bytes, each written with one system call
// on a goroutine of its own, so that the disk works while the next block is
// being filled.
const (
	outBlockSize = 1 << 20
	outBlocks    = 8
	// directAlign is the alignment of buffers, sizes and offsets that
	// unbuffered (O_DIRECT) writes need: a page, which covers the logical
	// block size of every common disk.
	directAlign = 4096
)

// outFile is the writer under the archive's zip.Writer. It copies what it is
// given into aligned blocks and writes full blocks in the background, in
// order. Where the file system allows it (see enableDirect) the blocks go
// straight to the disk, bypassing the page cache: the data is on the disk
// as soon as it is written, the closing fsync has little left to do, and a
// backup does not push the computer's working files out of its memory.
// Anywhere else the writes are ordinary buffered ones.
//
// Write and finish are called from one goroutine. The first write error is
// kept and returned by every later call.
type outFile struct {
	f      *os.File
	direct bool // O_DIRECT is set on f (touched only by run once started)
	cur    []byte
	free   chan []byte
	queue  chan []byte
	done   chan struct{}
	closed bool

	accepted int64        // bytes taken by Write
	written  atomic.Int64 // bytes on the file
	marks    []stageMark  // where the parts not yet written began

	mu     sync.Mutex
	err    error
	errOff int64 // where the write that failed stopped
}

// stageMark says that the archive's part called name begins at off.
type stageMark struct {
	off  int64
	name string
}

// newOutFile starts writing to f, which must be empty and positioned at 0,
// with blocks from bs. Call finish (or abort) to stop the background
// goroutine.
func newOutFile(f *os.File, bs *buffers) *outFile {
	o := &outFile{f: f, direct: enableDirect(f),
		free: make(chan []byte, outBlocks), queue: make(chan []byte, outBlocks), done: make(chan struct{})}
	for range outBlocks {
		o.free <- bs.get(outBlockSize)[:0]
	}
	o.cur = <-o.free
	go o.run()
	return o
}

func (o *outFile) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

func (o *outFile) fail(err error, off int64) {
	o.mu.Lock()
	if o.err == nil {
		o.err, o.errOff = err, off
	}
	o.mu.Unlock()
}

// mark records that the part of the archive called name (an entry, "the end
// of the archive") begins with the next byte written, so that a write
// error found later, in the background, can name it.
func (o *outFile) mark(name string) {
	done := o.written.Load()
	i := 0
	for i+1 < len(o.marks) && o.marks[i+1].off <= done {
		i++
	}
	if i > 0 {
		o.marks = append(o.marks[:0], o.marks[i:]...)
	}
	o.marks = append(o.marks, stageMark{off: o.accepted, name: name})
}

// failedPart names the part of the archive being written when a write
// failed; ok is false when none failed (or o is nil) or no part was marked
// there.
func (o *outFile) failedPart() (name string, ok bool) {
	if o == nil {
		return "", false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		return "", false
	}
	for _, m := range o.marks {
		if m.off > o.errOff {
			break
		}
		name, ok = m.name, true
	}
	return name, ok
}

// Write copies p into the current block and hands full blocks to the
// background writer, waiting for a free block when the disk is behind.
func (o *outFile) Write(p []byte) (int, error) {
	if o.closed {
		return 0, errors.New("write to a finished archive file")
	}
	if err := o.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	o.accepted += int64(n)
	for len(p) > 0 {
		k := copy(o.cur[len(o.cur):cap(o.cur)], p)
		o.cur = o.cur[:len(o.cur)+k]
		p = p[k:]
		if len(o.cur) == cap(o.cur) {
			o.queue <- o.cur
			o.cur = (<-o.free)[:0]
			if err := o.failed(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// finish writes what is left and waits until every block is written. It
// does not sync or close the file.
func (o *outFile) finish() error {
	if o.closed {
		return o.failed()
	}
	if len(o.cur) > 0 {
		o.queue <- o.cur
		o.cur = nil
	}
	o.closed = true
	close(o.queue)
	<-o.done
	return o.failed()
}

// abort stops the background writer without writing the current block.
func (o *outFile) abort() {
	if o.closed {
		return
	}
	o.closed = true
	close(o.queue)
	<-o.done
}

// run writes the queued blocks in order. Only the last block may be shorter
// than outBlockSize; with O_DIRECT its aligned part is written unbuffered and
// the rest after switching O_DIRECT off.
func (o *outFile) run() {
	defer close(o.done)
	for b := range o.queue {
		if o.failed() == nil {
			n, err := o.write(b)
			o.written.Add(int64(n))
			if err != nil {
				o.fail(err, o.written.Load())
			}
		}
		o.free <- b[:0]
	}
}

// write writes b and returns how many bytes reached the file.
func (o *outFile) write(b []byte) (int, error) {
	done := 0
	if o.direct {
		if head := len(b) &^ (directAlign - 1); head > 0 {
			n, err := o.f.Write(b[:head])
			switch {
			case err == nil:
				done, b = head, b[head:]
			case n == 0 && isDirectRefused(err):
				// The file system refused the unbuffered write and wrote
				// nothing: write everything buffered from here on.
			default:
				return n, err
			}
		}
		if len(b) > 0 {
			if err := disableDirect(o.f); err != nil {
				return done, err
			}
			o.direct = false
		}
	}
	n, err := o.f.Write(b)
	return done + n, err
}
