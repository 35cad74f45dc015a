package mariadbtest

import "testing"

func TestStartStopRestart(t *testing.T) {
	s, err := Start(Options{TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tz string
	if err := db.QueryRow("SELECT @@global.time_zone").Scan(&tz); err != nil {
		t.Fatal(err)
	}
	if !s.External() && tz != "Europe/Berlin" {
		t.Fatalf("time zone = %q, want Europe/Berlin", tz)
	}
	name, err := s.CreateDatabase("harness")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(name, "CREATE TABLE t (a INT); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if s.External() {
		t.Skip("external server: restart not tested")
	}
	s.Kill()
	if err := db.Ping(); err == nil {
		t.Fatal("ping succeeded after Kill")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM `" + name + "`.t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after restart: n=%d err=%v", n, err)
	}
}
