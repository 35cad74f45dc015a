package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/backupdesktop/backup-desktop/internal/core/progress"
)

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress.Func that draws a bar on a terminal
// (github.com/schollz/progressbar) and prints plain lines otherwise, so logs
// of cron runs stay readable. finish ends the last bar.
func newProgress(w io.Writer) (f progress.Func, finish func()) {
	if isTerminal(w) {
		return barProgress(w)
	}
	return lineProgress(w), func() {}
}

func barProgress(w io.Writer) (progress.Func, func()) {
	var bar *progressbar.ProgressBar
	var phase string
	finish := func() {
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(w)
			bar = nil
		}
	}
	return func(e progress.Event) {
		if e.Phase != phase || bar == nil {
			finish()
			phase = e.Phase
			total := e.Total
			if total <= 0 {
				total = -1 // spinner
			}
			opts := []progressbar.Option{
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(e.Phase),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100 * time.Millisecond),
				progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish(),
			}
			if e.Unit == "bytes" {
				opts = append(opts, progressbar.OptionShowBytes(true))
			} else if e.Unit != "" {
				opts = append(opts, progressbar.OptionSetItsString(e.Unit))
			}
			bar = progressbar.NewOptions64(total, opts...)
		}
		if e.Total > 0 && bar.GetMax64() != e.Total {
			bar.ChangeMax64(e.Total)
		}
		desc := e.Phase
		if e.Item != "" {
			desc += ": " + e.Item
		}
		bar.Describe(desc)
		bar.Set64(e.Done)
	}, finish
}

// lineProgress prints a line when the phase changes and at most every few
// seconds within a phase.
func lineProgress(w io.Writer) progress.Func {
	var phase string
	var last time.Time
	return func(e progress.Event) {
		now := time.Now()
		if e.Phase == phase && now.Sub(last) < 5*time.Second {
			return
		}
		last = now
		line := e.Phase
		if e.Phase == phase {
			switch {
			case e.Total > 0:
				line += fmt.Sprintf(": %d%%", e.Done*100/e.Total)
			case e.Done > 0:
				line += fmt.Sprintf(": %d %s", e.Done, e.Unit)
			}
		}
		phase = e.Phase
		fmt.Fprintln(w, line)
	}
}
