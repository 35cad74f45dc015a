// Package schedule is the calendar arithmetic of automated backups: when
// the most recent and the next scheduled moment are, and whether a backup
// is due. Every function is a pure function of the time it is given (never
// the system clock), so the same rules serve the tray scheduler, the
// run-scheduled-backup command and a simulated --at time.
//
// Moments are wall-clock times in the location of the time passed in (the
// computer's local zone in the app): daily at the configured HH:MM, weekly
// on Sundays, monthly on the 1st. Daylight-saving changes follow
// PRODUCT.md: a moment that does not exist (inside a spring-forward gap)
// runs at the first valid minute after it, and a moment that happens twice
// (inside a fall-back overlap) runs once, at its first occurrence.
package schedule

import (
	"time"

	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// searchDays bounds the walk over calendar days; a monthly schedule needs
// at most 31 days, the rest is a safety margin.
const searchDays = 400

// Prev returns the most recent scheduled moment at or before now, in
// now's location. Only the latest moment counts: a computer that was off
// for a week gets one catch-up, not seven. It returns the zero time when
// s.Frequency or s.Time is invalid. Enabled is not consulted, so a status
// screen can show the moment of a disabled schedule.
func Prev(s settings.Schedule, now time.Time) time.Time {
	hh, mm, ok := clock(s.Time)
	if !ok || !knownFrequency(s.Frequency) {
		return time.Time{}
	}
	loc := now.Location()
	y, m, d := now.Date()
	// Start one day ahead: a gap moved to the next day (a zone that skips
	// midnight) can still be at or before now.
	for i := -1; i < searchDays; i++ {
		day := time.Date(y, m, d-i, 12, 0, 0, 0, time.UTC)
		if !matches(s.Frequency, day) {
			continue
		}
		if t := Moment(day.Year(), day.Month(), day.Day(), hh, mm, loc); !t.After(now) {
			return t
		}
	}
	return time.Time{}
}

// Next returns the first scheduled moment strictly after now, in now's
// location, or the zero time when s.Frequency or s.Time is invalid.
// Enabled is not consulted.
func Next(s settings.Schedule, now time.Time) time.Time {
	hh, mm, ok := clock(s.Time)
	if !ok || !knownFrequency(s.Frequency) {
		return time.Time{}
	}
	loc := now.Location()
	y, m, d := now.Date()
	for i := -1; i < searchDays; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		if !matches(s.Frequency, day) {
			continue
		}
		if t := Moment(day.Year(), day.Month(), day.Day(), hh, mm, loc); t.After(now) {
			return t
		}
	}
	return time.Time{}
}

// Due reports whether a scheduled backup should be made now: the schedule
// is enabled and valid, and no successful scheduled backup was made at or
// after the most recent scheduled moment. lastSuccess is the time of the
// newest successful scheduled backup, the zero time when there is none.
func Due(s settings.Schedule, now, lastSuccess time.Time) bool {
	if !s.Enabled {
		return false
	}
	prev := Prev(s, now)
	if prev.IsZero() {
		return false
	}
	return lastSuccess.IsZero() || lastSuccess.Before(prev)
}

// Moment returns the instant at which a backup scheduled for hh:mm on the
// given day runs in loc. A wall-clock time that does not exist that day
// (skipped by a daylight-saving change) gives the first valid minute after
// it; one that exists twice gives the earlier instant.
func Moment(year int, month time.Month, day, hh, mm int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, hh, mm, 0, 0, loc)
	if sameWall(t, year, month, day, hh, mm) {
		return earliest(t)
	}
	// Inside a gap: walk forward minute by minute to the first wall-clock
	// time that exists. Gaps last an hour (rarely 30 minutes or a day, as
	// in Samoa 2011), so the loop is short.
	for i := 1; i <= 48*60; i++ {
		want := time.Date(year, month, day, hh, mm+i, 0, 0, time.UTC)
		c := time.Date(want.Year(), want.Month(), want.Day(), want.Hour(), want.Minute(), 0, 0, loc)
		if sameWall(c, want.Year(), want.Month(), want.Day(), want.Hour(), want.Minute()) {
			return earliest(c)
		}
	}
	return t
}

// earliest returns the first instant that shows t's wall-clock time: in a
// fall-back overlap Go's time.Date may pick either occurrence.
func earliest(t time.Time) time.Time {
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, cur := t.Zone()
	_, prev := start.Add(-time.Nanosecond).Zone()
	if prev <= cur {
		return t
	}
	e := t.Add(-time.Duration(prev-cur) * time.Second)
	if e.Before(start) && e.Hour() == t.Hour() && e.Minute() == t.Minute() && e.YearDay() == t.YearDay() {
		return e
	}
	return t
}

func sameWall(t time.Time, year int, month time.Month, day, hh, mm int) bool {
	y, m, d := t.Date()
	return y == year && m == month && d == day && t.Hour() == hh && t.Minute() == mm
}

func matches(freq string, day time.Time) bool {
	switch freq {
	case settings.Daily:
		return true
	case settings.Weekly:
		return day.Weekday() == time.Sunday
	case settings.Monthly:
		return day.Day() == 1
	}
	return false
}

func knownFrequency(f string) bool {
	return f == settings.Daily || f == settings.Weekly || f == settings.Monthly
}

// clock parses "HH:MM" (24-hour).
func clock(s string) (hh, mm int, ok bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	digit := func(b byte) (int, bool) { return int(b - '0'), b >= '0' && b <= '9' }
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, 0, false
	}
	hh, mm = h1*10+h2, m1*10+m2
	if hh > 23 || mm > 59 {
		return 0, 0, false
	}
	return hh, mm, true
}
