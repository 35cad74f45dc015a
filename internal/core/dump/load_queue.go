package dump

import (
	"context"
	"sync"
)

// The dump is one stream with its tables one after another, but the server
// can load several tables at once, one per connection. A table itself goes
// to one connection: InnoDB takes a table-level AUTO-INC lock for each LOAD
// DATA, so two connections cannot fill one table faster, and a table
// without a primary key keeps its rows in insertion order.
//
// loadQueue lets the reader run ahead of the server by a bounded number of
// bytes: each table becomes a queue of batches that one worker (one
// connection) claims and loads, while the reader goes on to the next table
// for the next worker. So the tail of one table (its last batches, building
// its indexes) overlaps the start of the next, and small tables load side
// by side. (Letting the reader run further ahead, with batches waiting in
// temporary files, was measured: it gained nothing, the server being the
// bottleneck, so memory is the only buffer.)

// loadQueue hands tables and their batches from the reader to the workers.
// Every method is safe for concurrent use.
type loadQueue struct {
	mu   sync.Mutex
	cond sync.Cond

	tables  []*tableLoad // every table and sequence, in dump order
	claimed int          // tables[:claimed] have a worker
	done    int          // tables completely loaded (all but foreign keys)
	fks     int          // tables[:fks] had their foreign keys handed out
	ended   bool         // the reader added its last table
	err     error        // the first failure; everything stops

	memUsed  int // bytes of queued and running batches
	memLimit int
	free     [][]byte // buffers of sent batches, for the reader to reuse
}

// tableLoad is one table or sequence on its way into the server.
type tableLoad struct {
	def *tableDef
	// seqDone is closed when this sequence exists (sequences only); a
	// table's CREATE waits for the sequences before it, which its DEFAULT
	// NEXTVAL(…) may name.
	seqDone chan struct{}
	seqs    []*tableLoad // the sequences listed before this table

	plan     indexPlan
	stmt     string // LOAD DATA or INSERT statement head for its batches
	infile   bool   // batches are LOAD DATA files, not INSERT statements
	deferred bool   // plan.keys were left out and must be added (worker only)
	autoInc  string // AUTO_INCREMENT to set once the rows are in
	expected int64  // rows the dump (or LoadOptions.Expected) announced

	// Guarded by loadQueue.mu:
	batches []batch // waiting, in order
	last    bool    // the reader sent every batch
	rows    int64   // rows queued so far
}

// batch is a group of rows: a LOAD DATA file or an INSERT statement.
type batch struct {
	data []byte
	rows int64 // number of rows
	upTo int64 // number of the table's last row in it, for messages
}

func newLoadQueue(memLimit int) *loadQueue {
	q := &loadQueue{memLimit: memLimit}
	q.cond.L = &q.mu
	return q
}

// fail records the first error and wakes everyone so that they stop.
func (q *loadQueue) fail(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err == nil {
		q.err = err
	}
	q.cond.Broadcast()
}

// failed returns the first error.
func (q *loadQueue) failed() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// stopOn makes a cancelled ctx fail the queue; call the result to stop.
func (q *loadQueue) stopOn(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() { q.fail(ctx.Err()) })
}

// addTable appends a table (or sequence) for a worker to claim.
func (q *loadQueue) addTable(t *tableLoad) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	for _, s := range q.tables {
		if s.seqDone != nil {
			t.seqs = append(t.seqs, s)
		}
	}
	q.tables = append(q.tables, t)
	q.cond.Broadcast()
	return nil
}

// buffer returns an empty buffer for the next batch.
func (q *loadQueue) buffer() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := len(q.free); n > 0 {
		b := q.free[n-1]
		q.free = q.free[:n-1]
		return b
	}
	return nil
}

// addBatch queues data, a batch of t; the queue owns data from now on. It
// waits while the batches in the queue or on their way to the server hold
// memLimit bytes or more.
func (q *loadQueue) addBatch(t *tableLoad, data []byte, rows, upTo int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && q.memUsed > 0 && q.memUsed+len(data) > q.memLimit {
		q.cond.Wait()
	}
	if q.err != nil {
		return q.err
	}
	q.memUsed += len(data)
	t.rows += rows
	t.batches = append(t.batches, batch{data: data, rows: rows, upTo: upTo})
	q.cond.Broadcast()
	return nil
}

// endTable tells the worker that t has no more batches.
func (q *loadQueue) endTable(t *tableLoad) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	t.last = true
	q.cond.Broadcast()
	return q.err
}

// close tells the workers that no more tables come.
func (q *loadQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ended = true
	q.cond.Broadcast()
}

// claim gives a worker the next table nobody loads yet, in dump order
// (sequences come first; tables may need them). It returns nil when every
// table is claimed and the reader is done, or on failure.
func (q *loadQueue) claim() *tableLoad {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && q.claimed == len(q.tables) && !q.ended {
		q.cond.Wait()
	}
	if q.err != nil || q.claimed == len(q.tables) {
		return nil
	}
	q.claimed++
	return q.tables[q.claimed-1]
}

// expectedRows is the number of rows t is expected to have: the exact
// count once the reader is done with it, otherwise the largest of the rows
// seen so far and the dump's estimate.
func (q *loadQueue) expectedRows(t *tableLoad) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.last {
		return t.rows
	}
	return max(t.rows, t.expected)
}

// next returns t's next batch, waiting for the reader, and false when t
// has no more.
func (q *loadQueue) next(t *tableLoad) (batch, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && len(t.batches) == 0 && !t.last {
		q.cond.Wait()
	}
	if q.err != nil {
		return batch{}, false, q.err
	}
	if len(t.batches) == 0 {
		return batch{}, false, nil
	}
	b := t.batches[0]
	t.batches[0] = batch{}
	t.batches = t.batches[1:]
	return b, true, nil
}

// release gives back the memory of a batch that has been sent.
func (q *loadQueue) release(b batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.memUsed -= len(b.data)
	// Keep a couple of buffers for the reader; drop those that one huge
	// row made large.
	if len(q.free) < 2 && cap(b.data) <= 2*q.memLimit {
		q.free = append(q.free, b.data[:0])
	}
	q.cond.Broadcast()
}

// tableDone records that t is loaded.
func (q *loadQueue) tableDone(t *tableLoad) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.done++
	q.cond.Broadcast()
}

// foreignKeys waits until every table is loaded and then hands out the
// tables whose foreign keys are still to be added, one at a time; nil when
// there are none left (or on failure).
func (q *loadQueue) foreignKeys() *tableLoad {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.err == nil && !(q.ended && q.done == len(q.tables)) {
		q.cond.Wait()
	}
	for q.err == nil && q.fks < len(q.tables) {
		t := q.tables[q.fks]
		q.fks++
		if len(t.plan.foreignKeys) > 0 {
			return t
		}
	}
	return nil
}
