package dbconn

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/testutil/mariadbtest"
)

var srv *mariadbtest.Server

func TestMain(m *testing.M) {
	s, err := mariadbtest.Start(mariadbtest.Options{})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

func dbSettings(name string) settings.Database {
	return settings.Database{Engine: "mysql", Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Name: name}
}

func TestOpenExplainsFailures(t *testing.T) {
	name, err := srv.CreateDatabase("conn")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := Open(ctx, dbSettings(name))
	if err != nil {
		t.Fatalf("good settings: %v", err)
	}
	db.Close()

	wrongPass := dbSettings(name)
	wrongPass.User = "nobody_here"
	wrongPass.Password = "wrong"
	unknown := dbSettings("no_such_database_xyz")
	unreachable := dbSettings(name)
	unreachable.Port = 1 // nothing listens there
	badSocket := dbSettings(name)
	badSocket.Socket = "/nonexistent/mysqld.sock"

	cases := []struct {
		name   string
		d      settings.Database
		target error
		words  string
	}{
		{"access denied", wrongPass, ErrAccessDenied, "user name and password"},
		{"unknown database", unknown, ErrUnknownDB, "does not exist"},
		{"unreachable port", unreachable, ErrUnreachable, "is running"},
		{"missing socket", badSocket, ErrUnreachable, "/nonexistent/mysqld.sock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(ctx, c.d)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			var ce *ConnError
			if !errors.As(err, &ce) || !errors.Is(err, c.target) {
				t.Fatalf("err = %v (%T), want ConnError matching %v", err, err, c.target)
			}
			if !strings.Contains(err.Error(), c.words) {
				t.Errorf("message %q lacks %q", err, c.words)
			}
		})
	}
}
