// Package progress carries progress out of long core operations to whoever
// shows it: the terminal bar, plain log lines, or the window's progress bar.
package progress

// Event is one progress update.
type Event struct {
	// Phase names the step in words a user understands, for example
	// "Checking backup", "Saving database", "Copying media files".
	Phase string
	// Item is the table or file being worked on, if any.
	Item string
	// Done and Total count Unit; Total is 0 when unknown.
	Done, Total int64
	// Unit is "bytes", "rows" or "files".
	Unit string
}

// Func receives progress events. The core calls it from one goroutine at a
// time, never concurrently, but not necessarily from the caller's goroutine:
// a GUI must hand the update to its UI thread (fyne.Do). It must return
// quickly.
type Func func(Event)

// Report calls f with e when f is not nil.
func (f Func) Report(e Event) {
	if f != nil {
		f(e)
	}
}
