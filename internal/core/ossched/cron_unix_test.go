//go:build !windows

package ossched

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCronLineRunsUnderSh runs the command part of a generated line with
// /bin/sh (what cron does) against a fake executable in a folder with a
// space and a quote in its name, and checks the arguments it receives.
func TestCronLineRunsUnderSh(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my 'apps' $HOME")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "backup-desktop")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGS_OUT\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "settings `x` (1).json")
	line, err := CronLine(Options{Exe: exe, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.SplitN(line, " ", 6) // minute hour dom month dow command
	out := filepath.Join(t.TempDir(), "args")
	cmd := exec.Command("/bin/sh", "-c", fields[5])
	cmd.Env = append(os.Environ(), "ARGS_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh -c %q: %v\n%s", fields[5], err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "--config\n" + cfg + "\nrun-scheduled-backup\n"; string(got) != want {
		t.Errorf("the program received\n%q\nwant\n%q", got, want)
	}
}

// TestCrontabRoundTrip edits a real crontab with the real crontab binary.
// To leave the tester's own crontab alone it works on the crontab of a
// dedicated account (BACKUP_DESKTOP_TEST_CRON_USER, default "nobody") with
// "crontab -u", which needs root, and restores that crontab afterwards.
func TestCrontabRoundTrip(t *testing.T) {
	bin, err := exec.LookPath("crontab")
	if err != nil {
		t.Skipf("no crontab binary on this machine (%v); install cron to run this test", err)
	}
	if os.Getuid() != 0 {
		t.Skip("editing another account's crontab (crontab -u) needs root; run as root to test the real crontab round trip")
	}
	account := os.Getenv("BACKUP_DESKTOP_TEST_CRON_USER")
	if account == "" {
		account = "nobody"
	}
	ctx := context.Background()
	ct := []string{bin, "-u", account}
	raw := Options{Crontab: ct}
	orig, err := readCrontab(ctx, raw)
	if err != nil {
		t.Fatalf("cannot read %s's crontab: %v", account, err)
	}
	reset := func() {
		t.Helper()
		if out, err := exec.Command(bin, "-u", account, "-r").CombinedOutput(); err != nil && !strings.Contains(string(out), "no crontab") {
			t.Fatalf("crontab -r: %v: %s", err, out)
		}
	}
	t.Cleanup(func() {
		reset()
		if orig != "" {
			if err := writeCrontab(ctx, raw, orig); err != nil {
				t.Errorf("could not restore %s's crontab: %v", account, err)
			}
		}
	})
	current := func() string {
		t.Helper()
		s, err := readCrontab(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	o := Options{Exe: "/opt/backup desktop/backup-desktop", Config: "/srv/ims/settings.json", Crontab: ct}
	line, err := CronLine(o)
	if err != nil {
		t.Fatal(err)
	}
	userLines := "MAILTO=\"\"\n# the shop's own jobs\n*/5 * * * * /usr/bin/true\n15 3 * * 0 /usr/bin/printf 'a\\%%b'\n"

	// No crontab at all.
	reset()
	if st, err := Show(ctx, o); err != nil || st.Installed || st.Mechanism != "cron" {
		t.Fatalf("Show with no crontab = %+v, %v", st, err)
	}
	if removed, err := Remove(ctx, o); err != nil || removed {
		t.Fatalf("Remove with no crontab = %v, %v", removed, err)
	}
	if st, err := Install(ctx, o); err != nil || !st.Installed || st.Entry != line {
		t.Fatalf("Install into no crontab = %+v, %v", st, err)
	}
	if got := current(); got != line+"\n" {
		t.Errorf("crontab after install into none:\n%q", got)
	}
	if removed, err := Remove(ctx, o); err != nil || !removed {
		t.Fatalf("Remove = %v, %v", removed, err)
	}
	if got := current(); got != "" {
		t.Errorf("crontab after remove: %q, want empty", got)
	}

	// A crontab with the user's own lines.
	if err := writeCrontab(ctx, raw, userLines); err != nil {
		t.Fatal(err)
	}
	if st, err := Show(ctx, o); err != nil || st.Installed {
		t.Fatalf("Show before install = %+v, %v", st, err)
	}
	for i := 0; i < 2; i++ { // idempotent
		if _, err := Install(ctx, o); err != nil {
			t.Fatal(err)
		}
		if got := current(); got != userLines+line+"\n" {
			t.Errorf("crontab after install #%d:\n%s\nwant\n%s", i+1, got, userLines+line+"\n")
		}
	}
	st, err := Show(ctx, o)
	if err != nil || !st.Installed || st.Entry != line {
		t.Errorf("Show = %+v, %v; want the line", st, err)
	}
	later := o
	later.At = "23:30"
	laterLine, _ := CronLine(later)
	if _, err := Install(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := current(); got != userLines+laterLine+"\n" {
		t.Errorf("crontab after re-install at 23:30:\n%s", got)
	}
	// The crontab command from the environment.
	t.Setenv(EnvCrontab, strings.Join(ct, " "))
	if st, err := Show(ctx, Options{Exe: o.Exe, Config: o.Config}); err != nil || st.Entry != laterLine {
		t.Errorf("Show with %s = %+v, %v", EnvCrontab, st, err)
	}
	if removed, err := Remove(ctx, o); err != nil || !removed {
		t.Fatalf("Remove = %v, %v", removed, err)
	}
	if got := current(); got != userLines {
		t.Errorf("crontab after remove:\n%q\nwant the user's lines unchanged:\n%q", got, userLines)
	}
	if removed, err := Remove(ctx, o); err != nil || removed {
		t.Errorf("second Remove = %v, %v; want false, nil", removed, err)
	}
}

func TestCrontabCommandMissing(t *testing.T) {
	o := Options{Exe: "/bin/bd", Config: "/s.json", Crontab: []string{"/nonexistent/crontab"}}
	_, err := Install(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "was not found") || !strings.Contains(err.Error(), "run-scheduled-backup") {
		t.Errorf("Install with a missing crontab command: %v; want advice with the line to add by hand", err)
	}
}
