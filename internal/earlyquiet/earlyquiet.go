// Package earlyquiet keeps the start-up noise of libraries off the terminal.
//
// Fyne's lang package logs "Fyne error: Error parsing user locale C" from
// its init function whenever the locale is C or POSIX (LANG=C.UTF-8 is the
// default in containers and cron jobs), so every command-line run, and the
// mail cron sends about it, would start with three lines of noise. This
// package is imported by main for its init: it depends on nothing but
// syscall, so Go's initialisation order (dependencies first, then by import
// path) runs it before Fyne's packages, which need log and os. It points
// standard error at the null device for the rest of package initialisation,
// and Restore, the first thing main does, puts it back.
package earlyquiet

// Restore gives standard error back. Call it first in main.
func Restore() { restore() }
