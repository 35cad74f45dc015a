package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/backupdesktop/backup-desktop/internal/core/applog"
	"github.com/backupdesktop/backup-desktop/internal/core/history"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

func (s *setup) saveSettings(change func(*settings.Settings)) {
	s.t.Helper()
	change(&s.settings)
	if err := settings.Save(s.config, s.settings); err != nil {
		s.t.Fatal(err)
	}
}

func (s *setup) scheduled(at string) result {
	s.t.Helper()
	return s.mustRun("run-scheduled-backup", "--at", at)
}

func (s *setup) zips() []string {
	var out []string
	for _, n := range s.backupFiles() {
		if strings.HasSuffix(n, ".zip") && !strings.HasPrefix(n, ".") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func TestScheduledBackupDueAndNotDue(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	s.saveSettings(func(c *settings.Settings) {
		c.Schedule = settings.Schedule{Enabled: true, Frequency: "daily", Time: "02:00"}
	})

	r := s.scheduled("2026-03-10T02:00:00+01:00")
	if !strings.Contains(r.stdout, "daily_backup_20260310_020000.zip") {
		t.Fatalf("due run did not make the daily backup: %s", r)
	}
	r = s.scheduled("2026-03-10T03:00:00+01:00")
	if !strings.Contains(r.stdout, "No backup due") || !strings.Contains(r.stdout, "2026-03-11 02:00") {
		t.Errorf("second run the same day: %s", r)
	}
	// The computer was off for a week: one catch-up, then nothing.
	r = s.scheduled("2026-03-17T09:00:00+01:00")
	if !strings.Contains(r.stdout, "daily_backup_20260317_090000.zip") {
		t.Errorf("catch-up after a week off: %s", r)
	}
	s.scheduled("2026-03-17T09:05:00+01:00")
	if got := s.zips(); len(got) != 2 {
		t.Errorf("after a missed week: %v, want two backups", got)
	}
	// Weekly: only Sundays.
	s.saveSettings(func(c *settings.Settings) { c.Schedule.Frequency = "weekly" })
	r = s.scheduled("2026-03-22T02:30:00+01:00") // a Sunday
	if !strings.Contains(r.stdout, "weekly_backup_20260322_023000.zip") {
		t.Errorf("weekly run on Sunday: %s", r)
	}
	r = s.scheduled("2026-03-24T02:30:00+01:00")
	if !strings.Contains(r.stdout, "No backup due") {
		t.Errorf("weekly run on Tuesday: %s", r)
	}
	// Off: nothing, exit 0.
	s.saveSettings(func(c *settings.Settings) { c.Schedule.Enabled = false })
	r = s.scheduled("2026-04-05T02:30:00+02:00")
	if !strings.Contains(r.stdout, "turned off") {
		t.Errorf("disabled schedule: %s", r)
	}
	recs, err := history.Open(filepath.Dir(s.config)).List()
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	for _, rec := range recs {
		if rec.Op == history.OpBackup && rec.Scheduled && rec.Result == history.ResultOK {
			made++
		}
	}
	if made != 3 {
		t.Errorf("history has %d scheduled backups, want 3: %+v", made, recs)
	}
}

func TestScheduledSameMomentTwiceConcurrently(t *testing.T) {
	s := newSetup(t)
	s.bigTable(50000)
	const at = "2026-05-01T02:00:00+02:00"
	var wg sync.WaitGroup
	results := make([]result, 3)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = s.run("run-scheduled-backup", "--at", at)
		}(i)
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 && r.code != 75 {
			t.Errorf("concurrent scheduled run: %s", r)
		}
	}
	s.scheduled(at)
	if got := s.zips(); len(got) != 1 || got[0] != "daily_backup_20260501_020000.zip" {
		t.Errorf("the same moment run four times made %v, want one backup", got)
	}
}

func TestRetentionAfterScheduledRun(t *testing.T) {
	s := newSetup(t)
	s.exec(inventorySchema)
	s.saveSettings(func(c *settings.Settings) { c.RetentionDays = 7 })
	// Made first: create-backup applies retention at the real time.
	s.backup("--name", "keep me forever")
	for _, at := range []string{"2026-06-01T02:00:00+02:00", "2026-06-02T02:00:00+02:00", "2026-06-05T02:00:00+02:00", "2026-06-09T02:00:00+02:00"} {
		s.scheduled(at)
	}
	os.WriteFile(filepath.Join(s.backups, "daily_backup_20200101_020000.zip"), []byte("not a real backup"), 0o644)
	os.WriteFile(filepath.Join(s.backups, "holiday photos.zip"), []byte("PK foreign"), 0o644)

	r := s.mustRun("prune", "--dry-run", "--at", "2026-06-10T02:00:00+02:00")
	if !strings.Contains(r.stdout, "delete  daily_backup_20260602_020000.zip") || !strings.Contains(r.stdout, "nothing was deleted") {
		t.Errorf("prune --dry-run: %s", r)
	}
	r = s.scheduled("2026-06-10T02:00:00+02:00")
	got := s.zips()
	expect := []string{
		"daily_backup_20200101_020000.zip", // not complete: never deleted automatically
		"daily_backup_20260605_020000.zip",
		"daily_backup_20260609_020000.zip",
		"daily_backup_20260610_020000.zip",
		"holiday photos.zip",
		"keep me forever.zip",
	}
	if strings.Join(got, "|") != strings.Join(expect, "|") {
		t.Errorf("after retention:\n got %v\nwant %v\n%s", got, expect, r)
	}
	// 06-01 went with the 06-09 run; 06-02 with this one.
	if !strings.Contains(r.stdout, "Deleted old backup: daily_backup_20260602_020000.zip") {
		t.Errorf("run did not report deleting the 06-02 backup: %s", r)
	}
}

func TestScheduledRunFailureIsLoggedAndRecorded(t *testing.T) {
	s := newSetup(t)
	s.saveSettings(func(c *settings.Settings) { c.Database.Port = 1 })
	r := s.run("run-scheduled-backup", "--at", "2026-07-01T02:00:00+02:00")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the database server") {
		t.Fatalf("failing scheduled run: %s", r)
	}
	state := filepath.Dir(s.config)
	log, err := os.ReadFile(applog.Path(state))
	if err != nil || !strings.Contains(string(log), "cannot reach the database server") {
		t.Errorf("log lacks the reason (%v):\n%s", err, log)
	}
	rec, ok, err := history.Open(state).Last(history.OpBackup)
	if err != nil || !ok || rec.Result != history.ResultFailed || !strings.Contains(rec.Error, "cannot reach") || !rec.Scheduled {
		t.Errorf("history: %+v %v %v", rec, ok, err)
	}
	st := s.mustRun("status")
	if !strings.Contains(st.stdout, "FAILED") {
		t.Errorf("status does not show the failure:\n%s", st.stdout)
	}
}
