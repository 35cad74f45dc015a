package dump

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// executor runs statements on one connection in a goroutine of its own,
// in order, so that the server inserts one batch while the reader parses
// the next. At most two statements wait, so memory stays bounded.
type executor struct {
	ctx  context.Context
	conn *sql.Conn
	work chan job
	free chan []byte
	done chan struct{}

	mu  sync.Mutex
	err error
}

type job struct {
	query []byte
	what  string
	reply chan error // for run: wait for the result
}

func startExecutor(ctx context.Context, conn *sql.Conn) *executor {
	e := &executor{ctx: ctx, conn: conn, work: make(chan job, 1), free: make(chan []byte, 3), done: make(chan struct{})}
	go e.loop()
	return e
}

func (e *executor) loop() {
	defer close(e.done)
	for j := range e.work {
		err := e.failed()
		if err == nil {
			if _, err = e.conn.ExecContext(e.ctx, string(j.query)); err != nil {
				err = fmt.Errorf("%s: %w", j.what, err)
				e.mu.Lock()
				e.err = err
				e.mu.Unlock()
			}
		}
		if j.reply != nil {
			j.reply <- err
			continue
		}
		select {
		case e.free <- j.query[:0]:
		default:
		}
	}
}

func (e *executor) failed() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// buffer returns an empty statement buffer, reusing a sent one.
func (e *executor) buffer() []byte {
	select {
	case b := <-e.free:
		return b
	default:
		return nil
	}
}

// send queues q; the executor owns it from now on. It returns the error
// of an earlier statement, if any.
func (e *executor) send(q []byte, what string) error {
	if err := e.failed(); err != nil {
		return err
	}
	select {
	case e.work <- job{query: q, what: what}:
		return e.failed()
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
}

// run executes q after everything queued and waits for its result.
func (e *executor) run(q []byte, what string) error {
	reply := make(chan error, 1)
	select {
	case e.work <- job{query: q, what: what, reply: reply}:
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
	return <-reply
}

// finish waits for the queued statements and returns the first error.
func (e *executor) finish() error {
	close(e.work)
	<-e.done
	return e.failed()
}
