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
	// flushEvery is how much is written between two flushes while the
	// archive is being written (where flushEarly).
	flushEvery = 32 << 20
)

// outFile is the writer under the archive's zip.Writer. It copies what it is
// given into blocks and writes full blocks in the background, in order.
//
// Where flushEarly (Linux), the archive is made durable while it is being
// written rather than all at its end: a flusher goroutine flushes the file
// every flushEvery bytes, so that the closing fsync has little left to wait
// for. This matters on virtual disks, whose flush writes out a host cache:
// a backup of 484 MiB of media spent 280 ms in its final fsync, and with the
// flushes spread out it spends 10-20 ms. Flushed parts are dropped from the
// page cache, so that a backup does not push the computer's working files
// out of its memory. Unbuffered (O_DIRECT) writes, used before, keep the
// cache clean too, but on such a disk that backup took 1.7 times as long
// with them. Asking the kernel to start the writeback of every block
// (sync_file_range) was measured too: it was slower than leaving it to the
// flushes.
//
// Write and finish are called from one goroutine. The first write or flush
// error is kept and returned by every later call.
type outFile struct {
	f      *os.File
	cur    []byte
	free   chan []byte
	queue  chan []byte
	done   chan struct{}
	closed bool

	accepted int64        // bytes taken by Write
	written  atomic.Int64 // bytes on the file
	marks    []stageMark  // where the parts not yet written began

	// flush carries the file's written length to the flusher (see
	// flushLoop); kicked is the length last sent. Used by run only.
	flush   chan int64
	flushed chan struct{}
	kicked  int64

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
// goroutines.
func newOutFile(f *os.File, bs *buffers) *outFile {
	o := &outFile{f: f,
		free: make(chan []byte, outBlocks), queue: make(chan []byte, outBlocks), done: make(chan struct{})}
	for range outBlocks {
		o.free <- bs.get(outBlockSize)[:0]
	}
	o.cur = <-o.free
	if flushEarly {
		o.flush, o.flushed = make(chan int64, 1), make(chan struct{})
		go o.flushLoop()
	}
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

// run writes the queued blocks in order and, where flushEarly, has the
// file flushed every flushEvery bytes.
func (o *outFile) run() {
	defer close(o.done)
	if o.flush != nil {
		defer func() {
			close(o.flush)
			<-o.flushed
		}()
	}
	for b := range o.queue {
		if o.failed() == nil {
			off := o.written.Load()
			n, err := o.f.Write(b)
			o.written.Add(int64(n))
			if err != nil {
				o.fail(err, off+int64(n))
			} else if o.flush != nil {
				if end := off + int64(n); end-o.kicked >= flushEvery {
					select {
					case o.flush <- end:
						o.kicked = end
					default: // the flusher is busy; ask again after the next block
					}
				}
			}
		}
		o.free <- b[:0]
	}
}

// flushLoop makes the file durable up to each length it receives, then
// drops that part from the page cache. A failed flush fails the archive:
// the data may not be on the disk, and a later fsync need not say so again.
func (o *outFile) flushLoop() {
	defer close(o.flushed)
	var dropped int64
	for end := range o.flush {
		if o.failed() != nil {
			continue
		}
		if err := flushData(o.f); err != nil {
			o.fail(err, end)
			continue
		}
		dropCached(o.f, dropped, end)
		dropped = end
	}
}
