package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/jonboulle/clockwork"
	"go.uber.org/goleak"

	"github.com/backupdesktop/backup-desktop/internal/core/schedule"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second // real time allowed for a scheduler goroutine to react

// harness drives a Scheduler with a fake clock. Every timer firing causes
// exactly one tick (gocron's wait mode queues rather than drops), so the
// harness steps from one timer to the next and waits for each tick.
type harness struct {
	t        *testing.T
	clock    *clockwork.FakeClock
	loc      *time.Location
	interval time.Duration
	s        *Scheduler

	mu    sync.Mutex
	sched settings.Schedule // what Options.Settings returns
	armed settings.Schedule // what the scheduled job was armed with

	runs      chan time.Time
	ticks     chan bool
	gate      chan struct{} // when non-nil, Run waits for it
	active    atomic.Int32
	maxActive atomic.Int32
	nextCheck time.Time
}

func newHarness(t *testing.T, zone, start string, sch settings.Schedule, interval time.Duration) *harness {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{
		t: t, clock: clockwork.NewFakeClockAt(at), loc: loc, interval: interval,
		sched: sch, runs: make(chan time.Time, 100), ticks: make(chan bool, 100),
	}
	h.s, err = New(Options{
		Clock: h.clock, Location: loc, CheckInterval: interval,
		Settings: h.settings,
		Run:      h.run,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.s.onTick = func(_ string, ran bool) { h.ticks <- ran }
	t.Cleanup(func() {
		if err := h.s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		goleak.VerifyNone(t)
	})
	return h
}

func (h *harness) settings() settings.Schedule {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sched
}

func (h *harness) setSettings(s settings.Schedule) {
	h.mu.Lock()
	h.sched = s
	h.mu.Unlock()
}

func (h *harness) run(ctx context.Context, now time.Time) {
	n := h.active.Add(1)
	defer h.active.Add(-1)
	for {
		m := h.maxActive.Load()
		if n <= m || h.maxActive.CompareAndSwap(m, n) {
			break
		}
	}
	if h.gate != nil {
		select {
		case <-h.gate:
		case <-ctx.Done():
		}
	}
	h.runs <- now
}

func (h *harness) now() time.Time { return h.clock.Now().In(h.loc) }

// start starts the scheduler and returns whether the start-up tick ran.
func (h *harness) start() bool {
	h.t.Helper()
	h.armed = h.settings()
	if err := h.s.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.nextCheck = h.now().Add(h.interval)
	return h.tick()
}

func (h *harness) update() bool {
	h.t.Helper()
	h.armed = h.settings()
	if err := h.s.Update(); err != nil {
		h.t.Fatal(err)
	}
	return h.tick() // Update runs the check job once
}

func (h *harness) tick() bool {
	h.t.Helper()
	select {
	case ran := <-h.ticks:
		// Barrier: gocron's loop handles one message at a time, so once it
		// answers Jobs() it has finished the bookkeeping of the run that
		// just ended (it trims past run times using the clock's now, and
		// moving the fake clock before that would make it re-fire).
		h.s.gs.Jobs()
		return ran
	case <-time.After(wait):
		h.t.Fatalf("no scheduler tick within %v (fake now %s)", wait, h.now())
		return false
	}
}

// timers is how many gocron timers should be armed.
func (h *harness) timers() int {
	if h.armed.Enabled {
		return 2
	}
	return 1
}

func (h *harness) blockUntilArmed() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := h.clock.BlockUntilContext(ctx, h.timers()); err != nil {
		h.t.Fatalf("the scheduler did not arm %d timers: %v", h.timers(), err)
	}
}

// advanceTo steps the clock from timer to timer up to until and returns
// the times Run was called with.
func (h *harness) advanceTo(until time.Time) []time.Time {
	h.t.Helper()
	var got []time.Time
	for {
		now := h.now()
		e := h.nextCheck
		nextMoment := time.Time{}
		if h.armed.Enabled {
			nextMoment = schedule.Next(h.armed, now)
			if nextMoment.Before(e) {
				e = nextMoment
			}
		}
		if e.After(until) {
			h.blockUntilArmed()
			h.clock.Advance(until.Sub(now))
			return got
		}
		fired := 0
		if e.Equal(h.nextCheck) {
			fired++
			h.nextCheck = h.nextCheck.Add(h.interval)
		}
		if e.Equal(nextMoment) {
			fired++
		}
		h.blockUntilArmed()
		h.clock.Advance(e.Sub(now))
		for range fired {
			if h.tick() {
				got = append(got, <-h.runs)
			}
		}
	}
}

func ts(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.In(loc)
}

func sameTimes(t *testing.T, got []time.Time, want ...time.Time) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Equal(want[i])
	}
	if !ok {
		t.Errorf("Run was called at\n  %v\nwant\n  %v", got, want)
	}
}

func daily(at string) settings.Schedule {
	return settings.Schedule{Enabled: true, Frequency: settings.Daily, Time: at}
}

func TestStartUpCatchUpAndNextRun(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-10T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	if got := h.s.NextRun(); !got.IsZero() {
		t.Errorf("NextRun before Start = %v, want zero", got)
	}
	if !h.start() {
		t.Fatal("the start-up check did not call Run")
	}
	sameTimes(t, []time.Time{<-h.runs}, ts(t, h.loc, "2026-06-10T10:00:30+02:00"))
	h.blockUntilArmed()
	if got, want := h.s.NextRun(), ts(t, h.loc, "2026-06-11T02:00:00+02:00"); !got.Equal(want) {
		t.Errorf("NextRun = %v, want %v", got, want)
	}
	if got := h.advanceTo(ts(t, h.loc, "2026-06-11T01:59:59+02:00")); len(got) != 0 {
		t.Errorf("Run called before the moment: %v", got)
	}
	sameTimes(t, h.advanceTo(ts(t, h.loc, "2026-06-12T12:00:00+02:00")),
		ts(t, h.loc, "2026-06-11T02:00:00+02:00"), ts(t, h.loc, "2026-06-12T02:00:00+02:00"))
	if err := h.s.Start(); err != ErrStarted {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
}

func TestDaylightSaving(t *testing.T) {
	cases := []struct {
		name   string
		zone   string
		start  string
		until  string
		sched  settings.Schedule
		wantAt []string // after the start-up call
	}{
		{
			name: "berlin spring forward: 02:30 runs at 03:00", zone: "Europe/Berlin",
			start: "2026-03-27T12:00:30+01:00", until: "2026-03-30T12:00:00+02:00", sched: daily("02:30"),
			wantAt: []string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		},
		{
			name: "berlin fall back: 02:30 runs once", zone: "Europe/Berlin",
			start: "2026-10-24T12:00:30+02:00", until: "2026-10-26T12:00:00+01:00", sched: daily("02:30"),
			wantAt: []string{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		},
		{
			name: "new york fall back: 01:30 runs once", zone: "America/New_York",
			start: "2026-10-31T12:00:30-04:00", until: "2026-11-02T12:00:00-05:00", sched: daily("01:30"),
			wantAt: []string{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		},
		{
			name: "new york spring forward weekly on the change Sunday", zone: "America/New_York",
			start: "2026-03-06T12:00:30-05:00", until: "2026-03-16T00:00:00-04:00",
			sched:  settings.Schedule{Enabled: true, Frequency: settings.Weekly, Time: "02:30"},
			wantAt: []string{"2026-03-08T03:00:00-04:00", "2026-03-15T02:30:00-04:00"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.zone, tc.start, tc.sched, 5*time.Minute)
			if !h.start() {
				t.Fatal("no start-up call")
			}
			<-h.runs
			var want []time.Time
			for _, w := range tc.wantAt {
				want = append(want, ts(t, h.loc, w))
			}
			sameTimes(t, h.advanceTo(ts(t, h.loc, tc.until)), want...)
		})
	}
}

func TestMonthly(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2028-01-30T08:00:30+01:00",
		settings.Schedule{Enabled: true, Frequency: settings.Monthly, Time: "00:00"}, time.Hour)
	h.start()
	<-h.runs
	sameTimes(t, h.advanceTo(ts(t, h.loc, "2028-04-15T00:00:00+02:00")),
		ts(t, h.loc, "2028-02-01T00:00:00+01:00"), ts(t, h.loc, "2028-03-01T00:00:00+01:00"), ts(t, h.loc, "2028-04-01T00:00:00+02:00"))
}

// TestSleepJump moves the clock a week at once, as when a laptop wakes up:
// both timers are overdue, and Run is called once for the one moment.
func TestSleepJump(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-08T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	h.start()
	<-h.runs
	h.blockUntilArmed()
	h.clock.Advance(7*24*time.Hour + 67*time.Second)
	ran := 0
	for range 2 { // the scheduled job and the check job both fire
		if h.tick() {
			ran++
			sameTimes(t, []time.Time{<-h.runs}, ts(t, h.loc, "2026-06-15T10:01:37+02:00"))
		}
	}
	if ran != 1 {
		t.Errorf("after a week asleep Run was called %d times, want 1", ran)
	}
	// The check job keeps its 5-minute grid from the start.
	for !h.nextCheck.After(h.now()) {
		h.nextCheck = h.nextCheck.Add(h.interval)
	}
	sameTimes(t, h.advanceTo(ts(t, h.loc, "2026-06-16T03:00:00+02:00")), ts(t, h.loc, "2026-06-16T02:00:00+02:00"))
}

// TestCheckCatchesMissedMoment: a moment the scheduled job did not cover
// (here: settings changed without Update) is run by the check job.
func TestCheckCatchesMissedMoment(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-10T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	h.start()
	<-h.runs
	h.setSettings(daily("10:02"))
	sameTimes(t, h.advanceTo(ts(t, h.loc, "2026-06-10T10:09:00+02:00")), ts(t, h.loc, "2026-06-10T10:05:30+02:00"))
}

func TestUpdate(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-10T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	h.start()
	<-h.runs

	h.setSettings(settings.Schedule{Enabled: false, Frequency: settings.Daily, Time: "02:00"})
	if h.update() {
		t.Error("Run called for a disabled schedule")
	}
	if got := h.s.NextRun(); !got.IsZero() {
		t.Errorf("NextRun of a disabled schedule = %v, want zero", got)
	}
	if got := h.advanceTo(ts(t, h.loc, "2026-06-12T10:00:00+02:00")); len(got) != 0 {
		t.Errorf("Run called while disabled: %v", got)
	}

	// Re-enabled as weekly: last Sunday's moment was covered? No call has
	// covered any moment since June 10 02:00, and Sunday June 7 is older.
	h.setSettings(settings.Schedule{Enabled: true, Frequency: settings.Weekly, Time: "02:00"})
	if h.update() {
		t.Error("Run called for a weekly moment older than the last covered one")
	}
	h.blockUntilArmed()
	if got, want := h.s.NextRun(), ts(t, h.loc, "2026-06-14T02:00:00+02:00"); !got.Equal(want) {
		t.Errorf("weekly NextRun = %v, want %v", got, want)
	}

	// Moved to daily 09:00 at 10:00: today's 09:00 is now due → one call.
	h.setSettings(daily("09:00"))
	if !h.update() {
		t.Error("Update to a moment earlier today did not call Run")
	} else {
		sameTimes(t, []time.Time{<-h.runs}, ts(t, h.loc, "2026-06-12T10:00:00+02:00"))
	}
	h.blockUntilArmed()
	if got, want := h.s.NextRun(), ts(t, h.loc, "2026-06-13T09:00:00+02:00"); !got.Equal(want) {
		t.Errorf("daily 09:00 NextRun = %v, want %v", got, want)
	}
	sameTimes(t, h.advanceTo(ts(t, h.loc, "2026-06-13T10:00:00+02:00")), ts(t, h.loc, "2026-06-13T09:00:00+02:00"))
}

// TestNeverTwoAtOnce holds the first Run while both timers fire, and
// checks that no second Run starts before it returns.
func TestNeverTwoAtOnce(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-10T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	h.gate = make(chan struct{})
	if err := h.s.Start(); err != nil {
		t.Fatal(err)
	}
	h.armed = h.settings()
	h.blockUntilArmed()
	// Wait until the start-up Run is inside Run, then let a day pass:
	// the scheduled job and the check job fire while it is busy.
	deadline := time.Now().Add(wait)
	for h.active.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the start-up Run did not start")
		}
		time.Sleep(time.Millisecond)
	}
	h.clock.Advance(16 * time.Hour)
	time.Sleep(50 * time.Millisecond) // give a wrongly concurrent Run the chance to start
	if n := h.maxActive.Load(); n != 1 {
		t.Fatalf("%d Runs at once", n)
	}
	close(h.gate)
	ran := 0
	for range 3 { // the start-up tick and the two queued ones
		if h.tick() {
			ran++
		}
	}
	if ran != 2 {
		t.Errorf("Run called %d times, want 2 (start-up and the 02:00 moment)", ran)
	}
	if n := h.maxActive.Load(); n != 1 {
		t.Errorf("%d Runs at once", n)
	}
}

func TestStopCancelsRun(t *testing.T) {
	h := newHarness(t, "Europe/Berlin", "2026-06-10T10:00:30+02:00", daily("02:00"), 5*time.Minute)
	h.gate = make(chan struct{}) // never closed: Run waits for its context
	if err := h.s.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for h.active.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the start-up Run did not start")
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if err := h.s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %v; Run's context was not cancelled", d)
	}
	if h.active.Load() != 0 {
		t.Error("Run still running after Stop")
	}
	if err := h.s.Start(); err != ErrStopped {
		t.Errorf("Start after Stop = %v, want ErrStopped", err)
	}
	if err := h.s.Update(); err != ErrStopped {
		t.Errorf("Update after Stop = %v, want ErrStopped", err)
	}
	if got := h.s.NextRun(); !got.IsZero() {
		t.Errorf("NextRun after Stop = %v, want zero", got)
	}
}

func TestNewRequiresCallbacks(t *testing.T) {
	if _, err := New(Options{Run: func(context.Context, time.Time) {}}); err == nil {
		t.Error("New without Settings succeeded")
	}
	if _, err := New(Options{Settings: func() settings.Schedule { return daily("02:00") }}); err == nil {
		t.Error("New without Run succeeded")
	}
}
