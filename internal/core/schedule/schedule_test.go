package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // the test zones must not depend on the machine's zoneinfo

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// ts parses an RFC 3339 time (with its offset, so that each side of a
// daylight-saving change is unambiguous) and shows it in loc.
func ts(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v.In(loc)
}

func sched(freq, at string) settings.Schedule {
	return settings.Schedule{Enabled: true, Frequency: freq, Time: at}
}

func TestPrevNext(t *testing.T) {
	const (
		berlin  = "Europe/Berlin"
		newYork = "America/New_York"
	)
	cases := []struct {
		name     string
		zone     string
		sched    settings.Schedule
		now      string
		wantPrev string
		wantNext string
	}{
		{"daily before today's moment", berlin, sched("daily", "02:00"), "2026-06-10T01:59:59+02:00", "2026-06-09T02:00:00+02:00", "2026-06-10T02:00:00+02:00"},
		{"daily exactly at the moment", berlin, sched("daily", "02:00"), "2026-06-10T02:00:00+02:00", "2026-06-10T02:00:00+02:00", "2026-06-11T02:00:00+02:00"},
		{"daily after today's moment", berlin, sched("daily", "02:00"), "2026-06-10T14:00:00+02:00", "2026-06-10T02:00:00+02:00", "2026-06-11T02:00:00+02:00"},

		// Berlin springs forward on 2026-03-29 at 02:00 → 03:00.
		{"berlin spring gap 02:30 runs at 03:00", berlin, sched("daily", "02:30"), "2026-03-29T12:00:00+02:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		{"berlin spring gap before the change", berlin, sched("daily", "02:30"), "2026-03-29T01:59:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00"},
		{"berlin spring gap exactly 02:00", berlin, sched("daily", "02:00"), "2026-03-29T03:00:00+02:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"},
		{"berlin spring 03:00 unaffected", berlin, sched("daily", "03:00"), "2026-03-29T02:59:59+02:00", "2026-03-28T03:00:00+01:00", "2026-03-29T03:00:00+02:00"},
		{"berlin spring weekly on the change Sunday", berlin, sched("weekly", "02:30"), "2026-03-29T03:00:00+02:00", "2026-03-29T03:00:00+02:00", "2026-04-05T02:30:00+02:00"},

		// Berlin falls back on 2026-10-25 at 03:00 CEST → 02:00 CET.
		{"berlin fall overlap first occurrence is the moment", berlin, sched("daily", "02:30"), "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		{"berlin fall overlap second occurrence is not a new moment", berlin, sched("daily", "02:30"), "2026-10-25T02:45:00+01:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		{"berlin fall overlap between the two occurrences", berlin, sched("daily", "02:30"), "2026-10-25T02:10:00+01:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		{"berlin fall before the overlap", berlin, sched("daily", "02:30"), "2026-10-25T02:00:00+02:00", "2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00"},
		{"berlin fall weekly Sunday of the change", berlin, sched("weekly", "02:00"), "2026-10-25T02:59:00+01:00", "2026-10-25T02:00:00+02:00", "2026-11-01T02:00:00+01:00"},

		// New York springs forward on 2026-03-08 at 02:00 → 03:00 and falls
		// back on 2026-11-01 at 02:00 EDT → 01:00 EST.
		{"new york spring gap 02:30 runs at 03:00", newYork, sched("daily", "02:30"), "2026-03-08T09:00:00-04:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"},
		{"new york spring gap 02:59 runs at 03:00", newYork, sched("daily", "02:59"), "2026-03-08T01:00:00-05:00", "2026-03-07T02:59:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"new york spring weekly", newYork, sched("weekly", "02:15"), "2026-03-08T03:00:00-04:00", "2026-03-08T03:00:00-04:00", "2026-03-15T02:15:00-04:00"},
		{"new york fall overlap first occurrence", newYork, sched("daily", "01:30"), "2026-11-01T01:45:00-05:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		{"new york fall next after first occurrence skips second", newYork, sched("daily", "01:30"), "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		{"new york fall monthly on the 1st (a Sunday)", newYork, sched("monthly", "01:30"), "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-04:00", "2026-12-01T01:30:00-05:00"},
		{"new york fall 02:00 exists once", newYork, sched("daily", "02:00"), "2026-11-01T01:59:00-05:00", "2026-10-31T02:00:00-04:00", "2026-11-01T02:00:00-05:00"},

		// Weekly is Sundays; monthly is the 1st.
		{"weekly on a Saturday", berlin, sched("weekly", "02:00"), "2026-06-13T23:00:00+02:00", "2026-06-07T02:00:00+02:00", "2026-06-14T02:00:00+02:00"},
		{"weekly on Sunday before the time", berlin, sched("weekly", "02:00"), "2026-06-14T01:00:00+02:00", "2026-06-07T02:00:00+02:00", "2026-06-14T02:00:00+02:00"},
		{"monthly at a month end", berlin, sched("monthly", "02:00"), "2026-01-31T23:00:00+01:00", "2026-01-01T02:00:00+01:00", "2026-02-01T02:00:00+01:00"},
		{"monthly across the year end", newYork, sched("monthly", "02:00"), "2026-12-31T23:59:59-05:00", "2026-12-01T02:00:00-05:00", "2027-01-01T02:00:00-05:00"},
		{"monthly on the 1st before the time", berlin, sched("monthly", "02:00"), "2026-04-01T01:00:00+02:00", "2026-03-01T02:00:00+01:00", "2026-04-01T02:00:00+02:00"},
		{"daily across a 30-day month end", berlin, sched("daily", "02:00"), "2026-04-30T23:00:00+02:00", "2026-04-30T02:00:00+02:00", "2026-05-01T02:00:00+02:00"},

		// Leap day 2028-02-29.
		{"leap day daily before the time", berlin, sched("daily", "02:00"), "2028-02-29T01:00:00+01:00", "2028-02-28T02:00:00+01:00", "2028-02-29T02:00:00+01:00"},
		{"leap day daily late evening", berlin, sched("daily", "02:00"), "2028-02-29T23:59:00+01:00", "2028-02-29T02:00:00+01:00", "2028-03-01T02:00:00+01:00"},
		{"leap day monthly", newYork, sched("monthly", "02:00"), "2028-02-29T12:00:00-05:00", "2028-02-01T02:00:00-05:00", "2028-03-01T02:00:00-05:00"},
		{"leap year weekly Sunday 2028-02-27", berlin, sched("weekly", "02:00"), "2028-02-29T12:00:00+01:00", "2028-02-27T02:00:00+01:00", "2028-03-05T02:00:00+01:00"},

		// Midnight and 23:59.
		{"midnight exactly", berlin, sched("daily", "00:00"), "2026-05-10T00:00:00+02:00", "2026-05-10T00:00:00+02:00", "2026-05-11T00:00:00+02:00"},
		{"one second before midnight", berlin, sched("daily", "00:00"), "2026-05-09T23:59:59+02:00", "2026-05-09T00:00:00+02:00", "2026-05-10T00:00:00+02:00"},
		{"monthly at midnight on new year", newYork, sched("monthly", "00:00"), "2027-01-01T00:00:00-05:00", "2027-01-01T00:00:00-05:00", "2027-02-01T00:00:00-05:00"},
		{"23:59 on new year's eve", berlin, sched("daily", "23:59"), "2026-12-31T23:59:30+01:00", "2026-12-31T23:59:00+01:00", "2027-01-01T23:59:00+01:00"},
		{"23:59 just before", berlin, sched("daily", "23:59"), "2026-12-31T23:58:59+01:00", "2026-12-30T23:59:00+01:00", "2026-12-31T23:59:00+01:00"},
		{"monthly 23:59 on the 1st", newYork, sched("monthly", "23:59"), "2026-07-01T23:58:00-04:00", "2026-06-01T23:59:00-04:00", "2026-07-01T23:59:00-04:00"},

		// A disabled schedule still has moments (status shows them).
		{"disabled schedule still computes", berlin, settings.Schedule{Enabled: false, Frequency: "daily", Time: "02:00"}, "2026-06-10T14:00:00+02:00", "2026-06-10T02:00:00+02:00", "2026-06-11T02:00:00+02:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.zone)
			now := ts(t, loc, tc.now)
			wantPrev, wantNext := ts(t, loc, tc.wantPrev), ts(t, loc, tc.wantNext)
			if got := Prev(tc.sched, now); !got.Equal(wantPrev) {
				t.Errorf("Prev(%v, %s) = %s, want %s", tc.sched, now.Format(time.RFC3339), got.Format(time.RFC3339), wantPrev.Format(time.RFC3339))
			} else if got.Location() != loc {
				t.Errorf("Prev returned location %v, want %v", got.Location(), loc)
			}
			if got := Next(tc.sched, now); !got.Equal(wantNext) {
				t.Errorf("Next(%v, %s) = %s, want %s", tc.sched, now.Format(time.RFC3339), got.Format(time.RFC3339), wantNext.Format(time.RFC3339))
			}
		})
	}
}

func TestInvalidSchedule(t *testing.T) {
	now := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	for _, s := range []settings.Schedule{
		{Enabled: true, Frequency: "hourly", Time: "02:00"},
		{Enabled: true, Frequency: "daily", Time: "24:00"},
		{Enabled: true, Frequency: "daily", Time: "2:00"},
		{Enabled: true, Frequency: "daily", Time: "02:60"},
		{Enabled: true, Frequency: "daily", Time: "ab:cd"},
		{Enabled: true, Frequency: "", Time: ""},
	} {
		if p, n := Prev(s, now), Next(s, now); !p.IsZero() || !n.IsZero() {
			t.Errorf("%+v: Prev = %v, Next = %v; want zero times", s, p, n)
		}
		if Due(s, now, time.Time{}) {
			t.Errorf("%+v: Due = true for an invalid schedule", s)
		}
	}
}

func TestDue(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	cases := []struct {
		name        string
		sched       settings.Schedule
		now         string
		lastSuccess string // "" = never
		want        bool
	}{
		{"never backed up", sched("daily", "02:00"), "2026-06-10T14:00:00+02:00", "", true},
		{"disabled", settings.Schedule{Frequency: "daily", Time: "02:00"}, "2026-06-10T14:00:00+02:00", "", false},
		{"done at the moment", sched("daily", "02:00"), "2026-06-10T14:00:00+02:00", "2026-06-10T02:00:00+02:00", false},
		{"done a second before the moment", sched("daily", "02:00"), "2026-06-10T14:00:00+02:00", "2026-06-10T01:59:59+02:00", true},
		{"done after the moment", sched("daily", "02:00"), "2026-06-10T14:00:00+02:00", "2026-06-10T02:03:10+02:00", false},
		{"before today's moment, done yesterday", sched("daily", "02:00"), "2026-06-10T01:00:00+02:00", "2026-06-09T02:01:00+02:00", false},
		{"at today's moment, done yesterday", sched("daily", "02:00"), "2026-06-10T02:00:00+02:00", "2026-06-09T02:01:00+02:00", true},
		{"computer off for a week", sched("daily", "02:00"), "2026-06-17T09:00:00+02:00", "2026-06-10T02:00:00+02:00", true},
		{"week off, after the one catch-up", sched("daily", "02:00"), "2026-06-17T09:05:00+02:00", "2026-06-17T09:00:30+02:00", false},
		{"weekly, Saturday after last Sunday's backup", sched("weekly", "02:00"), "2026-06-13T22:00:00+02:00", "2026-06-07T02:00:05+02:00", false},
		{"weekly, Sunday moment reached", sched("weekly", "02:00"), "2026-06-14T02:00:00+02:00", "2026-06-07T02:00:05+02:00", true},
		{"monthly, missed the 1st, caught up on the 5th", sched("monthly", "02:00"), "2026-06-05T08:00:00+02:00", "2026-05-01T02:00:00+02:00", true},
		{"monthly, done on the 1st", sched("monthly", "02:00"), "2026-06-30T23:59:59+02:00", "2026-06-01T02:00:01+02:00", false},
		{"spring gap: due from 03:00", sched("daily", "02:30"), "2026-03-29T03:00:00+02:00", "2026-03-28T02:30:00+01:00", true},
		{"spring gap: not due at 01:59", sched("daily", "02:30"), "2026-03-29T01:59:00+01:00", "2026-03-28T02:30:00+01:00", false},
		{"fall overlap: second 02:30 after first run", sched("daily", "02:30"), "2026-10-25T02:31:00+01:00", "2026-10-25T02:30:05+02:00", false},
		{"fall overlap: first 02:30 reached", sched("daily", "02:30"), "2026-10-25T02:30:00+02:00", "2026-10-24T02:30:05+02:00", true},
		{"schedule moved earlier today", sched("daily", "09:00"), "2026-06-10T10:00:00+02:00", "2026-06-10T02:00:00+02:00", true},
		{"schedule moved later today", sched("daily", "14:00"), "2026-06-10T10:00:00+02:00", "2026-06-10T02:00:00+02:00", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := ts(t, berlin, tc.now)
			var last time.Time
			if tc.lastSuccess != "" {
				last = ts(t, berlin, tc.lastSuccess)
			}
			if got := Due(tc.sched, now, last); got != tc.want {
				t.Errorf("Due(%+v, %s, %q) = %v, want %v (Prev = %s)", tc.sched, tc.now, tc.lastSuccess, got, tc.want, Prev(tc.sched, now).Format(time.RFC3339))
			}
		})
	}
}

// TestWeekOffOneCatchUp drives the due rule through a week with the
// computer off: one backup on waking, then the normal rhythm.
func TestWeekOffOneCatchUp(t *testing.T) {
	loc := zone(t, "America/New_York")
	s := sched("daily", "02:00")
	last := time.Date(2026, 6, 1, 2, 0, 10, 0, loc)
	backups := 0
	// The computer wakes on June 8 at 09:00 and then checks every 5 minutes.
	for now := time.Date(2026, 6, 8, 9, 0, 0, 0, loc); now.Before(time.Date(2026, 6, 10, 9, 0, 0, 0, loc)); now = now.Add(5 * time.Minute) {
		if Due(s, now, last) {
			backups++
			last = now
		}
	}
	// June 8 catch-up, June 9 02:00, June 10 02:00.
	if backups != 3 {
		t.Errorf("made %d backups over the week off plus two days, want 3 (one catch-up and two scheduled)", backups)
	}
}

// TestInvariants checks, for every hour over two years in two zones and
// every frequency, that Prev ≤ now < Next, that both are scheduled moments
// of the right weekday or day of month, and that each calendar day has at
// most one moment (so an overlap never gives two).
func TestInvariants(t *testing.T) {
	for _, zn := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"} {
		loc := zone(t, zn)
		for _, freq := range []string{settings.Daily, settings.Weekly, settings.Monthly} {
			for _, at := range []string{"00:00", "01:30", "02:00", "02:30", "23:59"} {
				s := sched(freq, at)
				seen := map[string]time.Time{}
				start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
				end := time.Date(2028, 1, 1, 0, 0, 0, 0, loc)
				for now := start; now.Before(end); now = now.Add(173 * time.Minute) {
					p, n := Prev(s, now), Next(s, now)
					if p.IsZero() || n.IsZero() || p.After(now) || !n.After(now) {
						t.Fatalf("%s %s %s: now %s: Prev %s, Next %s", zn, freq, at, now, p, n)
					}
					if !Next(s, p).Equal(n) {
						t.Fatalf("%s %s %s: Next(Prev(now)) = %s, want Next(now) = %s", zn, freq, at, Next(s, p), n)
					}
					if !Prev(s, n).Equal(n) {
						t.Fatalf("%s %s %s: Prev(Next(now)) = %s, want %s", zn, freq, at, Prev(s, n), n)
					}
					for _, m := range []time.Time{p, n} {
						day := m.Format("2006-01-02")
						if old, ok := seen[day]; ok && !old.Equal(m) {
							t.Fatalf("%s %s %s: two moments on %s: %s and %s", zn, freq, at, day, old, m)
						}
						seen[day] = m
						switch {
						case freq == settings.Weekly && m.Weekday() != time.Sunday:
							t.Fatalf("%s weekly moment %s is not a Sunday", zn, m)
						case freq == settings.Monthly && m.Day() != 1:
							t.Fatalf("%s monthly moment %s is not the 1st", zn, m)
						}
					}
				}
			}
		}
	}
}
