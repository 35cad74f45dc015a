package dump

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Object kinds.
const (
	KindView        = "view"
	KindTrigger     = "trigger"
	KindProcedure   = "procedure"
	KindFunction    = "function"
	KindPackage     = "package"      // MariaDB, sql_mode=ORACLE
	KindPackageBody = "package body" // MariaDB, sql_mode=ORACLE
	KindEvent       = "event"
)

// Object is a view, trigger, routine or event: its CREATE statement and
// the session settings it was created under, which CreateObjects replays.
// It marshals to the same JSON as in the dump.
type Object struct {
	Kind string // one of the Kind constants
	Name string
	// Table is the table a trigger belongs to.
	Table string
	// Create is the CREATE statement as SHOW CREATE prints it, in the
	// object's CharacterSetClient (almost always UTF-8, but not
	// necessarily).
	Create string
	// SQLMode is the sql_mode the object was created under (triggers,
	// routines, events).
	SQLMode string
	// TimeZone is the time_zone an event was created under; its STARTS and
	// ENDS times are in it.
	TimeZone string
	// CharacterSetClient and CollationConnection are the client character
	// set and connection collation the object was created under; Create is
	// replayed under them.
	CharacterSetClient  string
	CollationConnection string
	// DatabaseCollation is the database's collation when the object was
	// created (triggers, routines, events); informational.
	DatabaseCollation string
}

// Objects are the objects of a database that are not tables, grouped as
// they are created: routines, then views, triggers and events.
type Objects struct {
	Views    []Object
	Triggers []Object
	Routines []Object
	Events   []Object
}

// all returns every object, in creation order.
func (o *Objects) all() []Object {
	if o == nil {
		return nil
	}
	var list []Object
	list = append(list, o.Routines...)
	list = append(list, o.Views...)
	list = append(list, o.Triggers...)
	list = append(list, o.Events...)
	return list
}

type objectJSON struct {
	Kind                string `json:"kind"`
	Name                string `json:"name"`
	Table               string `json:"table,omitempty"`
	Create              string `json:"create,omitempty"`
	CreateBase64        string `json:"create_base64,omitempty"`
	SQLMode             string `json:"sql_mode,omitempty"`
	TimeZone            string `json:"time_zone,omitempty"`
	CharacterSetClient  string `json:"character_set_client,omitempty"`
	CollationConnection string `json:"collation_connection,omitempty"`
	DatabaseCollation   string `json:"database_collation,omitempty"`
}

// MarshalJSON writes the object as in the dump: "create" when the
// statement is UTF-8, "create_base64" otherwise, so no byte is lost.
func (o Object) MarshalJSON() ([]byte, error) {
	j := objectJSON{Kind: o.Kind, Name: o.Name, Table: o.Table, SQLMode: o.SQLMode, TimeZone: o.TimeZone,
		CharacterSetClient: o.CharacterSetClient, CollationConnection: o.CollationConnection, DatabaseCollation: o.DatabaseCollation}
	if utf8.ValidString(o.Create) {
		j.Create = o.Create
	} else {
		j.CreateBase64 = base64.StdEncoding.EncodeToString([]byte(o.Create))
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Object) UnmarshalJSON(b []byte) error {
	var j objectJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*o = Object{Kind: j.Kind, Name: j.Name, Table: j.Table, Create: j.Create, SQLMode: j.SQLMode, TimeZone: j.TimeZone,
		CharacterSetClient: j.CharacterSetClient, CollationConnection: j.CollationConnection, DatabaseCollation: j.DatabaseCollation}
	if j.CreateBase64 != "" {
		raw, err := base64.StdEncoding.DecodeString(j.CreateBase64)
		if err != nil {
			return fmt.Errorf("object %q: create_base64: %w", j.Name, err)
		}
		o.Create = string(raw)
	}
	return nil
}

// writeObject writes o as a JSON object into the dump.
func (j *jsonWriter) object(o *Object) {
	j.byte1('{')
	j.key("kind", true)
	j.str(o.Kind)
	j.key("name", false)
	j.str(o.Name)
	if o.Table != "" {
		j.key("table", false)
		j.str(o.Table)
	}
	for _, f := range [...]struct{ k, v string }{
		{"sql_mode", o.SQLMode}, {"time_zone", o.TimeZone},
		{"character_set_client", o.CharacterSetClient}, {"collation_connection", o.CollationConnection},
		{"database_collation", o.DatabaseCollation},
	} {
		if f.v != "" {
			j.key(f.k, false)
			j.str(f.v)
		}
	}
	j.textField("create", o.Create, false)
	j.byte1('}')
}

// ReadObjects reads the views, triggers, routines and events of database,
// as Write would dump them.
func ReadObjects(ctx context.Context, db *sql.DB, database string) (*Objects, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the database server: %w", err)
	}
	defer discardConn(conn)
	if _, err := prepareReadSession(ctx, conn); err != nil {
		return nil, fmt.Errorf("prepare session: %w", err)
	}
	if _, _, err := useDatabase(ctx, conn, database); err != nil {
		return nil, err
	}
	return readObjects(ctx, conn, database)
}

// readObjects reads the objects of the session's current database.
func readObjects(ctx context.Context, conn *sql.Conn, database string) (*Objects, error) {
	o := &Objects{}
	schema := quoteString(database)

	views, err := queryPairs(ctx, conn, "SELECT TABLE_NAME, '' FROM information_schema.VIEWS WHERE TABLE_SCHEMA = "+schema+" ORDER BY TABLE_NAME")
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	for _, v := range views {
		obj, err := showObject(ctx, conn, KindView, v[0], "SHOW CREATE VIEW "+quoteIdent(v[0]), "create view")
		if err != nil {
			return nil, err
		}
		o.Views = append(o.Views, obj)
	}

	trigs, err := queryPairs(ctx, conn, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = "+schema+
		" ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER")
	if err != nil {
		return nil, fmt.Errorf("list triggers: %w", err)
	}
	for _, t := range trigs {
		obj, err := showObject(ctx, conn, KindTrigger, t[0], "SHOW CREATE TRIGGER "+quoteIdent(t[0]), "sql original statement")
		if err != nil {
			return nil, err
		}
		obj.Table = t[1]
		o.Triggers = append(o.Triggers, obj)
	}

	routines, err := queryPairs(ctx, conn, "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = "+schema+
		" ORDER BY ROUTINE_TYPE, ROUTINE_NAME")
	if err != nil {
		return nil, fmt.Errorf("list stored routines: %w", err)
	}
	for _, r := range routines {
		kind := strings.ToLower(r[1])
		obj, err := showObject(ctx, conn, kind, r[0], "SHOW CREATE "+r[1]+" "+quoteIdent(r[0]), "create "+kind)
		if err != nil {
			return nil, err
		}
		o.Routines = append(o.Routines, obj)
	}

	events, err := queryPairs(ctx, conn, "SELECT EVENT_NAME, '' FROM information_schema.EVENTS WHERE EVENT_SCHEMA = "+schema+" ORDER BY EVENT_NAME")
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	for _, e := range events {
		obj, err := showObject(ctx, conn, KindEvent, e[0], "SHOW CREATE EVENT "+quoteIdent(e[0]), "create event")
		if err != nil {
			return nil, err
		}
		o.Events = append(o.Events, obj)
	}
	return o, nil
}

// queryPairs returns the rows of a two-column query.
func queryPairs(ctx context.Context, conn *sql.Conn, query string) ([][2]string, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var a string
		var b sql.NullString
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out = append(out, [2]string{a, b.String})
	}
	return out, rows.Err()
}

// showObject reads one object with SHOW CREATE.
func showObject(ctx context.Context, conn *sql.Conn, kind, name, query, createCol string) (Object, error) {
	vals, present, err := showCreate(ctx, conn, query)
	if err != nil {
		return Object{}, fmt.Errorf("read definition of %s %q: %w", kind, name, err)
	}
	if !present[createCol] || vals[createCol] == "" {
		return Object{}, fmt.Errorf("read definition of %s %q: the server did not show it; the database user needs the privilege to see it "+
			"(SHOW VIEW for views, TRIGGER for triggers, EVENT for events, SHOW CREATE ROUTINE or SELECT on mysql.proc for routines)", kind, name)
	}
	return Object{
		Kind:                kind,
		Name:                name,
		Create:              vals[createCol],
		SQLMode:             vals["sql_mode"],
		TimeZone:            vals["time_zone"],
		CharacterSetClient:  vals["character_set_client"],
		CollationConnection: vals["collation_connection"],
		DatabaseCollation:   vals["database collation"],
	}, nil
}

// dropStatement returns the statement that removes o.
func dropStatement(o Object) string {
	switch o.Kind {
	case KindView:
		return "DROP VIEW IF EXISTS " + quoteIdent(o.Name)
	case KindTrigger:
		return "DROP TRIGGER IF EXISTS " + quoteIdent(o.Name)
	case KindEvent:
		return "DROP EVENT IF EXISTS " + quoteIdent(o.Name)
	default:
		return "DROP " + strings.ToUpper(o.Kind) + " IF EXISTS " + quoteIdent(o.Name)
	}
}

// DropObjects removes the objects listed in o from database, if they
// exist. Tables are not touched.
func DropObjects(ctx context.Context, db *sql.DB, database string, o *Objects) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database server: %w", err)
	}
	defer discardConn(conn)
	if err := execAll(ctx, conn, "SET NAMES utf8mb4", "USE "+quoteIdent(database)); err != nil {
		return fmt.Errorf("open database %q: %w", database, err)
	}
	list := o.all()
	// Package bodies before their packages, the rest in any order.
	for i := len(list) - 1; i >= 0; i-- {
		o := list[i]
		stmts := []string{dropStatement(o)}
		if o.Kind == KindPackage || o.Kind == KindPackageBody {
			// MariaDB knows DROP PACKAGE only in the Oracle mode the
			// package was created in.
			stmts = []string{"SET SESSION sql_mode = " + quoteString(o.SQLMode), stmts[0], "SET SESSION sql_mode = DEFAULT"}
		}
		if err := execAll(ctx, conn, stmts...); err != nil {
			return fmt.Errorf("remove %s %q from database %q: %w", o.Kind, o.Name, database, err)
		}
	}
	return nil
}

// CreateObjects creates the objects in o in database: routines first, then
// views (a view that needs another one is retried after it), triggers and
// events, each under the sql_mode, character set and time zone it was
// created with.
func CreateObjects(ctx context.Context, db *sql.DB, database string, o *Objects) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database server: %w", err)
	}
	defer discardConn(conn)
	if err := execAll(ctx, conn, "SET NAMES utf8mb4", "USE "+quoteIdent(database)); err != nil {
		return fmt.Errorf("open database %q: %w", database, err)
	}
	if o == nil {
		return nil
	}
	for _, r := range o.Routines {
		if err := createObject(ctx, conn, r); err != nil {
			return err
		}
	}
	// Views may use views: create what can be created until nothing is
	// left or a round makes no progress.
	pending := append([]Object(nil), o.Views...)
	for len(pending) > 0 {
		var next []Object
		var lastErr error
		for _, v := range pending {
			if err := createObject(ctx, conn, v); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				next = append(next, v)
				lastErr = err
			}
		}
		if len(next) == len(pending) {
			return fmt.Errorf("%w (%d view(s) could not be created; a view may use a table, view or function that the backup does not contain)", lastErr, len(next))
		}
		pending = next
	}
	for _, list := range [][]Object{o.Triggers, o.Events} {
		for _, x := range list {
			if err := createObject(ctx, conn, x); err != nil {
				return err
			}
		}
	}
	return nil
}

// createObject replays the session settings of o and runs its CREATE
// statement, then restores the session to utf8mb4.
func createObject(ctx context.Context, conn *sql.Conn, o Object) error {
	var set []string
	if o.SQLMode != "" || o.Kind != KindView {
		set = append(set, "SET SESSION sql_mode = "+quoteString(o.SQLMode))
	}
	if o.TimeZone != "" {
		set = append(set, "SET SESSION time_zone = "+quoteString(o.TimeZone))
	}
	if o.CharacterSetClient != "" {
		set = append(set, "SET SESSION character_set_client = "+quoteString(o.CharacterSetClient))
	}
	if o.CollationConnection != "" {
		set = append(set, "SET SESSION collation_connection = "+quoteString(o.CollationConnection))
	}
	if err := execAll(ctx, conn, set...); err != nil {
		return fmt.Errorf("create %s %q: prepare its settings: %w", o.Kind, o.Name, err)
	}
	_, err := conn.ExecContext(ctx, o.Create)
	if reset := execAll(ctx, conn, "SET NAMES utf8mb4", "SET SESSION sql_mode = DEFAULT", "SET SESSION time_zone = DEFAULT"); err == nil && reset != nil {
		err = reset
	}
	if err != nil {
		return fmt.Errorf("create %s %q: %w", o.Kind, o.Name, err)
	}
	return nil
}
