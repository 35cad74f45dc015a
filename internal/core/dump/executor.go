package dump

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// killWait bounds how long a failed load waits for the server to end its
// sessions.
const killWait = 10 * time.Second

// worker loads tables on a connection of its own: it claims the next table
// from the queue, creates it, sends its batches, builds its deferred
// indexes and sets its AUTO_INCREMENT, then claims the next one. Several
// workers load several tables at once; when every table is in, they add the
// foreign keys.
type worker struct {
	ctx  context.Context
	q    *loadQueue
	conn *sql.Conn
	id   int64 // CONNECTION_ID(), to stop its statement if the load fails
}

// run loads tables until there are none left. Its error is also recorded
// in the queue, which stops the others.
func (w *worker) run() {
	err := w.loop()
	if err != nil {
		w.q.fail(err)
	}
}

func (w *worker) loop() error {
	for {
		t := w.q.claim()
		if t == nil {
			break
		}
		if err := w.table(t); err != nil {
			return err
		}
	}
	for {
		t := w.q.foreignKeys()
		if t == nil {
			break
		}
		if err := w.exec(t.plan.addForeignKeys(t.def.Name), "add the foreign keys of table %q", t.def.Name); err != nil {
			return err
		}
	}
	return nil
}

// exec runs one statement; what (formatted with args) says what it was
// for in the error.
func (w *worker) exec(q, what string, args ...any) error {
	if _, err := w.conn.ExecContext(w.ctx, q); err != nil {
		return w.wrap(err, what, args...)
	}
	return nil
}

// wrap adds what the statement was for to its error, unless the load had
// already failed elsewhere: then that first error is the one to report.
func (w *worker) wrap(err error, what string, args ...any) error {
	if first := w.q.failed(); first != nil {
		return first
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), err)
}

func (w *worker) table(t *tableLoad) error {
	d := t.def
	if t.seqDone != nil {
		return w.sequence(t)
	}
	for _, s := range t.seqs {
		select {
		case <-s.seqDone:
		case <-w.ctx.Done():
			return w.wrap(w.ctx.Err(), "create table %q", d.Name)
		}
	}
	if err := w.create(t); err != nil {
		return err
	}
	for {
		b, ok, err := w.q.next(t)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		err = w.send(t, b)
		w.q.release(b)
		if err != nil {
			return err
		}
	}
	if t.deferred {
		if err := w.exec(t.plan.addKeys(d.Name), "build the indexes of table %q", d.Name); err != nil {
			return err
		}
	}
	if t.autoInc != "" {
		q := "ALTER TABLE " + quoteIdent(d.Name) + " AUTO_INCREMENT = " + t.autoInc
		if err := w.exec(q, "set AUTO_INCREMENT of table %q", d.Name); err != nil {
			return err
		}
	}
	if onTableLoaded != nil {
		onTableLoaded(d.Name, t.deferred)
	}
	w.q.tableDone(t)
	return nil
}

// onTableLoaded, when set (by tests), is called from the worker after each
// table is loaded, with whether its indexes were built afterwards.
var onTableLoaded func(table string, deferred bool)

func (w *worker) sequence(t *tableLoad) error {
	d := t.def
	if err := w.exec(d.Create, "create sequence %q", d.Name); err != nil {
		return err
	}
	next, _ := d.stateValue("next_not_cached_value")
	q := "DO SETVAL(" + quoteIdent(d.Name) + ", " + next + ", 0"
	if round, ok := d.stateValue("cycle_count"); ok && round != "0" {
		q += ", " + round
	}
	if err := w.exec(q+")", "set the position of sequence %q", d.Name); err != nil {
		return err
	}
	close(t.seqDone)
	w.q.tableDone(t)
	return nil
}

// create makes the table. With deferred indexes it first proves, on the
// still empty table, that adding them back gives exactly the definition of
// the dump; if not (or if anything in that fails), it creates the table
// whole instead.
func (w *worker) create(t *tableLoad) error {
	d, p := t.def, &t.plan
	if len(p.keys) == 0 || !deferIndexes || w.q.expectedRows(t) < deferMinRows {
		return w.exec(p.full, "create table %q", d.Name)
	}
	if w.deferKeys(t) {
		t.deferred = true
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return w.wrap(err, "create table %q", d.Name)
	}
	if err := w.exec("DROP TABLE IF EXISTS "+quoteIdent(d.Name), "create table %q", d.Name); err != nil {
		return err
	}
	return w.exec(p.full, "create table %q", d.Name)
}

func (w *worker) deferKeys(t *tableLoad) bool {
	d, p := t.def, &t.plan
	if _, err := w.conn.ExecContext(w.ctx, p.create); err != nil {
		return false
	}
	if _, err := w.conn.ExecContext(w.ctx, p.addKeys(d.Name)); err != nil {
		return false
	}
	var name, shown string
	if err := w.conn.QueryRowContext(w.ctx, "SHOW CREATE TABLE "+quoteIdent(d.Name)).Scan(&name, &shown); err != nil || shown != p.full {
		return false
	}
	_, err := w.conn.ExecContext(w.ctx, p.dropKeys(d.Name))
	return err == nil
}

// send loads one batch.
func (w *worker) send(t *tableLoad, b batch) error {
	if t.infile {
		return w.loadData(t, b)
	}
	// The statement is only read while ExecContext runs, and the buffer
	// is not touched meanwhile: no need to copy a megabyte into a string.
	q := unsafe.String(unsafe.SliceData(b.data), len(b.data))
	return w.exec(q, "insert rows into table %q (up to row %d)", t.def.Name, b.upTo)
}

// killSessions stops whatever the given server sessions still run (after a
// failure or cancellation the driver only closes its end; the server
// would finish a long ALTER TABLE first) and waits a little for them to
// end, so that nothing of the load keeps running once LoadTables returns.
func killSessions(ctx context.Context, db *sql.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), killWait)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer discardConn(conn)
	list := ""
	for i, id := range ids {
		// An unknown thread ID means that session has ended already.
		conn.ExecContext(ctx, fmt.Sprintf("KILL %d", id))
		if i > 0 {
			list += ","
		}
		list += fmt.Sprint(id)
	}
	for {
		var n int
		err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN ("+list+")").Scan(&n)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.New("the server is still ending the load's sessions")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
