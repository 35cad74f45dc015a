package archive

import (
	"crypto/sha256"
	"hash"
	"sync"
)

// entryHash is the SHA-256 of one entry's content, computed by a hashQueue
// while the entry is being written. Its sum may be read only after the
// queue has been closed.
type entryHash struct {
	h    hash.Hash
	lane int    // the queue's goroutine that hashes this entry
	sum  Digest // set when the entry's last piece is hashed
	// known: sum was taken from CreateOptions.Known; the entry is not
	// hashed.
	known bool
}

// hashJob is one piece of an entry's content, or (final) its end.
type hashJob struct {
	eh    *entryHash
	data  []byte
	final bool
	done  func() // called once data is hashed; may be nil
}

// hashQueue hashes pieces of entries with SHA-256 on goroutines of its own
// (lanes), so that hashing overlaps with reading, compressing and writing.
// Each entry is hashed by one lane, in the order its pieces are added;
// entries go to the lane with the fewest bytes given so far, so that the
// lanes hash several at once and finish together. Pieces of one entry must
// be added in order, from one goroutine at a time.
type hashQueue struct {
	lanes []chan hashJob
	load  []int64 // bytes given to each lane so far
	quit  chan struct{}
	wg    sync.WaitGroup
}

// newHashQueue starts a queue of lanes goroutines, each holding up to depth
// pieces.
func newHashQueue(lanes, depth int) *hashQueue {
	q := &hashQueue{lanes: make([]chan hashJob, max(lanes, 1)), load: make([]int64, max(lanes, 1)), quit: make(chan struct{})}
	q.wg.Add(len(q.lanes))
	for i := range q.lanes {
		q.lanes[i] = make(chan hashJob, depth)
		go q.run(q.lanes[i])
	}
	return q
}

// newEntry returns the hash of a new entry of about size bytes, on the lane
// with the least work. Entries must be made from one goroutine.
func (q *hashQueue) newEntry(size int64) *entryHash {
	lane := 0
	for i, l := range q.load {
		if l < q.load[lane] {
			lane = i
		}
	}
	q.load[lane] += size + 4096 // a little for the entry itself
	return &entryHash{h: sha256.New(), lane: lane}
}

func (q *hashQueue) run(jobs <-chan hashJob) {
	defer q.wg.Done()
	for j := range jobs {
		select {
		case <-q.quit:
			// Abandoned: release the pieces without hashing them.
		default:
			if j.data != nil {
				j.eh.h.Write(j.data)
			}
			if j.final {
				j.eh.h.Sum(j.eh.sum[:0])
				j.eh.h = nil // a backup may hold many entries: keep only the sum
			}
		}
		if j.done != nil {
			j.done()
		}
	}
}

// add queues data, a piece of eh's content; done (if not nil) is called
// when the queue no longer needs data.
func (q *hashQueue) add(eh *entryHash, data []byte, done func()) {
	q.lanes[eh.lane] <- hashJob{eh: eh, data: data, done: done}
}

// end marks the end of eh's content.
func (q *hashQueue) end(eh *entryHash) { q.lanes[eh.lane] <- hashJob{eh: eh, final: true} }

// close waits until everything queued is hashed. Call it once, after the
// last add or end.
func (q *hashQueue) close() {
	for _, l := range q.lanes {
		close(l)
	}
	q.wg.Wait()
}

// abandon stops hashing (pieces still queued are released unhashed) and
// waits for the goroutines. Call it instead of close, once, after the last
// add or end.
func (q *hashQueue) abandon() {
	close(q.quit)
	q.close()
}
