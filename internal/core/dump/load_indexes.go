package dump

import (
	"strings"
)

// Loading a table with its secondary indexes in place makes the server
// update every index row by row, in random order; building them afterwards
// with one ALTER TABLE lets InnoDB sort each index once, which costs a
// fraction of that. Foreign keys go even later, after every table is
// complete: a table's CREATE fails (errno 150) when it names a parent whose
// referenced index is not there yet, and with foreign_key_checks = 0 adding
// a foreign key to a full table only writes metadata.
//
// The restored definition must still be exactly the backed-up one (the
// mysqldump round-trip test compares SHOW CREATE TABLE byte for byte), so
// the split is only used after the server proved on the empty table that
// adding the deferred indexes back gives the same definition.

// tableShape is a CREATE TABLE statement as SHOW CREATE TABLE prints it,
// split into its lines: "CREATE TABLE `t` (", one line per column, index
// or constraint (two spaces, then the item, then a comma but on the last),
// and ") ENGINE=…" followed by any partitioning lines.
type tableShape struct {
	head  string   // "CREATE TABLE `t` ("
	items []string // without the indent and the separating comma
	tail  string   // ") ENGINE=…" and what follows
}

// parseShape splits create into lines, or returns false when it is not in
// the one-item-per-line form SHOW CREATE TABLE prints (then nothing is
// moved).
func parseShape(create string) (*tableShape, bool) {
	lines := strings.Split(create, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "CREATE TABLE ") || !strings.HasSuffix(lines[0], " (") {
		return nil, false
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], ")") {
			end = i
			break
		}
	}
	if end < 2 {
		return nil, false
	}
	s := &tableShape{head: lines[0], tail: strings.Join(lines[end:], "\n")}
	for i := 1; i < end; i++ {
		item, ok := strings.CutPrefix(lines[i], "  ")
		if !ok || item == "" || item[0] == ' ' {
			return nil, false
		}
		if i < end-1 {
			if item, ok = strings.CutSuffix(item, ","); !ok {
				return nil, false
			}
		} else if strings.HasSuffix(item, ",") {
			return nil, false
		}
		s.items = append(s.items, item)
	}
	return s, true
}

// text builds a CREATE TABLE statement from the items keep accepts.
func (s *tableShape) text(keep func(item string) bool) string {
	var b strings.Builder
	b.WriteString(s.head)
	b.WriteByte('\n')
	n := 0
	for _, it := range s.items {
		if !keep(it) {
			continue
		}
		if n > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  ")
		b.WriteString(it)
		n++
	}
	b.WriteByte('\n')
	b.WriteString(s.tail)
	return b.String()
}

func isForeignKey(item string) bool {
	if !strings.HasPrefix(item, "CONSTRAINT `") {
		return false
	}
	_, rest, ok := cutIdent(item[len("CONSTRAINT "):])
	return ok && strings.HasPrefix(rest, " FOREIGN KEY (")
}

// deferrableKey reports whether item is an ordinary secondary index that
// InnoDB can build in place by sorting: not FULLTEXT or SPATIAL (separate
// structures), not a long UNIQUE … USING HASH (a hidden column: adding it
// rebuilds the table).
func deferrableKey(item string) bool {
	return (strings.HasPrefix(item, "KEY `") || strings.HasPrefix(item, "UNIQUE KEY `")) &&
		!strings.Contains(item, " USING HASH")
}

// keyName returns the name of a KEY or UNIQUE KEY item.
func keyName(item string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(item, "UNIQUE "), "KEY ")
	name, _, _ := cutIdent(rest)
	return name
}

// cutIdent reads a backtick-quoted identifier at the start of s.
func cutIdent(s string) (name, rest string, ok bool) {
	if !strings.HasPrefix(s, "`") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '`' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '`' {
			b.WriteByte('`')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", s, false
}

// indexPlan is how one table is created and completed.
type indexPlan struct {
	// create makes the table with everything but its foreign keys (and,
	// when keys is not empty, but its deferrable secondary indexes).
	create string
	// full is the CREATE TABLE without foreign keys but with every index:
	// what the table must look like (SHOW CREATE TABLE) once keys are
	// added, and the statement to fall back to.
	full string
	// keys are the secondary index definitions that create leaves out, in
	// their order in the dump; empty when the table is created whole.
	keys []string
	// foreignKeys are the FOREIGN KEY constraints, added when every table
	// is loaded.
	foreignKeys []string
}

// planIndexes decides what to leave out of t's CREATE TABLE. Indexes are
// only deferred when it is clearly safe: an InnoDB table with a primary
// key (without one InnoDB clusters on a hidden row ID or the first unique
// key, and adding that key later rebuilds the table), whose AUTO_INCREMENT
// column, if any, leads the primary key (it must stay the first column of
// some index), not partitioned and not system-versioned, and without
// FULLTEXT or SPATIAL indexes.
func planIndexes(t *tableDef) indexPlan {
	s, ok := parseShape(t.Create)
	if !ok {
		return indexPlan{create: t.Create, full: t.Create}
	}
	var p indexPlan
	var autoCol, pkFirst string
	var special bool
	for _, it := range s.items {
		switch {
		case isForeignKey(it):
			p.foreignKeys = append(p.foreignKeys, it)
		case strings.HasPrefix(it, "PRIMARY KEY (`"):
			pkFirst, _, _ = cutIdent(it[len("PRIMARY KEY ("):])
		case strings.HasPrefix(it, "FULLTEXT ") || strings.HasPrefix(it, "SPATIAL "):
			special = true
		case strings.HasPrefix(it, "`"):
			if name, def, ok := cutIdent(it); ok && strings.Contains(def, " AUTO_INCREMENT") {
				autoCol = name
			}
		}
	}
	noFK := func(it string) bool { return !isForeignKey(it) }
	p.full = s.text(noFK)
	p.create = p.full
	upper := strings.ToUpper(s.tail)
	if !strings.EqualFold(t.Engine, "InnoDB") || pkFirst == "" || (autoCol != "" && autoCol != pkFirst) || special ||
		strings.Contains(upper, "PARTITION BY") || strings.Contains(upper, "WITH SYSTEM VERSIONING") {
		return p
	}
	for _, it := range s.items {
		if deferrableKey(it) {
			p.keys = append(p.keys, it)
		}
	}
	if len(p.keys) > 0 {
		p.create = s.text(func(it string) bool { return noFK(it) && !deferrableKey(it) })
	}
	return p
}

// addKeys returns the ALTER TABLE that adds the deferred indexes.
func (p *indexPlan) addKeys(table string) string {
	return "ALTER TABLE " + quoteIdent(table) + " ADD " + strings.Join(p.keys, ", ADD ")
}

// dropKeys returns the ALTER TABLE that removes the deferred indexes again.
func (p *indexPlan) dropKeys(table string) string {
	var b strings.Builder
	b.WriteString("ALTER TABLE ")
	b.WriteString(quoteIdent(table))
	for i, k := range p.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" DROP INDEX ")
		b.WriteString(quoteIdent(keyName(k)))
	}
	return b.String()
}

// addForeignKeys returns the ALTER TABLE that adds the foreign keys.
func (p *indexPlan) addForeignKeys(table string) string {
	return "ALTER TABLE " + quoteIdent(table) + " ADD " + strings.Join(p.foreignKeys, ", ADD ")
}
