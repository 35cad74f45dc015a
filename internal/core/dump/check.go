package dump

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CheckTarget says, before anything changes, whether the server behind db
// can take the dump described by s: every character set, collation and
// storage engine it uses must be available, and sequences need MariaDB
// 10.3 or newer. It returns an error wrapping ErrIncompatibleTarget that
// names everything missing and what to do. An older server version alone
// is not an error.
func CheckTarget(ctx context.Context, db *sql.DB, s *Summary) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database server: %w", err)
	}
	defer conn.Close()

	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return fmt.Errorf("read the server version: %w", err)
	}
	charsets, err := nameSet(ctx, conn, "SELECT CHARACTER_SET_NAME FROM information_schema.CHARACTER_SETS")
	if err != nil {
		return fmt.Errorf("list the server's character sets: %w", err)
	}
	collations, err := nameSet(ctx, conn, "SELECT COLLATION_NAME FROM information_schema.COLLATIONS")
	if err != nil {
		return fmt.Errorf("list the server's collations: %w", err)
	}
	// MariaDB 10.10+ lists full names of UCA collations per character set
	// here, not in COLLATIONS.
	if more, err := nameSet(ctx, conn, "SELECT FULL_COLLATION_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY"); err == nil {
		for k := range more {
			collations[k] = true
		}
	}
	engines, err := nameSet(ctx, conn, "SELECT ENGINE FROM information_schema.ENGINES WHERE SUPPORT IN ('YES', 'DEFAULT')")
	if err != nil {
		return fmt.Errorf("list the server's storage engines: %w", err)
	}

	var problems []string
	for _, c := range s.Charsets {
		if !hasName(charsets, c) {
			problems = append(problems, fmt.Sprintf("character set %s", c))
		}
	}
	for _, c := range s.Collations {
		if !hasName(collations, c) && !probeCollation(ctx, conn, c) {
			problems = append(problems, fmt.Sprintf("collation %s", c))
		}
	}
	for _, e := range s.Engines {
		if !engines[strings.ToLower(e)] {
			var users []string
			for _, t := range s.Tables {
				if strings.EqualFold(t.Engine, e) {
					users = append(users, t.Name)
				}
			}
			problems = append(problems, fmt.Sprintf("storage engine %s (used by %s; it is missing or disabled)", e, strings.Join(users, ", ")))
		}
	}
	var seqs []string
	for _, t := range s.Tables {
		if t.Type == TypeSequence {
			seqs = append(seqs, t.Name)
		}
	}
	if len(seqs) > 0 && !supportsSequences(version) {
		problems = append(problems, fmt.Sprintf("sequences (%s; they need MariaDB 10.3 or newer)", strings.Join(seqs, ", ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: the backup (made on %s %s) needs %s, which the server (%s) does not have; "+
		"restore onto a server of the same kind and at least the same version as the one the backup was made on, or enable what is missing",
		ErrIncompatibleTarget, s.Flavor, s.ServerVersion, strings.Join(problems, ", "), version)
}

// nameSet returns the lower-cased values of a one-column query.
func nameSet(ctx context.Context, conn *sql.Conn, query string) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if s.Valid {
			out[strings.ToLower(s.String)] = true
		}
	}
	return out, rows.Err()
}

// hasName looks a character set or collation up, treating utf8 and utf8mb3
// as the same (MariaDB 10.6 renamed one to the other).
func hasName(set map[string]bool, name string) bool {
	name = strings.ToLower(name)
	if set[name] {
		return true
	}
	for _, p := range [][2]string{{"utf8mb3", "utf8"}, {"utf8", "utf8mb3"}} {
		if name == p[0] || strings.HasPrefix(name, p[0]+"_") {
			if set[p[1]+strings.TrimPrefix(name, p[0])] {
				return true
			}
		}
	}
	return false
}

// probeCollation asks the server directly whether it knows a collation
// that information_schema does not list (an alias, for example).
func probeCollation(ctx context.Context, conn *sql.Conn, collation string) bool {
	for _, c := range collation {
		if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	cs := charsetOf(collation)
	var s sql.NullString
	err := conn.QueryRowContext(ctx, "SELECT CONVERT('' USING "+cs+") COLLATE "+collation).Scan(&s)
	return err == nil
}

// supportsSequences reports whether a server of this VERSION() has
// CREATE SEQUENCE (MariaDB 10.3+).
func supportsSequences(version string) bool {
	if flavorOf(version) != "mariadb" {
		return false
	}
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return slices.Compare([]int{major, minor}, []int{10, 3}) >= 0
}
