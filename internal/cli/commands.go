package cli

import (
	"bufio"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/backupdesktop/backup-desktop/internal/core/applog"
	"github.com/backupdesktop/backup-desktop/internal/core/archive"
	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/lock"
	"github.com/backupdesktop/backup-desktop/internal/core/restore"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
	"github.com/backupdesktop/backup-desktop/internal/core/units"
)

func newCreateBackup(st *state) *cobra.Command {
	var daily, weekly, monthly, overwrite bool
	var name string
	cmd := &cobra.Command{
		Use:     "create-backup [--daily|--weekly|--monthly] [--name NAME]",
		Aliases: []string{"create_backup"},
		Short:   "Make a backup now",
		Long: "Make a backup of the database and the media folder now, into backup_dir.\n" +
			"Without options the file is backup_YYYYMMDD_HHMMSS.zip; --daily, --weekly and --monthly name it\n" +
			"daily_backup_…, weekly_backup_… or monthly_backup_…; --name NAME makes NAME.zip, which retention\n" +
			"never deletes.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := jobs.BackupRequest{Kind: backupname.Manual}
			n := 0
			for _, f := range []struct {
				on   bool
				kind backupname.Kind
			}{{daily, backupname.Daily}, {weekly, backupname.Weekly}, {monthly, backupname.Monthly}} {
				if f.on {
					req.Kind = f.kind
					n++
				}
			}
			if name != "" {
				req.Kind, req.Name = backupname.Custom, name
				n++
			}
			if n > 1 {
				return usagef("choose one of --daily, --weekly, --monthly and --name")
			}
			if _, err := backupname.CustomName(name); name != "" && err != nil {
				return &jobs.InputError{Err: err}
			}
			req.Overwrite = overwrite
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			p, finish := newProgress(st.stderr)
			req.Progress = p
			res, err := jobs.Backup(cmd.Context(), env, req)
			finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(st.stdout, "Backup saved: %s (%s)\n", res.Path, units.Bytes(res.Size))
			for _, s := range res.Skipped {
				fmt.Fprintf(st.stdout, "Not included: %s\n", s)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&daily, "daily", false, "name the backup daily_backup_YYYYMMDD_HHMMSS.zip")
	cmd.Flags().BoolVar(&weekly, "weekly", false, "name the backup weekly_backup_YYYYMMDD_HHMMSS.zip")
	cmd.Flags().BoolVar(&monthly, "monthly", false, "name the backup monthly_backup_YYYYMMDD_HHMMSS.zip")
	cmd.Flags().StringVar(&name, "name", "", "custom name: letters, digits, space, '-', '_' and '.'")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing backup of the same --name")
	return cmd
}

func newVerify(st *state) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a backup file completely: every entry, checksum and row count",
		Args:  exactArgs(1, "the backup file to check"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// verify needs no settings, but logs like every run when they exist.
			var log *slog.Logger
			if env, err := st.env(cmd); err == nil {
				log = env.Log
			}
			p, finish := newProgress(st.stderr)
			rep, err := archive.Verify(cmd.Context(), args[0], p)
			finish()
			if err != nil {
				// Exit code 1: the check ran and the backup failed it.
				err = fmt.Errorf("%s is not a usable backup: %w", args[0], err)
				if log != nil {
					log.Error("verify failed", "file", args[0], "err", err)
				}
				return err
			}
			if log != nil {
				log.Info("verify passed", "file", args[0])
			}
			m := rep.Manifest
			var rows int64
			for _, n := range m.Tables {
				rows += n
			}
			fmt.Fprintf(st.stdout, "OK: %s\n  made %s (%s backup) on %s\n  database %q: %d tables, %d rows\n  media: %d files, %s\n",
				args[0], localTime(m.CreatedUTC), m.Kind, m.Host, m.Database.Name, len(m.Tables), rows, m.Media.Files, units.Bytes(m.Media.Bytes))
			return nil
		},
	}
}

func newRestore(st *state) *cobra.Command {
	var yes, noSafety bool
	cmd := &cobra.Command{
		Use:   "restore FILE [--yes] [--no-safety-backup]",
		Short: "Replace the database and media folder with a backup's, all or nothing",
		Long: "Restore the database and the media folder from a backup file. Everything is checked before\n" +
			"anything changes; a safety backup (pre_restore_…) of the current data is made first unless\n" +
			"--no-safety-backup; and either the whole backup is restored or nothing changes.",
		Args: exactArgs(1, "the backup file to restore"),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			interactive := !yes && isTerminal(st.stdout) && isTerminalReader(st.stdin)
			if !yes && !interactive {
				return usagef("restore replaces the current database and media folder; add --yes to confirm")
			}
			p, finish := newProgress(st.stderr)
			req := jobs.RestoreRequest{Archive: args[0], SafetyBackup: !noSafety, Progress: p}
			req.Confirm = func(plan *restore.Plan) bool {
				finish()
				printPlan(st, plan, !noSafety)
				if yes {
					return true
				}
				fmt.Fprint(st.stdout, "Type yes to restore: ")
				line, _ := bufio.NewReader(st.stdin).ReadString('\n')
				return strings.TrimSpace(strings.ToLower(line)) == "yes"
			}
			out, err := jobs.Restore(cmd.Context(), env, req)
			finish()
			if out != nil && out.Safety != nil {
				fmt.Fprintf(st.stdout, "Safety backup of the previous data: %s\n", out.Safety.Path)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(st.stdout, "Restored %s: %d tables, %d rows, %d media files.\n", args[0], out.Tables, out.Rows, out.Files)
			if w := out.Plan.MigrationsWarning; w != "" {
				fmt.Fprintln(st.stdout, "Warning: "+w)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&noSafety, "no-safety-backup", false, "do not back up the current data first")
	return cmd
}

func printPlan(st *state, p *restore.Plan, safety bool) {
	m := p.Manifest
	var rows int64
	for _, n := range m.Tables {
		rows += n
	}
	fmt.Fprintf(st.stdout, "Backup %s\n  made %s on %s: %d tables, %d rows, %d media files (%s)\n",
		p.Archive, localTime(m.CreatedUTC), m.Host, len(m.Tables), rows, m.Media.Files, units.Bytes(m.Media.Bytes))
	if p.DatabaseExists {
		fmt.Fprintf(st.stdout, "will REPLACE the database %q (now %d tables, about %d rows)\n", p.Database, p.CurrentTables, p.CurrentRows)
	} else {
		fmt.Fprintf(st.stdout, "will create the database %q\n", p.Database)
	}
	fmt.Fprintf(st.stdout, "and REPLACE the media folder %s (now %d files).\n", p.MediaDir, p.CurrentFiles)
	if safety {
		fmt.Fprintln(st.stdout, "A safety backup of the current data is made first.")
	} else {
		fmt.Fprintln(st.stdout, "No safety backup will be made (--no-safety-backup).")
	}
	if p.MigrationsWarning != "" {
		fmt.Fprintln(st.stdout, "Warning: "+p.MigrationsWarning)
	}
}

func newList(st *state) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the backups in the backup folder with date, kind, size and status",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			list, err := jobs.List(env)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintf(st.stdout, "No backups in %s yet.\n", env.Settings.BackupDir)
				return nil
			}
			tw := tabwriter.NewWriter(st.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DATE\tKIND\tSIZE\tSTATUS\tFILE")
			for _, b := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", localTime(b.Created), b.Kind, units.Bytes(b.Size), b.Status, b.Name)
			}
			return tw.Flush()
		},
	}
}

func newStatus(st *state) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the settings, the last and next backup, and the log file",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			s := env.Settings
			w := st.stdout
			fmt.Fprintf(w, "Settings file:   %s\n", env.ConfigPath)
			fmt.Fprintf(w, "Database:        %s on %s\n", s.Database.Name, dbWhere(s.Database))
			fmt.Fprintf(w, "Media folder:    %s\n", s.MediaDir)
			fmt.Fprintf(w, "Backup folder:   %s\n", s.BackupDir)
			sched := "off"
			if s.Schedule.Enabled {
				sched = describeSchedule(s.Schedule)
			}
			fmt.Fprintf(w, "Schedule:        %s; keep backups %d days\n", sched, s.RetentionDays)
			sum, err := jobs.Status(env)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "Last backup:     %s\n", sum.LastBackup)
			fmt.Fprintf(w, "Next backup:     %s\n", sum.NextBackup)
			fmt.Fprintf(w, "Backups:         %d, %s in all\n", sum.Count, units.Bytes(sum.TotalSize))
			if h, held := lock.Current(env.StateDir); held {
				fmt.Fprintf(w, "Running now:     %s (process %d, since %s)\n", h.Op, h.PID, localTime(h.Since))
			}
			if restore.Pending(env.StateDir) {
				fmt.Fprintln(w, "Attention:       an interrupted restore will be put right by the next backup or restore")
			}
			fmt.Fprintf(w, "Log file:        %s\n", applog.Path(env.StateDir))
			return nil
		},
	}
}

func dbWhere(d settings.Database) string {
	if d.Socket != "" {
		return d.Socket
	}
	return fmt.Sprintf("%s:%d (user %s)", d.Host, d.Port, d.User)
}

func describeSchedule(s settings.Schedule) string {
	switch s.Frequency {
	case settings.Weekly:
		return "weekly on Sundays at " + s.Time
	case settings.Monthly:
		return "monthly on the 1st at " + s.Time
	}
	return "daily at " + s.Time
}

func isTerminalReader(r any) bool {
	f, ok := r.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
