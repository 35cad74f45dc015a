package e2e

import (
	"context"
	"testing"

	"github.com/backupdesktop/backup-desktop/internal/testutil/fixture"
)

// TestAllTypesRoundTripThroughTheCLI backs up the database with every column
// type, edge value and kind of object, drops it, restores it with the
// command line and compares mysqldump of both.
func TestAllTypesRoundTripThroughTheCLI(t *testing.T) {
	s := newSetup(t)
	db, err := srv.Open(s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range fixture.AllTypes() {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	conn.Close()
	s.writeMedia(map[string]string{"deep/a/b/c.bin": "\x00\x01\x02", "empty/": ""})
	want, wantMedia := mysqldump(t, s.db), tree(t, s.media)

	file := s.backup()
	if out, err := runTool("unzip", "-tq", file); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	s.exec("DROP DATABASE `" + s.db + "`")
	if err := srv.Exec("", "CREATE DATABASE `"+s.db+"`"); err != nil {
		t.Fatal(err)
	}
	s.mustRun("restore", file, "--yes", "--no-safety-backup")
	if got := mysqldump(t, s.db); got != want {
		t.Fatalf("restored database differs from the original:\n%s", diff(want, got))
	}
	sameTree(t, wantMedia, tree(t, s.media))
}
