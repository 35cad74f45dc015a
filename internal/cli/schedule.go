package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/backupdesktop/backup-desktop/internal/core/ossched"
	"github.com/backupdesktop/backup-desktop/internal/core/settings"
)

func init() {
	extraCommands = append(extraCommands, newSchedule)
}

func newSchedule(st *state) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule install|remove|show",
		Short: "Register run-scheduled-backup with cron (Linux, macOS) or Windows Task Scheduler",
		Long: "install adds a daily entry at the schedule's time that runs 'backup-desktop run-scheduled-backup'\n" +
			"with this settings file (a crontab line on Linux and macOS; the task InventoryManagementBackup on\n" +
			"Windows, run whether the user is logged on or not and as soon as possible after a missed start).\n" +
			"The check makes a backup only when one is due, so it is safe alongside the tray app.\n" +
			"remove deletes that entry, leaving every other crontab line alone; show prints it.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || (args[0] != "install" && args[0] != "remove" && args[0] != "show") {
				return usagef("schedule needs one of install, remove or show (see '%s --help')", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := settings.ResolvePath(st.configFlag)
			if err != nil {
				return err
			}
			o := ossched.Options{Config: path}
			ctx := cmd.Context()
			switch args[0] {
			case "install":
				s, err := settings.Load(path)
				if err != nil {
					return fmt.Errorf("set up the settings first (open the app), then install the schedule: %w", err)
				}
				o.At = s.Schedule.Time
				status, err := ossched.Install(ctx, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(st.stdout, "Installed in %s: %s\n", status.Mechanism, status.Entry)
				if !s.Schedule.Enabled {
					fmt.Fprintln(st.stdout, "Note: automated backups are turned off in the settings, so the daily check will make none until you turn them on.")
				}
			case "remove":
				removed, err := ossched.Remove(ctx, o)
				if err != nil {
					return err
				}
				if removed {
					fmt.Fprintln(st.stdout, "Removed the scheduled backup check.")
				} else {
					fmt.Fprintln(st.stdout, "No scheduled backup check was installed.")
				}
			case "show":
				status, err := ossched.Show(ctx, o)
				if err != nil {
					return err
				}
				if status.Installed {
					fmt.Fprintf(st.stdout, "Installed in %s: %s\n", status.Mechanism, status.Entry)
				} else {
					fmt.Fprintf(st.stdout, "Not installed in %s. Run '%s schedule install' to add it.\n", status.Mechanism, cmd.Root().Name())
				}
			}
			return nil
		},
	}
	return cmd
}
