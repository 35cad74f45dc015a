// Package cli is the command line: create-backup, run-scheduled-backup,
// restore, verify, list, prune, status and schedule, with the exit codes of
// PRODUCT.md (0 done, 1 failed, 2 bad usage or input, 75 busy). Commands are
// parsed with github.com/spf13/cobra, the most widely used Go CLI library,
// which gives aliases, help and flag checking for free.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/backupdesktop/backup-desktop/internal/core/applog"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
	ExitBusy  = 75
)

// Version is the app version, set by main.
var Version = "dev"

// usageError marks bad usage or input (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// state is shared by the commands of one run.
type state struct {
	configFlag string
	stdout     io.Writer
	stderr     io.Writer
	stdin      io.Reader
	closeLog   func() error
}

// Main runs the command line with args (without the program name) and
// returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	st := &state{stdout: stdout, stderr: stderr, stdin: stdin}
	root := newRoot(st)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if st.closeLog != nil {
		st.closeLog()
	}
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	fmt.Fprintln(stderr, "Error: "+err.Error())
	return code
}

func exitCode(err error) int {
	var ue *usageError
	var ie *jobs.InputError
	var fe *settings.FieldError
	var fes settings.Errors
	switch {
	case errors.Is(err, lock.ErrBusy):
		return ExitBusy
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &fe), errors.As(err, &fes), errors.Is(err, settings.ErrNotFound):
		return ExitUsage
	}
	return ExitFail
}

func newRoot(st *state) *cobra.Command {
	root := &cobra.Command{
		Use:   "backup-desktop",
		Short: "Back up and restore the Inventory Management System's database and media files",
		Long: "Backup Desktop keeps the Inventory Management System safe: it writes the whole database and every\n" +
			"uploaded file into one timestamped ZIP, on a schedule or on demand, prunes old backups and restores\n" +
			"a chosen backup all or nothing. Without a command it opens the window and the tray icon.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.PersistentFlags().StringVar(&st.configFlag, "config", "", "settings file (default: $"+settings.EnvConfig+" or the user's config folder)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newCreateBackup(st),
		newVerify(st),
		newRestore(st),
		newList(st),
		newStatus(st),
	)
	for _, add := range extraCommands {
		root.AddCommand(add(st))
	}
	return root
}

// extraCommands are registered by other files of this package.
var extraCommands []func(*state) *cobra.Command

// env loads the settings and opens the log for a command that needs them.
func (st *state) env(cmd *cobra.Command) (*jobs.Env, error) {
	path, err := settings.ResolvePath(st.configFlag)
	if err != nil {
		return nil, err
	}
	s, err := settings.Load(path)
	if err != nil {
		return nil, err
	}
	stateDir := settings.StateDir(path)
	log, closeLog := applog.Open(stateDir, nil)
	st.closeLog = closeLog
	log = log.With("command", cmd.Name())
	return &jobs.Env{ConfigPath: path, Settings: s, StateDir: stateDir, Log: log, AppVersion: Version}, nil
}

// exactArgs is cobra.ExactArgs with an exit-code-2 error that says what to give.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s (see '%s --help')", cmd.Name(), what, cmd.CommandPath())
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q (see '%s --help')", cmd.Name(), args, cmd.CommandPath())
	}
	return nil
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
