// Package applog writes the log file that every run (command line, window,
// tray scheduler) appends to, and that `status` names. The file rotates by
// size with gopkg.in/natefinch/lumberjack.v2, a widely used rotating writer,
// so a machine that runs for years never fills its disk with logs.
package applog

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"
)

// FileName is the log file's name inside the state folder's logs folder.
const FileName = "backup-desktop.log"

// Path returns the log file used with the state folder stateDir.
func Path(stateDir string) string {
	return filepath.Join(stateDir, "logs", FileName)
}

// Open returns a logger that appends to the log file of stateDir (and to
// extra, when not nil) and a function that closes the file.
func Open(stateDir string, extra io.Writer) (*slog.Logger, func() error) {
	path := Path(stateDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		// Logging must never stop a backup: fall back to stderr.
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), func() error { return nil }
	}
	lj := &lumberjack.Logger{Filename: path, MaxSize: 10, MaxBackups: 5, MaxAge: 365, Compress: true}
	var w io.Writer = lj
	if extra != nil {
		w = io.MultiWriter(lj, extra)
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(h).With("pid", os.Getpid()), lj.Close
}

// Discard is a logger that writes nothing, for tests and callers without a log.
func Discard() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
