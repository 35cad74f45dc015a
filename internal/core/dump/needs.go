package dump

import (
	"slices"
	"strings"
)

// needs collects the character sets, collations and engines a dump uses.
// Writer and reader derive them from the same fields, so a reader can
// check the list in the summary.
type needs struct {
	charsets, collations, engines map[string]bool
}

func newNeeds() *needs {
	return &needs{charsets: map[string]bool{}, collations: map[string]bool{}, engines: map[string]bool{}}
}

func (n *needs) charset(c string) {
	if c != "" {
		n.charsets[strings.ToLower(c)] = true
	}
}

func (n *needs) collation(c string) {
	if c != "" {
		n.collations[strings.ToLower(c)] = true
		n.charset(charsetOf(c))
	}
}

func (n *needs) table(t *tableDef) {
	if t.Engine != "" {
		n.engines[t.Engine] = true
	}
	n.charset(t.Charset)
	n.collation(t.Collation)
	for _, c := range t.Columns {
		n.charset(c.Charset)
		n.collation(c.Collation)
	}
}

func (n *needs) object(o *Object) {
	n.charset(o.CharacterSetClient)
	n.collation(o.CollationConnection)
	n.collation(o.DatabaseCollation)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (n *needs) fill(s *Summary) {
	s.Charsets = sortedKeys(n.charsets)
	s.Collations = sortedKeys(n.collations)
	s.Engines = sortedKeys(n.engines)
}
