package archive

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Parallel deflate, as pigz does it: an entry's content is cut into blocks
// of deflateBlockSize bytes that the pool's workers compress at the same
// time, each primed with the 32 KiB before it as its dictionary and ended
// with a sync flush (the last one with the final block), so that the
// compressed blocks, joined in order, are one ordinary deflate stream.
const (
	deflateBlockSize = 1 << 20
	// deflateWindow is how far back deflate may refer.
	deflateWindow = 32 << 10
)

// deflatePool is a set of compressing workers and the blocks they work on.
// Its blocks serve one deflateEntry at a time; its whole-entry blocks (see
// compressWhole) are separate, so that small entries can be compressed
// ahead while a large one is being written.
type deflatePool struct {
	level int
	jobs  chan *deflateBlock
	free  chan *deflateBlock
	whole chan *deflateBlock
	wg    sync.WaitGroup
}

// deflateBlock is one block of an entry's content and its compressed form.
type deflateBlock struct {
	in    []byte // the content, cap deflateBlockSize
	dict  []byte // the content just before in, up to deflateWindow bytes
	final bool   // the entry's last block
	// withCRC asks the worker for the CRC-32 of in, in crc (whole-entry
	// blocks, whose in is the caller's).
	withCRC bool
	crc     uint32
	out     bytes.Buffer
	err     error
	// compressed and hashed are signalled (once per use) when a worker
	// and the hash queue are done with in.
	compressed chan struct{}
	hashed     chan struct{}
	hashing    bool
}

// deflateBound is room enough for the compressed form of n bytes with its
// dictionary: stored blocks, at worst, cost 5 bytes per 64 KiB, and the
// flush or final block a few bytes more.
func deflateBound(n int) int { return n + 5*(n/65535+2) + 64 }

// newDeflatePool starts workers compressing at level, one per processor
// (at most 4), with a few blocks more than workers so that they need not
// wait while finished blocks are written out.
func newDeflatePool(level int, bs *buffers) *deflatePool {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	blocks := workers + 3
	p := &deflatePool{level: level, jobs: make(chan *deflateBlock, blocks+wholeBlocks),
		free: make(chan *deflateBlock, blocks), whole: make(chan *deflateBlock, wholeBlocks)}
	for range blocks {
		b := &deflateBlock{in: bs.get(deflateBlockSize)[:0], dict: make([]byte, 0, deflateWindow),
			compressed: make(chan struct{}, 1), hashed: make(chan struct{}, 1)}
		b.out = *bytes.NewBuffer(bs.get(deflateBound(deflateBlockSize))[:0])
		p.free <- b
	}
	for range wholeBlocks {
		b := &deflateBlock{final: true, withCRC: true, compressed: make(chan struct{}, 1)}
		b.out = *bytes.NewBuffer(bs.get(deflateBound(mediaChunkSize))[:0])
		p.whole <- b
	}
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// close stops the workers. Every entry must be closed or aborted first.
func (p *deflatePool) close() {
	close(p.jobs)
	p.wg.Wait()
}

func (p *deflatePool) work() {
	defer p.wg.Done()
	fw, err := flate.NewWriter(io.Discard, p.level)
	for b := range p.jobs {
		b.out.Reset()
		if b.withCRC {
			b.crc = crc32.ChecksumIEEE(b.in)
		}
		if err != nil {
			b.err = err
		} else {
			// ResetDict, also with an empty dictionary: Reset would bring
			// back the dictionary of the writer's previous block.
			fw.ResetDict(&b.out, b.dict)
			_, b.err = fw.Write(b.in)
			if b.err == nil {
				if b.final {
					b.err = fw.Close()
				} else {
					b.err = fw.Flush()
				}
			}
		}
		b.compressed <- struct{}{}
	}
}

// wholeBlocks is how many small entries may be compressed ahead at once.
const wholeBlocks = 8

// compressWhole starts compressing data, the whole content of a small entry,
// on a worker, with its CRC-32. It waits for a free whole-entry block or
// for quit (then it returns nil). The caller must not change data until the
// block is compressed; it then writes b.out and gives the block back with
// release.
func (p *deflatePool) compressWhole(data []byte, quit <-chan struct{}) *deflateBlock {
	select {
	case b := <-p.whole:
		b.in = data
		p.jobs <- b
		return b
	case <-quit:
		return nil
	}
}

// release gives back a block from compressWhole once it is compressed.
func (p *deflatePool) release(b *deflateBlock) {
	b.in = nil
	p.whole <- b
}

// deflateEntry is an io.WriteCloser that deflates an entry's content on the
// pool's workers and writes the compressed stream, in order, to dst (the
// zip.Writer's raw writer for the entry). It counts the content, computes
// its CRC-32 and, when given a hash queue, has it hashed there. Write and
// Close are called from one goroutine, which is also the one that writes to
// dst.
type deflateEntry struct {
	pool    *deflatePool
	dst     io.Writer
	hq      *hashQueue // nil: the caller hashes the content itself
	eh      *entryHash
	cur     *deflateBlock
	pending []*deflateBlock // handed to the workers, not yet written out
	tail    []byte          // the last deflateWindow bytes of the content so far
	crc     uint32
	size    int64 // content bytes
	csize   int64 // compressed bytes written to dst
	err     error
	closed  bool
}

// entry starts a deflated entry writing to dst. With hq, the content is
// hashed into eh there.
func (p *deflatePool) entry(dst io.Writer, hq *hashQueue, eh *entryHash) *deflateEntry {
	return &deflateEntry{pool: p, dst: dst, hq: hq, eh: eh, tail: make([]byte, 0, deflateWindow)}
}

// Write copies b into the current block and hands full blocks to the
// workers.
func (e *deflateEntry) Write(b []byte) (int, error) {
	if e.closed {
		return 0, errors.New("write to a closed entry")
	}
	if e.err != nil {
		return 0, e.err
	}
	n := len(b)
	for len(b) > 0 {
		if e.cur == nil {
			if err := e.next(); err != nil {
				return n - len(b), err
			}
		}
		k := copy(e.cur.in[len(e.cur.in):cap(e.cur.in)], b)
		e.cur.in = e.cur.in[:len(e.cur.in)+k]
		b = b[k:]
		if len(e.cur.in) == cap(e.cur.in) {
			if err := e.submit(false); err != nil {
				return n - len(b), err
			}
		}
	}
	return n, nil
}

// next takes a free block for the content that follows, writing out the
// oldest pending block first when none is free.
func (e *deflateEntry) next() error {
	for {
		var b *deflateBlock
		select {
		case b = <-e.pool.free:
		default:
			if len(e.pending) > 0 {
				if _, err := e.writeOldest(true); err != nil {
					return err
				}
				continue
			}
			b = <-e.pool.free // held by another entry: not how the pool is used
		}
		b.in = b.in[:0]
		b.dict = append(b.dict[:0], e.tail...)
		b.final = false
		b.hashing = false
		e.cur = b
		return nil
	}
}

// submit hands the current block to the workers (and the hash queue).
func (e *deflateEntry) submit(final bool) error {
	b := e.cur
	e.cur = nil
	b.final = final
	e.crc = crc32.Update(e.crc, crc32.IEEETable, b.in)
	e.size += int64(len(b.in))
	if len(b.in) >= deflateWindow {
		e.tail = append(e.tail[:0], b.in[len(b.in)-deflateWindow:]...)
	} else {
		e.tail = append(e.tail, b.in...)
		if over := len(e.tail) - deflateWindow; over > 0 {
			e.tail = append(e.tail[:0], e.tail[over:]...)
		}
	}
	if e.hq != nil {
		b.hashing = true
		e.hq.add(e.eh, b.in, func() { b.hashed <- struct{}{} })
	}
	e.pool.jobs <- b
	e.pending = append(e.pending, b)
	// Write out whatever is already compressed, without waiting.
	for len(e.pending) > 0 {
		ok, err := e.writeOldest(false)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
	}
	return nil
}

// writeOldest writes the oldest pending block to dst once it is compressed
// and hashed, and frees it. Without wait it reports false at once when the
// block is not compressed yet.
func (e *deflateEntry) writeOldest(wait bool) (bool, error) {
	b := e.pending[0]
	if wait {
		<-b.compressed
	} else {
		select {
		case <-b.compressed:
		default:
			return false, nil
		}
	}
	e.pending = append(e.pending[:0], e.pending[1:]...)
	if b.hashing {
		<-b.hashed
	}
	err := b.err
	if err == nil {
		var n int
		n, err = e.dst.Write(b.out.Bytes())
		e.csize += int64(n)
	}
	e.pool.free <- b
	if err != nil {
		e.err = err
		e.drain()
	}
	return true, err
}

// drain waits for the workers and the hash queue to finish with every
// pending block and frees them without writing them.
func (e *deflateEntry) drain() {
	for _, b := range e.pending {
		<-b.compressed
		if b.hashing {
			<-b.hashed
		}
		e.pool.free <- b
	}
	e.pending = e.pending[:0]
	if e.cur != nil {
		e.pool.free <- e.cur
		e.cur = nil
	}
}

// Close compresses the rest, writes everything out and ends the entry's
// hash. After an error it only frees the blocks and returns the error.
func (e *deflateEntry) Close() error {
	if e.closed {
		return e.err
	}
	if e.err == nil && e.cur == nil {
		// The last block may be empty: it then holds just the final
		// deflate block.
		e.err = e.next()
	}
	if e.err == nil {
		e.err = e.submit(true)
	}
	for e.err == nil && len(e.pending) > 0 {
		_, e.err = e.writeOldest(true)
	}
	e.closed = true
	if e.err != nil {
		e.drain()
		return e.err
	}
	if e.hq != nil {
		e.hq.end(e.eh)
	}
	return nil
}

// abort frees the entry's blocks without writing anything more.
func (e *deflateEntry) abort() {
	if e.closed {
		return
	}
	e.closed = true
	e.drain()
}
