// Package scheduler is the tray app's in-process scheduler: it calls the
// caller's Run (the due-check, and a backup when one is due) once at
// start-up, to catch up a run missed while the app was closed or the
// computer off, and then at every scheduled moment of the settings.
//
// It is built on gocron v2 with two jobs:
//
//   - the scheduled job, a gocron CronJob whose "cron" is the schedule
//     package (WithCronImplementation), so that its moments, including the
//     daylight-saving rules, are exactly those of run-scheduled-backup;
//   - a check job every CheckInterval (and immediately at start), which
//     calls Run when a scheduled moment has passed that no call covered
//     yet. Timers count elapsed time, which stops while the computer
//     sleeps and ignores clock changes; this job makes a moment missed
//     that way run within CheckInterval of waking.
//
// The scheduler does not decide whether a backup is due: it only decides
// when to ask, and Run asks the history (schedule.Due). At most one Run
// executes at a time: gocron runs one job at a time
// (WithLimitConcurrentJobs(1, LimitModeWait): a trigger that finds Run busy
// waits, then finds its moment already covered and returns), and a mutex
// around Run guards the same promise independently of gocron.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"github.com/backupdesktop/backup-desktop/internal/core/schedule"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// DefaultCheckInterval is how often the check job looks for a missed
// scheduled moment.
const DefaultCheckInterval = 5 * time.Minute

// DefaultStopTimeout is how long Stop waits for a running Run to return
// after its context is cancelled.
const DefaultStopTimeout = 30 * time.Second

// Options configure a Scheduler.
type Options struct {
	// Clock is the time source; nil means the real clock. Tests pass a
	// clockwork fake clock.
	Clock clockwork.Clock
	// Location is the zone of the schedule's wall-clock times; nil means
	// time.Local.
	Location *time.Location
	// Settings returns the current schedule. It is called on every trigger
	// and on Update, from the scheduler's goroutines: it must be safe for
	// concurrent use.
	Settings func() settings.Schedule
	// Run checks whether a scheduled backup is due at now and makes it if
	// so (the same code as run-scheduled-backup). It runs on a scheduler
	// goroutine, never two at a time; ctx is cancelled by Stop.
	Run func(ctx context.Context, now time.Time)
	// CheckInterval is the period of the missed-moment check; zero means
	// DefaultCheckInterval.
	CheckInterval time.Duration
	// StopTimeout bounds how long Stop waits for Run; zero means
	// DefaultStopTimeout.
	StopTimeout time.Duration
}

// Errors returned by the Scheduler.
var (
	ErrStarted = errors.New("scheduler already started")
	ErrStopped = errors.New("scheduler stopped")
)

// Scheduler runs the due-check at the scheduled moments. Its methods are
// safe for concurrent use.
type Scheduler struct {
	o      Options
	gs     gocron.Scheduler
	ctx    context.Context // passed to Run; cancelled by Stop
	cancel context.CancelFunc

	runMu sync.Mutex // held while Run executes

	// jobsMu serialises Start, Update and Stop; it is never held by the
	// jobs themselves, so gocron calls under it cannot deadlock with tick.
	jobsMu  sync.Mutex
	check   gocron.Job
	started bool

	mu      sync.Mutex // guards the fields below; held only briefly
	stopped bool
	main    gocron.Job // nil while the schedule is disabled
	// handled is the latest scheduled moment a Run call has covered.
	handled time.Time

	// onTick, when set (tests), is called after each trigger with whether
	// it called Run.
	onTick func(source string, ran bool)
}

// New makes a Scheduler; nothing runs until Start. Call Stop when done,
// even if it was never started, to end gocron's goroutine.
func New(o Options) (*Scheduler, error) {
	if o.Settings == nil || o.Run == nil {
		return nil, errors.New("scheduler: Options.Settings and Options.Run are required")
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.CheckInterval <= 0 {
		o.CheckInterval = DefaultCheckInterval
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = DefaultStopTimeout
	}
	gs, err := gocron.NewScheduler(
		gocron.WithClock(o.Clock),
		gocron.WithLocation(o.Location),
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait),
		gocron.WithStopTimeout(o.StopTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("cannot create the scheduler: %w", err)
	}
	s := &Scheduler{o: o, gs: gs}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start begins scheduling: the check job runs at once (the start-up
// catch-up call of Run, if the schedule is enabled) and every
// CheckInterval, and the scheduled job at each moment.
func (s *Scheduler) Start() error {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	switch {
	case s.isStopped():
		return ErrStopped
	case s.started:
		return ErrStarted
	}
	check, err := s.gs.NewJob(
		gocron.DurationJob(s.o.CheckInterval),
		gocron.NewTask(s.tick, "check"),
		gocron.WithName("backup-desktop: missed-moment check"),
		gocron.WithStartAt(gocron.WithStartImmediately()),
	)
	if err != nil {
		return fmt.Errorf("cannot add the check job: %w", err)
	}
	s.check = check
	if err := s.arm(); err != nil {
		return err
	}
	s.started = true
	s.gs.Start()
	return nil
}

// Update re-reads the settings and replaces the scheduled job; call it
// after the schedule changed. It then asks the check job to run, so that
// a moment that is now in the past (say, the time was moved earlier
// today) is handled without waiting.
func (s *Scheduler) Update() error {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	if s.isStopped() {
		return ErrStopped
	}
	s.mu.Lock()
	old := s.main
	s.main = nil
	s.mu.Unlock()
	if old != nil {
		if err := s.gs.RemoveJob(old.ID()); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
			return fmt.Errorf("cannot replace the scheduled job: %w", err)
		}
	}
	if err := s.arm(); err != nil {
		return err
	}
	if s.started {
		// If gocron is too busy to take the request, the check job's next
		// regular run (within CheckInterval) does the same.
		_ = s.check.RunNow()
	}
	return nil
}

func (s *Scheduler) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// arm adds the scheduled job for the current settings, unless the
// schedule is disabled. s.jobsMu is held.
func (s *Scheduler) arm() error {
	sch := s.o.Settings()
	if !sch.Enabled {
		return nil
	}
	main, err := s.gs.NewJob(
		gocron.CronJob("backup-desktop "+sch.Frequency+" "+sch.Time, false),
		gocron.NewTask(s.tick, "moment"),
		gocron.WithCronImplementation(&momentCron{sched: sch, loc: s.o.Location}),
		gocron.WithName("backup-desktop: scheduled backup"),
	)
	if err != nil {
		return fmt.Errorf("cannot schedule backups %s at %q: %w", sch.Frequency, sch.Time, err)
	}
	s.mu.Lock()
	s.main = main
	s.mu.Unlock()
	return nil
}

// NextRun returns the next scheduled moment, or the zero time when the
// schedule is disabled or the scheduler is not started or stopped.
func (s *Scheduler) NextRun() time.Time {
	s.mu.Lock()
	main, stopped := s.main, s.stopped
	s.mu.Unlock()
	if main == nil || stopped {
		return time.Time{}
	}
	t, err := main.NextRun()
	if err != nil || t.IsZero() {
		return time.Time{}
	}
	return t.In(s.o.Location)
}

// Stop cancels the context of a running Run, waits up to StopTimeout for
// it to return and stops all jobs. The Scheduler cannot be started again.
func (s *Scheduler) Stop() error {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	if err := s.gs.Shutdown(); err != nil {
		return fmt.Errorf("the scheduler did not stop in time (a backup may still be finishing): %w", err)
	}
	return nil
}

// tick is the task of both jobs: call Run if a scheduled moment has
// passed that no earlier call covered.
func (s *Scheduler) tick(source string) {
	ran := false
	defer func() {
		if s.onTick != nil {
			s.onTick(source, ran)
		}
	}()
	sch := s.o.Settings()
	if !sch.Enabled {
		return
	}
	now := s.o.Clock.Now().In(s.o.Location)
	prev := schedule.Prev(sch, now)
	if prev.IsZero() {
		return
	}
	s.mu.Lock()
	if !s.handled.IsZero() && !prev.After(s.handled) || s.stopped {
		s.mu.Unlock()
		return
	}
	s.handled = prev
	s.mu.Unlock()
	ran = true
	s.runMu.Lock()
	defer s.runMu.Unlock()
	s.o.Run(s.ctx, now)
}

// momentCron makes gocron's CronJob follow the schedule package.
type momentCron struct {
	sched settings.Schedule
	loc   *time.Location
}

func (c *momentCron) IsValid(_ string, _ *time.Location, now time.Time) error {
	if schedule.Next(c.sched, now.In(c.loc)).IsZero() {
		return fmt.Errorf("invalid schedule: frequency %q, time %q", c.sched.Frequency, c.sched.Time)
	}
	return nil
}

func (c *momentCron) Next(lastRun time.Time) time.Time {
	return schedule.Next(c.sched, lastRun.In(c.loc))
}
