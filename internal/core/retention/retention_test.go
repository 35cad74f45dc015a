package retention

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
)

func TestApply(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ok := func(name string, k backupname.Kind, created string) Backup {
		return Backup{Name: name, Kind: k, Created: at(created), Complete: true}
	}
	now := at("2026-06-30 12:00:00") // cutoff for 30 days: 2026-05-31 12:00:00
	cases := []struct {
		name    string
		days    int
		now     time.Time
		backups []Backup
		remove  []string          // names removed
		reasons map[string]string // name → substring of its reason
	}{
		{
			name: "old timestamped kinds go, recent stay",
			days: 30, now: now,
			backups: []Backup{
				ok("daily_new", backupname.Daily, "2026-06-29 02:00:00"),
				ok("daily_old", backupname.Daily, "2026-05-01 02:00:00"),
				ok("weekly_old", backupname.Weekly, "2026-04-05 02:00:00"),
				ok("monthly_old", backupname.Monthly, "2026-01-01 02:00:00"),
				ok("manual_old", backupname.Manual, "2026-05-20 10:00:00"),
				ok("pre_restore_old", backupname.PreRestore, "2026-05-30 10:00:00"),
			},
			remove:  []string{"daily_old", "weekly_old", "monthly_old", "manual_old", "pre_restore_old"},
			reasons: map[string]string{"daily_new": "newest successful", "daily_old": "more than retention_days=30", "monthly_old": "180 days"},
		},
		{
			name: "exactly at the cutoff is kept, a second older goes",
			days: 30, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				ok("at_cutoff", backupname.Daily, "2026-05-31 12:00:00"),
				ok("before_cutoff", backupname.Daily, "2026-05-31 11:59:59"),
			},
			remove:  []string{"before_cutoff"},
			reasons: map[string]string{"at_cutoff": "within retention_days=30"},
		},
		{
			name: "custom-named backups are never deleted",
			days: 30, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				ok("before price update.zip", backupname.Custom, "2020-01-01 00:00:00"),
				{Name: "photos.zip", Kind: backupname.Custom},
			},
			reasons: map[string]string{"before price update.zip": "custom-named", "photos.zip": "custom-named"},
		},
		{
			name: "incomplete and foreign files with backup names are kept",
			days: 30, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				{Name: "daily_incomplete", Kind: backupname.Daily, Created: at("2026-01-01 02:00:00")},
			},
			reasons: map[string]string{"daily_incomplete": "not a complete backup"},
		},
		{
			name: "in-progress backups are kept",
			days: 30, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				{Name: "running", Kind: backupname.Daily, Created: at("2026-01-01 02:00:00"), Complete: true, InProgress: true},
			},
			reasons: map[string]string{"running": "in progress"},
		},
		{
			name: "all old: the newest successful stays",
			days: 30, now: now,
			backups: []Backup{
				ok("a", backupname.Daily, "2026-03-01 02:00:00"),
				ok("b", backupname.Daily, "2026-03-03 02:00:00"),
				ok("c", backupname.Weekly, "2026-03-02 02:00:00"),
			},
			remove:  []string{"a", "c"},
			reasons: map[string]string{"b": "newest successful"},
		},
		{
			name: "newest is incomplete: the newest complete one stays",
			days: 30, now: now,
			backups: []Backup{
				{Name: "broken", Kind: backupname.Daily, Created: at("2026-06-29 02:00:00")},
				ok("good_old", backupname.Daily, "2026-03-03 02:00:00"),
				ok("older", backupname.Daily, "2026-03-02 02:00:00"),
			},
			remove:  []string{"older"},
			reasons: map[string]string{"good_old": "newest successful", "broken": "not a complete backup"},
		},
		{
			name: "a newer custom backup is the newest successful one",
			days: 30, now: now,
			backups: []Backup{
				ok("mine.zip", backupname.Custom, "2026-06-29 10:00:00"),
				ok("daily_old", backupname.Daily, "2026-03-03 02:00:00"),
			},
			remove: []string{"daily_old"},
		},
		{
			name: "retention_days below 1 keeps everything",
			days: 0, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				ok("daily_old", backupname.Daily, "2020-03-03 02:00:00"),
			},
			reasons: map[string]string{"daily_old": "retention_days is 0"},
		},
		{
			name: "unknown creation time is kept",
			days: 30, now: now,
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-06-30 02:00:00"),
				{Name: "no_time", Kind: backupname.Daily, Complete: true},
			},
			reasons: map[string]string{"no_time": "creation time unknown"},
		},
		{
			name: "one day across spring forward is a calendar day (23 hours)",
			days: 1, now: at("2026-03-29 12:00:00"),
			backups: []Backup{
				ok("newest", backupname.Daily, "2026-03-29 11:00:00"),
				ok("one_day", backupname.Daily, "2026-03-28 12:00:00"),
				ok("one_day_and_a_minute", backupname.Daily, "2026-03-28 11:59:00"),
			},
			remove: []string{"one_day_and_a_minute"},
		},
		{
			name: "backups in the future of a simulated now are kept",
			days: 30, now: at("2026-01-01 00:00:00"),
			backups: []Backup{
				ok("future", backupname.Daily, "2026-06-30 02:00:00"),
				ok("past", backupname.Daily, "2025-10-01 02:00:00"),
				ok("past2", backupname.Daily, "2025-12-30 02:00:00"),
			},
			remove: []string{"past"},
		},
		{
			name: "nothing to do",
			days: 30, now: now,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := Apply(tc.backups, tc.days, tc.now)
			if len(ds) != len(tc.backups) {
				t.Fatalf("got %d decisions for %d backups", len(ds), len(tc.backups))
			}
			var removed []string
			for i, d := range ds {
				if d.Backup.Name != tc.backups[i].Name {
					t.Errorf("decision %d is for %q, want %q (same order as input)", i, d.Backup.Name, tc.backups[i].Name)
				}
				if d.Reason == "" {
					t.Errorf("%s: empty reason", d.Backup.Name)
				}
				if d.Remove != strings.HasPrefix(d.Reason, "delete:") {
					t.Errorf("%s: Remove=%v but reason %q", d.Backup.Name, d.Remove, d.Reason)
				}
				if d.Remove {
					removed = append(removed, d.Backup.Name)
				}
				if want, ok := tc.reasons[d.Backup.Name]; ok && !strings.Contains(d.Reason, want) {
					t.Errorf("%s: reason %q does not contain %q", d.Backup.Name, d.Reason, want)
				}
			}
			slices.Sort(removed)
			want := slices.Clone(tc.remove)
			slices.Sort(want)
			if !slices.Equal(removed, want) {
				t.Errorf("removed %q, want %q", removed, want)
			}
		})
	}
}
