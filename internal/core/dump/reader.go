package dump

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// visitor receives the tables of a dump as the reader meets them.
type visitor interface {
	// header is called with the dump's header fields before its tables.
	header(s *Summary) error
	// begin is called once the table's definition is known: before its
	// first row, or at its end for a sequence.
	begin(t *tableDef) error
	// row is called for every row; r is only valid during the call.
	row(t *tableDef, r *row) error
	// end is called after the table's last row, with row_count checked.
	end(t *tableDef) error
}

// Cell kinds of a decoded row.
const (
	cellNull   = 'n'
	cellNumber = '#' // a JSON number literal
	cellText   = 's' // UTF-8 text
	cellBytes  = 'b' // raw bytes (decoded from base64)
)

type cell struct {
	kind       byte
	start, end int // in row.arena
}

// row is one decoded row. Its buffers are reused from row to row.
type row struct {
	arena []byte
	cells []cell
	tmp   []byte // base64 text before decoding
}

// value returns the kind and bytes of cell i.
func (r *row) value(i int) (byte, []byte) {
	c := r.cells[i]
	return c.kind, r.arena[c.start:c.end]
}

// reset drops buffers that one huge row made large.
func (r *row) reset() {
	const keep = 16 << 20
	if cap(r.arena) > keep {
		r.arena = nil
	}
	if cap(r.tmp) > keep {
		r.tmp = nil
	}
	r.arena = r.arena[:0]
	r.cells = r.cells[:0]
}

// docReader walks a whole dump, checking it as it goes.
type docReader struct {
	lx   *lexer
	v    visitor
	sum  Summary
	objs Objects
	need *needs
	key  []byte
	buf  []byte
	row  row
}

// readDump reads a whole dump from r, calling v (which may be nil) for
// each table, and returns its summary and objects.
func readDump(r io.Reader, v visitor) (*Summary, *Objects, error) {
	d := &docReader{lx: newLexer(r), v: v, need: newNeeds()}
	if err := d.document(); err != nil {
		return nil, nil, err
	}
	return &d.sum, &d.objs, nil
}

func (d *docReader) corrupt(format string, args ...any) error { return d.lx.corrupt(format, args...) }

// string reads a string value.
func (d *docReader) string() (string, error) {
	b, err := d.lx.str(d.buf[:0])
	if err != nil {
		return "", err
	}
	d.buf = b
	return string(b), nil
}

// int reads a non-negative integer value.
func (d *docReader) int(what string) (int64, error) {
	b, err := d.lx.number(d.buf[:0])
	if err != nil {
		return 0, err
	}
	d.buf = b
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return 0, d.corrupt("%s is %s, not a count", what, b)
	}
	return n, nil
}

func (d *docReader) bool() (bool, error) {
	c, err := d.lx.peek()
	if err != nil {
		return false, err
	}
	if c == 't' {
		return true, d.lx.literal("true")
	}
	return false, d.lx.literal("false")
}

// strings reads an array of strings.
func (d *docReader) strings(what string) ([]string, error) {
	var out []string
	more, err := d.lx.openArray(what)
	for more && err == nil {
		var s string
		if s, err = d.string(); err == nil {
			out = append(out, s)
			more, err = d.lx.more(']', what)
		}
	}
	return out, err
}

// members calls f for every member of an object; f reads the value.
func (d *docReader) members(what string, f func(key string) error) error {
	more, err := d.lx.openObject(what)
	seen := map[string]bool{}
	for more && err == nil {
		if d.key, err = d.lx.key(d.key); err != nil {
			return err
		}
		k := string(d.key)
		if seen[k] {
			return d.corrupt("%s has the key %q twice", what, k)
		}
		seen[k] = true
		if err = f(k); err != nil {
			return err
		}
		more, err = d.lx.more('}', what)
	}
	return err
}

func (d *docReader) skip() error { return d.lx.skip(0, d.buf[:0]) }

func (d *docReader) document() error {
	lx := d.lx
	c, err := lx.peek()
	if err != nil {
		if lx.off == 0 && errors.Is(err, ErrCorrupt) {
			return d.corrupt("the dump is empty")
		}
		return err
	}
	if c != '{' {
		return d.corrupt("this is not a Backup Desktop database dump (it does not start with '{')")
	}
	lx.next()
	// The first two members identify the format, so that a newer dump is
	// refused before anything else is interpreted.
	if d.key, err = lx.key(d.key); err != nil || string(d.key) != "format" {
		if err == nil {
			err = d.corrupt("this is not a Backup Desktop database dump (no \"format\" key first)")
		}
		return err
	}
	format, err := d.string()
	if err != nil {
		return err
	}
	if format != FormatName {
		return d.corrupt("this is not a Backup Desktop database dump (format %q)", format)
	}
	if err := lx.expect(',', "',' after the format"); err != nil {
		return err
	}
	if d.key, err = lx.key(d.key); err != nil || string(d.key) != "format_version" {
		if err == nil {
			err = d.corrupt("\"format_version\" must follow \"format\"")
		}
		return err
	}
	version, err := d.int("format_version")
	if err != nil {
		return err
	}
	if version > FormatVersion {
		return fmt.Errorf("%w: it is in dump format version %d, and this version of the app reads versions up to %d; update Backup Desktop to restore it",
			ErrUnsupportedVersion, version, FormatVersion)
	}
	if version < 1 {
		return d.corrupt("format_version %d does not exist", version)
	}
	d.sum.FormatVersion = int(version)

	seen := map[string]bool{}
	var summaryDone bool
	for {
		more, err := lx.more('}', "the dump")
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if summaryDone {
			return d.corrupt("\"summary\" must be the last key of the dump")
		}
		if d.key, err = lx.key(d.key); err != nil {
			return err
		}
		k := string(d.key)
		if seen[k] {
			return d.corrupt("the dump has the key %q twice", k)
		}
		seen[k] = true
		switch k {
		case "database":
			d.sum.Database, err = d.string()
		case "server":
			err = d.members("server", func(k string) (err error) {
				switch k {
				case "flavor":
					d.sum.Flavor, err = d.string()
				case "version":
					d.sum.ServerVersion, err = d.string()
				default:
					err = d.skip()
				}
				return err
			})
		case "character_set":
			d.sum.CharacterSet, err = d.string()
		case "collation":
			d.sum.Collation, err = d.string()
		case "created_utc":
			var s string
			if s, err = d.string(); err == nil {
				if d.sum.CreatedUTC, err = time.Parse(time.RFC3339Nano, s); err != nil {
					err = d.corrupt("created_utc %q is not a time", s)
				}
			}
		case "consistent_snapshot":
			d.sum.ConsistentSnapshot, err = d.bool()
		case "non_transactional_tables":
			d.sum.NonTransactional, err = d.strings("non_transactional_tables")
		case "tables":
			if d.v != nil {
				if err := d.v.header(&d.sum); err != nil {
					return err
				}
			}
			err = d.tables()
		case "views":
			d.objs.Views, err = d.objects(k, KindView)
		case "triggers":
			d.objs.Triggers, err = d.objects(k, KindTrigger)
		case "routines":
			d.objs.Routines, err = d.objects(k, KindProcedure, KindFunction, KindPackage, KindPackageBody)
		case "events":
			d.objs.Events, err = d.objects(k, KindEvent)
		case "summary":
			err = d.summary()
			summaryDone = true
		default:
			err = d.skip() // a newer writer's optional key
		}
		if err != nil {
			return err
		}
	}
	if !summaryDone {
		return d.corrupt("the dump has no summary at its end (it is incomplete)")
	}
	for _, k := range []string{"database", "tables"} {
		if !seen[k] {
			return d.corrupt("the dump has no %q", k)
		}
	}
	return lx.end()
}

// tables reads the "tables" array.
func (d *docReader) tables() error {
	d.need.charset(d.sum.CharacterSet)
	d.need.collation(d.sum.Collation)
	names := map[string]bool{}
	more, err := d.lx.openArray("tables")
	for more && err == nil {
		var t *tableDef
		if t, err = d.table(); err != nil {
			return err
		}
		if names[t.Name] {
			return d.corrupt("table %q appears twice", t.Name)
		}
		names[t.Name] = true
		d.need.table(t)
		d.sum.Tables = append(d.sum.Tables, TableSummary{Name: t.Name, Type: t.Type, Engine: t.Engine, Rows: t.RowCount})
		more, err = d.lx.more(']', "tables")
	}
	return err
}

// table reads one table object, streaming its rows to the visitor.
func (d *docReader) table() (*tableDef, error) {
	t := &tableDef{}
	var haveRows, haveCount, haveCols bool
	var counted int64
	err := d.members("a table", func(k string) (err error) {
		switch k {
		case "name":
			t.Name, err = d.string()
		case "type":
			t.Type, err = d.string()
		case "engine":
			t.Engine, err = d.string()
		case "character_set":
			t.Charset, err = d.string()
		case "collation":
			t.Collation, err = d.string()
		case "create":
			t.Create, err = d.string()
		case "create_base64":
			var s string
			if s, err = d.string(); err == nil {
				var b []byte
				if b, err = base64.StdEncoding.DecodeString(s); err != nil {
					return d.corrupt("create_base64 of table %q is not base64", t.Name)
				}
				t.Create = string(b)
			}
		case "auto_increment":
			var b []byte
			if b, err = d.lx.number(d.buf[:0]); err == nil {
				d.buf = b
				if _, e := strconv.ParseUint(string(b), 10, 64); e != nil {
					return d.corrupt("auto_increment of table %q is %s, not a whole number", t.Name, b)
				}
				t.AutoIncrement = string(b)
			}
		case "rows_estimate":
			t.RowsEstimate, err = d.int("rows_estimate")
		case "columns":
			haveCols = true
			err = d.columns(t)
		case "state":
			err = d.members("a sequence state", func(k string) error {
				b, err := d.lx.number(d.buf[:0])
				if err != nil {
					return err
				}
				d.buf = b
				t.State = append(t.State, namedNumber{Name: k, Value: string(b)})
				return nil
			})
		case "rows":
			if t.Name == "" || t.Type != TypeTable || t.Create == "" || !haveCols {
				return d.corrupt("table %q: rows come before its name, type \"table\", create and columns", t.Name)
			}
			haveRows = true
			if d.v != nil {
				if err := d.v.begin(t); err != nil {
					return err
				}
			}
			counted, err = d.rows(t)
		case "row_count":
			haveCount = true
			t.RowCount, err = d.int("row_count")
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.Name == "" || t.Create == "" {
		return nil, d.corrupt("a table has no name or no create statement")
	}
	if want := "CREATE " + strings.ToUpper(t.Type) + " "; !hasPrefixFold(t.Create, want) {
		return nil, d.corrupt("the create statement of %s %q does not start with %q", t.Type, t.Name, want)
	}
	switch t.Type {
	case TypeTable:
		if !haveRows || !haveCount {
			return nil, d.corrupt("table %q has no rows or no row_count", t.Name)
		}
		if counted != t.RowCount {
			return nil, d.corrupt("table %q holds %d rows but its row_count says %d", t.Name, counted, t.RowCount)
		}
	case TypeSequence:
		if haveRows {
			return nil, d.corrupt("sequence %q has rows", t.Name)
		}
		if v, ok := t.stateValue("next_not_cached_value"); !ok || !validNumber([]byte(v)) {
			return nil, d.corrupt("sequence %q has no next_not_cached_value", t.Name)
		}
		if d.v != nil {
			if err := d.v.begin(t); err != nil {
				return nil, err
			}
		}
	default:
		return nil, d.corrupt("table %q has the unknown type %q", t.Name, t.Type)
	}
	if d.v != nil {
		if err := d.v.end(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// columns reads the "columns" array of t.
func (d *docReader) columns(t *tableDef) error {
	names := map[string]bool{}
	more, err := d.lx.openArray("columns")
	for more && err == nil {
		var c column
		err = d.members("a column", func(k string) (err error) {
			switch k {
			case "name":
				c.Name, err = d.string()
			case "type":
				c.Type, err = d.string()
			case "encoding":
				c.Encoding, err = d.string()
			case "charset":
				c.Charset, err = d.string()
			case "collation":
				c.Collation, err = d.string()
			case "invisible":
				c.Invisible, err = d.bool()
			default:
				err = d.skip()
			}
			return err
		})
		if err != nil {
			return err
		}
		if c.Name == "" || names[c.Name] {
			return d.corrupt("table %q has a column without a name or a column twice", t.Name)
		}
		names[c.Name] = true
		switch c.Encoding {
		case EncNumber, EncText, EncBase64:
		default:
			return d.corrupt("column %q of table %q has the unknown encoding %q", c.Name, t.Name, c.Encoding)
		}
		t.Columns = append(t.Columns, c)
		more, err = d.lx.more(']', "columns")
	}
	if err == nil && len(t.Columns) == 0 && t.Type == TypeTable {
		err = d.corrupt("table %q has no columns", t.Name)
	}
	return err
}

// rows reads the "rows" array of t and returns how many there were.
func (d *docReader) rows(t *tableDef) (int64, error) {
	lx := d.lx
	var mig *migrationCols
	if t.Name == "django_migrations" {
		mig = migrationColumns(t)
		d.sum.DjangoMigrations = []Migration{}
	}
	closeRow := fmt.Sprintf("']' after the %d values of a row", len(t.Columns))
	var n int64
	more, err := lx.openArray("rows")
	for more && err == nil {
		r := &d.row
		r.reset()
		if err := lx.expect('[', "'[' to start a row"); err != nil {
			return n, err
		}
		for i := range t.Columns {
			if i > 0 {
				if err := lx.expect(',', "',' between the values of a row"); err != nil {
					return n, fmt.Errorf("table %q row %d: %w", t.Name, n+1, err)
				}
			}
			if err := d.cell(&t.Columns[i], r); err != nil {
				return n, fmt.Errorf("table %q row %d: %w", t.Name, n+1, err)
			}
		}
		if err := lx.expect(']', closeRow); err != nil {
			return n, fmt.Errorf("table %q row %d: %w", t.Name, n+1, err)
		}
		n++
		if mig != nil {
			d.sum.DjangoMigrations = append(d.sum.DjangoMigrations, mig.takeRow(r))
		}
		if d.v != nil {
			if err := d.v.row(t, r); err != nil {
				return n, err
			}
		}
		more, err = lx.more(']', "rows")
	}
	return n, err
}

// cell reads one value of column c into r.
func (d *docReader) cell(c *column, r *row) error {
	lx := d.lx
	ch, err := lx.peek()
	if err != nil {
		return err
	}
	start := len(r.arena)
	if ch == 'n' {
		if err := lx.literal("null"); err != nil {
			return err
		}
		r.cells = append(r.cells, cell{kind: cellNull, start: start, end: start})
		return nil
	}
	switch c.Encoding {
	case EncNumber:
		if ch != '-' && !isDigit(ch) {
			return lx.corrupt("column %q holds numbers, found %s", c.Name, describe(ch))
		}
		if r.arena, err = lx.number(r.arena); err != nil {
			return err
		}
		r.cells = append(r.cells, cell{kind: cellNumber, start: start, end: len(r.arena)})
	case EncText:
		switch ch {
		case '"':
			if r.arena, err = lx.str(r.arena); err != nil {
				return err
			}
			r.cells = append(r.cells, cell{kind: cellText, start: start, end: len(r.arena)})
		case '{':
			// {"base64":"…"}: text that was not valid UTF-8.
			if err := lx.expect('{', "'{'"); err != nil {
				return err
			}
			if d.key, err = lx.key(d.key); err != nil {
				return err
			}
			if string(d.key) != "base64" {
				return lx.corrupt("column %q: expected {\"base64\": …}", c.Name)
			}
			if err := d.b64(c, r); err != nil {
				return err
			}
			if err := lx.expect('}', "'}' after a base64 value"); err != nil {
				return err
			}
		default:
			return lx.corrupt("column %q holds text, found %s", c.Name, describe(ch))
		}
	default:
		if ch != '"' {
			return lx.corrupt("column %q holds base64 strings, found %s", c.Name, describe(ch))
		}
		return d.b64(c, r)
	}
	return nil
}

// b64 reads a base64 string and appends its bytes to r.
func (d *docReader) b64(c *column, r *row) error {
	var err error
	if r.tmp, err = d.lx.str(r.tmp[:0]); err != nil {
		return err
	}
	start := len(r.arena)
	r.arena = slices.Grow(r.arena, base64.StdEncoding.DecodedLen(len(r.tmp)))
	n, err := base64.StdEncoding.Decode(r.arena[start:start+base64.StdEncoding.DecodedLen(len(r.tmp))], r.tmp)
	if err != nil {
		return d.lx.corrupt("column %q: a value is not valid base64", c.Name)
	}
	r.arena = r.arena[:start+n]
	r.cells = append(r.cells, cell{kind: cellBytes, start: start, end: start + n})
	return nil
}

// objects reads an array of views, triggers, routines or events.
func (d *docReader) objects(what string, kinds ...string) ([]Object, error) {
	var list []Object
	names := map[string]bool{}
	more, err := d.lx.openArray(what)
	for more && err == nil {
		var o Object
		err = d.members("an object in "+what, func(k string) (err error) {
			var s string
			if s, err = d.string(); err != nil {
				return err
			}
			switch k {
			case "kind":
				o.Kind = s
			case "name":
				o.Name = s
			case "table":
				o.Table = s
			case "create":
				o.Create = s
			case "create_base64":
				b, e := base64.StdEncoding.DecodeString(s)
				if e != nil {
					return d.corrupt("create_base64 of %q is not base64", o.Name)
				}
				o.Create = string(b)
			case "sql_mode":
				o.SQLMode = s
			case "time_zone":
				o.TimeZone = s
			case "character_set_client":
				o.CharacterSetClient = s
			case "collation_connection":
				o.CollationConnection = s
			case "database_collation":
				o.DatabaseCollation = s
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !slices.Contains(kinds, o.Kind) {
			return nil, d.corrupt("%s holds an object of kind %q", what, o.Kind)
		}
		if o.Name == "" || o.Create == "" || (o.Kind == KindTrigger && o.Table == "") {
			return nil, d.corrupt("%s holds an object without a name, a create statement or a table", what)
		}
		if !hasPrefixFold(o.Create, "CREATE ") {
			return nil, d.corrupt("the create statement of %s %q does not start with CREATE", o.Kind, o.Name)
		}
		key := o.Kind + "\x00" + o.Name
		if names[key] {
			return nil, d.corrupt("%s holds %q twice", what, o.Name)
		}
		names[key] = true
		d.need.object(&o)
		list = append(list, o)
		more, err = d.lx.more(']', what)
	}
	return list, err
}

// summary reads the "summary" object and checks it against what was read.
func (d *docReader) summary() error {
	got := map[string]int64{}
	lists := map[string][]string{}
	err := d.members("the summary", func(k string) (err error) {
		switch k {
		case "tables", "sequences", "rows", "views", "triggers", "routines", "events":
			got[k], err = d.int(k)
		case "charsets", "collations", "engines":
			lists[k], err = d.strings(k)
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	s := &d.sum
	s.Views, s.Triggers, s.Routines, s.Events = len(d.objs.Views), len(d.objs.Triggers), len(d.objs.Routines), len(d.objs.Events)
	d.need.fill(s)
	var tables, seqs int64
	for _, t := range s.Tables {
		if t.Type == TypeSequence {
			seqs++
		} else {
			tables++
		}
	}
	want := map[string]int64{"tables": tables, "sequences": seqs, "rows": s.TotalRows(),
		"views": int64(s.Views), "triggers": int64(s.Triggers), "routines": int64(s.Routines), "events": int64(s.Events)}
	for _, k := range []string{"tables", "sequences", "rows", "views", "triggers", "routines", "events"} {
		v, ok := got[k]
		if !ok {
			return d.corrupt("the summary has no %q", k)
		}
		if v != want[k] {
			return d.corrupt("the summary counts %d %s but the dump holds %d", v, k, want[k])
		}
	}
	for k, w := range map[string][]string{"charsets": s.Charsets, "collations": s.Collations, "engines": s.Engines} {
		g, ok := lists[k]
		if !ok {
			return d.corrupt("the summary has no %q", k)
		}
		if !slices.Equal(g, w) {
			return d.corrupt("the summary lists %s %v but the dump uses %v", k, g, w)
		}
	}
	return nil
}

// takeRow reads a django_migrations row the reader parsed.
func (m *migrationCols) takeRow(r *row) Migration {
	str := func(i int) string {
		_, b := r.value(i)
		return string(b)
	}
	return Migration{App: str(m.app), Name: str(m.name)}
}

// hasPrefixFold reports whether s starts with prefix, ignoring case and
// leading white space.
func hasPrefixFold(s, prefix string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
