//go:build windows

package ossched

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

const mechanism = "Windows Task Scheduler"

// Install registers (or replaces) the InventoryManagementBackup task with
// `schtasks /Create /XML file /TN InventoryManagementBackup /F`.
func Install(ctx context.Context, o Options) (Status, error) {
	if o.User == "" {
		u, err := user.Current()
		if err != nil {
			return Status{}, fmt.Errorf("cannot find the current Windows user: %w", err)
		}
		o.User = u.Username // DOMAIN\user
	}
	def, err := TaskXML(o, time.Now())
	if err != nil {
		return Status{}, err
	}
	f, err := os.CreateTemp("", "backup-desktop-task-*.xml")
	if err != nil {
		return Status{}, fmt.Errorf("cannot write the task definition: %w", err)
	}
	path := f.Name()
	defer os.Remove(path)
	_, werr := f.Write(EncodeUTF16(def))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return Status{}, fmt.Errorf("cannot write the task definition %s: %w", path, werr)
	}
	if out, err := schtasks(ctx, "/Create", "/XML", path, "/TN", TaskName, "/F"); err != nil {
		return Status{}, fmt.Errorf("cannot create the scheduled task %s: %w: %s; run the command from an administrator prompt, or use scripts\\setup_backup_schedule.ps1", TaskName, err, out)
	}
	return Show(ctx, o)
}

// Remove deletes the task; removed is false when there was none.
func Remove(ctx context.Context, o Options) (removed bool, err error) {
	if st, err := Show(ctx, o); err != nil || !st.Installed {
		return false, err
	}
	if out, err := schtasks(ctx, "/Delete", "/TN", TaskName, "/F"); err != nil {
		return false, fmt.Errorf("cannot delete the scheduled task %s: %w: %s; run the command from an administrator prompt or delete it in Task Scheduler", TaskName, err, out)
	}
	return true, nil
}

// Show describes the task (schtasks /Query /V), if it exists.
func Show(ctx context.Context, o Options) (Status, error) {
	out, err := schtasks(ctx, "/Query", "/TN", TaskName, "/FO", "LIST", "/V")
	if err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			// schtasks exits 1 with "ERROR: The system cannot find the file
			// specified." (localised) when the task does not exist.
			return Status{Mechanism: mechanism}, nil
		}
		return Status{}, fmt.Errorf("cannot query Task Scheduler: %w", err)
	}
	return Status{Installed: true, Mechanism: mechanism, Entry: strings.TrimSpace(out)}, nil
}

func schtasks(ctx context.Context, args ...string) (string, error) {
	exe := "schtasks.exe"
	if root := os.Getenv("SystemRoot"); root != "" {
		exe = filepath.Join(root, "System32", "schtasks.exe")
	}
	out, err := exec.CommandContext(ctx, exe, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
