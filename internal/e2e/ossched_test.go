package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backupdesktop/backup-desktop/internal/core/ossched"
)

// TestScheduleInstallRemoveWithRealCrontab runs the real crontab binary on
// a private user's crontab, so the tester's own crontab is never touched.
func TestScheduleInstallRemoveWithRealCrontab(t *testing.T) {
	if _, err := exec.LookPath("crontab"); err != nil {
		t.Skip("no crontab binary (make test installs cron)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to use a private user's crontab with crontab -u")
	}
	user := "bdcrontest"
	if err := exec.Command("id", user).Run(); err != nil {
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user).CombinedOutput(); err != nil {
			t.Skipf("cannot create a private user for the crontab test: %v %s", err, out)
		}
	}
	crontab := "crontab -u " + user
	other := "15 4 * * * /usr/bin/true # someone else's line\n"
	set := exec.Command("crontab", "-u", user, "-")
	set.Stdin = strings.NewReader(other)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("crontab: %v %s", err, out)
	}
	defer exec.Command("crontab", "-u", user, "-r").Run()

	s := newSetup(t)
	run := func(args ...string) result {
		cmd := s.command(args...)
		cmd.Env = append(cmd.Env, ossched.EnvCrontab+"="+crontab)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return result{code, out.String(), errb.String()}
	}
	read := func() string {
		out, _ := exec.Command("crontab", "-u", user, "-l").Output()
		return string(out)
	}
	if r := run("schedule", "show"); r.code != 0 || !strings.Contains(r.stdout, "Not installed") {
		t.Errorf("show before install: %s", r)
	}
	for i := 0; i < 2; i++ { // installing twice keeps one line
		if r := run("schedule", "install"); r.code != 0 || !strings.Contains(r.stdout, "run-scheduled-backup") {
			t.Fatalf("install: %s", r)
		}
	}
	tab := read()
	if strings.Count(tab, ossched.Marker) != 1 || !strings.Contains(tab, "0 2 * * *") ||
		!strings.Contains(tab, filepath.Base(s.config)) || !strings.Contains(tab, other) {
		t.Errorf("crontab after install:\n%s", tab)
	}
	if r := run("schedule", "show"); !strings.Contains(r.stdout, "Installed in cron") {
		t.Errorf("show: %s", r)
	}
	if r := run("schedule", "remove"); r.code != 0 || !strings.Contains(r.stdout, "Removed") {
		t.Errorf("remove: %s", r)
	}
	if tab := read(); tab != other {
		t.Errorf("crontab after remove:\n%q\nwant only\n%q", tab, other)
	}
	if r := run("schedule", "bogus"); r.code != 2 {
		t.Errorf("bad subcommand: %s", r)
	}
}
