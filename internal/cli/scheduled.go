package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
	"github.com/backupdesktop/backup-desktop/internal/core/units"
)

func init() {
	extraCommands = append(extraCommands, newRunScheduled, newPrune)
}

// atFlag adds --at TIME (RFC 3339) to cmd and applies it to env.
type atFlag struct{ value string }

func (a *atFlag) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.value, "at", "", "act as if now were TIME (RFC 3339, e.g. 2026-11-29T02:00:00+01:00), to test a schedule")
}

func (a *atFlag) apply(env *jobs.Env) error {
	if a.value == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, a.value)
	if err != nil {
		return usagef("--at %q is not a time in RFC 3339 form; use for example 2026-11-29T02:00:00+01:00", a.value)
	}
	// The schedule is in the computer's zone: read the moment there, so
	// daylight-saving rules apply as for a real run.
	t = t.In(time.Local)
	env.Now = func() time.Time { return t }
	env.Simulated = true
	env.Log = env.Log.With("at", a.value)
	return nil
}

func newRunScheduled(st *state) *cobra.Command {
	var at atFlag
	cmd := &cobra.Command{
		Use:     "run-scheduled-backup [--at TIME]",
		Aliases: []string{"run_scheduled_backup"},
		Short:   "Make the scheduled backup if one is due, then delete old backups",
		Long: "Check the schedule in the settings; if a backup is due (none made since the most recent\n" +
			"scheduled moment), make it and apply the retention policy; otherwise say when the next one is\n" +
			"due. Meant to be called by cron, Task Scheduler or launchd, for example daily at 02:00.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			if err := at.apply(env); err != nil {
				return err
			}
			p, finish := newProgress(st.stderr)
			out, err := jobs.RunScheduled(cmd.Context(), env, p)
			finish()
			if err != nil {
				env.Log.Error("scheduled backup failed", "err", err)
				return err
			}
			if out.Made == nil {
				fmt.Fprintf(st.stdout, "No backup due: %s. Next scheduled backup: %s.\n", out.Reason, localTime(out.Next))
				env.Log.Info("no backup due", "next", out.Next)
				return nil
			}
			fmt.Fprintf(st.stdout, "Backup saved: %s (%s)\n", out.Made.Path, units.Bytes(out.Made.Size))
			for _, d := range out.Pruned {
				fmt.Fprintf(st.stdout, "Deleted old backup: %s\n", d)
			}
			fmt.Fprintf(st.stdout, "Next scheduled backup: %s.\n", localTime(out.Next))
			return nil
		},
	}
	at.add(cmd)
	return cmd
}

func newPrune(st *state) *cobra.Command {
	var at atFlag
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "prune [--dry-run] [--at TIME]",
		Short: "Delete backups older than retention_days (custom-named ones are kept)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := st.env(cmd)
			if err != nil {
				return err
			}
			if err := at.apply(env); err != nil {
				return err
			}
			out, err := jobs.Prune(cmd.Context(), env, dryRun)
			if out != nil {
				tw := tabwriter.NewWriter(st.stdout, 0, 4, 2, ' ', 0)
				for _, d := range out.Decisions {
					verb := "keep"
					if d.Remove {
						verb = "delete"
						if !dryRun {
							verb = "deleted"
						}
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", verb, d.Backup.Name, d.Reason)
				}
				tw.Flush()
				if len(out.Decisions) == 0 {
					fmt.Fprintln(st.stdout, "No backups to consider.")
				}
				if dryRun {
					fmt.Fprintln(st.stdout, "Dry run: nothing was deleted.")
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only list what would be deleted and why")
	at.add(cmd)
	return cmd
}
